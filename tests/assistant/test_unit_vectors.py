"""The answer units' vectors saved at ingest: the answerer reads them instead of embedding the
candidate sentences, falls back to embedding where a store has none, and a pruned or changed
paper's file goes with it."""

import shutil

import numpy as np
import pytest

from assistant.models import AskRequest
from assistant.service import ClerkService
from assistant.store import Store
from assistant.unit_vectors import PARTS, StoredUnitVectors, chunk_units
from ingest.pipeline import run_ingest

QUESTION = "How many case audits had Surrey completed by July 2020?"


class Watching:
    """The real embedder, with every text it is asked to embed written down; ``only`` (when
    set) refuses any other text, as if the model were unavailable for it."""

    def __init__(self, embedder):
        self.embedder, self.name, self.space = embedder, embedder.name, embedder.space
        self.texts: list[str] = []
        self.only: set[str] | None = None

    def embed(self, texts):
        if self.only is not None and set(texts) - self.only:
            raise RuntimeError(f"embedding refused: {sorted(set(texts) - self.only)[:2]}")
        self.texts += texts
        return self.embedder.embed(texts)


@pytest.fixture
def ingested(settings_for, corpus_copy, embedder):
    settings = settings_for()
    report = run_ingest([corpus_copy], settings, lambda: embedder, progress=False)
    assert report.failed == 0
    return settings


def test_ingest_saves_every_chunks_units_with_their_vectors(ingested, embedder):
    store = Store(ingested)
    assert len(list(PARTS.folder(store).glob("*.json"))) == 5
    chunks = store.all_chunks()
    saved = StoredUnitVectors(store, embedder.space).vectors(chunks)
    expected = {(c.id, d) for c in chunks for d in chunk_units(c.text)}
    assert set(saved) == expected
    some = sorted(expected)[:20]
    fresh = embedder.embed([d for _, d in some])
    cosines = [float(np.dot(saved[key].astype(np.float32), v)) for key, v in zip(some, fresh)]
    assert min(cosines) > 0.999  # float16 of the same model's vector


def test_an_answer_embeds_the_question_only(ingested, embedder):
    watching = Watching(embedder)
    service = ClerkService(ingested, embedder=watching)
    request = AskRequest(question=QUESTION)
    searched = service.evidence(request).reading.query
    watching.texts.clear()
    watching.only = {searched}  # the model refuses every candidate sentence and paragraph
    answer = service.ask(request)
    assert not answer.abstained and "1088" in answer.answer
    assert watching.texts == [searched]  # embedded once, for the search and the answer alike


def test_a_store_without_saved_vectors_still_answers_alike(ingested, embedder):
    with_saved = ClerkService(ingested, embedder=embedder).ask_text(QUESTION)
    store = Store(ingested)
    shutil.rmtree(PARTS.folder(store))  # as a store an older Clerk ingested has none
    watching = Watching(embedder)
    answer = ClerkService(ingested, embedder=watching).ask_text(QUESTION)
    assert len(watching.texts) > 1  # the candidate sentences were embedded at question time
    assert answer.answer == with_saved.answer
    assert [c.quote for c in answer.citations] == [c.quote for c in with_saved.citations]


def test_vectors_of_another_embedding_space_are_not_used(ingested, embedder):
    store = Store(ingested)
    assert StoredUnitVectors(store, embedder.space + "+other").vectors(store.all_chunks()) == {}


def test_an_ingest_saves_the_vectors_an_older_clerks_store_lacks(ingested, corpus_copy,
                                                                 embedder):
    store = Store(ingested)
    folder = PARTS.folder(store)
    for path in sorted(folder.glob("*.json"))[:2]:
        path.unlink()
    report = run_ingest([corpus_copy], ingested, lambda: embedder, progress=False)
    assert report.unchanged == 5
    assert len(list(folder.glob("*.json"))) == 5


def test_pruning_a_paper_removes_its_vectors(ingested, corpus_copy, embedder):
    store = Store(ingested)
    folder = PARTS.folder(store)
    before = {p.name for p in folder.glob("*.json")}
    gone = sorted(p for p in corpus_copy.iterdir() if p.suffix == ".txt")[0]
    gone.unlink()
    report = run_ingest([corpus_copy], ingested, lambda: embedder, prune=True, progress=False)
    assert report.removed == 1
    after = {p.name for p in folder.glob("*.json")}
    assert len(after) == 4 and after < before


def test_a_changed_paper_gets_new_vectors_and_its_old_ones_go(ingested, corpus_copy, embedder):
    store = Store(ingested)
    folder = PARTS.folder(store)
    before = {p.name for p in folder.glob("*.json")}
    changed = sorted(p for p in corpus_copy.iterdir() if p.suffix == ".txt")[1]
    changed.write_text(changed.read_text() + "\n\nThe committee noted a further update.\n")
    report = run_ingest([corpus_copy], ingested, lambda: embedder, progress=False)
    assert report.updated == 1
    after = {p.name for p in folder.glob("*.json")}
    assert len(after) == 5 and len(after - before) == 1 and len(before - after) == 1


def test_lexical_only_passages_take_their_stored_vectors(ingested, embedder):
    watching = Watching(embedder)
    service = ClerkService(ingested, embedder=watching)
    query = "1088 audits"
    vector = embedder.embed([query])[0]
    watching.only = set()  # nothing may be embedded: the query's vector is given
    service.retriever.candidates = 2  # few dense hits: BM25 finds passages the dense side missed
    passages = service.retriever.search(query, k=8, query_vector=vector)
    store = Store(ingested)
    stored = store.vectors([p.chunk.id for p in passages])
    assert len(passages) > 2 and watching.texts == []  # some found by BM25 alone
    for p in passages:
        assert p.dense == pytest.approx(float(np.dot(stored[p.chunk.id], vector)), abs=1e-5)
