"""A running server sees newly ingested papers; the CLI prints answers for people and JSON."""

import json
import shutil
import subprocess
import sys

import httpx

from tests.conftest import CORPUS, ROOT, RunningServer, server_env

NEW_PAPER = """Agenda item

HIGHWAYS MAINTENANCE UPDATE

Minutes:

1.    The Committee heard that 4,212 potholes were repaired on Ashcombe Road during the winter.

2.    Resolved: that the Head of Highways report on gully cleaning at the next meeting.
"""


def clerk(args, env, timeout=300):
    return subprocess.run([sys.executable, "-m", "assistant", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_running_server_answers_from_papers_ingested_after_it_started(tmp_path, settings_for):
    settings = settings_for(data_dir=tmp_path / "live")
    env = server_env(settings)
    papers = tmp_path / "papers"
    shutil.copytree(CORPUS, papers)
    assert clerk(["ingest", str(papers)], env).returncode == 0
    server = RunningServer(env)
    try:
        q = {"question": "How many potholes were repaired on Ashcombe Road?"}
        before = httpx.post(f"{server.url}/ask", json=q, timeout=60).json()
        assert before["abstained"]
        (papers / "highways.txt").write_text(NEW_PAPER)
        done = clerk(["ingest", str(papers)], env)
        assert "1 added, 0 updated, 5 unchanged" in done.stdout, done.stderr
        after = httpx.post(f"{server.url}/ask", json=q, timeout=60).json()
        assert not after["abstained"], after
        assert "4,212 potholes" in after["answer"]
        assert after["citations"][0]["doc_id"] == "highways"
        assert after["citations"][0]["paragraph"] == "1"
        assert httpx.get(f"{server.url}/healthz").json()["papers"] == 6
    finally:
        server.stop()


def test_cli_ask_prints_answer_and_citations_and_json(sample_store):
    env = server_env(sample_store)
    out = clerk(["ask", "How many case audits had Surrey completed by July 2020?"], env)
    assert out.returncode == 0, out.stderr
    assert "1088 audits completed" in out.stdout
    assert "paragraph 19" in out.stdout and "2020-07-28" in out.stdout
    assert out.stdout.count("paragraph 19") == 1  # one heading for the paragraph, however quoted
    out = clerk(["ask", "--json", "--committee", "Reference Group",
                 "What did staff feedback fall into?"], env)
    answer = json.loads(out.stdout)
    assert all(c["doc_id"].startswith("surrey-ces") for c in answer["citations"])
    out = clerk(["ask", "--from", "28/07/2020", "x?"], env)
    assert out.returncode == 2 and "28/07/2020" in out.stderr
    out = clerk(["ask", "  "], env)
    assert out.returncode == 2 and "the question is empty" in out.stderr
    out = clerk(["ask", "q" * 5000], env)
    assert out.returncode == 1 and "the limit is 2,000" in out.stderr
