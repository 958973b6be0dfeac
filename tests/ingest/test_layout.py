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


def _glyph_pdf() -> bytes:
    """A one-page PDF whose font's ToUnicode map sends byte 1 to the ligature U+FB01 and byte 2
    to Word's Symbol bullet U+F0B7, as PDFs made by Word often do."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CMapName /Glyphs def 1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"2 beginbfchar <01> <FB01> <02> <F0B7> endbfchar\n"
            b"1 beginbfrange <20> <7E> <0020> endbfrange\n"
            b"endcmap CMapName currentdict /CMap defineresource pop end end\n")
    content = (b"BT /F1 11 Tf 72 720 Td (The \\001nance report was noted:) Tj "
               b"0 -16 Td (\\002 the precept was agreed) Tj ET")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"endstream"]
    return pdf_of(objects, b"1.4")


def pdf_of(objects: list[bytes], version: bytes) -> bytes:
    """A PDF written by hand: the objects numbered from 1 (the first is the catalogue), then
    the cross-reference table and trailer that point at them."""
    out, offsets = bytearray(b"%PDF-" + version + b"\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_word_symbol_bullets_read_as_bullets(tmp_path: Path):
    """A font that maps its bullet to Word's private-use U+F0B7 (a box on screen) is read as a
    bullet; PDFium spells the ligature U+FB01 out as "fi" itself."""
    paper = tmp_path / "glyphs.pdf"
    paper.write_bytes(_glyph_pdf())
    doc = read_document(paper, 10**8)
    assert doc.text.splitlines() == ["The finance report was noted:", "• the precept was agreed"]


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/corpus-dev beside the repo")
def test_a_real_paper_made_in_word_shows_no_private_use_characters():
    _, paras = read_structure(SHARED / "AYTON-CC_community-council_2019-10-01_minutes.pdf")
    text = "\n".join(p.text for p in paras)
    assert "•" in text and not any("\ue000" <= ch <= "\uf8ff" for ch in text)


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


def _placed_pdf(path: Path, lines: list[tuple[float, float, str, bool]]) -> Path:
    """A one-page PDF of text placed at (x, y) in points, optionally bold (11 pt Helvetica)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    for x, y, text, bold in lines:
        pdf.set_font("Helvetica", style="B" if bold else "", size=11)
        pdf.text(x, y, text)
    pdf.output(str(path))
    return path


def test_action_column_notes_follow_their_sentence_instead_of_splitting_it(tmp_path: Path):
    rows = [
        (40, 80, "1. Footpaths", True),
        (40, 95, "The council was asked about the stile on the bridleway beside the old", False),
        (480, 95, "AB", True),
        (40, 109, "mill and agreed to write to the landowner about its repair.", False),
        (40, 135, "2. Grass cutting", True),
        (40, 150, "The contractor will cut the verges twice more this year and the clerk", False),
        (480, 150, "CD", True),
        (40, 164, "will confirm the dates with him.", False),
        (40, 190, "3. Lighting", True),
        (40, 205, "A street light near the school is out and will be reported to the", False),
        (480, 205, "EF", True),
        (40, 219, "county council this week.", False),
    ]
    _, paras = read_structure(_placed_pdf(tmp_path / "actions.pdf", rows))
    one = next(p for p in paras if p.label == "1")
    assert "beside the old mill and agreed" in one.text  # the note no longer splits the sentence
    assert one.text.rstrip().endswith("about its repair.\tAB")  # nothing lost: it follows
    assert [p.label for p in paras] == ["1", "2", "3"]


def test_a_number_wrapped_to_a_line_start_mid_sentence_is_no_label(tmp_path: Path):
    full = "Communication had been received about the inspection of the public footpath"
    rows = [(40, 80, "7. Footpaths", True), (40, 95, full, False),
            (40, 109, "44/146 in the vicinity of the farm, which had not been cleared.", False),
            (40, 135, "8. Finance", True), (40, 150, "The accounts were approved.", False)]
    path = _placed_pdf(tmp_path / "wrapped.pdf", rows)
    assert "footpath 44/146 in the vicinity" in read_document(path, 10**8).text
    _, paras = read_structure(path)
    assert [p.label for p in paras] == ["7", "8"]


def test_bold_abbreviation_line_is_a_heading_and_a_bold_wrapped_sentence_is_not(tmp_path: Path):
    rows = [(40, 80, "1. Finance", True), (40, 95, "The accounts were approved.", False),
            (40, 120, "A.O.C.B.", True), (40, 135, "The hall roof leaks again.", False),
            (40, 160, ("Committee resolved to defer the proposal so that it can be considered "
                       "with the"), True),
            (40, 174, "strategy on health and social inclusion.", True)]
    text = read_document(_placed_pdf(tmp_path / "bold.pdf", rows), 10**8).text
    assert "## A.O.C.B." in text
    assert "considered with the strategy on health" in text and "## Committee" not in text


