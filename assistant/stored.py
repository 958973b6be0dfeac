"""What the store gives back: chunks as stored (a paragraph, or a part of a long one, with its
metadata) and whole paragraphs joined from their chunks in the paper's order."""

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    meta: dict


@dataclass(frozen=True)
class StoredParagraph:
    """A whole paragraph of a stored paper: its chunks' parts joined in order."""

    doc_id: str
    label: str
    text: str
    meta: dict


def paragraphs_of(chunks: list[StoredChunk]) -> list[StoredParagraph]:
    order = sorted(chunks, key=lambda c: (c.meta.get("doc_id", ""), c.meta.get("ordinal", 0),
                                          c.meta.get("part", 0)))
    out: list[StoredParagraph] = []
    for c in order:
        doc_id, label = c.meta.get("doc_id", ""), c.meta.get("paragraph", "")
        if out and (out[-1].doc_id, out[-1].label) == (doc_id, label):
            out[-1] = StoredParagraph(doc_id, label, f"{out[-1].text}\n{c.text}", out[-1].meta)
        else:
            out.append(StoredParagraph(doc_id, label, c.text, c.meta))
    return out
