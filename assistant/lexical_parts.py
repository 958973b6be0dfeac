"""What the BM25 index needs of each paper, saved at ingest beside the store, one file a paper
(``DATA_DIR/lexical/COLLECTION/vFORMAT/``, named by the paper and its content hash): each
chunk's tokens and defined short forms. Publishing an index after an ingest then tokenizes only
the papers that changed, instead of every chunk of the store (two thirds of a whole rebuild).

The index is still assembled whole, in the store's own chunk order (ties in BM25's top 40 are
taken in that order, so the index equals one built from the store's text)."""

import hashlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path

from assistant.lexical import chunk_tokens
from assistant.store import Store, StoredChunk
from assistant.understand import short_forms_in

FORMAT = 1  # bump when the tokenizer or what a part holds changes: parts are made afresh
_BATCH = 2000


def parts_folder(store: Store) -> Path:
    return store.settings.data_dir / "lexical" / store.settings.collection / f"v{FORMAT}"


def _part_name(doc_id: str, paper_hash: str | None) -> str:
    return f"{hashlib.sha256(doc_id.encode()).hexdigest()[:24]}-{paper_hash}.json"


def paper_part(doc_id: str, chunks: list[StoredChunk]) -> dict:
    return {"format": FORMAT, "doc_id": doc_id,
            "chunks": {c.id: [chunk_tokens(c), short_forms_in(c.text)] for c in chunks}}


def save_parts(store: Store) -> int:
    """At ingest, before publishing: the part of each paper that has none saved (new, changed,
    or ingested by an older Clerk), from that paper's chunks. Returns how many were saved."""
    folder = parts_folder(store)
    folder.mkdir(parents=True, exist_ok=True)
    saved = 0
    for doc_id, record in store.paper_records().items():
        path = folder / _part_name(doc_id, record.get("hash"))
        if path.exists():
            continue
        chunks = [c for c in store.paper_chunks(doc_id)
                  if c.meta.get("paper_hash") == record.get("hash")]
        tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
        tmp.write_text(json.dumps(paper_part(doc_id, chunks)))
        tmp.replace(path)  # a reader never sees half a file
        saved += 1
    return saved


def prune_parts(store: Store) -> None:
    """After publishing: the parts of papers removed or changed go, and other formats'."""
    folder = parts_folder(store)
    keep = {_part_name(d, r.get("hash")) for d, r in store.paper_records().items()}
    for path in folder.glob("*.json"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
    for other in folder.parent.glob("v*"):
        if other != folder and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def _load(path: Path, doc_id: str) -> dict:
    try:
        part = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    ok = part.get("format") == FORMAT and part.get("doc_id") == doc_id
    return part.get("chunks", {}) if ok else {}


def corpus(store: Store) -> tuple[list[str], list[str], list[list[str]], Counter]:
    """Every trusted chunk's id, paper and tokens in the store's order, and the defined short
    forms counted over them: from the saved parts (made from chunks their paper's record
    vouched for), reading only the ids from the store; a chunk no part holds is read, checked
    against its paper's record and tokenized here."""
    records = store.paper_records()
    folder = parts_folder(store)
    saved: dict[str, tuple[str, list[str], list]] = {}
    for doc_id, rec in records.items():
        for i, (tokens, pairs) in _load(folder / _part_name(doc_id, rec.get("hash")),
                                        doc_id).items():
            saved[i] = (doc_id, tokens, pairs)
    order: list[str] = []
    for offset in range(0, store.paragraphs.count(), _BATCH):
        order += store.paragraphs.get(include=[], limit=_BATCH, offset=offset)["ids"]
    unsaved = [i for i in order if i not in saved]
    for start in range(0, len(unsaved), _BATCH):
        for i, chunk in store.chunks(unsaved[start:start + _BATCH]).items():
            rec = records.get(chunk.meta.get("doc_id"))
            if rec is not None and rec.get("hash") == chunk.meta.get("paper_hash"):
                saved[i] = (chunk.meta["doc_id"], chunk_tokens(chunk), short_forms_in(chunk.text))
    kept = [i for i in order if i in saved]
    defined = Counter(tuple(pair) for i in kept for pair in saved[i][2])
    return kept, [saved[i][0] for i in kept], [saved[i][1] for i in kept], defined