def test_a_paper_that_spaces_its_paragraphs_keeps_a_list_of_short_sentences_together(tmp_path):
    """Paragraphs set apart by space: short sentences a line each, with no space between them,
    are one paragraph; a paper that never spaces its paragraphs ends one at each such line."""
    spaced = [(40, 80, "Any other business", True),
              (40, 100, "The hall roof leaks again.", False),
              (40, 114, "A new bench is wanted by the pond.", False),
              (40, 128, "The notice board needs a lock.", False),
              *[row for k in range(3) for row in (
                  (40, 156 + 42 * k, ("The chair thanked everyone for coming to the meeting "
                                      "and for the help"), False),
                  (40, 170 + 42 * k, "given by the volunteers this year.", False))]]
    _, paras = read_structure(_placed_pdf(tmp_path / "spaced.pdf", spaced))
    texts = [" ".join(p.text.split()) for p in paras]
    assert texts[0] == ("The hall roof leaks again. A new bench is wanted by the pond. "
                        "The notice board needs a lock.")
    assert len(paras) == 4
    unspaced = spaced[:1] + [(40, 100 + 14 * k, text, False)
                             for k, (_, _, text, _) in enumerate(spaced[1:])]
    _, paras = read_structure(_placed_pdf(tmp_path / "unspaced.pdf", unspaced))
    assert [" ".join(p.text.split()) for p in paras][:3] == [
        "The hall roof leaks again.", "A new bench is wanted by the pond.",
        "The notice board needs a lock."]
    assert len(paras) == 6


def test_a_side_label_beside_its_hanging_text_is_a_heading(tmp_path):
    """"In Attendance:" at the margin with its text starting where the wrapped line below hangs
    (a column of its own) is a side label, however narrow the gap after its colon."""
    rows = [(40, 80, "Present:", False),
            (120, 80, "Mrs A Green, Mr B Brown, Ms C White, Mr D Gray,", False),
            (120, 94, "Mrs E Black and Mr F Grey.", False),
            (40, 122, "In Attendance:", False),
            (118, 122, "The parish clerk, two residents and a reporter from the weekly", False),
            (118, 136, "newspaper, who left before the private item was taken.", False),
            (40, 164, "Apologies:", False),
            (120, 164, "Mr G Brown and Mrs H White, who were both", False),
            (120, 178, "away on holiday.", False)]
    _, paras = read_structure(_placed_pdf(tmp_path / "side.pdf", rows))
    attending = next(p for p in paras if "parish clerk" in p.text)
    assert attending.text.startswith("The parish clerk") and attending.heading == "In Attendance:"


def test_an_item_number_in_the_numbers_column_is_a_label_on_any_page(tmp_path):
    """A bare number at the page's left, with its text at the x where the paper's text lines
    start, is an item number even on a page where few lines start there."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    y = 80
    for n, title in ((10, "Police report"), (11, "Finance")):
        pdf.text(40, y, str(n))
        pdf.text(66, y, title)
        pdf.text(66, y + 14, "The report was received and noted by the members present.")
        y += 42
    pdf.add_page()
    pdf.text(40, 80, "12")
    pdf.text(66, 80, "next meeting")  # lower case: no title in capitals to tell it by
    pdf.text(84, 94, "Tuesday 2nd September at 7.30pm in the hall.")
    path = tmp_path / "numbers.pdf"
    pdf.output(str(path))
    _, paras = read_structure(path)
    assert [p.label for p in paras] == ["10", "11", "12"]


def test_prose_boxed_in_a_table_is_read_by_its_layout(tmp_path):
    """A ruled table whose rows each hold a titled block of prose (the next column empty): the
    title is a heading and the blocks, set apart by space, are paragraphs."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.rect(40, 60, 400, 24)
    pdf.rect(440, 60, 100, 24)
    pdf.rect(40, 84, 400, 120)
    pdf.rect(440, 84, 100, 120)
    pdf.text(45, 76, "Discussion")
    pdf.text(445, 76, "Action")
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.text(45, 100, "Village hall")
    pdf.set_font("Helvetica", size=11)
    lines = [(124, "The roof repair is finished and was paid for from the reserves"),
             (138, "set aside last year for the purpose"),
             (162, "The booking rates will rise in April after the annual review of"),
             (176, "the costs. Members asked for the new rates to be put on the"),
             (190, "website.")]
    for y, text in lines:
        pdf.text(45, y, text)
    path = tmp_path / "boxed.pdf"
    pdf.output(str(path))
    _, paras = read_structure(path)
    hall = [" ".join(p.text.split()) for p in paras if p.heading == "Village hall"]
    assert hall == [("The roof repair is finished and was paid for from the reserves set aside "
                     "last year for the purpose"),
                    ("The booking rates will rise in April after the annual review of the costs. "
                     "Members asked for the new rates to be put on the website.")]


