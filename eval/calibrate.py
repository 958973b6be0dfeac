"""Choosing the abstention threshold: the confidence that best separates right answers from
questions the papers cannot answer (eval.fit uses it for the answer model's threshold)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    threshold: float
    dev_questions: int
    objective: float
    date: str


def objective(threshold: float, confidences: Sequence[float], facts_ok: Sequence[bool],
              answerable: Sequence[bool], forced: Sequence[bool] | None = None) -> float:
    """(answerable answered correctly + unanswerable abstained) / questions, when Clerk abstains
    iff confidence < threshold (or it abstained even with no threshold: ``forced``)."""
    forced = forced or [False] * len(confidences)
    good = 0
    rows = zip(confidences, facts_ok, answerable, forced, strict=True)
    for conf, ok, can, hard in rows:
        abstains = hard or conf < threshold
        good += (can and ok and not abstains) or (not can and abstains)
    return good / len(confidences) if confidences else 0.0


def choose_threshold(confidences: Sequence[float], facts_ok: Sequence[bool],
                     answerable: Sequence[bool], forced: Sequence[bool] | None = None,
                     today: dt.date | None = None) -> Calibration:
    """The candidate (a dev confidence) with the best objective; ties go to the higher
    threshold, since a wrong citation is worse than no answer."""
    if not confidences:
        raise ValueError("no dev questions to calibrate on")
    best_score, best = max((objective(c, confidences, facts_ok, answerable, forced), c)
                           for c in set(confidences))
    return Calibration(threshold=best, dev_questions=len(confidences),
                       objective=round(best_score, 4),
                       date=(today or dt.date.today()).isoformat())
