"""Slack's App Home tab: opening it publishes what Clerk has read and how to ask."""

import json
import logging

from assistant.slack_home import home_view, scope_summary


def home_opened(slack, user: str = "U0ALICE", tab: str = "home"):
    return slack.event({"type": "app_home_opened", "user": user, "channel": "D0ALICE",
                        "tab": tab, "event_ts": "1700000000.000300"})


def view_of(call: dict) -> dict:
    return json.loads(call["view"]) if isinstance(call["view"], str) else call["view"]


def test_opening_the_home_tab_publishes_what_clerk_has_read_and_how_to_ask(
        slack_app, fake_slack, service):
    slack = slack_app()
    assert home_opened(slack).status_code == 200
    [published] = fake_slack.wait_for("views.publish")
    assert published["user_id"] == "U0ALICE"
    view = view_of(published)
    assert view["type"] == "home" and view["blocks"][0]["text"]["text"] == "What Clerk has read"
    text = "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text"))
    papers = service.papers()
    # the same facts as /papers: every paper, each council and committee, the date range
    assert f"{len(papers)} papers from 2 councils" in text
    assert "meetings from 6 February 2018 to 28 July 2020" in text
    assert "Surrey County Council" in text and "West Sussex County Council" in text
    assert "Children, Families, Lifelong Learning and Culture Select Committee" in text
    assert "/clerk your question" in text and "direct message" in text and "@Clerk" in text
    assert fake_slack.methods() == ["views.publish"]  # nothing posted in any channel


def test_opening_the_messages_tab_publishes_nothing(slack_app, fake_slack):
    slack = slack_app()
    home_opened(slack, tab="messages")
    slack.mention("How many audits had been completed?")  # a later event is handled …
    fake_slack.wait_for("chat.postMessage")
    assert fake_slack.calls_to("views.publish") == []  # … and the tab opening was not


def test_a_refused_home_tab_is_one_log_line(slack_app, fake_slack, caplog):
    fake_slack.refuse["views.publish"] = "not_enabled"
    slack = slack_app()
    with caplog.at_level(logging.WARNING, logger="clerk.slack"):
        home_opened(slack)
        fake_slack.wait_for("views.publish")
        slack.mention("How many audits had been completed?")
        fake_slack.wait_for("chat.postMessage")
    assert "Slack refused the Home tab: not_enabled" in caplog.text


def test_the_fake_web_api_refuses_a_home_tab_without_its_user(fake_slack):
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token="xoxb-test", base_url=fake_slack.base_url)
    try:
        client.views_publish(user_id="", view=home_view([]))
    except SlackApiError as exc:
        assert exc.response["error"] == "invalid_arguments"
    else:
        raise AssertionError("views.publish without user_id was accepted")


def test_an_empty_store_says_nothing_is_indexed_and_dates_unprinted_are_counted():
    assert scope_summary([]) == "Nothing is indexed yet: I have read no papers."
    papers = [{"council": "A", "committee": "X", "meeting_date": "2019-05-01"},
              {"council": "A", "committee": None, "meeting_date": None}]
    assert scope_summary(papers) == ("2 papers from 1 council, meetings from 1 May 2019 to "
                                     "1 May 2019 (1 with no printed date).")
    text = home_view(papers)["blocks"][2]["text"]["text"]
    assert text == "• *A*: Committee not printed (1 paper); X (1 paper)"


def test_many_councils_stay_within_slacks_block_limits():
    papers = [{"council": f"Council {i:03d}", "committee": "C" * 200, "meeting_date": None}
              for i in range(300)]
    view = home_view(papers)
    assert len(view["blocks"]) <= 100
    assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b.get("text"))
    assert "…and 260 more councils." in json.dumps(view, ensure_ascii=False)
