"""PDF by layout. Characters and their boxes come from PDFium (pypdfium2, Apache-2.0/BSD: a
C++ text layer, about 30 ms a page); ruled tables from pdfplumber (MIT), asked only on pages that
draw lines. PyMuPDF is not used: its AGPL would bind every council that runs Clerk as a network
service to publish its changes.

Filled-in form fields and annotations are first flattened into their pages, as a viewer draws
them (an agenda template's date and venue are typed into its boxes, not printed in its text).
Words become lines by position; lines become paragraphs by the page's own typography:
- a running header or footer (the same line, digits aside, at the top or bottom of many pages)
  and a bare page number at a page's edge are furniture, not text;
- a vertical gap wider than the document's usual line pitch ends a paragraph;
- a line that stops short although the next line's first word would have fitted was broken on
  purpose: after a sentence end it ends a paragraph, otherwise it keeps its own line (a list,
  an address, a table typed with spaces);
- otherwise wrapped lines are joined; a paragraph carried over a page break is joined too, and
  so is a line that opens with a number but carries a wrapped sentence on in lower case;
- a narrow column of notes down the right edge (action initials) is printed after the sentence
  it sits beside, so that it does not split it;
- a ruled table becomes one line per row, cells joined with " | ";
- a line wholly in bold or in a larger type than the body, short and not a sentence (an
  abbreviation's stops aside), is a heading, unless its sentence wraps onto the next line;
- a wide horizontal gap inside a line (a number in its own column) becomes a tab.
"""

import ctypes
import io
import logging
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from assistant.errors import PaperError
from ingest.labels import BULLET_START, LABEL_START, match_label
from ingest.readers import Document, Span

_TERMINAL = (".", "!", "?", ":", ";", "”", '"')
_PAGE_NUMBER = re.compile(r"^(?:page\s*\|?\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:of|/)\s*\d{1,4})?$",
                          re.I)
_ABBREVIATION = re.compile(r"(?:[A-Za-z]{1,2}\.\s?){2,}")  # "A.O.C.B.": a heading's stop
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
# Characters PDFium reports as what no reader can use: its mark for a hyphen that ends a line
# (2), and Word's Symbol and Wingdings bullets as private-use code points (a box on screen, and
# no bullet to the list readers), each made the bullet it draws so that a list's levels stay
# apart. (PDFium already spells ligatures such as U+FB01 out as letters.)
_GLYPHS = {2: "-", 0xF0B7: "•", 0xF0A7: "▪", 0xF06C: "●", 0xF06E: "■", 0xF076: "❖", 0xF0D8: "➢",
           0xF0FC: "✓"}
# Layout ratios, in units of the body's own type: typographic definitions, not tuned values.
_PARAGRAPH_GAP = 1.4  # line pitch multiple beyond which vertical space separates paragraphs
_COLUMN_GAP = 1.5  # em: a horizontal gap this wide inside a line separates columns (a tab)
_NOTE_GAP = 0.8  # em: at least this much space sets a note apart from the line it sits beside
_HEADING_SIZE = 1.15  # type this much larger than the body's is a heading's
_SPACE_AFTER = 0.25  # em: a step this much beyond the pitch is space set after a paragraph
_SIDE_WORDS = 4  # a side label ("In Attendance:") is a word or a few, ending with a colon
_LEAD_IN_WORDS = 5  # a colon-ended line of this many words, most in lower case, is a sentence
_RULE_WIDTH = 1.5  # pt: a path no thicker than this, drawn under a line of text, underlines it
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
    words: tuple = ()  # (x0, x1, text) of each word, left to right
    note: str = ""  # what the line holds in a right-hand action column
    margin: float | None = None  # the right edge of the box the line is set in, if not the page's
    underlined: bool = False  # a rule drawn under the whole line: emphasis, as bold is


