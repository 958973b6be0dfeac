"""Leave-one-body-out: answer models fitted without the held-out body, the many-body gold rows, and
how citations of unnumbered paragraphs are scored."""

import json

import numpy as np
import pytest

from assistant.answer import Candidate, Unit
from assistant.features import FEATURES
from assistant.retrieve import Passage
from assistant.store import StoredChunk
from eval.dataset import SAMPLE_BODY, DatasetError, GoldRef, QAItem, load_many, load_qa, parse_item
from eval.fit import Example, fit_model
from eval.lobo import POOLED, LoboConfig, held_out_fits, run_lobo
from eval.lobo_report import format_table, to_markdown
from eval.metrics import label_match
from eval.score import score_question
from eval.systems import Cited, Reply, SourceNamed


def _item(qid: str, body: str, answerable: bool) -> QAItem:
    facts = ("yes",) if answerable else ()
    gold = (GoldRef("d", "1", "yes"),) if answerable else ()
    return QAItem(qid, None, "fact", f"question {qid}?", answerable, facts, gold, body=body)


def _example(qid: str, body: str, answerable: bool, seed: int) -> Example:
    """A question with three candidates: the gold one (when answerable) and two others, with
    feature rows where the gold one's similarity and overlap stand out."""
    rng = np.random.default_rng(seed)
    item = _item(qid, body, answerable)
    cands, rows = [], []
    for n, text in enumerate(["yes it was", "no it was not", "something else"]):
        chunk = StoredChunk(f"{qid}-{n}", text, {"doc_id": "d", "paragraph": str(n + 1)})
        cands.append(Candidate(Passage(chunk, 0.0, 0.5, 1.0, n), Unit(text, text, text), 0))
        row = rng.normal(0.0, 0.3, len(FEATURES))
        if n == 0 and answerable:
            row[FEATURES.index("sim")] += 1.5
            row[FEATURES.index("overlap")] += 1.0
        rows.append(row)
    labels = np.array([float(answerable), 0.0, 0.0])
    return Example(item, cands, np.array(rows), labels, labels.copy(), [])


def _examples() -> list[Example]:
    rows = [("a1", "A", True), ("a2", "A", False), ("a3", "A", True), ("b1", "B", True),
            ("b2", "B", True), ("b3", "B", False), ("c1", "C", True), ("c2", "C", False),
            ("c3", "C", True)]
    return [_example(q, body, can, n) for n, (q, body, can) in enumerate(rows)]


def test_each_held_out_model_is_fitted_on_the_other_bodies_alone():
    examples = _examples()
    fits = held_out_fits(examples)

    assert set(fits) == {"A", "B", "C"}
    for body, model in fits.items():
        rest = [e for e in examples if e.item.body != body]
        assert model.fitted["questions"] == 6 and model.fitted["bodies"] == 2
        assert model == fit_model(rest)
    assert fits["A"] != fit_model(examples)  # A's own questions changed nothing in its model


def test_one_body_alone_cannot_be_left_out():
    from eval.runner import EvalError

    with pytest.raises(EvalError, match="two bodies"):
        held_out_fits([_example("a1", "A", True, 0)])


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


NEW_ROW = {"id": "n1", "body": "Tintern Community Council", "kind": "fact",
           "question": "Who chaired?", "answerable": True, "key_facts": ["Jones"],
           "gold": [{"doc_id": "tintern-agm", "paragraph": None, "evidence": "Cllr Jones"}],
           "note": "unnumbered paragraph"}
OLD_ROW = {"id": "o1", "split": "dev", "kind": "fact", "question": "Who chaired?",
           "answerable": True, "key_facts": ["Jones"],
           "gold": [{"doc_id": "surrey", "paragraph": "3", "evidence": "Cllr Jones"}]}


def test_many_body_rows_load_beside_the_sample_rows(tmp_path):
    items = load_many([_write(tmp_path / "old.jsonl", [OLD_ROW]),
                       _write(tmp_path / "new.jsonl", [NEW_ROW])])
    old, new = items
    assert (old.body, old.split, old.gold[0].paragraph) == (SAMPLE_BODY, "dev", "3")
    assert (new.body, new.split, new.gold[0].paragraph) == ("Tintern Community Council", None,
                                                            None)
    assert new.notes == "unnumbered paragraph"


@pytest.mark.parametrize("row, message", [
    ({k: v for k, v in OLD_ROW.items() if k != "split"}, "missing field 'split'"),
    ({**OLD_ROW, "gold": [{**OLD_ROW["gold"][0], "paragraph": None}]}, "field 'paragraph'"),
    ({**NEW_ROW, "body": " "}, "field 'body'"),
    ({**NEW_ROW, "split": "train"}, "split should be dev or test"),
    ({**NEW_ROW, "gold": [{"doc_id": "x", "paragraph": None, "evidence": ""}]}, "evidence"),
])
def test_a_bad_row_fails_with_one_line_naming_file_and_line(tmp_path, row, message):
    path = _write(tmp_path / "qa.jsonl", [NEW_ROW | {"id": "ok"}, row])
    with pytest.raises(DatasetError) as caught:
        load_qa(path)
    text = str(caught.value)
    assert "\n" not in text and f"{path}:2:" in text and message in text


def test_an_id_in_two_files_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match="also in"):
        load_many([_write(tmp_path / "a.jsonl", [NEW_ROW]), _write(tmp_path / "b.jsonl", [NEW_ROW])])


