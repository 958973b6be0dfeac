"""The register's parts saved at ingest, one file a paper: what they serve equals the register
built from every paragraph, a re-ingest remakes only the changed paper's part, and a store
without them (an older Clerk's) still serves the register, built from its paragraphs."""

import json
import logging
import shutil

from assistant.register import PARTS, Register, build_register
from assistant.store import Store
from ingest.pipeline import run_ingest
from tests.register.corpus_records import RECORD_2018, WEST_SUSSEX

BASE = "https://clerk.example.org"

LATER = """Later minutes

1.    Members noted the feedback given at the staff conference.

2.    The Chairmen reported that lines of communication between the Select Committee, the
Improvement Board and the Safeguarding Children's Board had improved. Meetings are now monthly.

3.    The Director said a survey would test the culture and communications of the Directorate
this spring.
"""

LATER_ROW = """  - file: later-minutes.txt
    council: Surrey County Council
    meeting_date: 2019-03-05
    doc_type: minutes
    title: Later minutes
"""


def assert_same_records(got, want):
    assert [r.id for r in got] == [r.id for r in want]
    for g, w in zip(got, want):
        for field in type(w).model_fields:
            assert getattr(g, field) == getattr(w, field), (w.id, field)


def parts(settings) -> dict[str, int]:
    """The saved part files, by name, with their modification times."""
    return {p.name: p.stat().st_mtime_ns for p in PARTS.folder(Store(settings)).glob("*.json")}


def test_saved_parts_serve_the_register_built_from_every_paragraph(sample_store, caplog):
    store = Store(sample_store)
    assert len(parts(sample_store)) == 5
    with caplog.at_level(logging.INFO, logger="clerk"):
        got = Register(store, BASE).records()
    assert "building the register" not in caplog.text  # read from the files
    assert_same_records(got, build_register(store.all_chunks(), BASE))
    assert all(r.view_url.startswith(f"{BASE}/papers/") for r in got)
    for path in PARTS.folder(store).glob("*.json"):  # the server's address is not saved
        assert "view_url" not in path.read_text() and BASE not in path.read_text()


def test_reingest_of_one_changed_paper_remakes_only_its_part(corpus_copy, settings_for,
                                                             embedder):
    (corpus_copy / "later-minutes.txt").write_text(LATER)
    manifest = corpus_copy / "manifest.yaml"
    manifest.write_text(manifest.read_text() + LATER_ROW)
    settings = settings_for()
    run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    store = Store(settings)
    register = Register(store, BASE)
    before = parts(settings)
    assert len(before) == 6
    assert_same_records(register.records(), build_register(store.all_chunks(), BASE))
    followed = {r.paragraph: r.follow_through.status for r in register.records()
                if r.doc_id == RECORD_2018}
    assert followed["Recommendations 3"] == "followed_up"

    (corpus_copy / "later-minutes.txt").write_text(LATER.replace("lines of communication",
                                                                 "the rota"))
    older = PARTS.folder(store).with_name("v0")  # parts an older Clerk saved
    older.mkdir()
    (older / "part.json").write_text("{}")
    report = run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    assert not older.exists()
    assert (report.updated, report.unchanged) == (1, 5)
    after = parts(settings)
    kept = set(before) & set(after)
    assert len(kept) == 5 and all(before[name] == after[name] for name in kept)  # not rewritten
    [gone], [made] = set(before) - kept, set(after) - kept
    assert gone.split("-")[0] == made.split("-")[0]  # the same paper, a new content hash
    records = register.records()
    assert_same_records(records, build_register(store.all_chunks(), BASE))
    followed = {r.paragraph: r.follow_through.status for r in records if r.doc_id == RECORD_2018}
    assert followed["Recommendations 3"] == "not_mentioned"  # an unchanged paper's follow-through

    (corpus_copy / f"{WEST_SUSSEX}.txt").unlink()
    run_ingest([corpus_copy], settings, lambda: embedder, prune=True, progress=False)
    assert len(parts(settings)) == 5
    records = register.records()
    assert WEST_SUSSEX not in {r.doc_id for r in records}
    assert_same_records(records, build_register(store.all_chunks(), BASE))


def test_a_store_without_saved_parts_builds_the_register_from_its_paragraphs(
        sample_store, tmp_path, settings_for, caplog):
    shutil.copytree(sample_store.data_dir, tmp_path / "data")
    settings = settings_for()
    folder = PARTS.folder(Store(settings))
    one = min(folder.glob("*.json"))  # one part from another format ...
    one.write_text(json.dumps(dict(json.loads(one.read_text()), format=0)))
    store = Store(settings)
    want = build_register(store.all_chunks(), BASE)
    with caplog.at_level(logging.INFO, logger="clerk"):
        assert_same_records(Register(store, BASE).records(), want)
    assert "building the register of 1 of 5 papers from their paragraphs" in caplog.text

    shutil.rmtree(folder.parent)  # ... then none at all, as an older Clerk's store
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="clerk"):
        assert_same_records(Register(store, BASE).records(), want)
    assert caplog.text.count("building the register of 5 of 5 papers") == 1
