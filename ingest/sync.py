"""Keep a ModernGov site's papers in the store (`clerk sync moderngov BASE_URL`).

Each run reads the committees, their meetings in a window of dates and every meeting's agenda
items; downloads the documents linked to the items (reports, and the minutes of a previous
meeting put up for approval) and writes the meeting's own minutes from the minute text the web
service gives per item; writes a manifest (committee, meeting date, agenda item, source URL) and
ingests the folder with it. Everything lives under ``DATA_DIR/moderngov/<site>/``.

Incremental: a document already held is asked for with its ETag/Last-Modified (a 304 costs no
download), or not asked for at all when the server gave neither and its listing (URL, title,
publication date) is unchanged. A document no longer listed, or of a meeting no longer listed,
is removed from the folder and the store; what could not be read this time (a committee's or a
meeting's listing, a download) is kept as it was. Each problem is one line."""

import datetime as dt
import hashlib
import html
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import yaml

from assistant.embedder import Embedder
from assistant.errors import StoreLockedError
from assistant.settings import Settings
from ingest.moderngov import Fetcher, Meeting, MeetingRef, ModernGovError, WebService
from ingest.pipeline import IngestReport, _lock, run_ingest

DEFAULT_PAST_DAYS = 365  # --since: a year of meetings
DEFAULT_AHEAD_DAYS = 90  # --until: agendas are published ahead of their meetings
_TYPES = {"application/pdf": ".pdf", "text/html": ".html", "application/xhtml+xml": ".html",
          "text/plain": ".txt", "text/markdown": ".md",
          "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}
_SUFFIXES = {".pdf", ".docx", ".html", ".htm", ".txt", ".md"}


@dataclass(frozen=True)
class SyncOptions:
    committees: tuple[int, ...] = ()  # none: every committee that is neither deleted nor expired
    since: dt.date | None = None
    until: dt.date | None = None
    council: str | None = None  # the council's name, for the manifest (the service never says)

    def window(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or dt.date.today()
        return (self.since or today - dt.timedelta(days=DEFAULT_PAST_DAYS),
                self.until or today + dt.timedelta(days=DEFAULT_AHEAD_DAYS))


@dataclass
class SyncReport:
    committees: int = 0
    meetings: int = 0
    documents: int = 0  # listed: linked documents and meetings' minutes
    fetched: int = 0  # new or changed content received
    unchanged: int = 0  # not downloaded again: 304, or unchanged listing without validators
    removed: int = 0  # papers pruned from the store
    failures: list[tuple[str, str]] = field(default_factory=list)
    requests: int = 0
    ingest: IngestReport | None = None

    def summary(self) -> str:
        return (f"moderngov: {self.committees} committees, {self.meetings} meetings, "
                f"{self.documents} documents: {self.fetched} fetched, {self.unchanged} unchanged, "
                f"{self.removed} removed, {len(self.failures)} failed; "
                f"{self.requests} requests")


def site_name(base_url: str) -> str:
    """A folder name for the site: its host and path ("democracy-example-gov-uk-moderngov")."""
    url = urlsplit(base_url if "//" in base_url else f"https://{base_url}")
    return "-".join(re.findall(r"[a-z0-9]+", f"{url.netloc} {url.path}".lower())) or "site"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _long(iso: str | None) -> str | None:
    return dt.date.fromisoformat(iso).strftime("%-d %B %Y") if iso else None


def minutes_html(meeting: Meeting, committee: str | None) -> str | None:
    """The meeting's minutes as one HTML paper, from each agenda item's published minute (None
    when no minute is published)."""
    parts = [(item, body) for item in meeting.items if (body := item.minutes_html)]
    if not parts:
        return None
    when = _long(meeting.date) or ""
    head = html.escape(committee or "")
    out = [f"<html><head><title>Minutes: {head}</title></head><body><main>",
           f"<h1>{head}</h1>", f"<p>Minutes of the meeting held on {when}</p>"]
    for item, body in parts:  # the minute's HTML is the council's own (Word's), kept as given
        out.append(f"<h2>{html.escape(item.heading)}</h2>\n<div>{body}</div>")
    out.append("</main></body></html>")
    return "\n".join(out)


def _extension(response: httpx.Response, url: str, data: bytes) -> str | None:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if kind in _TYPES:
        return _TYPES[kind]
    disposition = response.headers.get("content-disposition", "")
    named = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)', disposition, re.IGNORECASE)
    for name in (named and unquote(named.group(1)), unquote(urlsplit(url).path)):
        suffix = Path(name or "").suffix.lower()
        if suffix in _SUFFIXES:
            return suffix
    if data.startswith(b"PK\x03\x04"):
        return ".docx"
    if b"<html" in data[:1024].lower():
        return ".html"
    return None


class _Site:
    """A site's folder: the papers, the manifest and what is known of each document."""

    def __init__(self, settings: Settings, base_url: str):
        self.name = site_name(base_url)
        self.folder = settings.data_dir / "moderngov" / self.name
        self.papers = self.folder / "papers"
        self.papers.mkdir(parents=True, exist_ok=True)
        self.state_path = self.folder / "state.json"
        try:
            self.docs: dict[str, dict] = json.loads(self.state_path.read_text())["documents"]
        except (OSError, ValueError, KeyError, TypeError):
            self.docs = {}

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.yaml"

    def doc_id(self, key: str) -> str:
        return f"{self.name}-{key}"

    def save(self) -> None:
        """The manifest and the state, each written whole; a document whose file has gone
        (removed by hand) is forgotten, so that it is fetched again."""
        self.docs = {k: d for k, d in self.docs.items() if (self.papers / d["file"]).exists()}
        rows = [dict(file=d["file"], **d["row"]) for _, d in sorted(self.docs.items())]
        _write_atomic(self.manifest, yaml.safe_dump({"papers": rows}, sort_keys=False,
                                                    allow_unicode=True).encode())
        _write_atomic(self.state_path, json.dumps({"documents": self.docs}, indent=1).encode())

    def remove(self, key: str) -> None:
        entry = self.docs.pop(key)
        (self.papers / entry["file"]).unlink(missing_ok=True)


def _site_lock(site: _Site):
    from filelock import FileLock, Timeout

    lock = FileLock(str(site.folder / "sync.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise StoreLockedError(f"another sync of {site.name} is running") from None
    return lock


class _Run:
    def __init__(self, site: _Site, service: WebService, settings: Settings,
                 options: SyncOptions, report: SyncReport, fail: Callable[[str, str], None]):
        self.site, self.service, self.settings = site, service, settings
        self.options, self.report, self.fail = options, report, fail
        self.listed: set[str] = set()  # documents listed this run, or kept because unread

    def row(self, ref: MeetingRef, committee: str | None, doc_id: str, **values) -> dict:
        """A manifest row: what the web service says of the paper."""
        row = {"doc_id": doc_id, "council": self.options.council, "committee": committee,
               "meeting_date": ref.date, **values}
        return {k: v for k, v in row.items() if v is not None}

    def meeting(self, ref: MeetingRef, committee: str | None) -> None:
        try:
            meeting = self.service.meeting(ref.id)
        except ModernGovError as exc:
            self.fail(f"GetMeeting {ref.id}", f"{exc}; its papers are kept as they were")
            self.listed |= {k for k, d in self.site.docs.items() if d["meeting_id"] == ref.id}
            return
        committee = committee or meeting.committee
        page = self.service.meeting_page(ref.committee_id, ref.id)
        text = minutes_html(meeting, committee)
        if text is not None:
            key = f"m{ref.id}-minutes"
            self.text_document(key, ref, text.encode(), self.row(
                ref, committee, doc_id=self.site.doc_id(key), doc_type="minutes",
                title=f"Minutes: {', '.join(filter(None, (committee, _long(ref.date))))}",
                url=page))
        for item in meeting.items:
            for doc in item.docs:
                key = f"a{doc.attachment_id}"
                if doc.restricted or doc.is_url or key in self.listed:
                    continue
                # the minutes of an earlier meeting, put up for approval, print their own date
                earlier = item.title.lower().startswith("minute")
                kind = "minutes" if earlier else "decision" if doc.decision else "report"
                row = self.row(ref, committee, doc_id=self.site.doc_id(key), doc_type=kind,
                               title=doc.title, url=doc.url, item=item.heading or None)
                if earlier:
                    row.pop("meeting_date", None)
                listing = f"{doc.url}|{doc.title}|{doc.publication_date}"
                self.download(key, ref, doc.url, listing, row)

    def _entry(self, key: str, ref: MeetingRef, row: dict, **values) -> None:
        self.site.docs[key] = {**self.site.docs.get(key, {}), **values, "row": row,
                               "committee_id": ref.committee_id, "meeting_id": ref.id,
                               "meeting_date": ref.date}

    def text_document(self, key: str, ref: MeetingRef, data: bytes, row: dict) -> None:
        self.listed.add(key)
        self.report.documents += 1
        sha = hashlib.sha256(data).hexdigest()
        old = self.site.docs.get(key)
        name = f"{key}.html"
        if old and old.get("sha256") == sha and (self.site.papers / name).exists():
            self.report.unchanged += 1
        else:
            _write_atomic(self.site.papers / name, data)
            self.report.fetched += 1
        self._entry(key, ref, row, file=name, sha256=sha, url=row.get("url"))

    def download(self, key: str, ref: MeetingRef, url: str, listing: str, row: dict) -> None:
        self.listed.add(key)
        self.report.documents += 1
        old = self.site.docs.get(key)
        held = bool(old) and (self.site.papers / old["file"]).exists()
        validators = held and (old.get("etag") or old.get("last_modified"))
        if held and not validators and old.get("listing") == listing:
            self.report.unchanged += 1
            self._entry(key, ref, row)
            return
        headers = {}
        if validators:
            if old.get("etag"):
                headers["If-None-Match"] = old["etag"]
            if old.get("last_modified"):
                headers["If-Modified-Since"] = old["last_modified"]
        try:
            response = self.service.fetcher.get(url, headers=headers)
        except ModernGovError as exc:
            self.fail(url, f"{exc}{'; the copy held is kept' if held else ''}")
            return
        if response.status_code == 304 and held:
            self.report.unchanged += 1
            self._entry(key, ref, row, listing=listing)
            return
        if response.status_code != 200:
            self.fail(url, f"HTTP {response.status_code}{'; the copy held is kept' if held else ''}")
            return
        data = response.content
        if len(data) > self.settings.max_file_bytes:
            self.fail(url, f"{len(data):,} bytes; the limit is {self.settings.max_file_bytes:,}")
            return
        suffix = _extension(response, url, data)
        if suffix is None:
            kind = response.headers.get("content-type") or "no content type"
            self.fail(url, f"not a paper Clerk reads ({kind})")
            return
        name = f"{key}{suffix}"
        _write_atomic(self.site.papers / name, data)
        if held and old["file"] != name:
            (self.site.papers / old["file"]).unlink(missing_ok=True)
        self.report.fetched += 1
        self._entry(key, ref, row, file=name, url=url, listing=listing,
                    sha256=hashlib.sha256(data).hexdigest(),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"))


def sync_moderngov(base_url: str, settings: Settings, embedder_factory: Callable[[], Embedder],
                   options: SyncOptions = SyncOptions(), fetcher: Fetcher | None = None,
                   warn: Callable[[str], None] = lambda line: print(line, file=sys.stderr)
                   ) -> SyncReport:
    """One sync of the site at ``base_url`` into the store; problems are one line each."""
    report = SyncReport()

    def fail(where: str, reason: str) -> None:
        report.failures.append((where, reason))
        warn(f"{where}: {reason}")

    since, until = options.window()
    site = _Site(settings, base_url)
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    service = WebService(base_url, fetcher)
    lock = _site_lock(site)
    try:
        run = _Run(site, service, settings, options, report, fail)
        try:
            listed = service.committees()
        except ModernGovError as exc:
            fail(f"{base_url} GetCommittees", str(exc))
            listed = None
        titles = {c.id: c.title for c in listed or []}
        if options.committees:
            wanted = list(options.committees)
        else:
            wanted = [c.id for c in listed or [] if not c.deleted and not c.expired]
        read: set[int] = set()  # committees whose meetings were listed
        for cid in wanted:
            try:
                named, meetings = service.meetings(cid, since, until)
            except ModernGovError as exc:
                fail(f"GetMeetings committee {cid}", f"{exc}; its papers are kept as they were")
                continue
            read.add(cid)
            report.committees += 1
            for ref in meetings:
                report.meetings += 1
                run.meeting(ref, titles.get(cid) or named.get(cid))
        for key, entry in list(site.docs.items()):
            date = entry.get("meeting_date")
            in_window = date is None or since.isoformat() <= date <= until.isoformat()
            if entry["committee_id"] in read and in_window and key not in run.listed:
                site.remove(key)
        site.save()
        report.requests = fetcher.requests
        report.removed = _prune_store(settings, site)
        report.ingest = run_ingest([site.papers], settings, embedder_factory,
                                   manifest=site.manifest, warn=warn, progress=False)
    finally:
        lock.release()
        if own:
            fetcher.close()
    return report


def _prune_store(settings: Settings, site: _Site) -> int:
    """Papers of this site's folder that its manifest no longer holds leave the store (also
    those a run killed after removing their files left behind)."""
    from assistant.store import Store

    current = {site.doc_id(key) for key in site.docs}
    folder = site.papers.resolve()
    removed = 0
    with _lock(settings):
        store = Store(settings)
        for doc_id, record in store.paper_records().items():
            source = record.get("source")
            if source and Path(source).parent == folder and doc_id not in current:
                store.delete_paper(doc_id)
                removed += 1
    return removed
