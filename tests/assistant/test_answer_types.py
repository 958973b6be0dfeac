"""Which sentences can answer a 'what is the name of…' question: people, not places or bodies,
with no council named in the code."""

import numpy as np

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


def test_a_question_of_two_parts_is_split_where_it_turns_to_the_second():
    from assistant.answer import question_parts

    assert question_parts("tayport feb 2018 - who resigned, and how much did the golf club "
                          "donate?") == ["tayport feb 2018 - who resigned",
                                         "how much did the golf club donate?"]
    assert question_parts("who chaired and who was substituting for Cllr Ellis?") == [
        "who chaired", "who was substituting for Cllr Ellis?"]
    assert question_parts("When is the next meeting? Where is it held?") == [
        "When is the next meeting?", "Where is it held?"]
    # one part: "and why" is too short to stand alone; "and in 2021" asks nothing new
    for one in ("What did the council decide and why?",
                "When were the engagement meetings in 2020 and in 2021?",
                "How many case audits had been completed by July 2020?"):
        assert question_parts(one) == [one]


def test_a_count_is_typed_only_by_a_number_of_what_it_counts():
    from assistant.features import FEATURES, QuestionView, feature_rows
    from assistant.understand import Reading

    question = "How many case audits had been completed?"
    view = QuestionView(terms={"case", "audit", "complet"}, context_terms=set(), weight=1.0,
                        kind="count", wanted=set(), focus={"case", "audit"}, unknown_words=0.0,
                        unknown_name=False, reading=Reading(question), asked=set(), yes_no=0.0)
    cands = _candidates(["Audits review a case over the previous 12 months.",
                         "There have been 1088 audits completed to date."])
    rows = feature_rows(view, cands, [0.5, 0.5], {}, 1.0)
    miss, hit = FEATURES.index("type_miss"), FEATURES.index("type_hit")
    new = FEATURES.index("new_value")
    assert (rows[0, miss], rows[0, hit], rows[0, new]) == (1.0, 0.0, 0.0)
    assert (rows[1, miss], rows[1, hit], rows[1, new]) == (0.0, 1.0, 1.0)


def test_a_value_is_new_when_the_question_does_not_hold_it():
    from assistant.features import values

    assert values("number", "The fee stays at £2000.00 excluding VAT.") == {"£2000.00"}
    assert values("person", "Councillor Connell offered to contact Highways.") == {"connell"}
    assert "12th november" in values("date", "Next meeting 12th November (Bonfire Night)")
    assert values(None, "Anything at all 12") == set()


def _candidates(sentences: list[str]) -> list:
    """One paragraph's sentences as the answerer's candidates."""
    from assistant.answer import Candidate, units_of
    from assistant.retrieve import Passage
    from assistant.store import StoredChunk

    passage = Passage(StoredChunk("c1", " ".join(sentences), {"doc_id": "d", "paragraph": "1"}),
                      score=1.0, dense=0.5, lexical=1.0)
    return [Candidate(passage, u, n) for n, u in enumerate(units_of(passage.text))]


def test_each_part_of_a_two_part_question_gets_a_sentence_of_its_own():
    """When the sentence a part ranks first is already quoted (the whole question's selection
    took it), that part's next sentence is quoted for it, if it reaches ``part_min``."""
    from dataclasses import replace

    from assistant.answer import choose
    from assistant.features import FEATURES
    from assistant.scorer import load_model

    model = replace(load_model(), extra_multi=0, part_min=0.1)
    whole = _candidates(["The roof repairs cost £12,500.", "Forty trees will be planted.",
                         "The hall was painted."])
    roof, trees, hall = whole
    for c, score in zip(whole, (0.9, 0.3, 0.05), strict=True):
        c.score, c.row = score, np.zeros(len(FEATURES))
    parts = [[roof, hall], [roof, trees, hall]]  # the second part ranks the roof first too
    chosen = [c.unit.display for c in choose([roof, trees, hall], parts, 0.0, model)]
    assert chosen == [roof.unit.display, trees.unit.display]
    # a part's next sentence below part_min is not quoted (the hall for the first part here)
    assert [c.unit.display for c in choose([roof, trees, hall], parts, 0.0,
                                           replace(model, part_min=0.35))] == [roof.unit.display]


def test_word_bullets_and_second_level_o_items_are_list_entries():
    """Text that came out of a PDF made in Word carries its Symbol-font bullet as U+F0B7 and
    its second level as "o": both open list entries, shown without the marker, and the lead-in
    answers with its items."""
    from assistant.answer import units_of

    units = units_of("Object on the following grounds:\n\uf0b7 Proximity to residential "
                     "properties\n\uf0b7 Risk of pollution into the nearby stream\n"
                     "Financials approved – B. Munro (motion)\no In 2017, the SSA received "
                     "$239,503 of $242,994 expected")
    lead = units[0]
    assert lead.kind == "lead" and lead.display == (
        "Object on the following grounds:\n- Proximity to residential properties\n"
        "- Risk of pollution into the nearby stream")
    assert [u.text for u in units if u.kind == "item"][-1].startswith("In 2017, the SSA")
    assert not any("\uf0b7" in u.display or u.display.startswith("o ") for u in units)
