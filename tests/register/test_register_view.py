"""The register page's reading of due dates (against the record's meeting, never today) and its
statuses."""

import datetime as dt

import pytest

from assistant.models import FollowThrough, RegisterRecord
from assistant.register_view import due_date, register_rows, shorten, spoken_date, status_of

MEETING = dt.date(2020, 7, 28)


@pytest.mark.parametrize("printed,expected", [
    ("by 30 September 2020", dt.date(2020, 9, 30)),
    ("30 September 2020", dt.date(2020, 9, 30)),
    ("31st March 2022", dt.date(2022, 3, 31)),
    ("the end of March 2021", dt.date(2021, 3, 31)),
    ("March 2021", dt.date(2021, 3, 31)),  # a month alone is due when it ends
    ("2021", dt.date(2021, 12, 31)),  # a year alone, when it ends
    ("September", dt.date(2020, 9, 30)),  # the next September after the meeting
    ("June", dt.date(2021, 6, 30)),  # June 2020 had passed at a July 2020 meeting
    ("within two weeks", dt.date(2020, 8, 11)),  # two weeks from the meeting
    ("the September 2020 meeting", dt.date(2020, 9, 30)),
    ("the Board’s October meeting", dt.date(2020, 10, 31)),  # the October after the meeting
    ("the Select Committee’s first meeting of 2022", dt.date(2022, 12, 31)),  # by 2022's end
    ("spring 2021", dt.date(2021, 12, 31)),  # a season is not read: its year is
])
def test_due_text_is_read_against_the_meeting_date(printed, expected):
    assert due_date(printed, MEETING) == expected


@pytest.mark.parametrize("printed", [
    "next meeting", "the next meeting of the Board", "the spring meeting", "",
    None])
def test_due_text_that_names_no_date_stays_unread(printed):
    assert due_date(printed, MEETING) is None


def test_a_month_or_span_with_no_meeting_date_is_not_read_against_today():
    assert due_date("September", None) is None
    assert due_date("within two weeks", None) is None
    assert due_date("the Board’s October meeting", None) is None
    assert due_date("30 September 2020", None) == dt.date(2020, 9, 30)  # needs no meeting


TODAY = dt.date(2021, 1, 15)


def test_a_later_mention_outranks_the_due_date():
    assert status_of(dt.date(2020, 9, 30), True, TODAY) == "followed up"
    assert status_of(None, True, TODAY) == "followed up"


def test_a_passed_due_date_with_no_later_mention_is_overdue():
    assert status_of(dt.date(2020, 9, 30), False, TODAY) == "overdue"
    assert status_of(TODAY, False, TODAY) == "due"  # due today is not yet overdue
    assert status_of(dt.date(2021, 3, 31), False, TODAY) == "due"


def test_no_date_and_no_later_mention_says_so():
    assert status_of(None, False, TODAY) == "no later mention"


def test_dates_are_written_as_a_person_writes_them():
    assert spoken_date("2020-07-28") == "28 July 2020"
    assert spoken_date("2020-07-05") == "5 July 2020"
    assert spoken_date(None) is None and spoken_date("July 2020") is None


def test_shorten_cuts_at_a_word_and_keeps_short_text_whole():
    assert shorten("That the  Committee\nnotes the report.") == "That the Committee notes the report."
    cut = shorten("word " * 60, 40)
    assert len(cut) <= 40 and cut.endswith("…") and cut[:-1].split() == ["word"] * 7


def record(due, meeting_date, follow="not_mentioned") -> RegisterRecord:
    return RegisterRecord(
        id="paper::1::1", kind="further_information", text="That the Director share the review.",
        owner="Director", due=due, doc_id="paper", committee="Select Committee",
        meeting_date=meeting_date, paragraph="1", quote="That the Director share the review.",
        view_url="/papers/paper/view?paragraph=1#p-1",
        follow_through=FollowThrough(status=follow, summary="no later paper mentions it"))


def test_rows_carry_the_read_date_and_status():
    row, = register_rows([record("by September", "2020-07-28")], TODAY)
    assert (row.meeting, row.due, row.due_date, row.due_on, row.status) == (
        "28 July 2020", "by September", "2020-09-30", "30 September 2020", "overdue")
    assert row.kind == "further information"
    assert row.view_url == "/papers/paper/view?paragraph=1#p-1"
    undated, = register_rows([record("September", None, "undated")], TODAY)
    assert (undated.meeting, undated.due_date, undated.status) == (None, None, "no later mention")
