"""Sentence splitting: what the answerer quotes and what an over-long paragraph is cut at."""

import pytest

from ingest.chunk import split_sentences


@pytest.mark.parametrize("text, sentences", [
    ("Cllr. Smith said no. 5 was fine. Mr. J. Smith agreed with para. 3.2 of the report.",
     ["Cllr. Smith said no. 5 was fine.", "Mr. J. Smith agreed with para. 3.2 of the report."]),
    ("It was approved on 3 Jan. 2020 by Cllrs. A. Jones and B. Brown. The Clerk will write.",
     ["It was approved on 3 Jan. 2020 by Cllrs. A. Jones and B. Brown.", "The Clerk will write."]),
    ("As set out in Appendix A. The Committee agreed.",
     ["As set out in Appendix A.", "The Committee agreed."]),
    ("RESOLVED: That the minutes be approved. (Proposed Cllr. Jones; seconded Cllr. Brown.) "
     "5.2 The Clerk reported.",
     ["RESOLVED: That the minutes be approved.", "(Proposed Cllr. Jones; seconded Cllr. Brown.)",
      "5.2 The Clerk reported."]),
    ('He said "We agree." The vote was 5-2.', ['He said "We agree."', "The vote was 5-2."]),
    ("The meeting closed at 8.35 p.m. The next meeting is on 5 May.",
     ["The meeting closed at 8.35 p.m.", "The next meeting is on 5 May."]),
])
def test_abbreviations_initials_and_closing_marks_stay_with_their_sentence(text, sentences):
    assert split_sentences(text) == sentences


def test_no_character_is_lost():
    text = 'Agreed (see para. 4.1.) "Next?" Yes! Mr. A. B. Smith left. (Noted.) End.'
    assert "".join(split_sentences(text)).replace(" ", "") == text.replace(" ", "")
