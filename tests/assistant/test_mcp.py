"""The MCP server as a client uses it: the SDK's own client, in process, over stdio (`clerk mcp`
as a subprocess) and over streamable HTTP (/mcp under a real `clerk serve`)."""

import subprocess
import sys
from dataclasses import dataclass, field

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from assistant.models import Answer
from tests.conftest import ROOT, RunningServer, free_port, server_env

REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"
WEST_SUSSEX = "west-sussex-2020-children-first-improvement-minutes"
SURREY_2021 = "surrey-cfllc-2021-childrens-improvement-update-minutes"
AUDITS = "How many case audits had Surrey completed by July 2020?"
TOOLS = {"ask", "search_papers", "list_papers", "get_paragraph", "resolutions"}
KEY = "mcp-s3cret"


@dataclass
class Http:
    """/mcp of a running server, reached with these headers."""

    url: str
    headers: dict = field(default_factory=dict)


def using(target, work, mode="auto", **options):
    """Run ``work(client)`` with the SDK's client connected to ``target``: a server object (in
    process), stdio parameters (a subprocess) or Http (streamable HTTP). ``mode="legacy"``
    speaks the initialize handshake of clients released before the 2026 protocol."""

    async def main():
        if isinstance(target, Http):
            async with httpx2.AsyncClient(headers=target.headers,
                                          timeout=httpx2.Timeout(30, read=300)) as http, \
                    Client(streamable_http_client(target.url, http_client=http),
                           mode=mode, **options) as client:
                return await work(client)
        async with Client(target, mode=mode, **options) as client:
            return await work(client)

    return anyio.run(main)


def text(result) -> str:
    assert len(result.content) == 1
    return result.content[0].text


def assert_cited_audit_answer(result) -> None:
    """The answer's citations as structured content, and the same citations as text."""
    assert not result.is_error, text(result)
    answer = Answer.model_validate(result.structured_content)
    assert not answer.abstained and "1088" in answer.answer
    first = answer.citations[0]
    assert (first.doc_id, first.paragraph, first.meeting_date) == (REPORT, "19", "2020-07-28")
    assert first.quote == ("There have been 1088 audits completed within the audit programme "
                           "to date.")
    assert first.view_url.startswith(f"/papers/{REPORT}/view?paragraph=19")
    readable = text(result)
    assert readable.startswith(answer.answer)
    assert "[1] Children's Improvement Update" in readable and "2020-07-28), paragraph 19" in readable
    assert f'"{first.quote}"' in readable
    assert first.url is None  # a sample paper has no web address, and a file path is never given
    assert first.view_url in readable


# -- in process: the tools themselves ----------------------------------------------------------

@pytest.fixture(scope="module")
def server(service):
    from assistant.mcp_server import build_server

    return build_server(lambda: service)


def call(server, name, args=None):
    return using(server, lambda c: c.call_tool(name, args or {}))


def test_tools_are_listed_with_schemas_and_descriptions_that_say_quote_and_never_paraphrase(
        server):
    async def work(client):
        return client.instructions, (await client.list_tools()).tools

    instructions, tools = using(server, work)
    assert {t.name for t in tools} == TOOLS
    assert "never paraphrase a resolution" in instructions
    for tool in tools:
        assert tool.output_schema and tool.input_schema["type"] == "object"
        assert tool.annotations.read_only_hint
        if tool.name != "list_papers":
            assert "never paraphrase a resolution" in tool.description, tool.name
            assert "quote" in tool.description.lower(), tool.name
    ask = next(t for t in tools if t.name == "ask")
    assert ask.input_schema["required"] == ["question"]
    assert {"committee", "council", "date_from", "date_to", "doc_type"} <= set(
        ask.input_schema["properties"])


def test_ask_gives_the_citations_as_structured_content_and_as_text(server):
    assert_cited_audit_answer(call(server, "ask", {"question": AUDITS}))


def test_ask_with_filters_no_paper_matches_abstains_and_says_why(server):
    result = call(server, "ask", {"question": AUDITS, "committee": "No Such Committee"})
    assert not result.is_error
    assert result.structured_content["abstained"]
    assert result.structured_content["reason"] == "no_papers_match_filters"
    assert result.structured_content["citations"] == []
    assert "No paper matches committee 'No Such Committee'" in text(result)


