"""The answering service: one store, one retriever, one answerer. Every front calls this."""

from dataclasses import dataclass
from functools import cached_property

from assistant.embedder import BUNDLED, Embedder, make_embedder
from assistant.errors import BadQuestionError
from assistant.models import Answer, AskRequest, Filters, RegisterQuery, RegisterRecord
from assistant.question_context import (
    answer_entities,
    cited_papers,
    named_papers,
    retrieval_query,
)
from assistant.retrieve import Passage, Retriever, tokenize
from assistant.scorer import MODEL_PATH, AnswerModel, load_model
from assistant.settings import Settings
from assistant.store import Store
from assistant.understand import Reading, read_question


def held(records: dict[str, dict]) -> str:
    """What is indexed, as an abstention says it: "12 papers from 3 councils"."""
    councils = len({r["council"] for r in records.values() if r.get("council")})
    return f"{len(records)} paper{'s' * (len(records) != 1)}" + (
        f" from {councils} council{'s' * (councils != 1)}" if councils else "")


@dataclass
class Evidence:
    query: str  # the question, with the earlier turn when it follows one up
    reading: Reading
    passages: list[Passage]
    vectors: dict  # text -> its vector: what was embedded to search, embedded once


class ClerkService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 store: Store | None = None):
        self.settings = settings
        self.store = store or Store(settings)
        self.embedder = embedder or make_embedder(settings)
        self.retriever = Retriever(self.store, self.embedder)
        from assistant.answer import VectorCache

        self.unit_vectors = VectorCache(self.embedder)
        from assistant.unit_vectors import StoredUnitVectors

        self.stored_units = StoredUnitVectors(self.store, self.embedder.space)
        # questions answered at once: more only queue (waiting costs no memory, while each
        # answer in flight holds the model's working buffers: 40 at once took 2.3 GB)
        import os
        import threading

        self.max_answers = settings.max_concurrent_answers or max(4, 2 * (os.cpu_count() or 1))
        self.answering = threading.BoundedSemaphore(self.max_answers)
        from assistant.suggester import Suggester

        self.suggester = Suggester(self.store, lambda: self.register)

    def warm(self) -> None:
        """Load at start what the first question would otherwise wait for: the lexical index
        (saved by ingest), the paper records, Chroma's vector index and the embedder's first
        run."""
        self.retriever.lexical()
        self.store.records()
        # a full batch of paragraph-long texts: the runtime's buffers grow to their working size
        self.embedder.embed(["The committee considered the report and agreed it. " * 8] * 8)
        vector = self.embedder.embed(["warm up"])[0]
        if self.store.count():
            self.store.query(vector, 1)

    @cached_property
    def model(self) -> AnswerModel:
        return load_model(self.settings.answer_model or MODEL_PATH)

    @cached_property
    def threshold(self) -> float:
        if self.settings.abstain_threshold is not None:
            return self.settings.abstain_threshold
        return self.model.threshold_for(self.embedder.space)

    def papers_in_other_spaces(self, records: dict[str, dict] | None = None) -> int:
        """Papers whose vectors another embedding backend made (``clerk ingest`` with this
        server's CLERK_EMBED_BACKEND re-embeds them); their search scores are a little off."""
        records = self.store.records() if records is None else records
        return sum(1 for r in records.values()
                   if r.get("embedding", BUNDLED) != self.embedder.space)

    def answerer_extractive(self, known: dict | None = None):
        """Built per call so that the IDF table follows newly ingested papers; ``known`` holds
        the vectors of texts already embedded for this question (the question, searched)."""
        from assistant.answer import ExtractiveAnswerer

        lexical = self.retriever.lexical()
        return ExtractiveAnswerer(self.embedder, lexical.idf, lexical.default_idf, self.model,
                                  self.threshold, self.settings.public_url or "",
                                  cache=self.unit_vectors, known=known,
                                  stored=self.stored_units)

    def answerer(self, known: dict | None = None):
        """Extractive by default; the LLM when one is configured."""
        extractive = self.answerer_extractive(known)
        match (self.settings.llm_base_url, self.settings.llm_model):
            case (str(), str()):
                from assistant.llm import LLMAnswerer

                return LLMAnswerer(self.settings, extractive)
            case _:
                return extractive

    def check(self, request: AskRequest) -> None:
        """Refuse a question whose reading would cost more than any real question does: the
        work grows with its words (every word is looked up, spelled against the papers' names
        and matched against each candidate sentence)."""
        limit = self.settings.max_question_chars
        if len(request.question) > limit:
            raise BadQuestionError(f"the question is {len(request.question):,} characters; "
                                   f"the limit is {limit:,}")
        words, most = len(request.question.split()), self.settings.max_question_words
        if words > most:
            raise BadQuestionError(f"the question is {words:,} words; the limit is {most:,}: "
                                   "ask it in fewer words")

    def evidence(self, request: AskRequest) -> Evidence:
        """The question as read, and the passages to answer from: the best of all the papers
        the filters allow, with the best of the papers the question names (its council,
        committee or meeting) or the previous answer cited, when there are such papers."""
        query = retrieval_query(request.question, request.conversation,
                                self.settings.max_question_words)
        lexical = self.retriever.lexical()
        reading = read_question(query, lexical.lexicon, tokenize, lexical.best_in)
        searched = " ".join([reading.query, *answer_entities(request.question,
                                                             request.conversation)])
        vector = self.embedder.embed([searched])[0]
        k = self.settings.top_k
        passages = self.retriever.search(searched, request.filters, k=k, query_vector=vector)
        seen = {p.chunk.id for p in passages}
        vectors = {searched: vector}

        def add(found: list[Passage]) -> None:
            for p in found:
                if p.chunk.id not in seen:
                    seen.add(p.chunk.id)
                    p.rank = len(passages)
                    passages.append(p)

        named = named_papers(reading, lexical.lexicon)
        for within in (named, cited_papers(request.question, request.conversation)):
            if within:
                add(self.retriever.search(searched, request.filters, k=k // 2,
                                          query_vector=vector, within=within))
        # each part of a two-part question searched on its own too (within the papers the
        # question names, when it names some): the second part's paragraph may share few words
        # with the whole question
        from assistant.answer import question_parts

        parts = question_parts(request.question)
        if len(parts) > 1:
            texts = [" ".join([part, *reading.expansions]) for part in parts]
            for text, vec in zip(texts, self.embedder.embed(texts), strict=True):
                vectors[text] = vec
                add(self.retriever.search(text, request.filters, k=k // 2, query_vector=vec,
                                          within=named or None))
        return Evidence(query, reading, passages, vectors)

    def rank(self, request: AskRequest, k: int) -> list[Passage]:
        """The passages in the order the answer model puts them (a passage by its best
        sentence), then the rest of the search's, to k."""
        ev = self.evidence(request)
        ranked = self.answerer_extractive(ev.vectors).score(request.question, ev.passages,
                                                  ev.query.removesuffix(request.question).strip(),
                                                  ev.reading)
        order = {c.passage.chunk.id: c.passage for c in ranked}
        for p in ev.passages + self.retriever.search(
                ev.reading.query, request.filters, k=k, query_vector=ev.vectors.get(ev.reading.query)):
            order.setdefault(p.chunk.id, p)
        return list(order.values())[:k]

    def why_not(self, request: AskRequest) -> Answer | None:
        """An abstention that says why when nothing could be searched: nothing is indexed, or
        the filters leave no paper."""
        records = self.store.records()
        if not records:
            return Answer(answer="No papers are indexed yet, so there is nothing to answer "
                          "from.", abstained=True, reason="nothing_indexed")
        if self.retriever.doc_ids_for(request.filters) == []:
            asked = " and ".join(f"{k.replace('_', ' ')} '{v}'"
                                 for k, v in request.filters.model_dump().items() if v)
            return Answer(answer=f"No paper matches {asked} ({held(records)} are indexed).",
                          abstained=True, reason="no_papers_match_filters")
        return None

    def not_indexed(self, ev: Evidence) -> Answer | None:
        """An abstention that says why when the question names a council no indexed paper
        mentions ("…at Kent County Council"): whatever the search found is another council's."""
        if not ev.reading.unknown:
            return None
        named = " or ".join(ev.reading.unknown)
        return Answer(answer=f"No indexed paper mentions {named} ({held(self.store.records())} "
                      "are indexed), so the papers I have don't say.", abstained=True,
                      reason="not_in_papers")

    def ask(self, request: AskRequest) -> Answer:
        self.check(request)
        if (unanswerable := self.why_not(request)) is not None:
            return unanswerable
        with self.answering:
            ev = self.evidence(request)
            if (unanswerable := self.not_indexed(ev)) is not None:
                return unanswerable
            answer = self.answerer(ev.vectors).answer(request.question, ev.query, ev.passages,
                                                      ev.reading)
        return self.with_suggestions(request.question, answer)

    def with_suggestions(self, question: str, answer: Answer) -> Answer:
        """The answer with questions to ask next, from the papers it cites."""
        return self.suggester.suggest(question, answer)

    def ask_text(self, question: str, filters: Filters | None = None) -> Answer:
        return self.ask(AskRequest(question=question, filters=filters or Filters()))

    def papers(self) -> list[dict]:
        records = self.store.paper_records()
        fields = ("doc_id", "title", "council", "committee", "meeting_date", "doc_type", "url",
                  "paragraphs")
        from assistant.answer import published_url

        rows = [{**{k: r.get(k) for k in fields}, "url": published_url(r)}
                for r in records.values()]
        return sorted(rows, key=lambda r: (r["meeting_date"] or "", r["doc_id"]))

    def ask_stream(self, request: AskRequest):
        """(event, payload) pairs: text deltas as they are verified, then the final answer."""
        self.check(request)
        if (answer := self.why_not(request)) is None:
            with self.answering:
                ev = self.evidence(request)
                answerer = self.answerer(ev.vectors)
                answer = self.not_indexed(ev)
                if answer is None and not hasattr(answerer, "stream"):
                    answer = answerer.answer(request.question, ev.query, ev.passages,
                                             ev.reading)
            if answer is None:  # an LLM streams outside the limit: it waits on the network
                for event, payload in answerer.stream(request.question, ev.query, ev.passages,
                                                      ev.reading):
                    yield event, (self.with_suggestions(request.question, payload)
                                  if event == "answer" else payload)
                return
        yield "delta", {"text": answer.answer}
        yield "answer", self.with_suggestions(request.question, answer)

    # -- the resolutions and actions register ------------------------------------------------
    @cached_property
    def register(self):
        from assistant.register import Register

        return Register(self.store, self.settings.public_url or "")

    def resolutions(self, query: RegisterQuery) -> list[RegisterRecord]:
        """What committees resolved, recommended or asked for, filtered."""
        from assistant.register import filter_records

        return filter_records(self.register.records(), query)
