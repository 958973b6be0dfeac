"""Read an HTML paper (a full page or a PHP-include fragment): the main content only, as the
blocks a reader sees, with list numbers as the browser displays them.

Hand-written over lxml rather than trafilatura/justext: those score text density to guess the
article, which drops the short numbered items and one-line resolutions that minutes are made
of, and they discard list numbering and table rows, which this reader must keep. lxml parses
in C in linear time; the walk below is iterative, so no page can exhaust the Python stack.
"""

import re
from datetime import date

from lxml import etree

from assistant.errors import PaperError
from ingest.readers import Document
from ingest.readers._blocks import ITEM_NUMBER, join_blocks, join_broken_lines, one_line
from ingest.readers.numbering import format_number

# Elements nested deeper than this are flattened into their ancestor at this depth: their text
# is kept, their structure is not. Real pages nest 20-40 deep; a page of 100,000 nested <div>s
# once kept ingest busy for ten minutes. Flattening (rather than refusing) keeps a paper
# readable when one widget is pathological; 256 is libxml2's own default limit.
MAX_DEPTH = 256

_DROP_TAGS = {"script", "style", "noscript", "template", "head", "title", "meta", "link",
              "button", "select", "option", "input", "textarea", "iframe", "object", "embed",
              "svg", "canvas", "map", "dialog", "menu"}
# Page furniture by tag, role or class/id token: dropped unless it holds most of the page's
# text (ASP.NET wraps whole pages in a <form>; some sites wrap everything in <header>).
_FURNITURE_TAGS = {"nav", "header", "footer", "aside", "form"}
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu",
                    "menubar", "toolbar", "dialog", "alertdialog"}
_FURNITURE_TOKENS = {"cookie", "cookies", "consent", "gdpr", "banner", "menu", "menus", "nav",
                     "navbar", "navigation", "breadcrumb", "breadcrumbs", "skip", "skiplink",
                     "skiplinks", "sidebar", "toolbar", "social", "share", "masthead", "topbar",
                     "header", "footer", "pagination", "pager", "search"}
