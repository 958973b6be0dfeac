"""Leave-one-body-out: every fitted number is fitted on the other bodies' questions and scored on
the held-out body's, so the headline figures say how Clerk does on a council it was not tuned on.

One fresh store holds the sample corpus and the dev corpus (one ingest). Every question's
candidates and features are collected once (eval.fit.collect); for each body B the whole answer
model (weights, selection numbers, abstention threshold: eval.fit.fit_model) is fitted on the
other bodies' questions, and B's questions are then asked through the service with that model.
The baselines fit nothing and run once over every question."""

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.embedder import Embedder, make_embedder
from assistant.scorer import AnswerModel
from assistant.service import ClerkService
from assistant.settings import Settings
from assistant.store import Store
from eval.baselines import BM25Baseline, LangChainBaseline
from eval.dataset import QAItem, load_many
from eval.fit import Example, collect, fit_model
from eval.runner import (
    CORPUS,
    QA,
    EvalError,
    _stderr,
    eval_settings,
    ingest_fresh,
    run_system,
)
from eval.score import QuestionResult, summarise
from eval.systems import ClerkSystem, SourceNamed, System, paragraph_texts
from ingest.pipeline import IngestReport

ROOT = Path(__file__).resolve().parent.parent
QA_DEV = Path(__file__).resolve().parent / "qa_dev"
DEV_CORPUS = ROOT.parent / "shared" / "corpus-dev"  # the project's shared folder, ../shared
POOLED = "pooled"


