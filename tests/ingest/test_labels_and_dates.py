"""Printed labels and meeting metadata in the forms councils print them."""

import pytest

from ingest.labels import match_label
from ingest.meeting import infer, meeting_date, parse_date
from ingest.structure import parse_paragraphs


@pytest.mark.parametrize("line, label", [
    ("12. Planning applications", "12"), ("3.1 The report sets out", "3.1"),
    ("16.07.2 Register of Interests", "16.07.2"), ("24/18 Minutes of the last meeting", "24/18"),
    ("16/09/6/15.1 Grass cutting", "16/09/6/15.1"), ("PC12/15 Finance", "PC12/15"),
    ("Minute 84 Budget", "Minute 84"), ("Item 6 - Highways", "Item 6"), ("Risk 3: Funding", "Risk 3"),
    ("(1) the report be noted", "(1)"), ("(a) note the report", "(a)"), ("b) agree", "(b)"),
    ("(iv) the fourth", "(iv)"), ("3048.Police Report", "3048"), ("805.\tApologies", "805"),
    ("1\tPolice Report", "1"), ("2  SPECIAL ISSUES", "2"), ("(10): Complaints Sub-Committee", "(10)"),
    ("7, SECRETARY’S REPORT", "7"), ("4i)and iii) The clerk replied", "4(i) and (iii)"),
    ("4b) and d) The clerk replied", "4(b) and (d)"),
])
def test_printed_labels_are_read_as_printed(line, label):
    assert match_label(line).text == label


@pytest.mark.parametrize("line", [
    "12 members of the public attended", "7.30 pm start", "10/10/2013 was the date",
    "It is anticipated that there will be further reports", "--- title: x", "The Council agreed.",
    "2019 was a good year", "£205.88 paid", "7, 8 and 9 were noted", "2, Mill Lane",
])
def test_sentences_and_numbers_in_text_are_not_labels(line):
    assert match_label(line) is None


def test_nested_items_take_their_parents_path():
    text = ("3. Recommendations\n(a) note the report\n(b) agree the plan\n(i) first part\n"
            "(ii) second part\n(c) thank officers\n4. Next item")
    assert [p.label for p in parse_paragraphs(text)] == \
        ["3", "3(a)", "3(b)", "3(b)(i)", "3(b)(ii)", "3(c)", "4"]


@pytest.mark.parametrize("text, iso", [
    ("Thursday, 30 January 2025", "2025-01-30"), ("8TH APRIL, 2015", "2015-04-08"),
    ("10/10/2013", "2013-10-10"), ("Monday 26th January 2020", "2020-01-26"),
    ("CYFARFOD 13eg MAWRTH 2019", "2019-03-13"), ("Monday, January 29, 2018", "2018-01-29"),
    ("MONDAY 4 MARCH 2O24", "2024-03-04"), ("10 th FEBRUARY 2016", "2016-02-10"),
])
def test_dates_in_the_forms_councils_print(text, iso):
    assert parse_date(text)[0][1] == iso


def test_the_meeting_date_is_the_meetings_not_a_previous_one():
    lines = [("Minutes of the meeting held on Tuesday 5 March 2024", True),
             ("The minutes of the previous meeting held on 6 February 2024 were approved", False)]
    assert meeting_date(list(reversed(lines))) == "2024-03-05"
    assert meeting_date([("Signed ........ Dated 2nd May 2017", True)]) is None
    assert meeting_date([("GENERAL MEETING MONDAY 4 DECEMBER", True)]) is None  # no year


@pytest.mark.parametrize("header, council, committee", [
    ("KENT COUNTY COUNCIL\n\nCABINET\n\nMinutes of a meeting held on Thursday, 30 January 2025",
     "Kent County Council", "Cabinet"),
    ("## CYNGOR CYMUNED LLANFAIR A BRYN\n\n## CYFARFOD 13eg MAWRTH 2019\n\n## PRESENNOL\n\nCynghorwyr A",
     "Cyngor Cymuned Llanfair a Bryn",
     "Cyngor Cymuned"),
    ("Anytown Parish Council\n\nMinutes of the meeting held on 5 March 2024\n\nPresent: Cllrs A, B",
     "Anytown Parish Council", "Parish Council"),
    ("Audit Committee\n\n10/10/2013\n\nPresent: Councillors X and Y", None, "Audit Committee"),
])
def test_council_and_committee_from_the_header(header, council, committee):
    text = header + "\n\n1. Apologies\nNone."
    meta = infer(text, parse_paragraphs(text), {})
    assert meta["council"] == council and meta["committee"] == committee
    assert meta["doc_type"] == "minutes"


def test_nothing_printed_means_nothing_inferred():
    text = "1. Apologies\nNone.\n\n2. Police report\nThe next meeting is on 16th October."
    meta = infer(text, parse_paragraphs(text), {})
    assert meta["meeting_date"] is None and meta["council"] is None


def test_a_label_alone_on_its_line_numbers_the_item_below_it():
    text = ("Cabinet Committee - Wednesday, 28th November, 2018\n\n124.\n\nApologies and "
            "Substitutes\n\nApologies were received from Mr A Booth.\n\n125.\n\nDeclarations of "
            "Interest\n\n1.    Mr M Balfour declared an interest in item 10.\n\n"
            "2.    Mr M Payne declared an interest in item 10.\n\n61/22\n\nAPOLOGIES FOR ABSENCE"
            "\n\nApologies were received from Colin Cross.")
    paras = {p.label: " ".join(p.text.split()) for p in parse_paragraphs(text)}
    assert paras["124"] == ("124. Apologies and Substitutes Apologies were received from "
                            "Mr A Booth.")
    assert paras["125(1)"].startswith("1. Mr M Balfour") and "125(2)" in paras
    assert paras["61/22"].startswith("61/22 APOLOGIES FOR ABSENCE Apologies were received")


def test_a_bracketed_number_with_a_colon_starts_its_own_line_in_a_pdf():
    from ingest.labels import LABEL_START

    assert LABEL_START.match("(10): Complaints Sub-Committee - Cllrs Shewell and Evans.")