def open_flattened(source):
    """A PDF (bytes or a path) as a viewer shows it: each page's filled-in form fields (a
    meeting's date typed into an agenda template's box) and text annotations (a typewriter
    note) made part of its printed content, so that the reader reads them and a rendered page
    shows them. Pages are fetched afresh after this: flattening replaces a page's content.
    Also returns, for each flattened page (0-based), how many characters it printed before: the
    flattened text follows them, and no word runs on from the one into the other (a value typed
    over a blank "be __ minutes" is its own word)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(source)
    printed: dict[int, int] = {}
    try:
        pdf.init_forms()  # before any page is fetched, or fields are not drawn
        for n in range(len(pdf)):
            page = pdf[n]
            try:
                if raw.FPDFPage_GetAnnotCount(page) > 0:
                    textpage = page.get_textpage()
                    printed[n] = textpage.count_chars()
                    textpage.close()
                    if page.formenv:  # the document has a form: its fields are drawn too
                        page.flatten(flag=raw.FLAT_NORMALDISPLAY)
                    else:
                        raw.FPDFPage_Flatten(page, raw.FLAT_NORMALDISPLAY)
            finally:
                page.close()
    except Exception:
        pdf.close()
        raise
    return pdf, printed


def read(data: bytes) -> Document:
    import pypdfium2 as pdfium

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font-descriptor chatter, not faults
    if b"%PDF" not in data[:1024]:
        raise PaperError("not a PDF file (no %PDF header); the file may be corrupt or mislabelled")
    try:
        pdf, printed = open_flattened(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc).lower()
        if "password" in reason or "security" in reason:
            raise PaperError("the PDF is encrypted") from exc
        raise PaperError(f"corrupt PDF: {_one_line(exc)}") from exc
    except Exception as exc:  # a broken form or annotation: one line, not a traceback
        raise PaperError(f"corrupt PDF: {exc.__class__.__name__}: {_one_line(exc)}") from exc
    try:
        count = len(pdf)
        loaded = [pdf[n] for n in range(count)]
        ruled = [n for n, page in enumerate(loaded) if _draws_lines(page)]
        tables = _tables(data, ruled) if ruled else {}
        pages = [_page_lines(page, n + 1, tables.get(n, []), _rules(page) if n in ruled else [],
                             printed.get(n))
                 for n, page in enumerate(loaded)]
    except PaperError:
        raise
    except Exception as exc:  # a broken page stream: one line, not a traceback
        raise PaperError(f"corrupt PDF: {exc.__class__.__name__}: {_one_line(exc)}") from exc
    finally:
        pdf.close()
    _split_action_column(pages)
    _mark_columns([ln for page in pages for ln in page])
    running = _strip_furniture(pages)
    lines = [ln for page in pages for ln in page]
    if not lines:
        raise PaperError("no text found in the PDF (a scanned PDF needs OCR first)")
    doc = _assemble(lines)
    doc.pages = count
    if running:
        doc.hints["running"] = "\n".join(running)
    return doc


def _draws_lines(page) -> bool:
    """Whether a page draws paths (rules, boxes): only then can it hold a ruled table."""
    import pypdfium2.raw as raw

    return any(True for _ in page.get_objects(filter=(raw.FPDF_PAGEOBJ_PATH,), max_depth=2))


def _tables(data: bytes, pages: list[int]) -> dict[int, list]:
    """Ruled tables (pdfplumber) on the given pages: {page index: [(bbox, rows)]}."""
    import pdfplumber

    out: dict[int, list] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for n in pages:
                found = [t for t in pdf.pages[n].find_tables()
                         if len(t.rows) > 1 and len(t.columns) > 1]
                out[n] = [(t.bbox, list(zip(t.rows, t.extract()))) for t in found]
    except Exception:  # a table finder's failure must not cost the paper's text
        return {}
    return out


def _page_lines(page, number: int, tables: list, rules: list | None = None,
                printed: int | None = None) -> list[_Line]:
    words = _words(page, printed)
    boxes = [bbox for bbox, _ in tables]
    cells = [box for _, rows in tables for row, texts in rows if (box := _prose_box(row, texts))]
    in_cells = [[w for w in words if _inside(w, box)] for box in cells]
    words = [w for w in words if not any(_inside(w, b) for b in boxes)]
    width = page.get_size()[0]
    gutter = _gutter(words, width)
    if gutter is None:
        lines = _attach_margin_notes(_words_to_lines(words, number), width)
    else:  # two columns: the left one read whole, then the right one
        left = [w for w in words if w["x1"] <= gutter]
        right = [w for w in words if w["x0"] >= gutter]
        lines = _words_to_lines(left, number) + _words_to_lines(right, number)
    for bbox, rows in tables:
        lines.extend(_table_rows(rows, number))
    for cell_words in in_cells:  # a box of prose is read by layout, its title a heading
        cell_lines = _words_to_lines(cell_words, number)
        if cell_lines:
            cell_lines[0].title = True
        for ln in cell_lines:
            ln.margin = max(c.x1 for c in cell_lines)
        lines.extend(cell_lines)
    if gutter is None or tables:
        lines.sort(key=lambda ln: (round(ln.top, 1), ln.x0))
    for ln in lines:
        ln.underlined = bool(rules) and not ln.row and _underlined(ln, rules)
    return lines


def _rules(page) -> list[tuple[float, float, float]]:
    """The thin horizontal rules a page draws, as (x0, x1, y from the top)."""
    import pypdfium2.raw as raw

    height = page.get_size()[1]
    out = []
    for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_PATH,), max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if top - bottom <= _RULE_WIDTH and right - left > 0:
            out.append((left, right, height - (top + bottom) / 2))
    return out


def _underlined(ln: _Line, rules: list) -> bool:
    """Rules just under the line's letters run along all of it (an underlined title)."""
    below = sorted((x0, x1) for x0, x1, y in rules
                   if ln.top + 0.6 * ln.size <= y <= ln.bottom + 0.4 * ln.size
                   and x1 > ln.x0 and x0 < ln.x1)
    covered, reach = 0.0, ln.x0
    for x0, x1 in below:
        if x1 > reach:
            covered += x1 - max(x0, reach)
            reach = x1
    return covered >= 0.9 * (ln.x1 - ln.x0)