class MemoEmbedder:
    """The embedder with every text's vector kept for the run: the held-out pass asks the
    questions of the never-abstaining pass again, and each system's ranking embeds each
    question too, so without it most of a run is spent embedding the same texts again."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.space = embedder.space
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        return np.stack([self.vectors[t] for t in texts]) if texts else self.embedder.embed([])

    def warm(self, texts: list[str]) -> None:
        """Embed many texts in one call (sorted by length inside the model: less padding than
        one question's handful at a time)."""
        self.embed(texts)


def default_qa() -> list[Path]:
    return [QA, *sorted(QA_DEV.glob("*.jsonl"))]


def dev_papers(dev_corpus: Path) -> list[Path]:
    """The dev corpus's papers and its ModernGov decision pages (the other fixtures are web
    service XML and lists of links, not papers)."""
    papers = dev_corpus / "papers"
    if not papers.is_dir():
        raise EvalError(f"{papers}: no such folder (pass --dev-corpus)")
    fixtures = dev_corpus / "moderngov" / "lgsf-fixtures"
    return [papers, *sorted(fixtures.glob("*_ieDecisionDetails_*.html"))]


@dataclass
class LoboConfig:
    corpus: Path = CORPUS
    dev_corpus: Path = DEV_CORPUS
    qa: list[Path] = field(default_factory=default_qa)
    baselines: bool = True
    settings: Settings | None = None


@dataclass
class LoboResult:
    config: LoboConfig
    bodies: list[str]
    ingest: str
    failures: list[tuple[str, str]]
    fits: dict[str, AnswerModel]  # held-out body -> the model fitted on the other bodies
    fit_all: AnswerModel  # fitted on every body: for comparison only, never used to score
    seconds: float = 0.0
    results: dict[str, list[QuestionResult]] = field(default_factory=dict)
    metrics: dict[str, dict[str, dict]] = field(default_factory=dict)  # system -> body|pooled


def bodies_of(items: list[QAItem]) -> list[str]:
    """The bodies in the order they first appear."""
    return list(dict.fromkeys(i.body for i in items))


def held_out_fits(examples: list[Example]) -> dict[str, AnswerModel]:
    """For each body, the answer model fitted on every other body's questions alone."""
    fits = {}
    for body in bodies_of([e.item for e in examples]):
        rest = [e for e in examples if e.item.body != body]
        if not rest:
            raise EvalError(f"leave-one-body-out needs two bodies; only {body!r} has questions")
        try:
            fits[body] = fit_model(rest)
        except ValueError as exc:
            raise EvalError(f"cannot fit a model without {body!r}: {exc}") from exc
    return fits


def per_body(results: list[QuestionResult], bodies: list[str]) -> dict[str, dict]:
    """The metrics of each body's questions, and pooled over all of them."""
    out = {body: summarise([r for r in results if r.body == body]) for body in bodies}
    out[POOLED] = summarise(results)
    return out


@dataclass
class Collected:
    """A fresh store of both corpora and every question's candidates, as --lobo and --fit
    start from."""

    settings: Settings
    store: Store
    memo: MemoEmbedder
    report: IngestReport
    paths: list[Path]
    examples: list[Example]


def ingest_and_collect(config: LoboConfig, items: list[QAItem], tmp: Path,
                       embedder: Embedder | None, log: Callable[[str], None]) -> Collected:
    """The sample and dev corpora into a fresh store under ``tmp``; every question read,
    searched and turned into candidates and features through the service (eval.fit.collect)."""
    started = time.perf_counter()
    settings = eval_settings(config.settings, tmp / "clerk")
    embedder = embedder or make_embedder(settings)
    paths = [config.corpus, *dev_papers(config.dev_corpus)]
    report = ingest_fresh(paths, settings, embedder, log)
    log(f"ingested {len(paths)} paths: {report.summary()} "
        f"({time.perf_counter() - started:.0f} s)")
    store = Store(settings)
    memo = MemoEmbedder(embedder)
    memo.warm([i.question for i in items])  # the answer units' vectors were saved at ingest
    examples = collect(items, ClerkService(settings, embedder=memo, store=store))
    return Collected(settings, store, memo, report, paths, examples)


def run_lobo(config: LoboConfig, embedder: Embedder | None = None,
             log: Callable[[str], None] = _stderr) -> LoboResult:
    """The whole leave-one-body-out run; the temporary store is gone when this returns."""
    started = time.perf_counter()
    items = load_many(config.qa)
    bodies = bodies_of(items)
    with tempfile.TemporaryDirectory(prefix="clerk-lobo-", ignore_cleanup_errors=True) as tmp:
        got = ingest_and_collect(config, items, Path(tmp), embedder, log)
        settings, store, memo, report, examples = (got.settings, got.store, got.memo,
                                                   got.report, got.examples)
        start = time.perf_counter()
        fits = held_out_fits(examples)
        fit_all = fit_model(examples)
        log(f"fitted {len(fits)} held-out answer models on {len(items)} collected questions "
            f"({time.perf_counter() - start:.0f} s)")
        result = LoboResult(config, bodies, report.summary(), list(report.failures), fits,
                            fit_all)
        paragraphs = paragraph_texts(store)
        start = time.perf_counter()
        clerk_results = []
        models = Path(tmp) / "models"
        models.mkdir()
        for n, body in enumerate(bodies):
            path = models / f"held-out-{n}.json"
            path.write_text(fits[body].to_json(), encoding="utf-8")
            held = settings.model_copy(update={"answer_model": path, "abstain_threshold": None})
            clerk = SourceNamed(ClerkSystem(ClerkService(held, embedder=memo, store=store),
                                            paragraphs), store)
            clerk_results += run_system(clerk, [i for i in items if i.body == body])
        result.results["Clerk"] = clerk_results
        log(f"Clerk: {len(items)} held-out questions in {time.perf_counter() - start:.0f} s")
        if config.baselines:
            systems: list[System] = [
                LangChainBaseline(got.paths, memo, Path(tmp) / "langchain",
                                  settings.max_file_bytes, warn=lambda _line: None),
                SourceNamed(BM25Baseline(store), store)]
            for system in systems:
                start = time.perf_counter()
                result.results[system.name] = run_system(system, items)
                log(f"{system.name}: {len(items)} questions in "
                    f"{time.perf_counter() - start:.0f} s")
    result.metrics = {name: per_body(rs, bodies) for name, rs in result.results.items()}
    result.seconds = time.perf_counter() - started
    return result
