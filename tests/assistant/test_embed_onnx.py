"""The ONNX Runtime backend: exported from the bundled weights, checked against torch, cached,
and kept apart from torch's vectors when it quantizes."""

import json
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.conftest import CORPUS, ROOT, RunningServer, server_env


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-models")


@pytest.fixture(scope="module")
def onnx_embedders(onnx_cache):
    from assistant.embedder import OnnxEmbedder

    return {"onnx": OnnxEmbedder(None, onnx_cache), "onnx-int8": OnnxEmbedder(None, onnx_cache,
                                                                             quantize=True)}


@pytest.fixture(scope="module")
def corpus_texts():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from run import corpus_texts

    texts = corpus_texts(10**6)
    return list(dict.fromkeys(texts))  # each of the sample corpus's chunk texts once


def test_onnx_vectors_match_the_torch_model_on_the_sample_papers(onnx_embedders, embedder,
                                                                 corpus_texts):
    reference = embedder.embed(corpus_texts)
    fp32 = onnx_embedders["onnx"].embed(corpus_texts)
    int8 = onnx_embedders["onnx-int8"].embed(corpus_texts)
    assert fp32.shape == int8.shape == reference.shape == (len(corpus_texts), 384)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1, atol=1e-4)
    assert np.sum(fp32 * reference, axis=1).min() > 0.9999
    cosine = np.sum(int8 * reference, axis=1)
    assert cosine.min() > 0.95 and cosine.mean() > 0.99
    assert onnx_embedders["onnx"].embed([]).shape == (0, 384)
    assert onnx_embedders["onnx"].space == embedder.space == "all-MiniLM-L6-v2"
    assert onnx_embedders["onnx-int8"].space == "all-MiniLM-L6-v2+int8"


def test_int8_finds_the_same_paragraphs_as_torch_for_the_eval_questions(onnx_embedders, embedder,
                                                                        corpus_texts):
    questions = [json.loads(line)["question"] for line in
                 (ROOT / "eval" / "qa.jsonl").read_text().splitlines() if line.strip()]
    ranked = {}
    for name, model in [("torch", embedder), ("int8", onnx_embedders["onnx-int8"])]:
        scores = model.embed(questions) @ model.embed(corpus_texts).T
        ranked[name] = np.argsort(-scores, axis=1)
    best = ranked["torch"][:, :1]
    same_first = float(np.mean(best[:, 0] == ranked["int8"][:, 0]))
    in_top3 = float(np.mean((ranked["int8"][:, :3] == best).any(axis=1)))
    print(f"int8 top-1 = torch top-1 for {same_first:.3f}; in int8's top 3 for {in_top3:.3f}")
    assert same_first >= 0.85 and in_top3 >= 0.97, (same_first, in_top3)


def test_the_export_is_cached_and_a_damaged_cache_is_exported_again(onnx_embedders, onnx_cache,
                                                                    corpus_texts):
    from assistant.embedder import OnnxEmbedder

    exported = sorted(p.name for p in onnx_cache.glob("*.onnx"))
    assert len(exported) == 2 and all(n.startswith("all-MiniLM-L6-v2-") for n in exported)
    fp32 = onnx_cache / next(n for n in exported if not n.endswith("-int8.onnx"))
    stamp = fp32.stat().st_mtime_ns
    OnnxEmbedder(None, onnx_cache)
    assert fp32.stat().st_mtime_ns == stamp  # loaded, not exported again

    fp32.write_bytes(fp32.read_bytes()[:1000])  # a copy cut short
    again = OnnxEmbedder(None, onnx_cache)
    assert fp32.stat().st_size > 50_000_000
    expected = onnx_embedders["onnx"].embed(corpus_texts[:5])
    assert np.allclose(again.embed(corpus_texts[:5]), expected, atol=1e-5)
    assert not [p for p in onnx_cache.iterdir() if p.name.startswith(".all-MiniLM")]


