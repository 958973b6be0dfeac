"""The suite's outputs: the printed table, reports/eval.md and reports/eval.json."""

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path

from eval.runner import SuiteResult

# (metric key, label, format): f = a fraction, ms = milliseconds, n = a count
ROWS = (
    ("questions", "questions", "n"),
    ("hit@1", "retrieval hit@1", "f"),
    ("hit@5", "retrieval hit@5", "f"),
    ("mrr", "retrieval MRR", "f"),
    ("citation_accuracy", "citation accuracy", "f"),
    ("label_accuracy", "printed-label accuracy", "f"),
    ("answer_accuracy", "answer accuracy", "f"),
    ("abstention_precision", "abstention precision", "f"),
    ("abstention_recall", "abstention recall", "f"),
    ("latency_p50_ms", "latency p50 (ms)", "ms"),
    ("latency_p95_ms", "latency p95 (ms)", "ms"),
)
NOTES = """\
- hit@k / MRR: rank of the first gold chunk in the top 10 (a gold (doc_id, paragraph) pair, or a
  chunk containing the gold evidence), over answerable questions.
- citation accuracy: share of citations, on answered answerable questions, that are a gold
  paragraph or contain the evidence (a gold paragraph with no printed label is recognised by
  its evidence alone). A baseline's one citation is its top chunk.
- printed-label accuracy: of those citations that hold a labelled gold paragraph (its pair or
  its evidence), the share whose label is the gold label as printed.
- answer accuracy: answerable questions answered (not abstained) with every key fact present.
- abstention precision / recall: the positive class is "should abstain" (unanswerable);
  "-" where undefined (the baselines never abstain).
- latency: time to answer one question (retrieval + answer), p50 / p95."""


def cell(value, fmt: str) -> str:
    if value is None:
        return "-"
    match fmt:
        case "n":
            return str(int(value))
        case "ms":
            return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
        case _:
            return f"{value:.3f}"


def columns(result: SuiteResult) -> list[tuple[str, str]]:
    """(split, system) pairs: each split's group with Clerk beside the baselines."""
    return [(split, name) for split in result.splits for name in result.metrics]


def body_rows(result: SuiteResult) -> list[tuple[str, list[str]]]:
    cols = columns(result)
    rows = [(label, [cell(result.metrics[name][split][key], fmt) for split, name in cols])
            for key, label, fmt in ROWS]
    kinds = sorted({k for per_split in result.metrics.values() for m in per_split.values()
                    for k in m["by_kind"]})
    for kind in kinds:
        cells = [cell(result.metrics[name][split]["by_kind"].get(kind), "f")
                 for split, name in cols]
        rows.append((f"  answer acc: {kind}", cells))
    return rows


def format_table(result: SuiteResult) -> str:
    """A plain-text table: metrics down, one column group per split, systems across."""
    names = list(result.metrics)
    width = max(9, *(len(n) for n in names))
    rows = body_rows(result)
    label_w = max(len(label) for label, _ in rows)
    group_w = len(names) * (width + 1) - 1
    head1 = " " * label_w + " | " + " | ".join(s.center(group_w) for s in result.splits)
    head2 = " " * label_w + " | " + " | ".join(" ".join(n.rjust(width) for n in names)
                                               for _ in result.splits)
    lines = [head1, head2, "-" * len(head2)]
    for label, cells in rows:
        groups = [cells[i:i + len(names)] for i in range(0, len(cells), len(names))]
        lines.append(label.ljust(label_w) + " | " + " | ".join(
            " ".join(c.rjust(width) for c in g) for g in groups))
    return "\n".join(lines)


def summary_line(result: SuiteResult) -> str:
    return (f"abstention threshold {result.threshold} (the answer model's, fitted by "
            f"`clerk eval --fit`, unless CLERK_ABSTAIN_THRESHOLD is set); {result.ingest}")


def to_markdown(result: SuiteResult) -> str:
    cols = columns(result)
    head = "| metric | " + " | ".join(f"{name} ({split})" for split, name in cols) + " |"
    rule = "|---|" + "---:|" * len(cols)
    source = (f"Corpus `{result.config.corpus}`, questions `{result.config.qa}` "
              f"(split: {result.config.split}).")
    lines = [f"# Clerk answer-accuracy suite, {dt.date.today().isoformat()}", "", source, "",
             summary_line(result) + ".", "", head, rule]
    lines += [f"| {label.strip()} | " + " | ".join(cells) + " |"
              for label, cells in body_rows(result)]
    return "\n".join(lines + ["", NOTES, ""])


def to_json(result: SuiteResult) -> dict:
    config = result.config
    return {
        "generated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus": str(config.corpus), "qa": str(config.qa), "split": config.split,
        "threshold": result.threshold, "ingest": result.ingest,
        "metrics": result.metrics,
        "questions": {name: [asdict(r) for r in rs] for name, rs in result.results.items()},
    }


def write_reports(result: SuiteResult, out: Path) -> tuple[Path, Path]:
    """reports/eval.json (every figure and per-question outcome) and reports/eval.md."""
    return write_pair(out, "eval", to_json(result), to_markdown(result))


def write_pair(out: Path, stem: str, data: dict, markdown: str) -> tuple[Path, Path]:
    """``out/stem.json`` and ``out/stem.md``, the folder made if need be."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    return json_path, md_path
