"""Fitting the answer model (``clerk eval --fit``): every number the extractive answerer uses.

For each gold question, the service reads it and finds its passages as it would when asked;
each candidate sentence gets its FEATURES row and a label: it is in a gold paragraph and holds
a key fact. A logistic regression (scikit-learn, its default regularisation) gives the weights;
the selection rule's numbers are then chosen on the same questions: when a second sentence joins
the answer (the share of the best's probability, for one-part and two-part questions), and the
abstention threshold (eval.calibrate.choose_threshold). ``--lobo`` fits all of this on every
body but one, for each body, and scores the one left out."""

import datetime as dt
import itertools
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer import (
    Candidate,
    ExtractiveAnswerer,
    answer_confidence,
    choose,
    parts_with_context,
    rank_candidates,
)
from assistant.embedder import Embedder
from assistant.features import FEATURES
from assistant.models import AskRequest
from assistant.scorer import CONFIDENCE_TOP, MODEL_PATH, AnswerModel, confidence_inputs
from assistant.service import ClerkService
from eval.calibrate import Calibration, choose_threshold
from eval.dataset import QAItem
from eval.metrics import fact_present, facts_present, is_gold

EXTRA = (1, 2)  # further sentences an answer may quote
RATIOS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 1.01: never a second sentence
PART_MINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 1.01)  # a part's own best joins (1.01: never)


@dataclass
class Example:
    """One question's candidates as the answerer sees them, and which of them answer it."""

    item: QAItem
    cands: list[Candidate]
    rows: np.ndarray
    labels: np.ndarray  # 1: in a gold paragraph and holds a key fact
    gold: np.ndarray  # 1: in a gold paragraph (what a citation is scored on)
    parts: list[tuple[list[Candidate], np.ndarray]]  # each part's, for a two-part question

    @property
    def multi(self) -> bool:
        return bool(self.parts)


def collect(items: Sequence[QAItem], service: ClerkService) -> list[Example]:
    """Each question read, searched and turned into candidates by the service's own path."""
    lexical = service.retriever.lexical()
    answerer = ExtractiveAnswerer(service.embedder, lexical.idf, lexical.default_idf,
                                  model=None, threshold=0.0, cache=service.unit_vectors,
                                  stored=service.stored_units)
    out = []
    for item in items:
        ev = service.evidence(AskRequest(question=item.question))
        cands, rows = answerer.features(item.question, ev.passages, "", ev.reading)
        parts = [answerer.features(part, ev.passages, context, ev.reading)
                 for part, context in parts_with_context(item.question)]
        gold = np.array([is_gold(c.passage.meta.get("doc_id"), c.passage.meta.get("paragraph"),
                                 c.passage.text, item.gold) for c in cands], dtype=float)
        holds = np.array([any(fact_present(c.unit.display, f) for f in item.key_facts)
                          for c in cands], dtype=float)
        out.append(Example(item, cands, rows, gold * holds if item.answerable else gold * 0,
                           gold, parts))
    return out


def _fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> dict:
    """Standardised inputs, scikit-learn's logistic regression with its default C."""
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        raise ValueError("fitting needs examples of both outcomes")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    reg = LogisticRegression(max_iter=2000).fit((x - mean) / scale, y, sample_weight=weights)
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": reg.coef_[0].tolist(),
            "intercept": float(reg.intercept_[0])}


def _fit_weights(examples: Sequence[Example]) -> dict:
    rows = [e.rows for e in examples if len(e.cands)]
    if not rows:
        raise ValueError("fitting needs questions with candidates")
    # each question counts once, however many candidates it has
    weights = np.concatenate([np.full(len(e.cands), 1.0 / len(e.cands)) for e in examples
                              if len(e.cands)])
    return _fit_logistic(np.vstack(rows), np.concatenate([e.labels for e in examples
                                                          if len(e.cands)]),
                         weights * len(weights) / weights.sum())


def ranked(example: Example, model: AnswerModel) -> list[Candidate]:
    return rank_candidates(example.cands, example.rows, model)


def part_orders(example: Example, model: AnswerModel) -> list[list[Candidate]]:
    return [rank_candidates(cands, rows, model) for cands, rows in example.parts]


def outcome(example: Example, chosen: list[Candidate]) -> tuple[bool, int, int]:
    """(key facts all in the answer, citations, citations of a gold paragraph)."""
    text = "\n".join(c.unit.display for c in chosen)
    gold = sum(is_gold(c.passage.meta.get("doc_id"), c.passage.meta.get("paragraph"),
                       c.passage.text, example.item.gold) for c in chosen)
    ok = example.item.answerable and facts_present(text, example.item.key_facts)
    return ok, len(chosen), gold


