"""Slack fixtures: a fake Slack Web API, and the real FastAPI app (real Bolt app inside) fed
requests signed the way Slack signs them."""

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.slack.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack

SECRET = "test-signing-secret"
PUBLIC_URL = "https://clerk.council.example"


def sign(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict:
    """Slack's v0 signature: HMAC-SHA256 of "v0:{timestamp}:{body}" with the signing secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": f"v0={digest.hexdigest()}"}


class SlackSender:
    """Posts what Slack would post to /slack/events, signed."""

    def __init__(self, client: TestClient):
        self.client = client
        self.events = 0

    def raw(self, body: str, content_type: str, headers: dict | None = None, **sign_args):
        return self.client.post("/slack/events", content=body.encode(), headers={
            "Content-Type": content_type, **sign(body, **sign_args), **(headers or {})})

    def event(self, event: dict, event_id: str | None = None, headers: dict | None = None,
              **sign_args):
        self.events += 1
        body = json.dumps({"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0CLERK",
                           "type": "event_callback", "event": event,
                           "event_id": event_id or f"Ev{self.events:08d}",
                           "event_time": int(time.time()),
                           "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID,
                                               "is_bot": True}]})
        return self.raw(body, "application/json", headers, **sign_args)

    def mention(self, text: str, ts: str = "1700000000.000100", thread_ts: str | None = None,
                channel: str = "C0PAPERS", user: str = "U0ALICE", **kw):
        event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}",
                 "ts": ts, "channel": channel, "event_ts": ts}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **kw)

    def dm(self, text: str, ts: str = "1700000000.000200", channel: str = "D0ALICE"):
        return self.event({"type": "message", "channel_type": "im", "user": "U0ALICE",
                           "text": text, "ts": ts, "channel": channel, "event_ts": ts})

    def command(self, text: str, response_url: str, channel: str = "C0PAPERS"):
        body = urlencode({"token": "legacy", "team_id": TEAM_ID, "channel_id": channel,
                          "user_id": "U0ALICE", "user_name": "alice", "command": "/clerk",
                          "text": text, "response_url": response_url,
                          "trigger_id": "1.2.3", "api_app_id": "A0CLERK"})
        return self.raw(body, "application/x-www-form-urlencoded")

    def click(self, action_id: str, value: str, response_url: str, user: str = "U0BOB"):
        payload = {"type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": user},
                   "api_app_id": "A0CLERK", "token": "legacy", "trigger_id": "1.2.4",
                   "container": {"type": "message", "message_ts": "1700000100.000001",
                                 "channel_id": "C0PAPERS", "is_ephemeral": False},
                   "channel": {"id": "C0PAPERS"}, "response_url": response_url,
                   "actions": [{"type": "button", "action_id": action_id,
                                "block_id": "clerk_feedback", "value": value,
                                "action_ts": "1700000200.000001"}]}
        return self.raw(urlencode({"payload": json.dumps(payload)}),
                        "application/x-www-form-urlencoded")


@pytest.fixture
def fake_slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def slack_settings(settings_for, fake_slack):
    def make(**overrides):
        values = {"slack_signing_secret": SECRET, "slack_bot_token": "xoxb-test-token",
                  "slack_api_url": fake_slack.base_url, "public_url": PUBLIC_URL, **overrides}
        return settings_for(**values)

    return make


@pytest.fixture
def slack_app(slack_settings, service):
    """Start the API app (lifespan included) with Slack configured; yields a sender."""
    from assistant.api import create_app

    clients = []

    def start(service=service, **overrides) -> SlackSender:
        client = TestClient(create_app(slack_settings(**overrides), service=service))
        client.__enter__()
        clients.append(client)
        return SlackSender(client)

    yield start
    for client in clients:
        client.__exit__(None, None, None)