def _gutter(words: list[dict], width: float) -> float | None:
    """The x of a gutter between two columns of text: a vertical strip in the page's middle
    third that no word crosses, at least an em wide, with a column of full lines either side
    (each at least a quarter of the page's words and holding sentences, not a grid of names).
    None for a page of one column."""
    if len(words) < 40:
        return None
    size = statistics.median(w["size"] for w in words)
    best = None
    for x in range(int(width / 3), int(2 * width / 3), 2):
        if any(w["x0"] < x + size / 2 and w["x1"] > x - size / 2 for w in words):
            continue
        left = [w for w in words if w["x1"] <= x]
        right = [w for w in words if w["x0"] >= x]
        if min(len(left), len(right)) < 0.25 * len(words):
            continue
        if not all(_prose(side) for side in (left, right)):
            continue
        best = x
        break
    return float(best) if best is not None else None


def _prose(words: list[dict]) -> bool:
    """Running text: most of its lines hold several words (a column, not a list of names)."""
    rows: dict[int, int] = {}
    for w in words:
        rows[round(w["base"])] = rows.get(round(w["base"]), 0) + 1
    return bool(rows) and statistics.median(rows.values()) >= 5


def _words(page, printed: int | None = None) -> list[dict]:
    """The page's words from PDFium's characters: text, box (origin top left), size, font. A
    word never runs on across character ``printed`` (where flattened form text starts)."""
    import pypdfium2.raw as raw

    height = page.get_size()[1]
    textpage = page.get_textpage()
    rect = raw.FS_RECTF()
    name = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    words: list[dict] = []
    current: dict | None = None
    try:
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage, i)
            ch = _GLYPHS.get(code) or (chr(code) if code else "")
            if not ch or ch.isspace() or code in (0xFFFE, 0xFFFF):
                current = None
                continue
            filled = printed is not None and i >= printed
            raw.FPDFText_GetLooseCharBox(textpage, i, rect)
            size = rect.top - rect.bottom  # as drawn: the font size times the text matrix
            x0, x1, top, bottom = rect.left, rect.right, height - rect.top, height - rect.bottom
            if current is not None and current["filled"] == filled \
                    and abs(top - current["top"]) < 0.5 * size \
                    and -0.5 * size < x0 - current["x1"] < 0.15 * size:
                current["text"] += ch
                current["x1"] = max(current["x1"], x1)
                current["bottom"] = max(current["bottom"], bottom)
                continue
            raw.FPDFText_GetCharOrigin(textpage, i, ox, oy)
            raw.FPDFText_GetFontInfo(textpage, i, name, len(name), ctypes.byref(flags))
            font = name.value.decode("latin-1", "replace")  # "ABCDEF+Arial-BoldMT": bold by name
            current = {"text": ch, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                       "size": size, "fontname": font, "base": height - oy.value,
                       "filled": filled}
            words.append(current)
    finally:
        textpage.close()
    return words


