"""Hybrid retrieval: dense (Chroma) and lexical (BM25 over the store's own text), fused by
reciprocal rank. Councillors type exact names and numbers; paraphrases need the dense side.
The BM25 index is rebuilt in memory whenever the store's papers change."""

import re
import threading
from dataclasses import dataclass

import bm25s
import numpy as np

from assistant.embedder import Embedder
from assistant.models import Filters
from assistant.store import Store, StoredChunk
from assistant.understand import build_lexicon

STOPWORDS = set("""a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours ourselves
out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves did said say says tell told
please know much many""".split())
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[a-z][a-z'’-]*[a-z]|[a-z]", re.I)
# Reciprocal rank fusion as published (Cormack et al. 2009): k = 60, both lists weighed alike.
# Nothing here is tuned: the fitted answer model weighs each passage's dense and BM25 scores.
RRF_K = 60
_CONTEXT = ("paragraph", "heading", "council", "title", "meeting_date")


_stemmer = None


def _stem(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        import Stemmer

        _stemmer = Stemmer.Stemmer("english")
    return _stemmer.stemWord(word)


def tokenize(text: str, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased, stemmed words and numbers ('recommend' matches 'recommendations';
    '1,396' matches '1396')."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        tok = tok.replace("’", "'").removesuffix("'s")
        if tok[0].isdigit():
            tok = tok.replace(",", "")
        elif not keep_stopwords and tok in STOPWORDS:
            continue
        else:
            tok = _stem(tok)
        out.append(tok)
    return out


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


class _Lexical:
    def __init__(self, chunks: list[StoredChunk], records: dict[str, dict] | None = None):
        self.chunks = chunks
        self.index = {c.id: i for i, c in enumerate(chunks)}
        corpus = [tokenize(" ".join(str(c.meta.get(f) or "") for f in _CONTEXT) + " " + c.text)
                  or ["∅"] for c in chunks]
        self.bm25 = bm25s.BM25()
        if chunks:
            self.bm25.index(corpus, show_progress=False)
        self.vocab = set(self.bm25.vocab_dict) if chunks else set()
        df: dict[str, int] = {}
        for toks in corpus:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        n = max(len(corpus), 1)
        self.idf = {t: float(np.log(1 + n / d)) for t, d in df.items()}
        self.default_idf = float(np.log(1 + n))
        self.lexicon = build_lexicon(chunks, set(df), records or {})

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self.vocab]
        if not tokens or not self.chunks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return self.bm25.get_scores(tokens)


class Retriever:
    def __init__(self, store: Store, embedder: Embedder, candidates: int = 40):
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self._lexical: _Lexical | None = None
        self.built_version: str | None = None  # the store's version the BM25 index was built at
        self._lock = threading.Lock()

    def lexical(self) -> _Lexical:
        """The BM25 index, rebuilt when the store's papers changed (another process ingested)."""
        with self._lock:
            changed = self.store.refresh()
            if self._lexical is None or changed:
                self._lexical = _Lexical(self.store.all_chunks(), self.store.paper_records())
                self.built_version = self.store._version or self.store.version()
            return self._lexical

    def doc_ids_for(self, filters: Filters | None) -> list[str] | None:
        """The papers a filter allows, or None for all."""
        if filters is None or filters.is_empty():
            return None
        allowed = []
        for doc_id, rec in self.store.paper_records().items():
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
        dense = self.store.query(vector, self.candidates, doc_ids)
        trusted = lexical.index
        dense = [(c, round(s, 6)) for c, s in dense if c.id in trusted]  # skip half-written
        dense.sort(key=lambda cs: (-cs[1], cs[0].id))
        scores = lexical.scores(query)
        if doc_ids is not None:
            allowed = set(doc_ids)
            mask = np.array([c.meta.get("doc_id") in allowed for c in lexical.chunks])
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores, kind="stable")[: self.candidates]
        lex_ranked = [(lexical.chunks[i], round(float(scores[i]), 6)) for i in order
                      if scores[i] > 0]
        lex_ranked.sort(key=lambda cs: (-cs[1], cs[0].id))

        fused: dict[str, Passage] = {}
        for rank, (chunk, sim) in enumerate(dense):
            p = fused.setdefault(chunk.id, Passage(chunk, 0.0, sim, 0.0))
            p.dense = sim
            p.score += 1.0 / (RRF_K + rank + 1)
        for rank, (chunk, score) in enumerate(lex_ranked):
            p = fused.setdefault(chunk.id, Passage(chunk, 0.0, 0.0, score))
            p.lexical = score
            p.score += 1.0 / (RRF_K + rank + 1)
        ranked = sorted(fused.values(), key=lambda p: (-round(p.score, 9), p.chunk.id))[:k]
        missing = [p for p in ranked if p.dense == 0.0]
        if missing:  # lexical-only hits get a real similarity for the answerer to weigh
            vecs = self.embedder.embed([p.text for p in missing])
            for p, v in zip(missing, vecs):
                p.dense = round(float(np.dot(v, vector)), 6)
        for i, p in enumerate(ranked):
            p.rank = i
        return ranked
