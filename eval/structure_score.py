"""Score Clerk's reading of papers against the structure gold in ``eval/structure/``.

For each gold paragraph (see ``eval/structure/README.md``) the Clerk paragraph holding its
opening words is found, in order. Figures, per format, per body and overall:
- label recall: gold paragraphs with a printed label that Clerk labels the same;
- label precision: of the gold paragraphs Clerk gives a printed-looking label, the share where
  that label is the printed one (a label taken from a sentence counts against it);
- whole: gold paragraphs that one Clerk paragraph holds from its opening to its closing words
  without the next gold paragraph's opening (not cut, not merged);
- page: PDF paragraphs whose first page is the printed one;
- metadata: council, committee, meeting date and document type as printed.

Run: ``python -m eval.structure_score [--gold DIR] [--json]``.
"""

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "structure"
META_FIELDS = ("council", "committee", "meeting_date", "doc_type")


def norm(text: str | None) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", (text or "").casefold()).split())


def norm_label(label: str | None) -> str:
    label = re.sub(r" \(\d+\)$", "", label or "")  # Clerk's mark for a label printed twice
    label = re.sub(r"^(?:minute|min\.?)\s*(?:no\.?)?\s*", "", label.strip(), flags=re.I)
    return re.sub(r"[\s.:]+", "", label.casefold()).rstrip(")") if not re.fullmatch(
        r"\(\w+\)", label.strip()) else label.strip().casefold()


def printed_looking(label: str) -> bool:
    """A label Clerk presents as printed, not one made from a heading."""
    return "¶" not in label and bool(re.match(
        r"\d|\(|[A-Z]{1,4}\d|(?:[IVX]{1,5}|[A-Z])(?:\(|$)|(?:Minute|Item|Risk|Resolved|"
        r"Recommendations|Actions)\b", label))


