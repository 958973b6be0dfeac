"""Socket Mode: the same Bolt app, fed what the Socket Mode handler hands it, and `clerk slack`
refusing to start without its tokens."""

import pytest
from click.testing import CliRunner
from slack_bolt import BoltRequest

from assistant.settings import get_settings
from assistant.slack import build_bolt_app, slack_command
from tests.slack.fake_slack import BOT_USER_ID
from tests.slack.test_events import AUDITS


def test_socket_mode_request_is_answered_in_the_thread(slack_settings, service, fake_slack):
    app = build_bolt_app(slack_settings(slack_signing_secret=None, slack_app_token="xapp-1"),
                         service, socket_mode=True)
    body = {"type": "event_callback", "team_id": "T0COUNCIL", "event_id": "EvSOCKET",
            "event": {"type": "app_mention", "user": "U0ALICE", "channel": "C0PAPERS",
                      "text": f"<@{BOT_USER_ID}> {AUDITS}", "ts": "1700000000.000500"}}
    response = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert response.status == 200
    post = fake_slack.wait_for("chat.postMessage")[0]
    assert post["thread_ts"] == "1700000000.000500" and "1088" in post["text"]


@pytest.fixture
def fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_clerk_slack_without_tokens_says_which_are_missing(fresh_settings, tmp_path):
    result = CliRunner().invoke(slack_command, [], env={
        "CLERK_DATA_DIR": str(tmp_path), "CLERK_SLACK_BOT_TOKEN": "xoxb-1",
        "CLERK_SLACK_APP_TOKEN": ""})
    assert result.exit_code == 1
    assert "Socket Mode needs CLERK_SLACK_APP_TOKEN" in result.output
    assert len(result.output.strip().splitlines()) == 1
