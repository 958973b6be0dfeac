"""Alerts: channels subscribe with `/clerk` (the real Bolt app fed signed requests), and after an
ingest Clerk posts one digest per new meeting to the local fake of Slack's Web API."""

import json
import shutil
import time

from click.testing import CliRunner

from assistant.alerts import Alerts, announce
from ingest.pipeline import run_ingest
from tests.conftest import CORPUS
from tests.slack.conftest import PUBLIC_URL

MINUTES_2021 = "surrey-cfllc-2021-childrens-improvement-update-minutes"
REPORT_2020 = "surrey-cfllc-2020-07-28-childrens-improvement-update"
WEST_SUSSEX = "west-sussex-2020-children-first-improvement-minutes"


def ack(slack, text: str, fake_slack, channel: str = "C0PAPERS") -> dict:
    r = slack.command(text, fake_slack.response_url(), channel=channel)
    assert r.status_code == 200
    return r.json()


def posts_to(fake_slack, channel: str) -> list[dict]:
    return [p for p in fake_slack.calls_to("chat.postMessage") if p["channel"] == channel]


def text_of(post: dict) -> str:
    blocks = post["blocks"] if isinstance(post["blocks"], list) else json.loads(post["blocks"])
    return "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")


def test_subscribe_list_unsubscribe_and_the_list_survives_a_restart(slack_app, fake_slack,
                                                                    tmp_path):
    data = tmp_path / "alerts-data"
    slack = slack_app(data_dir=data)
    reply = ack(slack, "subscribe committee Planning", fake_slack)
    assert reply["response_type"] == "in_channel"
    assert "committees named “Planning”" in reply["text"]
    assert "already follows" in ack(slack, "subscribe committee planning", fake_slack)["text"]
    assert "“library closures”" in ack(slack, "subscribe library closures", fake_slack)["text"]
    ack(slack, "subscribe council: Kirklees", fake_slack, channel="C0OTHER")

    restarted = slack_app(data_dir=data)  # a new app over the same data directory
    listed = ack(restarted, "subscriptions", fake_slack)
    assert listed["response_type"] == "ephemeral"
    assert "committee “Planning”" in listed["text"] and "topic “library closures”" in listed["text"]
    assert "Kirklees" not in listed["text"]  # another channel's
    gone = ack(restarted, "unsubscribe library closures", fake_slack)
    assert "no longer gets digests for topic “library closures”" in gone["text"]
    assert "doesn't follow" in ack(restarted, "unsubscribe library closures", fake_slack)["text"]
    assert [s.value for s in Alerts(data).subscriptions("C0PAPERS")] == ["Planning"]
    assert "subscribe committee" in ack(restarted, "subscribe", fake_slack)["text"]  # usage
    assert fake_slack.calls_to("response_url") == []  # answered in the ack, nothing asked


def test_a_question_is_still_answered_after_subscription_commands(slack_app, fake_slack):
    slack = slack_app()
    ack(slack, "subscribe topic audits", fake_slack)
    reply = ack(slack, "How many case audits had Surrey completed by July 2020?", fake_slack)
    assert "Looking through the papers" in reply["text"]
    answer = fake_slack.wait_for("chat.postMessage", count=2)[1]  # after the question
    assert "1088" in answer["text"] and answer["thread_ts"]


