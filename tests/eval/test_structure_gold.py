"""Clerk's reading scored against the structure gold (eval/structure/): the gold is as large as
promised, and no figure falls below its floor in eval/structure/floors.json (floors are only
ever raised, to the figures a landing measured)."""

import json
from pathlib import Path

import pytest

from eval.structure_score import GOLD, load_gold, run

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus-dev"


def test_gold_covers_twenty_papers_twelve_bodies_every_format():
    gold = load_gold()
    paragraphs = sum(len(g["paragraphs"]) for g in gold)
    assert len(gold) >= 20 and len({g["body"] for g in gold}) >= 12 and paragraphs >= 400
    assert {g["format"] for g in gold} >= {"pdf", "docx", "html", "txt", "md"}
    for g in gold:
        assert set(g["meta"]) >= {"council", "committee", "meeting_date", "doc_type"}, g["_file"]
        assert all(p.get("opening") for p in g["paragraphs"]), g["_file"]


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/corpus-dev beside the repo")
def test_reading_holds_its_floors_on_the_gold():
    report = run()
    floors = json.loads((GOLD / "floors.json").read_text())
    assert not report["failures"]
    low = {k: (report["overall"][k], floor) for k, floor in floors["overall"].items()
           if report["overall"][k] < floor}
    assert not low, f"below floor (measured, floor): {low}"
    for fmt, figures in floors["by_format"].items():
        for k, floor in figures.items():
            assert report["by_format"][fmt][k] >= floor, (fmt, k, report["by_format"][fmt][k])
