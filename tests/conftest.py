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
