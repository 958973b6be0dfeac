"""The lexical side of the store: BM25 over every trusted chunk (its heading context and text),
the IDF table the answerer weighs words by, and the lexicon questions are read against.

It is whole-archive work, so it is done off the request path: ingest builds it when it has
written its papers and saves it beside the store under the change marker it then writes
(``DATA_DIR/index/COLLECTION/MARKER``); a reader loads the saved one whose marker is the
store's, and builds it from the store's text only when there is none (a store written before,
or a server whose data folder ingest does not share)."""

import json
import logging
import os
import re
import shutil
from collections import Counter
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

from assistant.store import Store, StoredChunk
from assistant.understand import Lexicon, build_lexicon, short_forms_in

log = logging.getLogger("clerk")

STOPWORDS = set("""a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours ourselves
out over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves did said say says tell told
please know much many""".split())
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[a-z][a-z'’-]*[a-z]|[a-z]", re.I)
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
    '1,396' matches '1396'). Remembered for the texts met most recently: a question's candidate
    sentences and passages are tokenized again for each part of the question and come back in
    later questions (a fifth of an answer's time)."""
    return list(_remembered(text, keep_stopwords))


@lru_cache(maxsize=8192)
def _remembered(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    return tuple(split_words(text, keep_stopwords))


def split_words(text: str, keep_stopwords: bool = False) -> list[str]:
    """``tokenize`` without remembering: for whole-store work (every chunk once)."""
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


def chunk_tokens(chunk: StoredChunk) -> list[str]:
    """What BM25 indexes of a chunk: its heading context's words and its text's."""
    return split_words(" ".join(str(chunk.meta.get(f) or "") for f in _CONTEXT) + " "
                       + chunk.text) or ["∅"]


class Lexical:
    def __init__(self, ids: list[str], doc_ids: list[str], bm25: "bm25s.BM25 | None",
                 idf: dict[str, float], default_idf: float, lexicon: Lexicon):
        self.ids = ids
        self.index = {c: i for i, c in enumerate(ids)}
        self._codes = {d: n for n, d in enumerate(sorted(set(doc_ids)))}
        self.doc_codes = np.array([self._codes[d] for d in doc_ids], dtype=np.int32)
        self.bm25 = bm25
        self.vocab = set(bm25.vocab_dict) if bm25 is not None else set()
        self.idf = idf
        self.default_idf = default_idf
        self.lexicon = lexicon

    @classmethod
    def build(cls, chunks: list[StoredChunk], records: dict[str, dict]) -> "Lexical":
        defined = Counter(pair for c in chunks for pair in short_forms_in(c.text))
        return cls.from_tokens([c.id for c in chunks], [c.meta.get("doc_id", "") for c in chunks],
                               [chunk_tokens(c) for c in chunks], defined, records)

    @classmethod
    def from_tokens(cls, ids: list[str], doc_ids: list[str], corpus: list[list[str]],
                    defined: Counter, records: dict[str, dict]) -> "Lexical":
        """The index of chunks already tokenized (``chunk_tokens``), with their defined short
        forms counted (``short_forms_in``)."""
        bm25 = None
        if corpus:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        df: dict[str, int] = {}
        for toks in corpus:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        n = max(len(corpus), 1)
        idf = {t: float(np.log(1 + n / d)) for t, d in df.items()}
        return cls(ids, doc_ids, bm25, idf, float(np.log(1 + n)),
                   build_lexicon([], set(df), records, defined))

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in tokenize(query) if t in self.vocab]
        if not tokens or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.bm25.get_scores(tokens)

    def mask(self, doc_ids: list[str]) -> np.ndarray:
        """Which chunks belong to these papers."""
        codes = [self._codes[d] for d in doc_ids if d in self._codes]
        return np.isin(self.doc_codes, np.array(codes, dtype=np.int32))

    def best_in(self, query: str, doc_ids: list[str]) -> float:
        """The best BM25 score of these papers' chunks for the query (0 when none match)."""
        scores, within = self.scores(query), self.mask(doc_ids)
        return float(scores[within].max()) if within.any() else 0.0

    # -- saved beside the store ----------------------------------------------------------------
    def save(self, folder: Path) -> None:
        """Written to a temporary folder and renamed, so that a reader never sees half of it."""
        tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.bm25 is not None:
            self.bm25.save(str(tmp / "bm25"), show_progress=False)
        lex = self.lexicon
        doc_ids = sorted(self._codes, key=self._codes.get)
        (tmp / "lexical.json").write_text(json.dumps({
            "ids": self.ids, "doc_ids": [doc_ids[c] for c in self.doc_codes.tolist()],
            "idf": self.idf, "default_idf": self.default_idf,
            "lexicon": {"short_forms": lex.short_forms, "name_words": lex.name_words,
                        "names": sorted(lex.names), "name_count": lex.name_count,
                        "bodies": lex.bodies}}))
        try:
            tmp.rename(folder)
        except OSError:  # another writer saved the same marker's index first
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "Lexical | None":
        try:
            data = json.loads((folder / "lexical.json").read_text())
            bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False) \
                if data["ids"] else None
        except (OSError, ValueError, KeyError):
            return None
        lex = data["lexicon"]
        lexicon = Lexicon(vocab=set(data["idf"]), short_forms=lex["short_forms"],
                          name_words=lex["name_words"], names=set(lex["names"]),
                          name_count=lex["name_count"], bodies=lex["bodies"])
        return cls(data["ids"], data["doc_ids"], bm25, data["idf"], data["default_idf"], lexicon)


def index_folder(store: Store, version: str) -> Path:
    return store.settings.data_dir / "index" / store.settings.collection / version


def load_or_build(store: Store, version: str) -> Lexical:
    """The index of the store at this change marker: saved by ingest, else built here."""
    if (saved := Lexical.load(index_folder(store, version))) is not None:
        return saved
    chunks = store.all_chunks()
    log.info("building the lexical index from %d chunks (none saved for this store)", len(chunks))
    return Lexical.build(chunks, store.records())


def publish(store: Store) -> str:
    """After an ingest: build the index from the papers' saved tokens (tokenizing only the
    papers that have none), save it beside the store, then write the change marker that names
    it, and remove the indexes of earlier markers."""
    from assistant.lexical_parts import PARTS, corpus

    version = store.new_version()
    folder = index_folder(store, version)
    PARTS.save(store)  # the new and changed papers' tokens: the others' were saved before
    Lexical.from_tokens(*corpus(store), store.paper_records()).save(folder)
    store.mark_changed(version)
    for old in folder.parent.iterdir():
        if old != folder and ".tmp" not in old.name:
            shutil.rmtree(old, ignore_errors=True)
    return version
