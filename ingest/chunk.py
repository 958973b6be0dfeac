"""Chunks: one paragraph each, with its heading context; an over-long paragraph splits at
sentence boundaries and every part keeps the paragraph's label. Ids are stable across runs."""

import re

from ingest.models import Chunk, Paper, Paragraph
from ingest.structure import clean_text

# A sentence keeps its closing quote or bracket: "(... Cllr. Brown.) 5.2 The Clerk" splits after ")".
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z0-9•·-])")
# Abbreviations of English (titles, "no.", "para.", months) after which a full stop ends no
# sentence. The sentence splitters on PyPI were tried (pysbd, blingfire, syntok, nltk's Punkt):
# each cuts "Cllr. Smith" or "para. 3.2", and pysbd and Punkt cost 7 ms per 500 characters.
_ABBREVIATIONS = set("""cllr cllrs councillor mr mrs ms dr prof rev revd st no nos para paras
art cl approx ref tel ext vs cf fig jan feb mar apr jun jul aug sep sept oct nov dec""".split())
_LAST_WORD = re.compile(r"(?:^|[\s(])([A-Za-z]+)\.$")


def _no_end(part: str) -> bool:
    """``part`` ends with an abbreviation ("Cllr.") or an initial after a title, another initial
    or "and" ("Mr. J.", "A. Jones and B."), not with the end of a sentence."""
    m = _LAST_WORD.search(part)
    if m is None:
        return False
    word = m.group(1)
    if word.lower() in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():
        before = part[: m.start(1)].rstrip().rstrip(",")
        prev = before.rsplit(None, 1)[-1] if before else ""
        return (not prev or prev.lower() in ("and", "&") or re.fullmatch(r"[A-Z]\.", prev) is not None
                or prev.rstrip(".").lower() in _ABBREVIATIONS or part.rstrip().endswith(", " + word + "."))
    return False


def split_sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _SENTENCE_END.split(text)]
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        if out and _no_end(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def split_long(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut between lines, else at sentence ends, else at
    a space. Nothing is lost: the pieces' words, in order, are the text's words."""
    if len(text) <= limit:
        return [text]
    units: list[tuple[str, str]] = []  # (text, separator before it)
    for line in text.split("\n"):
        for i, unit in enumerate(_fit(split_sentences(line) or [line], limit)):
            units.append((unit, " " if i else "\n"))
    pieces: list[str] = []
    current = ""
    for unit, sep in units:
        if current and len(current) + 1 + len(unit) > limit:
            pieces.append(current)
            current = unit
        else:
            current = f"{current}{sep}{unit}" if current else unit
    if current:
        pieces.append(current)
    return pieces


def _fit(sentences: list[str], limit: int) -> list[str]:
    """Sentences with any longer than ``limit`` cut at a space (or hard, if it has none)."""
    out = []
    for sentence in sentences:
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            out.append(sentence[:cut].rstrip())
            sentence = sentence[cut:].lstrip()
        if sentence:
            out.append(sentence)
    return out


def chunk_id(doc_id: str, label: str, part: int) -> str:
    return f"{doc_id}::{label}::{part}"


def chunk_paper(paper: Paper, limit: int) -> list[Chunk]:
    chunks = []
    for para in paper.paragraphs:
        chunks.extend(chunk_paragraph(paper, para, limit))
    return chunks


def chunk_paragraph(paper: Paper, para: Paragraph, limit: int) -> list[Chunk]:
    m = paper.meta
    context = " — ".join(x for x in (m.council, m.title, para.heading) if x)
    out = []
    for part, piece in enumerate(split_long(clean_text(para.text), limit)):
        embed = f"{context}\n{piece}" if context else piece
        out.append(Chunk(id=chunk_id(paper.meta.doc_id, para.label, part), doc_id=paper.meta.doc_id,
                         label=para.label, part=part, text=piece, embed_text=embed,
                         paragraph=para))
    return out
