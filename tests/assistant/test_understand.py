"""Reading questions as councillors type them: short forms the papers define or the indexed
names imply, misspellings, and the council, committee and meeting a question names; and a
broken answer model file."""

import datetime as dt

import numpy as np
import pytest

from assistant.retrieve import tokenize
from assistant.service import named_papers
from assistant.store import StoredChunk
from assistant.understand import DateSpec, build_lexicon, defined_short_forms, read_question

RECORDS = {
    "kent-2018-01": {"council": "Kent County Council", "committee": "Children's Scrutiny "
                     "Committee", "meeting_date": "2018-01-23"},
    "kent-2018-03": {"council": "Kent County Council", "committee": "Planning Committee",
                     "meeting_date": "2018-03-25"},
    "glos-2016-06": {"council": "Gloucestershire County Council", "committee": "Children's "
                     "Scrutiny Committee", "meeting_date": "2016-06-14"},
    "ayton-2024-02": {"council": "Ayton Community Council", "committee": None,
                      "meeting_date": "2024-02-08"},
    "milburn-2023-05": {"council": "Milburn Parish Council", "committee": None,
                        "meeting_date": "2023-05-01"},
    "newbiggin-2022-01": {"council": "Newbiggin Parish Council", "committee": None,
                          "meeting_date": "2022-01-10"},
}
TEXT = ("The Devolution Priority Programme (DPP) was noted. The treasurer presented the "
        "accounts. Members discussed the cemetery and the allotments.")


@pytest.fixture(scope="module")
def lexicon():
    chunks = [StoredChunk("c1", TEXT, {})]
    vocab = set(tokenize(TEXT + " kent gloucestershire ayton planning scrutiny children"))
    return build_lexicon(chunks, vocab, RECORDS)


def test_a_short_form_the_papers_define_is_expanded():
    assert defined_short_forms("the Kent County Council (KCC) and the Devolution Priority "
                               "Programme (DPP)") == {"kcc": "Kent County Council",
                                                      "dpp": "Devolution Priority Programme"}
    assert defined_short_forms("a letter (see below) from the Chair") == {}


def test_initials_and_starts_of_indexed_names_name_the_council(lexicon):
    r = read_question("what did KCC decide about the DPP?", lexicon, tokenize)
    assert "Kent County Council" in r.expansions and "Devolution Priority Programme" in r.expansions
    assert r.names["council"] == {"kent"}
    r = read_question("which cabinet member came to the glos children's scrutiny?", lexicon,
                      tokenize)
    assert "gloucestershire" in r.expansions and r.names["council"] == {"gloucestershire"}
    r = read_question("ayton cc - who is the treasurer?", lexicon, tokenize)
    assert "Community Council" in r.expansions and "ayton" in r.names["council"]
    assert "ayton" in r.naming  # a name, not the topic: overlap is not counted on it


def test_a_word_one_edit_from_the_papers_vocabulary_is_corrected(lexicon):
    r = read_question("what did the tresurer present?", lexicon, tokenize)
    assert tokenize("treasurer")[0] in r.expansions
    assert read_question("what did the xyzzyq present?", lexicon, tokenize).expansions == []


def test_a_named_meeting_date_is_read_against_the_indexed_meetings(lexicon):
    def dates(q):
        return read_question(q, lexicon, tokenize).dates

    assert dates("glos children's scrutiny in Jan 2018") == [DateSpec(2018, 1)]
    assert dates("glos scrutiny jun 16") == [DateSpec(2016, 6)]  # a June 2016 meeting exists
    assert dates("kent planning jun 16") == [DateSpec(None, 6, 16)]  # not Kent's: a day
    assert dates("the 25 March planning meeting") == [DateSpec(None, 3, 25)]
    assert dates("minutes of 23/01/2018") == [DateSpec(2018, 1, 23)]
    assert dates("what may the council do?") == []  # "may" the verb
    # relative dates: against the latest meeting indexed (of the council named, if one is)
    assert dates("at last Thursday's meeting") == [DateSpec(2024, 2, 8)]  # 8 Feb 2024: Thu
    assert dates("kent's latest meeting") == [DateSpec(2018, 3, 25)]
    # the rarest council word names the council: Newbiggin's, not any parish council's
    assert dates("what did newbiggin parish council agree at its last meeting?") == [
        DateSpec(2022, 1, 10)]
    assert dt.date(2024, 2, 8).weekday() == 3


def test_the_papers_a_question_names_narrow_the_search(lexicon):
    r = read_question("what did kent planning decide in march 2018?", lexicon, tokenize)
    assert named_papers(r, lexicon) == ["kent-2018-03"]
    r = read_question("what did the glos scrutiny say in jan 2018?", lexicon, tokenize)
    # no Gloucestershire meeting in January 2018: any paper matching either
    assert set(named_papers(r, lexicon)) == {"kent-2018-01", "glos-2016-06"}
    assert named_papers(read_question("what is the budget?", lexicon, tokenize), lexicon) == []


