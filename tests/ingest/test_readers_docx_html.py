"""The DOCX and HTML readers on the development corpus's real papers and on small inputs built
here: document order, Word's automatic numbers, displayed list numbers, main content only,
and bad or hostile input refused with one line, quickly."""

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from docx.oxml import parse_xml

from assistant.errors import PaperError
from ingest.readers import docx as docx_reader
from ingest.readers import html as html_reader

CORPUS = Path("/work/shared/corpus-dev")
PAPERS = CORPUS / "papers"
KIRKLEES = CORPUS / "moderngov" / "lgsf-fixtures"
LISTINGS = CORPUS / "moderngov" / "non-moderngov-listing-pages"
needs_corpus = pytest.mark.skipif(not PAPERS.is_dir(), reason="development corpus not mounted")


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def docx_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- DOCX: real papers -------------------------------------------------------------------

@needs_corpus
def test_govan_2024_auto_numbered_items_get_the_numbers_word_shows():
    text = docx_reader.read((PAPERS / "GOVAN-CC_general-meeting_2024-03-04_minutes.docx")
                            .read_bytes()).text
    got = lines(text)
    first = next(ln for ln in got if ln.startswith("1."))
    assert first == "1. MINUTES OF THE FEBRUARY MEETING"  # "1." lives in numbering.xml
    # the <w:br/> after the title keeps the minute's text on its own line in the same block
    assert "1. MINUTES OF THE FEBRUARY MEETING\nThese were moved as correct" in text
    assert "2 SPECIAL ISSUES" in got  # a typed number stays as typed
    assert got.index("2 SPECIAL ISSUES") < got.index(
        "a) As raised by Annie Morgan: Cleansing, environment, litter crisis and drains crisis")
    assert "4 SPEAKERS" in got  # w:start 4, w:lvlText "%1": no full stop, as Word shows it
    assert "f) Govan Music Festival: members were encouraged to participate: Our Secretary "\
        "would attend and review (for Govan Letter)." in got
    assert any(ln.startswith("- It was agreed that the problem did not lie") for ln in got)


@needs_corpus
def test_govan_2024_docx_and_its_markdown_print_the_same_item_sequence():
    md = (PAPERS / "GOVAN-CC_general-meeting_2024-03-04_minutes.md").read_text()
    text = docx_reader.read((PAPERS / "GOVAN-CC_general-meeting_2024-03-04_minutes.docx")
                            .read_bytes()).text
    for title in ["MATTERS ARISING FROM DECEMBER MINUTES", "CHAIR’S REPORT",
                  "TREASURER’S REPORT", "COUNCILLOR’S REPORTS"]:
        number = next(ln.split(".")[0] for ln in md.splitlines()
                      if ln.replace("'", "’").endswith(title))
        assert f"{number}. {title}" in lines(text)


@needs_corpus
def test_govan_2023_lettered_lists_restart_per_list():
    text = docx_reader.read((PAPERS / "GOVAN-CC_general-meeting_2023-07-03_minutes.docx")
                            .read_bytes()).text
    got = lines(text)
    assert "a) That the economic shock additions in no way matched inflation" in got
    assert any(ln.startswith("b) Preparation for discussions") for ln in got)  # list 13 resumes
    assert "1.MINUTES OF JUNE MEETING" in got


@needs_corpus
def test_newbiggin_typed_numbers_stay_and_typed_page_numbers_go():
    doc = docx_reader.read((PAPERS / "NEWBIGGIN-PC_parish-council_2019-09-03_minutes.docx")
                           .read_bytes())
    got = lines(doc.text)
    assert "19.09.01 Apologies" in got
    assert "19.09.09 Finance" in got  # a Heading 1 that starts with its number stays numbered
    assert not any(ln.startswith("Page ") for ln in got)
    # Heading 1 with bold switched off is an invoice line, not a heading
    assert "K & A Thompson & Sons Larch for Seat £ 48.00" in got
    # its core title is a template's leftover ("Milburn Parish Council - 6th March 2012")
    assert "title" not in doc.hints


@needs_corpus
def test_empty_docx_is_refused_with_one_line():
    with pytest.raises(PaperError, match="holds no text"):
        docx_reader.read((PAPERS / "GOVAN-CC_general-meeting_2023-12-04_minutes-EMPTY.docx")
                         .read_bytes())


# --- DOCX: built here ----------------------------------------------------------------------

