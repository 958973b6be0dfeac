"""What an asker sees in Slack while and after Clerk answers: :eyes: on the question while it
reads, and a 👎 that asks what was wrong (a form; its answer stored with the vote)."""

import json
import logging
import time
from urllib.parse import urlencode

from assistant.feedback import export_feedback, read_votes
from tests.slack.conftest import SlackSender
from tests.slack.fake_slack import TEAM_ID
from tests.slack.test_events import AUDITS
from tests.slack.test_feedback import answer_id_of


def submit_reason(slack: SlackSender, view: dict, what: str | None, detail: str | None,
                  user: str = "U0BOB"):
    """What Slack posts when the voter sends the form."""
    values = {"what": {"what": {"type": "radio_buttons",
                                "selected_option": {"value": what} if what else None}},
              "detail": {"detail": {"type": "plain_text_input", "value": detail}}}
    payload = {"type": "view_submission", "team": {"id": TEAM_ID}, "user": {"id": user},
               "api_app_id": "A0CLERK", "token": "legacy", "trigger_id": "1.2.5",
               "view": {**view, "id": "V0REASON", "state": {"values": values}}}
    return slack.raw(urlencode({"payload": json.dumps(payload)}),
                     "application/x-www-form-urlencoded")


def test_a_mention_gets_eyes_at_once_and_they_go_when_the_answer_posts(slack_app, fake_slack):
    slack = slack_app()
    slack.mention(AUDITS, ts="1700000000.000100")
    [added] = fake_slack.wait_for("reactions.add")
    assert {k: added[k] for k in ("channel", "timestamp", "name")} == {
        "channel": "C0PAPERS", "timestamp": "1700000000.000100", "name": "eyes"}
    fake_slack.wait_for("reactions.remove")
    # on the question, before anything else; off once the answer is posted
    methods = fake_slack.methods()
    assert methods[0] == "reactions.add"
    assert methods.index("chat.postMessage") < methods.index("reactions.remove")
    assert fake_slack.reactions == set()


def test_a_direct_message_gets_eyes_too(slack_app, fake_slack):
    slack = slack_app()
    slack.dm(AUDITS, ts="1700000000.000200")
    assert fake_slack.wait_for("reactions.add")[0]["channel"] == "D0ALICE"
    fake_slack.wait_for("reactions.remove")
    assert fake_slack.reactions == set()


def test_without_the_reactions_scope_the_answer_still_posts_and_one_line_says_why(
        slack_app, fake_slack, caplog):
    fake_slack.refuse["reactions.add"] = "missing_scope"
    slack = slack_app()
    with caplog.at_level(logging.WARNING, logger="clerk.slack"):
        slack.mention(AUDITS)
        post = fake_slack.wait_for("chat.postMessage")[0]
    assert "1088" in post["text"]
    assert fake_slack.calls_to("reactions.remove") == []  # nothing to take off
    assert "Slack refused the eyes reaction: missing_scope" in caplog.text


def test_a_thumbs_down_opens_a_form_and_what_was_wrong_is_stored_and_exported(
        slack_app, fake_slack, tmp_path):
    slack = slack_app()
    settings = slack.client.app.state.settings
    slack.mention(AUDITS)
    answer_id = answer_id_of(fake_slack.wait_for("chat.postMessage")[0])

    slack.click("clerk_feedback_down", answer_id, fake_slack.response_url("vote"))
    [opened] = fake_slack.wait_for("views.open")
    assert opened["trigger_id"] == "1.2.4"
    view = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert view["callback_id"] == "clerk_feedback_reason"
    assert view["title"]["text"] == "What was wrong?"
    options = [o["value"] for o in view["blocks"][0]["element"]["options"]]
    assert "wrong_source" in options and "papers_do_say" in options
    thanks = fake_slack.wait_for("response_url")[0]
    assert "👎 is recorded" in thanks["text"] and "What was wrong?" in thanks["text"]

    r = submit_reason(slack, view, "wrong_source", "  It should cite the 2021 update.  ")
    assert r.status_code == 200
    votes = []
    for _ in range(400):  # the form's answer is stored just after Slack's request is acked
        votes = read_votes(settings)
        if len(votes) == 2:
            break
        time.sleep(0.05)
    first, second = votes
    assert first["vote"] == second["vote"] == "down" and "reason" not in first
    assert second["reason"] == {"what": "wrong_source",
                                "detail": "It should cite the 2021 update."}
    assert second["user"] == "U0BOB" and second["channel"] == "C0PAPERS"

    out = tmp_path / "review.jsonl"
    assert export_feedback(settings, out) == 1  # the reasoned vote replaces the bare one
    [case] = [json.loads(line) for line in out.read_text().splitlines()]
    assert "what was wrong: wrong_source: It should cite the 2021 update.;" in case["notes"]


def test_a_thumbs_up_opens_no_form(slack_app, fake_slack):
    slack = slack_app()
    slack.mention(AUDITS)
    answer_id = answer_id_of(fake_slack.wait_for("chat.postMessage")[0])
    slack.click("clerk_feedback_up", answer_id, fake_slack.response_url("vote"))
    assert "👍 is recorded" in fake_slack.wait_for("response_url")[0]["text"]
    assert fake_slack.calls_to("views.open") == []


def test_when_the_form_cannot_open_the_vote_is_still_thanked(slack_app, fake_slack):
    fake_slack.refuse["views.open"] = "expired_trigger_id"
    slack = slack_app()
    slack.mention(AUDITS)
    answer_id = answer_id_of(fake_slack.wait_for("chat.postMessage")[0])
    slack.click("clerk_feedback_down", answer_id, fake_slack.response_url("vote"))
    thanks = fake_slack.wait_for("response_url")[0]
    assert thanks["text"] == "Thanks: your 👎 is recorded for review."
    assert [v["vote"] for v in read_votes(slack.client.app.state.settings)] == ["down"]

