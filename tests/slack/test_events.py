"""The real Bolt app inside the real FastAPI app, fed signed requests; Slack's Web API is a
local fake that records what Clerk posted."""

import json
import time

import pytest

from assistant.errors import BadQuestionError
from tests.slack.conftest import PUBLIC_URL, SECRET, sign
from tests.slack.fake_slack import BOT_ID, BOT_USER_ID

AUDITS = "How many case audits had Surrey completed by July 2020?"
COMMITTEE = "Children, Families, Lifelong Learning and Culture Select Committee"
REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"


def texts(blocks: list[dict], kind: str) -> list[str]:
    """The mrkdwn texts of one kind of block, in order."""
    out = []
    for b in blocks:
        if b["type"] == kind == "section":
            out.append(b["text"]["text"])
        elif b["type"] == kind == "context":
            out.append(" ".join(e["text"] for e in b["elements"]))
    return out


def test_url_verification_challenge_is_answered(slack_app):
    slack = slack_app()
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    r = slack.raw(body, "application/json")
    assert r.status_code == 200
    assert r.json() == {"challenge": "c-123"}


def test_bad_signature_gets_401_and_no_answer(slack_app, fake_slack):
    slack = slack_app()
    assert slack.mention(AUDITS, secret="not-the-secret").status_code == 401
    body = json.dumps({"type": "url_verification", "challenge": "c"})
    unsigned = slack.client.post("/slack/events", content=body,
                                 headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    assert fake_slack.answers() == []


def test_signature_older_than_five_minutes_gets_401(slack_app, fake_slack):
    slack = slack_app()
    body = json.dumps({"type": "url_verification", "challenge": "c"})
    stale = int(time.time()) - 6 * 60
    assert slack.raw(body, "application/json", timestamp=stale).status_code == 401
    assert slack.mention(AUDITS, timestamp=stale).status_code == 401
    assert fake_slack.answers() == []
    assert slack.raw(body, "application/json", timestamp=int(time.time()) - 60).status_code == 200


def test_mention_is_answered_in_its_thread_with_a_citation_line(slack_app, fake_slack):
    slack = slack_app()
    r = slack.mention(AUDITS, ts="1700000000.000100")
    assert r.status_code == 200
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["channel"] == "C0PAPERS" and post["thread_ts"] == "1700000000.000100"
    assert "1088" in post["text"]
    section = texts(post["blocks"], "section")[0]
    assert "1088" in section and "[1]" in section
    cite = texts(post["blocks"], "context")[0]
    assert COMMITTEE in cite and "28 July 2020" in cite
    # "&" is escaped for mrkdwn; Slack unescapes it in the link
    assert (f"<{PUBLIC_URL}/papers/{REPORT}/view?paragraph=19&amp;quote=There%20have%20been%20"
            "1088") in cite
    assert "#p-19|paragraph 19>" in cite
    assert "1088 audits completed" in cite
    buttons = post["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["clerk_feedback_up", "clerk_feedback_down"]
    assert post["metadata"]["event_payload"]["question"] == AUDITS
    assert post["metadata"]["event_payload"]["cited"][0] == REPORT


def test_direct_message_is_answered(slack_app, fake_slack):
    slack = slack_app()
    assert slack.dm(AUDITS, ts="1700000000.000200").status_code == 200
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["channel"] == "D0ALICE" and post["thread_ts"] == "1700000000.000200"
    assert "paragraph 19" in texts(post["blocks"], "context")[0]


def test_bare_mention_gets_help_not_silence(slack_app, fake_slack):
    slack = slack_app()
    slack.mention("")
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert "Ask me about the committee papers" in post["text"]


@pytest.mark.parametrize("visibility", ["in_channel", "ephemeral"])
def test_slash_command_is_acked_at_once_then_answered_per_setting(slack_app, fake_slack,
                                                                   visibility):
    """Through the command's response_url: always when ephemeral; in_channel only where Clerk
    cannot post in the channel (elsewhere it answers in a thread: test_slash_thread.py)."""
    fake_slack.refuse["chat.postMessage"] = "not_in_channel"
    slack = slack_app(slack_slash_visibility=visibility)
    r = slack.command(AUDITS, fake_slack.response_url("cmd"))
    assert r.status_code == 200
    assert r.json()["response_type"] == "ephemeral"
    assert "Looking through the papers" in r.json()["text"]
    reply = fake_slack.wait_for("response_url")[0]
    assert reply["path"] == "/response/cmd"
    assert reply["response_type"] == visibility
    assert "1088" in texts(reply["blocks"], "section")[0]
    echo, cite = texts(reply["blocks"], "context")[:2]
    assert echo.startswith("<@U0ALICE> asked:") and "July 2020" in echo
    assert "paragraph 19" in cite and COMMITTEE in cite


def test_thread_follow_up_is_answered_with_the_earlier_turns(slack_app, fake_slack):
    slack = slack_app()
    first = "What was said about the Children with Disabilities Service review?"
    fake_slack.threads[("C0PAPERS", "1700000000.000100")] = [
        {"type": "message", "user": "U0ALICE", "ts": "1700000000.000100",
         "text": f"<@{BOT_USER_ID}> {first}"},
        {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": "1700000001.000100",
         "text": "That the Director of Corporate Parenting share the findings... [1]"},
        {"type": "message", "user": "U0ALICE", "ts": "1700000002.000100",
         "text": f"<@{BOT_USER_ID}> And what did they resolve about it?"}]
    slack.mention("And what did they resolve about it?", ts="1700000002.000100",
                  thread_ts="1700000000.000100")
    post = fake_slack.wait_for("chat.postMessage")[0]
    replies = fake_slack.calls_to("conversations.replies")
    assert replies and replies[0]["channel"] == "C0PAPERS"
    assert replies[0]["ts"] == "1700000000.000100"
    assert post["thread_ts"] == "1700000000.000100"
    assert "paragraph Resolved 1" in texts(post["blocks"], "context")[0]


class CountingService:
    def __init__(self, service):
        self.service, self.questions = service, []

    def ask(self, request):
        self.questions.append(request.question)
        return self.service.ask(request)


def test_retried_event_is_not_answered_twice(slack_app, fake_slack, service):
    counting = CountingService(service)
    slack = slack_app(service=counting)
    assert slack.mention(AUDITS, event_id="EvONCE").status_code == 200
    retried = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    retry = slack.mention(AUDITS, event_id="EvONCE", headers=retried)
    assert retry.status_code == 200
    slack.dm("What caseload range was West Sussex aiming for per social worker?")
    fake_slack.wait_for("chat.postMessage", count=2)
    time.sleep(1)  # room for a wrongly accepted retry to show up
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert counting.questions.count(AUDITS) == 1


class BrokenService:
    def __init__(self, error: Exception):
        self.error = error

    def ask(self, request):
        raise self.error


def test_a_failure_in_the_service_gets_a_polite_reply_in_the_thread(slack_app, fake_slack):
    slack = slack_app(service=BrokenService(RuntimeError("chroma fell over")))
    slack.mention(AUDITS, ts="1700000000.000300")
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["thread_ts"] == "1700000000.000300"
    assert post["text"].startswith("Sorry, something went wrong")
    assert "chroma" not in post["text"]


def test_a_question_clerk_refuses_gets_the_reason(slack_app, fake_slack):
    slack = slack_app(service=BrokenService(BadQuestionError("the question is too long")))
    slack.dm("x" * 50)
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert "can't answer that as asked: the question is too long" in post["text"]


def test_slack_refusing_the_blocks_still_gets_a_reply(slack_app, fake_slack):
    slack = slack_app()
    fake_slack.refuse["chat.postMessage"] = "invalid_blocks"
    slack.mention(AUDITS)
    calls = fake_slack.wait_for("chat.postMessage", count=2)
    assert "blocks" not in calls[1] and calls[1]["text"].startswith("Sorry")


@pytest.mark.parametrize("threaded", [True, False])
def test_broadcasts_in_a_question_echo_ping_nobody(slack_app, fake_slack, threaded):
    if not threaded:
        fake_slack.refuse["chat.postMessage"] = "not_in_channel"
    slack = slack_app()
    slack.command("did @channel and <!here> hear about the *audits* by July 2020?",
                  fake_slack.response_url())
    if threaded:  # the question Clerk posts for its asker
        echo = fake_slack.wait_for("chat.postMessage")[0]["text"]
    else:
        reply = fake_slack.wait_for("response_url")[0]
        echo = texts(reply["blocks"], "context")[0]
    assert "<!" not in echo and "@channel" not in echo and "@here" not in echo
    assert "@\u200bchannel" in echo and "@\u200bhere" in echo
    assert "*audits*" not in echo


def test_unconfigured_slack_answers_503_with_what_is_missing(settings_for, service):
    from fastapi.testclient import TestClient

    from assistant.api import create_app

    with TestClient(create_app(settings_for(), service=service)) as client:
        r = client.post("/slack/events", content=b"{}", headers=sign("{}", SECRET))
        assert r.status_code == 503
        assert "CLERK_SLACK_SIGNING_SECRET" in r.json()["detail"]
        assert client.get("/healthz").status_code == 200
