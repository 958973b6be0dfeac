"""The suite's run: ingest the corpus into a fresh temporary store, then put every question to
Clerk (with the fitted answer model, assistant/answer_model.json) and the baselines."""

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.embedder import Embedder, make_embedder
from assistant.progress import Loading
from assistant.service import ClerkService
from assistant.settings import Settings
from assistant.store import Store
from eval.baselines import BM25Baseline, LangChainBaseline
from eval.dataset import QAItem, load_qa, select
from eval.score import RANK_DEPTH, QuestionResult, score_question, summarise
from eval.systems import ClerkSystem, System
from ingest.pipeline import IngestReport, run_ingest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
QA = Path(__file__).resolve().parent / "qa.jsonl"


class EvalError(Exception):
    """The suite cannot run; the message says why in one line."""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


@dataclass
class SuiteConfig:
    corpus: Path = CORPUS
    qa: Path = QA
    split: str = "all"  # dev | test | all
    baselines: bool = True
    settings: Settings | None = None  # answering settings; the store is always a fresh temp one
    progress: bool | None = False  # bars on stderr; None: when stderr is a terminal


@dataclass
class SuiteResult:
    config: SuiteConfig
    splits: list[str]
    threshold: float
    ingest: str
    results: dict[str, list[QuestionResult]] = field(default_factory=dict)
    metrics: dict[str, dict[str, dict]] = field(default_factory=dict)  # system -> split -> ...


def splits_for(split: str) -> list[str]:
    return ["dev", "test", "all"] if split == "all" else [split]


def eval_settings(base: Settings | None, data_dir: Path) -> Settings:
    """The answering settings with the store moved to a private embedded folder."""
    base = base or Settings(_env_file=None)
    return base.model_copy(update={"data_dir": data_dir, "chroma_url": None,
                                   "collection": "eval"})


def run_system(system: System, items: list[QAItem],
               progress: bool | None = False) -> list[QuestionResult]:
    """Each question ranked (for retrieval metrics) and answered (timed), then scored; with
    `progress` (None: when stderr is a terminal), a bar per system that stays on screen."""
    from tqdm import tqdm

    results = []
    for item in tqdm(items, desc=getattr(system, "name", "system"), unit=" questions",
                     file=sys.stderr, leave=True, dynamic_ncols=True,
                     disable=None if progress is None else not progress):
        ranked = system.rank(item.question, RANK_DEPTH)
        start = time.perf_counter()
        reply = system.reply(item.question)
        latency_ms = (time.perf_counter() - start) * 1000
        results.append(score_question(item, reply, ranked, latency_ms))
    return results


def ingest_fresh(paths: list[Path], settings: Settings, embedder: Embedder,
                 log: Callable[[str], None]) -> IngestReport:
    """Every paper under ``paths`` into the (fresh) store; a paper that fails is reported by
    ingest and left out, but a run where none went in cannot be scored."""
    report = run_ingest(paths, settings, lambda: embedder, warn=log, progress=False)
    if report.added == 0:
        raise EvalError(f"no papers could be ingested from {', '.join(map(str, paths))}")
    return report


def run_suite(config: SuiteConfig, embedder: Embedder | None = None,
              log: Callable[[str], None] = _stderr) -> SuiteResult:
    """Run the whole suite; the temporary store is gone when this returns."""
    items = load_qa(config.qa)
    chosen = select(items, config.split)
    if not chosen:
        raise EvalError(f"{config.qa} has no {config.split} questions")
    if not config.corpus.is_dir():
        raise EvalError(f"{config.corpus}: no such corpus folder")
    with tempfile.TemporaryDirectory(prefix="clerk-eval-", ignore_cleanup_errors=True) as tmp:
        settings = eval_settings(config.settings, Path(tmp) / "clerk")
        if embedder is None:
            with Loading("loading the embedding model", enabled=config.progress):
                embedder = make_embedder(settings)
        report = ingest_fresh([config.corpus], settings, embedder, log)
        log(f"ingested {config.corpus}: {report.summary()}")
        store = Store(settings)
        clerk = ClerkService(settings, embedder=embedder, store=store)
        systems: list[System] = [ClerkSystem(clerk)]
        if config.baselines:
            systems += [LangChainBaseline(config.corpus, embedder, Path(tmp) / "langchain",
                                          settings.max_file_bytes, warn=log),
                        BM25Baseline(store)]
        result = SuiteResult(config, splits_for(config.split), clerk.threshold,
                             report.summary())
        for system in systems:
            start = time.perf_counter()
            result.results[system.name] = run_system(system, chosen, config.progress)
            log(f"{system.name}: {len(chosen)} questions in {time.perf_counter() - start:.1f} s")
    for name, results in result.results.items():
        result.metrics[name] = {split: summarise([r for r in results
                                                  if split == "all" or r.split == split])
                                for split in result.splits}
    return result