_HIDDEN_TOKENS = {"mghide", "hidden", "hide", "invisible", "sronly", "visuallyhidden",
                  "screenreadertext", "offscreen"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_BLOCK_TAGS = {"p", "div", "section", "article", "main", "blockquote", "h1", "h2", "h3", "h4",
               "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "pre", "address", "figure",
               "figcaption", "center", "hr", "table", "caption", "body", "html", "details",
               "summary", "fieldset", "legend"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_CELL_BLOCKS = {"p", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                "dl", "pre"}
# A list's marker style as the `type` attribute, an inline list-style-type or a class named for
# it (`class="roman"`, Bootstrap's `list-unstyled`) states it.
_LIST_STYLES = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman",
                "I": "upperRoman", "decimal": "decimal", "lower-alpha": "lowerLetter",
                "lower-latin": "lowerLetter", "alpha": "lowerLetter",
                "upper-alpha": "upperLetter", "upper-latin": "upperLetter",
                "lower-roman": "lowerRoman", "roman": "lowerRoman",
                "upper-roman": "upperRoman", "none": "none", "unstyled": "none",
                "list-unstyled": "none", "disc": "bullet", "circle": "bullet",
                "square": "bullet"}
_GENERIC_TITLE = re.compile(r"^(?:untitled|home(?: ?page)?|index|document|page|default|welcome"
                            r"|microsoft word\s*-)\b|\.(?:html?|php|aspx?|jsp|docx?)$",
                            re.IGNORECASE)
_HTML_TAG = re.compile(r"<(?:/?(?:p|br|div|span|table|tr|td|li|ul|ol|h[1-6]|strong|em|b|i|a|"
                       r"body|html|head|font)\b[^<>]*|!doctype\s+html[^<>]*)>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Text that is HTML markup, whatever its file name says (a .txt holding `<br />`s)."""
    head = text[:100_000]
    if re.match(r"\s*<(?:!doctype\s+html|html)\b", head, re.IGNORECASE):
        return True
    return len(_HTML_TAG.findall(head, 0)) >= 3


def read(data: bytes) -> Document:
    """The page's main content per ``Document``'s conventions, or PaperError saying why not."""
    root = _parse(_decode(data))
    hints = {}
    title = _title(root)
    main = _main(root)
    _strip(main)
    date = _date(main)
    if date:
        hints["date"] = date
    if title:
        hints["title"] = title
    text = join_blocks(_Renderer().render(main))
    if not text:
        raise PaperError("the page holds no text")
    return Document(text=text, hints=hints)


def _decode(data: bytes) -> str:
    import warnings

    from bs4.dammit import UnicodeDammit

    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PaperError("the file is binary, not HTML")
    with warnings.catch_warnings():  # it warns when it had to replace characters
        warnings.simplefilter("ignore")
        dammit = UnicodeDammit(data, ["utf-8", "windows-1252"], is_html=True)
    if dammit.unicode_markup is None:
        raise PaperError("the page could not be decoded as text")
    return dammit.unicode_markup


class _CappedTree:
    """An lxml parser target that builds the tree but flattens elements deeper than
    MAX_DEPTH, so the tree's depth (and everything that walks it) stays bounded."""

    def __init__(self):
        self.builder = etree.TreeBuilder()
        self.depth = 0

    def start(self, tag, attrib):
        self.depth += 1
        if self.depth < MAX_DEPTH:
            self.builder.start(tag if isinstance(tag, str) else "span", dict(attrib))
        elif self.depth == MAX_DEPTH:  # a plain block holds the flattened text, whatever
            self.builder.start("div", {})  # the element (a <tr> would not render it)

    def end(self, tag):
        if self.depth < MAX_DEPTH:
            self.builder.end(tag if isinstance(tag, str) else "span")
        elif self.depth == MAX_DEPTH:
            self.builder.end("div")
        self.depth -= 1

    def data(self, data):
        self.builder.data(data)

    def comment(self, text):
        pass

    def close(self):
        return self.builder.close()


def _parse(text: str):
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        raise PaperError("the page holds no text")
    parser = etree.HTMLParser(target=_CappedTree(), huge_tree=True, remove_comments=True,
                              no_network=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise PaperError(f"the page could not be parsed as HTML: {_one_line(exc)}") from exc
    if root is None:
        raise PaperError("the page holds no text")
    return root


def _tokens(el) -> set[str]:
    """Class and id split into lower-case words: `cookie-banner`, `mgHide`, `leftnav`."""
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    if raw == " ":
        return set()
    words = re.split(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])", raw)
    out = {w.lower() for w in words if w}
    out |= {c.lower().replace("-", "").replace("_", "") for c in raw.split()}
    return out


def _is_hidden(el, tokens: set[str]) -> bool:
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    if _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    return bool(tokens & _HIDDEN_TOKENS)


def _is_furniture(el, tokens: set[str]) -> bool:
    if el.tag in _FURNITURE_TAGS or (el.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    return bool(tokens & _FURNITURE_TOKENS) or any(
        t.startswith("nav") or t.endswith("nav") or "cookie" in t or "breadcrumb" in t
        for t in tokens)


def _visible_len(el) -> int:
    return sum(len(t) - t.count(" ") for t in el.itertext())


def _main(root):
    """The element holding the paper: ModernGov's content, <main>, role=main, a single
    <article>; otherwise the body (or the whole fragment)."""
    for path in ('//*[@id="modgov"]',
                 '//*[contains(concat(" ", normalize-space(@class), " "), " mgContent ")]',
                 "//main", '//*[@role="main"]'):
        found = [el for el in root.xpath(path) if _visible_len(el)]
        if found:
            return found[0]
    articles = root.xpath("//article")
    if len(articles) == 1 and _visible_len(articles[0]):
        return articles[0]
    body = root.find("body")
    return body if body is not None else root


def _strip(main) -> None:
    """Drop what a reader does not read: code, widgets, hidden text, page furniture."""
    furniture = []
    for el in [e for e in main.iter() if e is not main]:
        if not isinstance(el.tag, str) or el.tag in _DROP_TAGS:
            _drop(el)
            continue
        if not el.attrib:  # most elements: only their tag can make them furniture
            if el.tag in _FURNITURE_TAGS:
                furniture.append(el)
            continue
        tokens = _tokens(el)
        if _is_hidden(el, tokens):
            _drop(el)
        elif _is_furniture(el, tokens):
            furniture.append(el)
    total = _visible_len(main)
    for el in furniture:
        if _visible_len(el) * 2 <= total:
            _drop(el)


def _drop(el) -> None:
    """Remove ``el`` but keep the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _date(main) -> str | None:
    for el in main.iter("time"):
        m = re.match(r"\s*(\d{4}-\d{2}-\d{2})(?!\d)", el.get("datetime") or "")
        try:
            return date.fromisoformat(m.group(1)).isoformat() if m else None
        except ValueError:
            continue
    return None


def _title(root) -> str | None:
    candidates = [el.get("content") for el in root.iter("meta")
                  if (el.get("property") or el.get("name") or "").lower() == "og:title"]
    candidates += ["".join(el.itertext()) for el in root.iter("title")]
    for raw in candidates:
        title = one_line(raw or "")
        generic = _GENERIC_TITLE.search(title)
        if len(title) >= 4 and re.search(r"[A-Za-z]{3}", title) and not generic:
            return title
    return None


def _list_format(el) -> str:
    """The numFmt-style name for a list's markers (see numbering.format_number)."""
    if el.get("type") in _LIST_STYLES:
        return _LIST_STYLES[el.get("type")]
    m = re.search(r"list-style(?:-type)?\s*:\s*([a-z-]+)", el.get("style") or "", re.IGNORECASE)
    if m and m.group(1).lower() in _LIST_STYLES:
        return _LIST_STYLES[m.group(1).lower()]
    for token in (el.get("class") or "").split():
        if token.lower() in _LIST_STYLES and len(token) > 1:
            return _LIST_STYLES[token.lower()]
    return "decimal" if el.tag == "ol" else "bullet"


class _Renderer:
    """One pass over the content in document order, writing blocks as it leaves them."""

    def __init__(self):
        self.blocks: list[str] = []
        self.segments: list[tuple[str, bool]] = []  # (line, forced break before it)
        self.pieces: list[str] = []
        self.hard = False
        self.heading = 0
        self.markers: list[list] = []  # [marker, used] for each open <li>
        self.lists: list[dict] = []

    def render(self, main) -> list[str]:
        stack = [(main, False)]
        while stack:
            el, leaving = stack.pop()
            if leaving:
                self.leave(el)
                if el is not main and el.tail:
                    self.pieces.append(el.tail)
                continue
            if el.tag == "table":
                self.flush()
                for block in self.table(el):
                    self.emit(block)
                if el.tail:
                    self.pieces.append(el.tail)
                continue
            self.enter(el)
            if el.text:
                self.pieces.append(el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
        self.flush()
        return self.blocks

    def enter(self, el) -> None:
        tag = el.tag
        if tag == "br":
            self.line_break()
        elif tag in ("dt", "dd") and self.pieces_text():
            if tag == "dt":
                self.flush()
            else:
                self.line_break(hard=True)
        elif tag in _BLOCK_TAGS:
            self.flush()
        if tag in _HEADINGS:
            self.heading += 1
        elif tag in ("ol", "ul"):
            start = _int(el.get("start"), 1)
            reversed_ = el.get("reversed") is not None
            self.lists.append({"fmt": _list_format(el), "next": start,
                               "step": -1 if reversed_ else 1})
        elif tag == "li":
            self.markers.append([self.marker(el), False])

    def leave(self, el) -> None:
        tag = el.tag
        if tag in _BLOCK_TAGS and tag not in ("dt", "dd"):
            self.flush()
        if tag in _HEADINGS:
            self.heading -= 1
        elif tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag == "li" and self.markers:
            self.markers.pop()
        elif tag == "dl":
            self.flush()

    def marker(self, li) -> str:
        if not self.lists:
            return "-"
        ctx = self.lists[-1]
        value = _int(li.get("value"))
        if value is not None:
            ctx["next"] = value
        n = ctx["next"]
        ctx["next"] = n + ctx["step"]
        fmt = _LIST_STYLES.get(li.get("type") or "", ctx["fmt"])
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""
        return f"{format_number(n, fmt)}."

    def pieces_text(self) -> bool:
        return bool(self.segments) or bool("".join(self.pieces).strip())

    def line_break(self, hard: bool = False) -> None:
        self.segments.append((" ".join("".join(self.pieces).split()), self.hard))
        self.pieces = []
        self.hard = hard

    def flush(self) -> None:
        """Close the block being written: `<br><br>` splits it into paragraphs."""
        if not self.segments and (not self.pieces or not "".join(self.pieces).strip()):
            self.pieces, self.hard = [], False
            return
        self.line_break()
        groups, current = [], []
        for line, hard in self.segments:
            if not line:  # an empty line between two breaks: a paragraph break
                if current:
                    groups.append(current)
                current = []
                continue
            current.append(("\n" if hard and current else "") + line)
        groups.append(current)
        self.segments, self.hard = [], False
        for group in groups:
            lines = [ln for ln in group if ln]
            if not lines:
                continue
            # Forced breaks (<dd>) stay; the rest follow the list-like-lines rule.
            parts, run = [], []
            for ln in lines:
                if ln.startswith("\n") and run:
                    parts.append(join_broken_lines(run))
                    run = []
                run.append(ln.lstrip("\n"))
            parts.append(join_broken_lines(run))
            self.emit("\n".join(p for p in parts if p), heading=self.heading > 0)

    def emit(self, block: str, heading: bool = False) -> None:
        """Append a block; the first block of a list item carries the item's marker."""
        if not re.search(r"\w", block):  # "|" or "*" alone: separators, not text
            return
        if heading:
            block = block.replace("\n", " ")
        if self.markers and not self.markers[-1][1]:
            self.markers[-1][1] = True
            if self.markers[-1][0]:
                self.blocks.append(f"{self.markers[-1][0]} {block}")
                return
        if heading and not ITEM_NUMBER.match(block.split(" ", 1)[0]):
            # A heading that starts with its item number stays a numbered line: the number
            # is what a reader cites.
            block = "## " + block
        self.blocks.append(block)

    def table(self, table) -> list[str]:
        """A data table as rows (`` | ``); a layout table as the blocks in its cells. Either
        way a row whose first cell is only an item number gives it to the text beside it."""
        rows = list(_rows(table))
        layout = (table.get("role") or "").lower() in ("presentation", "none") or \
            _is_layout(rows)
        out = []
        for caption in table.findall("caption"):
            out.extend(_Renderer().render(caption))
        for row in rows:
            cells = [_Renderer().render(cell) for cell in row]
            cells = [c for c in cells if c]
            if layout:
                if len(cells) > 1 and len(cells[0]) == 1 and ITEM_NUMBER.match(cells[0][0]):
                    number = cells.pop(0)[0]
                    cells[0] = [f"{number} {cells[0][0]}", *cells[0][1:]]
                out.extend(b for c in cells for b in c)
            else:
                texts = [" ".join(one_line(b) for b in c) for c in cells]
                texts = [t for t in texts if t]
                if len(texts) > 1 and ITEM_NUMBER.match(texts[0]):
                    texts = [f"{texts[0]} {texts[1]}", *texts[2:]]
                if texts:
                    out.append(" | ".join(texts))
        return out


def _is_layout(rows) -> bool:
    """A table used to place blocks on the page rather than to hold data: it nests a table,
    or (having no header cells) its cells hold headings, lists or several paragraphs."""
    cells = [cell for row in rows for cell in row]
    inside = [d for cell in cells for d in cell.iterdescendants() if isinstance(d.tag, str)]
    if any(d.tag == "table" for d in inside):
        return True
    if any(cell.tag == "th" for cell in cells):
        return False
    return any(d.tag in _CELL_BLOCKS and d.tag != "p" for d in inside) or any(
        sum(1 for d in cell.iterdescendants("p")) > 1 for cell in cells)


def _rows(table):
    """Each row's cells. Anything else a table holds (a stray <div>, flattened content) is a
    row of one cell, so no text is lost to broken markup."""
    for child in table:
        if not isinstance(child.tag, str) or child.tag == "caption":
            continue
        if child.tag in ("thead", "tbody", "tfoot"):
            yield from _rows(child)
        elif child.tag == "tr":
            yield [c for c in child if isinstance(c.tag, str)]
        else:
            yield [child]


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