def test_docx_paragraphs_and_tables_come_in_document_order():
    doc = WordDocument()
    doc.add_heading("Minutes", level=1)
    doc.add_paragraph("Apologies", style="List Number")
    table = doc.add_table(rows=4, cols=3)
    for cell, value in zip(table.rows[0].cells, ["Item", "Owner", "Due"]):
        cell.text = value
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Merged across"
    table.cell(1, 2).text = "May"
    table.cell(3, 0).text = "Last row"
    doc.add_paragraph("Planning", style="List Number")
    doc.add_paragraph("")
    doc.add_paragraph("a point", style="List Bullet")
    text = docx_reader.read(docx_bytes(doc)).text
    assert text == ("## Minutes\n\n1. Apologies\n\nItem | Owner | Due\n\nMerged across | May\n\n"
                    "Last row\n\n2. Planning\n\n- a point\n")


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _numbered_doc(levels: str, overrides: str, paragraphs: list[tuple[str, int, str]]) -> bytes:
    """A DOCX whose numbering.xml holds one abstract list (``levels``) used by num 101, and num
    102 on the same list carrying ``overrides``; paragraphs are (numId, ilvl, text)."""
    doc = WordDocument()
    numbering = doc.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="90">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="101"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="102"><w:abstractNumId w:val="90"/>'
                               f'{overrides}</w:num>'))
    for num_id, ilvl, text in paragraphs:
        p = doc.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return docx_bytes(doc)


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def test_word_numbering_formats_levels_and_restarts():
    levels = (_lvl(0, "decimal", "%1.", start=5) + _lvl(1, "decimal", "%1.%2")
              + _lvl(2, "lowerLetter", "(%3)") + _lvl(3, "upperRoman", "%4)")
              + _lvl(4, "bullet", "\u2022"))
    overrides = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    data = _numbered_doc(levels, overrides, [
        ("101", 0, "Apologies"), ("101", 1, "First sub"), ("101", 1, "Second sub"),
        ("101", 2, "lettered"), ("101", 2, "lettered again"), ("101", 3, "roman"),
        ("101", 4, "a bullet"), ("101", 0, "Planning"), ("101", 1, "restarted sub"),
        ("101", 2, "restarted letter"), ("102", 0, "Restarted list"), ("101", 0, "Continues"),
    ])
    assert lines(docx_reader.read(data).text) == [
        "5. Apologies", "5.1 First sub", "5.2 Second sub", "(a) lettered", "(b) lettered again",
        "I) roman", "- a bullet", "6. Planning", "6.1 restarted sub", "(a) restarted letter",
        "1. Restarted list", "2. Continues"]


def test_numbering_inherited_from_a_paragraph_style():
    doc = WordDocument()
    doc.add_paragraph("First", style="List Number")
    p = doc.add_paragraph("Plain despite the style", style="List Number")
    p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:numId w:val="0"/></w:numPr>'))
    doc.add_paragraph("Second", style="List Number")
    assert lines(docx_reader.read(docx_bytes(doc)).text) == [
        "1. First", "Plain despite the style", "2. Second"]


def test_line_breaks_split_only_list_like_lines():
    doc = WordDocument()
    p = doc.add_paragraph("The council noted that the roads were")
    p.add_run().add_break()
    p.add_run("in poor repair this winter.")
    q = doc.add_paragraph("Payments approved:")
    for item in ["- Clerk's salary £300", "- Hall hire £40"]:
        q.add_run().add_break()
        q.add_run(item)
    assert docx_reader.read(docx_bytes(doc)).text == (
        "The council noted that the roads were in poor repair this winter.\n\n"
        "Payments approved:\n- Clerk's salary £300\n- Hall hire £40\n")


def test_docx_title_hint_only_when_real_and_printed():
    doc = WordDocument()
    doc.add_heading("Planning Committee minutes", level=1)
    doc.core_properties.title = "Planning Committee minutes"
    assert docx_reader.read(docx_bytes(doc)).hints == {"title": "Planning Committee minutes"}
    doc.core_properties.title = "Microsoft Word - minutes.doc"
    assert docx_reader.read(docx_bytes(doc)).hints == {}


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def test_docx_bomb_is_refused_before_anything_is_expanded():
    bomb = _zip({"[Content_Types].xml": b"<Types/>",
                 "word/document.xml": b"<w:document>" + b" " * 100_000_000})
    assert len(bomb) < 1_000_000
    with pytest.raises(PaperError, match="expands to 100,000,[0-9,]+ bytes; the limit is"):
        docx_reader.read(bomb)


def test_docx_part_that_compresses_beyond_reason_is_refused():
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * 20_000_000})
    with pytest.raises(PaperError, match="expands [0-9,]+ times; the limit is 200"):
        docx_reader.read(bomb)


@pytest.mark.parametrize("data, reason", [
    (b"PK\x03\x04 not really a zip", "not a readable zip"),
    (b"%PDF-1.4 a pdf renamed", "not a readable zip"),
    (_zip({"hello.txt": b"hi"}), "holds no Word document"),
    (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<broken"}),
     "corrupt or not a .docx"),
])
def test_bad_docx_is_refused_with_one_line(data, reason):
    with pytest.raises(PaperError, match=reason) as err:
        docx_reader.read(data)
    assert "\n" not in str(err.value)