def test_search_papers_gives_labelled_passages_within_the_filters(server):
    result = call(server, "search_papers", {"query": "agency workers in Looked After Children",
                                            "limit": 3})
    passages = result.structured_content["passages"]
    assert len(passages) == 3 and result.structured_content["count"] == 3
    assert (passages[0]["doc_id"], passages[0]["paragraph"]) == (WEST_SUSSEX, "12.3")
    assert "Lucy Butler to provide the Committee" in passages[0]["quote"]
    assert text(result).startswith("1. Children First Improvement - Service Update "
                                   "(West Sussex County Council, date not printed), "
                                   "paragraph 12.3")
    dated = call(server, "search_papers", {"query": "audits", "date_from": "2019-01-01"})
    assert dated.structured_content["passages"]
    assert all(p["meeting_date"] >= "2019-01-01" for p in dated.structured_content["passages"])
    none = call(server, "search_papers", {"query": "audits", "council": "No Such Council"})
    assert none.structured_content["count"] == 0 and "No passage matches" in text(none)


def test_list_papers_filters_by_council_and_date(server):
    everything = call(server, "list_papers").structured_content
    assert everything["count"] == 5
    assert {p["doc_id"] for p in everything["papers"]} >= {REPORT, WEST_SUSSEX}
    west = call(server, "list_papers", {"council": "west sussex"}).structured_content
    assert [p["doc_id"] for p in west["papers"]] == [WEST_SUSSEX]
    recent = call(server, "list_papers", {"date_from": "2019-01-01"})
    assert [p["doc_id"] for p in recent.structured_content["papers"]] == [REPORT]
    assert text(recent).endswith("1 paper")


def test_get_paragraph_reads_a_paragraph_by_its_printed_label_with_its_neighbours(server):
    result = call(server, "get_paragraph", {"paper": REPORT, "label": "19"})
    para = result.structured_content
    assert para["paragraph"] == "19" and "1088 audits completed" in para["quote"]
    assert (para["previous"], para["next"]) == ("18", "20")
    assert para["meeting_date"] == "2020-07-28" and para["heading"]
    assert text(result).splitlines()[0].endswith("2020-07-28), paragraph 19")
    loose = call(server, "get_paragraph", {"paper": SURREY_2021, "label": " resolved  1"})
    assert loose.structured_content["paragraph"] == "Resolved 1"
    assert "Director of Corporate Parenting" in loose.structured_content["quote"]


def test_get_paragraph_says_what_is_wrong_with_a_paper_or_label(server):
    missing = call(server, "get_paragraph", {"paper": "no-such-paper", "label": "1"})
    assert missing.is_error
    assert "no paper 'no-such-paper' is indexed; list_papers gives the doc_ids" in text(missing)
    wrong = call(server, "get_paragraph", {"paper": REPORT, "label": "999"})
    assert wrong.is_error and "has no paragraph '999'" in text(wrong)
    assert "18, 19, 20, 20.1" in text(wrong)


def test_resolutions_filters_the_register_and_quotes_each_record(server):
    result = call(server, "resolutions", {"kind": "resolution", "limit": 1})
    register = result.structured_content
    assert register["count"] >= 2 and len(register["records"]) == 1
    record = register["records"][0]
    assert record["kind"] == "resolution" and record["text"] in record["quote"]
    assert f'"{record["text"]}"' in text(result)
    assert "(the first 1 shown)" in text(result)
    owned = call(server, "resolutions", {"owner": "Corporate Parenting"}).structured_content
    assert owned["count"] >= 1
    assert all("Corporate Parenting" in r["owner"] for r in owned["records"])


@pytest.mark.parametrize("name,args,field", [
    ("ask", {"question": AUDITS, "date_from": "2020-13-01"}, "date_from"),
    ("ask", {}, "question"),
    ("search_papers", {"query": "audits", "limit": 0}, "limit"),
    ("resolutions", {"kind": "minute"}, "kind"),
    ("get_paragraph", {"paper": REPORT}, "label"),
])
def test_a_bad_argument_is_a_one_line_error_naming_the_argument(server, name, args, field):
    result = call(server, name, args)
    assert result.is_error
    message = text(result)
    assert message.startswith(f"bad arguments for {name}: {field}: "), message
    assert "\n" not in message and "pydantic" not in message


def test_a_question_over_the_limit_is_the_tools_error(server):
    result = call(server, "ask", {"question": "why " * 600})
    assert result.is_error and "the limit is 2,000" in text(result)
    assert "\n" not in text(result)


# -- over stdio: `clerk mcp` as a subprocess ---------------------------------------------------

