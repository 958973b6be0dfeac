"""Suggested follow-ups: built only from what the cited papers hold, and each one, asked as a
follow-up, answered from the papers the first answer cited (a real store of the sample corpus,
the real model)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.models import Answer, AskRequest, Citation, Turn, TurnCitation
from assistant.suggest import (
    ELLIPSIS,
    HEADING_CHARS,
    decisions,
    is_subject,
    nearby_sections,
    shortened,
    suggestions,
    what_next,
)
from tests.conftest import ROOT

REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"


def eval_questions(n: int) -> list[str]:
    """The first answerable questions of the eval set: questions nobody wrote for this test."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "qa.jsonl").read_text().splitlines()]
    return [r["question"] for r in rows if r.get("answerable")][:n]


def as_follow_up(question: str, answer: Answer) -> list[Turn]:
    return [Turn(role="user", content=question),
            Turn(role="assistant", content=answer.answer,
                 citations=[TurnCitation(doc_id=c.doc_id) for c in answer.citations])]


@pytest.mark.parametrize("question", eval_questions(8))
def test_every_suggestion_asked_as_a_follow_up_is_answered_from_the_cited_papers(
        service, question):
    answer = service.ask(AskRequest(question=question))
    cited = {c.doc_id for c in answer.citations}
    assert len(answer.suggestions) <= 3
    for suggestion in answer.suggestions:
        assert suggestion.endswith("?") and suggestion != question
        follow = service.ask(AskRequest(question=suggestion,
                                        conversation=as_follow_up(question, answer)))
        assert follow.reason == "answered", (suggestion, follow.answer)
        assert cited & {c.doc_id for c in follow.citations}, (suggestion, follow.citations)


def test_the_audits_answer_suggests_its_reports_recommendations_and_nearby_sections(service):
    answer = service.ask(AskRequest(question="How many case audits had Surrey completed by "
                                    "July 2020?"))
    assert answer.suggestions[0] == ("What did Children's Improvement Update recommend on "
                                     "28 July 2020?")
    # typed as a person would: the sections by the paper's date and kind, no bracketed date
    assert all(s.startswith("What does the 28 July 2020 report say about ")
               for s in answer.suggestions[1:])
    assert not any("(28 July 2020)" in s for s in answer.suggestions)
    assert len(answer.suggestions) == 3


def test_an_abstention_suggests_nothing(service):
    answer = service.ask(AskRequest(question="How many potholes were repaired in 2019?"))
    assert answer.abstained and answer.suggestions == []


def view(**fields) -> dict:
    base = {"doc_id": "d1", "title": "Budget Report", "committee": "Finance Committee",
            "meeting_date": "2021-03-04", "doc_type": "report", "paragraphs": []}
    return {**base, **fields}


def para(label, heading, kind=None) -> dict:
    return {"label": label, "heading": heading, "kind": kind, "text": "..."}


def test_a_heading_is_a_subject_only_when_it_names_one():
    v = view()
    shared = {"purpose of report"}
    assert is_subject("Capital Programme", v, shared)
    assert not is_subject("Introduction", v, shared)  # one word
    assert not is_subject("Purpose of report", v, shared)  # other papers print it too
    assert not is_subject("Present: A Person", v, shared)  # a label line
    assert not is_subject("Finance Committee", v, shared)  # the paper's own committee
    assert not is_subject("BUDGET REPORT", v, shared)  # its own title


def test_sections_nearest_the_cited_paragraph_come_first_and_cited_ones_are_skipped():
    v = view(paragraphs=[para("1", "Capital Programme"), para("2", "Revenue Outturn"),
                         para("3", "Reserves Strategy"), para("4", "Council Tax Setting"),
                         para("5", "Decisions", kind="resolution")])
    assert nearby_sections(v, {"3"}, set()) == [
        "What does the 4 March 2021 report say about Revenue Outturn?",
        "What does the 4 March 2021 report say about Council Tax Setting?",
        "What does the 4 March 2021 report say about Capital Programme?"]
    assert decisions(v, {"3"}, {}) == ["What did Budget Report resolve on 4 March 2021?"]
    minutes = {**v, "doc_type": "minutes"}  # minutes: the committee took the decision
    assert decisions(minutes, {"3"}, {}) == [
        "What did the Finance Committee resolve on 4 March 2021?"]
    assert nearby_sections(minutes, {"3"}, set())[0] == (
        "What do the 4 March 2021 minutes say about Revenue Outturn?")
    assert decisions(v, {"5"}, {}) == []  # the answer already cited the decision


def test_an_undated_paper_whose_title_recurs_gets_no_decision_question():
    v = view(meeting_date=None, paragraphs=[para("1", "Decisions", kind="resolution")])
    assert decisions(v, set(), {"budget report": 2}) == []
    assert decisions(v, set(), {"budget report": 1}) == ["What did Budget Report resolve?"]


