"""Leave-one-body-out outputs: the printed table, reports/lobo.md and reports/lobo.json."""

import datetime as dt
from dataclasses import asdict
from pathlib import Path

from eval.lobo import POOLED, LoboResult
from eval.report import NOTES, cell, write_pair

# (metric key, short label, systems shown): the baselines never abstain, so abstention is Clerk's
METRICS = (
    ("answer_accuracy", "answer", True),
    ("citation_accuracy", "citation", True),
    ("label_accuracy", "label", True),
    ("hit@1", "hit@1", True),
    ("hit@5", "hit@5", True),
    ("abstention_precision", "abst P", False),
    ("abstention_recall", "abst R", False),
)
SHORT = {"Clerk": "C", "BM25": "B", "LangChain": "L"}


def _columns(result: LoboResult) -> list[tuple[str, str, str]]:
    """(metric key, header, system) for every column after the body's name."""
    cols = []
    for key, label, all_systems in METRICS:
        for name in result.metrics if all_systems else ["Clerk"]:
            cols.append((key, f"{label} {SHORT.get(name, name)}" if all_systems else label, name))
    return cols


def _rows(result: LoboResult) -> list[tuple[str, list[str]]]:
    rows = []
    for body in [*result.bodies, POOLED]:
        clerk = result.metrics["Clerk"][body]
        threshold = result.fits[body].threshold if body in result.fits else None
        cells = [str(clerk["questions"]), "-" if threshold is None else f"{threshold:.3f}"]
        cells += [cell(result.metrics[name][body][key], "f") for key, _, name in _columns(result)]
        rows.append((body, cells))
    return rows


def _headers(result: LoboResult) -> list[str]:
    return ["n", "thresh", *(header for _, header, _ in _columns(result))]


def format_table(result: LoboResult) -> str:
    """Bodies down (pooled last); metrics across, Clerk (C) beside BM25 (B) and LangChain (L)."""
    headers = _headers(result)
    rows = _rows(result)
    name_w = min(34, max(len(b) for b, _ in rows))
    widths = [max(len(h), 5) for h in headers]
    lines = ["body".ljust(name_w) + " " + " ".join(h.rjust(w) for h, w in zip(headers, widths))]
    lines.append("-" * len(lines[0]))
    for body, cells in rows:
        lines.append(body[:name_w].ljust(name_w) + " "
                     + " ".join(c.rjust(w) for c, w in zip(cells, widths)))
    return "\n".join(lines)


def summary_line(result: LoboResult) -> str:
    return (f"{len(result.bodies)} bodies, {len(result.results['Clerk'])} questions; "
            f"threshold fitted on all bodies (not used to score) {result.fit_all.threshold}; "
            f"{result.ingest}; {result.seconds:.0f} s")


LOBO_NOTES = """\
- Each body's row is scored with the answer model (weights, selection rule and abstention
  threshold "thresh") fitted on every other body's questions alone (eval.fit.fit_model);
  "pooled" is every held-out question together. The baselines fit nothing.
- C = Clerk, B = plain BM25 over Clerk's chunks, L = the plain LangChain pipeline.
- label: printed-label accuracy. abst P / abst R: abstention precision / recall (Clerk only)."""


def to_markdown(result: LoboResult) -> str:
    headers = _headers(result)
    lines = [f"# Clerk leave-one-body-out, {dt.date.today().isoformat()}", "",
             f"Corpora `{result.config.corpus}` and `{result.config.dev_corpus}`; questions "
             + ", ".join(f"`{p}`" for p in result.config.qa) + ".", "",
             summary_line(result) + ".", "",
             "| body | " + " | ".join(headers) + " |", "|---|" + "---:|" * len(headers)]
    lines += [f"| {body} | " + " | ".join(cells) + " |" for body, cells in _rows(result)]
    if result.failures:
        lines += ["", "Papers ingest left out:", ""]
        lines += [f"- `{Path(name).name}`: {reason}" for name, reason in result.failures]
    return "\n".join(lines + ["", LOBO_NOTES, NOTES, ""])


def to_json(result: LoboResult) -> dict:
    config = result.config
    return {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus": str(config.corpus), "dev_corpus": str(config.dev_corpus),
        "qa": [str(p) for p in config.qa], "seconds": round(result.seconds, 1),
        "ingest": result.ingest, "ingest_failures": [list(f) for f in result.failures],
        "held_out_models": {body: _brief(fit) for body, fit in result.fits.items()},
        "model_all_bodies": _brief(result.fit_all),
        "metrics": result.metrics,
        "questions": {name: [asdict(r) for r in rs] for name, rs in result.results.items()},
    }


def _brief(model) -> dict:
    """A fitted model's selection numbers and provenance (its weights stay in memory)."""
    return {k: v for k, v in asdict(model).items()
            if k not in ("features", "mean", "scale", "coef", "confidence", "spaces")}


def write_reports(result: LoboResult, out: Path) -> tuple[Path, Path]:
    """reports/lobo.json (every figure and per-question outcome) and reports/lobo.md."""
    return write_pair(out, "lobo", to_json(result), to_markdown(result))
