"""Read a paper file, whatever its format, into a ``Document`` (see ``ingest.readers``): one
reader per format, chosen by the file's suffix (a .txt that holds HTML is read as HTML). A file
that cannot be read raises PaperError with one line."""

from pathlib import Path

from assistant.errors import PaperError
from ingest.readers import Document

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"}


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
    from assistant.logs import reading

    with reading(path.name):  # a library's warning names the file, in Clerk's log
        return _read(data, suffix)


def _read(data: bytes, suffix: str) -> Document:
    from ingest.readers import docx, html, pdf
    from ingest.readers import text as text_reader

    match suffix:
        case ".pdf":
            doc = pdf.read(data)
        case ".docx":
            doc = docx.read(data)
        case ".html" | ".htm":
            doc = html.read(data)
        case _:
            decoded = _decode(data)
            if html.looks_like_html(decoded):
                doc = html.read(decoded.encode("utf-8"))
            else:
                doc = text_reader.read(decoded, markdown=suffix in (".md", ".markdown"))
    if not doc.text.strip():
        raise PaperError("no text found in the file (a scanned PDF needs OCR first)"
                         if suffix == ".pdf" else "the file holds no text")
    return doc


def read_paper(path: Path, max_bytes: int) -> str:
    """The paper's text (what paragraph offsets refer to)."""
    return read_document(path, max_bytes).text


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
