"""Invariants of reading, checked on generated papers (Hypothesis): the offset contract holds,
unwrapping loses and duplicates nothing, and parsing is linear (a 40,000-paragraph paper)."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.readers.text import unwrap
from ingest.structure import parse_paragraphs

WORDS = st.sampled_from(["the", "Council", "agreed", "report", "2024", "£500", "noted", "Cllr",
                         "Smith", "(a)", "RESOLVED", "that", "minutes", "3.1", "a.", "-", "•"])
LABELS = st.sampled_from(["1.", "2.", "12.3", "24/18", "Minute 84", "(1)", "(a)", "a)", "iv.",
                          "- ", "• ", "## ", "", "", ""])
LINE = st.builds(lambda label, words: f"{label} {' '.join(words)}".strip(),
                 LABELS, st.lists(WORDS, min_size=0, max_size=14))
PAPER = st.lists(st.one_of(LINE, st.just("")), min_size=1, max_size=60).map("\n".join)


@given(PAPER)
@settings(max_examples=300, deadline=None)
def test_every_paragraph_is_exactly_its_span_of_the_text(text):
    paras = parse_paragraphs(text)
    for p in paras:
        assert text[p.start:p.end] == p.text and p.text.strip()
    assert all(a.end <= b.start for a, b in zip(paras, paras[1:]))  # in order, no overlap
    assert len(paras) == len({p.label for p in paras})  # every label citable once


@given(PAPER)
@settings(max_examples=300, deadline=None)
def test_unwrapping_never_loses_or_duplicates_text(text):
    out = unwrap(text)
    assert re.sub(r"\s+", "", out) == re.sub(r"\s+", "", text)


def test_wrapped_text_is_joined_and_meant_breaks_kept():
    lines = ["The committee received the report of the Clerk on the state of the",
             "village hall and agreed that the roof should be repaired before the",
             "winter, subject to three quotations being obtained by the Clerk.",
             "A second paragraph begins here and it is also long enough to wrap at",
             "the usual width of this file so that it is joined back into one line.",
             "1. An item that stays on its own line",
             "- a bullet that stays on its own line",
             "Short line",
             "Another short line"] * 2
    out = unwrap("\n".join(lines))
    assert ("the state of the village hall and agreed that the roof should be repaired "
            "before the winter,") in out
    assert "by the Clerk.\n\nA second paragraph" in out
    assert "\n1. An item that stays on its own line\n- a bullet" in out
    assert "Short line\nAnother short line" in out


def test_forty_thousand_paragraphs_parse_whole():
    text = "\n\n".join(f"{n % 9000 + 1}. Item {n} was noted." if n % 2 else
                         f"The committee discussed matter {n} at length." for n in range(40_000))
    paras = parse_paragraphs(text)
    assert len(paras) == 20_001  # the opening prose, then each item with the discussion after it
    assert paras[-2].text.endswith("matter 39998 at length.")
