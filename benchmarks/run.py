"""Benchmarks that print figures (never asserted in tests).

    python benchmarks/run.py ingest --paragraphs 5000
    python benchmarks/run.py ask --paragraphs 50000 --questions 100
    python benchmarks/run.py ask --chroma-url http://127.0.0.1:8001   # server mode
    python benchmarks/run.py embed --backend onnx-int8 --texts 2000
    python benchmarks/run.py workers --paragraphs 2000 --backend onnx-int8

`ingest` writes variants of the development corpus's and the sample's papers until they hold at
least N paragraphs and ingests them into a fresh store: papers/s, paragraphs/s, peak memory.
`ask` builds such a store (or reuses --data-dir), times the floor (one query embedding, one
Chroma query, one BM25 query), starts `clerk serve`, and times POST /ask for the eval sets'
questions: p50/p95, ratio to the floor, when the port opened (/healthz) and the server was ready
(/readyz), the first ask after that, the API's memory. `--via mcp` times the
same questions as MCP `ask` tool calls to /mcp.
`embed` times one embedding backend on the sample corpus's chunk texts (texts/s, load and
first-export time, peak memory) and compares its vectors with the torch model's.
`read` reads and structures every paper of ../shared/corpus-dev and the sample corpus (no
model): seconds per paper and per page (PDF) or per 1,000 words (DOCX, HTML, text), by format;
then ingests a generated 20-page PDF into a fresh store (read, parse, embed, write).
`load` starts `clerk serve` on the sample corpus (its default settings: rate limits, timeouts,
concurrency limit) and runs N concurrent loopback clients for S seconds, each asking the eval
set's questions one after another from its own loopback address (127.0.0.2, 127.0.0.3, ...: a
client is one user to the per-address rate limit): requests, errors by status, p50/p95/p99
latency, throughput and the API process's peak RSS. Bounded: it stops by itself.

    python benchmarks/run.py load --clients 50 --seconds 60

`register` builds such a store (or reuses --data-dir) and times the register's first read after
a start (the first /resolutions), built from every paragraph and assembled from the parts ingest
saved per paper, each --repeats times; then what saving every paper's part costs.

    python benchmarks/run.py register --paragraphs 2000 --data-dir /tmp/clerk-bench

`workers` ingests the same papers into one `chroma run` server with one `clerk ingest`, then
with two at once (each given half): paragraphs/s for 1 and 2 workers.
`--backend` (torch, onnx, onnx-int8) picks the embedder for all.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "corpus"


DEV_CORPUS = ROOT.parent / "shared" / "corpus-dev" / "papers"
# Words swapped for another a council would print, chosen per variant, so that a variant's
# paragraphs are not copies of the original's (numbers shift too).
_SWAPS = [("agreed", "resolved"), ("meeting", "session"), ("report", "paper"),
          ("councillor", "member"), ("noted", "recorded"), ("discussed", "considered"),
          ("proposed", "moved"), ("seconded", "supported"), ("item", "matter"),
          ("road", "lane"), ("village", "community"), ("school", "academy"), ("park", "green"),
          ("grant", "award"), ("chair", "chairman"), ("committee", "panel"),
          ("council", "authority"), ("budget", "estimate"), ("planning", "development"),
          ("residents", "householders"), ("works", "repairs"), ("update", "briefing")]


def _base_texts(dev_corpus: Path = DEV_CORPUS) -> list[tuple[str, str]]:
    """(name, plain text) of every readable paper of the development corpus and the sample."""
    from ingest.read import read_document

    if not dev_corpus.exists():
        print(f"{dev_corpus} not found: the sample papers alone", file=sys.stderr)
    out = []
    for folder in (dev_corpus, CORPUS):
        for path in sorted(folder.iterdir()) if folder.exists() else []:
            if path.suffix.lower() not in {".pdf", ".docx", ".html", ".txt", ".md"}:
                continue
            try:
                out.append((path.stem, read_document(path, 10**8).text))
            except Exception:  # noqa: BLE001 - the empty .docx: left out
                continue
    return out


def vary(text: str, k: int) -> str:
    """Variant k of a paper: numbers of two or more digits shifted by k, and the words of the
    swaps whose bit is set in k replaced. Variant 0 is the paper itself."""
    import re

    if k == 0:
        return text
    text = re.sub(r"\b\d{2,}\b", lambda m: str(int(m.group()) + k), text)
    for bit, (a, b) in enumerate(_SWAPS):
        if (k >> (bit % 11)) & 1:
            text = re.sub(rf"\b{a}\b", b, text)
            text = re.sub(rf"\b{a.capitalize()}\b", b.capitalize(), text)
    return text


def replicate(dest: Path, paragraphs: int, dev_corpus: Path = DEV_CORPUS) -> tuple[int, int]:
    """Variants of the development corpus's papers and the sample papers (as plain text, in a
    temporary folder) until at least ``paragraphs``; returns (papers, paragraphs)."""
    from ingest.structure import parse_paragraphs

    base = _base_texts(dev_corpus)
    counts = [len(parse_paragraphs(text)) for _, text in base]
    dest.mkdir(parents=True, exist_ok=True)
    n_papers = n_paras = k = 0
    while n_paras < paragraphs:
        for (name, text), count in zip(base, counts):
            (dest / f"{name}-v{k:04d}.txt").write_text(vary(text, k))
            n_papers += 1
            n_paras += count
            if n_paras >= paragraphs:
                break
        k += 1
    return n_papers, n_paras


def _unvaried(text: str) -> str:
    import re

    text = re.sub(r"\d+", "#", text.lower())
    for a, b in _SWAPS:
        text = re.sub(rf"\b{b}\b", a, text)
    return text


class ReusingEmbedder:
    """Variants repeat the originals' paragraphs with other numbers and words, so a variant's
    vector is its original's (computed once) turned a little by a fixed random direction
    (``ask --reuse-vectors``): building a 100,000-paragraph store then measures Chroma and
    parsing, not the model. Ingest speed is measured without it."""

    def __init__(self, embedder):
        self.embedder = embedder
        self.name, self.space = embedder.name, embedder.space
        self.seen: dict[str, object] = {}

    def embed(self, texts):
        import hashlib

        import numpy as np

        keys = [_unvaried(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.seen))
        if missing:
            originals = {k: t for k, t in zip(keys, texts)}
            self.seen.update(zip(missing, self.embedder.embed([originals[k] for k in missing])))
        out = []
        for t, k in zip(texts, keys):
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            v = self.seen[k] + 0.02 * np.random.default_rng(seed).standard_normal(
                len(self.seen[k]), dtype=np.float32)
            out.append(v / np.linalg.norm(v))
        return np.stack(out).astype(np.float32)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(args) -> dict:
    from assistant.embedder import make_embedder
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    work = Path(args.data_dir or tempfile.mkdtemp(prefix="clerk-bench-"))
    papers_dir = work / "papers"
    n_papers, n_paras = replicate(papers_dir, args.paragraphs, Path(args.dev_corpus))
    settings = Settings(_env_file=None, data_dir=work / "data", chroma_url=args.chroma_url,
                        collection=args.collection, embed_backend=args.backend,
                        onnx_cache_dir=args.onnx_cache_dir)
    embedder = make_embedder(settings)
    if getattr(args, "reuse_vectors", False):
        embedder = ReusingEmbedder(embedder)
    start = time.perf_counter()
    report = run_ingest([papers_dir], settings, lambda: embedder, progress=True)
    seconds = time.perf_counter() - start
    figures = {"papers": n_papers, "paragraphs": report.paragraphs, "seconds": round(seconds, 1),
               "papers_per_s": round(n_papers / seconds, 2),
               "paragraphs_per_s": round(report.paragraphs / seconds, 1),
               "peak_memory_mb": round(peak_rss_mb()), "store": "server" if args.chroma_url
               else "embedded", "backend": args.backend,
               "vectors_reused": bool(getattr(args, "reuse_vectors", False)),
               "load_average": os.getloadavg()[0], "summary": report.summary()}
    print(json.dumps(figures, indent=2))
    start = time.perf_counter()
    again = run_ingest([papers_dir], settings, lambda: embedder, progress=False)
    print(f"re-ingest of unchanged papers: {time.perf_counter() - start:.1f} s; {again.summary()}")
    figures["work_dir"] = str(work)
    return figures


def _status_mb(pid: int, field: str) -> float:
    """A memory figure of a process from /proc: VmHWM (its peak) or VmRSS (now), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _vmhwm_mb(pid: int) -> float:
    return _status_mb(pid, "VmHWM")


