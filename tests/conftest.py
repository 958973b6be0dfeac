"""Shared fixtures: the real embedding model (loaded once) and the sample corpus ingested once
into a real embedded Chroma store."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def embedder():
    from assistant.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the sample corpus with its manifest."""
    dest = tmp_path / "papers"
    shutil.copytree(CORPUS, dest)
    return dest


@pytest.fixture
def settings_for(tmp_path):
    from assistant.settings import Settings

    def make(**overrides) -> Settings:
        return Settings(_env_file=None, data_dir=overrides.pop("data_dir", tmp_path / "data"),
                        **overrides)

    return make


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, embedder):
    """Settings for a store holding the ingested sample corpus (read-only for tests)."""
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("sample-data"))
    report = run_ingest([CORPUS], settings, lambda: embedder, progress=False)
    assert report.failed == 0 and report.added == 5
    return settings


@pytest.fixture(scope="session")
def service(sample_store, embedder):
    from assistant.service import ClerkService

    return ClerkService(sample_store, embedder=embedder)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """`clerk serve` in its own process, on a loopback port."""

    def __init__(self, env: dict, args=("serve",)):
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log_dir = Path(env["CLERK_DATA_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = open(log_dir / f"server-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", *args, "--port", str(self.port)],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self, timeout: float = 120) -> None:
        import time

        import httpx

        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()
        self.log.close()


def server_env(settings, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_")}
    env.update(CLERK_DATA_DIR=str(settings.data_dir), HF_HUB_OFFLINE="1", **extra)
    return env


@pytest.fixture(scope="session")
def api_server(sample_store):
    server = RunningServer(server_env(sample_store))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_llm():
    from tests.fakes import FakeChatServer

    server = FakeChatServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def llm_server(sample_store, fake_llm):
    server = RunningServer(server_env(sample_store, CLERK_LLM_BASE_URL=fake_llm.base_url,
                                      CLERK_LLM_MODEL="fake-small", CLERK_API_KEY="s3cret"))
    yield server
    server.stop()
