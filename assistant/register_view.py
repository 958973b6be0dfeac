"""The register as a person reads it on the register page: each record's printed due text read
as a date (against its own meeting's date), and a status saying where it stands today.

Pure functions over the /resolutions records: the follow-through (which later papers take a
record's subject up) is assistant/register.py's; this module only reads dates and names statuses.
"""

import datetime as dt
import re
from typing import Literal

import dateparser
from dateparser.search import search_dates
from pydantic import BaseModel, Field

from assistant.models import RegisterRecord

Status = Literal["overdue", "due", "followed up", "no later mention"]

SHORT = 160  # characters of a record's text shown in the table; the paragraph link has the rest

# "by 30 September 2020", "before July", "no later than 2021": the date is what follows
_LEAD = re.compile(r"^\s*(?:by|before|no\s+later\s+than)\s+", re.IGNORECASE)
# "the end of March 2021" is due when March ends, which is how a bare month is read anyway
_END_OF = re.compile(r"^(?:the\s+)?end\s+of\s+", re.IGNORECASE)
# "within two weeks" is "in two weeks" from the meeting
_WITHIN = re.compile(r"^within\s+", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")

# A month alone ("September") is due at its end, so nothing is called overdue before its time;
# a month with no year is the next such month after the meeting, never one counted from today.
_SETTINGS = {"PREFER_DATES_FROM": "future", "PREFER_DAY_OF_MONTH": "last",
             "PREFER_MONTH_OF_YEAR": "last", "DATE_ORDER": "DMY",
             "RETURN_AS_TIMEZONE_AWARE": False}


def due_date(due: str | None, meeting_date: dt.date | None) -> dt.date | None:
    """The date a record's printed due text names, read against its meeting's date; None when
    the text names no date ("the next meeting", "spring 2021"), or when it needs the meeting's
    date to be read (a month with no year, "in two weeks") and the paper prints none. A meeting
    named by its month or year ("the September 2020 meeting", "the first meeting of 2022") is
    due when that month or year ends: late, perhaps, but never overdue too early."""
    if not due:
        return None
    text = _WITHIN.sub("in ", _END_OF.sub("", _LEAD.sub("", due.strip())))
    if meeting_date is None and not _YEAR.search(text):
        return None  # dateparser would count from today: not what the paper meant
    base = dt.datetime.combine(meeting_date or dt.date(1900, 1, 1), dt.time())
    settings = {**_SETTINGS, "RELATIVE_BASE": base}
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    if parsed is None:  # a date inside words: "the Board’s October meeting"
        found = search_dates(text, languages=["en"], settings=settings) or []
        parsed = found[0][1] if len(found) == 1 else None
    return parsed.date() if parsed else None


def status_of(due: dt.date | None, followed_up: bool, today: dt.date) -> Status:
    """Where a record stands: a later paper took it up; else its due date has passed (overdue)
    or is still to come (due); else no later paper mentions it and it names no date."""
    if followed_up:
        return "followed up"
    if due is not None:
        return "overdue" if due < today else "due"
    return "no later mention"


def spoken_date(iso: str | None) -> str | None:
    """"2020-07-28" as a person writes it: "28 July 2020"."""
    day = _iso_date(iso)
    return f"{day.day} {day:%B %Y}" if day else None


def shorten(text: str, limit: int = SHORT) -> str:
    """The text cut at a word boundary to at most ``limit`` characters, with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–—-")
    return cut + "…"


class RegisterRow(BaseModel):
    """One line of the register page."""

    id: str
    kind: str
    text: str = Field(description="The record's words, shortened to fit a table cell.")
    committee: str | None = None
    meeting_date: str | None = Field(None, description="YYYY-MM-DD; null when not printed.")
    meeting: str | None = Field(None, description="The meeting date as written: 28 July 2020.")
    owner: str | None = None
    due: str | None = Field(None, description="When it is due, as printed.")
    due_date: str | None = Field(None, description="The due text read as a date (YYYY-MM-DD), "
                                 "against the meeting's date; null when it names no date.")
    due_on: str | None = Field(None, description="due_date as written: 30 September 2020.")
    status: Status
    follow_through: str = Field(description="Which later papers take it up, or why none can.")
    title: str | None = None
    paragraph: str
    view_url: str = Field(description="The paper's view at the record's paragraph.")
    doc_id: str


def register_rows(records: list[RegisterRecord], today: dt.date) -> list[RegisterRow]:
    """The register page's rows for these records, in their order."""
    rows = []
    for r in records:
        due = due_date(r.due, _iso_date(r.meeting_date))
        followed = r.follow_through.status == "followed_up"
        rows.append(RegisterRow(
            id=r.id, kind=r.kind.replace("_", " "), text=shorten(r.text), committee=r.committee,
            meeting_date=r.meeting_date, meeting=spoken_date(r.meeting_date), owner=r.owner,
            due=r.due, due_date=due.isoformat() if due else None,
            due_on=spoken_date(due.isoformat()) if due else None,
            status=status_of(due, followed, today), follow_through=r.follow_through.summary,
            title=r.title, paragraph=r.paragraph, view_url=r.view_url, doc_id=r.doc_id))
    return rows


class RegisterRows(BaseModel):
    rows: list[RegisterRow]
    count: int
    total: int = Field(description="How many records match the filters.")


def _iso_date(iso: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(iso) if iso else None
    except ValueError:
        return None