def _inside(word: dict, box) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _words_to_lines(words: list[dict], page: int) -> list[_Line]:
    """Words on one baseline (a raised superscript too) are one line, read left to right."""
    words = sorted(words, key=lambda w: (w["base"], w["x0"]))
    groups: list[list[dict]] = []
    for w in words:
        g = groups[-1] if groups else None
        if g is not None:
            base = g[0]["base"]
            top = min(x["top"] for x in g)
            bottom = max(x["bottom"] for x in g)
            overlap = min(bottom, w["bottom"]) - max(top, w["top"])
            if abs(w["base"] - base) < 0.3 * max(w["size"], g[0]["size"]) \
                    or overlap > 0.5 * min(bottom - top, w["bottom"] - w["top"]):
                g.append(w)
                continue
        groups.append([w])
    return [_line(sorted(g, key=lambda w: w["x0"]), page) for g in groups]


def _attach_margin_notes(lines: list[_Line], width: float) -> list[_Line]:
    """A short fragment in the right part of the page (action initials, "Noted", a sum) printed
    a little above or below the text it belongs to joins the nearest line to its left."""
    notes = [ln for ln in lines if ln.x0 > 0.6 * width and len(ln.text.split()) <= 3]
    if not notes:
        return lines
    kept = [ln for ln in lines if ln not in notes]
    for note in notes:
        near = [ln for ln in kept if ln.x1 < note.x0 and abs(ln.top - note.top) < ln.size]
        if not near:
            kept.append(note)
            continue
        host = min(near, key=lambda ln: abs(ln.top - note.top))
        host.text = f"{host.text}\t{note.text}"
        host.x1 = max(host.x1, note.x1)
    kept.sort(key=lambda ln: (round(ln.top, 1), ln.x0))
    return kept


def _mark_columns(lines: list[_Line]) -> None:
    """Text set beside a label in a column of its own starts where the paper's text lines start
    (on any of its pages): a bare number before it is an item number ("1<tab>Police Report",
    while a count at the margin, "3 Residents enquired", is not), and a short lead ending with a
    colon before it is a side label ("In Attendance:<tab>Mrs ..."). The gap becomes a tab."""
    lefts = Counter(round(ln.x0) for ln in lines if not ln.row)

    def column(x: float) -> bool:
        return sum(lefts.get(round(x) + d, 0) for d in (-1, 0, 1)) >= 2

    for k, ln in enumerate(lines):
        if ln.row:
            continue
        head, _, rest = ln.text.partition(" ")
        if rest and "\t" not in head \
                and re.fullmatch(r"\d{1,4}[.)]?|[a-zA-Z][.)]|\(\w{1,4}\)", head):
            if ln.second_x is not None and column(ln.second_x):
                ln.text = head + "\t" + rest
            continue
        _mark_side_label(ln, lines[k + 1] if k + 1 < len(lines) else None, column)


def _mark_side_label(ln: _Line, below: _Line | None, column) -> None:
    """A lead of a few words ending with a colon at the line's start, the text after it starting
    at a column where other lines start, or where the line below (its wrapped text) hangs: a
    tab between them."""
    words = ln.words
    hanging = below is not None and not below.row and below.page == ln.page \
        and 0 < below.top - ln.top < 2 * ln.size
    for k in range(1, min(_SIDE_WORDS, len(words) - 1) + 1):
        lead, nxt = words[k - 1], words[k]
        if not lead[2].endswith(":"):
            continue
        hangs = hanging and abs(below.x0 - nxt[0]) <= 1
        if round(nxt[0]) > round(ln.x0) and (
                hangs or nxt[0] - lead[1] > ln.size * 0.25 and column(nxt[0])):
            pair = f"{lead[2]} {nxt[2]}"
            at = ln.text.find(pair)
            if at >= 0 and "\t" not in ln.text[:at]:
                cut = at + len(lead[2])
                ln.text = ln.text[:cut] + "\t" + ln.text[cut + 1:]
        return


