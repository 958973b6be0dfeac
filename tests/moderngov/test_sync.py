"""`clerk sync moderngov` against a local fake ModernGov site replaying a real council's recorded
responses, into a real embedded store with the real model."""

import datetime as dt

import pytest
import yaml
from click.testing import CliRunner

from assistant.store import Store
from ingest.moderngov import Fetcher
from ingest.pipeline import run_ingest
from ingest.sync import SyncOptions, site_name, sync_moderngov
from tests.conftest import CORPUS
from tests.moderngov.fake_moderngov import ERRORS, SHARED, FakeModernGov

pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/corpus-dev")

WINDOW = SyncOptions(since=dt.date(2026, 1, 1), until=dt.date(2026, 12, 31),
                     council="Manchester City Council")
DOCUMENTS = "/mgConvert2PDF.aspx"


@pytest.fixture
def fake():
    server = FakeModernGov().start()
    yield server
    server.stop()


@pytest.fixture
def sync(settings_for, embedder, fake):
    settings = settings_for()
    lines: list[str] = []

    def run(options=WINDOW, **fetcher):
        fake.clear()
        lines.clear()
        return sync_moderngov(fake.base_url, settings, lambda: embedder, options,
                              Fetcher(**{"delay": 0, "backoff": 0.01, **fetcher}),
                              warn=lines.append)

    run.settings, run.lines = settings, lines
    return run


def ids(site: str, *keys: str) -> set[str]:
    return {f"{site}-{k}" for k in keys}


def test_sync_ingests_then_fetches_nothing_then_prunes_a_removed_meeting(sync, fake, embedder):
    other = run_ingest([CORPUS / "surrey-ces-performance-reference-group-2018-02-06.md"],
                       sync.settings, lambda: embedder, progress=False)
    assert other.added == 1
    site = site_name(fake.base_url)

    first = sync()
    assert sync.lines == [] and first.failures == []
    assert (first.committees, first.meetings, first.documents) == (2, 2, 3)
    assert first.fetched == 3 and first.ingest.added == 3 and first.ingest.failed == 0
    assert all(r["headers"]["User-Agent"].startswith("Clerk/") for r in fake.requests)
    records = Store(sync.settings).paper_records()
    assert ids(site, "a60860", "a60909", "m4967-minutes") < set(records)
    report = records[f"{site}-a60909"]
    assert (report["committee"], report["meeting_date"], report["item"], report["doc_type"],
            report["council"]) == ("Audit Committee", "2026-02-10", "9. Work Programme",
                                   "report", "Manchester City Council")
    assert report["url"] == f"{fake.base_url}/mgConvert2PDF.aspx?ID=60909"
    assert report["title"] == "DRAFT WP FEBRUARY 2026"
    # the minutes of an earlier meeting, put up for approval, keep the date they print
    earlier = records[f"{site}-a60860"]
    assert (earlier["doc_type"], earlier["item"], earlier["meeting_date"]) == (
        "minutes", "1. Minutes", "2016-06-07")
    minutes = records[f"{site}-m4967-minutes"]
    assert (minutes["doc_type"], minutes["meeting_date"], minutes["url"]) == (
        "minutes", "2026-02-10", f"{fake.base_url}/ieListDocuments.aspx?CId=144&MId=4967")
    labels = [c.meta["paragraph"] for c in Store(sync.settings).paper_chunks(
        f"{site}-m4967-minutes")]
    assert labels == ["1", "9"]  # the minute numbers the meeting printed
    manifest = yaml.safe_load((sync.settings.data_dir / "moderngov" / site /
                               "manifest.yaml").read_text())
    assert {row["file"] for row in manifest["papers"]} == {"a60860.pdf", "a60909.pdf",
                                                           "m4967-minutes.html"}

    # `clerk ingest PATH --prune` on the same store leaves the synced papers to the sync
    pruned = run_ingest([CORPUS / "surrey-ces-performance-reference-group-2018-02-06.md"],
                        sync.settings, lambda: embedder, prune=True, progress=False)
    assert pruned.removed == 0 and pruned.unchanged == 1
    assert ids(site, "a60860", "a60909", "m4967-minutes") < set(
        Store(sync.settings).paper_records())

    second = sync()
    assert (second.fetched, second.unchanged, second.removed) == (0, 3, 0)
    assert second.ingest.added == second.ingest.updated == 0 and second.ingest.unchanged == 3
    downloads = fake.to(DOCUMENTS)
    assert [r["status"] for r in downloads] == [304, 304]  # asked with their ETags: no body
    assert all(r["headers"].get("If-None-Match") for r in downloads)

    fake.hidden_meetings.add(4967)
    third = sync()
    assert third.removed == 3 and third.failures == []
    left = set(Store(sync.settings).paper_records())
    assert not ids(site, "a60860", "a60909", "m4967-minutes") & left
    assert "surrey-ces-performance-reference-group-2018-02-06" in left  # not the sync's to prune
    assert not any((sync.settings.data_dir / "moderngov" / site / "papers").iterdir())


