"""ModernGov's web service read from real recorded responses, its error pages refused by their
root element, and the fetcher's manners (User-Agent, pause between requests, retries)."""

import itertools

import pytest

from ingest.moderngov import (
    Fetcher,
    ModernGovError,
    parse_committees,
    parse_meeting,
    parse_meetings,
)
from tests.moderngov.fake_moderngov import ERRORS, FIXTURES, RECORDED, SHARED, FakeModernGov

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/corpus-dev")


@pytest.fixture
def fake():
    server = FakeModernGov().start()
    yield server
    server.stop()


def test_committees_meetings_and_a_meeting_read_from_recorded_responses():
    committees = parse_committees((RECORDED / "manchester_GetCommittees.xml").read_bytes())
    assert [(c.id, c.title, c.expired) for c in committees] == [
        (312, "Appointment Sub Committee for Director of Adult Social Services", True),
        (163, "Art Galleries Committee", False), (144, "Audit Committee", False)]
    titles, meetings = parse_meetings(
        (RECORDED / "manchester_GetMeetings_cid144.xml").read_bytes())
    assert titles == {144: "Audit Committee"}
    assert [(m.id, m.date, m.status) for m in meetings] == [
        (4966, "2026-01-13", "Cancelled"), (4967, "2026-02-10", "Confirmed")]
    meeting = parse_meeting(
        (RECORDED / "manchester_GetMeeting_mid4967_with_minutes.xml").read_bytes())
    assert (meeting.id, meeting.date, meeting.committee) == (4967, "2026-02-10", "Audit Committee")
    # the printed number (fulldisplaynumberformat), not ModernGov's agenda position
    assert [i.heading for i in meeting.items] == ["1. Minutes", "9. Work Programme"]
    docs = [d for i in meeting.items for d in i.docs]
    assert [(d.attachment_id, d.title, d.publication_date) for d in docs] == [
        (60860, "6 - CHAIR APPROVED Minutes Audit Committee 25 Nov 2025", "2026-02-02"),
        (60909, "DRAFT WP FEBRUARY 2026", "2026-02-02")]
    assert docs[0].url.endswith("/mgConvert2PDF.aspx?ID=60860")
    # the minute is HTML-escaped Word HTML inside the XML: unescaped once, kept as HTML
    assert meeting.items[1].minutes_html.startswith('<div class="WordSection1">')
    cancelled = parse_meeting(
        (RECORDED / "manchester_GetMeeting_mid4966_cancelled.xml").read_bytes())
    assert cancelled.status == "Cancelled" and cancelled.items == ()


@pytest.mark.parametrize(("name", "says"), [
    ("empty list", "a <councillorsbyward> document where <committees> was expected"),
    ("redirect page", "a script (a redirect page?) where <committees> was expected"),
    ("sharepoint error", "an HTML page where <committees> was expected"),
])
def test_well_formed_answers_of_the_wrong_kind_are_refused_by_their_root(name, says):
    with pytest.raises(ModernGovError) as err:
        parse_committees(ERRORS[name].read_bytes())
    assert str(err.value) == says


def test_a_page_that_is_not_xml_is_refused_in_one_line():
    page = FIXTURES / "non-moderngov-listing-pages" / "london-assembly_committees-by-name_2009.html"
    with pytest.raises(ModernGovError, match=r"^not XML \("):
        parse_meetings(page.read_bytes())
    with pytest.raises(ModernGovError, match="empty|not XML"):
        parse_meeting(b"")


def test_requests_name_clerk_and_keep_their_distance(fake):
    fetcher = Fetcher(delay=0.3, backoff=0.01)
    for _ in range(3):
        assert fetcher.get(f"{fake.base_url}/mgWebService.asmx/GetCommittees").status_code == 200
    fetcher.close()
    times = [r["at"] for r in fake.requests]
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(times))
    assert all(r["headers"]["User-Agent"].startswith("Clerk/") for r in fake.requests)


def test_a_503_is_retried_with_backoff_and_then_answered(fake):
    fake.unavailable["GetCommittees"] = 2
    fetcher = Fetcher(delay=0, backoff=0.01)
    response = fetcher.get(f"{fake.base_url}/mgWebService.asmx/GetCommittees")
    assert response.status_code == 200
    assert [r["status"] for r in fake.requests] == [503, 503, 200]


def test_a_server_that_stays_down_or_silent_is_one_error(fake):
    fake.unavailable["GetCommittees"] = 10
    fetcher = Fetcher(delay=0, retries=2, backoff=0.01)
    with pytest.raises(ModernGovError, match=r"^HTTP 503 after 3 tries$"):
        fetcher.get(f"{fake.base_url}/mgWebService.asmx/GetCommittees")
    fake.slow[60909] = 1.0
    slow = Fetcher(delay=0, retries=1, backoff=0.01, timeout=0.2)
    with pytest.raises(ModernGovError, match=r"^timed out after 2 tries$"):
        slow.get(f"{fake.base_url}/mgConvert2PDF.aspx", params={"ID": 60909})


def test_a_default_namespace_and_a_date_with_its_time_read_the_same():
    from ingest.moderngov import iso_date

    xml = (b'<?xml version="1.0"?><committees xmlns="http://example.org/ns"><committee>'
           b"<committeeid> 7</committeeid><committeetitle>Audit</committeetitle></committee>"
           b"</committees>")
    assert [(c.id, c.title) for c in parse_committees(xml)] == [(7, "Audit")]
    assert iso_date("10/02/2026 00:00:00") == iso_date("10/02/2026") == "2026-02-10"
    assert iso_date("31/02/2026") is None and iso_date("") is None
