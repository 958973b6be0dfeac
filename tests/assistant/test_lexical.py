"""The lexical index off the request path: ingest saves it beside the store under the change
marker it writes last; a reader loads it, and it scores exactly as one built from the store."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from assistant.lexical import Lexical, index_folder, load_or_build
from assistant.retrieve import Retriever, top_indices
from assistant.store import Store
from ingest.pipeline import run_ingest
from tests.conftest import CORPUS

QUERIES = ["How many case audits had Surrey completed by July 2020?",
           "What did the Select Committee resolve about neglect?", "Ofsted inspection 2018",
           "zzz-no-such-word"]


@given(arrays(np.float32, st.integers(0, 300),
              elements=st.sampled_from([0.0, 0.0, 0.5, 1.0, 1.25, 2.0, 3.5])),
       st.integers(1, 50))
def test_top_indices_picks_what_a_stable_full_sort_picks(scores, n):
    expected = np.argsort(-scores, kind="stable")[:n]
    assert sorted(top_indices(scores, n).tolist()) == sorted(expected.tolist())


def test_ingest_saves_the_index_a_reader_loads_and_it_scores_as_one_built(sample_store):
    store = Store(sample_store)
    version = store.current_version()
    folder = index_folder(store, version)
    assert (folder / "lexical.json").exists() and not store.needs_publishing()
    loaded = Lexical.load(folder)
    built = Lexical.build(store.all_chunks(), store.paper_records())
    assert loaded is not None and loaded.ids == built.ids
    for q in QUERIES:
        assert np.array_equal(loaded.scores(q), built.scores(q))
    assert loaded.idf == built.idf and loaded.default_idf == built.default_idf
    assert loaded.vocab == built.vocab
    for field in ("vocab", "short_forms", "name_words", "names", "name_count", "bodies"):
        assert getattr(loaded.lexicon, field) == getattr(built.lexicon, field), field
    doc = built.ids[0].split("::")[0]
    assert np.array_equal(loaded.mask([doc]), built.mask([doc])) and built.mask([doc]).any()
    # what a reader gets is the saved one, not a rebuild
    assert load_or_build(store, version).ids == loaded.ids


def test_search_gives_the_same_passages_from_a_saved_or_a_built_index(sample_store, embedder):
    store = Store(sample_store)
    saved = Retriever(store, embedder)
    built = Retriever(store, embedder)
    built._lexical = Lexical.build(store.all_chunks(), store.paper_records())
    version = store.current_version()
    built._version = saved._version = version  # keep the built one in place
    saved._lexical = load_or_build(store, version)
    for q in QUERIES[:3]:
        a, b = saved.search(q), built.search(q)
        assert [(p.chunk.id, p.score, p.dense, p.lexical, p.text) for p in a] == \
               [(p.chunk.id, p.score, p.dense, p.lexical, p.text) for p in b]
        assert a and all(p.text and p.meta.get("doc_id") for p in a)


def test_a_killed_ingest_is_published_by_the_next_one(settings_for, embedder):
    settings = settings_for()
    run_ingest([CORPUS], settings, lambda: embedder, progress=False)
    store = Store(settings)
    first = store.current_version()
    assert not store.needs_publishing()
    record = store.paper_records()
    doc_id = sorted(record)[0]
    store.delete_paper(doc_id)  # as a killed ingest leaves it: written, marker not moved
    assert store.needs_publishing()
    report = run_ingest([CORPUS], settings, lambda: embedder, progress=False)
    assert report.added == 1
    reader = Store(settings)
    assert reader.current_version() != first and not reader.needs_publishing()
    assert doc_id in reader.records()
    assert sorted(p.name for p in index_folder(reader, "x").parent.iterdir()) == \
        [reader.current_version()]  # earlier markers' indexes removed


def test_a_reader_notices_a_new_marker_and_not_before(settings_for, embedder):
    settings = settings_for()
    run_ingest([CORPUS], settings, lambda: embedder, progress=False)
    reader = Store(settings)
    assert len(reader.records()) == 5
    writer = Store(settings)
    writer.delete_paper(sorted(writer.paper_records())[0])
    assert not reader.refresh(min_interval=0) and len(reader.records()) == 5
    from assistant.lexical import publish

    publish(writer)
    assert reader.refresh(min_interval=0) and len(reader.records()) == 4