def test_a_decision_is_asked_of_a_sub_body_by_its_name_and_of_a_long_named_paper_by_its_date():
    kinds = [para("1", "Decisions", kind="recommendation")]
    group = view(doc_type="minutes", committee="Finance Committee (Budget Working Group)",
                 paragraphs=kinds)
    assert decisions(group, set(), {}) == [
        "What did the Budget Working Group recommend on 4 March 2021?"]
    long = view(title="Revenue and Capital Budget Monitoring Report Quarter Three",
                committee="Overview and Scrutiny Committee for Resources and Performance",
                paragraphs=kinds)
    assert decisions(long, set(), {}) == ["What was recommended in the 4 March 2021 report?"]
    long_minutes = {**long, "doc_type": "minutes"}
    assert decisions(long_minutes, set(), {}) == [
        "What was recommended at the 4 March 2021 meeting?"]


def test_suggestions_take_each_cited_paper_in_turn_and_stop_at_three():
    a = view(paragraphs=[para("1", "Capital Programme"), para("2", "Revenue Outturn"),
                         para("3", "Reserves Strategy")])
    b = view(doc_id="d2", title="Libraries Review", meeting_date=None,
             paragraphs=[para("1", "Opening Hours"), para("2", "Mobile Library")])
    answer = Answer(answer="x [1] y [2]", abstained=False, citations=[
        Citation(ref=1, doc_id="d1", paragraph="1", quote="x", view_url="/papers/d1"),
        Citation(ref=2, doc_id="d2", paragraph="1", quote="y", view_url="/papers/d2")])
    assert suggestions("q?", answer, [a, b], set(), {}) == [
        "What does the 4 March 2021 report say about Revenue Outturn?",
        "What does Libraries Review say about Mobile Library?",
        "What does the 4 March 2021 report say about Reserves Strategy?"]


def test_two_cited_papers_of_one_date_and_kind_are_told_apart_by_their_titles():
    a = view(paragraphs=[para("1", "Capital Programme"), para("2", "Revenue Outturn")])
    b = view(doc_id="d2", title="Libraries Review",
             paragraphs=[para("1", "Opening Hours"), para("2", "Mobile Library")])
    answer = Answer(answer="x [1] y [2]", abstained=False, citations=[
        Citation(ref=1, doc_id="d1", paragraph="1", quote="x", view_url="/papers/d1"),
        Citation(ref=2, doc_id="d2", paragraph="1", quote="y", view_url="/papers/d2")])
    assert suggestions("q?", answer, [a, b], set(), {}) == [
        "What does Budget Report (4 March 2021) say about Revenue Outturn?",
        "What does Libraries Review (4 March 2021) say about Mobile Library?"]


def test_what_next_needs_a_dated_later_paper_and_a_heading_that_names_a_subject():
    later = view(doc_id="d9", title="Finance minutes", meeting_date="2021-06-01",
                 doc_type="minutes",
                 paragraphs=[para("7", "Capital Programme"), para("8", "Introduction")])
    assert what_next([{"view": later, "label": "7"}], set()) == [
        "What do the 1 June 2021 minutes say about Capital Programme?"]
    assert what_next([{"view": later, "label": "8"}], set()) == []  # one word
    undated = {**later, "meeting_date": None}
    assert what_next([{"view": undated, "label": "7"}], set()) == []


LATER = """Later minutes

Lines of Communication

1.    The Chairmen reported that lines of communication between the Select Committee, the
Improvement Board and the Safeguarding Children's Board had improved. Meetings are now monthly.

Staff Survey Plans

2.    The Director said a survey would test the culture and communications of the Directorate
this spring.
"""
LATER_ROW = """  - file: later-minutes.txt
    council: Surrey County Council
    meeting_date: 2019-03-05
    doc_type: minutes
    title: Later minutes
"""


def test_what_happened_next_is_asked_of_the_later_paper_that_takes_a_decision_up(
        corpus_copy, settings_for, embedder):
    """A later paper (by the register's follow-through) that takes up a cited recommendation
    is suggested by the section holding it; asked, it is answered from that paper."""
    from assistant.service import ClerkService
    from ingest.pipeline import run_ingest

    (corpus_copy / "later-minutes.txt").write_text(LATER)
    manifest = corpus_copy / "manifest.yaml"
    manifest.write_text(manifest.read_text() + LATER_ROW)
    settings = settings_for()
    run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    service = ClerkService(settings, embedder=embedder)
    question = "What did the Performance Member Reference Group recommend?"
    answer = service.ask(AskRequest(question=question))
    cited = [(c.doc_id, c.paragraph) for c in answer.citations]
    assert cited[0][1].startswith("Recommendations")
    nexts = [s for s in answer.suggestions if s.startswith("What do the 5 March 2019 minutes")]
    assert nexts == [answer.suggestions[1]]  # second, after the paper's own decisions
    follow = service.ask(AskRequest(question=nexts[0],
                                    conversation=as_follow_up(question, answer)))
    assert follow.reason == "answered"
    assert follow.citations[0].doc_id == "later-minutes"


