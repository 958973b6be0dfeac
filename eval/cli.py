"""`clerk eval` / `python -m eval`: run the accuracy suite and print its metrics table."""

from pathlib import Path

import click

from eval.dataset import DatasetError
from eval.lobo import DEV_CORPUS, LoboConfig
from eval.runner import CORPUS, QA, EvalError, SuiteConfig, run_suite


@click.command("eval")
@click.option("--corpus", type=click.Path(path_type=Path, file_okay=False), default=CORPUS,
              show_default="the sample corpus/", help="Folder of papers (with a manifest).")
@click.option("--qa", type=click.Path(path_type=Path, dir_okay=False), default=QA,
              show_default="eval/qa.jsonl", help="Gold questions, one JSON object a line.")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="all",
              show_default=True, help="Which questions to run.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              default=Path("reports"), show_default=True, help="Where eval.json and eval.md go.")
@click.option("--fit", "fit", is_flag=True, help="Fit the answer model (weights, selection, "
              "abstention threshold) on every gold question of the sample and dev corpora and "
              "write assistant/answer_model.json; with CLERK_EMBED_BACKEND=onnx-int8, only that "
              "space's threshold.")
@click.option("--no-baselines", is_flag=True, help="Score Clerk alone.")
@click.option("--check", is_flag=True, help="Exit 1 when a metric is below its floor in "
              "eval/thresholds.json (with --lobo: eval/thresholds_lobo.json).")
@click.option("--lobo", is_flag=True, help="Leave-one-body-out over the sample and dev corpora: "
              "fit on all bodies but one, score that one, for each body; reports/lobo.*")
@click.option("--dev-corpus", type=click.Path(path_type=Path, file_okay=False),
              default=DEV_CORPUS, show_default="../shared/corpus-dev",
              help="With --lobo: the dev corpus (papers/ and moderngov/lgsf-fixtures/).")
def eval_command(corpus: Path, qa: Path, split: str, out: Path, fit: bool,
                 no_baselines: bool, check: bool, lobo: bool, dev_corpus: Path) -> None:
    """Score Clerk's answers on known questions, beside two plain baselines."""
    from assistant.settings import get_settings
    from eval.gate import THRESHOLDS

    if fit:
        from assistant.errors import ClerkError
        from eval.fit import run_fit

        try:
            run_fit(LoboConfig(corpus=corpus, dev_corpus=dev_corpus, settings=get_settings()),
                    log=lambda line: click.echo(line, err=True))
        except (DatasetError, EvalError, ClerkError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
        return
    if lobo:
        if split != "all" or qa != QA:
            raise click.UsageError("--lobo fits its own models on every question of "
                                   "eval/qa.jsonl and eval/qa_dev/; drop --split, --qa")
        _run_lobo(LoboConfig(corpus=corpus, dev_corpus=dev_corpus, baselines=not no_baselines,
                             settings=get_settings()), out, check)
        return
    from eval import report

    config = SuiteConfig(corpus=corpus, qa=qa, split=split, baselines=not no_baselines,
                         settings=get_settings(), progress=None)  # bars when on a terminal
    _run(lambda log: run_suite(config, log=log), report, out, THRESHOLDS if check else None)


def _run_lobo(config: LoboConfig, out: Path, check: bool) -> None:
    from eval import lobo_report
    from eval.gate import THRESHOLDS_LOBO
    from eval.lobo import run_lobo

    _run(lambda log: run_lobo(config, log=log), lobo_report, out,
         THRESHOLDS_LOBO if check else None)


def _run(run, report, out: Path, floors: Path | None) -> None:
    """Run a suite, print its table and summary, write its reports, and gate on ``floors``."""
    from assistant.errors import ClerkError

    try:
        result = run(lambda line: click.echo(line, err=True))
    except (DatasetError, EvalError, ClerkError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.format_table(result))
    click.echo(report.summary_line(result))
    json_path, md_path = report.write_reports(result, out)
    click.echo(f"wrote {json_path} and {md_path}")
    if floors is not None:
        _gate(result.metrics, floors)


def _gate(metrics: dict, path: Path) -> None:
    """Exit 1 when a measured figure is below its floor in ``path``."""
    from eval.gate import check as check_floors
    from eval.gate import load_thresholds

    try:
        gate = check_floors(metrics, load_thresholds(path))
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from exc
    for line in gate.failures:
        click.echo(f"below floor: {line}", err=True)
    if gate.skipped:
        click.echo(f"not checked (not run): {', '.join(gate.skipped)}", err=True)
    if gate.failures:
        raise SystemExit(1)
    click.echo(f"check passed: {gate.checked} floors met")
