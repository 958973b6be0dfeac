"""Labels and structure of the sample corpus, and the parser's invariants."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.structure import clean_text, one_line, parse_paragraphs
from tests.conftest import CORPUS

REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update.md"
WEST_SUSSEX = "west-sussex-2020-children-first-improvement-minutes.txt"
SURREY_2021 = "surrey-cfllc-2021-childrens-improvement-update-minutes.txt"
RECORD_2018 = "surrey-ces-performance-reference-group-2018-02-06.md"
BOARD_2016 = "surrey-scrutiny-board-2016-interim-head-childrens-services-minutes.txt"


def paragraphs(name):
    text = (CORPUS / name).read_text(encoding="utf-8")
    return text, {p.label: p for p in parse_paragraphs(text)}


def test_report_labels_numbered_paragraphs_as_printed():
    _, paras = paragraphs(REPORT)
    assert "There have been **1088 audits completed**" in paras["19"].text
    numbered = [label for label in paras if label.replace(".", "").isdigit()]
    assert numbered[:5] == ["1", "2", "3", "4", "5"]
    assert {"20", "20.1", "20.2", "20.3", "20.4", "20.5", "20.6", "48", "49"} <= set(numbered)


def test_paragraph_broken_across_page_break_is_one_paragraph():
    _, paras = paragraphs(REPORT)
    text = one_line(clean_text(paras["20.1"].text))
    assert "22% were" in text and "judged as inadequate" in text
    assert "26% of audits were judged as good" in text
    assert "judged as inadequate. In the most recent" not in paras["20.2"].text


def test_bullet_list_stays_with_its_lead_in():
    _, paras = paragraphs(REPORT)
    text = one_line(clean_text(paras["22"].text))
    assert text.startswith("22. To date the following thematic audits have been completed:")
    for item in ("Permanency for Children", "Private Fostering",
                 "Children Placed at Home with Parents Subject to a Care Order"):
        assert item in text
    assert "Permanency" not in paras["23"].text


def test_west_sussex_minute_paragraphs_and_inline_resolution():
    _, paras = paragraphs(WEST_SUSSEX)
    assert [label for label in paras] == ["12.1", "12.2", "12.3", "12.4"]
    assert "between 13 and 16 cases" in paras["12.3"].text
    assert "ACTION: Lucy Butler" in paras["12.3"].text  # bullets belong to their paragraph
    assert paras["12.4"].kind == "resolution"


def test_resolved_list_restarting_at_one_is_labelled_resolved_n():
    _, paras = paragraphs(SURREY_2021)
    for n in (1, 2, 3):
        assert paras[f"Resolved {n}"].kind == "resolution"
    assert "Director of Corporate Parenting" in paras["Resolved 1"].text
    assert "first meeting of 2022" in paras["Resolved 3"].text
    assert "Resolved 4" not in paras
    assert [str(n) for n in range(1, 12)] == [lb for lb in paras if lb.isdigit()]


def test_2018_record_recommendations_are_numbered_under_their_heading():
    _, paras = paragraphs(RECORD_2018)
    for n in (1, 2, 3):
        assert paras[f"Recommendations {n}"].kind == "recommendation"
    assert "Chairman of the Children and Education Select Committee" in paras["Recommendations 3"].text
    # lettered items and text after the list stay in paragraph 6
    assert "a. Clarity of purpose" in paras["6"].text
    assert "senior leaders were acting on this feedback" in paras["6"].text


def test_unnumbered_blocks_take_their_heading_as_label():
    _, paras = paragraphs(BOARD_2016)
    assert paras["Recommendations"].kind == "recommendation"
    assert "October meeting" in paras["Recommendations"].text
    assert paras["Further information to be provided"].kind == "further_information"
    assert paras["Board next steps"].kind == "next_steps"
    assert "To resolve this" in paras["11"].text  # continuation after the numbered paragraph
    _, report = paragraphs(REPORT)
    assert report["Next steps ¶1"].kind == "next_steps"
    assert "11 June 2020" in report["Next steps ¶1"].text


def test_boilerplate_page_text_is_not_a_paragraph():
    for name in (REPORT, RECORD_2018):
        text, paras = paragraphs(name)
        assert not any("intentionally left blank" in p.text for p in paras.values())


def test_offsets_point_at_the_paragraph_text_in_every_sample_paper():
    for path in CORPUS.glob("*.*"):
        if path.suffix in {".yaml", ".csv"}:
            continue
        text = path.read_text(encoding="utf-8")
        paras = parse_paragraphs(text)
        assert paras, path
        labels = [p.label for p in paras]
        assert len(labels) == len(set(labels)), path
        last = 0
        for p in paras:
            assert text[p.start:p.end] == p.text
            assert p.start >= last
            last = p.end


line = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
               max_size=80)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(line, st.just(""), st.sampled_from(
    ["1. First point.", "2. Second point", "12.3 Sub point", "- bullet", "Resolved:",
     "RECOMMENDATIONS", "## Heading", "a) item", "· dot item", "continued here."])), max_size=40))
def test_parser_never_loses_or_duplicates_text(lines):
    text = "\n".join(lines)
    paras = parse_paragraphs(text)
    last = 0
    for p in paras:
        assert text[p.start:p.end] == p.text
        assert p.start >= last, "paragraphs overlap"
        last = p.end
    assert len({p.label for p in paras}) == len(paras)
    covered = " ".join(clean_text(p.text) for p in paras)
    for ln in lines:  # every numbered line's words survive in some paragraph
        if ln[:1].isdigit() and ". " in ln[:5]:
            assert ln.split(" ", 1)[1].split()[0] in covered


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij ", min_size=5, max_size=60).map(str.strip)
                .filter(lambda s: len(s) > 3), min_size=1, max_size=15))
def test_numbered_paragraphs_get_their_numbers_as_labels(bodies):
    text = "\n\n".join(f"{n}. {body}." for n, body in enumerate(bodies, 1))
    paras = parse_paragraphs(text)
    assert [p.label for p in paras] == [str(n) for n in range(1, len(bodies) + 1)]


def test_lead_in_sentence_ending_with_a_colon_stays_in_its_numbered_item():
    text = ("10. DONATIONS\n\n(i) As there were many requests, it was agreed to prioritise local "
            "charities.\n\nIt was unanimously agreed to donate as follows:\n"
            "- Young Farmers - £100\n- Air Ambulance - £200\n\n11. ACCOUNTS\n\nPaid.\n")
    paras = parse_paragraphs(text)
    item = next(p for p in paras if p.label == "10(i)")
    assert "donate as follows:" in item.text and "Air Ambulance" in item.text
    assert [p.label for p in paras] == ["10", "10(i)", "11"]


def test_closing_lines_are_text_not_headings_over_nothing():
    text = ("Minutes\n\n1. Apologies\n\nNone.\n\nNext meeting on 5 March.\n\n"
            "Meeting Closed 21:00pm\n\nSigned as a correct record\n")
    paras = parse_paragraphs(text)
    assert any("Meeting Closed 21:00pm" in p.text for p in paras)
    assert any("Signed as a correct record" in p.text for p in paras)  # the paper's last words
    assert not any(p.heading in ("Meeting Closed 21:00pm", "Signed as a correct record")
                   for p in paras)


def test_a_list_restarted_under_a_sub_heading_stays_inside_its_numbered_item():
    # the restarted a), b) sit inside 3(a); the later b) resumes item 3's own list
    text = ("3. PLANNING\n\na) Applications were considered:\n\n## Householder\n\n"
            "a) Extension at 1 High St supported.\n\nb) Garage at 2 Low St supported.\n\n"
            "b) The appeal was noted.\n\n4. FINANCE\n\nPaid.\n")
    got = [(p.label, p.text.split()[1]) for p in parse_paragraphs(text)]
    assert got == [("3", "PLANNING"), ("3(a)", "Applications"), ("3(a)(a)", "Extension"),
                   ("3(a)(b)", "Garage"), ("3(b)", "The"), ("4", "FINANCE")]

