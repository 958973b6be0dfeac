"""What the BM25 index needs of each paper, saved at ingest beside the store, one file a paper
(``DATA_DIR/lexical/COLLECTION/vFORMAT/``, named by the paper and its content hash): each
chunk's tokens and defined short forms. Publishing an index after an ingest then tokenizes only
the papers that changed, instead of every chunk of the store (two thirds of a whole rebuild).

The index is still assembled whole, in the store's own chunk order (ties in BM25's top 40 are
taken in that order, so the index equals one built from the store's text)."""

from collections import Counter

from assistant.lexical import chunk_tokens
from assistant.paper_parts import PaperParts
from assistant.store import Store, StoredChunk
from assistant.understand import short_forms_in

FORMAT = 1  # bump when the tokenizer or what a part holds changes: parts are made afresh
_BATCH = 2000


def paper_part(doc_id: str, chunks: list[StoredChunk]) -> dict:
    return {"format": FORMAT, "doc_id": doc_id,
            "chunks": {c.id: [chunk_tokens(c), short_forms_in(c.text)] for c in chunks}}


PARTS = PaperParts("lexical", FORMAT, paper_part)


def corpus(store: Store) -> tuple[list[str], list[str], list[list[str]], Counter]:
    """Every trusted chunk's id, paper and tokens in the store's order, and the defined short
    forms counted over them: from the saved parts (made from chunks their paper's record
    vouched for), reading only the ids from the store; a chunk no part holds is read, checked
    against its paper's record and tokenized here."""
    records = store.paper_records()
    saved: dict[str, tuple[str, list[str], list]] = {}
    for doc_id, rec in records.items():
        part = PARTS.load(store, doc_id, rec.get("hash")) or {}
        for i, (tokens, pairs) in part.get("chunks", {}).items():
            saved[i] = (doc_id, tokens, pairs)
    order = [i for got in store.batches([]) for i in got["ids"]]
    unsaved = [i for i in order if i not in saved]
    for start in range(0, len(unsaved), _BATCH):
        for i, chunk in store.chunks(unsaved[start:start + _BATCH]).items():
            rec = records.get(chunk.meta.get("doc_id"))
            if rec is not None and rec.get("hash") == chunk.meta.get("paper_hash"):
                saved[i] = (chunk.meta["doc_id"], chunk_tokens(chunk), short_forms_in(chunk.text))
    kept = [i for i in order if i in saved]
    defined = Counter(tuple(pair) for i in kept for pair in saved[i][2])
    return kept, [saved[i][0] for i in kept], [saved[i][1] for i in kept], defined