def fit_model(examples: Sequence[Example], today: dt.date | None = None) -> AnswerModel:
    """The whole model from these questions alone: weights, second-sentence shares, threshold."""
    w = _fit_weights(examples)
    model = AnswerModel(list(FEATURES), w["mean"], w["scale"], w["coef"], w["intercept"],
                        threshold=0.0, second_ratio=1.01, second_ratio_multi=1.01)
    orders = [ranked(e, model) for e in examples]
    parts = [part_orders(e, model) for e in examples]
    for multi in (False, True):
        group = [(e, o, p) for e, o, p in zip(examples, orders, parts)
                 if e.multi == multi and e.item.answerable]
        best, best_score = (1.01, 1, False, 1.01), -1.0
        for ratio, extra, same, part_min in itertools.product(
                RATIOS, EXTRA, (False, True), PART_MINS if multi else (1.01,)):
            trial = AnswerModel(**{**model.__dict__, "second_ratio": ratio,
                                   "second_ratio_multi": ratio, "extra": extra,
                                   "extra_multi": extra, "same": same, "same_multi": same,
                                   "part_min": part_min})
            ok = cited = good = 0
            for e, order, p in group:
                a, n, g = outcome(e, choose(order, p, 0.0, trial))
                ok, cited, good = ok + a, cited + n, good + g
            score = ok / max(len(group), 1) + good / max(cited, 1)
            if score > best_score + 1e-9:
                best, best_score = (ratio, extra, same, part_min), score
        if multi:
            model.second_ratio_multi, model.extra_multi, model.same_multi, model.part_min = best
        else:
            model.second_ratio, model.extra, model.same, _ = best
    chosen = [choose(order, p, 0.0, model) if order else [] for order, p in
              zip(orders, parts)]
    facts_ok = [outcome(e, c)[0] for e, c in zip(examples, chosen)]
    inputs = [(confidence_inputs([c.score for c in order[:2]],
                                 [c.row for c in order[:CONFIDENCE_TOP]]), ok)
              for order, ok in zip(orders, facts_ok) if order]
    x = np.array([x for x, _ in inputs])
    model.confidence = {**_fit_logistic(x, np.array([ok for _, ok in inputs], dtype=float)),
                        "low": x.min(axis=0).tolist(), "high": x.max(axis=0).tolist()}
    cal = _choose_threshold(model, examples, orders, parts, facts_ok, today)
    model.threshold = cal.threshold
    bodies = sorted({e.item.body for e in examples})
    model.fitted = {"command": "clerk eval --fit", "date": cal.date,
                    "questions": len(examples), "bodies": len(bodies),
                    "objective": cal.objective}
    return model


def _choose_threshold(model: AnswerModel, examples: Sequence[Example], orders: list,
                      parts: list, facts_ok: list[bool],
                      today: dt.date | None = None) -> Calibration:
    """The confidence that best separates right answers from unanswerable questions."""
    return choose_threshold([answer_confidence(o, p, model) for o, p in zip(orders, parts)],
                            facts_ok, [e.item.answerable for e in examples], today=today)


def refit_threshold(model: AnswerModel, examples: Sequence[Example]) -> float:
    """The threshold for these weights on these questions (another embedding space's scores)."""
    orders = [ranked(e, model) for e in examples]
    parts = [part_orders(e, model) for e in examples]
    facts_ok = [outcome(e, choose(o, p, 0.0, model))[0] for e, o, p in zip(examples, orders, parts)]
    return _choose_threshold(model, examples, orders, parts, facts_ok).threshold


def run_fit(config, out: Path = MODEL_PATH, embedder: Embedder | None = None,
            log: Callable[[str], None] = print) -> AnswerModel:
    """``clerk eval --fit``: the sample and dev corpora into a fresh store, every gold question
    collected, the model fitted on all of them and written to ``out``. With another embedding
    space (CLERK_EMBED_BACKEND=onnx-int8) the weights stay; only its threshold is refitted."""
    from assistant.embedder import BUNDLED
    from assistant.scorer import load_model
    from eval.dataset import load_many
    from eval.lobo import ingest_and_collect

    items = load_many(config.qa)
    with tempfile.TemporaryDirectory(prefix="clerk-fit-", ignore_cleanup_errors=True) as tmp:
        got = ingest_and_collect(config, items, Path(tmp), embedder, log)
    examples, space = got.examples, got.memo.space
    if space != BUNDLED:
        model = load_model(out)
        threshold = refit_threshold(model, examples)
        model.spaces = {**model.spaces, space: {
            "threshold": threshold, "date": dt.date.today().isoformat()}}
        log(f"threshold for the {space} embedding space: {threshold}")
    else:
        model = fit_model(examples)
        model.spaces = {}  # other spaces' thresholds belong to the old weights: refit them
        log(f"fitted on {len(examples)} questions of "
            f"{len({e.item.body for e in examples})} bodies: threshold {model.threshold}, "
            f"further sentences (one-part/two-part questions) {model.extra}/{model.extra_multi}"
            f" at {model.second_ratio}/{model.second_ratio_multi} of the best, from its own "
            f"paragraph only {model.same}/{model.same_multi}")
    out.write_text(model.to_json(), encoding="utf-8")
    log(f"wrote {out}")
    return model
