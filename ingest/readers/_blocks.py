"""Small text helpers the DOCX and HTML readers share: collapsing a block to one line, list
markers, and joining blocks the way ``Document.text`` is written."""

import re

# A line that opens a list item: a bullet, a number (`5.`, `12`, `6.1`), or a letter or roman
# numeral in brackets or followed by `)` / `.`.
LIST_MARKER = re.compile(
    r"^(?:[-*•·▪◦●o]\s|\(?\d{1,3}(?:\.\d{1,3})*[.)]?\s|\(?[a-zA-Z][.)]\s"
    r"|\(?[ivxIVX]{1,5}[.)]\s"
    r"|\([a-zA-Z]\)\s|\([ivxIVX]{1,5}\)\s)")

# A table cell that holds only an item number: `5.`, `12`, `6.1`, `(a)`, `b)`.
ITEM_NUMBER = re.compile(r"^(?:\d{1,4}(?:\.\d{1,3})*\.?|\(?[a-zA-Z]\)|\(?[ivxIVX]{1,5}\))$")

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000\f\v]+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def one_line(text: str) -> str:
    """Spaces, tabs and non-breaking spaces collapsed to one space; invisible characters gone."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def looks_like_title(line: str) -> bool:
    """A lead-in ending in a colon (``Accounts for payment:-``), or a short line in capitals
    without closing punctuation: the heading of what follows, not a wrapped sentence."""
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return False
    if line.rstrip("-–— ").endswith(":"):
        return True
    return len(line) <= 100 and not line.endswith((".", ",", ";")) and \
        all(c.isupper() for c in letters)


# Lines no longer than this, each opening with a capital or a digit, read as one item a line
# (payments, planning references, committee names) rather than as a wrapped sentence.
_ITEM_LINE = 80


def _separates_items(before: str, after: str, listing: bool) -> bool:
    if LIST_MARKER.match(after) or looks_like_title(before):
        return True
    opens_item = after[:1].isupper() or after[:1].isdigit()
    return opens_item and (listing or len(before) <= _ITEM_LINE and len(after) <= _ITEM_LINE)


def join_broken_lines(segments: list[str]) -> str:
    """The lines of one block that manual line breaks (``w:br``, ``<br>``) separated.

    A break stays a line break where it separates items: the next line opens with a bullet or
    an item number, the line before is a title or a lead-in (``1. MINUTES OF THE LAST
    MEETING`` then the minute's text; ``Accounts for payment:-`` then the payments), or the
    next line opens with a capital or a digit and either both lines are short or a lead-in
    above started a list. Elsewhere it is a soft wrap inside a sentence and becomes a space,
    so a paragraph stays one line.
    """
    lines = [s for s in (one_line(s) for s in segments) if s]
    if not lines:
        return ""
    out = [lines[0]]
    listing = False
    for line in lines[1:]:
        if _separates_items(out[-1], line, listing):
            listing = listing or looks_like_title(out[-1]) or bool(LIST_MARKER.match(line))
            out.append(line)
        else:
            out[-1] = f"{out[-1]} {line}"
    return "\n".join(out)


def join_blocks(blocks: list[str]) -> str:
    """``Document.text``: non-empty blocks separated by one blank line, ending in a newline."""
    kept = [b for b in blocks if b.strip()]
    return "\n\n".join(kept) + "\n" if kept else ""