def test_bad_answers_cost_one_line_each_and_lose_nothing_else(sync, fake):
    site = site_name(fake.base_url)
    sync()
    held = set(Store(sync.settings).paper_records())

    fake.override["GetMeeting"] = ERRORS["sharepoint error"]
    report = sync()
    assert sync.lines == [("GetMeeting 4966: an HTML page where <meeting> was expected; its "
                          "papers are kept as they were"),
                          ("GetMeeting 4967: an HTML page where <meeting> was expected; its "
                          "papers are kept as they were")]
    assert report.removed == 0 and set(Store(sync.settings).paper_records()) == held

    fake.override = {"GetMeetings": ERRORS["redirect page"]}
    report = sync()
    assert len(sync.lines) == 2 and all("a script (a redirect page?) where <getmeetings>" in line
                                        for line in sync.lines)
    assert report.removed == 0 and set(Store(sync.settings).paper_records()) == held

    fake.override = {"GetCommittees": ERRORS["empty list"]}
    report = sync()
    assert sync.lines == [(f"{fake.base_url} GetCommittees: a <councillorsbyward> document where "
                          "<committees> was expected")]
    assert report.removed == 0 and set(Store(sync.settings).paper_records()) == held

    fake.override = {}
    fake.missing.add(60909)  # gone from the server but still listed: the copy held stays
    report = sync()
    assert sync.lines == [(f"{fake.base_url}/mgConvert2PDF.aspx?ID=60909: HTTP 404; the copy "
                          "held is kept")]
    assert report.removed == 0 and set(Store(sync.settings).paper_records()) == held

    fake.missing.clear()
    fake.override = {"GetCommittees": ERRORS["empty list"]}
    # a committee named on the command line is synced even when the committee list is bad
    report = sync(SyncOptions(committees=(144,), since=WINDOW.since, until=WINDOW.until,
                              council=WINDOW.council))
    assert len(report.failures) == 1 and report.documents == 3 and report.removed == 0
    assert report.ingest.unchanged == 3  # the committee's title came with its meetings
    assert ids(site, "a60909") <= set(Store(sync.settings).paper_records())


def test_a_missing_and_a_slow_document_cost_a_line_each_and_the_rest_goes_in(sync, fake):
    site = site_name(fake.base_url)
    fake.validators = False
    fake.missing.add(60909)
    fake.slow[60860] = 1.0
    report = sync(timeout=0.3, retries=1)
    assert sorted(sync.lines) == [
        f"{fake.base_url}/mgConvert2PDF.aspx?ID=60860: timed out after 2 tries",
        f"{fake.base_url}/mgConvert2PDF.aspx?ID=60909: HTTP 404"]
    assert report.ingest.added == 1
    assert set(Store(sync.settings).paper_records()) == ids(site, "m4967-minutes")

    fake.missing.clear()
    fake.slow.clear()
    report = sync()
    assert report.fetched == 2 and report.ingest.added == 2 and sync.lines == []

    report = sync()  # no ETag or Last-Modified given: an unchanged listing is not asked for
    assert fake.to(DOCUMENTS) == [] and report.unchanged == 3 and report.fetched == 0


def test_clerk_sync_moderngov_runs_on_a_schedule_and_announces_new_meetings(
        fake, tmp_path, monkeypatch):
    from assistant.alerts import Alerts
    from assistant.cli import cli
    from assistant.settings import get_settings
    from tests.slack.fake_slack import FakeSlack

    slack = FakeSlack().start()
    Alerts(tmp_path / "data").subscribe("C0AUDIT", "committee", "audit")
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CLERK_SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("CLERK_SLACK_API_URL", slack.base_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, [
            "sync", "moderngov", fake.base_url, "--committee", "144", "--since", "2026-01-01",
            "--until", "2026-12-31", "--council", "Manchester City Council", "--delay", "0",
            "--every", "1s", "--runs", "2"])
    finally:
        get_settings.cache_clear()
        slack.stop()
    assert result.exit_code == 0, result.output
    summaries = [line for line in result.output.splitlines() if line.startswith("moderngov:")]
    assert len(summaries) == 2
    assert "3 fetched" in summaries[0] and "0 fetched, 3 unchanged" in summaries[1]
    assert "papers: 0 added, 0 updated, 3 unchanged" in result.output
    # one digest per meeting, once: the 10 February 2026 meeting (its minutes and report), and
    # the earlier meeting whose minutes it approved, dated as they print
    posts = slack.calls_to("chat.postMessage")
    assert [p["channel"] for p in posts] == ["C0AUDIT", "C0AUDIT"]
    headers = sorted(p["text"].split(" (")[0] for p in posts)
    assert headers == ["New papers: Audit Committee · Manchester City Council · 10 February 2026",
                       "New papers: Audit Committee · Manchester City Council · 7 June 2016"]
    feb = next(p for p in posts if "10 February 2026" in p["text"])
    papers = feb["blocks"][1]["text"]["text"]
    assert f"<{fake.base_url}/mgConvert2PDF.aspx?ID=60909|DRAFT WP FEBRUARY 2026>" in papers
    assert "item 9. Work Programme" in papers


def test_a_bad_schedule_or_address_is_refused_in_one_line():
    from assistant.cli import cli

    result = CliRunner().invoke(cli, ["sync", "moderngov", "https://x.example", "--every",
                                      "daily"])
    assert result.exit_code == 2 and "'daily' is not a duration" in result.output
    result = CliRunner().invoke(cli, ["sync", "moderngov", "x.example"])
    assert result.exit_code == 2 and "with http:// or https://" in result.output
