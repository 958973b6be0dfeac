"""End to end: a real uvicorn server over the ingested sample corpus."""

import json

import httpx
import pytest

REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"
WEST_SUSSEX = "west-sussex-2020-children-first-improvement-minutes"
SURREY_2021 = "surrey-cfllc-2021-childrens-improvement-update-minutes"
BOARD_2016 = "surrey-scrutiny-board-2016-interim-head-childrens-services-minutes"
RECORD_2018 = "surrey-ces-performance-reference-group-2018-02-06"


def ask(server, question, **body):
    r = httpx.post(f"{server.url}/ask", json={"question": question, **body}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def cites(answer, doc_id, paragraph):
    """The answer cites that paragraph (or any of several that say the same)."""
    labels = paragraph if isinstance(paragraph, tuple) else (paragraph,)
    return any(c["doc_id"] == doc_id and c["paragraph"] in labels for c in answer["citations"])


def test_every_answer_sentence_has_a_marker_and_a_citation_with_an_exact_quote(api_server):
    a = ask(api_server, "How many case audits had Surrey completed by July 2020?")
    assert not a["abstained"]
    assert "1088" in a["answer"]
    assert cites(a, REPORT, "19")
    c = a["citations"][0]
    assert c["meeting_date"] == "2020-07-28" and c["council"] == "Surrey County Council"
    assert c["quote"] == "There have been 1088 audits completed within the audit programme to date."
    assert c["view_url"].startswith(f"/papers/{REPORT}/view?paragraph=19")
    for line in a["answer"].split("\n"):
        if line and not line.startswith("- "):
            assert line.rstrip().endswith("]"), line
    paper = httpx.get(f"{api_server.url}/papers/{REPORT}").json()
    para = next(p for p in paper["paragraphs"] if p["label"] == c["paragraph"])
    assert " ".join(c["quote"].split()) in " ".join(para["text"].split())


@pytest.mark.parametrize("question,doc_id,label,fact", [
    ("Who has to tell the committee how many agency workers there are in Looked After Children?",
     WEST_SUSSEX, "12.3", "Lucy Butler"),
    ("What caseload range was West Sussex aiming for per social worker?",
     WEST_SUSSEX, "12.3", "13 and 16"),
    ("On what date would the leadership team meet Ofsted for the Annual Conversation?",
     REPORT, ("10", "Next steps ¶1"), "11 June 2020"),  # both paragraphs say it
    ("What did the committee resolve about the review of the Children with Disabilities Service?",
     SURREY_2021, "Resolved 1", "Director of Corporate Parenting"),
    ("Which thematic audits have been completed to date?", REPORT, "22", "Private Fostering"),
    ("What happened at Cheyne Walk?", SURREY_2021, "7", "Cheyne Walk"),
])
def test_answers_cite_the_paragraph_that_says_it(api_server, question, doc_id, label, fact):
    a = ask(api_server, question)
    assert not a["abstained"], a
    assert fact in a["answer"]
    assert cites(a, doc_id, label), a["citations"]


def test_list_answer_keeps_its_lead_in_and_items(api_server):
    a = ask(api_server, "Which thematic audits are underway?")
    assert "thematic audits are also underway:" in a["answer"]
    for item in ("Placement Stability", "YOS & Early Help", "Supervision"):
        assert f"- {item}" in a["answer"]
    assert cites(a, REPORT, "24")


@pytest.mark.parametrize("question, says", [
    ("What is the annual budget of Surrey's children's services?",
     "The papers I have don't say."),
    # a council no indexed paper mentions is named in the answer, with what is indexed
    ("What Ofsted rating did Kent County Council's children's services get?",
     "No indexed paper mentions Kent County Council (5 papers"),
])
def test_papers_that_do_not_say_get_an_abstention_without_citations(api_server, question, says):
    a = ask(api_server, question)
    assert (a["abstained"], a["reason"], a["citations"]) == (True, "not_in_papers", [])
    assert a["answer"].startswith(says)


def test_filters_narrow_the_papers_searched(api_server):
    q = "What was recommended about a further report or feedback from staff?"
    a = ask(api_server, q, filters={"committee": "Performance Member Reference Group"})
    assert a["citations"] and all(c["doc_id"] == RECORD_2018 for c in a["citations"])
    a = ask(api_server, q, filters={"date_from": "2020-01-01", "doc_type": "report"})
    assert a["citations"] and all(c["doc_id"] == REPORT for c in a["citations"])
    a = ask(api_server, "How many case audits had been completed?",
            filters={"date_to": "2019-12-31"})
    assert all(c["meeting_date"] <= "2019-12-31" for c in a["citations"])
    assert not cites(a, REPORT, "19")
    a = ask(api_server, q, filters={"council": "Nowhere District Council"})
    assert a["abstained"] and a["citations"] == []


def test_follow_up_is_understood_against_the_previous_turn(api_server):
    follow_up = "And what did they resolve about it?"
    alone = ask(api_server, follow_up)
    assert not cites(alone, SURREY_2021, "Resolved 1")  # on its own, "it" could be anything
    a = ask(api_server, follow_up, conversation=[
        {"role": "user", "content": "What was said about the Children with Disabilities Service "
                                    "review?"},
        {"role": "assistant", "content": "An assistant director was leading a review [1]."}])
    assert cites(a, SURREY_2021, "Resolved 1"), a["citations"]
    assert "Director of Corporate Parenting share the findings" in a["answer"]


@pytest.mark.parametrize("body,status,reason", [
    ({"question": ""}, 422, "question"),
    ({"question": "   "}, 422, "the question is empty"),
    ({"question": 5}, 422, "question"),
    ({"question": "x" * 100_000}, 413, "request body is over"),
    ({"question": "y" * 3000}, 422, "the limit is 2,000"),
    ({"question": "ok?", "filters": {"colour": "red"}}, 422, "filters.colour: unknown field"),
    ({"question": "ok?", "filters": {"date_from": "last week"}}, 422, "filters.date_from"),
    ({"question": "ok?", "conversation": [{"role": "bot", "content": "x"}]}, 422, "role"),
    ({}, 422, "question: Field required"),
])
def test_bad_requests_get_a_4xx_with_a_clear_reason(api_server, body, status, reason):
    r = httpx.post(f"{api_server.url}/ask", json=body, timeout=30)
    assert r.status_code == status, r.text
    assert reason in r.json()["detail"]


def test_malformed_json_and_oversized_stream_bodies_are_refused(api_server):
    r = httpx.post(f"{api_server.url}/ask", content=b"{not json",
                   headers={"content-type": "application/json"})
    assert r.status_code == 422
    big = (b'{"question": "' + b"z" * 200_000 + b'"}')
    r = httpx.post(f"{api_server.url}/ask", content=iter([big[:100_000], big[100_000:]]),
                   headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_papers_listing_paper_view_and_health(api_server):
    papers = httpx.get(f"{api_server.url}/papers").json()
    assert {p["doc_id"] for p in papers} >= {REPORT, WEST_SUSSEX, SURREY_2021}
    assert next(p for p in papers if p["doc_id"] == REPORT)["paragraphs"] == 101
    paper = httpx.get(f"{api_server.url}/papers/{WEST_SUSSEX}").json()
    assert [p["label"] for p in paper["paragraphs"]] == ["12.1", "12.2", "12.3", "12.4"]
    assert "13 and 16" in paper["paragraphs"][2]["text"]  # parts of long paragraphs rejoined
    assert httpx.get(f"{api_server.url}/papers/nope").status_code == 404
    page = httpx.get(f"{api_server.url}/papers/{REPORT}/view", params={"paragraph": "19"})
    assert "class='para cited' id='p-19'" in page.text
    health = httpx.get(f"{api_server.url}/healthz").json()
    assert health["status"] == "ok" and health["papers"] == 5 and health["paragraphs"] == 161
    assert httpx.get(f"{api_server.url}/docs").status_code == 200
    assert "/ask" in httpx.get(f"{api_server.url}/openapi.json").json()["paths"]


def sse_events(response):
    events = []
    for block in response.text.strip().split("\n\n"):
        kind = block.split("\n")[0].removeprefix("event: ")
        data = json.loads(block.split("\n")[1].removeprefix("data: "))
        events.append((kind, data))
    return events


def test_stream_sends_the_whole_answer_then_done(api_server):
    r = httpx.post(f"{api_server.url}/ask/stream", timeout=60,
                   json={"question": "How many case audits had Surrey completed?"})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse_events(r)
    assert [k for k, _ in events] == ["delta", "answer", "done"]
    assert "1088" in events[0][1]["text"]
    assert events[1][1]["citations"][0]["paragraph"] == "19"
    r = httpx.post(f"{api_server.url}/ask/stream", json={"question": ""})
    assert r.status_code == 422
