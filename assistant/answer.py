"""Answering without a language model: features of every sentence found, a fitted scorer, a
selection rule. Each answer sentence is quoted with its [n] marker; Clerk abstains when even the
best sentence is unlikely to answer."""

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote as urlquote

import numpy as np

from assistant.embedder import Embedder
from assistant.features import (  # noqa: F401  (answer_type, intents: the register's too)
    FEATURES,
    addressed_to_assistant,
    answer_type,
    feature_rows,
    intents,
    question_view,
)
from assistant.models import NOT_IN_PAPERS, Answer, Citation, CitedParagraph
from assistant.retrieve import Passage, tokenize
from assistant.scorer import CONFIDENCE_TOP, AnswerModel
from assistant.understand import Reading
from assistant.unit_vectors import StoredUnitVectors
from ingest.chunk import split_sentences
from ingest.labels import BULLET_START

_LABEL_PREFIX = re.compile(r"^\s*(?:[-*•·]\s*)?\d{1,3}(?:\.\d{1,2})*\.?\s+")
# a list entry's marker: the bullets ingest knows (Word's Symbol-font "\uf0b7" and its "o" for a
# second level among them), then a letter or numeral
_MARKER = re.compile(rf"^(?:{BULLET_START.pattern[1:]})?"
                     r"(?:\(?[a-z]\)\s*|[a-z]\.\s+|\(?[ivx]{1,4}\)\s*)?")
_BULLET_START = re.compile(rf"^(?:{BULLET_START.pattern[1:]}|\(?[a-z]\)\s|[a-z]\.\s)")
# Where a question of two parts turns to its second: "who chaired, and how much did they pay?",
# "... and what was recommended?", or a second question after a question mark.
_PART_BREAK = re.compile(r"(?<=\?)\s+(?=\S)|(?:\s*[,;]\s*(?:and\s+|also\s+)?|\s+(?:and|also)\s+)"
                         r"(?=(?:who|whom|what|whats|when|where|which|how|why|did|does|do|is|"
                         r"are|was|were|has|have|had)\b)", re.IGNORECASE)


class Answerer(Protocol):
    mode: str

    def answer(self, question: str, query: str, passages: list[Passage],
               reading: Reading | None = None) -> Answer: ...


@dataclass
class Candidate:
    passage: Passage
    unit: "Unit"
    position: int = 0  # the unit's place in its passage
    score: float = 0.0
    row: np.ndarray | None = None  # its FEATURES


def anchor(label: str) -> str:
    return "p-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def view_url(base: str, doc_id: str, label: str, quote: str | None = None) -> str:
    """The paper's page at the paragraph; with ``quote``, its words are marked there (and on
    the printed page of a PDF)."""
    marked = f"&quote={urlquote(quote[:1000])}" if quote else ""
    return (f"{base}/papers/{urlquote(doc_id)}/view?paragraph={urlquote(label)}{marked}"
            f"#{anchor(label)}")


def cited_paragraph(passage: Passage, quote: str, base_url: str = "") -> CitedParagraph:
    m = passage.meta
    return CitedParagraph(doc_id=m["doc_id"], title=m.get("title"), doc_type=m.get("doc_type"),
                          council=m.get("council"), committee=m.get("committee"),
                          meeting_date=m.get("meeting_date"), paragraph=m.get("paragraph", ""),
                          quote=quote, url=published_url(m),
                          view_url=view_url(base_url, m["doc_id"], m.get("paragraph", ""), quote),
                          page=m.get("page"), boxes=page_boxes(m))


