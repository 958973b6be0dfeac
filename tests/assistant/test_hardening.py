"""The holes an outsider's attack found, each closed: the real app over the ingested sample
corpus (in process), and `clerk serve` in its own process where the server itself is the
subject (slow clients, large declared bodies, memory)."""

import hmac
import logging
import re
import socket
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import RunningServer, server_env

REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"
AUDITS = "How many case audits had Surrey completed by July 2020?"
KEY = {"X-API-Key": "s3cret"}


@pytest.fixture
def client_for(sample_store, service):
    """A started app (lifespan run) over the sample store, with settings overridden."""
    from assistant.api import create_app

    clients = []

    def make(**overrides) -> TestClient:
        client = TestClient(create_app(sample_store.model_copy(update=overrides),
                                       service=service))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


# -- 1. every route that shows paper text needs the key; a citation link carries its own -------

PUBLIC = {"/", "/register", "/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect",
          "/slack/events"}


def test_every_route_that_shows_paper_text_needs_the_key(client_for):
    client = client_for(api_key="s3cret")
    page = client.get(f"/papers/{REPORT}/view", params={"paragraph": "19"})
    assert page.status_code == 401 and "1088" not in page.text  # the hole the attack found
    routes = [r for r in client.app.routes if isinstance(r, APIRoute) and r.path not in PUBLIC]
    assert {"/ask", "/papers", "/papers/{doc_id}", "/papers/{doc_id}/view", "/resolutions",
            "/register/rows", "/metrics"} <= {r.path for r in routes}
    for route in routes:
        path = route.path.replace("{doc_id}", REPORT).replace("{number}", "1")
        for method in route.methods - {"HEAD"}:
            body = {"question": AUDITS} if method == "POST" else None
            r = client.request(method, path, json=body)
            assert r.status_code == 401, (method, path, r.status_code)
            r = client.request(method, path, json=body, headers={"X-API-Key": "wrong"})
            assert r.status_code == 401, (method, path, r.status_code)
    assert client.get(f"/papers/{REPORT}/view", headers=KEY).status_code == 200
    assert client.get(f"/papers/{REPORT}/view",
                      headers={"Authorization": "Bearer s3cret"}).status_code == 200
    # the asking page itself holds no paper text: it opens, and asks with the key it is given
    assert client.get("/").status_code == 200
    assert client.get("/register").status_code == 200  # the register page too: its rows need it
    assert client.get("/papers", headers=KEY).status_code == 200


def test_a_citation_link_from_an_answer_opens_the_paper_without_the_key_until_it_expires(
        client_for):
    from assistant.security import LinkSigner

    client = client_for(api_key="s3cret")
    answer = client.post("/ask", json={"question": AUDITS}, headers=KEY).json()
    link = answer["citations"][0]["view_url"]
    assert link.startswith(f"/papers/{REPORT}/view?paragraph=19&quote=") and link.endswith("#p-19")
    assert "&exp=" in link and "&sig=" in link
    page = client.get(link.split("#")[0])  # what a browser sends: no key, no fragment
    assert page.status_code == 200 and "1088 audits completed" in page.text
    query = parse_qs(urlsplit(link).query)
    exp, sig = query["exp"][0], query["sig"][0]
    # a forged or borrowed signature opens nothing
    tampered = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    assert client.get(f"/papers/{REPORT}/view", params={"exp": exp, "sig": tampered}
                      ).status_code == 401
    other = "west-sussex-2020-children-first-improvement-minutes"
    assert client.get(f"/papers/{other}/view", params={"exp": exp, "sig": sig}).status_code == 401
    later = str(int(exp) + 3600)  # a longer life cannot be given to a link
    assert client.get(f"/papers/{REPORT}/view", params={"exp": later, "sig": sig}
                      ).status_code == 401
    # an expired link is refused, and says so
    signer = LinkSigner("s3cret", 60)
    old = signer.sign_view_url(f"/papers/{REPORT}/view", REPORT, now=time.time() - 3 * 3600)
    expired = client.get(old)
    assert expired.status_code == 401 and "expired" in expired.text
    # another key's links open nothing
    foreign = LinkSigner("another-key", 3600).sign_view_url(f"/papers/{REPORT}/view", REPORT)
    assert client.get(foreign).status_code == 401
    # the register's links are signed too
    record = client.get("/resolutions", headers=KEY).json()["records"][0]
    assert client.get(record["view_url"].split("#")[0]).status_code == 200