# --- HTML: real pages ----------------------------------------------------------------------

@needs_corpus
def test_manordeilo_minutes_fragment_numbers_each_matter():
    doc = html_reader.read((PAPERS / "MANORDEILO-SALEM-CC_community-council_2020-06-10_"
                            "minutes-en.html").read_bytes())
    got = lines(doc.text)
    assert doc.hints["date"] == "2020-06-10"
    assert got[0] == "10 June 2020"  # the close button's "×" is gone
    assert "×" not in doc.text
    assert "## PRESENT" in got
    assert "1. WELCOME AND APOLOGIES" in got
    assert "8. ANNUAL RETURN FOR YEAR ENDING 31ST MARCH 2020" in got  # <sup>ST</sup> joined
    assert "13. ANY OTHER BUSINESS" in got
    # nested lists with class="roman" (lower-roman in the site's CSS) restart at i.
    assert "i. Lloyds Bank, Sheet Number 27 dated 1st April 2020, Balance of £6,564.21 Noted" \
        in got
    assert got.index("12. ACCOUNTS FOR PAYMENT") < got.index(
        "i. Mrs Wendy Phillips, Internal Audit, Chq No 1371 £150.00")
    assert "- E/40480\nAgricultural Storage Building\nPanteg Bungalow" in doc.text


@needs_corpus
def test_manordeilo_welsh_fragment_joins_superscript_ordinals():
    doc = html_reader.read((PAPERS / "MANORDEILO-SALEM-CC_community-council_2020-06-10_"
                            "cofnodion-cy.html").read_bytes())
    assert lines(doc.text)[0] == "Cyfarfod 10fed Mehefin 2020"
    assert "1. CROESO AC YMDDIHEURIADAU" in lines(doc.text)
    assert doc.hints["date"] == "2020-06-10"


@needs_corpus
def test_kirklees_decision_page_reads_without_hidden_text_or_spacers():
    text = html_reader.read((KIRKLEES / "kirklees_ieDecisionDetails_multi-paragraph.html")
                            .read_bytes()).text
    assert text.split("\n\n")[:2] == [
        "## Appointment of contractor to demolish Holme Park Court",
        "Decision Maker: Service Director - Homes & Neighbourhoods"]
    assert ("The demolition of the existing tower blocks has been approved to support the "
            "regeneration of Berry Brow.\n\nThis decision was authorised") in text
    assert "## Decision:" in lines(text)
    listing = html_reader.read((KIRKLEES / "kirklees_mgDelegatedDecisions_decisions-list.html")
                               .read_bytes()).text
    assert "ref: 13567" not in listing and "13567" not in listing  # <span class="mgHide">
    assert "Admission of the Public | 03/11/2025 | 03/11/2025 | Not for call-in" in lines(listing)


@needs_corpus
def test_html4_table_layout_page_keeps_content_and_drops_furniture():
    doc = html_reader.read((LISTINGS / "london-assembly_budget-and-performance-committee-"
                            "meetings_2009.html").read_bytes())
    got = lines(doc.text)
    assert doc.hints["title"] == "London Assembly - Budget and Performance Committee meetings"
    assert "## Budget and Performance Committee meetings" in got
    assert "Date of meeting | Agendas | Minutes PDF files | Minutes RTF files" in got
    assert any(ln.startswith("19 Janaury 2009 | Agenda | Minutes PDF") for ln in got)
    assert "MM_findObj" not in doc.text and "Skip navigation" not in doc.text
    assert "\r" not in doc.text


@needs_corpus
def test_txt_holding_html_is_recognised_and_read():
    raw = (PAPERS / "WYE-VALLEY-CC_community-council_2021-03-29_minutes.txt").read_text("utf-8")
    assert html_reader.looks_like_html(raw)
    for plain in ["TINTERN-CC_extraordinary-meeting_2018-09-04_minutes-extract.txt",
                  "WYE-VALLEY-CC_community-council_2024-10-28_minutes.txt",
                  "GOVAN-CC_general-meeting_2024-03-04_minutes.md"]:
        assert not html_reader.looks_like_html((PAPERS / plain).read_text("utf-8"))
    text = html_reader.read(raw.encode()).text
    assert "3049.Apologies for absence: None." in lines(text)
    assert ("3053.Accounts for payment:-\nMerlin Waste - £43.33 (Ch. No. 300220)\n"
            "Clerk's Salary & Expenses - £334.00 (Ch. No. 300221)") in text
    assert "<br" not in text and "&pound;" not in text


# --- HTML: built here ----------------------------------------------------------------------

