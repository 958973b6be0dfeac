"""Every format through its library, and every bad input refused with one line."""

from pathlib import Path

import pytest

from assistant.errors import PaperError
from ingest.read import read_paper
from ingest.structure import clean_text, one_line, parse_paragraphs

MAX = 50_000_000


def labels(text):
    return {p.label: one_line(clean_text(p.text)) for p in parse_paragraphs(text)}


def test_moderngov_html_agenda_item(tmp_path: Path):
    page = tmp_path / "item.html"
    page.write_text("""<html><head><title>Agenda item</title><script>var x=1;</script></head>
    <body><nav>Home | Meetings</nav><div id="modgov"><h2>Agenda item</h2>
    <h3>Children First Improvement - Service Update</h3><h4>Minutes:</h4>
    <p>12.1&nbsp;&nbsp; The Committee considered a report:</p>
    <ul><li>Face to face visits had increased</li><li>50% of settings remained open</li></ul>
    <p>12.2 Resolved &ndash; that the Committee is satisfied.</p></div>
    <footer>Cookies</footer></body></html>""", encoding="utf-8")
    text = read_paper(page, MAX)
    paras = labels(text)
    assert "Face to face visits had increased" in paras["12.1"]
    assert paras["12.2"].startswith("12.2 Resolved")
    assert "Cookies" not in text and "var x" not in text


def test_docx_paragraphs_and_headings(tmp_path: Path):
    from docx import Document

    doc = Document()
    doc.add_heading("Recommendations", level=2)
    doc.add_paragraph("1. That the Board notes the report.")
    doc.add_paragraph("2. That the Head of Service reports back in October.")
    path = tmp_path / "paper.docx"
    doc.save(path)
    paras = labels(read_paper(path, MAX))
    assert "notes the report" in paras["Recommendations 1"]
    assert "October" in paras["Recommendations 2"]


def test_pdf_text_layer_and_page_break_join(tmp_path: Path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "TUESDAY 28 JULY 2020\n\n19. There have been 1088 audits completed.\n\n"
                         "20. Just 7% of completed audits were judged as good and 22% were")
    pdf.add_page()
    pdf.multi_cell(0, 6, "judged as inadequate.\n\n21. Thematic audits followed.")
    path = tmp_path / "report.pdf"
    pdf.output(str(path))
    paras = labels(read_paper(path, MAX))
    assert "1088 audits" in paras["19"]
    assert "22% were judged as inadequate" in paras["20"]
    assert paras["21"].startswith("21. Thematic")


@pytest.mark.parametrize("name,content,reason", [
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref", "corrupt PDF"),
    ("fake.pdf", b"this is not a pdf at all", "not a PDF file"),
    ("empty.txt", b"", "the file is empty"),
    ("blob.txt", bytes(range(256)) * 40, "binary"),
    ("blob.md", b"\x00\x01\x02\x03" * 100, "binary"),
    ("notes.xlsx", b"PK\x03\x04 spreadsheet", "unsupported file type '.xlsx'"),
    ("bad.txt", b"Minutes\n\x81\x8d\x8f\x90\x9d text", "could not be decoded"),
    ("bad.docx", b"PK\x03\x04 not really a zip", "corrupt or not a .docx"),
    ("blank.txt", b"   \n\n\t  \n", "holds no text"),
])
def test_bad_input_gets_a_one_line_reason(tmp_path: Path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PaperError) as err:
        read_paper(path, MAX)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def test_file_over_the_size_limit_is_refused(tmp_path: Path):
    path = tmp_path / "big.txt"
    path.write_text("1. words " * 1000)
    with pytest.raises(PaperError, match="the limit is 100"):
        read_paper(path, 100)
