"""Which meeting a paper belongs to: the manifest wins; otherwise what the paper prints.
A date that is not printed stays None: Clerk never guesses a meeting date."""

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import ManifestError
from ingest.models import PaperMeta, Paragraph
from ingest.structure import clean_text, one_line

FIELDS = ("file", "doc_id", "council", "committee", "meeting_date", "doc_type", "title", "url")
_MONTHS = ("january february march april may june july august september october november "
           "december").split()
_DATE = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+("
    + "|".join(_MONTHS) + r")\s+(\d{4})\b", re.I)
_COUNCIL = re.compile(r"\b((?:[A-Z][a-z]+\s){1,3}(?:County|Borough|District|City|Metropolitan "
                      r"Borough|Town|Parish)\sCouncil)\b")
_COMMITTEE = re.compile(r"(committee|board|cabinet|panel|sub-group|reference group|council)$", re.I)
_GENERIC_TITLES = {"agenda item", "minutes", "record of proceedings", "purpose of report",
                   "apologies for absence", "witnesses", "key points raised during the discussion",
                   "introduction", "summary"}
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the",
                "to", "with"}


@dataclass(frozen=True)
class ManifestRow:
    file: str
    values: dict
    context_fields: tuple[str, ...] = ()


def load_manifest(path: Path) -> dict[str, ManifestRow]:
    """Rows keyed by file name. YAML (a list, or {papers: [...]}) or CSV with FIELDS columns."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc}") from exc
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(raw.splitlines()))
        if rows and "file" not in rows[0]:
            raise ManifestError(f"{path}: the CSV manifest has no 'file' column")
    else:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            first = " ".join(str(exc).split())[:160]
            raise ManifestError(f"{path}: malformed YAML: {first}") from exc
        rows = data.get("papers") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise ManifestError(f"{path}: expected a list of papers (or 'papers:' with a list)")
    out: dict[str, ManifestRow] = {}
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or not row.get("file"):
            raise ManifestError(f"{path}: entry {n} has no 'file'")
        values = {k: (str(v).strip() if v not in (None, "") else None)
                  for k, v in row.items() if k in FIELDS}
        if values.get("meeting_date"):
            values["meeting_date"] = _iso(values["meeting_date"], path, n)
        context = row.get("known_from_context") or ()
        if isinstance(context, str):
            context = tuple(c.strip() for c in context.split(",") if c.strip())
        out[Path(str(row["file"])).name] = ManifestRow(str(row["file"]), values, tuple(context))
    return out


def _iso(value: str, path: Path, n: int) -> str:
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError as exc:
        raise ManifestError(f"{path}: entry {n} has meeting_date {value!r}, "
                            "expected YYYY-MM-DD") from exc


def doc_id_for(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug or "paper"


def infer_meta(path: Path, text: str, paragraphs: list[Paragraph],
               row: ManifestRow | None, hints: dict[str, str] | None = None) -> PaperMeta:
    """The manifest's values, with what the paper itself prints filling the gaps."""
    from ingest import meeting

    given = dict(row.values) if row else {}
    inferred = meeting.infer(text, paragraphs, hints or {})
    values = {k: given.get(k) or inferred.get(k) for k in inferred}
    return PaperMeta(doc_id=given.get("doc_id") or doc_id_for(path), url=given.get("url"),
                     context_fields=row.context_fields if row else (), **values)


def _header(text: str, paragraphs: list[Paragraph]) -> str:
    """The part before the first numbered paragraph (at most 1,500 characters): where a paper
    prints its committee, meeting date and title."""
    first = next((p.start for p in paragraphs if p.label[:1].isdigit()), len(text))
    return text[:min(first, 1500)]


def printed_date(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    day, month, year = int(m.group(1)), _MONTHS.index(m.group(2).lower()) + 1, int(m.group(3))
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _council(text: str) -> str | None:
    m = _COUNCIL.search(text)
    return m.group(1) if m and not m.group(1).startswith("The ") else None


def _committee(header: str) -> str | None:
    for block in re.split(r"\n\s*\n", header):
        line = one_line(clean_text(block.lstrip("# ")))
        if 3 < len(line) < 120 and _COMMITTEE.search(line) and ("," not in line or line.isupper()):
            return titlecase(line) if line.isupper() else line
    return None


def titlecase(text: str) -> str:
    """'CHILDREN'S IMPROVEMENT UPDATE' -> 'Children's Improvement Update'."""
    words = text.lower().split()
    return " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def _doc_type(text: str) -> str:
    head = text[:5000].lower()
    if "minutes:" in head or "record of proceedings" in head or re.search(r"\bminutes\b", head[:300]):
        return "minutes"
    if "purpose of report" in head or "report contact" in text.lower() or "recommendations" in head:
        return "report"
    return "paper"


def _title(paragraphs: list[Paragraph], header: str) -> str | None:
    """The first heading-like line of the header that is not the committee, a date or boilerplate;
    a line in capitals (the agenda item's title) is preferred."""
    candidates = []
    for block in re.split(r"\n\s*\n", header):
        line = one_line(clean_text(block.lstrip("# "))).rstrip(":")
        if not line or line.lower() in _GENERIC_TITLES or _COMMITTEE.search(line):
            continue
        if _DATE.search(line) or len(line) > 120 or line.endswith(".") or ":" in line:
            continue
        candidates.append(line)
    caps = [c for c in candidates if c.isupper()]
    best = (caps or candidates or [None])[0]
    return titlecase(best) if best and best.isupper() else best
