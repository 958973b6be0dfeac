"""The resolutions and actions register: every record ingest/register.py finds in the store's
paragraphs, with its citation and its follow-through in later papers. Derived from the store
(the single source of truth) and rebuilt when its papers change.

What depends on one paper alone (its records as printed, its paragraphs' words and subject
phrases) is its part, which ingest saves beside the store when the paper changes
(``DATA_DIR/register/COLLECTION/vFORMAT/``, a file a paper, named by its content hash); what
depends on all papers (follow-through, by word rarity over every paragraph) and on the server
(its public URL) is assembled from the parts when the register is read."""

import logging
import math
import threading
from itertools import groupby, pairwise

from assistant.answer import published_url, view_url
from assistant.models import (
    FollowThrough,
    FollowUp,
    RegisterQuery,
    RegisterRecord,
)
from assistant.paper_parts import PaperParts
from assistant.retrieve import tokenize
from assistant.store import Store, StoredChunk, StoredParagraph, paragraphs_of
from ingest.chunk import split_sentences
from ingest.register import RecordDraft, extract_records, subject_of

log = logging.getLogger("clerk")

FORMAT = 1  # the saved parts' layout: bump when it, or what a part holds, changes
_PAPER_FIELDS = ("title", "doc_type", "council", "committee", "meeting_date", "url")

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


def _subject_words(record: RecordDraft) -> tuple[list[str], set[str]]:
    """The words of what a record is about, and those of them that are not its subject."""
    skip = _PROCEDURAL | set(tokenize(" ".join(record.owners) + " " + (record.due or "")))
    return tokenize(record.context or subject_of(record.text)), skip


class _Subjects:
    """Word and phrase rarity over every paragraph, to tell a subject from the domain's words."""

    def __init__(self, paragraphs: list[StoredParagraph], words: list[set[str]],
                 where: dict[tuple[str, str], set[int]]):
        self.paragraphs = paragraphs
        self.words = words
        self.where = where  # phrase -> paragraphs holding it
        n = max(len(paragraphs), 1)
        df: dict[str, int] = {}
        for held in words:
            for t in held:
                df[t] = df.get(t, 0) + 1
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.rare = max(2, _RARE_PHRASE * n)

    def follow_ups(self, record: RecordDraft, date: str) -> list[tuple[StoredParagraph, set]]:
        """Paragraphs of papers dated after ``date`` that repeat a rare subject phrase of the
        record and hold at least half its subject words (by IDF), best first, with those words."""
        words, skip = _subject_words(record)
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


def paper_part(doc_id: str, paragraphs: list[StoredParagraph]) -> dict:
    """What the register needs of one paper, read from its paragraphs only (ingest saves it):
    its records as printed, and each paragraph's words and subject phrases. Nothing in it
    depends on other papers or on the server (follow-through and links are made when read)."""
    meta = paragraphs[0].meta if paragraphs else {}
    part: dict = {"format": FORMAT, "doc_id": doc_id,
                  "paper": {f: meta.get(f) for f in _PAPER_FIELDS},
                  "paragraphs": [], "phrases": {}, "records": []}
    for i, para in enumerate(paragraphs):
        tokens = tokenize(para.text)
        part["paragraphs"].append({"label": para.label, "ordinal": para.meta.get("ordinal", 0),
                                   "text": para.text, "words": sorted(set(tokens))})
        for a, b in _pairs(tokens, _PROCEDURAL):
            part["phrases"].setdefault(f"{a} {b}", []).append(i)
        for d in extract_records(para.label, para.meta.get("kind"), para.text):
            part["records"].append({"paragraph": i, "kind": d.kind, "label": d.label,
                                    "text": d.text, "owners": list(d.owners), "due": d.due,
                                    "n": d.n, "context": d.context})
    return part


def paper_parts(chunks: list[StoredChunk]) -> list[dict]:
    """Each paper's part, from the chunks of any number of papers."""
    by_paper = groupby(paragraphs_of(chunks), key=lambda p: p.doc_id)
    return [paper_part(doc_id, list(paragraphs)) for doc_id, paragraphs in by_paper]


def assemble(parts: list[dict], base_url: str = "") -> list[RegisterRecord]:
    """The register of these papers' parts: every record with its follow-through in the
    others, undated papers first (as /papers), then oldest meeting."""
    parts = sorted(parts, key=lambda p: p["doc_id"])
    drafts = [(RecordDraft(r["kind"], r["label"], r["text"], tuple(r["owners"]), r["due"], r["n"],
                           r["context"]), part, r["paragraph"])
              for part in parts for r in part["records"]]
    # only the phrases a dated record looks for are looked up: the rest are not gathered
    sought = {" ".join(pair) for d, part, _ in drafts if part["paper"].get("meeting_date")
              for pair in _pairs(*_subject_words(d))}
    paragraphs: list[StoredParagraph] = []
    words: list[set[str]] = []
    where: dict[tuple[str, str], set[int]] = {}
    first: dict[str, int] = {}  # paper -> the index of its first paragraph
    for part in parts:
        first[part["doc_id"]] = len(paragraphs)
        for p in part["paragraphs"]:
            paragraphs.append(StoredParagraph(part["doc_id"], p["label"], p["text"],
                                              dict(part["paper"], ordinal=p["ordinal"])))
            words.append(set(p["words"]))
        for phrase in sought & part["phrases"].keys():
            where.setdefault(tuple(phrase.split(" ")), set()).update(
                first[part["doc_id"]] + i for i in part["phrases"][phrase])
    subjects = _Subjects(paragraphs, words, where)
    records = []
    for d, part, i in drafts:
        para = paragraphs[first[part["doc_id"]] + i]
        m, date = para.meta, para.meta.get("meeting_date")
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


def build_register(chunks: list[StoredChunk], base_url: str = "") -> list[RegisterRecord]:
    """The register read from the paragraphs themselves (what the saved parts must equal)."""
    return assemble(paper_parts(chunks), base_url)


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


# -- saved beside the store, one file a paper ---------------------------------------------------
PARTS = PaperParts("register", FORMAT, lambda doc_id, chunks: paper_part(doc_id,
                                                                          paragraphs_of(chunks)))


def load_parts(store: Store) -> list[dict]:
    """Every paper's saved part; those not saved (a store ingested by an older Clerk, or a
    server whose data folder ingest does not share) are made from the store's paragraphs."""
    papers = store.paper_records()
    parts, missing = [], set()
    for doc_id, record in papers.items():
        part = PARTS.load(store, doc_id, record.get("hash"))
        if part is None:
            missing.add(doc_id)
        else:
            parts.append(part)
    if missing:
        log.info("building the register of %d of %d papers from their paragraphs (none saved "
                 "for them)", len(missing), len(papers))
        parts += [p for p in paper_parts(store.all_chunks()) if p["doc_id"] in missing]
    return parts


class Register:
    """The register over a store, assembled from the parts ingest saved for its papers, again
    only when the store's papers change."""

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
                self._records = assemble(load_parts(self.store), self.base_url)
                self._version = version
            return self._records
