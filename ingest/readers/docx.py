"""Read a Word (.docx) paper: the body in the order Word shows it, paragraphs and tables
interleaved, with Word's automatic list numbers written out as the reader sees them.

The zip is checked before anything is parsed: a small file whose XML expands a thousandfold
once kept ingest busy for ten minutes.
"""

import io
import re
import zipfile

from assistant.errors import PaperError
from ingest.readers import Document
from ingest.readers._blocks import ITEM_NUMBER, join_blocks, join_broken_lines, one_line
from ingest.labels import match_label
from ingest.readers.numbering import Numbering

# Real committee papers expand to well under 5 MB of XML (the corpus's largest is 0.2 MB, images
# aside); 40 MB leaves room for long reports with embedded images while refusing bombs before
# lxml and python-docx spend minutes on them.
MAX_EXPANDED_BYTES = 40_000_000
# Word's XML compresses 5-20 times (the corpus: 6.8-18.2); a part that compresses more than
# 200 times is padding built to expand, not a paper. Only checked on parts over 1 MB, where
# the expansion could matter.
MAX_COMPRESSION_RATIO = 200
_RATIO_CHECKED_ABOVE = 1_000_000
# A DOCX holds a few dozen parts; thousands of entries are a zip built to exhaust the reader.
MAX_ENTRIES = 5_000

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_HEADING_STYLE = re.compile(r"^(?:heading [1-9]|title)$", re.IGNORECASE)
# Containers whose children are body content (content controls, custom XML, tracked moves).
_TRANSPARENT = {W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins",
                W + "moveTo", W + "hyperlink", W + "fldSimple", W + "r", W + "dir", W + "bdo"}
# Parts of a run that are not the displayed text: deleted text, field codes, footnote marks,
# drawings (a text box's paragraphs are read as blocks of their own).
_SKIPPED = {W + "del", W + "moveFrom", W + "instrText", W + "delText", W + "rPr", W + "pPr",
            W + "txbxContent", _MC_FALLBACK}
# A page number typed into the body (converters from PDF leave them): "Page 1 of 3", "- 2 -".
_PAGE_NUMBER = re.compile(r"^(?:page\s*\d+(?:\s*(?:of|/)\s*\d+)?|-\s*\d+\s*-)$", re.IGNORECASE)
# A stand-alone line wholly in bold, italic or underline is how most Word authors make a
# heading: at most this many words, and no sentence end.
_EMPHASIS_WORDS = 12
_SENTENCE_END = (".", ";", ",", "!", "?")
_EMPHASES = ("b", "i", "u")
_GENERIC_TITLE = re.compile(r"^(?:microsoft word\s*-|document\d*$|untitled|title$)"
                            r"|\.(?:docx?|rtf|dot)$",
                            re.IGNORECASE)


def read(data: bytes) -> Document:
    """The paper's text per ``Document``'s conventions, or PaperError saying why it can't be."""
    _check_zip(data)
    import docx

    try:
        word = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, its own package errors
        raise PaperError(f"corrupt or not a .docx file: {_one_line(exc)}") from exc
    styles = _Styles(word)
    numbering = Numbering(_numbering_element(word), styles.numbering_of)
    blocks = _Body(styles, numbering).blocks(word.element.body)
    text = join_blocks(blocks)
    if not text:
        raise PaperError("the document holds no text")
    hints = {}
    title = _title(word.core_properties.title, text)
    if title:
        hints["title"] = title
    return Document(text=text, hints=hints)


