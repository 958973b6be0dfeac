"""Which sentences can answer a 'what is the name of…' question: people, not places or bodies,
with no council named in the code."""

from assistant.features import body_words as _body_words
from assistant.features import has_type


def test_titled_and_initialled_names_are_names():
    assert has_type("name", "The chair was taken by Cllr R Gough for the item.")
    assert has_type("name", "Mrs C Bell reported on the accounts.")


def test_the_papers_own_council_and_committee_are_not_names():
    meta = {"council": "Anytown Borough Council", "committee": "Overview Select Committee"}
    text = "The report was sent to Anytown Borough Council and the Select Committee."
    assert not has_type("name", text, _body_words(meta))
    assert has_type("name", "Jane Porter presented the report.", _body_words(meta))
