"""`/clerk QUESTION` answered in a thread: Clerk posts the question in the channel for its asker
and answers in that message's thread, where a mention follows it up; where Clerk cannot post
(not in the channel), it answers through the command as before, with one warning line."""

import json
import logging

from tests.slack.fake_slack import BOT_ID, BOT_USER_ID
from tests.slack.test_events import AUDITS, texts

FOLLOW_UP = "And which thematic audits have been completed?"


class RecordingService:
    """The real service, remembering each request it was asked."""

    def __init__(self, service):
        self.service, self.requests = service, []

    def __getattr__(self, name):
        return getattr(self.service, name)

    def ask(self, request):
        self.requests.append(request)
        return self.service.ask(request)


def metadata_of(post: dict) -> dict:
    raw = post.get("metadata")
    return json.loads(raw) if isinstance(raw, str) else raw


def as_kept(post: dict, ts: str, thread_ts: str | None = None) -> dict:
    """A message Clerk posted, as conversations.replies gives it back."""
    message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts,
               "text": post["text"], "metadata": metadata_of(post)}
    return {**message, "thread_ts": thread_ts} if thread_ts else message


def test_a_slash_command_posts_the_question_then_answers_in_its_thread(slack_app, fake_slack):
    slack = slack_app()
    r = slack.command(AUDITS, fake_slack.response_url("cmd"))
    assert r.status_code == 200 and "Looking through the papers" in r.json()["text"]
    question, answer = fake_slack.wait_for("chat.postMessage", count=2)
    assert question["channel"] == answer["channel"] == "C0PAPERS"
    assert question["text"] == f"<@U0ALICE> asked: {AUDITS}" and "thread_ts" not in question
    assert metadata_of(question) == {"event_type": "clerk_question",
                                     "event_payload": {"question": AUDITS}}
    assert answer["thread_ts"] == "1700000100.000001"  # the question's ts, as Slack gave it
    assert "1088" in texts(answer["blocks"], "section")[0]
    # the question is in the parent, so the answer does not repeat it
    assert not any("asked:" in t for t in texts(answer["blocks"], "context"))
    assert fake_slack.calls_to("response_url") == []
    # :eyes: on the question while Clerk reads, off once the answer is posted
    added = fake_slack.wait_for("reactions.add")[0]
    assert (added["channel"], added["timestamp"]) == ("C0PAPERS", "1700000100.000001")
    fake_slack.wait_for("reactions.remove")
    assert fake_slack.reactions == set()


def test_a_mention_in_the_slash_commands_thread_follows_it_up(slack_app, fake_slack, service):
    recording = RecordingService(service)
    slack = slack_app(service=recording)
    slack.command(AUDITS, fake_slack.response_url("cmd"))
    question, answer = fake_slack.wait_for("chat.postMessage", count=2)
    parent = answer["thread_ts"]
    fake_slack.threads[("C0PAPERS", parent)] = [
        as_kept(question, parent), as_kept(answer, "1700000100.000002", parent),
        {"type": "message", "user": "U0ALICE", "ts": "1700000101.000100", "thread_ts": parent,
         "text": f"<@{BOT_USER_ID}> {FOLLOW_UP}"}]
    slack.mention(FOLLOW_UP, ts="1700000101.000100", thread_ts=parent)
    reply = fake_slack.wait_for("chat.postMessage", count=3)[2]
    assert reply["thread_ts"] == parent and "Private Fostering" in reply["text"]
    asked = recording.requests[-1]
    assert asked.question == FOLLOW_UP
    # the question once (from the parent, not again from the answer's metadata), then the answer
    assert [(t.role, t.content[:20]) for t in asked.conversation] == [
        ("user", AUDITS[:20]), ("assistant", answer["text"][:20])]
    assert "1088" in asked.conversation[1].content


def test_where_clerk_is_not_in_the_channel_the_command_answers_as_before_with_one_warning(
        slack_app, fake_slack, caplog):
    fake_slack.refuse["chat.postMessage"] = "not_in_channel"
    slack = slack_app()
    with caplog.at_level(logging.WARNING, logger="clerk.slack"):
        slack.command(AUDITS, fake_slack.response_url("cmd"), channel="C0ELSEWHERE")
        reply = fake_slack.wait_for("response_url")[0]
    assert reply["response_type"] == "in_channel" and "1088" in reply["text"]
    echo = texts(reply["blocks"], "context")[0]
    assert echo.startswith("<@U0ALICE> asked:")  # no parent message, so the answer says it
    [tried] = fake_slack.calls_to("chat.postMessage")
    assert tried["channel"] == "C0ELSEWHERE"
    warnings = [r for r in caplog.records if "/clerk's question" in r.getMessage()]
    assert len(warnings) == 1 and "not_in_channel" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage() and warnings[0].exc_info is None


def test_an_ephemeral_setting_keeps_the_answer_private(slack_app, fake_slack):
    slack = slack_app(slack_slash_visibility="ephemeral")
    slack.command(AUDITS, fake_slack.response_url("cmd"))
    reply = fake_slack.wait_for("response_url")[0]
    assert reply["response_type"] == "ephemeral" and "1088" in reply["text"]
    assert fake_slack.calls_to("chat.postMessage") == []