def _check_zip(data: bytes) -> None:
    """Refuse a corrupt zip, a zip that is not a Word document, or one that would expand
    beyond reason, from the central directory alone (nothing is decompressed here)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise PaperError(f"corrupt or not a .docx file (not a readable zip: {_one_line(exc)})") \
            from exc
    if len(entries) > MAX_ENTRIES:
        raise PaperError(f"the .docx holds {len(entries):,} parts; the limit is {MAX_ENTRIES:,}")
    names = {e.filename for e in entries}
    if "word/document.xml" not in names and "[Content_Types].xml" not in names:
        raise PaperError("not a .docx file: the zip holds no Word document")
    total = sum(e.file_size for e in entries)
    if total > MAX_EXPANDED_BYTES:
        raise PaperError(f"the .docx expands to {total:,} bytes; the limit is "
                         f"{MAX_EXPANDED_BYTES:,}")
    for e in entries:
        ratio = e.file_size // max(e.compress_size, 1)
        if e.file_size > _RATIO_CHECKED_ABOVE and ratio > MAX_COMPRESSION_RATIO:
            raise PaperError(f"the .docx part {e.filename} expands {ratio:,} times; "
                             f"the limit is {MAX_COMPRESSION_RATIO}")


def _numbering_element(word):
    try:
        return word.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None


class _Styles:
    """Paragraph styles by id: whether a style is a heading, and the numbering it carries,
    both following the ``basedOn`` chain as Word does."""

    def __init__(self, word):
        self._by_id = {}
        self._emphasis: dict[str, dict[str, bool | None]] = {}
        root = word.styles.element
        for style in root.iterchildren(W + "style"):
            sid = style.get(W + "styleId")
            if sid is None:
                continue
            name = style.find(W + "name")
            based = style.find(W + "basedOn")
            num_pr = style.find(f"{W}pPr/{W}numPr")
            self._by_id[sid] = (
                (name.get(W + "val") if name is not None else sid) or sid,
                based.get(W + "val") if based is not None else None,
                _num_pr(num_pr) if num_pr is not None else None,
            )
            self._emphasis[sid] = {tag: _toggle(style.find(f"{W}rPr/{W}{tag}"))
                                   for tag in _EMPHASES}
        self.default = next((s.get(W + "styleId") for s in root.iterchildren(W + "style")
                             if s.get(W + "type") == "paragraph" and s.get(W + "default") in
                             ("1", "true", "on")), None)

    def _chain(self, sid):
        seen = set()
        while sid and sid in self._by_id and sid not in seen:
            seen.add(sid)
            yield sid, self._by_id[sid]
            sid = self._by_id[sid][1]

    def is_heading(self, sid) -> bool:
        return any(_HEADING_STYLE.match(name.strip()) for _, (name, _, _) in self._chain(sid))

    def emphasis(self, sid, tag: str) -> bool:
        """Whether the style (or one it is based on) sets bold/italic/underline ``tag``."""
        for key, _ in self._chain(sid):
            value = self._emphasis[key][tag]
            if value is not None:
                return value
        return False

    def numbering_of(self, sid):
        """(numId, ilvl or None) the style gives its paragraphs, or None."""
        for _, (_, _, num) in self._chain(sid):
            if num is not None:
                return num
        return None


def _num_pr(num_pr):
    num_id = num_pr.find(W + "numId")
    ilvl = num_pr.find(W + "ilvl")
    return (num_id.get(W + "val") if num_id is not None else None,
            _int(ilvl.get(W + "val")) if ilvl is not None else None)


def _toggle(element) -> bool | None:
    """A run property's setting: on, off, or None where the element is absent. Underline is
    on for any ``w:val`` but ``none``."""
    if element is None:
        return None
    value = element.get(W + "val")
    if element.tag == W + "u":
        return value != "none"
    return value not in ("0", "false", "off")


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class _Body:
    """Walks the body once, in document order, keeping Word's list counters as it goes."""

    def __init__(self, styles: _Styles, numbering: Numbering):
        self.styles = styles
        self.numbering = numbering
        self._in_table = 0  # table cells are joined into rows: no headings there

    def blocks(self, container) -> list[str]:
        out: list[str] = []
        # An explicit stack, not recursion: content controls may nest deeply.
        stack = [iter(container)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            tag = child.tag
            if tag == W + "p":
                out.extend(self.paragraph(child))
            elif tag == W + "tbl":
                out.extend(self.table(child))
            elif tag in _TRANSPARENT:
                stack.append(iter(child))
        return out

    def paragraph(self, p) -> list[str]:
        """The paragraph as one block (plus any text box it anchors), or nothing if blank."""
        ppr = p.find(W + "pPr")
        style = self._style_id(ppr)
        marker = self.numbering.marker(self._num_pr(ppr, style), style)
        segments, boxes = _text(p)
        body = join_broken_lines(segments)
        extra = [b for box in boxes for b in self.blocks(box)]
        if not body:
            return extra
        if _PAGE_NUMBER.match(body):
            return extra
        if marker == "-":
            return [f"- {body}", *extra]
        if marker:
            return [f"{marker} {body}", *extra]
        if self.styles.is_heading(style) and not ITEM_NUMBER.match(body.split(" ", 1)[0]) \
                and not _unbolded(p):
            # A heading that starts with its item number stays a numbered line: the number
            # is what a reader cites. A heading style whose bold the author switched off
            # reads as body text (converted papers put invoice lines in "Heading 1").
            return [f"## {body.replace(chr(10), ' ')}", *extra]
        if not self._in_table and self._emphasised_heading(p, style, body):
            return [f"## {body}", *extra]
        return [body, *extra]

    def _emphasised_heading(self, p, style, body: str) -> bool:
        """A short line of its own, wholly bold, italic or underlined, with no sentence end
        and no printed label: the author's heading, though typed in a body style."""
        if "\n" in body or len(body.split()) > _EMPHASIS_WORDS or body.endswith(_SENTENCE_END) \
                or match_label(body) is not None or ITEM_NUMBER.match(body.split(" ", 1)[0]):
            return False
        runs = [r for r in p.iter(W + "r")
                if "".join(t.text or "" for t in r.iter(W + "t")).strip()]
        return bool(runs) and any(all(self._run_has(r, style, tag) for r in runs)
                                  for tag in _EMPHASES)

    def _run_has(self, run, style, tag: str) -> bool:
        """Whether a run shows ``tag``: its own setting, else its character style's, else
        its paragraph style's."""
        own = _toggle(run.find(f"{W}rPr/{W}{tag}"))
        if own is not None:
            return own
        char_style = run.find(f"{W}rPr/{W}rStyle")
        if char_style is not None and self.styles.emphasis(char_style.get(W + "val"), tag):
            return True
        return self.styles.emphasis(style, tag)

    def _style_id(self, ppr):
        style = ppr.find(W + "pStyle") if ppr is not None else None
        return style.get(W + "val") if style is not None else self.styles.default

    def _num_pr(self, ppr, style):
        direct = ppr.find(W + "numPr") if ppr is not None else None
        if direct is not None:
            num_id, ilvl = _num_pr(direct)
            if num_id is None:  # an ilvl alone changes the level of the style's list
                inherited = self.styles.numbering_of(style)
                return (inherited[0], ilvl) if inherited else None
            return num_id, ilvl
        return self.styles.numbering_of(style)

    def table(self, tbl) -> list[str]:
        """One line per row: cells joined with `` | ``, a cell merged down from the row above
        not repeated, empty cells and rows dropped. A row whose first cell is only an item
        number gives that number to the text beside it (``5. text``)."""
        rows = []
        self._in_table += 1
        try:
            return self._rows(tbl, rows)
        finally:
            self._in_table -= 1

    def _rows(self, tbl, rows: list[str]) -> list[str]:
        for tr in _children(tbl, W + "tr"):
            cells = []
            for tc in _children(tr, W + "tc"):
                merge = tc.find(f"{W}tcPr/{W}vMerge")
                if merge is not None and merge.get(W + "val") in (None, "continue"):
                    continue
                cell = " ".join(one_line(b) for b in self.blocks(tc))
                if cell:
                    cells.append(cell)
            if not cells:
                continue
            if len(cells) > 1 and ITEM_NUMBER.match(cells[0]):
                cells = [f"{cells[0]} {cells[1]}", *cells[2:]]
            rows.append(" | ".join(cells))
        return rows


def _children(element, tag):
    """``tag`` children, looking through content controls and custom XML wrappers."""
    stack = [iter(element)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            stack.append(iter(child))


def _text(p) -> tuple[list[str], list]:
    """The paragraph's displayed text split at manual line breaks, and its text boxes."""
    segments, current, boxes = [], [], []
    stack = [iter(p)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        tag = node.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            if tag == W + "txbxContent":
                boxes.append(node)
            continue
        if tag == W + "r" and _hidden(node):
            continue
        if tag == W + "t":
            current.append(node.text or "")
        elif tag in (W + "tab", W + "ptab"):
            current.append("\t")
        elif tag in (W + "br", W + "cr"):
            segments.append("".join(current))
            current = []
        elif tag == W + "noBreakHyphen":
            current.append("-")
        elif tag == W + "sym":
            current.append(" ")
        elif len(node):
            stack.append(iter(node))
    segments.append("".join(current))
    return segments, boxes


def _unbolded(p) -> bool:
    """Every run of text in the paragraph has bold explicitly switched off."""
    runs = [r for r in p.iter(W + "r") if r.find(W + "t") is not None]
    return bool(runs) and all(_off(r.find(f"{W}rPr/{W}b")) for r in runs)


def _off(toggle) -> bool:
    return toggle is not None and toggle.get(W + "val") in ("0", "false", "off")


def _hidden(run) -> bool:
    """A run formatted as hidden text (``w:vanish``), which Word does not show."""
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val") not in ("0", "false", "off")


def _title(core_title: str | None, text: str) -> str | None:
    """The core-properties title when it is a real one: not a converter's or template's
    default, and printed in the paper (templates carry a previous paper's title along)."""
    title = one_line(core_title or "")
    if len(title) < 4 or _GENERIC_TITLE.search(title) or not re.search(r"[A-Za-z]{3}", title):
        return None
    squash = lambda s: re.sub(r"[\W_]+", "", s).lower()
    return title if squash(title) in squash(text) else None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
