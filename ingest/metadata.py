"""The manifest (what a council tells Clerk about its papers) and doc ids; the manifest's values
win over what the paper prints (``ingest.meeting``). A date that is not printed stays None."""

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
from ingest.models import PaperMeta, Paragraph

FIELDS = ("file", "doc_id", "council", "committee", "meeting_date", "doc_type", "title", "url",
          "item")  # item: the agenda item the paper belongs to ("9. Work Programme")


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
               row: ManifestRow | None, hints: dict[str, str] | None = None) -> PaperMeta:
    """The manifest's values, with what the paper itself prints filling the gaps."""
    from ingest import meeting

    given = dict(row.values) if row else {}
    inferred = meeting.infer(text, paragraphs, hints or {})
    values = {k: given.get(k) or inferred.get(k) for k in inferred}
    return PaperMeta(doc_id=given.get("doc_id") or doc_id_for(path), url=given.get("url"),
                     item=given.get("item"),
                     context_fields=row.context_fields if row else (), **values)
