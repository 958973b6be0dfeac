"""Chunks: one paragraph each, with its heading context; an over-long paragraph splits at
sentence boundaries and every part keeps the paragraph's label. Ids are stable across runs."""

import re

from ingest.models import Chunk, Paper, Paragraph
from ingest.structure import clean_text

_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9•·-])")


def split_sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def split_long(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at sentence ends where there are any.
    Joining the pieces with single spaces gives back ``text``."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        while len(sentence) > limit:  # a "sentence" with no end in sight: cut at a space
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].rstrip())
            sentence = sentence[cut:].lstrip()
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def chunk_id(doc_id: str, label: str, part: int) -> str:
    return f"{doc_id}::{label}::{part}"


def chunk_paper(paper: Paper, limit: int) -> list[Chunk]:
    chunks = []
    for para in paper.paragraphs:
        chunks.extend(chunk_paragraph(paper, para, limit))
    return chunks


def chunk_paragraph(paper: Paper, para: Paragraph, limit: int) -> list[Chunk]:
    context = " — ".join(x for x in (paper.meta.title, para.heading) if x)
    out = []
    for part, piece in enumerate(split_long(clean_text(para.text), limit)):
        embed = f"{context}\n{piece}" if context else piece
        out.append(Chunk(id=chunk_id(paper.meta.doc_id, para.label, part), doc_id=paper.meta.doc_id,
                         label=para.label, part=part, text=piece, embed_text=embed,
                         paragraph=para))
    return out