def test_a_citation_of_an_unnumbered_gold_paragraph_is_right_under_any_label_holding_the_evidence():
    item = parse_item(NEW_ROW)
    right = Cited("tintern-agm", "Apologies ¶2", "Present: Cllr Jones (chair), Cllr Hill.")
    wrong = Cited("tintern-agm", "Apologies ¶3", "Apologies were received from Cllr Hill.")
    result = score_question(item, Reply("Cllr Jones [1]", False, [right, wrong]), [wrong, right],
                            1.0)
    assert (result.citations, result.citations_ok, result.first_hit) == (2, 1, 2)
    assert (result.labels, result.labels_ok) == (0, 0)  # no printed label to get right


def test_printed_label_is_right_only_when_it_is_the_gold_label():
    gold = [GoldRef("doc", "12.3", "the budget was agreed")]
    assert label_match("doc", "12.3", "anything", gold) is True
    assert label_match("doc", "12", "Members noted that the budget was agreed.", gold) is False
    assert label_match("doc", None, "the budget was agreed", gold) is False
    assert label_match("doc", "4", "unrelated text", gold) is None


class _Papers:
    def paper_records(self):
        return {"paper-2": {"source": "/x/PAPER.pdf"}, "other": {"source": "/x/Other.md"}}


class _Fixed:
    name = "Fixed"

    def rank(self, question, k):
        return [Cited("paper-2", "1", "t"), Cited("other", "2", "u")]

    def reply(self, question):
        return Reply("t", False, self.rank(question, 1)[:1])


def test_a_suffixed_second_rendering_is_named_by_its_source_stem():
    system = SourceNamed(_Fixed(), _Papers())
    assert [c.doc_id for c in system.rank("q", 2)] == ["paper", "other"]
    assert system.reply("q").citations[0].doc_id == "paper"


HIGHWAYS = """Kent County Council
Highways Committee
Minutes of the meeting held on 3 March 2022

1. The Head of Highways reported that 14,200 potholes had been repaired in the year.

2. RESOLVED that the winter gritting budget be increased by £450,000 for 2022/23.
"""
PARISH = """Ayton Parish Council
Minutes of the meeting held on 5 May 2021

1. The clerk reported that the village hall roof repairs cost £12,500.

2. The council agreed to plant 40 trees on the green in November.
"""


def test_each_body_is_scored_with_the_model_fitted_without_it(tmp_path, embedder):
    corpus, dev = tmp_path / "corpus", tmp_path / "dev"
    corpus.mkdir()
    (dev / "papers").mkdir(parents=True)
    (corpus / "kent-highways-2022-03-03.txt").write_text(HIGHWAYS, encoding="utf-8")
    (dev / "papers" / "AYTON_2021-05-05_minutes.txt").write_text(PARISH, encoding="utf-8")
    (dev / "papers" / "EMPTY.txt").write_text("", encoding="utf-8")
    kent = [{"id": "k1", "split": "dev", "kind": "number", "answerable": True,
             "question": "How many potholes did Kent repair?", "key_facts": ["14,200"],
             "gold": [{"doc_id": "kent-highways-2022-03-03", "paragraph": "1",
                       "evidence": "14,200 potholes had been repaired"}]},
            {"id": "k2", "split": "test", "kind": "unanswerable", "answerable": False,
             "question": "What did Kent spend on school transport?", "key_facts": [],
             "gold": []}]
    ayton = [{"id": "a1", "body": "Ayton Parish Council", "kind": "number", "answerable": True,
              "question": "What did the village hall roof repairs cost?",
              "key_facts": ["£12,500"],
              "gold": [{"doc_id": "ayton-2021-05-05-minutes", "paragraph": None,
                        "evidence": "village hall roof repairs cost £12,500"}]},
             {"id": "a2", "body": "Ayton Parish Council", "kind": "unanswerable",
              "answerable": False, "question": "Who won the Ayton flower show?",
              "key_facts": [], "gold": []}]
    config = LoboConfig(corpus=corpus, dev_corpus=dev, baselines=False,
                        qa=[_write(tmp_path / "kent.jsonl", kent),
                            _write(tmp_path / "ayton.jsonl", ayton)])
    result = run_lobo(config, embedder=embedder, log=lambda _line: None)

    assert result.bodies == [SAMPLE_BODY, "Ayton Parish Council"]
    assert [name for name, _ in result.failures] == [str(dev / "papers" / "EMPTY.txt")]
    assert set(result.metrics) == {"Clerk"}  # the baselines run in test_suite.py
    for body in result.bodies:
        assert result.fits[body].fitted["questions"] == 2  # the other body's two questions
        for row in (r for r in result.results["Clerk"] if r.body == body):
            if not row.abstained:
                assert row.confidence >= result.fits[body].threshold
    assert result.metrics["Clerk"][POOLED]["questions"] == 4
    assert result.metrics["Clerk"]["Ayton Parish Council"]["hit@5"] == 1.0
    table, page = format_table(result), to_markdown(result)
    assert "Ayton Parish Council" in table and "pooled" in table and "EMPTY.txt" in page


def test_lobo_check_exits_1_below_a_floor(tmp_path):
    from eval.cli import _gate

    floors = _write(tmp_path / "floors.json", [])
    floors.write_text(json.dumps({"Clerk": {POOLED: {"answer_accuracy": 0.5}}}))
    with pytest.raises(SystemExit) as caught:
        _gate({"Clerk": {POOLED: {"answer_accuracy": 0.4}}}, floors)
    assert caught.value.code == 1
    _gate({"Clerk": {POOLED: {"answer_accuracy": 0.6}}}, floors)