def test_each_new_meeting_is_announced_once_to_the_channels_that_follow_it(
        slack_app, slack_settings, fake_slack, embedder, tmp_path):
    data = tmp_path / "store"
    slack = slack_app(data_dir=data)
    ack(slack, "subscribe committee Lifelong Learning", fake_slack)
    ack(slack, "subscribe topic agency workers", fake_slack)
    ack(slack, "subscribe council West Sussex", fake_slack)
    settings = slack_settings(data_dir=data)

    report = run_ingest([CORPUS], settings, lambda: embedder, progress=False)
    assert report.added == 5
    assert announce(settings) == 3
    posts = posts_to(fake_slack, "C0PAPERS")
    assert len(posts) == 3
    by_paper = {doc: text_of(p) for p in posts for doc in (MINUTES_2021, REPORT_2020,
                                                           WEST_SUSSEX)
                if f"/papers/{doc}/view" in text_of(p)}
    assert set(by_paper) == {MINUTES_2021, REPORT_2020, WEST_SUSSEX}

    minutes = by_paper[MINUTES_2021]
    assert "New papers: Children, Families, Lifelong Learning and Culture Select Committee" in minutes
    assert "committee “Lifelong Learning”" in minutes
    assert (f"<{PUBLIC_URL}/papers/{MINUTES_2021}/view?paragraph=Resolved%201#p-resolved-1|"
            "resolution Resolved 1>") in minutes
    assert "Owner: Director of Corporate Parenting" in minutes
    assert "Due: the Select Committee’s first meeting of 2022" in minutes

    report_2020 = by_paper[REPORT_2020]
    assert "28 July 2020" in report_2020 and "Due: the September 2020 meeting" in report_2020

    west = by_paper[WEST_SUSSEX]
    assert "council “West Sussex”" in west and "topic “agency workers”" in west
    assert "*On “agency workers”*" in west
    assert f"<{PUBLIC_URL}/papers/{WEST_SUSSEX}/view?paragraph=12.3" in west
    assert "agency workers" in west.split("On “agency workers”")[1]
    assert "Owner: Lucy Butler" in west

    assert announce(settings) == 0  # never twice
    time.sleep(1.1)  # the next channel subscribes after those papers went in
    ack(slack, "subscribe committee Lifelong Learning", fake_slack, channel="C0LATER")
    assert announce(settings) == 0 and posts_to(fake_slack, "C0LATER") == []

    changed = tmp_path / "more"
    changed.mkdir()
    shutil.copy(CORPUS / "surrey-ces-performance-reference-group-2018-02-06.md", changed)
    (changed / "manifest.yaml").write_text(
        "papers:\n  - file: surrey-ces-performance-reference-group-2018-02-06.md\n"
        "    doc_id: lifelong-learning-reference-group\n"
        "    committee: Children, Families, Lifelong Learning and Culture Select Committee\n"
        "    meeting_date: 2021-11-02\n")
    assert run_ingest([changed], settings, lambda: embedder, progress=False).added == 1
    assert announce(settings) == 2  # the new meeting, to both channels that follow it
    assert len(posts_to(fake_slack, "C0PAPERS")) == 4 and len(posts_to(fake_slack, "C0LATER")) == 1
    assert "2 November 2021" in text_of(posts_to(fake_slack, "C0LATER")[0])


def test_a_refused_digest_is_tried_again_and_clerk_ingest_announces(
        slack_app, fake_slack, tmp_path, monkeypatch):
    from assistant.cli import cli
    from assistant.settings import get_settings

    data = tmp_path / "store"
    slack = slack_app(data_dir=data)
    ack(slack, "subscribe topic agency workers", fake_slack)
    for name, value in {"CLERK_DATA_DIR": str(data), "CLERK_SLACK_BOT_TOKEN": "xoxb-test-token",
                        "CLERK_SLACK_API_URL": fake_slack.base_url,
                        "CLERK_PUBLIC_URL": PUBLIC_URL}.items():
        monkeypatch.setenv(name, value)
    fake_slack.refuse["chat.postMessage"] = "not_in_channel"
    get_settings.cache_clear()
    try:
        paper = CORPUS / f"{WEST_SUSSEX}.txt"
        result = CliRunner().invoke(cli, ["ingest", str(paper)])
        assert result.exit_code == 0, result.output
        assert "Slack refused the digest for C0PAPERS: not_in_channel" in result.output
        del fake_slack.refuse["chat.postMessage"]
        assert announce(get_settings()) == 1  # tried again; then never again
        assert announce(get_settings()) == 0
    finally:
        get_settings.cache_clear()
    assert "12.3" in text_of(posts_to(fake_slack, "C0PAPERS")[-1])
