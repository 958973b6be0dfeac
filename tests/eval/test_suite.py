"""The whole suite through its click command: the real model, a real temporary Chroma store,
Clerk beside both baselines."""

import json

from click.testing import CliRunner

from eval.cli import eval_command

# Clerk's measured dev answer accuracy (0.689 when eval/thresholds.json was set) less 0.03.
DEV_ANSWER_ACCURACY_FLOOR = 0.65

HIGHWAYS = """Kent County Council
Highways and Transport Cabinet Committee
Minutes of the meeting held on 3 March 2022

1. Apologies were received from Mr Hill and Mrs Dean.

2. The Committee considered the pothole repair programme. The Head of Highways, Simon Jones, \
reported that 14,200 potholes had been repaired in the year to January 2022.

3. RESOLVED that the winter gritting budget be increased by £450,000 for 2022/23.
"""
LIBRARIES = """Kent County Council
Growth, Economic Development and Communities Cabinet Committee
Report of the Director of Libraries, 9 November 2021

1. Purpose of the report: to update members on the library modernisation programme.

2. Twelve libraries will extend their opening hours from April 2022, funded by the Libraries \
Transformation Fund.

3. Visits to libraries fell by 38% during the pandemic but have since recovered to 81% of \
the 2019 level.
"""
QUESTIONS = [
    {"id": "k1", "split": "dev", "kind": "number", "answerable": True,
     "question": "How many potholes did Kent repair in the year to January 2022?",
     "key_facts": ["14,200|14200"],
     "gold": [{"doc_id": "kent-highways-2022-03-03-minutes", "paragraph": "2",
               "evidence": "14,200 potholes had been repaired"}]},
    {"id": "k2", "split": "test", "kind": "number", "answerable": True,
     "question": "By how much did visits to Kent libraries fall during the pandemic?",
     "key_facts": ["38%"],
     "gold": [{"doc_id": "kent-libraries-2021-11-09-report", "paragraph": "3",
               "evidence": "Visits to libraries fell by 38% during the pandemic"}]},
    {"id": "k3", "split": "test", "kind": "unanswerable", "answerable": False,
     "question": "How much did Kent spend on school transport in 2021?",
     "key_facts": [], "gold": []},
]


def _run(args: list[str]):
    result = CliRunner().invoke(eval_command, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_dev_suite_prints_clerk_beside_both_baselines_and_clears_the_floor(tmp_path):
    out = tmp_path / "reports"
    result = _run(["--split", "dev", "--out", str(out)])
    table = result.stdout
    for name in ("Clerk", "LangChain", "BM25", "answer accuracy", "retrieval hit@5"):
        assert name in table
    report = json.loads((out / "eval.json").read_text())
    assert (out / "eval.md").read_text().startswith("# Clerk answer-accuracy suite")
    assert set(report["metrics"]) == {"Clerk", "LangChain", "BM25"}
    dev = report["metrics"]["Clerk"]["dev"]
    assert dev["questions"] == len(report["questions"]["BM25"]) > 0
    assert dev["answer_accuracy"] >= DEV_ANSWER_ACCURACY_FLOOR, table


def test_suite_runs_on_another_councils_papers_and_gates_on_floors(tmp_path, monkeypatch):
    corpus = tmp_path / "kent"
    corpus.mkdir()
    (corpus / "kent-highways-2022-03-03-minutes.txt").write_text(HIGHWAYS)
    (corpus / "kent-libraries-2021-11-09-report.txt").write_text(LIBRARIES)
    qa = tmp_path / "kent.jsonl"
    qa.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    floors = tmp_path / "thresholds.json"
    floors.write_text(json.dumps({"_note": "test", "Clerk": {
        "all": {"hit@5": 1.0, "answer_accuracy": 1.01}, "dev": {"hit@5": 0.5}}}))
    monkeypatch.setattr("eval.gate.THRESHOLDS", floors)
    out = tmp_path / "reports"
    result = CliRunner().invoke(eval_command, ["--corpus", str(corpus), "--qa", str(qa),
                                               "--out", str(out), "--check"])
    assert "papers: 2 added" in result.stderr
    report = json.loads((out / "eval.json").read_text())
    for system in ("Clerk", "LangChain", "BM25"):
        every = report["metrics"][system]["all"]
        assert every["questions"] == 3 and every["hit@5"] == 1.0, system
    assert [q["id"] for q in report["questions"]["Clerk"]] == ["k1", "k2", "k3"]
    assert report["metrics"]["BM25"]["all"]["answer_accuracy"] == 1.0
    # the one unmet floor is named, and the exit code says so
    assert result.exit_code == 1
    below = [line for line in result.stderr.splitlines() if line.startswith("below floor")]
    assert len(below) == 1 and "Clerk all answer_accuracy" in below[0]


def test_a_malformed_gold_set_fails_with_its_line_number(tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps(QUESTIONS[0]) + "\n{not json\n")
    result = CliRunner().invoke(eval_command, ["--qa", str(qa), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{qa}:2: not valid JSON" in result.output