def test_a_broken_answer_model_file_is_named_in_one_line(tmp_path):
    import json

    from assistant.scorer import MODEL_PATH, ModelError, load_model

    good = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    cases = {"missing.json": None, "not-json.json": "{not json",
             "short.json": json.dumps({**good, "coef": good["coef"][:3]}),
             "extra.json": json.dumps({**good, "surprise": 1})}
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        with pytest.raises(ModelError) as caught:
            load_model(path)
        assert str(path) in str(caught.value) and "\n" not in str(caught.value)
    stale = tmp_path / "stale.json"
    stale.write_text(json.dumps({**good, "features": good["features"][::-1]}), encoding="utf-8")
    with pytest.raises(ModelError, match="clerk eval --fit"):
        load_model(stale).probabilities(np.zeros((1, len(good["features"]))))


def test_a_council_no_paper_mentions_is_named_as_unknown(lexicon):
    r = read_question("How much did Hampshire County Council spend on roads?", lexicon,
                      tokenize)
    assert r.unknown == ["Hampshire County Council"]
    # indexed, abbreviated, misspelt or no council named: nothing unknown
    for question in ("What did Kent County Council decide?", "what did glos county council say?",
                     "what did the full council decide about the cemetery?",
                     "what did the parish council agree?", "who is the tresurer council rep?"):
        assert read_question(question, lexicon, tokenize).unknown == [], question


def test_a_short_form_two_councils_share_is_read_by_the_meeting_date_named():
    records = {"tayport-2017": {"council": "Tayport Community Council", "committee": None,
                                "meeting_date": "2017-09-04"},
               "tintern-2019": {"council": "Tintern Community Council", "committee": None,
                                "meeting_date": "2019-05-20"},
               "tayport-2018": {"council": "Tayport Community Council", "committee": None,
                                "meeting_date": "2018-02-05"}}
    lex = build_lexicon([], set(tokenize("duck race harbour")), records)
    assert lex.short_forms["tcc"][0] == "Tayport Community Council"  # the commonest
    for question, council in (("when is the duck race (tcc may 2019)?", "tintern"),
                              ("what did tcc say about the harbour in sept 2017?", "tayport"),
                              ("when is the duck race (tcc)?", "tayport")):
        r = read_question(question, lex, tokenize)
        assert r.names["council"] == {council}, question


def test_a_short_form_two_councils_share_is_read_by_whose_papers_hold_the_other_words():
    from assistant.lexical import Lexical

    records = {"tayport-2017": {"council": "Tayport Community Council", "committee": None,
                                "meeting_date": "2017-09-04"},
               "tayport-2018": {"council": "Tayport Community Council", "committee": None,
                                "meeting_date": "2018-02-05"},
               "tintern-2018": {"council": "Tintern Community Council", "committee": None,
                                "meeting_date": "2018-09-04"}}
    chunks = [StoredChunk("a", "The harbour wall repairs were discussed.",
                          {"doc_id": "tayport-2017"}),
              StoredChunk("b", "The common good fund paid for the benches.",
                          {"doc_id": "tayport-2018"}),
              StoredChunk("c", "The main road closure for rock netting was opposed.",
                          {"doc_id": "tintern-2018"})]
    index = Lexical.build(chunks, records)
    for question, council in (("tcc - why was the road closure opposed?", "tintern"),
                              ("what did tcc say about the harbour wall?", "tayport"),
                              ("what did tcc decide?", "tayport")):  # no other word: commonest
        r = read_question(question, index.lexicon, tokenize, index.best_in)
        assert r.names["council"] == {council}, question
    # without the papers to ask, the commonest reading
    r = read_question("tcc - why was the road closure opposed?", index.lexicon, tokenize)
    assert r.names["council"] == {"tayport"}


def test_two_initials_joined_by_an_ampersand_name_a_council_whose_name_joins_two_words():
    records = {"ms-2019": {"council": "Manordeilo & Salem Community Council", "committee": None,
                           "meeting_date": "2019-03-13"},
               "milburn-2019": {"council": "Milburn Parish Council", "committee": None,
                                "meeting_date": "2019-05-07"}}
    lex = build_lexicon([], set(tokenize("precept chair")), records)
    for question in ("how much was the M&S precept?", "who chaired m & s cc in march 2019?"):
        r = read_question(question, lex, tokenize)
        assert {"manordeilo", "salem"} <= r.names["council"], question
    assert "council" not in read_question("who chaired the A&E meeting?", lex, tokenize).names
