"""Format readers: each turns a file's bytes into the same small shape, a ``Document``.

``Document.text`` is Clerk's plain reading of the paper, the text every paragraph's offsets
refer to. Whatever the format, it is written the same way, so one structure parser serves all:

- blocks (paragraphs as the source shows them) are separated by one blank line;
- a hard-wrapped paragraph is one line: wrapping is the reader's business, not the parser's;
- a heading is a line of its own starting ``## `` (the level is not kept);
- a list item is a line of its own: a bullet as ``- text``; a printed or automatic number as
  printed (``1. text``, ``2.3 text``, ``(a) text``), never invented;
- a table row is one line, cells joined with `` | ``;
- running headers, footers and page numbers are gone.

``spans`` (PDF only) map each stretch of ``text`` back to the page and the rectangle it was
printed in, so a paragraph knows its pages and boxes. ``hints`` carry metadata the format states
outside the text (front matter, ``<time datetime>``); never anything taken from the file name.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` was printed on ``page`` (1-based) inside ``box`` = (x0, top, x1,
    bottom) in PDF points, origin at the page's top left."""

    start: int
    end: int
    page: int
    box: tuple[float, float, float, float]


@dataclass
class Document:
    text: str
    spans: list[Span] = field(default_factory=list)
    hints: dict[str, str] = field(default_factory=dict)  # title, date (ISO), council, committee
    pages: int | None = None  # PDF page count
