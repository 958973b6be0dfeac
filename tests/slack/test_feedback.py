"""👍/👎 on Slack answers: each vote stored under the data directory with what it is about, and
exported in the eval set's format."""

import json

from click.testing import CliRunner

from assistant.feedback import export_feedback, feedback_group, read_votes
from assistant.settings import get_settings
from tests.slack.test_events import AUDITS, REPORT


def answer_id_of(post: dict) -> str:
    buttons = post["blocks"][-1]["elements"]
    assert buttons[0]["value"] == buttons[1]["value"]
    return buttons[0]["value"]


def test_a_vote_is_stored_and_exported_as_an_eval_case(slack_app, fake_slack, tmp_path):
    slack = slack_app()
    settings = slack.client.app.state.settings
    slack.mention(AUDITS)
    answer_id = answer_id_of(fake_slack.wait_for("chat.postMessage")[0])

    r = slack.click("clerk_feedback_up", answer_id, fake_slack.response_url("vote"), user="U0BOB")
    assert r.status_code == 200
    thanks = fake_slack.wait_for("response_url")[0]
    assert thanks["response_type"] == "ephemeral" and "👍" in thanks["text"]

    [vote] = read_votes(settings)
    assert vote["vote"] == "up" and vote["user"] == "U0BOB" and vote["channel"] == "C0PAPERS"
    assert vote["question"] == AUDITS and "1088" in vote["answer"]
    assert vote["citations"][0]["paragraph"] == "19" and vote["time"]

    out = tmp_path / "review.jsonl"
    assert export_feedback(settings, out) == 1
    [case] = [json.loads(line) for line in out.read_text().splitlines()]
    assert case["id"] == f"fb-{answer_id}-U0BOB"
    assert case["split"] == "review" and case["kind"] == "feedback"
    assert case["question"] == AUDITS and case["answerable"] is True and case["key_facts"] == []
    # every citation of the answer becomes a candidate gold paragraph, the first being 19
    assert case["gold"][0] == {"doc_id": REPORT, "paragraph": "19", "evidence":
                               "There have been 1088 audits completed within the audit programme "
                               "to date."}
    assert len(case["gold"]) == len(vote["citations"])
    assert case["notes"].startswith("vote: up by U0BOB at ")


def test_a_changed_vote_replaces_the_earlier_one_in_the_export(slack_app, fake_slack):
    slack = slack_app()
    settings = slack.client.app.state.settings
    slack.mention(AUDITS)
    answer_id = answer_id_of(fake_slack.wait_for("chat.postMessage")[0])
    slack.click("clerk_feedback_up", answer_id, fake_slack.response_url())
    slack.click("clerk_feedback_down", answer_id, fake_slack.response_url())
    fake_slack.wait_for("response_url", count=2)
    assert [v["vote"] for v in read_votes(settings)] == ["up", "down"]
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(feedback_group, ["export"],
                                    env={"CLERK_DATA_DIR": str(settings.data_dir)})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    [case] = [json.loads(line) for line in result.output.splitlines()]
    assert case["notes"].startswith("vote: down by U0BOB")


def test_a_vote_on_an_unknown_answer_is_refused_politely(slack_app, fake_slack):
    slack = slack_app()
    slack.click("clerk_feedback_down", "../../etc/passwd", fake_slack.response_url())
    reply = fake_slack.wait_for("response_url")[0]
    assert "wasn't recorded" in reply["text"]
    assert read_votes(slack.client.app.state.settings) == []
