"""The store: Chroma holds every paragraph's text, metadata and vector, plus one record per
paper. It is the single source of truth; the lexical index is derived from it.

Writes are ordered so that a killed ingest leaves nothing half-visible: a paper's chunks are
written first, stale chunks removed next, and the paper record (with its content hash) last.
Readers only trust chunks whose ``paper_hash`` matches their paper's record.

A change marker (one record in its own collection) is written last, when an ingest has
finished: readers compare it, one small read, instead of reading every paper record per
question, and the indexes saved beside the store (``assistant.lexical``) name the marker they
were built at.

Opening Chroma is ``assistant.chroma``'s; the shapes read back are ``assistant.stored``'s.
"""

import datetime as dt
import hashlib
import threading
import time
import uuid

import numpy as np

from assistant.chroma import open_collections
from assistant.settings import Settings
from assistant.stored import StoredChunk, StoredParagraph, paragraphs_of

# what other modules import from here: the store, and the shapes it gives back (stored.py)
__all__ = ["Store", "StoredChunk", "StoredParagraph", "date_int", "paragraphs_of"]

_BATCH = 2000
_MARKER = "changes"
_UNPUBLISHED = "unpublished"  # papers were written since the marker (a killed ingest's too)


def _clean_meta(meta: dict) -> dict:
    """Chroma metadata holds str/int/float/bool; None means 'not known' and is left out."""
    return {k: v for k, v in meta.items() if v is not None}


def date_int(iso: str | None) -> int:
    return int(iso.replace("-", "")) if iso else 0


