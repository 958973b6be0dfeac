"""The register through its fronts: GET /resolutions on a real server, `clerk resolutions`, and
questions about what was resolved or asked for, answered from the resolution or action itself."""

import json
import subprocess
import sys

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.models import Filters
from tests.conftest import ROOT, server_env
from tests.register.corpus_records import BOARD_2016, REPORT, SURREY_2021, WEST_SUSSEX


def get(server, **params):
    return httpx.get(f"{server.url}/resolutions", params=params, timeout=60)


def test_resolutions_route_returns_every_record_with_citation_fields(api_server):
    r = get(api_server)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["records"]) == 13
    rec = next(x for x in body["records"] if x["paragraph"] == "Resolved 3")
    assert rec["due"] == "the Select Committee’s first meeting of 2022"
    assert rec["owner"] == "Cabinet Member for Children and Families"
    assert {"doc_id", "title", "council", "committee", "meeting_date", "doc_type", "paragraph",
            "quote", "url", "view_url"} <= set(rec)
    assert rec["follow_through"]["summary"] == \
        "meeting date not printed, so later papers cannot be ordered"


def test_resolutions_route_filters(api_server):
    def pairs(**params):
        return [(x["doc_id"], x["paragraph"]) for x in get(api_server, **params).json()["records"]]

    assert pairs(kind="action", owner="Sally") == [(WEST_SUSSEX, "12.3")]
    assert pairs(q="agency workers") == [(WEST_SUSSEX, "12.3")]
    assert pairs(committee="Scrutiny Board", kind="recommendation") == [
        (BOARD_2016, "Recommendations")]
    assert pairs(date_from="2020-01-01", date_to="2020-12-31") == [(REPORT, "48"), (REPORT, "49")]
    r2018 = get(api_server, date_to="2018-12-31").json()["records"]
    assert [x["follow_through"]["summary"] for x in r2018] == ["no later paper mentions it"] * 3


@pytest.mark.parametrize("params,words", [
    ({"kind": "decision"}, ["kind", "resolution", "further_information"]),
    ({"date_from": "28/07/2020"}, ["date_from"]),
    ({"owner": "x" * 201}, ["owner", "200"]),
])
def test_resolutions_route_refuses_bad_filters_with_a_clear_422(api_server, params, words):
    r = get(api_server, **params)
    assert r.status_code == 422
    assert all(w in r.json()["detail"] for w in words), r.json()


def test_resolutions_route_needs_the_api_key_when_one_is_set(sample_store, service):
    from assistant.api import create_app

    app = create_app(sample_store.model_copy(update={"api_key": "s3cret"}), service=service)
    with TestClient(app) as client:
        assert client.get("/resolutions").status_code == 401
        r = client.get("/resolutions", params={"kind": "action"},
                       headers={"X-API-Key": "s3cret"})
        assert r.status_code == 200 and r.json()["count"] == 2


def clerk(*args, env):
    return subprocess.run([sys.executable, "-m", "assistant", "resolutions", *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_cli_prints_the_register_for_people_and_as_json(sample_store):
    env = server_env(sample_store)
    out = clerk(env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.rstrip().endswith("13 records")
    assert "action 12.3 — Children First Improvement - Service Update" in out.stdout
    assert "Owner: Lucy Butler" in out.stdout and "Due: the Board’s October meeting" in out.stdout
    assert "Follow-through: no later paper mentions it" in out.stdout
    out = clerk("--kind", "resolution", "--owner", "Corporate Parenting", "--json", env=env)
    body = json.loads(out.stdout)
    assert body["count"] == 1 and body["records"][0]["id"] == f"{SURREY_2021}::Resolved 1::1"
    out = clerk("--from", "2020-01-01", "--q", "September", env=env)
    assert "recommendation 49 —" in out.stdout and "1 record" in out.stdout
    out = clerk("--kind", "decision", env=env)
    assert out.returncode == 2 and "decision" in out.stderr


def test_what_the_committee_resolved_is_answered_from_the_resolution_itself(service):
    a = service.ask_text("what did the committee resolve about the Children with Disabilities "
                         "review?")
    assert not a.abstained
    c = a.citations[0]
    assert (c.doc_id, c.paragraph) == (SURREY_2021, "Resolved 1")
    assert a.answer.splitlines()[0] == f"{c.quote} [1]"
    assert "Director of Corporate Parenting" in a.answer


def test_what_someone_was_asked_to_provide_is_answered_from_the_action(service):
    a = service.ask_text("what was Lucy Butler asked to provide?")
    assert (a.citations[0].doc_id, a.citations[0].paragraph) == (WEST_SUSSEX, "12.3")
    assert "agency workers" in a.answer
    assert any(c.quote.endswith("Lucy Butler to provide the Committee with the number of agency "
                                "workers in the Looked After Children service")
               for c in a.citations)


def test_a_printed_due_date_is_answered_from_the_recommendation(service):
    a = service.ask_text("At which Board meeting was the Head of Children's Services asked to "
                         "report progress?")
    assert "the Board’s October meeting" in a.answer
    assert a.citations[0].paragraph == "Recommendations"
    assert all(line.rstrip().endswith("]") for line in a.answer.splitlines())


def test_answers_respect_the_request_filters(service):
    a = service.ask_text("what was Lucy Butler asked to provide?",
                         Filters(committee="Reference Group"))
    assert all(c.doc_id != WEST_SUSSEX for c in a.citations)


def test_the_api_answers_an_action_question_with_the_same_citation(api_server):
    r = httpx.post(f"{api_server.url}/ask", json={"question": "What was Lucy Butler asked to "
                                                               "provide?"}, timeout=60)
    a = r.json()
    assert a["citations"][0]["paragraph"] == "12.3" and "agency workers" in a["answer"]