def test_without_a_key_set_links_are_plain_and_pages_open(client_for):
    client = client_for()
    answer = client.post("/ask", json={"question": AUDITS}).json()
    assert "sig=" not in answer["citations"][0]["view_url"]
    assert client.get(answer["citations"][0]["view_url"].split("#")[0]).status_code == 200


def test_the_key_is_compared_in_constant_time(client_for, monkeypatch):
    compared = []
    real = hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    client = client_for(api_key="s3cret")
    assert client.get("/papers", headers={"X-API-Key": "guess"}).status_code == 401
    assert client.get("/papers", headers=KEY).status_code == 200
    assert (b"guess", b"s3cret") in compared and (b"s3cret", b"s3cret") in compared
    # a key with characters compare_digest would refuse as str is a 401, not a 500
    assert client.get("/papers", headers={"X-API-Key": "sécret".encode()}).status_code == 401


# -- 5. limits --------------------------------------------------------------------------------

def test_questions_over_the_rate_limit_get_429_with_retry_after(client_for):
    client = client_for(rate_limit_ask="3/minute", rate_limit="5/minute")
    for _ in range(3):
        assert client.post("/ask", json={"question": AUDITS}).status_code == 200
    r = client.post("/ask", json={"question": AUDITS})
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "3 per 1 minute" in r.json()["detail"]
    assert client.post("/ask/stream", json={"question": AUDITS}).status_code == 429
    for _ in range(5):
        assert client.get("/papers").status_code == 200
    assert client.get("/papers").status_code == 429
    assert client.get("/healthz").status_code == 200  # probes are never limited
    metrics = client.get("/metrics").text
    assert re.search(r'clerk_requests_refused_total\{why="rate_limited"\} [3-9]', metrics)


def test_a_question_of_many_words_is_refused_before_any_work(client_for, service, monkeypatch):
    client = client_for()
    searched = []
    monkeypatch.setattr(service, "evidence", lambda request: searched.append(request))
    long = " ".join(["audits completed by Surrey social workers in July"] * 25)  # 200 words
    assert len(long) <= 2000
    r = client.post("/ask", json={"question": long})
    assert r.status_code == 422
    assert "200 words; the limit is 100" in r.json()["detail"]
    assert searched == []


def test_an_earlier_turn_is_read_to_the_word_limit_only():
    from assistant.models import Turn
    from assistant.service import retrieval_query

    earlier = Turn(role="user", content="word " * 3000)
    query = retrieval_query("and what about it?", [earlier], max_words=100)
    assert len(query.split()) == 100 + 4


# -- 6. the smaller holes ---------------------------------------------------------------------

def test_citations_and_listings_never_give_a_server_file_path(client_for, service):
    client = client_for()
    answer = client.post("/ask", json={"question": AUDITS}).json()
    records = client.get("/resolutions").json()["records"]
    papers = client.get("/papers").json()
    paper = client.get(f"/papers/{REPORT}").json()
    urls = ([c["url"] for c in answer["citations"]] + [r["url"] for r in records]
            + [p["url"] for p in papers] + [paper["url"]])
    assert urls and all(u is None or u.startswith(("http://", "https://")) for u in urls), urls
    root = str(service.store.settings.data_dir.parent)
    for text in (str(answer), str(records), str(papers), str(paper)):
        assert "/corpus/" not in text and root not in text


