"""The answer units' vectors, computed at ingest and saved beside the store, one file a paper
(``DATA_DIR/units/COLLECTION/vFORMAT/``, named by the paper and its content hash): for each
chunk, the displays of its units (``assistant.answer.units_of``) and their vectors in float16.

Embedding the candidate sentences of the passages found was most of an extractive answer's
time; with these files the answerer reads them instead. A unit no file holds (a store written
by an older Clerk, another embedding space, a paper changed since) is embedded at question
time, as before."""

import base64
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from assistant.embedder import Embedder
from assistant.paper_parts import PaperParts
from assistant.store import Store, StoredChunk

FORMAT = 1  # bump when units_of or what a part holds changes: parts are made afresh


def chunk_units(text: str) -> list[str]:
    """The distinct displays of a chunk's answer units, in order: what the answerer embeds."""
    from assistant.answer import units_of

    return list(dict.fromkeys(u.display for u in units_of(text)))


def encode(vectors: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vectors, dtype=np.float16).tobytes()).decode("ascii")


def decode(blob: str, n: int) -> np.ndarray:
    vectors = np.frombuffer(base64.b64decode(blob), dtype=np.float16)
    return vectors.reshape(n, -1) if n else vectors.reshape(0, 0)


def make_part(doc_id: str, space: str, chunks: dict[str, list[str]],
              vectors: np.ndarray) -> dict:
    """A paper's part: ``chunks`` maps each chunk id to its units' displays, whose vectors are
    ``vectors``' rows in that order."""
    out, start = {}, 0
    for chunk_id, displays in chunks.items():
        out[chunk_id] = [displays, encode(vectors[start:start + len(displays)])]
        start += len(displays)
    return {"format": FORMAT, "doc_id": doc_id, "space": space, "chunks": out}


def embed_paper(doc_id: str, chunks: list[StoredChunk], embedder: Embedder) -> dict:
    """A stored paper's part, its units embedded here (a paper an older Clerk ingested)."""
    units = {c.id: chunk_units(c.text) for c in chunks}
    texts = [d for displays in units.values() for d in displays]
    return make_part(doc_id, embedder.space, units, embedder.embed(texts))


def parts(embedder_factory: Callable[[], Embedder]) -> PaperParts:
    """The per-paper files; a paper missing one is embedded by the factory's embedder (loaded
    only when some paper needs it)."""
    loaded: list[Embedder] = []

    def make(doc_id: str, chunks: list[StoredChunk]) -> dict:
        if not loaded:
            loaded.append(embedder_factory())
        return embed_paper(doc_id, chunks, loaded[0])

    return PaperParts("units", FORMAT, make)


def _no_embedder() -> Embedder:
    raise RuntimeError("saving unit vectors needs an embedder: use parts(factory)")


PARTS = parts(_no_embedder)  # for reading and pruning the files


class StoredUnitVectors:
    """The saved vectors of the papers met recently, for the answerer: (chunk id, display) to
    vector, for the units of the passages found; nothing for a paper with no file of this
    embedding space."""

    def __init__(self, store: Store, space: str, papers: int = 256):
        self.store, self.space, self.size = store, space, papers
        self._papers: OrderedDict[tuple[str, str | None], dict] = OrderedDict()  # decoded
        self._lock = threading.Lock()

    def _paper(self, doc_id: str, paper_hash: str | None) -> dict:
        key = (doc_id, paper_hash)
        with self._lock:
            if key in self._papers:
                self._papers.move_to_end(key)
                return self._papers[key]
        part = PARTS.load(self.store, doc_id, paper_hash)
        saved = part.get("chunks", {}) if part and part.get("space") == self.space else {}
        chunks = {i: dict(zip(displays, decode(blob, len(displays))))
                  for i, (displays, blob) in saved.items()}
        with self._lock:
            self._papers[key] = chunks
            while len(self._papers) > self.size:
                self._papers.popitem(last=False)
        return chunks

    def vectors(self, chunks: list[StoredChunk]) -> dict[tuple[str, str], np.ndarray]:
        """The saved vector of every unit of these chunks that has one."""
        out: dict[tuple[str, str], np.ndarray] = {}
        for chunk in {c.id: c for c in chunks}.values():
            saved = self._paper(chunk.meta.get("doc_id", ""), chunk.meta.get("paper_hash"))
            for display, vec in saved.get(chunk.id, {}).items():
                out[(chunk.id, display)] = vec
        return out
