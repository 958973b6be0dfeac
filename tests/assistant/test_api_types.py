"""The API's typed responses (/papers, /papers/{doc_id}, /healthz in the OpenAPI schema) and
`limit`/`offset` on its lists (/papers, /resolutions)."""

import pytest
from fastapi.testclient import TestClient

REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"


@pytest.fixture(scope="module")
def client(sample_store, service):
    from assistant.api import create_app

    with TestClient(create_app(sample_store, service=service)) as client:
        yield client


def schema_of(client, path: str) -> str:
    ok = client.get("/openapi.json").json()["paths"][path]["get"]["responses"]["200"]
    return ok["content"]["application/json"]["schema"]


def test_papers_paper_and_health_have_named_schemas(client):
    assert schema_of(client, "/papers") == {
        "type": "array", "items": {"$ref": "#/components/schemas/PaperSummary"},
        "title": "Response Papers Papers Get"}
    assert schema_of(client, "/papers/{doc_id}") == {"$ref": "#/components/schemas/Paper"}
    assert schema_of(client, "/healthz") == {"$ref": "#/components/schemas/Health"}
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["PaperSummary"]["properties"]) == {
        "doc_id", "title", "council", "committee", "meeting_date", "doc_type", "url",
        "paragraphs"}
    assert schemas["Health"]["properties"]["answerer"]["enum"] == ["extractive", "llm"]
    assert "boxes" in schemas["PaperParagraph"]["properties"]


def test_the_typed_responses_carry_what_they_did(client):
    papers = client.get("/papers").json()
    assert len(papers) == 5 and all(isinstance(p["paragraphs"], int) for p in papers)
    paper = client.get(f"/papers/{REPORT}").json()
    para = next(p for p in paper["paragraphs"] if p["label"] == "19")
    assert "1088 audits" in para["text"] and para["anchor"] == "p-19"
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["papers"] == 5 and health["store"] == "embedded"


def test_papers_come_in_pages_with_the_total_in_a_header(client):
    everything = client.get("/papers").json()
    r = client.get("/papers", params={"limit": 2, "offset": 1})
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "5"
    assert r.json() == everything[1:3]
    assert client.get("/papers", params={"offset": 4}).json() == everything[4:]
    assert client.get("/papers", params={"offset": 9}).json() == []


def test_resolutions_come_in_pages_with_the_total(client):
    everything = client.get("/resolutions").json()
    assert everything["count"] == everything["total"] > 3
    page = client.get("/resolutions", params={"limit": 2, "offset": 1}).json()
    assert page["count"] == 2 and page["total"] == everything["total"]
    assert [r["id"] for r in page["records"]] == [r["id"] for r in everything["records"][1:3]]


@pytest.mark.parametrize("path,params,detail", [
    ("/papers", {"limit": 0}, "query.limit: Input should be greater than or equal to 1"),
    ("/papers", {"offset": -1}, "query.offset: Input should be greater than or equal to 0"),
    ("/papers", {"limit": "ten"}, "query.limit: Input should be a valid integer"),
    ("/resolutions", {"limit": 5000}, "query.limit: Input should be less than or equal to 1000"),
    ("/resolutions", {"offset": -2}, "query.offset: Input should be greater than or equal to 0"),
])
def test_a_bad_limit_or_offset_gets_one_line(client, path, params, detail):
    r = client.get(path, params=params)
    assert r.status_code == 422
    assert r.json()["detail"].startswith(detail) and "\n" not in r.json()["detail"]