def test_the_paper_page_sends_a_csp_that_allows_only_its_own_style_and_no_framing(client_for):
    import base64
    import hashlib

    client = client_for()
    page = client.get(f"/papers/{REPORT}/view", params={"paragraph": "19"})
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    style = re.search(r"<style>(.*?)</style>", page.text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"  # a signed link is not passed on


@pytest.mark.parametrize("where", ["ask", "resolutions"])
def test_date_from_after_date_to_is_a_422_with_the_reason(client_for, where):
    client = client_for()
    dates = {"date_from": "2021-01-01", "date_to": "2020-01-01"}
    r = (client.post("/ask", json={"question": AUDITS, "filters": dates}) if where == "ask"
         else client.get("/resolutions", params=dates))
    assert r.status_code == 422
    assert "date_from (2021-01-01) is after date_to (2020-01-01)" in r.json()["detail"]


def test_a_reading_library_s_warnings_go_to_clerk_s_log_with_the_file_name(
        tmp_path, monkeypatch, caplog, capfd):
    import warnings

    from ingest.read import read_document
    from ingest.readers import pdf

    real = pdf.read

    def chatty(data):
        warnings.warn("Xref table not zero-indexed. ID numbers for objects will be corrected.")
        logging.getLogger("pypdf._reader").warning("incorrect startxref pointer(1)")
        logging.getLogger("pdfminer.pdfpage").error("the page tree is broken")
        return real(data)

    monkeypatch.setattr(pdf, "read", chatty)
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=11)
    doc.multi_cell(0, 6, "1. The committee agreed the minutes of the last meeting.")
    path = tmp_path / "council-minutes.pdf"
    doc.output(str(path))
    capfd.readouterr()
    with caplog.at_level(logging.WARNING):
        read_document(path, 10**8)
    lines = [r.getMessage() for r in caplog.records if r.name == "clerk.ingest"]
    assert len(lines) == 3, lines
    assert all(line.startswith("council-minutes.pdf: ") for line in lines)
    assert any("startxref" in line and "pypdf" in line for line in lines)
    assert any("Xref table" in line for line in lines)
    stray = capfd.readouterr().err
    assert "startxref" not in stray and "Xref table" not in stray and "page tree" not in stray


# -- operations -------------------------------------------------------------------------------

def test_one_json_log_line_per_answer_without_the_question(client_for):
    import io
    import json

    from assistant.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("clerk.answer")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        client = client_for()
        r = client.post("/ask", json={"question": AUDITS}, headers={"X-Request-ID": "req-42"})
        assert r.headers["X-Request-ID"] == "req-42"
        client.post("/ask", json={"question": "What is the annual budget of Surrey's "
                                  "children's services?"})
        quiet = stream.getvalue()
        client_for(log_questions=True).post("/ask", json={"question": AUDITS})
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 3
    first, second, third = lines
    assert first["request_id"] == "req-42" and first["message"] == "answer"
    assert first["abstained"] is False and first["reason"] == "answered"
    assert first["citations"] >= 1 and first["latency_ms"] > 0
    assert second["abstained"] is True and second["reason"] == "not_in_papers"
    assert second["citations"] == 0 and re.fullmatch(r"[0-9a-f]{16}", second["request_id"])
    assert "audits" not in quiet and "budget" not in quiet and "question" not in quiet
    assert third["question"] == AUDITS


def test_metrics_in_prometheus_format(client_for):
    client = client_for()
    client.post("/ask", json={"question": AUDITS})
    client.post("/ask", json={"question": "ok?", "filters": {"council": "Nowhere"}})
    client.get("/papers")
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    for pattern in (
            r'http_requests_total\{handler="/ask",method="POST",status="2xx"\} [1-9]',
            r'http_request_duration_seconds_count\{handler="/papers",method="GET"\} [1-9]',
            r'clerk_answers_total\{front="api",mode="extractive",reason="answered"\} [1-9]',
            r'clerk_answers_total\{front="api",mode="extractive",'
            r'reason="no_papers_match_filters"\} [1-9]',
            r"clerk_papers_indexed 5\.0", r"clerk_paragraphs_indexed 161\.0",
            r"clerk_store_bytes [1-9]", r'clerk_ingest_papers_total\{outcome="added"\} [5-9]',
            r"clerk_ingest_runs_total [1-9]"):
        assert re.search(pattern, text), pattern


def test_readyz_checks_model_store_and_indexes_apart_from_healthz(client_for, service,
                                                                  monkeypatch):
    client = client_for()
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) == {"model", "store", "indexes", "register"}
    assert all(c["ok"] for c in checks.values())

    def unreachable():
        raise ConnectionError("chroma is down")

    monkeypatch.setattr(service.store, "paper_records", unreachable)
    r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready" and not body["checks"]["store"]["ok"]
    assert "chroma is down" in body["checks"]["store"]["error"]
    assert body["checks"]["model"]["ok"]