def test_a_bold_lead_in_sentence_and_a_bold_total_row_are_no_headings(tmp_path):
    rows = [(40, 80, "2. Recommendations", True),
            (40, 104, "Council is recommended to approve: -", True),
            (40, 128, "a) that the concert be held in the park on the first Saturday in July, with",
             False),
            (52, 142, "the clerk to apply to the county council for its permission to use the", False),
            (52, 156, "field beside the lake.", False),
            (40, 184, "3. Costs", True),
            (40, 208, "The costs of the event are set out below and were agreed with the", False),
            (40, 222, "events company after a tender in the spring:", False),
            (40, 236, "Staging", False), (200, 236, "£95,200", False),
            (40, 250, "Total", True), (200, 250, "£125,000", True),
            (40, 278, "These figures are estimates and will be confirmed to the next meeting", False),
            (40, 292, "of the finance committee.", False)]
    text = read_document(_placed_pdf(tmp_path / "bold.pdf", rows), 10**8).text
    assert "## Council is recommended" not in text and "## Total" not in text
    _, paras = read_structure(_placed_pdf(tmp_path / "bold.pdf", rows))
    assert [p.label for p in paras] == ["2", "2(a)", "3"]


def test_an_underlined_title_line_is_a_heading(tmp_path):
    """A short line with a rule drawn along all of it just below its letters is emphasised, as a
    bold one is: a heading; a line with only its first word underlined is not."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.text(40, 80, "Present")
    pdf.set_line_width(0.6)
    pdf.line(40, 82, 40 + pdf.get_string_width("Present"), 82)
    pdf.text(40, 94, "Councillors A Green (Chair), B Brown, C White and D Black; the clerk and")
    pdf.text(40, 108, "three members of the public.")
    pdf.text(40, 136, "Apologies - none were received.")
    pdf.line(40, 138, 40 + pdf.get_string_width("Apologies"), 138)
    pdf.text(40, 164, "The minutes of the last meeting were approved as a true record and were")
    pdf.text(40, 178, "signed by the chair.")
    path = tmp_path / "underlined.pdf"
    pdf.output(str(path))
    text = read_document(path, 10**8).text
    assert "## Present" in text and "## Apologies" not in text
    _, paras = read_structure(path)
    assert paras[0].heading == "Present" and paras[0].text.startswith("Councillors A Green")


def form_pdf(printed: str, value: str) -> bytes:
    """A one-page PDF, written by hand, that prints ``printed`` and holds a text form field
    beside it filled in with ``value``, with no appearance stream of its own (the viewer draws
    the value), as council agenda templates filled in on screen do."""
    content = b"BT /F1 11 Tf 72 700 Td (" + printed.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R] /NeedAppearances true "
        b"/DA (/Helv 11 Tf 0 g) /DR << /Font << /Helv 6 0 R >> >> >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 6 0 R >> >> /Annots [5 0 R] >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (venue) /Rect [250 690 500 712] /P 3 0 R "
        b"/F 4 /DA (/Helv 11 Tf 0 g) /V (" + value.encode("latin-1") + b") >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    return pdf_of(objects, b"1.7")


def test_a_value_typed_into_a_pdf_form_is_read_boxed_and_shown(tmp_path: Path):
    """An agenda template filled in on screen holds its meeting's venue in a form field, not in
    the page's text: the reader reads it where it stands, the citation view finds its words on
    the page, and the page image shows it."""
    import io

    from PIL import Image

    from assistant.pages import quote_boxes, render_page

    path = tmp_path / "agenda.pdf"
    path.write_bytes(form_pdf("The meeting will be held at:", "Village Hall, Mill Lane"))
    text = read_document(path, 10**8).text
    assert " ".join(text.split()) == "The meeting will be held at: Village Hall, Mill Lane"
    boxes = quote_boxes(path, 1, ["Village Hall, Mill Lane"])
    assert len(boxes) == 1 and 0.4 < boxes[0].left < 0.5  # the field's x, 250 of 595 points
    image = Image.open(io.BytesIO(render_page(path, 1))).convert("L")
    scale = image.width / 595
    field = image.crop((int(255 * scale), int((842 - 712) * scale), int(495 * scale),
                        int((842 - 690) * scale)))
    assert min(field.getdata()) < 100  # the value is drawn, not a blank box


def test_a_pdf_with_links_and_notes_but_no_form_is_read(tmp_path: Path):
    """Annotations without a form (a link, a reviewer's note) are flattened without one."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, LONG)
    pdf.link(10, 10, 50, 10, "https://example.org")
    pdf.free_text_annotation("Clerk to write to the owner", x=20, y=80, w=80, h=10)
    path = tmp_path / "annotated.pdf"
    pdf.output(str(path))
    assert " ".join(read_document(path, 10**8).text.split()) == LONG
