"""ModernGov's public web service (``mgWebService.asmx``): committees, their meetings, and each
meeting's agenda items with their linked documents, read into small dataclasses; and a polite
HTTP fetcher (a User-Agent naming Clerk, a pause between requests, retries with backoff).

A response is trusted only when its root element is the one the call answers with: councils'
servers answer 200 with an https-redirect snippet (root ``<script>``) or a SharePoint error page
(root ``<html>``) that parse as XML all the same."""

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

import httpx
from lxml import etree

from assistant.errors import ClerkError

SERVICE = "mgWebService.asmx"
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_S = 120.0


def user_agent() -> str:
    try:
        own = version("committee-clerk")
    except PackageNotFoundError:
        own = "dev"
    return (f"Clerk/{own} (committee papers assistant; syncs public ModernGov papers politely, "
            "one request at a time)")


class ModernGovError(ClerkError):
    """A web-service call or download that did not give what it should; one line saying why."""


@dataclass(frozen=True)
class Committee:
    id: int
    title: str
    deleted: bool = False
    expired: bool = False


@dataclass(frozen=True)
class MeetingRef:
    id: int
    committee_id: int
    date: str | None  # ISO
    status: str | None


@dataclass(frozen=True)
class LinkedDoc:
    attachment_id: int
    title: str
    url: str
    is_url: bool = False  # a link to a web page rather than a document
    restricted: bool = False
    publication_date: str | None = None
    decision: bool = False


@dataclass(frozen=True)
class AgendaItem:
    id: int
    title: str
    number: str  # as the agenda prints it ("9."), else ModernGov's own number
    minutes_html: str | None
    docs: tuple[LinkedDoc, ...] = ()

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class Meeting:
    id: int
    date: str | None
    status: str | None
    committee: str | None
    items: tuple[AgendaItem, ...] = field(default_factory=tuple)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          remove_comments=True, huge_tree=False)


def _root(data: bytes, expected: str) -> etree._Element:
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ModernGovError(f"not XML ({' '.join(str(exc).split())[:100]})") from None
    if root is None:
        raise ModernGovError("an empty response")
    for el in root.iter():  # a service that declares a default namespace reads the same
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = etree.QName(el).localname
    name = str(root.tag).lower()
    if name != expected:
        what = {"html": "an HTML page", "script": "a script (a redirect page?)"}.get(
            name, f"a <{name}> document")
        raise ModernGovError(f"{what} where <{expected}> was expected")
    return root


def _text(el, tag: str) -> str | None:
    found = el.find(tag)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _raw(el, tag: str) -> str | None:
    found = el.find(tag)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _int(el, tag: str) -> int | None:
    value = _text(el, tag)
    return int(value) if value and value.isdigit() else None


def _bool(el, tag: str) -> bool:
    return (_text(el, tag) or "").lower() == "true"


def iso_date(value: str | None) -> str | None:
    """ModernGov's dd/mm/yyyy as YYYY-MM-DD; None for anything that is not a real day."""
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}[:.]\d{2}.*)?",
                     (value or "").strip())
    if not m:
        return None
    try:
        return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
    except ValueError:
        return None


def service_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def parse_committees(data: bytes) -> list[Committee]:
    root = _root(data, "committees")
    out = []
    for el in root.iter("committee"):
        cid, title = _int(el, "committeeid"), _text(el, "committeetitle")
        if cid is not None and title:
            out.append(Committee(cid, title, _bool(el, "committeedeleted"),
                                 _bool(el, "committeeexpired")))
    return out


def parse_meetings(data: bytes) -> tuple[dict[int, str], list[MeetingRef]]:
    """GetMeetings: the committees' titles it names, and their meetings."""
    root = _root(data, "getmeetings")
    titles, meetings = {}, []
    for committee in root.iter("committee"):
        cid = _int(committee, "committeeid")
        if cid is None:
            continue
        titles[cid] = _text(committee, "committeetitle") or ""
        for el in committee.iter("meeting"):
            mid = _int(el, "meetingid")
            if mid is not None:
                meetings.append(MeetingRef(mid, cid, iso_date(_text(el, "meetingdate")),
                                           _text(el, "meetingstatus")))
    return titles, meetings


