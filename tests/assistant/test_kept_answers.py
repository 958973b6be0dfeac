"""Kept answers: `keep` on /ask stores the answer under an id, POST /feedback votes on it (stored
with Slack's votes, source web) and GET /answers/{id} gives it back as it was."""

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assistant.feedback import AnswerLog, feedback_group, read_votes
from assistant.settings import get_settings

AUDITS = "How many case audits had Surrey completed by July 2020?"


@pytest.fixture
def client(settings_for, service):
    from assistant.api import create_app

    settings = settings_for()
    with TestClient(create_app(settings, service=service)) as client:
        client.settings = settings
        yield client


def test_an_answer_is_kept_only_when_asked_and_its_link_gives_it_back(client):
    plain = client.post("/ask", json={"question": AUDITS}).json()
    assert plain["answer_id"] is None
    assert not AnswerLog(client.settings.data_dir).dir.exists()

    kept = client.post("/ask", json={"question": AUDITS, "keep": True}).json()
    assert len(kept["answer_id"]) == 16 and "1088" in kept["answer"]
    r = client.get(f"/answers/{kept['answer_id']}")
    assert r.status_code == 200
    body = r.json()
    assert body["question"] == AUDITS and body["time"]
    assert body["answer"] == kept


def test_a_streamed_answer_is_kept_too(client):
    with client.stream("POST", "/ask/stream", json={"question": AUDITS, "keep": True}) as r:
        text = "".join(r.iter_text())
    [answer] = [json.loads(block.split("data: ", 1)[1]) for block in text.split("\n\n")
                if block.startswith("event: answer")]
    assert client.get(f"/answers/{answer['answer_id']}").json()["answer"]["answer"] \
        == answer["answer"]


def test_a_web_vote_is_stored_with_slacks_and_exported_with_its_source(client, tmp_path):
    answer_id = client.post("/ask", json={"question": AUDITS, "keep": True}).json()["answer_id"]
    r = client.post("/feedback", json={"answer_id": answer_id, "vote": "down"})
    assert r.status_code == 200
    assert r.json() == {"recorded": True, "answer_id": answer_id, "vote": "down"}
    [vote] = read_votes(client.settings)
    assert vote["source"] == "web" and vote["vote"] == "down" and vote["question"] == AUDITS
    assert vote["citations"][0]["paragraph"] == "19"

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(feedback_group, ["export"],
                                    env={"CLERK_DATA_DIR": str(client.settings.data_dir)})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    [case] = [json.loads(line) for line in result.output.splitlines()]
    assert case["id"] == f"fb-{answer_id}-unknown" and case["split"] == "review"
    assert "(web); Clerk answered:" in case["notes"]


@pytest.mark.parametrize("body,status,detail", [
    ({"answer_id": "0123456789abcdef", "vote": "up"}, 404,
     "no answer '0123456789abcdef' is kept on this server"),
    ({"answer_id": "../../etc/passwd", "vote": "up"}, 422, "answer_id: String should match"),
    ({"answer_id": "0123456789abcdef", "vote": "meh"}, 422, "vote: Input should be 'up' or"),
    ({"answer_id": "0123456789abcdef"}, 422, "vote: Field required"),
    ({"answer_id": "0123456789abcdef", "vote": "up", "reason": {"what": "other"}}, 422,
     "body: a reason is given with a 'down' vote only"),
    ({"answer_id": "0123456789abcdef", "vote": "down", "reason": {"what": "rude"}}, 422,
     "reason.what: Input should be 'wrong_fact'"),
    ({"answer_id": "0123456789abcdef", "vote": "down",
      "reason": {"what": "other", "detail": "x" * 1001}}, 422,
     "reason.detail: String should have at most 1000 characters"),
])
def test_a_vote_on_an_unknown_answer_or_a_bad_vote_gets_one_line(client, body, status, detail):
    r = client.post("/feedback", json=body)
    assert r.status_code == status
    assert r.json()["detail"].startswith(detail) and "\n" not in r.json()["detail"]
    assert read_votes(client.settings) == []


def test_a_down_vote_with_what_was_wrong_is_stored_and_exported_with_it(client, tmp_path):
    from assistant.feedback import export_feedback

    answer_id = client.post("/ask", json={"question": AUDITS, "keep": True}).json()["answer_id"]
    assert client.post("/feedback", json={"answer_id": answer_id, "vote": "down"}).status_code \
        == 200
    r = client.post("/feedback", json={"answer_id": answer_id, "vote": "down", "reason": {
        "what": "out_of_date", "detail": "  The 2021 update has newer figures.  "}})
    assert r.status_code == 200
    first, second = read_votes(client.settings)
    assert "reason" not in first
    assert second["reason"] == {"what": "out_of_date",
                                "detail": "The 2021 update has newer figures."}
    out = tmp_path / "review.jsonl"
    assert export_feedback(client.settings, out) == 1  # the reasoned vote replaces the bare one
    [case] = [json.loads(line) for line in out.read_text().splitlines()]
    assert "what was wrong: out_of_date: The 2021 update has newer figures.;" in case["notes"]


def test_an_unknown_answer_link_gets_404_with_a_reason(client):
    r = client.get("/answers/0123456789abcdef")
    assert r.status_code == 404
    assert r.json() == {"detail": "no answer '0123456789abcdef' is kept on this server"}