def _rss_mb(pid: int) -> float:
    return _status_mb(pid, "VmRSS")


def _wait_ok(url: str, timeout_s: float, proc=None, log_path: Path | None = None) -> None:
    """Until GET ``url`` answers 200 (a server started by the benchmark is ready); stops with
    the server's last output when ``proc`` exits first or ``timeout_s`` passes."""
    import httpx

    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log_path.read_text()[-2000:] if log_path else ""
            raise SystemExit(f"{url}: the server exited before it was ready. {tail}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"{url} did not answer 200 within {timeout_s:.0f} s")


def _questions(n: int) -> list[str]:
    questions = [json.loads(line)["question"] for path in
                 [ROOT / "eval" / "qa.jsonl", *sorted((ROOT / "eval" / "qa_dev").glob("*.jsonl"))]
                 for line in path.read_text().splitlines() if line.strip()]
    return (questions * (n // len(questions) + 1))[:n]


def floor_ms(settings, questions: list[str]) -> dict:
    """What one question cannot do without, timed on this store: one query embedding, one
    Chroma query for 40 neighbours (ids and distances) and one BM25 query (scores, top 40)."""
    import bm25s
    import numpy as np

    from assistant.embedder import make_embedder
    from assistant.retrieve import tokenize
    from assistant.store import Store

    store = Store(settings)
    embedder = make_embedder(settings)
    chunks = store.all_chunks(trusted_only=False)
    bm25 = bm25s.BM25()
    bm25.index([tokenize(c.text) or ["∅"] for c in chunks], show_progress=False)
    vocab = set(bm25.vocab_dict)
    embedder.embed(["warm up"])
    parts = {"embed": [], "chroma": [], "bm25": []}
    for q in questions:
        t0 = time.perf_counter()
        vector = embedder.embed([q])[0]
        t1 = time.perf_counter()
        store.paragraphs.query(query_embeddings=[vector.tolist()], n_results=40,
                               include=["distances"])
        t2 = time.perf_counter()
        scores = bm25.get_scores([t for t in tokenize(q) if t in vocab] or ["∅"])
        np.argpartition(-scores, min(40, len(scores) - 1))[:40]
        t3 = time.perf_counter()
        for name, secs in zip(parts, (t1 - t0, t2 - t1, t3 - t2)):
            parts[name].append(secs * 1000)
    from chromadb.api.client import SharedSystemClient

    del store
    SharedSystemClient.clear_system_cache()  # the server opens the store next
    medians = {f"floor_{k}_ms": round(statistics.median(v), 1) for k, v in parts.items()}
    medians["floor_ms"] = round(sum(medians.values()), 1)
    return medians


def bench_ask(args) -> dict:
    import httpx
    from concurrent.futures import ThreadPoolExecutor

    from assistant.settings import Settings

    work = Path(args.data_dir) if args.data_dir else None
    if work is None or not (work / "data").exists():
        args.data_dir = str(work) if work else None
        work = Path(bench_ingest(args)["work_dir"])
    questions = _questions(args.questions)
    settings = Settings(_env_file=None, data_dir=work / "data", chroma_url=args.chroma_url,
                        collection=args.collection, embed_backend=args.backend,
                        onnx_cache_dir=args.onnx_cache_dir)
    settings = settings.model_copy(update={"embed_threads": args.embed_threads})
    floor = floor_ms(settings, questions)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_")}
    env.update(CLERK_DATA_DIR=str(work / "data"), CLERK_COLLECTION=args.collection,
               HF_HUB_OFFLINE="1", CLERK_EMBED_BACKEND=args.backend,
               CLERK_EMBED_THREADS=str(args.embed_threads),
               CLERK_RATE_LIMIT_ASK="", CLERK_RATE_LIMIT="")  # one client asks them all
    if args.onnx_cache_dir:
        env["CLERK_ONNX_CACHE_DIR"] = args.onnx_cache_dir
    if args.chroma_url:
        env["CLERK_CHROMA_URL"] = args.chroma_url
    port = args.port
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ok(f"{url}/healthz", 600, proc)
        port_open = time.perf_counter() - started
        _wait_ok(f"{url}/readyz", 600, proc)  # the search index loaded: what a balancer waits for
        ready = time.perf_counter() - started
        health = httpx.get(f"{url}/healthz").json()
        t = time.perf_counter()
        httpx.post(f"{url}/ask", json={"question": questions[0]}, timeout=600).raise_for_status()
        first = (time.perf_counter() - t) * 1000
        latencies = []
        with httpx.Client(timeout=120) as client:
            for i, q in enumerate([questions[0], *questions]):  # the first warms up
                t = time.perf_counter()
                _ask(client, url, q, args.via)
                if i:
                    latencies.append((time.perf_counter() - t) * 1000)
        latencies.sort()
        p50 = statistics.median(latencies)
        figures = {"paragraphs_indexed": health["paragraphs"], "papers": health["papers"],
                   "store": health["store"], "backend": args.backend, "via": args.via,
                   "questions": len(latencies), "embed_threads": args.embed_threads,
                   "p50_ms": round(p50), "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))]),
                   "max_ms": round(latencies[-1]), **floor,
                   "ratio": round(p50 / floor["floor_ms"], 2),
                   "server_port_open_s": round(port_open, 1),
                   "server_ready_s": round(ready, 1), "first_ask_ms": round(first),
                   "api_memory_mb": round(_vmhwm_mb(proc.pid))}
        if args.concurrent:
            def one(q: str) -> int:
                with httpx.Client(timeout=600) as client:
                    return client.post(f"{url}/ask", json={"question": q}).status_code

            t = time.perf_counter()
            with ThreadPoolExecutor(args.concurrent) as pool:
                codes = list(pool.map(one, questions[: args.concurrent * 2]))
            figures.update({"concurrent_clients": args.concurrent,
                            "concurrent_wall_s": round(time.perf_counter() - t, 1),
                            "concurrent_ok": sum(c == 200 for c in codes),
                            "api_peak_memory_mb": round(_vmhwm_mb(proc.pid))})
        figures["load_average"] = os.getloadavg()[0]
        print(json.dumps(figures, indent=2))
        return figures
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _ask(client, url: str, question: str, via: str):
    """One question through POST /ask, or as an MCP client calls the `ask` tool at /mcp."""
    if via == "api":
        r = client.post(f"{url}/ask", json={"question": question})
        r.raise_for_status()
        return r
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "ask", "arguments": {"question": question}}}
    r = client.post(f"{url}/mcp", json=call,
                    headers={"Accept": "application/json, text/event-stream"})
    r.raise_for_status()
    if r.json()["result"]["isError"]:
        raise RuntimeError(r.json()["result"]["content"][0]["text"])
    return r


def bench_load(args) -> dict:
    """N concurrent clients against `clerk serve` on the sample corpus, for S seconds."""
    import asyncio

    import httpx

    from assistant.embedder import make_embedder
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    if not 1 <= args.clients <= 250 or not 1 <= args.seconds <= 600:
        raise SystemExit("load: --clients 1..250 and --seconds 1..600 (the test is bounded)")
    work = Path(args.data_dir or tempfile.mkdtemp(prefix="clerk-load-"))
    settings = Settings(_env_file=None, data_dir=work / "data", embed_backend=args.backend,
                        onnx_cache_dir=args.onnx_cache_dir)
    if not (work / "data" / "chroma").exists():
        report = run_ingest([CORPUS], settings, lambda: make_embedder(settings), progress=False)
        print(f"ingested the sample corpus: {report.summary()}", file=sys.stderr)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_")}
    env.update(CLERK_DATA_DIR=str(work / "data"), HF_HUB_OFFLINE="1",
               CLERK_EMBED_BACKEND=args.backend, CLERK_LOG_FORMAT="json")
    if args.onnx_cache_dir:
        env["CLERK_ONNX_CACHE_DIR"] = args.onnx_cache_dir
    url = f"http://127.0.0.1:{args.port}"
    log_path = work / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port",
                                 str(args.port)], env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        _wait_ok(f"{url}/readyz", 300, proc, log_path)
        questions = [json.loads(line)["question"] for line in
                     (ROOT / "eval" / "qa.jsonl").read_text().splitlines() if line.strip()]
        rss_start = _rss_mb(proc.pid)
        results, rss_samples, probes = asyncio.run(_run_clients(url, questions, args.clients,
                                                        args.seconds, proc.pid))
        latencies = sorted(ms for status, ms in results if status == 200)
        by_status: dict[str, int] = {}
        for status, _ in results:
            by_status[str(status)] = by_status.get(str(status), 0) + 1

        def pct(q):
            return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))]) \
                if latencies else None

        figures = {"clients": args.clients, "seconds": args.seconds, "requests": len(results),
                   "ok": len(latencies), "errors": len(results) - len(latencies),
                   "by_status": by_status, "requests_per_s": round(len(results) / args.seconds,
                                                                   2),
                   "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
                   "max_ms": round(latencies[-1]) if latencies else None,
                   "healthz_during_load_p50_ms": round(probes[len(probes) // 2]) if probes
                   else None, "healthz_during_load_max_ms": round(probes[-1]) if probes
                   else None,
                   "api_rss_at_start_mb": round(rss_start),
                   "api_rss_max_sampled_mb": round(max(rss_samples, default=rss_start)),
                   "api_peak_rss_mb": round(_vmhwm_mb(proc.pid)),
                   "api_rss_bound_mb": 1536, "backend": args.backend,
                   "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
                   "server_log": str(log_path)}
        health = httpx.get(f"{url}/healthz", timeout=10).json()
        figures["papers"], figures["paragraphs"] = health["papers"], health["paragraphs"]
        print(json.dumps(figures, indent=2))
        return figures
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def _run_clients(url: str, questions: list[str], clients: int, seconds: float,
                       pid: int) -> tuple[list[tuple[int | str, float]], list[float], list[float]]:
    import asyncio

    import httpx

    results: list[tuple[int | str, float]] = []
    rss: list[float] = []
    probes: list[float] = []
    stop = time.monotonic() + seconds

    async def client(n: int) -> None:
        # each client from its own loopback address: one user each to the per-address limits
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + n}")
        async with httpx.AsyncClient(base_url=url, transport=transport, timeout=120) as http:
            i = n
            while time.monotonic() < stop:
                started = time.perf_counter()
                try:
                    r = await http.post("/ask", json={"question": questions[i % len(questions)]})
                    status: int | str = r.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                results.append((status, (time.perf_counter() - started) * 1000))
                i += clients

    async def sample() -> None:
        """The API's memory each second, and how long a probe (/healthz) waits meanwhile."""
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            while time.monotonic() < stop:
                rss.append(_rss_mb(pid))
                started = time.perf_counter()
                try:
                    await http.get("/healthz")
                    probes.append((time.perf_counter() - started) * 1000)
                except httpx.HTTPError:
                    probes.append(float("inf"))
                await asyncio.sleep(1)

    await asyncio.gather(sample(), *(client(n) for n in range(clients)))
    return results, rss, sorted(probes)


def bench_workers(args) -> dict:
    """One `clerk ingest` of every paper, then two at once each given half the papers, against
    one `chroma run` server (a fresh collection each): paragraphs/s for 1 and 2 workers."""
    work = Path(tempfile.mkdtemp(prefix="clerk-bench-workers-"))
    halves = [work / "papers" / "a", work / "papers" / "b"]
    n_papers, _ = replicate(work / "all", args.paragraphs, Path(args.dev_corpus))
    for i, path in enumerate(sorted((work / "all").iterdir())):
        halves[i % 2].mkdir(parents=True, exist_ok=True)
        path.rename(halves[i % 2] / path.name)
    port = args.port
    chroma = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path",
                               str(work / "chroma"), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ok(f"{url}/api/v2/heartbeat", 120, chroma)
        figures = {"papers": n_papers, "backend": args.backend}
        for workers, runs in ((1, [halves]), (2, [[h] for h in halves])):
            env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_")}
            env.update(CLERK_CHROMA_URL=url, CLERK_COLLECTION=f"bench{workers}",
                       CLERK_DATA_DIR=str(work / "data"), HF_HUB_OFFLINE="1",
                       CLERK_EMBED_BACKEND=args.backend)
            if args.onnx_cache_dir:
                env["CLERK_ONNX_CACHE_DIR"] = args.onnx_cache_dir
            start = time.perf_counter()
            procs = [subprocess.Popen([sys.executable, "-m", "assistant", "ingest",
                                       *map(str, run)], env=env, cwd=ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                     for run in runs]
            outs = [proc.communicate()[0] for proc in procs]
            seconds = time.perf_counter() - start
            paragraphs = sum(int(out.rsplit("paragraphs:", 1)[-1].split()[0]) for out in outs)
            figures[f"workers_{workers}"] = {"paragraphs": paragraphs,
                                             "seconds": round(seconds, 1),
                                             "paragraphs_per_s": round(paragraphs / seconds, 1)}
        figures["cpus"] = os.cpu_count()
        figures["load_average"] = os.getloadavg()[0]
        print(json.dumps(figures, indent=2))
        return figures
    finally:
        chroma.terminate()
        chroma.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def corpus_texts(n: int) -> list[str]:
    """The texts ingest would embed for the sample papers, repeated to ``n``."""
    from assistant.settings import Settings
    from ingest.metadata import load_manifest
    from ingest.pipeline import build_paper, chunk_rows, paper_hash

    settings = Settings(_env_file=None)
    rows = load_manifest(CORPUS / "manifest.yaml")
    texts: list[str] = []
    for path in sorted(CORPUS.iterdir()):
        if path.name in rows:
            paper = build_paper(path, rows[path.name], settings,
                                paper_hash(path.read_bytes(), rows[path.name]))
            texts += chunk_rows(paper, settings)[1]
    return (texts * (n // len(texts) + 1))[:n]


def bench_register(args) -> dict:
    """The register's first read after a start (the first /resolutions): built from every
    paragraph (as before issue 14, and the fallback for a store without saved parts) and
    assembled from the parts ingest saved; then what saving every paper's part costs ingest."""
    from assistant.register import PARTS, Register, build_register
    from assistant.settings import Settings
    from assistant.store import Store

    work = Path(args.data_dir) if args.data_dir else None
    if work is None or not (work / "data").exists():
        args.data_dir = str(work) if work else None
        work = Path(bench_ingest(args)["work_dir"])
    settings = Settings(_env_file=None, data_dir=work / "data", chroma_url=args.chroma_url,
                        collection=args.collection)
    store = Store(settings)
    PARTS.save(store)  # a store ingested before parts were saved gets them here
    timings: dict[str, list[float]] = {"from_paragraphs": [], "from_saved_parts": []}
    for _ in range(args.repeats):  # alternated, each with a fresh Register (nothing cached)
        start = time.perf_counter()
        records = build_register(Store(settings).all_chunks())
        timings["from_paragraphs"].append(time.perf_counter() - start)
        start = time.perf_counter()
        loaded = Register(Store(settings)).records()
        timings["from_saved_parts"].append(time.perf_counter() - start)
    assert [r.model_dump() for r in loaded] == [r.model_dump() for r in records]
    folder = PARTS.folder(store)
    size = sum(f.stat().st_size for f in folder.glob("*.json"))
    shutil.rmtree(folder)
    start = time.perf_counter()
    saved = PARTS.save(store)
    save_s = time.perf_counter() - start
    figures = {"papers": len(store.paper_records()), "chunks": store.paragraphs.count(),
               "records": len(records), "repeats": args.repeats,
               **{f"{k}_ms_median": round(statistics.median(v) * 1000, 1)
                  for k, v in timings.items()},
               **{f"{k}_ms_first": round(v[0] * 1000, 1) for k, v in timings.items()},
               "save_all_parts_s": round(save_s, 2), "parts_saved": saved,
               "parts_mb": round(size / 1e6, 2), "load_average": os.getloadavg()[0]}
    print(json.dumps(figures, indent=2))
    return figures


def bench_embed(args) -> dict:
    import numpy as np

    from assistant.embedder import SentenceTransformerEmbedder, make_embedder
    from assistant.settings import Settings

    texts = corpus_texts(args.texts)
    cache = Path(args.onnx_cache_dir or tempfile.mkdtemp(prefix="clerk-onnx-"))
    settings = Settings(_env_file=None, embed_backend=args.backend, onnx_cache_dir=cache)
    start = time.perf_counter()
    embedder = make_embedder(settings)
    first_load = time.perf_counter() - start
    start = time.perf_counter()
    make_embedder(settings)
    cached_load = time.perf_counter() - start
    embedder.embed(texts[:64])  # warm-up
    start = time.perf_counter()
    vectors = embedder.embed(texts)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    reference = SentenceTransformerEmbedder().embed(texts)
    cosine = np.sum(vectors * reference, axis=1)
    figures = {"backend": args.backend, "texts": len(texts),
               "mean_chars": round(sum(map(len, texts)) / len(texts)),
               "texts_per_s": round(len(texts) / seconds, 1), "seconds": round(seconds, 1),
               "first_load_s": round(first_load, 1), "cached_load_s": round(cached_load, 1),
               "peak_memory_mb_before_reference": round(peak),
               "cosine_to_torch_min": round(float(cosine.min()), 4),
               "cosine_to_torch_mean": round(float(cosine.mean()), 4),
               "threads": os.cpu_count(), "load_average": os.getloadavg()[0]}
    print(json.dumps(figures, indent=2))
    return figures


def bench_read(args) -> dict:
    from ingest.pipeline import read_structure
    from ingest.read import read_document

    shared = ROOT.parent / "shared" / "corpus-dev" / "papers"
    papers = sorted(p for d in (shared, CORPUS) if d.exists() for p in d.iterdir()
                    if p.suffix.lower() in {".pdf", ".docx", ".html", ".txt", ".md"})
    by_format: dict[str, dict] = {}
    for path in papers:
        fmt = path.suffix.lower().lstrip(".")
        start = time.perf_counter()
        try:
            doc = read_document(path, 10**8)
            read_structure(path)
        except Exception as exc:  # an unreadable paper is reported, not timed
            print(f"{path.name}: {exc}")
            continue
        seconds = (time.perf_counter() - start) / 2  # read_structure reads it again
        f = by_format.setdefault(fmt, {"papers": 0, "pages": 0, "words": 0, "seconds": 0.0})
        f["papers"] += 1
        f["pages"] += doc.pages or 0
        f["words"] += len(doc.text.split())
        f["seconds"] += seconds
    for f in by_format.values():
        f["s_per_paper"] = round(f["seconds"] / f["papers"], 3)
        f["s_per_page"] = round(f["seconds"] / f["pages"], 3) if f["pages"] else None
        f["s_per_1000_words"] = round(1000 * f["seconds"] / max(f["words"], 1), 3)
        f["seconds"] = round(f["seconds"], 2)
    print(json.dumps(by_format, indent=2))
    figures = {"by_format": by_format, "pdf_20_pages": _ingest_generated_pdf(args)}
    print(json.dumps(figures["pdf_20_pages"], indent=2))
    return figures


def _ingest_generated_pdf(args) -> dict:
    """A 20-page PDF of numbered, wrapped paragraphs under a running header, ingested whole."""
    from fpdf import FPDF

    from assistant.embedder import make_embedder
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    work = Path(tempfile.mkdtemp(prefix="clerk-bench-read-"))
    (work / "papers").mkdir()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    sentence = ("The committee considered the report of the officer on item {n}, asked about "
                "the cost and the timetable, and agreed the recommendation with one change. ")
    n = 0
    while pdf.pages_count < 20 or pdf.get_y() < 200:
        if pdf.pages_count == 0 or pdf.get_y() > 260:
            pdf.add_page()
            pdf.set_font("Helvetica", size=9)
            pdf.cell(0, 8, "Anytown District Council - Planning Committee - 5 March 2024",
                     new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=11)
        n += 1
        pdf.multi_cell(0, 6, f"{n}. " + sentence.format(n=n) * 3, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        if pdf.pages_count > 20:
            break
    path = work / "papers" / "twenty-pages.pdf"
    pdf.output(str(path))
    settings = Settings(_env_file=None, data_dir=work / "data", embed_backend=args.backend,
                        onnx_cache_dir=args.onnx_cache_dir)
    embedder = make_embedder(settings)
    embedder.embed(["warm up"])  # the model's load is not the paper's ingest
    start = time.perf_counter()
    report = run_ingest([work / "papers"], settings, lambda: embedder, progress=False)
    seconds = time.perf_counter() - start
    shutil.rmtree(work, ignore_errors=True)
    return {"pages": pdf.pages_count, "paragraphs": report.paragraphs,
            "seconds": round(seconds, 2), "s_per_page": round(seconds / pdf.pages_count, 3),
            "backend": args.backend, "summary": report.summary()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("ingest", "ask", "embed", "read", "load", "workers", "register"):
        p = sub.add_parser(name)
        p.add_argument("--backend", choices=["torch", "onnx", "onnx-int8"], default="torch")
        p.add_argument("--onnx-cache-dir", help="where ONNX exports are kept (default: a fresh "
                       "temporary folder for embed, DATA_DIR/models otherwise)")
        if name == "read":
            continue
        if name == "load":
            p.add_argument("--clients", type=int, default=50)
            p.add_argument("--seconds", type=float, default=60)
            p.add_argument("--port", type=int, default=8766)
            p.add_argument("--data-dir", help="work folder (kept; the sample corpus is ingested "
                           "into it once); a fresh temporary one by default")
            continue
        if name == "embed":
            p.add_argument("--texts", type=int, default=2000)
            continue
        p.add_argument("--paragraphs", type=int,
                       default={"ingest": 5000, "workers": 2000, "register": 2000}.get(name, 121))
        p.add_argument("--data-dir", help="work folder (kept); a fresh temporary one by default")
        p.add_argument("--chroma-url", help="benchmark against a Chroma server")
        p.add_argument("--collection", default="clerk")
        p.add_argument("--dev-corpus", default=str(DEV_CORPUS),
                       help="the development corpus's papers, varied with the sample's")
        if name == "workers":
            p.add_argument("--port", type=int, default=8793)
        if name == "register":
            p.add_argument("--repeats", type=int, default=5)
        if name == "ask":
            p.add_argument("--questions", type=int, default=100)
            p.add_argument("--reuse-vectors", action="store_true",
                           help="embed each distinct paragraph once when building the store")
            p.add_argument("--port", type=int, default=8765)
            p.add_argument("--via", choices=["api", "mcp"], default="api",
                           help="POST /ask, or the MCP ask tool at /mcp")
            p.add_argument("--embed-threads", type=int, default=0,
                           help="ONNX Runtime threads per embedding call (0: one per core)")
            p.add_argument("--concurrent", type=int, default=0,
                           help="then N clients at once (two questions each): API peak memory")
    args = parser.parse_args()
    {"ingest": bench_ingest, "ask": bench_ask, "embed": bench_embed, "read": bench_read,
     "load": bench_load, "workers": bench_workers, "register": bench_register}[args.command](args)


if __name__ == "__main__":
    main()
