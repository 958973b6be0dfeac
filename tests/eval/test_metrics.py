"""The suite's scoring, on hand-built inputs: no model, no store."""

import json

import pytest

from eval import metrics
from eval.calibrate import choose_threshold, objective
from eval.dataset import DatasetError, GoldRef, load_qa
from eval.gate import check, raise_floors
from eval.score import QuestionResult, summarise

GOLD = (GoldRef("minutes-2020", "12.3", "The aim was for social workers to have between "
                "13 and 16 cases"),)


def test_hit_at_k_and_mrr_use_the_rank_of_the_first_hit():
    rankings = [[True, False], [False, False, True], [False] * 10, [False, True, True]]
    ranks = [metrics.first_hit(r) for r in rankings]
    assert ranks == [1, 3, None, 2]
    assert metrics.hit_at_k(ranks, 1) == 0.25
    assert metrics.hit_at_k(ranks, 2) == 0.5
    assert metrics.hit_at_k(ranks, 5) == 0.75
    assert metrics.mrr(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert metrics.hit_at_k([], 5) is None and metrics.mrr([]) is None


def test_a_chunk_is_gold_by_its_paragraph_or_by_containing_the_evidence():
    assert metrics.is_gold("minutes-2020", "12.3", "anything", GOLD)
    assert not metrics.is_gold("minutes-2020", "12.2", "unrelated text", GOLD)
    spread = "12.3 The  aim was for social\nworkers to have **between 13 and 16** cases at once"
    assert metrics.is_gold("other-paper", "7", spread, GOLD)
    # a system without paragraph labels can only match on evidence
    assert not metrics.is_gold("minutes-2020", None, "12.3 only the label", GOLD)


def test_key_facts_match_any_alternative_case_and_whitespace_insensitively():
    answer = "Thirty social workers\nwere about to   JOIN, and ten more in September [1]."
    assert metrics.fact_present(answer, "30|thirty")
    assert metrics.fact_present(answer, "about to join")
    assert metrics.facts_present(answer, ["Thirty|30", "ten|10"])
    assert not metrics.facts_present(answer, ["Thirty|30", "twelve|12"])
    assert not metrics.facts_present(answer, [])


def test_citation_markers_do_not_count_as_numeric_key_facts():
    answer = "Ofsted had made several monitoring visits [4]."
    assert not metrics.fact_present(answer, "4|four")
    assert metrics.fact_present("We have had 4 visits [1].", "4|four")


def test_abstention_precision_and_recall_treat_should_abstain_as_positive():
    should = [True, True, True, False, False, False]
    did = [True, False, False, True, False, False]
    precision, recall = metrics.abstention_scores(should, did)
    assert precision == 0.5 and recall == pytest.approx(1 / 3)
    assert metrics.abstention_scores([True, False], [False, False]) == (None, 0.0)


def test_percentile_interpolates_between_ranks():
    assert metrics.percentile([40, 10, 30, 20], 50) == 25
    assert metrics.percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48)
    assert metrics.percentile([], 50) is None


def test_floor_to_rounds_down_without_float_noise():
    assert metrics.floor_to(0.619 - 0.03) == 0.58
    assert metrics.floor_to(0.57) == 0.57


def test_calibration_picks_the_best_threshold_and_breaks_ties_upwards():
    conf = [0.9, 0.7, 0.5, 0.4, 0.3]
    facts_ok = [True, True, False, False, False]
    answerable = [True, True, True, False, False]
    # at 0.5: 2 right answers + 2 right abstentions; at 0.7 too (the wrong answer abstains)
    assert objective(0.5, conf, facts_ok, answerable) == 0.8
    assert objective(0.7, conf, facts_ok, answerable) == 0.8
    assert objective(0.3, conf, facts_ok, answerable) == 0.4
    chosen = choose_threshold(conf, facts_ok, answerable)
    assert chosen.threshold == 0.7 and chosen.objective == 0.8 and chosen.dev_questions == 5


def test_calibration_counts_a_forced_abstention_at_every_threshold():
    conf, ok, answerable = [0.0, 0.6], [False, True], [False, True]
    assert objective(-1.0, conf, ok, answerable, forced=[True, False]) == 1.0
    assert choose_threshold(conf, ok, answerable, forced=[True, False]).threshold == 0.6


