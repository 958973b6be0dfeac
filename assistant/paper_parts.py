"""Files an index keeps beside the store, one a paper (``DATA_DIR/KIND/COLLECTION/vFORMAT/``),
named by the paper and its content hash, so that an ingest works out only the papers it added
or changed: the register's records and the BM25 index's tokens each keep such a folder."""

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from assistant.store import Store, StoredChunk


class PaperParts:
    def __init__(self, kind: str, fmt: int, make: Callable[[str, list[StoredChunk]], dict]):
        self.kind, self.format, self.make = kind, fmt, make  # make: (doc_id, chunks) -> part

    def folder(self, store: Store) -> Path:
        return store.settings.data_dir / self.kind / store.settings.collection / f"v{self.format}"

    @staticmethod
    def name(doc_id: str, paper_hash: str | None) -> str:
        """Named by the paper and its content hash: a changed paper's part is a new file."""
        return f"{hashlib.sha256(doc_id.encode()).hexdigest()[:24]}-{paper_hash}.json"

    def save(self, store: Store) -> int:
        """At ingest, before the change marker: the part of each paper that has none saved
        (new, changed, or ingested by an older Clerk), made from that paper's chunks only (those
        its record vouches for). Returns how many were saved."""
        folder = self.folder(store)
        folder.mkdir(parents=True, exist_ok=True)
        saved = 0
        for doc_id, record in store.paper_records().items():
            path = folder / self.name(doc_id, record.get("hash"))
            if path.exists():
                continue
            chunks = [c for c in store.paper_chunks(doc_id)
                      if c.meta.get("paper_hash") == record.get("hash")]
            self.write(store, doc_id, record.get("hash"), self.make(doc_id, chunks))
            saved += 1
        return saved

    def write(self, store: Store, doc_id: str, paper_hash: str | None, part: dict) -> None:
        """Save one paper's part, made by the caller (ingest, while it holds the paper)."""
        path = self.folder(store) / self.name(doc_id, paper_hash)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        tmp.write_text(json.dumps(part))
        tmp.replace(path)  # a reader never sees half a file

    def prune(self, store: Store) -> None:
        """After the change marker: the parts of papers removed or changed go, and those saved
        in another format (this Clerk has saved its own by now)."""
        folder = self.folder(store)
        keep = {self.name(d, r.get("hash")) for d, r in store.paper_records().items()}
        for path in folder.glob("*.json"):
            if path.name not in keep:
                path.unlink(missing_ok=True)
        for other in folder.parent.glob("v*"):
            if other != folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)

    def load(self, store: Store, doc_id: str, paper_hash: str | None) -> dict | None:
        """A paper's saved part, or None when it is missing, unreadable or of another format
        or paper."""
        try:
            part = json.loads((self.folder(store) / self.name(doc_id, paper_hash)).read_text())
        except (OSError, ValueError):
            return None
        return part if part.get("format") == self.format and part.get("doc_id") == doc_id \
            else None
