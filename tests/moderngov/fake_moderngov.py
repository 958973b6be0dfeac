"""A fake ModernGov site as a small real HTTP server: it replays the web-service responses
recorded from a real council (../shared/corpus-dev/moderngov/, Manchester's Audit Committee),
with the council's host rewritten to its own, and serves dev-corpus PDFs as the documents (with
ETag and Last-Modified, answering 304 to a conditional request). Tests switch on the failures
seen in the wild: a recorded error page instead of XML, a 404 document, a slow answer, 503s, a
meeting gone from the listing. Every request is recorded."""

import datetime as dt
import hashlib
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus-dev"
FIXTURES = SHARED / "moderngov"
RECORDED = FIXTURES / "lgsf-fixtures"
ERRORS = {  # well-formed XML that is not the answer asked for
    "empty list": FIXTURES / "councillorsbyward-symroe" / "online.eastherts.gov.uk_GetCouncillorsByWard.xml",
    "redirect page": FIXTURES / "councillorsbyward-symroe" / "denbighshire.gov.uk_GetCouncillorsByWard.xml",
    "sharepoint error": FIXTURES / "councillorsbyward-symroe" / "leeds.gov.uk_GetCouncillorsByWard.xml",
}
RECORDED_HOST = "https://democracy.manchester.gov.uk"
AUDIT = 144  # the committee whose meetings were recorded
MEETINGS = {4966: RECORDED / "manchester_GetMeeting_mid4966_cancelled.xml",
            4967: RECORDED / "manchester_GetMeeting_mid4967_with_minutes.xml"}
# the documents linked from meeting 4967, served as dev-corpus papers
DOCUMENTS = {60860: SHARED / "papers" / "AYTON-CC_community-council_2016-06-07_minutes.pdf",
             60909: SHARED / "papers" / "TAYPORT-CC_community-council_2018-02-05_minutes.pdf"}
LAST_MODIFIED = format_datetime(dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.UTC), usegmt=True)


def _day(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except (TypeError, ValueError):
        return None


class FakeModernGov:
    def __init__(self, base_path: str = "/moderngov"):
        self.base_path = base_path
        self.requests: list[dict] = []  # {"path", "query", "headers", "status"}
        self.override: dict[str, Path] = {}  # web-service method -> a recorded error to serve
        self.hidden_meetings: set[int] = set()  # left out of GetMeetings: removed meetings
        self.missing: set[int] = set()  # documents answering 404
        self.slow: dict[int, float] = {}  # documents answering after so many seconds
        self.unavailable: dict[str, int] = {}  # method -> how many 503s to answer first
        self.validators = True  # documents carry ETag and Last-Modified
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.base_path}"

    def start(self) -> "FakeModernGov":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def to(self, what: str) -> list[dict]:
        """The requests whose path ends with ``what`` (a method or a document page)."""
        with self._lock:
            return [r for r in self.requests if r["path"].endswith(what)]

    # -- answers ----------------------------------------------------------------------------
    def _replay(self, path: Path) -> bytes:
        return path.read_text(encoding="utf-8").replace(RECORDED_HOST, self.base_url).encode()

    def _meetings(self, committee: int, since: dt.date | None, until: dt.date | None) -> bytes:
        """The recorded listing, less the meetings outside the dates asked for or hidden; a
        committee nobody recorded has the same listing with no meetings."""
        root = etree.fromstring((RECORDED / "manchester_GetMeetings_cid144.xml").read_bytes())
        for meeting in root.iter("meeting"):
            day = _day(meeting.findtext("meetingdate"))
            mid = int(meeting.findtext("meetingid"))
            gone = (committee != AUDIT or mid in self.hidden_meetings
                    or (since and day and day < since) or (until and day and day > until))
            if gone:
                meeting.getparent().remove(meeting)
        if committee != AUDIT:
            root.find("committee/committeeid").text = str(committee)
        return etree.tostring(root, xml_declaration=True, encoding="utf-8")

    def answer(self, path: str, query: dict, headers) -> tuple[int, bytes, dict]:
        method = path.rsplit("/", 1)[-1]
        xml = {"Content-Type": "text/xml; charset=utf-8"}
        if path.startswith(f"{self.base_path}/mgWebService.asmx/"):
            with self._lock:
                if self.unavailable.get(method, 0) > 0:
                    self.unavailable[method] -= 1
                    return 503, b"Service Unavailable", {"Retry-After": "0"}
            if method in self.override:
                return 200, self.override[method].read_bytes(), xml
            match method:
                case "GetCommittees":
                    return 200, self._replay(RECORDED / "manchester_GetCommittees.xml"), xml
                case "GetMeetings":
                    return 200, self._meetings(int(query.get("lCommitteeId", 0)),
                                               _day(query.get("sFromDate")),
                                               _day(query.get("sToDate"))), xml
                case "GetMeeting":
                    found = MEETINGS.get(int(query.get("lMeetingId", 0)))
                    if found:
                        return 200, self._replay(found), xml
            return 404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"}
        if path == f"{self.base_path}/mgConvert2PDF.aspx":
            doc = int(query.get("ID", 0))
            if doc in self.slow:
                time.sleep(self.slow[doc])
            if doc in self.missing or doc not in DOCUMENTS:
                return 404, b"<html><body>The document could not be found</body></html>", {
                    "Content-Type": "text/html"}
            data = DOCUMENTS[doc].read_bytes()
            etag = f'"{hashlib.sha256(data).hexdigest()[:16]}"'
            extra = {"ETag": etag, "Last-Modified": LAST_MODIFIED} if self.validators else {}
            if self.validators and headers.get("If-None-Match") == etag:
                return 304, b"", extra
            return 200, data, {"Content-Type": "application/pdf", **extra}
        return 404, b"", {}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query))
                status, body, headers = fake.answer(url.path, query, self.headers)
                with fake._lock:
                    fake.requests.append({"path": url.path, "query": query,
                                          "headers": dict(self.headers), "status": status,
                                          "at": time.monotonic()})
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

        return Handler