def _line(words: list[dict], page: int) -> _Line:
    size = statistics.median(w["size"] for w in words)
    parts = [words[0]["text"]]
    for prev, w in zip(words, words[1:]):
        gap = w["x0"] - prev["x1"]
        raised = w["size"] < prev["size"] * 0.85 and w["bottom"] < prev["bottom"] - 1 \
            and w.get("filled") == prev.get("filled")  # a value typed into a form is no index
        parts.append("" if raised and gap < size * 0.3 else
                     "\t" if gap > _COLUMN_GAP * size else " ")  # 10<sup>th</sup> → 10th
        parts.append(w["text"])
    text = "".join(parts)
    bold = all(_BOLD.search(w["fontname"] or "") for w in words)
    return _Line(page=page, x0=words[0]["x0"], x1=words[-1]["x1"],
                 top=min(w["top"] for w in words), bottom=max(w["bottom"] for w in words),
                 size=size, bold=bold, text=text,
                 first_word_width=words[0]["x1"] - words[0]["x0"],
                 second_x=words[1]["x0"] if len(words) > 1 else None,
                 words=tuple((w["x0"], w["x1"], w["text"]) for w in words))


def _split_action_column(pages: list[list[_Line]]) -> None:
    """A narrow column down the right edge (action initials, "Noted") beside the text: several
    lines end with a short run of words set apart by more than a word space and starting at
    one x, and no other word crosses that x.
    Its words leave the line's text for ``note``, to be printed after the paragraph's sentence
    (a note beside a wrapped line would otherwise split it)."""
    lines = [ln for page in pages for ln in page if not ln.row and len(ln.words) >= 2]
    if not lines:
        return
    right = max(w[1] for ln in lines for w in ln.words)
    starts = Counter(round(ln.words[-1][0]) for ln in lines
                     if ln.words[-1][0] > 0.75 * right
                     and ln.words[-1][0] - ln.words[-2][1] > _NOTE_GAP * ln.size)
    for x, count in starts.most_common():
        if count < 3:
            return
        crossed = any(w[0] < x - 1 and w[1] > x + 1 for ln in lines for w in ln.words)
        if not crossed:
            break
    else:
        return
    for ln in lines:
        tail = [w for w in ln.words if w[0] >= x - 1]
        body = ln.words[:len(ln.words) - len(tail)]
        if not tail or not body or len(tail) > 3 or tail[0][0] - body[-1][1] < _NOTE_GAP * ln.size:
            continue
        note = " ".join(w[2] for w in tail)
        text = ln.text.rstrip()
        if not text.endswith(tail[-1][2]):
            continue  # a margin note was attached after it: leave the line as it is
        cut = len(text) - len(tail[-1][2])
        for w in reversed(tail[:-1]):
            cut = text.rindex(w[2], 0, cut)
        ln.text, ln.note = text[:cut].rstrip(" \t"), note
        ln.x1, ln.words = body[-1][1], body


def _table_rows(rows: list, page: int) -> list[_Line]:
    out = []
    for row, cells in rows:
        texts = []
        for cell in cells:
            text = " ".join((cell or "").split())
            if text and (not texts or texts[-1] != text):
                texts.append(text)
        if not texts or row.bbox is None or _prose_box(row, cells):
            continue
        x0, top, x1, bottom = row.bbox
        out.append(_Line(page=page, x0=x0, x1=x1, top=top, bottom=bottom, size=0, bold=False,
                         first_word_width=0, row=True, text=" | ".join(texts)))
    return out


