"""The CLI as a person runs it (a real `python -m assistant` process): `clerk chat` with
follow-ups, `clerk ask` asking a running server instead of loading the model, and the embedding
progress bar of `clerk ingest`."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.assistant.test_live_and_cli import clerk
from tests.conftest import CORPUS, ROOT, free_port, server_env

AUDITS = "How many case audits had Surrey completed by July 2020?"
FOLLOW_UP = "And which thematic audits have been completed?"


def no_local_model(tmp_path, **extra) -> dict:
    """An environment that cannot answer here: an empty data folder and no such model, so an
    answer can only have come from the server."""
    env = server_env(type("S", (), {"data_dir": tmp_path / "empty"})(), **extra)
    env["CLERK_EMBEDDING_MODEL"] = str(tmp_path / "no-such-model")
    return env


def test_ask_uses_the_running_server_and_loads_no_model(api_server, tmp_path):
    env = no_local_model(tmp_path)
    out = clerk(["ask", "--server", api_server.url, AUDITS], env)
    assert out.returncode == 0, out.stderr
    assert "1088 audits completed" in out.stdout and "paragraph 19" in out.stdout
    assert "answering here" not in out.stderr

    env["CLERK_SERVER"] = api_server.url  # the same from the environment, as JSON
    out = clerk(["ask", "--json", AUDITS], env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["citations"][0]["paragraph"] == "19"


def test_the_servers_refusal_is_one_line_and_exit_1(api_server, tmp_path):
    out = clerk(["ask", "--server", api_server.url, "q" * 5000], no_local_model(tmp_path))
    assert out.returncode == 1
    assert out.stderr.strip() == "Error: the question is 5,000 characters; the limit is 2,000"


def test_with_no_server_up_ask_says_so_and_answers_here(sample_store):
    dead = f"http://127.0.0.1:{free_port()}"
    out = clerk(["ask", "--server", dead, AUDITS], server_env(sample_store))
    assert out.returncode == 0, out.stderr
    assert f"No Clerk server answers at {dead}; answering here (loading the model)." \
        in out.stderr
    assert "1088 audits completed" in out.stdout
    # what to ask next, from the cited report, after its sources
    assert out.stdout.rstrip().endswith("\nAsk next:\n  - What did Children's Improvement "
                                        "Update recommend on 28 July 2020?\n  - What does "
                                        "the 28 July 2020 report say about "
                                        "Focussing on the Impact of our Improvement Programme?"
                                        "\n  - What does the 28 July 2020 report say about "
                                        "Commissioner for Surrey's Children's Services?")


class RecordingProxy:
    """A real HTTP server in front of a Clerk server: forwards each request and keeps the JSON
    bodies POSTed to /ask, to see what `clerk chat` sends."""

    def __init__(self, target: str):
        self.asked: list[dict] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def forward(self, method: str) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/ask":
                    proxy.asked.append(json.loads(body))
                r = httpx.request(method, target + self.path, content=body or None,
                                  headers={"Content-Type": "application/json"}, timeout=120)
                self.send_response(r.status_code)
                self.send_header("Content-Type", r.headers.get("content-type", "text/plain"))
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            def do_GET(self):
                self.forward("GET")

            def do_POST(self):
                self.forward("POST")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_chat_answers_a_follow_up_with_the_conversation_and_ends_on_exit(api_server,
                                                                          tmp_path):
    proxy = RecordingProxy(api_server.url)
    try:
        env = no_local_model(tmp_path, CLERK_SERVER=proxy.url)
        out = subprocess_chat(env, f"{AUDITS}\n\n{FOLLOW_UP}\nexit\nnever asked\n")
    finally:
        proxy.stop()
    assert out.returncode == 0, out.stderr
    first, second = [a for a in out.stdout.split("> ") if a.strip()]  # after each prompt
    assert "1088" in first and "paragraph 19" in first
    assert "Private Fostering" in second
    assert "never asked" not in out.stdout and len(proxy.asked) == 2  # the blank line skipped
    assert proxy.asked[0]["conversation"] == []
    turns = proxy.asked[1]["conversation"]
    assert turns[0] == {"role": "user", "content": AUDITS, "citations": []}
    assert turns[1]["role"] == "assistant" and "1088" in turns[1]["content"]
    assert turns[1]["citations"][0]["paragraph"] == "19"  # searched again on the follow-up
    assert "type exit (or press Ctrl-D) to stop" in out.stderr


def subprocess_chat(env, typed: str):
    """`clerk chat` with `typed` as what a person types at its prompt."""
    return subprocess.run([sys.executable, "-m", "assistant", "chat"], env=env, cwd=ROOT,
                          input=typed, capture_output=True, text=True, timeout=300, check=False)


def test_chat_ends_at_the_end_of_input_and_reports_a_bad_question_without_stopping(
        api_server, tmp_path):
    env = no_local_model(tmp_path, CLERK_SERVER=api_server.url)
    out = subprocess_chat(env, f"{'y' * 3000}\n{AUDITS}\n")  # no exit: Ctrl-D ends it
    assert out.returncode == 0, out.stderr
    assert "Error: the question is 3,000 characters; the limit is 2,000" in out.stderr
    assert "1088" in out.stdout


def test_ingest_leaves_its_embedding_progress_bar_on_screen(tmp_path, settings_for):
    env = server_env(settings_for(data_dir=tmp_path / "bar"))
    out = clerk(["ingest", "--progress", str(CORPUS)], env)
    assert out.returncode == 0, out.stderr
    assert "5 added" in out.stdout
    last = out.stderr.replace("\r", "\n").strip().splitlines()
    finished = [line for line in last if line.startswith("embedding:")][-1]
    assert "chunks" in finished and "it/s" not in finished
    count = int(finished.split(":")[1].split("chunks")[0].strip().split()[-1])
    assert count > 100  # every chunk of the five papers
    assert out.stderr.endswith("\n")  # the bar's line is left, not cleared

    again = clerk(["ingest", "--no-progress", str(CORPUS)], env)
    assert "embedding" not in again.stderr and "5 unchanged" in again.stdout