def test_stdio_client_lists_the_tools_gets_a_cited_answer_and_survives_a_bad_argument(
        sample_store):
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant", "mcp"],
                                   env=server_env(sample_store), cwd=ROOT)

    async def work(client):
        names = {t.name for t in (await client.list_tools()).tools}
        answer = await client.call_tool("ask", {"question": AUDITS})
        bad = await client.call_tool("ask", {"question": AUDITS, "date_to": "last week"})
        after = await client.call_tool("get_paragraph", {"paper": REPORT, "label": "19"})
        return names, answer, bad, after

    unreadable = []  # lines on stdout that are not JSON-RPC reach the session as exceptions

    async def note(message):
        if isinstance(message, Exception):
            unreadable.append(message)

    names, answer, bad, after = using(params, work, mode="legacy", message_handler=note)
    assert unreadable == []
    assert names == TOOLS
    assert_cited_audit_answer(answer)
    assert bad.is_error and text(bad).startswith("bad arguments for ask: date_to: ")
    assert not after.is_error and "1088 audits" in after.structured_content["quote"]


def test_clerk_mcp_with_an_unreachable_store_says_so_in_one_line(settings_for):
    env = server_env(settings_for(), CLERK_CHROMA_URL=f"http://127.0.0.1:{free_port()}")
    done = subprocess.run([sys.executable, "-m", "assistant", "mcp"], env=env, cwd=ROOT,
                          input="", capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "cannot open the Chroma store at http://127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


# -- over HTTP: /mcp under `clerk serve`, behind the API key -----------------------------------

@pytest.fixture(scope="module")
def keyed_server(sample_store):
    server = RunningServer(server_env(sample_store, CLERK_API_KEY=KEY))
    yield server
    server.stop()


def test_http_client_with_the_key_lists_the_tools_and_gets_a_cited_answer(keyed_server):
    async def work(client):
        names = {t.name for t in (await client.list_tools()).tools}
        return names, await client.call_tool("ask", {"question": AUDITS})

    url = f"{keyed_server.url}/mcp"
    names, answer = using(Http(url, {"X-API-Key": KEY}), work)
    assert names == TOOLS
    assert_cited_audit_answer(answer)
    papers = using(Http(url, {"Authorization": f"Bearer {KEY}"}),
                   lambda c: c.call_tool("list_papers", {}), mode="legacy")
    assert papers.structured_content["count"] == 5


def test_http_mcp_refuses_a_missing_or_wrong_key_with_401(keyed_server):
    url = f"{keyed_server.url}/mcp"
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    accept = {"Accept": "application/json, text/event-stream"}
    for headers in ({}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}):
        r = httpx.post(url, json=message, headers={**accept, **headers}, timeout=30)
        assert r.status_code == 401, r.text
        assert r.json()["detail"].startswith("missing or wrong API key")
        assert r.headers["www-authenticate"] == "Bearer"
    with pytest.raises(BaseException) as refused:  # the SDK's client cannot connect
        using(Http(url, {"X-API-Key": "wrong"}), lambda c: c.list_tools())
    assert not isinstance(refused.value, (KeyboardInterrupt, SystemExit))
    assert keyed_server.proc.poll() is None


def test_http_bad_arguments_are_error_results_and_the_server_goes_on(keyed_server):
    async def work(client):
        bad_date = await client.call_tool("list_papers", {"date_from": "soon"})
        no_paper = await client.call_tool("get_paragraph", {"paper": "nope", "label": "1"})
        good = await client.call_tool("get_paragraph", {"paper": REPORT, "label": "19"})
        return bad_date, no_paper, good

    bad_date, no_paper, good = using(Http(f"{keyed_server.url}/mcp", {"X-API-Key": KEY}),
                                         work)
    assert bad_date.is_error and text(bad_date).startswith("bad arguments for list_papers: "
                                                           "date_from: ")
    assert no_paper.is_error and "no paper 'nope' is indexed" in text(no_paper)
    assert not good.is_error and good.structured_content["next"] == "20"
    assert keyed_server.proc.poll() is None


def test_without_an_api_key_mcp_serves_only_requests_addressed_to_this_machine(api_server):
    async def work(client):
        return {t.name for t in (await client.list_tools()).tools}

    assert using(Http(f"{api_server.url}/mcp"), work) == TOOLS
    r = httpx.post(f"{api_server.url}/mcp", json={"jsonrpc": "2.0", "id": 1,
                                                   "method": "tools/list"},
                   headers={"Host": "clerk.attacker.example",
                            "Accept": "application/json, text/event-stream"}, timeout=30)
    assert r.status_code == 421