def parse_meeting(data: bytes) -> Meeting:
    root = _root(data, "meeting")
    mid = _int(root, "meetingid")
    if mid is None:
        raise ModernGovError("a meeting without a meetingid")
    items, committee = [], None
    for el in root.iter("agendaitem"):
        iid = _int(el, "agendaitemid")
        if iid is None:
            continue
        committee = committee or _text(el, "refertocommittee")
        number = _text(el, "fulldisplaynumberformat") or _text(el, "agendaitemnumber") or ""
        docs = []
        for d in el.iter("linkeddoc"):
            aid, url = _int(d, "attachmentid"), _text(d, "url")
            if aid is None or not url:
                continue
            committee = committee or _text(d, "committeetitle")
            docs.append(LinkedDoc(aid, _text(d, "title") or f"Document {aid}", url,
                                  _bool(d, "isurl"), _bool(d, "isrestricted"),
                                  iso_date(_text(d, "publicationdate")),
                                  _bool(d, "isdecisionattachment")))
        published = _bool(el, "isminutepublished")
        items.append(AgendaItem(iid, _text(el, "agendaitemtitle") or "", number,
                                _raw(el, "minutesnonemptyhtmlbody") if published else None,
                                tuple(docs)))
    return Meeting(mid, iso_date(_text(root, "meetingdate")), _text(root, "meetingstatus"),
                   committee, tuple(items))


class Fetcher:
    """One HTTP client for a sync: at most one request every ``delay`` seconds, retries of
    timeouts, dropped connections and 429/5xx answers with exponential backoff (Retry-After is
    honoured, up to two minutes)."""

    def __init__(self, delay: float = 1.0, retries: int = 3, backoff: float = 2.0,
                 timeout: float = 30.0, sleep=time.sleep):
        self.delay, self.retries, self.backoff, self.sleep = delay, retries, backoff, sleep
        self.client = httpx.Client(headers={"User-Agent": user_agent()}, timeout=timeout,
                                   follow_redirects=True)
        self._last = 0.0
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, params: dict | None = None,
            headers: dict | None = None) -> httpx.Response:
        """The response (any status but the retried ones), or ModernGovError after the retries."""
        for attempt in range(self.retries + 1):
            wait = self._last + self.delay - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self._last = time.monotonic()
            self.requests += 1
            try:
                response = self.client.get(url, params=params, headers=headers)
            except httpx.TimeoutException:
                problem, retry_after = "timed out", None
            except httpx.TransportError as exc:
                problem, retry_after = f"connection failed ({exc.__class__.__name__})", None
            else:
                if response.status_code not in RETRY_STATUS:
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = _retry_after(response.headers.get("Retry-After"))
            self._last = time.monotonic()
            if attempt < self.retries:
                self.sleep(retry_after if retry_after is not None
                           else self.backoff * 2 ** attempt)
        raise ModernGovError(f"{problem} after {self.retries + 1} tries")


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)
    return None


class WebService:
    """The three calls a sync makes, each returning parsed data or raising ModernGovError."""

    def __init__(self, base_url: str, fetcher: Fetcher):
        self.base = base_url.rstrip("/")
        self.fetcher = fetcher

    def _call(self, method: str, params: dict) -> bytes:
        response = self.fetcher.get(f"{self.base}/{SERVICE}/{method}", params=params)
        if response.status_code != 200:
            raise ModernGovError(f"HTTP {response.status_code}")
        return response.content

    def committees(self) -> list[Committee]:
        return parse_committees(self._call("GetCommittees", {"lDummy": 0}))

    def meetings(self, committee_id: int, since: dt.date,
                 until: dt.date) -> tuple[dict[int, str], list[MeetingRef]]:
        return parse_meetings(self._call("GetMeetings", {
            "lCommitteeId": committee_id, "sFromDate": service_date(since),
            "sToDate": service_date(until)}))

    def meeting(self, meeting_id: int) -> Meeting:
        return parse_meeting(self._call("GetMeeting", {"lMeetingId": meeting_id}))

    def meeting_page(self, committee_id: int, meeting_id: int) -> str:
        """The meeting's page on the council's site: the source URL of its minutes."""
        return f"{self.base}/ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}"
