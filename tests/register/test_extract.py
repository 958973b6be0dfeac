"""Register records from labelled paragraphs: the sample corpus counted by hand, owners and due
dates as printed (never invented), and the extractor's invariants."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.register import RECORD_KINDS, due_of, extract_records, owners_of, subject_of
from ingest.structure import clean_text, one_line, parse_paragraphs
from tests.conftest import CORPUS
from tests.register.corpus_records import (
    COUNTS_BY_KIND,
    COUNTS_BY_PAPER,
    EXPECTED,
    FILES,
    WEST_SUSSEX,
)


def corpus_records():
    out = []
    for doc_id, name in FILES.items():
        for p in parse_paragraphs((CORPUS / name).read_text(encoding="utf-8")):
            out += [(doc_id, r) for r in extract_records(p.label, p.kind, p.text)]
    return out


def test_every_record_in_the_sample_corpus_with_kind_label_owner_and_due():
    got = [(doc_id, r.kind, r.label, list(r.owners), r.due, r.text)
           for doc_id, r in corpus_records()]
    assert sorted(got) == sorted(EXPECTED)
    assert len(got) == 13
    assert Counter(g[0] for g in got) == COUNTS_BY_PAPER
    assert Counter(g[1] for g in got) == COUNTS_BY_KIND


def test_record_texts_are_printed_in_their_papers():
    for doc_id, _, _, owners, due, text in EXPECTED:
        paper = one_line(clean_text((CORPUS / FILES[doc_id]).read_text(encoding="utf-8")))
        assert text in paper
        assert all(o in text for o in owners) and (due is None or due in text)


def test_two_actions_in_one_paragraph_keep_its_label_and_are_numbered():
    actions = [r for d, r in corpus_records() if d == WEST_SUSSEX and r.kind == "action"]
    assert [(r.label, r.n, r.owner) for r in actions] == [("12.3", 1, "Lucy Butler"),
                                                           ("12.3", 2, "Sally Allen")]
    assert actions[1].context.startswith("The number of children harmed had remained consistent")


def test_next_steps_are_not_records():
    text = "Organise a meeting of its Performance and Finance sub-group for June."
    assert extract_records("Board next steps", "next_steps", text) == []
    assert extract_records("Next steps ¶1", "next_steps", "The team will meet Ofsted.") == []
    assert extract_records("7", None, "Members asked about caseloads.") == []


@pytest.mark.parametrize("text,owners", [
    ("Resolved: that the Head of Highways report on gully cleaning at the next meeting.",
     ("Head of Highways",)),
    ("That the Committee is satisfied with the direction of travel.", ()),
    ("The Select Committee notes the overall findings.", ()),
    ("That the report be noted and the Director provide a briefing.", ()),
    ("That the more detailed feedback given by staff is shared with Reference Group", ()),
    ("RESOLVED – that the Executive Director be asked to circulate the plan.",
     ("Executive Director",)),
    ("That the Leader and the Chief Executive meet the Minister.", ("Leader", "Chief Executive")),
    ("Sally Allen to provide relevant data to the Committee", ("Sally Allen",)),
    ("It was agreed that Councillor Jane Smith writes to the Secretary of State.",
     ("Councillor Jane Smith",)),
])
def test_owner_is_who_the_record_names_or_nobody(text, owners):
    assert owners_of(text) == owners


@pytest.mark.parametrize("text,due", [
    ("That the Head of Highways report at the Board’s October meeting.",
     "the Board’s October meeting"),
    ("That the Director report back by 31 March 2022.", "31 March 2022"),
    ("That the Director report back by the end of June.", "the end of June"),
    ("Members wished to be kept informed at a future meeting", "a future meeting"),
    ("That officers circulate the figures within two weeks.", "within two weeks"),
    ("That the Committee is satisfied with progress.", None),
    ("That the Director share the findings of the review.", None),
])
def test_due_is_the_phrase_as_printed_or_nothing(text, due):
    assert due_of(text) == due


def test_inline_actions_run_to_the_next_action_or_end_of_line():
    text = ("12.5 Summary:\n· Figures were up – ACTION: Ann Lee to circulate them; ACTION: Bo "
            "Ray to check\n· Action: Chief Officer to report")
    got = extract_records("12.5", None, text)
    assert [(r.text, r.owner) for r in got] == [("Ann Lee to circulate them", "Ann Lee"),
                                               ("Bo Ray to check", "Bo Ray"),
                                               ("Chief Officer to report", "Chief Officer")]


def test_subject_is_what_follows_the_owner():
    assert subject_of("That the Director of Corporate Parenting share the findings") == \
        "share the findings"
    assert subject_of("That the Committee is satisfied") == "That the Committee is satisfied"


_WORD = st.from_regex(r"[A-Z][a-z]{3,9}", fullmatch=True)
_MONTHS = ["January", "March", "June", "October", "December"]


@given(head=st.sampled_from(["Director", "Head", "Cabinet Member", "Chief Executive"]),
       field=st.lists(_WORD, min_size=1, max_size=3),
       verb=st.sampled_from(["share", "provide", "report on", "circulate", "present"]),
       thing=st.sampled_from(["the findings", "an update on caseloads", "the audit results"]),
       month=st.sampled_from(_MONTHS))
def test_a_resolution_names_its_owner_and_due_meeting(head, field, verb, thing, month):
    role = f"{head} of {' and '.join(field)}"
    text = f"1. That the {role} {verb} {thing} at the Committee’s {month} meeting."
    [r] = extract_records("Resolved 1", "resolution", text)
    assert r.text == text.removeprefix("1. ")
    assert r.owners == (role,)
    assert r.due == f"the Committee’s {month} meeting"


_PIECES = [*"abc XYZ.,;:–-·1", "ACTION: ", "That the ", "Lucy Butler", " to provide ",
           " at the October meeting", " by 3 May"]
_LINE = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


@given(lines=st.lists(_LINE, max_size=5),
       kind=st.sampled_from([*RECORD_KINDS, "next_steps", None]))
def test_records_quote_the_paragraph_and_never_invent_owners_or_dates(lines, kind):
    text = "\n".join(lines)
    body = clean_text(text)
    for r in extract_records("9", kind, text):
        assert r.text and r.label == "9"
        assert r.text in (one_line(body) if kind in RECORD_KINDS else body)
        assert all(o in r.text for o in r.owners)
        assert r.due is None or r.due in r.text
    if kind not in RECORD_KINDS and "ACTION" not in text and "Action" not in text:
        assert extract_records("9", kind, text) == []


def test_a_decision_inside_minutes_is_the_resolved_text_not_the_discussion():
    text = ("84. Budget monitoring\nThe Treasurer presented the report and answered questions.\n"
            "RESOLVED that:\n(1) the report be noted;\n(2) the underspend be carried forward.\n"
            "The Cabinet Member then updated members on the new leisure centre.")
    [record] = extract_records("84", "resolution", text)
    assert record.text.startswith("RESOLVED that:") and "underspend be carried forward" in record.text
    assert "Treasurer presented" not in record.text and "leisure centre" not in record.text