@dataclass
class Tally:
    gold: int = 0
    labelled: int = 0
    label_right: int = 0
    claimed: int = 0
    claimed_right: int = 0
    whole: int = 0
    paged: int = 0
    page_right: int = 0
    meta: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, other: "Tally") -> None:
        for name in ("gold", "labelled", "label_right", "claimed", "claimed_right", "whole",
                     "paged", "page_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, (right, total) in other.meta.items():
            self.meta[k][0] += right
            self.meta[k][1] += total

    def figures(self) -> dict:
        ratio = lambda a, b: round(a / b, 3) if b else None  # noqa: E731
        meta_right = sum(v[0] for v in self.meta.values())
        meta_total = sum(v[1] for v in self.meta.values())
        return {"paragraphs": self.gold,
                "label_precision": ratio(self.claimed_right, self.claimed),
                "label_recall": ratio(self.label_right, self.labelled),
                "whole": ratio(self.whole, self.gold),
                "page": ratio(self.page_right, self.paged),
                "metadata": ratio(meta_right, meta_total),
                **{f"meta_{k}": ratio(*self.meta[k]) for k in META_FIELDS if k in self.meta}}


def read_clerk(path: Path):
    """Clerk's reading of one paper, as ingest does it (no embedding): (meta, paragraphs)."""
    from ingest.pipeline import read_structure

    return read_structure(path)


def score_paper(gold: dict, meta: dict, paragraphs: list, misses: list | None = None) -> Tally:
    t = Tally()
    texts = [norm(_body(p)) for p in paragraphs]
    golds = gold.get("paragraphs") or []
    cursor = 0
    for i, g in enumerate(golds):
        t.gold += 1
        opening, closing = norm(g.get("opening")), norm(g.get("closing"))
        following = norm(golds[i + 1].get("opening")) if i + 1 < len(golds) else None
        hit = _find(texts, opening, cursor)
        if g.get("label") not in (None, ""):
            t.labelled += 1
        if hit is None:
            if misses is not None:
                misses.append(f"not found: {g.get('label')} {g.get('opening')!r}")
            continue
        k, pos = hit
        cursor = k
        para, text = paragraphs[k], texts[k]
        starts = pos <= 3
        whole = starts and closing in text[pos:] and not (
            following and following in text[pos + len(opening):])
        t.whole += whole
        right = norm_label(para.label) == norm_label(str(g["label"])) if g.get("label") else False
        t.label_right += right
        if printed_looking(para.label):
            t.claimed += 1
            t.claimed_right += right
        if g.get("page") is not None and starts:
            t.paged += 1
            t.page_right += bool(para.pages) and para.pages[0] == g["page"]
        if misses is not None and (not whole or (g.get("label") and not right)):
            misses.append(f"{'whole' if whole else 'NOT WHOLE'} gold={g.get('label')} "
                          f"clerk={para.label} {g.get('opening')!r}")
    for key in META_FIELDS:
        if key not in (gold.get("meta") or {}):
            continue
        want = gold["meta"][key]
        accepted = want if isinstance(want, list) else [want]
        got = meta.get(key)
        ok = any((norm(str(a)) == norm(got)) if a is not None else got is None for a in accepted)
        t.meta[key][0] += ok
        t.meta[key][1] += 1
        if misses is not None and not ok:
            misses.append(f"meta {key}: gold={want!r} clerk={got!r}")
    return t


def _body(p) -> str:
    """A paragraph's text without its printed label."""
    from ingest.labels import match_label

    text = p.text.lstrip("-*•· \t")
    m = match_label(text)
    return text[m.end:] if m else text


def _find(texts: list[str], opening: str, cursor: int) -> tuple[int, int] | None:
    if not opening:
        return None
    for k in list(range(cursor, len(texts))) + list(range(0, cursor)):
        pos = texts[k].find(opening)
        if pos >= 0:
            return k, pos
    return None


def load_gold(directory: Path = GOLD) -> list[dict]:
    out = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["_file"] = path.name
        out.append(data)
    return out


def run(directory: Path = GOLD, verbose: bool = False) -> dict:
    by_format: dict[str, Tally] = defaultdict(Tally)
    by_body: dict[str, Tally] = defaultdict(Tally)
    overall = Tally()
    failures = []
    for gold in load_gold(directory):
        path = (ROOT / gold["paper"]).resolve()
        misses: list[str] | None = [] if verbose else None
        try:
            meta, paragraphs = read_clerk(path)
        except Exception as exc:  # a paper Clerk cannot read scores zero, visibly
            failures.append(f"{gold['_file']}: {exc}")
            meta, paragraphs = {}, []
        t = score_paper(gold, meta, paragraphs, misses)
        for bucket in (by_format[gold.get("format", path.suffix.lstrip("."))],
                       by_body[gold.get("body", "?")], overall):
            bucket.add(t)
        if verbose and misses:
            print(f"## {gold['_file']}", *misses[:60], sep="\n  ")
    return {"overall": overall.figures(),
            "by_format": {k: v.figures() for k, v in sorted(by_format.items())},
            "by_body": {k: v.figures() for k, v in sorted(by_body.items())},
            "papers": len(load_gold(directory)), "bodies": len(by_body), "failures": failures}


def table(report: dict) -> str:
    cols = ("paragraphs", "label_precision", "label_recall", "whole", "page", "metadata")
    rows = [("", *cols)]
    for name, figs in [("overall", report["overall"]), *report["by_format"].items(),
                       *report["by_body"].items()]:
        rows.append((name, *("-" if figs.get(c) is None else str(figs[c]) for c in cols)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(cols) + 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    meta = ", ".join(f"{k} {report['overall'].get('meta_' + k)}" for k in META_FIELDS)
    return "\n".join(lines + [f"metadata by field: {meta}",
                              f"{report['papers']} papers, {report['bodies']} bodies"]
                     + [f"failed: {f}" for f in report["failures"]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    report = run(args.gold, args.verbose)
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
