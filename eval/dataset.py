"""The gold set: one JSON object a line, loaded into dataclasses and checked line by line.

Two row shapes: the sample set's (id, split, kind, question, answerable, key_facts, gold, notes;
every gold paragraph labelled) and the many-body shape (``body`` names the council, ``split``
is optional, a gold ``paragraph`` may be null for an unnumbered paragraph, ``note`` or
``notes``). A row of the first shape belongs to the loader's default body."""

import json
from dataclasses import dataclass, field
from pathlib import Path

SPLITS = ("dev", "test")
SAMPLE_BODY = "Sample corpus (Surrey and West Sussex)"


class DatasetError(ValueError):
    """A malformed gold set; the message is one line naming the file and line."""


@dataclass(frozen=True)
class GoldRef:
    doc_id: str
    paragraph: str | None  # None: an unnumbered paragraph, recognised by its evidence
    evidence: str


@dataclass(frozen=True)
class QAItem:
    id: str
    split: str | None  # None: a many-body row without a split
    kind: str
    question: str
    answerable: bool
    key_facts: tuple[str, ...] = ()
    gold: tuple[GoldRef, ...] = ()
    notes: str = ""
    body: str = SAMPLE_BODY
    line: int = field(default=0, compare=False)


def _need(row: dict, name: str, kind: type | tuple[type, ...]):
    if name not in row:
        raise ValueError(f"missing field '{name}'")
    value = row[name]
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ValueError(f"field '{name}' should be a non-empty {want}, not {value!r:.60}")
    return value


def _gold_ref(entry, null_label: bool = False) -> GoldRef:
    """One gold paragraph; ``null_label`` lets its paragraph be null (many-body rows)."""
    if not isinstance(entry, dict):
        raise TypeError(f"each gold entry should be an object, not {entry!r:.60}")
    if null_label and "paragraph" in entry and entry["paragraph"] is None:
        doc_id, evidence = (str(_need(entry, f, (str, int))).strip()
                            for f in ("doc_id", "evidence"))
        if not (doc_id and evidence):
            raise ValueError("a gold entry's doc_id and evidence must not be blank")
        return GoldRef(doc_id, None, evidence)
    values = [str(_need(entry, f, (str, int))).strip()
              for f in ("doc_id", "paragraph", "evidence")]
    if not all(values):
        raise ValueError("a gold entry's doc_id, paragraph and evidence must not be blank")
    return GoldRef(*values)


def parse_item(row, line: int = 0, default_body: str = SAMPLE_BODY) -> QAItem:
    """One gold-set row as a QAItem; a ValueError or TypeError says what is wrong with it.
    A row with a ``body`` may leave out ``split`` and give null gold paragraphs; a row
    without one must have both, as the sample set always has."""
    if not isinstance(row, dict):
        raise TypeError("each line should be a JSON object")
    many = "body" in row
    body = _need(row, "body", str).strip() if many else default_body
    split = _need(row, "split", str) if not many or "split" in row else None
    if split is not None and split not in SPLITS:
        raise ValueError(f"split should be dev or test, not {split!r}")
    answerable = _need(row, "answerable", bool)
    facts = _need(row, "key_facts", list)
    if not all(isinstance(f, str) and f.strip() for f in facts):
        raise ValueError("key_facts should be a list of non-empty strings")
    gold = tuple(_gold_ref(g, null_label=many) for g in _need(row, "gold", list))
    if answerable and not (facts and gold):
        raise ValueError("an answerable question needs key_facts and gold")
    if not answerable and (facts or gold):
        raise ValueError("an unanswerable question has no key_facts and no gold")
    notes = row.get("notes") or row.get("note") or ""
    return QAItem(id=_need(row, "id", str), split=split, kind=_need(row, "kind", str),
                  question=_need(row, "question", str).strip(), answerable=answerable,
                  key_facts=tuple(facts), gold=gold, notes=str(notes), body=body, line=line)


def load_qa(path: Path, default_body: str = SAMPLE_BODY) -> list[QAItem]:
    """Every question in the file; blank lines are skipped; the first bad line raises."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the gold set: {exc.strerror or exc}") from exc
    items: list[QAItem] = []
    seen: set[str] = set()
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            item = parse_item(json.loads(text), number, default_body)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{path}:{number}: {exc}") from None
        if item.id in seen:
            raise DatasetError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise DatasetError(f"{path}: no questions in the gold set")
    return items


def load_many(paths: list[Path], default_body: str = SAMPLE_BODY) -> list[QAItem]:
    """The questions of several files; an id used in two files is an error."""
    items: list[QAItem] = []
    seen: dict[str, Path] = {}
    for path in paths:
        for item in load_qa(path, default_body):
            if item.id in seen:
                raise DatasetError(f"{path}:{item.line}: id {item.id!r} is also in {seen[item.id]}")
            seen[item.id] = path
            items.append(item)
    return items


def select(items: list[QAItem], split: str) -> list[QAItem]:
    """The questions of one split, or all of them for 'all'."""
    return list(items) if split == "all" else [i for i in items if i.split == split]
