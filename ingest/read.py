"""Read a paper file, whatever its format, into a ``Document`` (see ``ingest.readers``): one
reader per format, chosen by the file's suffix (a .txt that holds HTML is read as HTML). A file
that cannot be read raises PaperError with one line."""

import io
import re
from pathlib import Path

from assistant.errors import PaperError
from ingest.readers import Document

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}
_BLOCK_TAGS = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
               "section", "article", "br", "dt", "dd", "blockquote"]


def read_document(path: Path, max_bytes: int) -> Document:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PaperError(f"unsupported file type '{suffix or path.name}' "
                         f"(supported: {', '.join(sorted(SUFFIXES))})")
    size = path.stat().st_size
    if size == 0:
        raise PaperError("the file is empty")
    if size > max_bytes:
        raise PaperError(f"the file is {size:,} bytes; the limit is {max_bytes:,}")
    data = path.read_bytes()
    from ingest.readers import text as text_reader

    match suffix:
        case ".pdf":
            from ingest.readers import pdf

            doc = pdf.read(data)
        case ".docx":
            doc = _docx_reader()(data)
        case ".html" | ".htm":
            doc = _html_reader()(_decode(data))
        case _:
            decoded = _decode(data)
            if _looks_like_html(decoded):
                doc = _html_reader()(decoded)
            else:
                doc = text_reader.read(decoded, markdown=suffix in (".md", ".markdown"))
    if not doc.text.strip():
        raise PaperError("no text found in the file (a scanned PDF needs OCR first)"
                         if suffix == ".pdf" else "the file holds no text")
    return doc


def read_paper(path: Path, max_bytes: int) -> str:
    """The paper's text (what paragraph offsets refer to)."""
    return read_document(path, max_bytes).text


def _docx_reader():
    try:
        from ingest.readers import docx
    except ImportError:
        return lambda data: Document(text=_docx(data))
    return docx.read


def _html_reader():
    try:
        from ingest.readers import html
    except ImportError:
        return lambda text: Document(text=_html(text))
    return lambda text: html.read(text.encode("utf-8"))


def _looks_like_html(text: str) -> bool:
    try:
        from ingest.readers.html import looks_like_html
    except ImportError:
        return False
    return looks_like_html(text)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise PaperError("the file is binary, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "cp1252" and _looks_binary(text):
            break
        return text
    raise PaperError("the text could not be decoded as UTF-8 or Windows-1252")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls > len(text[:8192]) * 0.01


def _unused_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF"):
        raise PaperError("not a PDF file (no %PDF header); the file may be corrupt or mislabelled")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PaperError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PaperError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise PaperError(f"corrupt PDF: {_one_line(exc)}") from exc
    return "\n\n".join(pages)


def _docx(data: bytes) -> str:
    import zipfile

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PaperError(f"corrupt or not a .docx file: {_one_line(exc)}") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and friends
        raise PaperError(f"corrupt or not a .docx file: {_one_line(exc)}") from exc
    blocks = []
    for p in document.paragraphs:
        style = (p.style.name if p.style is not None else "") or ""
        if style.startswith(("Heading", "Title")):
            blocks.append(f"## {p.text}")
        elif style.startswith("List") and p.text.strip():
            blocks.append(f"- {p.text}")
        else:
            blocks.append(p.text)
    for table in document.tables:
        for row in table.rows:
            blocks.append(" | ".join(cell.text.strip() for cell in row.cells))
    return "\n\n".join(blocks)


def _html(markup: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "form"]):
        tag.decompose()
    # ModernGov agenda-item pages keep the item in #modgov or .mgContent when present.
    root = soup.select_one("#modgov") or soup.select_one(".mgContent") or soup.body or soup
    for tag in root.find_all(re.compile(r"^h[1-6]$")):
        tag.insert(0, "## ")
    for tag in root.find_all("li"):
        tag.insert(0, "- ")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    text = root.get_text()
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or exc.__class__.__name__
