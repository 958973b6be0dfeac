"""The fitted answer scorer: a logistic model over assistant.features.FEATURES, and the
selection rule's numbers (the abstention threshold, when a second sentence joins the answer).
Every number lives in ``answer_model.json``, written by ``clerk eval --fit``; none is set by
hand."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import ClerkError
from assistant.features import FEATURES

# What the confidence model sees: the best and runner-up candidates' probabilities (as log-odds)
# and some of the best candidate's own features.
CONFIDENCE_FROM_ROW = ("sim", "overlap", "overlap_context", "uncovered", "unknown_words",
                       "unknown_name", "date_other", "council_other", "type_miss", "lexical",
                       "new_value", "focus_miss", "passage_sim", "echo_top", "reported_question",
                       "title_like")
CONFIDENCE_TOP = 3  # "typed_top": whether any of the first few candidates holds the kind asked
CONFIDENCE_INPUTS = ("best", "margin", *CONFIDENCE_FROM_ROW, "typed_top")


def logistic(x: np.ndarray, mean, scale, coef, intercept: float) -> np.ndarray:
    """A fitted logistic model's probability for standardised inputs (either model's)."""
    z = (x - np.asarray(mean)) / np.asarray(scale)
    return 1.0 / (1.0 + np.exp(-np.clip(z @ np.asarray(coef) + intercept, -40, 40)))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def confidence_inputs(probs: list[float], rows: list[np.ndarray]) -> np.ndarray:
    """From the best candidates' probabilities and FEATURES rows (best first)."""
    best = _logit(probs[0])
    runner_up = _logit(probs[1]) if len(probs) > 1 else _logit(1e-6)
    picked = [rows[0][FEATURES.index(name)] for name in CONFIDENCE_FROM_ROW]
    typed = max(row[FEATURES.index("type_hit")] for row in rows[:CONFIDENCE_TOP])
    return np.array([best, best - runner_up, *picked, typed], dtype=np.float64)


MODEL_PATH = Path(__file__).resolve().parent / "answer_model.json"


class ModelError(ClerkError):
    """The answer model file is missing or malformed; the message says which and why."""


@dataclass
class AnswerModel:
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float  # abstain when the best sentence's probability is below this
    second_ratio: float  # a further sentence joins when its probability is this share of the best
    second_ratio_multi: float  # ... for a question of two parts
    extra: int = 1  # at most this many further sentences
    extra_multi: int = 1  # ... for a question of two parts
    same: bool = False  # further sentences only from the best one's paragraph
    same_multi: bool = False  # ... for a question of two parts
    part_min: float = 1.01  # a part's own best candidate joins at this probability (1.01: never)
    confidence: dict = field(default_factory=dict)  # the answered-correctly model (below)
    fitted: dict = field(default_factory=dict)  # on what, when, by which command
    spaces: dict = field(default_factory=dict)  # another embedding space's own threshold

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        if rows.shape[0] == 0:
            return np.zeros(0)
        if list(self.features) != list(FEATURES):
            raise ModelError("the answer model was fitted on other features; run "
                             "`clerk eval --fit` to refit it")
        return logistic(rows, self.mean, self.scale, self.coef, self.intercept)

    def confidence_of(self, probs: list[float], rows: list[np.ndarray]) -> float:
        """The probability that the answer built on the best candidate is right: a second
        logistic model over the best candidates' probabilities, the best one's features and
        whether any of the first CONFIDENCE_TOP holds the kind asked for (CONFIDENCE_INPUTS).
        Each input is held within the range the model was fitted on: a question unlike any
        fitted on (every word unknown, nothing found by its words) must not be extrapolated
        into confidence. Clerk abstains when it is below the threshold."""
        if not probs or not rows:
            return 0.0
        x = confidence_inputs(probs, rows)
        c = self.confidence
        if not c:
            return float(probs[0])
        if "low" in c and "high" in c:
            x = np.clip(x, c["low"], c["high"])
        return float(logistic(x, c["mean"], c["scale"], c["coef"], c["intercept"]))

    def second(self, multi: bool) -> tuple[float, int, bool]:
        """(share of the best's probability, most further sentences, only from the best's
        paragraph) for this question."""
        return ((self.second_ratio_multi, self.extra_multi, self.same_multi) if multi
                else (self.second_ratio, self.extra, self.same))

    def threshold_for(self, space: str) -> float:
        entry = self.spaces.get(space)
        if isinstance(entry, dict) and isinstance(entry.get("threshold"), int | float):
            return float(entry["threshold"])
        return self.threshold

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1) + "\n"


def load_model(path: Path = MODEL_PATH) -> AnswerModel:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        model = AnswerModel(**data)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the answer model ({exc.strerror}); "
                         "run `clerk eval --fit`") from exc
    except (ValueError, TypeError) as exc:
        raise ModelError(f"{path}: not an answer model ({exc})") from exc
    n = len(model.features)
    if not (len(model.mean) == len(model.scale) == len(model.coef) == n):
        raise ModelError(f"{path}: the model's vectors do not have {n} entries each")
    return model
