"""Hybrid retrieval: dense (Chroma) and lexical (BM25 over the store's own text), fused by
reciprocal rank. Councillors type exact names and numbers; paraphrases need the dense side.
The BM25 index (with the IDF table and the lexicon) is built by ingest and saved beside the store
(``assistant.lexical``); a reader loads it when the store's change marker names it, and builds
it from the store's text otherwise."""

import threading
from dataclasses import dataclass

import numpy as np

from assistant.embedder import Embedder
from assistant.lexical import STOPWORDS, Lexical, load_or_build, tokenize  # noqa: F401
from assistant.models import Filters
from assistant.store import Store, StoredChunk

# Reciprocal rank fusion as published (Cormack et al. 2009): k = 60, both lists weighed alike.
# Nothing here is tuned: the fitted answer model weighs each passage's dense and BM25 scores.
RRF_K = 60


@dataclass
class Passage:
    chunk: StoredChunk
    score: float  # fused (RRF) score
    dense: float  # cosine similarity to the question
    lexical: float  # BM25 score
    rank: int = 0

    @property
    def meta(self) -> dict:
        return self.chunk.meta

    @property
    def text(self) -> str:
        return self.chunk.text


def top_indices(scores: np.ndarray, n: int) -> np.ndarray:
    """The indices of the ``n`` highest scores, ties taken in index order: the same set as
    ``np.argsort(-scores, kind="stable")[:n]`` without sorting every score."""
    if len(scores) <= n:
        return np.argsort(-scores, kind="stable")
    nth = scores[np.argpartition(-scores, n - 1)[n - 1]]
    above = np.flatnonzero(scores > nth)
    return np.concatenate([above, np.flatnonzero(scores == nth)[: n - len(above)]])


class Retriever:
    def __init__(self, store: Store, embedder: Embedder, candidates: int = 40):
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self._lexical: Lexical | None = None
        self._version: str | None = None  # the store's change marker the index is of
        self._lock = threading.Lock()

    @property
    def built_version(self) -> str | None:
        """The store's change marker the loaded index is of (None before the first load)."""
        return self._version

    def lexical(self) -> Lexical:
        """The BM25 index as of the store's change marker: loaded from beside the store when
        ingest saved it there, else built from the store's text (a store written before)."""
        with self._lock:
            self.store.refresh()
            version = self.store.current_version()
            if self._lexical is None or version != self._version:
                self._lexical, self._version = load_or_build(self.store, version), version
            return self._lexical

    def doc_ids_for(self, filters: Filters | None) -> list[str] | None:
        """The papers a filter allows, or None for all."""
        if filters is None or filters.is_empty():
            return None
        allowed = []
        for doc_id, rec in self.store.records().items():
            if filters.committee and filters.committee.lower() not in (rec.get("committee") or "").lower():
                continue
            if filters.council and filters.council.lower() not in (rec.get("council") or "").lower():
                continue
            if filters.doc_type and filters.doc_type.lower() != (rec.get("doc_type") or "").lower():
                continue
            date = rec.get("meeting_date")
            if (filters.date_from or filters.date_to) and not date:
                continue
            if filters.date_from and date < filters.date_from.isoformat():
                continue
            if filters.date_to and date > filters.date_to.isoformat():
                continue
            allowed.append(doc_id)
        return allowed

    def search(self, query: str, filters: Filters | None = None, k: int = 8,
               query_vector: np.ndarray | None = None,
               within: list[str] | None = None) -> list[Passage]:
        """The k best passages by fused rank; ``within`` narrows to those papers (inside the
        filters). Ties go in chunk-id order, so that a rebuilt store ranks alike."""
        lexical = self.lexical()
        doc_ids = self.doc_ids_for(filters)
        if within is not None:
            doc_ids = [d for d in within if doc_ids is None or d in set(doc_ids)]
        if doc_ids == []:
            return []
        vector = query_vector if query_vector is not None else self.embedder.embed([query])[0]
        trusted = lexical.index
        dense = [(i, round(s, 6)) for i, s in self.store.query(vector, self.candidates, doc_ids)
                 if i in trusted]  # skip half-written
        dense.sort(key=lambda cs: (-cs[1], cs[0]))
        scores = lexical.scores(query)
        if doc_ids is not None:
            scores = np.where(lexical.mask(doc_ids), scores, 0.0)
        lex_ranked = [(lexical.ids[i], round(float(scores[i]), 6))
                      for i in top_indices(scores, self.candidates) if scores[i] > 0]
        lex_ranked.sort(key=lambda cs: (-cs[1], cs[0]))

        fused: dict[str, list[float]] = {}  # id -> [fused score, dense, lexical]
        for rank, (chunk_id, sim) in enumerate(dense):
            f = fused.setdefault(chunk_id, [0.0, 0.0, 0.0])
            f[1] = sim
            f[0] += 1.0 / (RRF_K + rank + 1)
        for rank, (chunk_id, score) in enumerate(lex_ranked):
            f = fused.setdefault(chunk_id, [0.0, 0.0, 0.0])
            f[2] = score
            f[0] += 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda i: (-round(fused[i][0], 9), i))[:k]
        chunks = self.store.chunks(best)  # texts only for the passages kept
        ranked = [Passage(chunks[i], *fused[i]) for i in best if i in chunks]
        missing = [p for p in ranked if p.dense == 0.0]
        if missing:  # lexical-only hits get a real similarity for the answerer to weigh:
            stored = self.store.vectors([p.chunk.id for p in missing])  # their stored vectors
            unstored = [p for p in missing if p.chunk.id not in stored]
            stored.update(zip([p.chunk.id for p in unstored],
                              self.embedder.embed([p.text for p in unstored])))
            for p in missing:
                p.dense = round(float(np.dot(stored[p.chunk.id], vector)), 6)
        for i, p in enumerate(ranked):
            p.rank = i
        return ranked