def test_ordered_lists_show_the_browser_markers():
    page = b"""<ol start="5"><li>Apologies</li><li>Minutes
      <ol type="a"><li>Accuracy</li><li value="4">Matters arising</li></ol></li>
      <li>Planning</li></ol>
    <ol type="i" reversed start="3"><li>three</li><li>two</li></ol>
    <ul><li>a bullet</li></ul>"""
    assert lines(html_reader.read(page).text) == [
        "5. Apologies", "6. Minutes", "a. Accuracy", "d. Matters arising", "7. Planning",
        "iii. three", "ii. two", "- a bullet"]


def test_line_breaks_and_blank_paragraphs():
    page = (b"<p>The roads were\n in   poor<br>repair.</p><p>&nbsp;</p>"
            b"<p>Payments:<br>Clerk - &pound;300<br>Hall - &pound;40<br><br>Approved.</p>")
    assert html_reader.read(page).text == (
        "The roads were in poor repair.\n\nPayments:\nClerk - £300\nHall - £40\n\nApproved.\n")


def test_layout_table_gives_item_numbers_to_their_text_and_data_table_gives_rows():
    page = b"""<table><tr><td>5.</td><td><p>Planning applications were noted.</p>
      <p>None were opposed.</p></td></tr><tr><td>6.1</td><td><p>Finance.</p></td></tr></table>
      <table><tr><th>Payee</th><th></th><th>Amount</th></tr>
      <tr><td>Clerk</td><td></td><td>&pound;300</td></tr><tr><td> </td></tr></table>"""
    assert lines(html_reader.read(page).text) == [
        "5. Planning applications were noted.", "None were opposed.", "6.1 Finance.",
        "Payee | Amount", "Clerk | £300"]


def test_only_main_content_is_read():
    page = b"""<!DOCTYPE html><html><head><title>Home</title>
      <meta property="og:title" content="Cabinet - 4 March 2024 - Minutes">
      <script>var tracking = 1;</script><style>p {color: red}</style></head>
      <body><div class="cookie-banner"><p>We use cookies</p><button>Accept</button></div>
      <header><p>Anytown Council</p></header><nav><a href="/">Home</a></nav>
      <div id="breadcrumbs">Home &gt; Meetings</div>
      <main><h1>Cabinet</h1><time datetime="2024-03-04T19:00">4 March 2024</time>
        <p>1. The minutes were agreed.</p><p hidden>secret</p>
        <p style="display: none">also secret</p><span class="mgHide">ref: 12</span>
        <aside>Related pages</aside><div role="navigation">Next</div></main>
      <footer>Copyright</footer></body></html>"""
    doc = html_reader.read(page)
    assert doc.text == "## Cabinet\n\n4 March 2024\n\n1. The minutes were agreed.\n"
    assert doc.hints == {"date": "2024-03-04", "title": "Cabinet - 4 March 2024 - Minutes"}


def test_furniture_classes_never_swallow_the_whole_page():
    page = (b'<form id="aspnetForm"><div class="page nav-open"><h2>Decision</h2>'
            b"<p>The report was approved.</p></div></form>")
    assert lines(html_reader.read(page).text) == ["## Decision", "The report was approved."]


def test_deeply_nested_page_is_flattened_not_a_recursion_error():
    n = 100_000
    page = (b"<html><body><p>Before</p>" + b"<div>" * n + b"deep <b>text</b>" + b"</div>" * n
            + b"<p>After</p></body></html>")
    assert lines(html_reader.read(page).text) == ["Before", "deep text", "After"]
    tables = b"<table><tr><td>" * 5_000 + b"cell" + b"</td></tr></table>" * 5_000
    assert html_reader.read(tables).text == "cell\n"


@pytest.mark.parametrize("page", [b"", b"  \n\t ", b"<html><body><p>&nbsp;</p></body></html>",
                                  b"<script>only code</script>"])
def test_page_without_text_is_refused(page):
    with pytest.raises(PaperError, match="the page holds no text"):
        html_reader.read(page)


def test_a_short_line_wholly_in_bold_or_underline_is_a_heading_but_a_sentence_is_not():
    doc = WordDocument()
    doc.add_paragraph("1. Apologies")
    doc.add_paragraph().add_run("Highways and Footpaths").bold = True
    doc.add_paragraph("The potholes on Mill Lane were reported.")
    doc.add_paragraph().add_run("The clerk will write to the county.").bold = True
    underlined = doc.add_paragraph()
    for word in ("Part ", "Two"):
        underlined.add_run(word).underline = True
    half = doc.add_paragraph()
    half.add_run("Bold start").bold = True
    half.add_run(" and plain end")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).paragraphs[0].add_run("Payee").bold = True
    table.cell(0, 1).text = "£10"
    got = lines(docx_reader.read(docx_bytes(doc)).text)
    assert got == ["1. Apologies", "## Highways and Footpaths",
                   "The potholes on Mill Lane were reported.",
                   "The clerk will write to the county.", "## Part Two",
                   "Bold start and plain end", "Payee | £10"]
