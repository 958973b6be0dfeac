"""Server mode for real: `chroma run` on a loopback port, ingest into it, and two API
processes answering from it at once."""

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import CORPUS, ROOT, RunningServer, free_port, server_env


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    import shutil

    chroma = shutil.which("chroma", path=str(ROOT / ".venv" / "bin")) or shutil.which("chroma")
    assert chroma, "the chroma CLI comes with chromadb"
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "chroma.log", "w")
    proc = subprocess.Popen([chroma, "run", "--path", str(path / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        raise RuntimeError("chroma run did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def test_ingest_into_a_chroma_server_and_answer_from_two_api_processes(
        chroma_server, settings_for, tmp_path):
    import sys

    settings = settings_for(data_dir=tmp_path / "local")
    env = server_env(settings, CLERK_CHROMA_URL=chroma_server)
    done = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(CORPUS)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("paragraphs: 161")
    assert not (tmp_path / "local" / "chroma").exists()  # nothing went to an embedded store
    again = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(CORPUS)], env=env,
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert "5 unchanged" in again.stdout

    first, second = RunningServer(env), RunningServer(env)
    try:
        assert httpx.get(f"{first.url}/healthz").json()["store"] == "server"
        question = {"question": "How many case audits had Surrey completed by July 2020?"}

        def ask(server):
            return httpx.post(f"{server.url}/ask", json=question, timeout=120).json()

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(ask, [first, second, first, second]))
        for a in answers:
            assert not a["abstained"] and "1088" in a["answer"]
            assert a["citations"][0]["paragraph"] == "19"
        assert answers[0]["answer"] == answers[1]["answer"]
    finally:
        first.stop()
        second.stop()


def test_unreachable_chroma_server_is_a_clear_error(settings_for):
    import sys

    env = server_env(settings_for(), CLERK_CHROMA_URL=f"http://127.0.0.1:{free_port()}")
    done = subprocess.run([sys.executable, "-m", "assistant", "papers"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "cannot open the Chroma store at http://127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr


def test_clerk_serve_with_two_workers_answers_and_sums_their_metrics(chroma_server, settings_for,
                                                                     tmp_path):
    import re
    import sys

    env = server_env(settings_for(data_dir=tmp_path / "local"), CLERK_CHROMA_URL=chroma_server)
    done = subprocess.run([sys.executable, "-m", "assistant", "ingest", str(CORPUS)], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    server = RunningServer(env, args=("serve", "--workers", "2"))
    try:
        question = {"question": "How many case audits had Surrey completed by July 2020?"}
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: httpx.post(f"{server.url}/ask", json=question,
                                                         timeout=300).json(), range(6)))
        assert all("1088" in a["answer"] for a in answers)
        metrics = httpx.get(f"{server.url}/metrics", timeout=30).text
        answered = re.search(r'clerk_answers_total\{front="api",mode="extractive",'
                             r'reason="answered"\} (\d+)', metrics)
        assert answered and int(answered.group(1)) == 6  # both workers' counts, summed
    finally:
        server.stop()


def test_more_than_one_worker_needs_a_chroma_server(settings_for):
    import sys

    env = server_env(settings_for())
    done = subprocess.run([sys.executable, "-m", "assistant", "serve", "--workers", "2"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "--workers above 1 needs a Chroma server (CLERK_CHROMA_URL)" in done.stderr