class Store:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.server_mode = bool(settings.chroma_url)
        self._version: str | None = None
        self._checked = 0.0
        self._records: dict[str, dict] | None = None
        self._count: int | None = None
        self._writing = False
        self._refresh_lock = threading.Lock()
        self._open()

    # -- connection ---------------------------------------------------------------------------
    def _open(self) -> None:
        opened = open_collections(self.settings)
        self.client, self.paragraphs = opened.client, opened.paragraphs
        self.papers, self.state = opened.papers, opened.state

    def refresh(self, min_interval: float = 1.0) -> bool:
        """Notice papers written by another process. Returns True when the store changed.
        An embedded client keeps its vector index in memory, so it is reopened on change."""
        with self._refresh_lock:
            now = time.monotonic()
            if now - self._checked < min_interval and self._version is not None:
                return False
            self._checked = now
            version = self.version()
            if version == self._version:
                return False
            if self._version is not None and not self.server_mode:
                from chromadb.api.client import SharedSystemClient

                SharedSystemClient.clear_system_cache()
                self._open()
            self._version = version
            self._records = self._count = None
            return True

    def version(self) -> str:
        """The change marker ingest writes last; a store written before there was one is
        summed from its paper records, as then."""
        got = self.state.get(ids=[_MARKER], include=["metadatas"])
        if got["ids"]:
            return str((got["metadatas"][0] or {}).get("version"))
        records = self.paper_records()
        digest = hashlib.sha256()
        for doc_id in sorted(records):
            digest.update(f"{doc_id}:{records[doc_id].get('hash')}\n".encode())
        return digest.hexdigest()

    def current_version(self) -> str:
        """The change marker as of the last refresh."""
        if self._version is None:
            self.refresh()
        return str(self._version)

    @staticmethod
    def new_version() -> str:
        return uuid.uuid4().hex

    def needs_publishing(self) -> bool:
        """Papers were written or removed since the last change marker, or there is none."""
        got = self.state.get(ids=[_MARKER, _UNPUBLISHED], include=[])["ids"]
        return _UNPUBLISHED in got or _MARKER not in got

    def _unpublished(self) -> None:
        if not self._writing:
            self.state.upsert(ids=[_UNPUBLISHED], embeddings=[[0.0]], documents=[""])
            self._writing = True

    def mark_changed(self, version: str) -> None:
        """Write the change marker, last (after the papers and the indexes saved beside the
        store for it): every reader reloads on its next refresh."""
        self.state.upsert(ids=[_MARKER], embeddings=[[0.0]], documents=[""],
                          metadatas=[{"version": version}])
        self.state.delete(ids=[_UNPUBLISHED])
        self._writing = False

    def records(self) -> dict[str, dict]:
        """The paper records, read once per change of the marker, not once per question."""
        self.refresh()
        if self._records is None:
            self._records = self.paper_records()
        return self._records

    def count(self) -> int:
        """The number of chunks, read once per change of the marker."""
        self.refresh()
        if self._count is None:
            self._count = self.paragraphs.count()
        return self._count

    # -- papers -------------------------------------------------------------------------------
    def paper_records(self) -> dict[str, dict]:
        got = self.papers.get(include=["metadatas"])
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"])}

    def paper_record(self, doc_id: str) -> dict | None:
        got = self.papers.get(ids=[doc_id], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else None

    def write_paper(self, record: dict, chunks: list[dict], vectors: np.ndarray) -> None:
        """Replace a paper: its chunks, then its stale chunks' removal, then its record."""
        doc_id = record["doc_id"]
        ids = [c["id"] for c in chunks]
        self._unpublished()
        for start in range(0, len(chunks), _BATCH):
            part = slice(start, start + _BATCH)
            self.paragraphs.upsert(
                ids=ids[part], documents=[c["text"] for c in chunks[part]],
                metadatas=[_clean_meta(c["meta"]) for c in chunks[part]],
                embeddings=vectors[part].tolist())
        stale = set(self._chunk_ids(doc_id)) - set(ids)
        if stale:
            self.paragraphs.delete(ids=sorted(stale))
        record = dict(record, ingested_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        self.papers.upsert(ids=[doc_id], embeddings=[[0.0]], documents=[record.get("title") or doc_id],
                           metadatas=[_clean_meta(record)])

    def delete_paper(self, doc_id: str) -> None:
        """Record first, so readers stop trusting the chunks at once; then the chunks."""
        self._unpublished()
        self.papers.delete(ids=[doc_id])
        ids = self._chunk_ids(doc_id)
        for start in range(0, len(ids), _BATCH):
            self.paragraphs.delete(ids=ids[start:start + _BATCH])

    def _chunk_ids(self, doc_id: str) -> list[str]:
        return self.paragraphs.get(where={"doc_id": doc_id}, include=[])["ids"]

    def orphan_chunk_ids(self) -> list[str]:
        """Chunks no paper record vouches for: what a killed ingest can leave behind. Only a
        store with unpublished writes (or none published) can hold any, so a published one is
        not read; the check reads metadata only, not texts."""
        if not self.needs_publishing():
            return []
        records = self.paper_records()
        orphans = []
        for got in self.batches(["metadatas"]):
            for i, meta in zip(got["ids"], got["metadatas"]):
                rec = records.get((meta or {}).get("doc_id"))
                if rec is None or rec.get("hash") != (meta or {}).get("paper_hash"):
                    orphans.append(i)
        return orphans

    def delete_chunks(self, ids: list[str]) -> None:
        for start in range(0, len(ids), _BATCH):
            self.paragraphs.delete(ids=ids[start:start + _BATCH])

    # -- reading ------------------------------------------------------------------------------
    def batches(self, include: list[str]):
        """Every chunk of the store, ``_BATCH`` at a time, in the store's order: Chroma's
        ``get`` answers (ids, and what ``include`` names)."""
        for offset in range(0, self.paragraphs.count(), _BATCH):
            yield self.paragraphs.get(include=include, limit=_BATCH, offset=offset)

    def all_chunks(self, trusted_only: bool = True) -> list[StoredChunk]:
        records = self.paper_records() if trusted_only else {}
        out: list[StoredChunk] = []
        for got in self.batches(["documents", "metadatas"]):
            for i, doc, meta in zip(got["ids"], got["documents"], got["metadatas"]):
                meta = dict(meta or {})
                if trusted_only:
                    rec = records.get(meta.get("doc_id"))
                    if rec is None or rec.get("hash") != meta.get("paper_hash"):
                        continue
                out.append(StoredChunk(i, doc or "", meta))
        return out

    def headings(self) -> dict[str, set[str]]:
        """Each section heading (casefolded) with the papers that print it, read from the
        chunks' metadata alone (no text), for telling a template's headings from subjects."""
        found: dict[str, set[str]] = {}
        for got in self.batches(["metadatas"]):
            for meta in got["metadatas"]:
                if (meta or {}).get("heading"):
                    found.setdefault(str(meta["heading"]).casefold(), set()).add(
                        str(meta.get("doc_id")))
        return found

    def paper_chunks(self, doc_id: str) -> list[StoredChunk]:
        got = self.paragraphs.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        chunks = [StoredChunk(i, d or "", dict(m or {}))
                  for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]
        return sorted(chunks, key=lambda c: (c.meta.get("ordinal", 0), c.meta.get("part", 0)))

    def chunks(self, ids: list[str]) -> dict[str, StoredChunk]:
        """Chunks by id (text and metadata), for the few passages a question keeps."""
        if not ids:
            return {}
        got = self.paragraphs.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: StoredChunk(i, d or "", dict(m or {}))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Chunks' stored vectors by id (those ingest embedded: heading context and text)."""
        if not ids:
            return {}
        got = self.paragraphs.get(ids=list(ids), include=["embeddings"])
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], got["embeddings"])}

    def query(self, vector: np.ndarray, k: int, doc_ids: list[str] | None = None
              ) -> list[tuple[str, float]]:
        """Ids of the nearest chunks with their cosine similarity, optionally within some
        papers (texts are fetched later, for the passages kept)."""
        if k <= 0 or doc_ids == []:
            return []
        where = None
        if doc_ids is not None:
            where = {"doc_id": {"$in": doc_ids}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        n = min(k, max(self.count(), 1))
        got = self.paragraphs.query(query_embeddings=[vector.tolist()], n_results=n, where=where,
                                    include=["distances"])
        return [(i, 1.0 - float(dist)) for i, dist in zip(got["ids"][0], got["distances"][0])]
