"""PDF by layout (pdfplumber, MIT; PyMuPDF is AGPL, which would bind every council that runs
Clerk as a network service to publish its changes, so it is not used).

Words become lines by position; lines become paragraphs by the page's own typography:
- a running header or footer (the same line, digits aside, at the top or bottom of many pages)
  and a bare page number at a page's edge are furniture, not text;
- a vertical gap wider than the document's usual line pitch ends a paragraph;
- a line that stops short although the next line's first word would have fitted was broken on
  purpose: after a sentence end it ends a paragraph, otherwise it keeps its own line (a list,
  an address, a table typed with spaces);
- otherwise wrapped lines are joined; a paragraph carried over a page break is joined too;
- a ruled table becomes one line per row, cells joined with " | ";
- a line wholly in bold or in a larger type than the body, short and not a sentence, is a heading;
- a wide horizontal gap inside a line (a number in its own column) becomes a tab.
"""

import io
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from assistant.errors import PaperError
from ingest.labels import BULLET_START, LABEL_START
from ingest.readers import Document, Span

_TERMINAL = (".", "!", "?", ":", ";", "”", '"')
_PAGE_NUMBER = re.compile(r"^(?:page\s*\|?\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:of|/)\s*\d{1,4})?$",
                          re.I)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
# Layout ratios, in units of the body's own type: typographic definitions, not tuned values.
_PARAGRAPH_GAP = 1.4  # line pitch multiple beyond which vertical space separates paragraphs
_COLUMN_GAP = 1.5  # em: a horizontal gap this wide inside a line separates columns (a tab)
_HEADING_SIZE = 1.15  # type this much larger than the body's is a heading's
_EDGE_LINES = 2  # lines at a page's top and bottom where running headers and footers live


@dataclass
class _Line:
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    text: str
    first_word_width: float
    second_x: float | None = None  # where the line's second word starts
    row: bool = False  # a table row: never joined with its neighbours
    title: bool = False  # a table cell's title line: a heading
    boxes: list = field(default_factory=list)


def read(data: bytes) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        raise PaperError("not a PDF file (no %PDF header); the file may be corrupt or mislabelled")
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [_page_lines(page, n) for n, page in enumerate(pdf.pages, 1)]
            count = len(pdf.pages)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise PaperError("the PDF is encrypted") from exc
    except PaperError:
        raise
    except (PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError, OSError,
            IndexError, AssertionError) as exc:
        raise PaperError(f"corrupt PDF: {_one_line(exc)}") from exc
    except Exception as exc:  # pdfminer raises its own PSException family on broken streams
        raise PaperError(f"corrupt PDF: {exc.__class__.__name__}: {_one_line(exc)}") from exc
    running = _strip_furniture(pages)
    lines = [ln for page in pages for ln in page]
    if not lines:
        raise PaperError("no text found in the PDF (a scanned PDF needs OCR first)")
    doc = _assemble(lines)
    doc.pages = count
    if running:
        doc.hints["running"] = "\n".join(running)
    return doc


def _page_lines(page, number: int) -> list[_Line]:
    try:
        tables = [t for t in page.find_tables() if len(t.rows) > 1 and len(t.columns) > 1]
    except Exception:  # a malformed drawing must not cost the page's text
        tables = []
    words = page.extract_words(extra_attrs=["fontname", "size"], x_tolerance=1.5,
                               y_tolerance=2, keep_blank_chars=False)
    boxes = [t.bbox for t in tables]
    words = [w for w in words if not any(_inside(w, b) for b in boxes)]
    lines = _words_to_lines(words, number)
    _mark_number_columns(lines)
    for table in tables:
        lines.extend(_table_rows(table, number))
    lines.sort(key=lambda ln: (round(ln.top, 1), ln.x0))
    return lines


def _inside(word: dict, box) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _words_to_lines(words: list[dict], page: int) -> list[_Line]:
    words = sorted(words, key=lambda w: (w["top"], w["x0"]))
    groups: list[list[dict]] = []
    for w in words:
        g = groups[-1] if groups else None
        if g is not None:
            top = min(x["top"] for x in g)
            bottom = max(x["bottom"] for x in g)
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if overlap > 0.5 * min(bottom - top, w["bottom"] - w["top"]):
                g.append(w)
                continue
        groups.append([w])
    return [_line(sorted(g, key=lambda w: w["x0"]), page) for g in groups]


