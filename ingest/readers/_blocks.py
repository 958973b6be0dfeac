"""Small text helpers the DOCX and HTML readers share: collapsing a block to one line, list
markers, and joining blocks the way ``Document.text`` is written."""

import re

# A line that opens a list item: a bullet, a number (`5.`, `12`, `6.1`), or a letter or roman
# numeral in brackets or followed by `)` / `.`.
LIST_MARKER = re.compile(
    r"^(?:[-*•·▪◦●o]\s|\(?\d{1,3}(?:\.\d{1,3})*[.)]?\s|\(?[a-zA-Z][.)]\s|\(?[ivxIVX]{1,5}[.)]\s"
    r"|\([a-zA-Z]\)\s|\([ivxIVX]{1,5}\)\s)")

# A table cell that holds only an item number: `5.`, `12`, `6.1`, `(a)`, `b)`.
ITEM_NUMBER = re.compile(r"^(?:\d{1,4}(?:\.\d{1,3})*\.?|\(?[a-zA-Z]\)|\(?[ivxIVX]{1,5}\))$")

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000\f\v]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def one_line(text: str) -> str:
    """Spaces, tabs and non-breaking spaces collapsed to one space; invisible characters gone."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def looks_like_title(line: str) -> bool:
    """A short line with no closing punctuation in capitals, or ending in a colon: the
    heading of what follows rather than a wrapped sentence."""
    letters = [c for c in line if c.isalpha()]
    if not letters or len(line) > 100:
        return False
    if line.endswith(":"):
        return True
    return not line.endswith((".", ",", ";")) and all(c.isupper() for c in letters)


def join_broken_lines(segments: list[str]) -> str:
    """The lines of one block that a manual line break (``w:br``, ``<br>``) separated.

    A break stays a line break only where it separates list-like lines (the next line opens
    with a bullet or an item number) or ends a title line (``1. MINUTES OF THE LAST MEETING``
    then the minute's text); elsewhere it is a soft wrap and becomes a space, so a paragraph
    stays one line.
    """
    lines = [s for s in (one_line(s) for s in segments) if s]
    if not lines:
        return ""
    out = [lines[0]]
    for line in lines[1:]:
        if LIST_MARKER.match(line) or looks_like_title(out[-1]):
            out.append(line)
        else:
            out[-1] = f"{out[-1]} {line}"
    return "\n".join(out)


def join_blocks(blocks: list[str]) -> str:
    """``Document.text``: non-empty blocks separated by one blank line, ending in a newline."""
    kept = [b for b in blocks if b.strip()]
    return "\n\n".join(kept) + "\n" if kept else ""