def test_env_example_lists_every_setting_with_its_default():
    from assistant.settings import Settings
    from tests.conftest import ROOT

    lines = (ROOT / ".env.example").read_text().splitlines()
    given = dict(line.lstrip("# ").split("=", 1) for line in lines
                 if re.match(r"^#? ?CLERK_[A-Z0-9_]+=", line))
    for name, field in Settings.model_fields.items():
        key = f"CLERK_{name.upper()}"
        assert key in given, key
        default = field.default
        expected = "" if default is None else str(default)
        assert given[key] == expected, (key, given[key], expected)
    # copied to .env as it is, it changes nothing
    assert Settings(_env_file=ROOT / ".env.example") == Settings(_env_file=None)


# -- the server itself: slow clients, declared bodies, memory --------------------------------

@pytest.fixture(scope="module")
def guarded_server(sample_store, tmp_path_factory):
    from tests.slack.conftest import SECRET

    data = tmp_path_factory.mktemp("guarded")
    import shutil

    shutil.copytree(sample_store.data_dir, data, dirs_exist_ok=True)
    server = RunningServer(server_env(sample_store.model_copy(update={"data_dir": data}),
                                      CLERK_SLACK_SIGNING_SECRET=SECRET,
                                      CLERK_SLACK_BOT_TOKEN="xoxb-test",
                                      CLERK_SLACK_API_URL="http://127.0.0.1:9/api/"),
                           args=("serve", "--header-timeout", "1", "--body-timeout", "1",
                                 "--timeout-keep-alive", "2", "--limit-concurrency", "100"))
    yield server
    server.stop()


def _rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_slow_loris_connections_are_closed(guarded_server):
    socks = [_connect(guarded_server) for _ in range(20)]
    for s in socks:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and the rest never comes
    started = time.time()
    for s in socks:
        data = s.recv(1000)  # 408 then close, or just close
        assert data == b"" or data.startswith(b"HTTP/1.1 408"), data
        assert s.recv(1000) == b""
        s.close()
    assert time.time() - started < 5
    idle = _connect(guarded_server)  # a connection that sends nothing at all
    assert idle.recv(1000).startswith(b"HTTP/1.1 408")
    idle.close()
    assert httpx.get(f"{guarded_server.url}/healthz").status_code == 200


def test_a_slow_body_is_refused_with_408(guarded_server):
    s = _connect(guarded_server)
    s.sendall(b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 100\r\n\r\n{\"question\": ")
    data = s.recv(1000)
    assert data.startswith(b"HTTP/1.1 408"), data
    s.close()


@pytest.mark.parametrize("signed", [False, True])
def test_a_huge_slack_body_is_answered_at_once_without_memory(guarded_server, signed):
    from tests.slack.conftest import sign

    headers = sign("x") if signed else {}
    head = ("POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 200000000\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    before = _rss_mb(guarded_server.proc.pid)
    for _ in range(4):
        s = _connect(guarded_server)
        s.settimeout(5)
        s.sendall(head)
        data = s.recv(1000)  # answered from the headers alone: no body is awaited
        assert data.startswith(b"HTTP/1.1 413" if signed else b"HTTP/1.1 401"), data
        s.close()
    # chunked, so nothing is declared: refused after the limit, never read whole
    s = _connect(guarded_server)
    s.settimeout(5)
    s.sendall(head.replace(b"Content-Length: 200000000", b"Transfer-Encoding: chunked"))
    chunk = b"%x\r\n%s\r\n" % (1_000_000, b"x" * 1_000_000)
    sent = 0
    try:
        for _ in range(200):
            s.sendall(chunk)
            sent += 1
    except OSError:
        pass
    s.close()
    assert sent < 200
    assert _rss_mb(guarded_server.proc.pid) - before < 50
    assert httpx.get(f"{guarded_server.url}/healthz").status_code == 200


def test_clerk_serve_has_options_for_workers_concurrency_and_timeouts():
    from click.testing import CliRunner

    from assistant.cli import cli

    out = CliRunner().invoke(cli, ["serve", "--help"]).output
    for option in ("--workers", "--limit-concurrency", "--timeout-keep-alive",
                   "--header-timeout", "--body-timeout"):
        assert option in out, option
