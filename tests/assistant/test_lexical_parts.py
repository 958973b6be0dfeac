"""The BM25 index's per-paper parts: an ingest tokenizes only the papers that changed, and the
index it publishes equals one built from every chunk of the store."""

import shutil

import numpy as np

from assistant.lexical import Lexical, index_folder
from assistant.lexical_parts import PARTS
from assistant.store import Store
from ingest.pipeline import run_ingest

QUERIES = ["How many case audits had Surrey completed by July 2020?",
           "What did the Select Committee resolve about neglect?", "Ofsted KCC"]


def published_equals_built(store: Store) -> None:
    loaded = Lexical.load(index_folder(store, store.current_version()))
    built = Lexical.build(store.all_chunks(), store.paper_records())
    assert loaded is not None and loaded.ids == built.ids
    assert loaded.idf == built.idf and loaded.lexicon.short_forms == built.lexicon.short_forms
    for q in QUERIES:
        assert np.array_equal(loaded.scores(q), built.scores(q))


def test_a_second_ingest_tokenizes_only_the_new_paper(settings_for, corpus_copy, embedder):
    settings = settings_for()
    papers = sorted(p for p in corpus_copy.iterdir() if p.name != "manifest.yaml")
    held = corpus_copy.parent / "held"
    held.mkdir()
    shutil.move(papers[0], held / papers[0].name)
    run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    store = Store(settings)
    folder = PARTS.folder(store)
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert len(before) == 4
    shutil.move(held / papers[0].name, papers[0])
    report = run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    assert (report.added, report.unchanged) == (1, 4)
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    assert len(after) == 5 and all(after[name] == t for name, t in before.items())
    store.refresh(min_interval=0)
    published_equals_built(store)


def test_papers_without_a_saved_part_are_tokenized_from_the_store(settings_for, corpus_copy,
                                                                  embedder):
    settings = settings_for()
    run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    store = Store(settings)
    for path in sorted(PARTS.folder(store).glob("*.json"))[:2]:
        path.unlink()  # as a store ingested by an older Clerk has none
    from assistant.lexical_parts import corpus

    ids, doc_ids, tokens, defined = corpus(store)
    built = Lexical.build(store.all_chunks(), store.paper_records())
    rebuilt = Lexical.from_tokens(ids, doc_ids, tokens, defined, store.paper_records())
    assert rebuilt.ids == built.ids and rebuilt.idf == built.idf
    assert rebuilt.lexicon.short_forms == built.lexicon.short_forms
    for q in QUERIES:
        assert np.array_equal(rebuilt.scores(q), built.scores(q))
