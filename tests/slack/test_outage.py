"""Slack's side failing, and requests that are not Slack's: the real app (real Bolt inside) with
the fake Web API refusing connections or hanging. Slack wants its ack within 3 s, always."""

import asyncio
import json
import logging
import time

import pytest

from tests.slack.conftest import sign
from tests.slack.test_events import AUDITS


def clerk_problems(caplog) -> list[logging.LogRecord]:
    """Clerk's warnings and errors, and any record anywhere that carries a traceback."""
    return [r for r in caplog.records
            if (r.name.startswith("clerk") and r.levelno >= logging.WARNING) or r.exc_info]


def outbox(sender) -> list[dict]:
    return sender.client.app.state.slack_outbox.pending()


def wait_until(check, timeout: float = 30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


# -- 3. unsigned junk ----------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=zzz"},
    {},
    {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64},
])
def test_unsigned_junk_gets_401_and_one_log_line(slack_app, fake_slack, caplog, headers):
    slack = slack_app()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        r = slack.client.post("/slack/events", content=b"\x00\xffnot json{",
                              headers={"Content-Type": "application/json", **headers})
    assert r.status_code == 401
    problems = clerk_problems(caplog)
    assert len(problems) == 1 and problems[0].exc_info is None, problems
    assert "\n" not in problems[0].getMessage()
    assert fake_slack.answers() == []


@pytest.mark.parametrize("body,content_type", [
    ("not json at all", "application/json"),
    ("[1, 2, 3]", "application/json"),
    ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
])
def test_signed_junk_gets_400_and_one_log_line(slack_app, fake_slack, caplog, body,
                                               content_type):
    slack = slack_app()
    caplog.clear()
    r = slack.raw(body, content_type)
    assert r.status_code == 400
    problems = clerk_problems(caplog)
    assert len(problems) == 1 and problems[0].exc_info is None, problems
    assert fake_slack.answers() == []


# -- 2. the body limit covers Slack, and an unsigned body is not read at all ---------------------

def _post_streamed(app, headers: dict, chunks: int, chunk_bytes: int = 1_000_000):
    """Calls the ASGI app directly with a body of `chunks` chunks; returns (status, chunks the
    app pulled)."""
    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * chunk_bytes,
                "more_body": pulled < chunks}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/slack/events", "raw_path":
             b"/slack/events", "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, pulled


def test_an_unsigned_slack_body_is_refused_before_any_of_it_is_read(slack_app):
    slack = slack_app()
    status, pulled = _post_streamed(slack.client.app, {"content-type": "application/json"},
                                    chunks=20)
    assert status == 401
    assert pulled == 0


def test_a_large_slack_body_is_refused_after_at_most_the_limit(slack_app):
    slack = slack_app(slack_max_body_bytes=100_000)
    signed = sign("irrelevant")  # well-formed and current: only the body can tell
    status, pulled = _post_streamed(slack.client.app, {"content-type": "application/json",
                                                       **signed}, chunks=20,
                                    chunk_bytes=64_000)
    assert status == 413
    assert pulled <= 2  # 128,000 bytes read at most, never the 1.28 MB sent
    declared = slack.client.post("/slack/events", content=b"{}", headers={
        **signed, "Content-Type": "application/json", "Content-Length": "200000000"})
    assert declared.status_code == 413


# -- 4. Slack's Web API down or hanging ----------------------------------------------------------

def test_slack_refusing_connections_still_gets_the_ack_and_the_answer_is_kept_then_posted(
        slack_app, fake_slack, caplog):
    slack = slack_app(slack_retries=1, slack_retry_interval_s=0.5)
    wait_until(lambda: fake_slack.calls_to("auth.test"))
    fake_slack.down()
    caplog.clear()
    started = time.perf_counter()
    r = slack.mention(AUDITS, ts="1700000000.000700")
    assert r.status_code == 200
    assert time.perf_counter() - started < 3
    kept = wait_until(lambda: outbox(slack))
    assert kept[0]["payload"]["thread_ts"] == "1700000000.000700"
    assert "1088" in kept[0]["payload"]["text"]
    # The message is kept (written to the outbox) a moment before its line is logged.
    wait_until(lambda: [p for p in clerk_problems(caplog) if p.levelno >= logging.ERROR])
    problems = clerk_problems(caplog)
    # The retry loop may already have tried again (0.5 s apart) on a loaded machine: each later
    # try is one warning of its own; the first failure is the one error, kept for retry.
    first = [p for p in problems if p.levelno >= logging.ERROR]
    assert len(first) == 1, [r.getMessage() for r in problems]
    assert "kept for retry" in first[0].getMessage() and first[0].exc_info is None
    assert all(p.levelno == logging.WARNING and "still cannot post" in p.getMessage()
               and p.exc_info is None for p in problems if p is not first[0])

    fake_slack.up()
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["thread_ts"] == "1700000000.000700" and "1088" in post["text"]
    wait_until(lambda: not outbox(slack))


def test_a_hanging_slack_neither_delays_the_ack_nor_holds_the_api(slack_app, fake_slack,
                                                                  caplog):
    slack = slack_app(slack_timeout_s=1, slack_retries=0, slack_retry_interval_s=0.5)
    wait_until(lambda: fake_slack.calls_to("auth.test"))
    fake_slack.hang_s = 4
    caplog.clear()
    started = time.perf_counter()
    assert slack.mention(AUDITS, ts="1700000000.000800").status_code == 200
    assert slack.dm("What caseload range was West Sussex aiming for per social worker?",
                    ts="1700000000.000801").status_code == 200
    assert time.perf_counter() - started < 3
    r = slack.client.post("/ask", json={"question": AUDITS})
    assert r.status_code == 200 and "1088" in r.json()["answer"]
    kept = wait_until(lambda: len(outbox(slack)) == 2 and outbox(slack))
    assert {k["payload"]["thread_ts"] for k in kept} == {"1700000000.000800",
                                                         "1700000000.000801"}
    problems = [r for r in clerk_problems(caplog) if "kept for retry" in r.getMessage()]
    assert len(problems) == 2 and all(p.exc_info is None for p in problems)

    fake_slack.hang_s = 0
    posts = fake_slack.wait_for("chat.postMessage", count=2)
    assert {p["thread_ts"] for p in posts} == {"1700000000.000800", "1700000000.000801"}
    wait_until(lambda: not outbox(slack))


def test_a_slash_command_reply_that_cannot_be_delivered_is_kept(slack_app, fake_slack):
    slack = slack_app(slack_retries=0, slack_retry_interval_s=0.5)
    wait_until(lambda: fake_slack.calls_to("auth.test"))
    url = fake_slack.response_url("cmd")
    fake_slack.down()
    r = slack.command(AUDITS, url)
    assert r.status_code == 200 and "Looking through the papers" in r.json()["text"]
    kept = wait_until(lambda: outbox(slack))
    assert kept[0]["kind"] == "response_url" and kept[0]["payload"]["url"] == url
    fake_slack.up()
    reply = fake_slack.wait_for("response_url")[0]
    assert "1088" in json.dumps(reply["blocks"])