def _row(**overrides) -> str:
    row = {"id": "q1", "split": "dev", "kind": "fact", "question": "Who?", "answerable": True,
           "key_facts": ["Lucy Butler"], "gold": [{"doc_id": "d", "paragraph": "1",
                                                   "evidence": "Lucy Butler said"}]}
    return json.dumps({**row, **overrides})


def test_dataset_loads_rows_and_skips_blank_lines(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text(_row() + "\n\n" + _row(id="q2", split="test", answerable=False,
                                           kind="unanswerable", key_facts=[], gold=[]) + "\n")
    items = load_qa(path)
    assert [i.id for i in items] == ["q1", "q2"]
    assert items[0].gold[0].paragraph == "1" and items[1].line == 3


@pytest.mark.parametrize("bad, reason", [
    ('{"id": "q3", "split": "dev"', "not valid JSON"),
    (_row(id="q3", split="train"), "split should be dev or test"),
    (_row(id="q3", key_facts="Lucy"), "key_facts"),
    (_row(id="q3", answerable=True, key_facts=[]), "needs key_facts and gold"),
    (_row(id="q3", gold=[{"doc_id": "d", "paragraph": "1"}]), "missing field 'evidence'"),
    (_row(id="q1"), "duplicate id"),
])
def test_dataset_rejects_a_malformed_line_naming_its_number(tmp_path, bad, reason):
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join([_row(), _row(id="q2"), bad]) + "\n")
    with pytest.raises(DatasetError) as err:
        load_qa(path)
    message = str(err.value)
    assert "qa.jsonl:3: " in message and reason in message and "\n" not in message


def _result(id, answerable=True, abstained=False, facts_ok=True, kind="fact", cited=(1, 1),
            first_hit=1):
    return QuestionResult(id=id, split="dev", kind=kind, answerable=answerable,
                          abstained=abstained, answer="", confidence=0.5, facts_ok=facts_ok,
                          first_hit=first_hit if answerable else None, citations=cited[1],
                          citations_ok=cited[0], latency_ms=10.0)


def test_summary_scores_citations_on_answered_answerable_questions_only():
    results = [_result("a", cited=(1, 2)), _result("b", facts_ok=False, kind="date", cited=(0, 1)),
               _result("c", abstained=True, cited=(0, 0), first_hit=None),
               _result("d", answerable=False, abstained=False, cited=(0, 3)),
               _result("e", answerable=False, abstained=True, cited=(0, 0))]
    m = summarise(results)
    assert m["citation_accuracy"] == pytest.approx(1 / 3)
    assert m["answer_accuracy"] == pytest.approx(1 / 3)
    assert m["by_kind"] == {"date": 0.0, "fact": 0.5}
    assert (m["abstention_precision"], m["abstention_recall"]) == (0.5, 0.5)
    assert m["hit@1"] == pytest.approx(2 / 3) and m["answerable"] == 3


def test_gate_reports_each_metric_below_its_floor_and_skips_splits_not_run():
    measured = {"Clerk": {"test": {"answer_accuracy": 0.61, "hit@5": 0.97,
                                   "abstention_recall": None}}}
    floors = {"Clerk": {"test": {"answer_accuracy": 0.62, "hit@5": 0.94,
                                 "abstention_recall": 0.3}, "all": {"hit@5": 0.9}}}
    gate = check(measured, floors)
    assert gate.checked == 3 and gate.skipped == ["Clerk all"]
    assert gate.failures == ["Clerk test answer_accuracy: 0.610 < floor 0.62",
                             "Clerk test abstention_recall: n/a < floor 0.3"]


def test_floors_sit_a_little_below_the_measured_figures_and_never_fall():
    measured = {"Clerk": {"test": {"answer_accuracy": 0.619, "citation_accuracy": 0.786,
                                   "hit@5": 0.976, "abstention_recall": None}}}
    old = {"Clerk": {"test": {"answer_accuracy": 0.6, "abstention_recall": 0.3}}}
    new = raise_floors(old, measured, splits=("test",))
    assert new["Clerk"]["test"] == {"answer_accuracy": 0.6, "citation_accuracy": 0.75,
                                    "hit@5": 0.94, "abstention_recall": 0.3}
    assert old["Clerk"]["test"]["answer_accuracy"] == 0.6  # the input is left alone
