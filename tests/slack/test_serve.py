"""End to end: `clerk serve` in its own process, Slack configured from CLERK_SLACK_* variables,
answering a signed @mention through the fake Web API."""

import json
import shutil

import httpx

from tests.conftest import RunningServer, server_env
from tests.slack.conftest import SECRET, sign
from tests.slack.fake_slack import BOT_USER_ID
from tests.slack.test_events import AUDITS


def test_clerk_serve_mounts_slack_from_the_environment(sample_store, fake_slack, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_store.data_dir, data)  # answers are logged there; keep the original
    settings = sample_store.model_copy(update={"data_dir": data})
    server = RunningServer(server_env(settings, CLERK_SLACK_SIGNING_SECRET=SECRET,
                                      CLERK_SLACK_BOT_TOKEN="xoxb-test",
                                      CLERK_SLACK_API_URL=fake_slack.base_url))
    try:
        body = json.dumps({"type": "event_callback", "team_id": "T0COUNCIL", "event_id": "EvE2E",
                           "event": {"type": "app_mention", "user": "U0ALICE",
                                     "channel": "C0PAPERS", "ts": "1700000000.000900",
                                     "text": f"<@{BOT_USER_ID}> {AUDITS}"}})
        r = httpx.post(f"{server.url}/slack/events", content=body, timeout=30,
                       headers={"Content-Type": "application/json", **sign(body)})
        assert r.status_code == 200
        post = fake_slack.wait_for("chat.postMessage")[0]
        assert post["thread_ts"] == "1700000000.000900" and "1088" in post["text"]
        assert fake_slack.calls[0]["token"] == "Bearer xoxb-test"
    finally:
        server.stop()
