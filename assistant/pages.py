"""A PDF paper's pages as the council printed them: a page rendered as an image, and the boxes
of a quote's words on it, so a citation can be checked against the paper a councillor knows.

Rendering and words come from PDFium (pypdfium2), the reader's own text layer: the boxes found
here are those of the words the reader read."""

import io
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import PaperError

# Pixels per PDF point: 2 gives a 1190 x 1684 image of an A4 page, sharp on a laptop screen.
SCALE = 2.0
_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, as fractions of its width and height (top left is 0, 0)."""
    left: float
    top: float
    width: float
    height: float


def _open(path: str | Path):
    """The PDF as the reader read it, form fields and annotations flattened into the pages, and
    where each flattened page's own characters end (``open_flattened``)."""
    import pypdfium2 as pdfium

    from ingest.readers.pdf import open_flattened

    try:
        return open_flattened(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise PaperError(f"the paper's PDF cannot be opened: {exc}") from exc


def render_page(path: str | Path, number: int, scale: float = SCALE) -> bytes:
    """Page ``number`` (1-based) as a PNG."""
    pdf, _ = _open(path)
    try:
        if not 1 <= number <= len(pdf):
            raise PaperError(f"the paper has {len(pdf)} pages; there is no page {number}")
        page = pdf[number - 1]
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()
    finally:
        pdf.close()


def _norm(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def quote_boxes(path: str | Path, number: int, quotes: list[str],
                regions: list[tuple[float, float, float, float]] | None = None) -> list[Box]:
    """Boxes of the words of each of ``quotes`` on page ``number``, one per line of print per
    quote, as fractions of the page. For each quote, the longest run of its words found in the
    page's words, in reading order, is marked; ``regions`` (the cited paragraph's boxes, x0,
    top, x1, bottom in points) keep a phrase printed twice on the page from being marked in the
    wrong place. Empty when no quote's words are on the page."""
    from ingest.readers.pdf import _words

    wanted = [w for w in (_norm(q) for q in quotes) if w]
    if not wanted:
        return []
    pdf, printed = _open(path)
    try:
        if not 1 <= number <= len(pdf):
            return []
        page = pdf[number - 1]
        width, height = page.get_size()
        words = _words(page, printed.get(number - 1))
    finally:
        pdf.close()
    if regions:
        inside = [w for w in words if _in_any(w, regions)]
        words = inside or words
    # Each printed word may hold several normalised tokens ("£1,396" -> "1", "396").
    tokens: list[tuple[str, int]] = []
    for i, w in enumerate(words):
        tokens.extend((t, i) for t in _norm(w["text"]))
    page_tokens = [t for t, _ in tokens]
    boxes: list[Box] = []
    for quote in wanted:
        start, length = _longest_run(page_tokens, quote)
        if length < min(3, len(quote)):
            continue
        hit = sorted({tokens[k][1] for k in range(start, start + length)})
        boxes += [b for b in _line_boxes([words[i] for i in hit], width, height)
                  if b not in boxes]
    return boxes


def _in_any(word: dict, regions) -> bool:
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return any(x0 - 2 <= cx <= x1 + 2 and top - 2 <= cy <= bottom + 2
               for x0, top, x1, bottom in regions)


def _longest_run(tokens: list[str], wanted: list[str]) -> tuple[int, int]:
    """(start, length) of the longest stretch of ``tokens`` equal to a stretch of ``wanted``
    that starts where the quote's words could start: dynamic programming, O(n * m)."""
    best = (0, 0)
    previous = [0] * (len(wanted) + 1)
    for i, token in enumerate(tokens):
        current = [0] * (len(wanted) + 1)
        for j, w in enumerate(wanted):
            if token == w:
                current[j + 1] = previous[j] + 1
                if current[j + 1] > best[1]:
                    best = (i - current[j + 1] + 1, current[j + 1])
        previous = current
    return best


def _line_boxes(words: list[dict], width: float, height: float) -> list[Box]:
    """One box per line of print: words whose vertical centres lie within half a line."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][-1]["top"] - w["top"]) < 0.5 * max(w["size"], 1):
            lines[-1].append(w)
        else:
            lines.append([w])
    boxes = []
    for line in lines:
        x0, x1 = min(w["x0"] for w in line), max(w["x1"] for w in line)
        top, bottom = min(w["top"] for w in line), max(w["bottom"] for w in line)
        pad = 1.0
        boxes.append(Box(round(max(0.0, x0 - pad) / width, 5), round(max(0.0, top - pad) / height, 5),
                         round((x1 - x0 + 2 * pad) / width, 5),
                         round((bottom - top + 2 * pad) / height, 5)))
    return boxes
