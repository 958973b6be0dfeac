"""Which meeting a paper belongs to: the manifest wins; otherwise what the paper prints.
A date that is not printed stays None: Clerk never guesses a meeting date."""

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import yaml

from assistant.errors import ManifestError
from ingest.models import Paragraph, PaperMeta
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


@dataclass(frozen=True)
class ManifestProblem:
    """A manifest row that cannot be used; the rest of the manifest still applies."""

    row: int  # 1-based, counting entries (CSV: data rows after the header)
    file: str | None  # the paper the row names, when it names one
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" ({self.file})" if self.file else "")
        return f"{where}: {self.reason}"


class Manifest(dict[str, ManifestRow]):
    """Usable rows keyed by file name, as before, plus the rows that could not be used."""

    def __init__(self, rows: dict[str, ManifestRow], problems: list[ManifestProblem]):
        super().__init__(rows)
        self.problems = problems


class _DatesAsText(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: `2021-02-30` stays the text it is, so a bad
    date is one row's problem instead of a crash inside the YAML parser."""

    yaml_implicit_resolvers: ClassVar[dict] = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp",  # an explicit !!timestamp too
                             lambda loader, node: loader.construct_scalar(node))


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z ]*)?")
# what a paper is; `paper` is what inference says when the text does not tell
DOC_TYPES = ("minutes", "report", "agenda", "decision", "appendix", "paper")


def load_manifest(path: Path) -> Manifest:
    """Rows keyed by file name. YAML (a list, or {papers: [...]}) or CSV with FIELDS columns.

    A file that cannot be read or parsed at all raises ManifestError (one line); a bad row is
    left out and listed in ``problems``, and every other row still applies."""
    try:
        raw = path.read_text(encoding="utf-8-sig")  # -sig: spreadsheets write a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc}") from exc
    if path.suffix.lower() == ".csv":
        try:
            rows = list(csv.DictReader(raw.splitlines()))
        except csv.Error as exc:
            raise ManifestError(f"{path}: malformed CSV: {exc}") from exc
        if rows and "file" not in rows[0]:
            raise ManifestError(f"{path}: the CSV manifest has no 'file' column")
    else:
        try:
            data = yaml.load(raw, Loader=_DatesAsText)  # a SafeLoader: no arbitrary objects
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            first = " ".join(str(exc).split())[:160]
            raise ManifestError(f"{path}: malformed YAML: {first}") from exc
        rows = data.get("papers") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise ManifestError(f"{path}: expected a list of papers (or 'papers:' with a list)")
    good: dict[str, ManifestRow] = {}
    problems: list[ManifestProblem] = []
    for n, entry in enumerate(rows, 1):
        try:
            row = _row(entry)
        except _BadRow as bad:
            problems.append(ManifestProblem(n, bad.file, bad.reason))
            continue
        key = Path(row.file).name
        if key in good:
            problems.append(ManifestProblem(n, row.file, f"a second row for '{key}' (the first "
                                                         "one applies)"))
            continue
        good[key] = row
    return Manifest(good, problems)


class _BadRow(Exception):
    def __init__(self, file: str | None, reason: str):
        self.file, self.reason = file, reason


def _row(entry) -> ManifestRow:
    """One manifest entry checked and normalised, or _BadRow saying why it cannot be used."""
    if not isinstance(entry, dict):
        raise _BadRow(None, f"expected a mapping of fields, got {_kind(entry)}")
    file = entry.get("file")
    if isinstance(file, (dict, list, bool)):
        raise _BadRow(None, f"'file' should be a file name, got {_kind(file)}")
    file = str(file).strip() if file is not None else ""
    if not file:
        raise _BadRow(None, "has no 'file'")
    values: dict = {}
    for key in FIELDS:
        if key not in entry:
            continue
        value = entry[key]
        if isinstance(value, (dict, list)):
            raise _BadRow(file, f"{key} should be a single value, got {_kind(value)}")
        values[key] = str(value).strip() if value not in (None, "") else None
    if values.get("meeting_date"):
        values["meeting_date"] = _iso(values["meeting_date"], file)
    if values.get("doc_type") and values["doc_type"].lower() not in DOC_TYPES:
        raise _BadRow(file, f"doc_type {values['doc_type']!r} is not one of "
                            f"{', '.join(DOC_TYPES)}")
    context = entry.get("known_from_context") or ()
    if isinstance(context, str):
        context = [c.strip() for c in context.split(",") if c.strip()]
    if not isinstance(context, (list, tuple)) or any(c not in FIELDS for c in context):
        raise _BadRow(file, f"known_from_context should list field names from "
                            f"{', '.join(FIELDS[1:])}, got {context!r}")
    return ManifestRow(file, values, tuple(context))


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", str: "text"}.get(type(value),
                                                               type(value).__name__)


def _iso(value: str, file: str) -> str:
    """YYYY-MM-DD (a time after it is dropped), and a day that exists."""
    m = _ISO_DATE.fullmatch(value)
    if not m:
        raise _BadRow(file, f"meeting_date {value!r} is not a date: expected YYYY-MM-DD")
    try:
        return dt.date(*map(int, m.groups())).isoformat()
    except ValueError:
        raise _BadRow(file, f"meeting_date {value!r} is not a real date") from None


def doc_id_for(path: Path) -> str:
    """A readable id from the file name: its letters, marks and digits in any script (NFKC,
    lowercased), every other run of characters one hyphen: `Minutes 12 May.pdf` ->
    `minutes-12-may`, `протокол 2024.pdf` -> `протокол-2024`. ASCII names map as they always
    have. A name with no letter or digit gets `paper-` and a short hash of the name."""
    stem = unicodedata.normalize("NFKC", path.stem).lower()
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in stem)
    slug = "-".join(kept.split())
    return slug or f"paper-{hashlib.sha256(path.name.encode()).hexdigest()[:8]}"


def infer_meta(path: Path, text: str, paragraphs: list[Paragraph],
               row: ManifestRow | None) -> PaperMeta:
    """The manifest's values, with what the paper itself prints filling the gaps."""
    given = dict(row.values) if row else {}
    header = _header(text, paragraphs)
    inferred = {
        "council": _council(header),
        "committee": _committee(header),
        "meeting_date": printed_date(header),
        "doc_type": _doc_type(text),
        "title": _title(paragraphs, header),
    }
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
