"""The register built from the store: every record with its citation, follow-through on the
sample corpus (checked by hand) and on a later paper that takes subjects up, filters, and a
rebuild when papers change."""

import datetime as dt
from collections import Counter
from urllib.parse import quote

from assistant.models import RegisterQuery
from assistant.papers import paper_view
from assistant.register import NOT_MENTIONED, UNDATED, Register, build_register, filter_records
from assistant.store import Store, StoredChunk
from ingest.pipeline import run_ingest
from tests.register.corpus_records import (
    BOARD_2016,
    COUNTS_BY_KIND,
    DATED,
    EXPECTED,
    RECORD_2018,
    REPORT,
    SURREY_2021,
    WEST_SUSSEX,
)


def register_of(settings):
    return Register(Store(settings)).records()


def test_the_register_lists_every_record_in_the_sample_corpus(sample_store):
    records = register_of(sample_store)
    got = [(r.doc_id, r.kind, r.paragraph, r.owners, r.due, r.text) for r in records]
    assert sorted(got) == sorted(EXPECTED)
    assert Counter(r.kind for r in records) == COUNTS_BY_KIND
    assert len({r.id for r in records}) == 13
    assert f"{WEST_SUSSEX}::12.3::2" in {r.id for r in records}


def test_each_record_carries_its_citation_and_its_quote_is_in_the_paragraph(sample_store):
    store = Store(sample_store)
    for r in register_of(sample_store):
        assert r.quote == r.text and r.meeting_date == DATED.get(r.doc_id)
        assert r.view_url.startswith(f"/papers/{r.doc_id}/view?paragraph=")
        para = next(p for p in paper_view(store, r.doc_id)["paragraphs"]
                    if p["label"] == r.paragraph)
        assert r.quote in " ".join(para["text"].split())
    r1 = next(r for r in register_of(sample_store) if r.paragraph == "Resolved 1")
    assert r1.council == "Surrey County Council" and r1.doc_type == "minutes"
    assert r1.committee == "Children, Families, Lifelong Learning and Culture Select Committee"


def test_follow_through_on_the_sample_corpus(sample_store):
    """By hand: the only later dated paper after the 2018 record is the July 2020 report, which
    says nothing of staff feedback to the Reference Group, of testing the Directorate's culture
    and communications, or of lines of communication between the three chairmen's bodies; and
    nothing dated follows the July 2020 report. The other papers print no meeting date."""
    by_label = {(r.doc_id, r.paragraph, r.text[:12]): r.follow_through
                for r in register_of(sample_store)}
    for (doc_id, label, _), ft in by_label.items():
        if doc_id in (RECORD_2018, REPORT):
            assert (ft.status, ft.summary, ft.later) == ("not_mentioned", NOT_MENTIONED, []), label
        else:
            assert (ft.status, ft.summary, ft.later) == ("undated", UNDATED, []), label


def later_paper(*paragraphs: str, date: str = "2019-03-05") -> list[StoredChunk]:
    meta = {"doc_id": "later-minutes", "title": "Later minutes", "meeting_date": date,
            "council": "Surrey County Council", "part": 0}
    return [StoredChunk(f"later-minutes::{n}::0", text, dict(meta, paragraph=str(n), ordinal=n))
            for n, text in enumerate(paragraphs, 1)]


def test_a_later_paper_that_takes_a_subject_up_is_cited_and_a_passing_mention_is_not(sample_store):
    chunks = Store(sample_store).all_chunks() + later_paper(
        "Members noted the feedback given at the staff conference.",
        "The Chairmen reported that lines of communication between the Select Committee, the "
        "Improvement Board and the Safeguarding Children's Board had improved. Meetings are "
        "now monthly.",
        "The Director said a survey would test the culture and communications of the "
        "Directorate this spring.")
    records = {r.paragraph: r for r in build_register(chunks) if r.doc_id == RECORD_2018}
    assert records["Recommendations 1"].follow_through.summary == NOT_MENTIONED
    ft = records["Recommendations 3"].follow_through
    assert ft.status == "followed_up"
    assert ft.summary == "followed up in Later minutes (2019-03-05), paragraph 2"
    [up] = ft.later
    assert (up.doc_id, up.paragraph, up.meeting_date) == ("later-minutes", "2", "2019-03-05")
    assert up.quote.startswith("The Chairmen reported that lines of communication")
    assert up.view_url == f"/papers/later-minutes/view?paragraph=2&quote={quote(up.quote)}#p-2"
    assert [f.paragraph for f in records["Recommendations 2"].follow_through.later] == ["3"]


def test_a_paper_dated_earlier_is_never_a_follow_up(sample_store):
    chunks = Store(sample_store).all_chunks() + later_paper(
        "Lines of communication between the bodies were discussed.", date="2017-01-10")
    records = [r for r in build_register(chunks) if r.doc_id == RECORD_2018]
    assert all(r.follow_through.summary == NOT_MENTIONED for r in records)


def test_filters_by_kind_owner_committee_words_and_dates(sample_store):
    records = register_of(sample_store)

    def ids(**kw):
        return [(r.doc_id, r.paragraph) for r in filter_records(records, RegisterQuery(**kw))]

    assert ids(kind="action") == [(WEST_SUSSEX, "12.3"), (WEST_SUSSEX, "12.3")]
    assert ids(owner="lucy butler") == [(WEST_SUSSEX, "12.3")]
    assert ids(owner="Head of Children’s Services") == [
        (BOARD_2016, "Recommendations"), (BOARD_2016, "Further information to be provided")]
    assert len(ids(committee="scrutiny board")) == 2
    assert ids(q="Children with Disabilities review") == [(SURREY_2021, "Resolved 1")]
    assert ids(date_from=dt.date(2019, 1, 1)) == [(REPORT, "48"), (REPORT, "49")]
    assert len(ids(date_to=dt.date(2019, 1, 1))) == 3
    assert ids(kind="further_information", committee="Select") == []


NEW_PAPER = """Agenda item

HIGHWAYS MAINTENANCE UPDATE

1.    The Committee heard that 4,212 potholes were repaired on Ashcombe Road.

2.    Resolved: that the Head of Highways report on gully cleaning at the next meeting.
"""


def test_the_register_is_rebuilt_when_papers_change(tmp_path, settings_for, embedder):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "highways.txt").write_text(NEW_PAPER)
    settings = settings_for()
    run_ingest([papers], settings, lambda: embedder, progress=False)
    register = Register(Store(settings))
    [first] = register.records()
    assert (first.kind, first.paragraph, first.owner, first.due) == (
        "resolution", "2", "Head of Highways", "the next meeting")
    assert register.records() is register.records()  # unchanged store: no rebuild
    (papers / "highways.txt").write_text(NEW_PAPER.replace("gully cleaning", "road gritting"))
    run_ingest([papers], settings, lambda: embedder, progress=False)
    [second] = register.records()
    assert "road gritting" in second.text