# real headings longer than a phone's question should carry: Govan's minutes and Surrey's
DRY_DOCK = "Consultation on proposals for the redevelopment of the Dry Dock"
OFSTED = "Children's services performance and ofsted monitoring visit follow up"
GOVAN = ROOT.parent / "shared" / "corpus-dev" / "papers" / \
    "GOVAN-CC_general-meeting_2023-07-03_minutes.docx"


def test_a_long_heading_is_cut_after_a_whole_word_with_an_ellipsis():
    assert shortened(DRY_DOCK) == "Consultation on proposals for the redevelopment of the Dry…"
    assert shortened(OFSTED) == "Children's services performance and ofsted monitoring visit…"
    assert shortened("Revenue Outturn") == "Revenue Outturn"
    assert shortened("x" * 70) == "x" * 70 + ELLIPSIS  # one long word is kept whole


@given(st.lists(st.from_regex(r"[a-j][a-j-]{0,13}", fullmatch=True), min_size=1, max_size=20))
def test_a_shortened_heading_is_whole_words_of_it_within_the_limit(words):
    heading = " ".join(words)
    short = shortened(heading)
    if len(heading) <= HEADING_CHARS:
        assert short == heading
        return
    kept = short.removesuffix(ELLIPSIS).split()
    assert short.endswith(ELLIPSIS) and kept[:-1] == words[:len(kept) - 1]
    assert kept[-1] == words[len(kept) - 1].rstrip("-")  # never inside a word (a dash
    # left dangling at the cut is dropped)
    assert len(short) <= HEADING_CHARS + 1 or len(kept) == 1


def test_a_suggestion_with_a_long_heading_is_short_and_answered_from_under_that_heading(
        corpus_copy, settings_for, embedder):
    """Govan's minutes print a 63-character heading: its suggestion carries it cut after a
    whole word, and asked as a follow-up it is answered from that paper, as the question with
    the whole heading is, citing what the paper prints under that heading."""
    import shutil

    from assistant.papers import paper_view
    from assistant.service import ClerkService
    from ingest.pipeline import run_ingest

    if not GOVAN.is_file():
        pytest.fail(f"the development corpus is missing: {GOVAN}")
    shutil.copy(GOVAN, corpus_copy / GOVAN.name)
    settings = settings_for()
    run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    service = ClerkService(settings, embedder=embedder)
    question = "What did Govan Community Council agree to send to those invited to the July meeting?"
    answer = service.ask(AskRequest(question=question))
    govan = answer.citations[0].doc_id
    assert govan.startswith("govan")
    whole = f"What do the 3 July 2023 minutes say about {DRY_DOCK}?"
    short = f"What do the 3 July 2023 minutes say about {shortened(DRY_DOCK)}?"
    assert short in answer.suggestions and whole not in answer.suggestions
    asked = [service.ask(AskRequest(question=q, conversation=as_follow_up(question, answer)))
             for q in (short, whole)]
    for a in asked:  # both answered from that paper alone
        assert a.reason == "answered" and {c.doc_id for c in a.citations} == {govan}
    # and the shortened one from what the paper prints under that heading
    under = {p["label"] for p in paper_view(service.store, govan)["paragraphs"]
             if p.get("heading") == DRY_DOCK}
    assert under and under & {c.paragraph for c in asked[0].citations}


def test_a_paper_ingested_again_is_suggested_from_its_new_text(corpus_copy, settings_for,
                                                                embedder):
    """The cited papers' views are kept between answers, but never past a new ingest of the
    paper: a renamed section is suggested by its new name."""
    from assistant.service import ClerkService
    from ingest.pipeline import run_ingest

    settings = settings_for()
    run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    service = ClerkService(settings, embedder=embedder)
    question = "How many case audits had Surrey completed by July 2020?"
    old, new = ("Focussing on the Impact of our Improvement Programme",
                "Measuring What our Improvement Programme Changes")
    assert any(old in s for s in service.ask(AskRequest(question=question)).suggestions)
    assert any(old in s for s in service.ask(AskRequest(question=question)).suggestions)
    paper = next(p for p in corpus_copy.iterdir() if old in p.read_text(errors="ignore"))
    paper.write_text(paper.read_text().replace(old, new))
    run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    suggested = service.ask(AskRequest(question=question)).suggestions
    assert any(new in s for s in suggested) and not any(old in s for s in suggested), suggested