def _prose_box(row, cells: list) -> tuple | None:
    """The box of a table row that is one cell of prose under a short title line ("Police
    Matters:" over its minute), the other cells empty: a box drawn round paragraphs, to be read
    by layout like the page's text (its vertical gaps, short lines and labels end paragraphs)."""
    filled = [c for c in cells if c and c.strip()]
    if len(filled) != 1 or filled[0] is not cells[0] or not row.cells or row.cells[0] is None:
        return None
    lines = [" ".join(ln.split()) for ln in cells[0].split("\n") if ln.strip()]
    if len(lines) < 2 or len(lines[0]) > 60 or lines[0].endswith((".", ",", ";")) \
            or not lines[0][:1].isupper():
        return None
    return tuple(row.cells[0])


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
    spaced = _spaces_paragraphs(lines, pitch, right)
    text_parts: list[str] = []
    spans: list[Span] = []
    notes: list[str] = []  # action-column notes waiting for the end of their sentence
    pos = 0
    prev: _Line | None = None
    prev_heading = False
    for k, ln in enumerate(lines):
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        heading = ln.title or _is_heading(ln, body_size) and not (
            prev is not None and not prev_heading and _wraps_onto(prev, ln, pitch, right)) \
            and not (nxt is not None and _wraps_onto(ln, nxt, pitch, right)
                     and nxt.text.strip()[:1].islower() and abs(nxt.x0 - ln.x0) < ln.size)
        line_text = ln.text.strip()
        if prev is None:
            sep = ""
        else:
            sep = _separator(prev, ln, pitch, right, heading, prev_heading, spaced)
        if notes and sep != " ":
            pos = _flush_notes(notes, text_parts, spans, pos)
        if heading:
            line_text = "## " + line_text
        text_parts.append(sep)
        pos += len(sep)
        start = pos + (3 if heading else 0)
        text_parts.append(line_text)
        pos += len(line_text)
        spans.append(Span(start, pos, ln.page, (ln.x0, ln.top, ln.x1, ln.bottom)))
        if ln.note:
            notes.append(ln.note)
        prev, prev_heading = ln, heading
    if notes:
        _flush_notes(notes, text_parts, spans, pos)
    return Document(text="".join(text_parts) + "\n", spans=spans)


def _flush_notes(notes: list[str], parts: list[str], spans: list[Span], pos: int) -> int:
    """Print the waiting action-column notes after the line just written, tab-separated."""
    added = "".join("\t" + n for n in notes)
    parts.append(added)
    pos += len(added)
    last = spans[-1]
    spans[-1] = Span(last.start, pos, last.page, last.box)
    notes.clear()
    return pos


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
        if not ln.row and ln.margin is None:
            by_page.setdefault(ln.page, []).append(ln.x1)
    return {p: sorted(xs)[int(0.9 * (len(xs) - 1))] for p, xs in by_page.items()}


def _is_heading(ln: _Line, body_size: float) -> bool:
    text = ln.text.strip()
    if ln.row or not text or len(text) > 100 or LABEL_START.match(text) \
            or BULLET_START.match(text) or text.endswith((",", ";")) \
            or text.endswith(".") and not _ABBREVIATION.fullmatch(text):
        return False
    if not any(ch.isalpha() for ch in text) or _lead_in(text) or _figure_row(text):
        return False
    return ln.bold or ln.underlined or (body_size > 0 and ln.size > body_size * _HEADING_SIZE)


def _lead_in(text: str) -> bool:
    """A sentence leading into a list ("Council is recommended to approve: -"): it ends with a
    colon and most of its words, several of them, are in lower case. A title ending with a colon
    ("Police Matters:", "Fife Council and Other Correspondence:") is capitalised."""
    if not text.rstrip(" -–").endswith(":"):
        return False
    words = [w for w in re.findall(r"[^\W\d_]+", text)]
    lower = [w for w in words if w[0].islower()]
    return len(words) >= _LEAD_IN_WORDS and 2 * len(lower) > len(words)


def _figure_row(text: str) -> bool:
    """A line whose last column holds only a figure ("Total<tab>£125,000"): a table's row."""
    head, tab, tail = text.rpartition("\t")
    return bool(tab) and bool(head.strip()) and bool(re.fullmatch(r"[^\w]*\d[\d,. ]*%?", tail.strip()))


