"""One question's outcome for one system, and a split's metrics from many outcomes."""

from collections.abc import Sequence
from dataclasses import dataclass

from eval import metrics
from eval.dataset import QAItem
from eval.systems import Cited, Reply

RANK_DEPTH = 10


@dataclass
class QuestionResult:
    id: str
    split: str | None
    kind: str
    answerable: bool
    abstained: bool
    answer: str
    confidence: float | None
    facts_ok: bool  # every key fact is in the answer (answerable questions only)
    first_hit: int | None  # 1-based rank of the first gold chunk in the top RANK_DEPTH
    citations: int
    citations_ok: int
    latency_ms: float
    labels: int = 0  # citations of a labelled gold paragraph (by its pair or its evidence)
    labels_ok: int = 0  # ... that print the gold label
    body: str = ""

    @property
    def correct(self) -> bool:
        return self.answerable and self.facts_ok and not self.abstained


def score_question(item: QAItem, reply: Reply, ranked: Sequence[Cited],
                   latency_ms: float) -> QuestionResult:
    """Score a reply and a ranking against the item's key facts and gold paragraphs."""
    hits = [metrics.is_gold(c.doc_id, c.paragraph, c.text, item.gold) for c in ranked]
    cited_ok = sum(metrics.is_gold(c.doc_id, c.paragraph, c.text, item.gold)
                   for c in reply.citations)
    labels = [metrics.label_match(c.doc_id, c.paragraph, c.text, item.gold)
              for c in reply.citations]
    facts_ok = item.answerable and metrics.facts_present(reply.text, item.key_facts)
    return QuestionResult(
        id=item.id, split=item.split, kind=item.kind, answerable=item.answerable,
        abstained=reply.abstained, answer=reply.text, confidence=reply.confidence,
        facts_ok=facts_ok, first_hit=metrics.first_hit(hits) if item.gold else None,
        citations=len(reply.citations), citations_ok=cited_ok, latency_ms=latency_ms,
        labels=sum(m is not None for m in labels), labels_ok=sum(m is True for m in labels),
        body=item.body)


def summarise(results: Sequence[QuestionResult]) -> dict:
    """The split's metrics; None where a metric has nothing to measure."""
    answerable = [r for r in results if r.answerable]
    ranks = [r.first_hit for r in answerable]
    answered = [r for r in answerable if not r.abstained]
    precision, recall = metrics.abstention_scores([not r.answerable for r in results],
                                                  [r.abstained for r in results])
    kinds = sorted({r.kind for r in answerable})
    latencies = [r.latency_ms for r in results]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "hit@1": metrics.hit_at_k(ranks, 1),
        "hit@5": metrics.hit_at_k(ranks, 5),
        "mrr": metrics.mrr(ranks),
        "citation_accuracy": metrics.ratio(sum(r.citations_ok for r in answered),
                                           sum(r.citations for r in answered)),
        "label_accuracy": metrics.ratio(sum(r.labels_ok for r in answered),
                                        sum(r.labels for r in answered)),
        "answer_accuracy": metrics.ratio(sum(r.correct for r in answerable), len(answerable)),
        "abstention_precision": precision,
        "abstention_recall": recall,
        "latency_p50_ms": metrics.percentile(latencies, 50),
        "latency_p95_ms": metrics.percentile(latencies, 95),
        "by_kind": {k: metrics.ratio(sum(r.correct for r in answerable if r.kind == k),
                                     sum(1 for r in answerable if r.kind == k)) for k in kinds},
    }