def published_url(meta: dict) -> str | None:
    """The paper's own web address; never the server's file path (meta["source"])."""
    url = (meta.get("url") or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else None


def make_citation(ref: int, passage: Passage, quote: str, base_url: str = "") -> Citation:
    return Citation(ref=ref, **cited_paragraph(passage, quote, base_url).model_dump())


CLOSEST = 3  # passages shown beside "the papers don't say", for the reader to check


def closest(ranked: list[Candidate], base_url: str = "") -> list[CitedParagraph]:
    """The best sentence of each of the first few distinct paragraphs the model ranked."""
    out, seen = [], set()
    for c in ranked:
        key = (c.passage.meta.get("doc_id"), c.passage.meta.get("paragraph"))
        if key not in seen:
            seen.add(key)
            out.append(cited_paragraph(c.passage, c.unit.quote, base_url))
        if len(out) == CLOSEST:
            break
    return out


def page_boxes(meta: dict) -> list[list[float]] | None:
    """The cited paragraph's line boxes on the page it starts on (PDF papers only)."""
    if not meta.get("boxes") or not meta.get("page"):
        return None
    return [b[1:] for b in json.loads(meta["boxes"]) if b[0] == meta["page"]]


class VectorCache:
    """Embeddings of answer units, kept between questions: the same sentences come back often,
    and embedding them dominates an extractive answer's time."""

    def __init__(self, embedder: Embedder, size: int = 20_000):
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            fresh = self.embedder.embed(missing)
            with self._lock:
                for text, vec in zip(missing, fresh):
                    self._vectors[text] = vec
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                vec = self._vectors.get(t)
                if vec is None:  # evicted by a concurrent request: embed again
                    vec = self.embedder.embed([t])[0]
                else:
                    self._vectors.move_to_end(t)
                out.append(vec)
            return np.stack(out)


@dataclass
class Unit:
    """A sentence or list item of a passage, as an answer would quote it."""

    text: str  # exact words of the passage (markers and label stripped)
    quote: str  # what the citation quotes (a list quotes its lead-in and items)
    display: str  # what the answer shows
    kind: str = "sentence"  # sentence | lead | item


def _logical_lines(text: str) -> list[str]:
    """Lines, with a line that carries on the previous one's sentence joined back to it."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and line[:1].islower() and not out[-1].rstrip().endswith((".", ":", "!", "?")) \
                and not _BULLET_START.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def units_of(passage_text: str) -> list[Unit]:
    """Sentences and list items. A line that introduces a list ("...the following:") is one
    unit with its items; a short item (a list entry, not a sentence) answers with its list."""
    lines = _logical_lines(passage_text)
    if lines:
        lines[0] = _LABEL_PREFIX.sub("", lines[0], count=1)
    is_item = [bool(_BULLET_START.match(ln)) for ln in lines]
    units: list[Unit] = []
    lead: Unit | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_item[i]:
            text = _MARKER.sub("", line, count=1).strip()
            if text and lead is not None and len(text) < 60:
                units.append(Unit(text, lead.quote, lead.display, "item"))
            elif text:
                units.append(Unit(text, text, text, "item"))
            i += 1
            continue
        k = i + 1
        while k < len(lines) and is_item[k]:
            k += 1
        if line.rstrip().endswith(":") and k > i + 1:
            items = [_MARKER.sub("", ln, count=1).strip() for ln in lines[i + 1:k]]
            quote = " ".join([line] + [" ".join(ln.split()) for ln in lines[i + 1:k]])
            display = line + "\n" + "\n".join(f"- {x}" for x in items if x)
            lead = Unit(line, quote, display, "lead")
            units.append(lead)
            i += 1
            continue
        lead = None
        units.extend(Unit(s, s, s) for s in split_sentences(line) or [line] if len(s) >= 3)
        i += 1
    return units


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks two (or more) things, each answered on its own; a
    question of one part is its only part. A part of one word ("... and when?") stays with the
    part before it."""
    parts: list[str] = []
    for piece in _PART_BREAK.split(question):
        piece = piece.strip(" ,;")
        if not piece:
            continue
        if parts and len(piece.split()) < 2:
            parts[-1] = f"{parts[-1]} and {piece}"
        elif parts and len(parts[-1].split()) < 2:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts if len(parts) > 1 else [question]


def parts_with_context(question: str, context: str = "") -> list[tuple[str, str]]:
    """(part, what it is read with: the follow-up's context and the parts before it) for each
    part of a two-part question; nothing for a question of one part."""
    parts = question_parts(question)
    if len(parts) < 2:
        return []
    return [(part, " ".join([context, *parts[:i]]).strip()) for i, part in enumerate(parts)]


class ExtractiveAnswerer:
    """Every sentence (or list) of the passages found is a candidate; the fitted model
    (assistant/answer_model.json) gives each the probability that it answers the question;
    the best one is quoted, with a second when it is nearly as likely (more readily when the
    question has two parts), or Clerk abstains when even the best is unlikely."""

    mode = "extractive"

    def __init__(self, embedder: Embedder, idf: dict[str, float], default_idf: float,
                 model: AnswerModel, threshold: float, base_url: str = "",
                 cache: "VectorCache | None" = None, known: dict | None = None,
                 stored: "StoredUnitVectors | None" = None):
        self.embedder = embedder
        self.known = known or {}  # text -> vector, embedded already for this question
        self.cache = cache if cache is not None else VectorCache(embedder)
        self.stored = stored  # the units' vectors ingest saved; the cache embeds the rest
        self.idf = idf
        self.default_idf = default_idf
        self.model = model
        self.threshold = threshold
        self.base_url = base_url

    def candidates(self, passages: list[Passage]) -> list[Candidate]:
        """Each passage's sentences and lists; a sentence addressed to an assistant is never
        one ("IMPORTANT NOTE TO THE ASSISTANT: ..." is text to report, not an instruction)."""
        cands, seen = [], set()
        for p in passages:
            units = [u for u in units_of(p.text) if not addressed_to_assistant(u.display)]
            for position, u in enumerate(units):
                key = (p.chunk.id, u.display)  # a list's entries answer as the list
                if key not in seen:
                    seen.add(key)
                    cands.append(Candidate(p, u, position))
        return cands

    def features(self, question: str, passages: list[Passage], context: str = "",
                 reading: Reading | None = None) -> tuple[list[Candidate], np.ndarray]:
        """The candidates and their FEATURES rows. ``context`` (the earlier question of a
        follow-up) counts half as much as the question itself."""
        cands = self.candidates(passages)
        if not cands:
            return [], np.zeros((0, len(FEATURES)))
        reading = reading or Reading(question)
        view = question_view(question, context, reading, self.idf, self.default_idf)
        asked = " ".join([question, *reading.expansions])
        texts = [asked] + ([f"{context} {asked}"] if context else [])
        if all(t in self.known for t in texts):  # the question as searched: not embedded again
            q_vec = np.stack([self.known[t] for t in texts]).mean(axis=0)
        else:
            q_vec = self.embedder.embed(texts).mean(axis=0)
        sims = self.unit_vectors(cands) @ q_vec
        return cands, feature_rows(view, cands, sims, self.idf, self.default_idf)

    def unit_vectors(self, cands: list[Candidate]) -> np.ndarray:
        """Each candidate's vector: the one ingest saved for its paper, else embedded (and
        kept in the cache)."""
        saved = self.stored.vectors([c.passage.chunk for c in cands]) if self.stored else {}
        keys = [(c.passage.chunk.id, c.unit.display) for c in cands]
        missing = [c.unit.display for c, key in zip(cands, keys) if key not in saved]
        fresh = dict(zip(missing, self.cache.vectors(missing))) if missing else {}
        return np.stack([saved[key] if key in saved else fresh[key[1]]
                         for key in keys]).astype(np.float32)

    def score(self, question: str, passages: list[Passage], context: str = "",
              reading: Reading | None = None) -> list[Candidate]:
        """Candidates, most likely first (ties in a fixed order: stable across rebuilds)."""
        cands, rows = self.features(question, passages, context, reading)
        return rank_candidates(cands, rows, self.model)

    def part_rankings(self, question: str, passages: list[Passage], context: str = "",
                      reading: Reading | None = None) -> list[list[Candidate]]:
        """For a question of two parts, the candidates ranked for each part on its own (a
        later part read with the parts before it, as a follow-up is); none for one part."""
        return [self.score(part, passages, part_context, reading)
                for part, part_context in parts_with_context(question, context)]

    def answer(self, question: str, query: str, passages: list[Passage],
               reading: Reading | None = None) -> Answer:
        context = query.removesuffix(question).strip()
        ranked = self.score(question, passages, context, reading)
        parts = self.part_rankings(question, passages, context, reading)
        chosen = choose(ranked, parts, self.threshold, self.model)
        conf = answer_confidence(ranked, parts, self.model)
        if not chosen:
            return Answer(answer=NOT_IN_PAPERS, abstained=True, confidence=round(conf, 4),
                          reason="not_in_papers", closest=closest(ranked, self.base_url))
        citations, lines = [], []
        for ref, c in enumerate(reading_order(chosen), 1):
            citations.append(make_citation(ref, c.passage, c.unit.quote, self.base_url))
            lines.append(f"{c.unit.display} [{ref}]")
        return Answer(answer="\n".join(lines), abstained=False, citations=citations,
                      confidence=round(conf, 4), mode="extractive")


def rank_candidates(cands: list[Candidate], rows: np.ndarray,
                    model: AnswerModel) -> list[Candidate]:
    """Candidates by the model's probability (ties in a fixed order: stable across rebuilds)."""
    for c, row, prob in zip(cands, rows, model.probabilities(rows)):
        c.score, c.row = round(float(prob), 6), row
    return sorted(cands, key=lambda c: (-c.score, c.passage.chunk.id, c.position))


def confidence(ranked: list[Candidate], model: AnswerModel) -> float:
    return round(model.confidence_of([c.score for c in ranked[:2]],
                                     [c.row for c in ranked[:CONFIDENCE_TOP]]), 6)


def answer_confidence(ranked: list[Candidate], parts: list[list[Candidate]],
                      model: AnswerModel) -> float:
    """The answer's confidence: the whole question's, or a part's when that is higher (each
    part of a two-part question may be answered where the whole is found in no one place)."""
    return max([confidence(order, model) for order in (ranked, *parts) if order] or [0.0])


def reading_order(chosen: list[Candidate]) -> list[Candidate]:
    """The best sentence's paragraph first; sentences of one paragraph in the paper's order."""
    first = {}
    for n, c in enumerate(chosen):
        first.setdefault(c.passage.chunk.id, n)
    return sorted(chosen, key=lambda c: (first[c.passage.chunk.id], c.position))


def unquoted(candidate: Candidate, chosen: list[Candidate]) -> bool:
    """Whether the answer so far shows nothing the candidate would show again."""
    return all(candidate.unit.display != c.unit.display for c in chosen)


def select(ranked: list[Candidate], threshold: float, model: AnswerModel,
           multi: bool) -> list[Candidate]:
    """The selection rule: nothing when the answer's confidence is below the threshold; else
    the best candidate, and the next different ones (up to the fitted number; from the best's
    own paragraph only, if so fitted) while each is at least the fitted share of the best's
    probability (shares and numbers differ for a two-part question)."""
    if not ranked or confidence(ranked, model) < threshold:
        return []
    best = ranked[0]
    ratio, extra, same = model.second(multi)
    chosen = [best]
    for c in ranked[1:]:
        if len(chosen) > extra or c.score < ratio * best.score:
            break
        if same and c.passage.chunk.id != best.passage.chunk.id:
            continue
        if unquoted(c, chosen):
            chosen.append(c)
    return chosen


def choose(ranked: list[Candidate], parts: list[list[Candidate]], threshold: float,
           model: AnswerModel) -> list[Candidate]:
    """The selection rule (``select``) on the whole question; then, for a question of two
    parts, each part's best candidate not already quoted joins when its probability reaches
    the fitted ``part_min``, so that each part gets a cited sentence of its own (a part whose
    best sentence the whole question's selection or the other part took gets its next)."""
    if not ranked or answer_confidence(ranked, parts, model) < threshold:
        return []
    chosen = select(ranked, 0.0, model, bool(parts))
    for order in parts:
        pick = next((c for c in order if unquoted(c, chosen)), None)
        if pick is not None and pick.score >= model.part_min:
            chosen.append(pick)
    return chosen


def best_quote(text: str, passage: Passage) -> str:
    """The passage sentence that shares most words with ``text``: an LLM sentence's quote."""
    sentences = [u.text for u in units_of(passage.text)] or [passage.text]
    words = set(tokenize(text))
    scores = [len(words & set(tokenize(s))) for s in sentences]
    return sentences[int(np.argmax(scores))]
