"""The resolutions and actions register: every record ingest/register.py finds in the store's
paragraphs, with its citation and its follow-through in later papers. Derived from the store
(the single source of truth) and rebuilt when its papers change."""

import math
import threading
from itertools import pairwise

from assistant.answer import published_url, view_url
from assistant.models import (
    FollowThrough,
    FollowUp,
    RegisterQuery,
    RegisterRecord,
)
from assistant.retrieve import tokenize
from assistant.store import Store, StoredChunk, StoredParagraph, paragraphs_of
from ingest.chunk import split_sentences
from ingest.register import RecordDraft, extract_records, subject_of

NOT_MENTIONED = "no later paper mentions it"
UNDATED = "meeting date not printed, so later papers cannot be ordered"
# Words of procedure, not subject: "That the X share the findings of the review of ..."
_PROCEDURAL = set(tokenize("that share findings provide report update committee select chairman "
                           "chair member circulation meeting board further regular review receive "
                           "notes officer council include information relevant number resolved "
                           "recommend action progress made work use new key next future"))
_RARE_PHRASE = 0.05  # a subject phrase is rare when at most 5% of paragraphs hold it
_COVERAGE = 0.5  # ... and a follow-up holds at least half the record's subject words (by IDF)

def _pairs(tokens: list[str], skip: set[str]) -> set[tuple[str, str]]:
    """Adjacent content words ("lines of communication" -> (line, communic))."""
    return {(a, b) for a, b in pairwise(tokens)
            if a not in skip and b not in skip and not a[0].isdigit() and not b[0].isdigit()}


class _Subjects:
    """Word and phrase rarity over every paragraph, to tell a subject from the domain's words."""

    def __init__(self, paragraphs: list[StoredParagraph]):
        self.paragraphs = paragraphs
        self.words = [set(tokenize(p.text)) for p in paragraphs]
        n = max(len(paragraphs), 1)
        df: dict[str, int] = {}
        self.where: dict[tuple[str, str], set[int]] = {}  # phrase -> paragraphs holding it
        for i, p in enumerate(paragraphs):
            for t in self.words[i]:
                df[t] = df.get(t, 0) + 1
            for pair in _pairs(tokenize(p.text), _PROCEDURAL):
                self.where.setdefault(pair, set()).add(i)
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.rare = max(2, _RARE_PHRASE * n)

    def follow_ups(self, record: RecordDraft, date: str) -> list[tuple[StoredParagraph, set]]:
        """Paragraphs of papers dated after ``date`` that repeat a rare subject phrase of the
        record and hold at least half its subject words (by IDF), best first, with those words."""
        skip = _PROCEDURAL | set(tokenize(" ".join(record.owners) + " " + (record.due or "")))
        words = tokenize(record.context or subject_of(record.text))
        subject = {t for t in words if t not in skip and not t[0].isdigit()}
        weight = sum(self.idf.get(t, 0.0) for t in subject) or 1.0
        candidates = set().union(*(self.where.get(p, set()) for p in _pairs(words, skip)
                                   if len(self.where.get(p, ())) <= self.rare))
        found = []
        for i in candidates:
            para = self.paragraphs[i]
            later = para.meta.get("meeting_date")
            shared = subject & self.words[i]
            coverage = sum(self.idf.get(t, 0.0) for t in shared) / weight
            if later and later > date and coverage >= _COVERAGE:
                found.append((-coverage, later, para.meta.get("ordinal", 0), i, shared))
        return [(self.paragraphs[f[3]], f[4]) for f in sorted(found)[:3]]


def _best_sentence(text: str, words: set[str]) -> str:
    """The sentence (or list line) of a paragraph that holds most of ``words``."""
    pieces = [s for line in text.split("\n") for s in split_sentences(line)] or [text]
    return max(pieces, key=lambda s: len(words & set(tokenize(s))))


def _follow_through(record: RecordDraft, date: str | None, subjects: _Subjects,
                    base_url: str) -> FollowThrough:
    if not date:
        return FollowThrough(status="undated", summary=UNDATED)
    later = [_follow_up(p, _best_sentence(p.text, shared), base_url)
             for p, shared in subjects.follow_ups(record, date)]
    if not later:
        return FollowThrough(status="not_mentioned", summary=NOT_MENTIONED)
    where = "; ".join(f"{f.title or f.doc_id} ({f.meeting_date}), paragraph {f.paragraph}"
                      for f in later)
    return FollowThrough(status="followed_up", summary=f"followed up in {where}", later=later)


def _follow_up(p: StoredParagraph, quote: str, base_url: str) -> FollowUp:
    return FollowUp(doc_id=p.doc_id, title=p.meta.get("title"), paragraph=p.label,
                    meeting_date=p.meta.get("meeting_date"), quote=quote,
                    view_url=view_url(base_url, p.doc_id, p.label, quote))


def build_register(chunks: list[StoredChunk], base_url: str = "") -> list[RegisterRecord]:
    """Every record in the papers: undated papers first (as /papers), then oldest meeting."""
    paragraphs = paragraphs_of(chunks)
    subjects = _Subjects(paragraphs)
    records = []
    for para in paragraphs:
        m, date = para.meta, para.meta.get("meeting_date")
        for d in extract_records(para.label, m.get("kind"), para.text):
            record = RegisterRecord(
                id=f"{para.doc_id}::{d.label}::{d.n}", kind=d.kind, text=d.text, owner=d.owner,
                owners=list(d.owners), due=d.due, context=d.context, doc_id=para.doc_id,
                title=m.get("title"), doc_type=m.get("doc_type"), council=m.get("council"),
                committee=m.get("committee"), meeting_date=date, paragraph=d.label,
                quote=d.text, url=published_url(m),
                view_url=view_url(base_url, para.doc_id, d.label, d.text),
                follow_through=_follow_through(d, date, subjects, base_url))
            records.append((date or "", para.doc_id, m.get("ordinal", 0), d.n, record))
    return [r[-1] for r in sorted(records, key=lambda r: r[:-1])]


def filter_records(records: list[RegisterRecord], query: RegisterQuery) -> list[RegisterRecord]:
    words = set(tokenize(query.q or ""))
    out = []
    for r in records:
        if query.kind and r.kind != query.kind:
            continue
        if query.committee and query.committee.lower() not in (r.committee or "").lower():
            continue
        if query.owner and query.owner.lower() not in (r.owner or "").lower():
            continue
        if (query.date_from or query.date_to) and not r.meeting_date:
            continue
        if query.date_from and r.meeting_date < query.date_from.isoformat():
            continue
        if query.date_to and r.meeting_date > query.date_to.isoformat():
            continue
        if words and not words <= set(tokenize(f"{r.text} {r.owner or ''} {r.title or ''}")):
            continue
        out.append(r)
    return out


class Register:
    """The register over a store, rebuilt only when the store's papers change."""

    def __init__(self, store: Store, base_url: str = ""):
        self.store = store
        self.base_url = base_url
        self._version: str | None = None
        self._records: list[RegisterRecord] = []
        self._lock = threading.Lock()

    def records(self) -> list[RegisterRecord]:
        with self._lock:
            version = self.store.version()
            if version != self._version:
                self._records = build_register(self.store.all_chunks(), self.base_url)
                self._version = version
            return self._records