def test_a_model_the_onnx_backend_cannot_run_gets_one_line(tmp_path, settings_for):
    from assistant.embedder import make_embedder
    from assistant.errors import EmbedderError

    with pytest.raises(EmbedderError) as named:
        make_embedder(settings_for(embedding_model="sentence-transformers/all-mpnet-base-v2",
                                   embed_backend="onnx"))
    assert "needs a local model folder" in str(named.value) and "\n" not in str(named.value)

    folder = tmp_path / "odd-model"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    (folder / "tokenizer.json").write_text("{}")
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"pooling_mode_max_tokens": True}))
    with pytest.raises(EmbedderError, match="pools by mean or CLS token only"):
        make_embedder(settings_for(embedding_model=str(folder), embed_backend="onnx-int8"))


def test_changing_the_backend_re_embeds_papers_and_the_api_says_which_space_it_serves(
        settings_for, embedder, onnx_embedders, onnx_cache, tmp_path):
    from assistant.errors import EmbedderError
    from assistant.service import ClerkService
    from assistant.store import Store
    from ingest.pipeline import run_ingest

    torch_settings = settings_for(data_dir=tmp_path / "data")
    int8_settings = settings_for(data_dir=tmp_path / "data", embed_backend="onnx-int8",
                                 onnx_cache_dir=onnx_cache)
    int8 = onnx_embedders["onnx-int8"]
    assert run_ingest([CORPUS], torch_settings, lambda: embedder, progress=False).added == 5
    with pytest.raises(EmbedderError, match="makes 'all-MiniLM-L6-v2' vectors"):
        run_ingest([CORPUS], int8_settings, lambda: embedder, progress=False)

    report = run_ingest([CORPUS], int8_settings, lambda: int8, progress=False)
    assert (report.updated, report.unchanged, report.paragraphs) == (5, 0, 161)
    records = Store(int8_settings).paper_records()
    assert {r["embedding"] for r in records.values()} == {"all-MiniLM-L6-v2+int8"}
    assert run_ingest([CORPUS], int8_settings, lambda: int8, progress=False).unchanged == 5
    assert ClerkService(torch_settings, embedder=embedder).papers_in_other_spaces() == 5

    server = RunningServer(server_env(int8_settings, CLERK_EMBED_BACKEND="onnx-int8",
                                      CLERK_ONNX_CACHE_DIR=str(onnx_cache)))
    try:
        health = httpx.get(f"{server.url}/healthz").json()
        assert health["embedding"] == "all-MiniLM-L6-v2+int8"
        assert health["papers_embedded_otherwise"] == 0
        answer = httpx.post(f"{server.url}/ask", timeout=120, json={
            "question": "How many case audits had Surrey completed by July 2020?"}).json()
        assert not answer["abstained"] and "1088" in answer["answer"]
        assert answer["citations"][0]["paragraph"] == "19"
    finally:
        server.stop()

    server = RunningServer(server_env(torch_settings))  # the default backend, the int8 store
    try:
        health = httpx.get(f"{server.url}/healthz").json()
        assert (health["embedding"], health["papers_embedded_otherwise"]) == ("all-MiniLM-L6-v2", 5)
    finally:
        server.stop()
    log = Path(server.log.name).read_text()
    assert "5 paper(s) were embedded by another backend than this server's" in log


def test_export_onnx_command_prints_both_exports(onnx_embedders, onnx_cache, settings_for):
    import subprocess

    env = server_env(settings_for(), CLERK_ONNX_CACHE_DIR=str(onnx_cache))
    done = subprocess.run([sys.executable, "-m", "assistant", "export-onnx"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    paths = done.stdout.split()
    assert paths == [str(onnx_embedders["onnx"].path), str(onnx_embedders["onnx-int8"].path)]


@pytest.mark.parametrize("backend, reason", [
    ("torch", "Error: the embedding model folder /no/such/model does not exist"),
    ("onnx-int8", "Error: the ONNX backend needs a local model folder with config.json and "
                  "tokenizer.json; /no/such/model is not one"),
])
def test_serve_with_a_missing_model_stops_with_one_line(settings_for, backend, reason):
    import subprocess

    env = server_env(settings_for(), CLERK_EMBED_BACKEND=backend,
                     CLERK_EMBEDDING_MODEL="/no/such/model")
    done = subprocess.run([sys.executable, "-m", "assistant", "serve", "--port", "9"], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == reason