def _mark_number_columns(lines: list[_Line]) -> None:
    """A bare number left of where the page's text lines start, with its text beside it, is an
    item number in a column of its own: it is followed by a tab, so that it reads as a label
    ("1<tab>Police Report") and a count at the margin ("3 Residents enquired") does not."""
    lefts = Counter(round(ln.x0) for ln in lines if not ln.row)
    for ln in lines:
        head, _, rest = ln.text.partition(" ")
        if not rest or "\t" in head or not re.fullmatch(r"\d{1,4}[.)]?|[a-zA-Z][.)]|\(\w{1,4}\)", head):
            continue
        if ln.second_x is not None and lefts.get(round(ln.second_x), 0) + \
                lefts.get(round(ln.second_x) - 1, 0) + lefts.get(round(ln.second_x) + 1, 0) >= 2:
            ln.text = head + "\t" + rest


def _line(words: list[dict], page: int) -> _Line:
    size = statistics.median(w["size"] for w in words)
    parts = [words[0]["text"]]
    for prev, w in zip(words, words[1:]):
        gap = w["x0"] - prev["x1"]
        raised = w["size"] < prev["size"] * 0.85 and w["bottom"] < prev["bottom"] - 1
        parts.append("" if raised and gap < size * 0.3 else
                     "\t" if gap > _COLUMN_GAP * size else " ")  # 10<sup>th</sup> → 10th
        parts.append(w["text"])
    text = "".join(parts)
    bold = all(_BOLD.search(w["fontname"] or "") for w in words)
    return _Line(page=page, x0=words[0]["x0"], x1=words[-1]["x1"],
                 top=min(w["top"] for w in words), bottom=max(w["bottom"] for w in words),
                 size=size, bold=bold, text=text,
                 first_word_width=words[0]["x1"] - words[0]["x0"],
                 second_x=words[1]["x0"] if len(words) > 1 else None)


def _table_rows(table, page: int) -> list[_Line]:
    out = []
    for row, cells in zip(table.rows, table.extract()):
        texts = []
        for cell in cells:
            text = " ".join((cell or "").split())
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        if not texts or row.bbox is None:
            continue
        x0, top, x1, bottom = row.bbox
        box = dict(page=page, x0=x0, x1=x1, top=top, bottom=bottom, size=0, bold=False,
                   first_word_width=0, row=True)
        prose = [c for c in cells if c and c.strip()]
        if len(prose) == 1 and prose[0] is cells[0] and (parts := _prose_cell(prose[0])):
            title, body = parts
            out.append(_Line(text=title, title=True, **box))
            out.append(_Line(text=body, **box))
            continue
        out.append(_Line(text=" | ".join(texts), **box))
    return out


def _prose_cell(cell: str) -> tuple[str, str] | None:
    """A table row that is one cell of prose under a short title line ("Police Matters:" over
    its minute) reads as a heading and its paragraphs: wrapped lines joined, a line that stops
    well short of the cell's width after a sentence end, or one before a label, breaks."""
    lines = [" ".join(ln.split()) for ln in cell.split("\n") if ln.strip()]
    if len(lines) < 2 or len(lines[0]) > 60 or lines[0].endswith((".", ",", ";")) \
            or not lines[0][:1].isupper():
        return None
    body = lines[1:]
    width = max(len(ln) for ln in body)
    out = body[0]
    for prev, ln in zip(body, body[1:]):
        if LABEL_START.match(ln) or BULLET_START.match(ln):
            out += "\n" + ln
        elif len(prev) + 1 + len(ln.split()[0]) < 0.9 * width:
            out += "\n\n" + ln  # stopped short: the author ended the line
        else:
            out += " " + ln
    return lines[0], out


def _key(text: str) -> str:
    """A line's identity across pages: digits and runs of punctuation do not count."""
    text = re.sub(r"\d+", "#", text.lower())
    return re.sub(r"[\W_]+", " ", text).strip()


def _strip_furniture(pages: list[list[_Line]]) -> list[str]:
    """Remove running headers, footers and page numbers in place; return the running lines."""
    n = len(pages)
    seen: Counter = Counter()
    for lines in pages:
        edge = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
        seen.update({_key(ln.text) for ln in edge if _key(ln.text)})
    repeated = {k for k, c in seen.items() if n >= 2 and c >= 2 and c >= 0.4 * n}
    running: list[str] = []
    for i, lines in enumerate(pages):
        drop = set()
        for j in list(range(min(_EDGE_LINES, len(lines)))) + \
                list(range(max(0, len(lines) - _EDGE_LINES), len(lines))):
            ln = lines[j]
            if _key(ln.text) in repeated:
                drop.add(j)
                if ln.text not in running:
                    running.append(ln.text)
        for j in (0, len(lines) - 1):  # a bare page number at the very top or bottom
            if 0 <= j < len(lines) and _PAGE_NUMBER.match(lines[j].text.strip()):
                drop.add(j)
        pages[i] = [ln for j, ln in enumerate(lines) if j not in drop]
    return running


