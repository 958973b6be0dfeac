"""The PDF reader by layout, on PDFs made here (fpdf2) and on real papers from ../shared."""

from pathlib import Path

import pytest

from ingest.pipeline import read_structure
from ingest.read import read_document

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus-dev" / "papers"
LONG = ("The committee considered the annual report on the condition of the village footpaths "
        "and noted that several stiles had been replaced during the year by volunteers, while "
        "two bridges still needed repair before the winter.")


def make_pdf(path: Path, pages: list[list[str]], header: str, footer: bool = True) -> Path:
    """A PDF of wrapped paragraphs (multi_cell), a running header and 'Page n of N' footers."""
    from fpdf import FPDF

    class Paper(FPDF):
        def header(self):
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, header, new_x="LMARGIN", new_y="NEXT", align="C")
            self.ln(4)

        def footer(self):
            if footer:
                self.set_y(-15)
                self.set_font("Helvetica", size=9)
                self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Paper(format="A4")
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(True, margin=25)
    for paragraphs in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for para in paragraphs:
            pdf.multi_cell(0, 6, para, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(5)
    pdf.output(str(path))
    return path


def test_wrapped_lines_join_and_furniture_goes(tmp_path: Path):
    path = make_pdf(tmp_path / "m.pdf", [[f"1. Footpaths. {LONG}", f"2. Finance. {LONG}"],
                                         [f"3. Planning. {LONG}"]],
                    header="Anytown Parish Council - Minutes of 5 March 2024")
    doc = read_document(path, 10**8)
    assert "Page 1 of 2" not in doc.text and "Anytown Parish Council" not in doc.text
    assert "Anytown Parish Council - Minutes of 5 March 2024" in doc.hints["running"]
    meta, paras = read_structure(path)
    assert [p.label for p in paras] == ["1", "2", "3"]
    assert paras[0].text == f"1. Footpaths. {LONG}"  # one line: the wrapping is undone
    assert paras[2].pages == (2,) and paras[0].pages == (1,)
    assert all(len(box) == 5 and box[3] > box[1] for p in paras for box in p.boxes)
    assert meta["council"] == "Anytown Parish Council" and meta["meeting_date"] == "2024-03-05"


def test_paragraph_broken_by_a_page_break_is_one_paragraph(tmp_path: Path):
    filler = [f"{n}. Item {n}. {LONG}" for n in range(1, 10)]
    sentence = " and ".join([LONG.rstrip(".")] * 6) + "."  # no sentence end near the break
    path = make_pdf(tmp_path / "m.pdf", [filler + [f"10. Long item. {sentence}"]],
                    header="Minutes")
    _, paras = read_structure(path)
    last = paras[-1]
    assert last.label == "10" and last.pages == (1, 2), "the fixture breaks item 10 across pages"
    assert last.text == f"10. Long item. {sentence}"  # joined across the break, no footer


def test_numbered_minutes_with_bracketed_items_are_paths(tmp_path: Path):
    path = make_pdf(tmp_path / "m.pdf", [[
        "84. Budget monitoring", "RESOLVED that:",
        "(1) the report be noted;", "(2) the underspend be carried forward.",
        "85. Any other business", "None."]], header="Cabinet")
    _, paras = read_structure(path)
    labels = [p.label for p in paras]
    assert labels == ["84", "84(1)", "84(2)", "85"]
    assert paras[1].kind == paras[2].kind == "resolution"


def test_corrupt_pdf_gets_one_line(tmp_path: Path):
    from assistant.errors import PaperError

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 500)
    with pytest.raises(PaperError) as caught:
        read_document(bad, 10**8)
    assert "\n" not in str(caught.value) and "PDF" in str(caught.value)


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/corpus-dev beside the repo")
def test_real_minutes_keep_printed_minute_numbers_and_drop_footers():
    meta, paras = read_structure(SHARED / "MILBURN-PC_parish-council_2016-07-05_minutes.pdf")
    labels = [p.label for p in paras]
    assert "16.07.5" in labels and "16.07.12" in labels
    five = next(p for p in paras if p.label == "16.07.5")
    assert "would be safer." in five.text and "Corpse Lane" in five.text
    assert not any("Page 1 of 3" in p.text or "Signed ___" in p.text for p in paras)
    assert meta["council"] == "Milburn Parish Council" and meta["meeting_date"] == "2016-07-05"


def test_a_pdf_citation_carries_its_page_and_boxes(tmp_path: Path, settings_for, embedder):
    from assistant.models import AskRequest
    from assistant.papers import paper_view
    from assistant.service import ClerkService
    from assistant.store import Store
    from ingest.pipeline import run_ingest

    papers = tmp_path / "papers"
    papers.mkdir()
    filler = [f"{n}. Item {n}. {LONG}" for n in range(1, 10)]
    make_pdf(papers / "parish-minutes.pdf", [filler, [
        "10. Allotments. The council agreed to let the vacant allotment on Mill Lane to the "
        "primary school for a rent of £40 a year."]], header="Anytown Parish Council")
    settings = settings_for()
    assert run_ingest([papers], settings, lambda: embedder, progress=False).failed == 0
    answer = ClerkService(settings, embedder=embedder).ask(
        AskRequest(question="what rent did the school pay for the allotment on mill lane?"))
    cited = next(c for c in answer.citations if c.paragraph == "10")
    assert cited.page == 2 and cited.boxes and all(len(b) == 4 for b in cited.boxes)
    view = paper_view(Store(settings), "parish-minutes")
    assert {p["label"]: p["page"] for p in view["paragraphs"]}["10"] == 2


def test_two_columns_are_read_one_after_the_other(tmp_path: Path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    left = ("1. Highways. The committee heard that the resurfacing of the high street would "
            "start in May and last six weeks, with the road closed at night only. ") * 3
    right = ("2. Libraries. Members noted that opening hours at the branch library would be "
             "extended on Saturdays from the first of June, funded by the parish. ") * 3
    pdf.set_xy(15, 30)
    pdf.multi_cell(85, 5, left)
    pdf.set_xy(110, 30)
    pdf.multi_cell(85, 5, right)
    path = tmp_path / "columns.pdf"
    pdf.output(str(path))
    _, paras = read_structure(path)
    assert [p.label for p in paras] == ["1", "2"]
    assert " ".join(paras[0].text.split()) == left.strip()
    assert " ".join(paras[1].text.split()) == right.strip()
