"""Pure scoring functions: text matching, ranking, abstention and latency summaries."""

import math
import re
from collections.abc import Iterable, Sequence

from eval.dataset import GoldRef

_MARKER = re.compile(r"\[\d+\]")
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")


def normalise(text: str) -> str:
    """Lower-cased, whitespace collapsed, markdown emphasis (`**bold**`) dropped."""
    return " ".join(_EMPHASIS.sub("", text).split()).casefold()


def strip_markers(answer: str) -> str:
    """An answer without its citation markers, so that "[4]" never counts as the fact "4"."""
    return _MARKER.sub(" ", answer)


def fact_present(answer: str, fact: str) -> bool:
    """A key fact is present when any of its "|"-separated alternatives is a substring."""
    text = normalise(strip_markers(answer))
    return any(alt and normalise(alt) in text for alt in fact.split("|"))


def facts_present(answer: str, key_facts: Iterable[str]) -> bool:
    facts = list(key_facts)
    return bool(facts) and all(fact_present(answer, f) for f in facts)


def is_gold(doc_id: str | None, paragraph: str | None, text: str,
            gold: Iterable[GoldRef]) -> bool:
    """A chunk or cited paragraph is gold when its (doc_id, paragraph) is a gold pair or its
    text contains a gold evidence string. A gold paragraph without a printed label (None) is
    recognised by its evidence alone: any label Clerk gives it is right."""
    body = normalise(text)
    for ref in gold:
        if (paragraph is not None and ref.paragraph is not None
                and (doc_id, paragraph) == (ref.doc_id, ref.paragraph)):
            return True
        if normalise(ref.evidence) in body:
            return True
    return False


def label_match(doc_id: str | None, paragraph: str | None, text: str,
                gold: Iterable[GoldRef]) -> bool | None:
    """Whether a citation prints the gold paragraph's label: None when it cites no labelled
    gold paragraph (neither its pair nor its evidence); True when its (doc_id, paragraph) is
    that labelled gold pair; False when it holds the evidence under another label (or none)."""
    body = normalise(text)
    labelled = [ref for ref in gold if ref.paragraph is not None]
    if any((doc_id, paragraph) == (ref.doc_id, ref.paragraph) for ref in labelled):
        return True
    if any(normalise(ref.evidence) in body for ref in labelled):
        return False
    return None


def first_hit(hits: Sequence[bool]) -> int | None:
    """The 1-based rank of the first hit, or None when the ranking holds none."""
    return next((i + 1 for i, hit in enumerate(hits) if hit), None)


def hit_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose first hit is within the top k."""
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr(ranks: Sequence[int | None]) -> float | None:
    """Mean reciprocal rank; a question with no hit in the ranking scores 0."""
    if not ranks:
        return None
    return sum(1.0 / r for r in ranks if r) / len(ranks)


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def abstention_scores(should: Sequence[bool], did: Sequence[bool]
                      ) -> tuple[float | None, float | None]:
    """Precision and recall with "should abstain" as the positive class; None where undefined
    (no abstentions made, or none called for)."""
    true_pos = sum(1 for s, d in zip(should, did, strict=True) if s and d)
    return ratio(true_pos, sum(did)), ratio(true_pos, sum(should))


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def floor_to(value: float, decimals: int = 2) -> float:
    """Round down, for CI floors that measured figures must clear."""
    scale = 10 ** decimals
    return math.floor(round(value * scale, 9)) / scale