def _wraps_onto(prev: _Line, ln: _Line, pitch: float, right: dict[int, float]) -> bool:
    """A body line that ran to the margin without ending its sentence continues on ``ln``: a
    bold line there carries on the sentence and is no heading."""
    if prev.row or ln.row or ln.page != prev.page or ln.top - prev.top > _PARAGRAPH_GAP * pitch \
            or ln.top < prev.top or prev.text.rstrip().endswith(_TERMINAL):
        return False
    text = ln.text.strip()
    if LABEL_START.match(text) or BULLET_START.match(text):
        return False
    return prev.x1 + ln.first_word_width + ln.size * 0.5 >= _margin(prev, ln, right)


def _separator(prev: _Line, ln: _Line, pitch: float, right: dict[int, float], heading: bool,
               prev_heading: bool, spaced: bool = False) -> str:
    if heading or prev_heading or prev.row or ln.row:
        return "\n\n" if heading or prev_heading else "\n"
    text = ln.text.strip()
    ended = prev.text.rstrip().endswith(_TERMINAL)
    starts_item = bool(LABEL_START.match(text) or BULLET_START.match(text)) \
        and not (not ended and _reference_carried_on(prev, ln, right))
    if ln.page != prev.page:
        return "\n\n" if ended or starts_item else " "
    if ln.top - prev.top > _PARAGRAPH_GAP * pitch or ln.top < prev.top - pitch:
        return "\n\n"
    if starts_item:
        return "\n"
    if _stops_short(prev, ln, right):
        if ended and spaced and not _space_after(prev, ln, pitch):
            return "\n"  # a paper that spaces its paragraphs: a list of sentences, one a line
        return "\n\n" if ended else "\n"
    return " "


def _margin(prev: _Line, ln: _Line, right: dict[int, float]) -> float:
    """Where ``ln``'s lines end when full: its box's right edge, or its page's."""
    return ln.margin if ln.margin is not None else right.get(ln.page, prev.x1)


def _stops_short(prev: _Line, ln: _Line, right: dict[int, float]) -> bool:
    """``prev`` ended before the margin although ``ln``'s first word would have fitted there."""
    return prev.x1 + ln.first_word_width + ln.size * 0.5 < _margin(prev, ln, right)


def _space_after(prev: _Line, ln: _Line, pitch: float) -> bool:
    """More than the line pitch between ``prev`` and ``ln``: space set after a paragraph."""
    return ln.top - prev.top > pitch + _SPACE_AFTER * max(ln.size, prev.size)


def _spaces_paragraphs(lines: list[_Line], pitch: float, right: dict[int, float]) -> bool:
    """Whether the paper ends its paragraphs with vertical space: most of its body lines that
    end a sentence and stop short of the margin have space after them. Such a paper's unspaced
    short sentences are lines of one paragraph (a list typed a line each); a paper without
    that habit ends a paragraph with the short line itself."""
    spaced = unspaced = 0
    for prev, ln in zip(lines, lines[1:]):
        if prev.row or ln.row or ln.page != prev.page or ln.top <= prev.top \
                or not prev.text.rstrip().endswith(_TERMINAL) or not _stops_short(prev, ln, right):
            continue
        text = ln.text.strip()
        if LABEL_START.match(text) or BULLET_START.match(text):
            continue
        if _space_after(prev, ln, pitch):
            spaced += 1
        else:
            unspaced += 1
    return spaced > unspaced


def _reference_carried_on(prev: _Line, ln: _Line, right: dict[int, float]) -> bool:
    """A line that ran to the margin mid-sentence, followed by one opening with a number that
    reads as a label but carries the sentence on in lower case ("... inspection of footpath" /
    "44/146 in the vicinity"): a reference wrapped to the line's start, not an item."""
    label = match_label(ln.text.strip())
    if label is None or not ln.text.strip()[label.end:][:1].islower():
        return False
    return prev.x1 + ln.first_word_width + ln.size * 0.5 >= _margin(prev, ln, right)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