def _assemble(lines: list[_Line]) -> Document:
    body = [ln.size for ln in lines if not ln.row]
    body_size = statistics.median(body) if body else 0
    pitch = _pitch(lines, body_size)
    right = _right_edges(lines)
    text_parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    prev: _Line | None = None
    prev_heading = False
    for ln in lines:
        heading = ln.title or _is_heading(ln, body_size) and not (
            prev is not None and not prev_heading and _wraps_onto(prev, ln, pitch, right))
        line_text = ln.text.strip()
        if prev is None:
            sep = ""
        else:
            sep = _separator(prev, ln, pitch, right, heading, prev_heading)
        if heading:
            line_text = "## " + line_text
        text_parts.append(sep)
        pos += len(sep)
        start = pos + (3 if heading else 0)
        text_parts.append(line_text)
        pos += len(line_text)
        spans.append(Span(start, pos, ln.page, (ln.x0, ln.top, ln.x1, ln.bottom)))
        prev, prev_heading = ln, heading
    return Document(text="".join(text_parts) + "\n", spans=spans)


def _pitch(lines: list[_Line], body_size: float) -> float:
    """The usual distance from one body line's top to the next's."""
    steps = [b.top - a.top for a, b in zip(lines, lines[1:])
             if a.page == b.page and not a.row and not b.row and b.top > a.top
             and abs(a.size - body_size) < 0.5 and abs(b.size - body_size) < 0.5]
    if not steps:
        return body_size * 1.2 or 12.0
    rounded = Counter(round(s) for s in steps)
    return float(rounded.most_common(1)[0][0])


def _right_edges(lines: list[_Line]) -> dict[int, float]:
    """Each page's right margin: where most full lines end."""
    by_page: dict[int, list[float]] = {}
    for ln in lines:
        if not ln.row:
            by_page.setdefault(ln.page, []).append(ln.x1)
    return {p: sorted(xs)[int(0.9 * (len(xs) - 1))] for p, xs in by_page.items()}


def _is_heading(ln: _Line, body_size: float) -> bool:
    text = ln.text.strip()
    if ln.row or not text or len(text) > 100 or LABEL_START.match(text) \
            or BULLET_START.match(text) or text.endswith((".", ",", ";")):
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    return ln.bold or (body_size > 0 and ln.size > body_size * _HEADING_SIZE)


def _wraps_onto(prev: _Line, ln: _Line, pitch: float, right: dict[int, float]) -> bool:
    """A body line that ran to the margin without ending its sentence continues on ``ln``: a
    bold line there carries on the sentence and is no heading."""
    if prev.row or ln.row or ln.page != prev.page or ln.top - prev.top > _PARAGRAPH_GAP * pitch \
            or ln.top < prev.top or prev.text.rstrip().endswith(_TERMINAL):
        return False
    text = ln.text.strip()
    if LABEL_START.match(text) or BULLET_START.match(text):
        return False
    return prev.x1 + ln.first_word_width + ln.size * 0.5 >= right.get(ln.page, prev.x1)


def _separator(prev: _Line, ln: _Line, pitch: float, right: dict[int, float], heading: bool,
               prev_heading: bool) -> str:
    if heading or prev_heading or prev.row or ln.row:
        return "\n\n" if heading or prev_heading else "\n"
    text = ln.text.strip()
    starts_item = bool(LABEL_START.match(text) or BULLET_START.match(text))
    ended = prev.text.rstrip().endswith(_TERMINAL)
    if ln.page != prev.page:
        return "\n\n" if ended or starts_item else " "
    if ln.top - prev.top > _PARAGRAPH_GAP * pitch or ln.top < prev.top - pitch:
        return "\n\n"
    if starts_item:
        return "\n"
    fitted = prev.x1 + ln.first_word_width + ln.size * 0.5 < right.get(ln.page, prev.x1)
    if fitted:
        return "\n\n" if ended else "\n"
    return " "


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
