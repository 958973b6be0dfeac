"""The answering service: one store, one retriever, one answerer. Every front calls this."""

import json
import re
from functools import cached_property
from pathlib import Path

from assistant.embedder import BUNDLED, Embedder, make_embedder
from assistant.errors import BadQuestionError
from assistant.models import Answer, AskRequest, Filters, RegisterQuery, RegisterRecord, Turn
from assistant.retrieve import Retriever
from assistant.settings import Settings
from assistant.store import Store

CALIBRATION = Path(__file__).resolve().parent.parent / "eval" / "calibration.json"
DEFAULT_THRESHOLD = 0.40
_FOLLOW_UP = re.compile(r"^(and|but|also|what about|how about|so)\b|\b(it|its|they|them|their|"
                        r"that|this|those|these|he|she|his|her|there|then)\b", re.I)


def calibrated_threshold(path: Path = CALIBRATION, space: str = BUNDLED) -> float:
    """The threshold calibrated for this embedding space, else the bundled model's."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return DEFAULT_THRESHOLD
    if not isinstance(data, dict):
        return DEFAULT_THRESHOLD
    spaces = data.get("spaces") if isinstance(data.get("spaces"), dict) else {}
    for entry in (spaces.get(space), data):
        try:
            return float(entry["threshold"])
        except (KeyError, TypeError, ValueError):
            continue
    return DEFAULT_THRESHOLD


def retrieval_query(question: str, conversation: list[Turn]) -> str:
    """A follow-up ("and what did they resolve about it?") is read against the last question."""
    earlier = [t.content for t in conversation if t.role == "user"]
    if earlier and (_FOLLOW_UP.search(question) or len(question.split()) <= 4):
        return f"{earlier[-1]} {question}"
    return question


class ClerkService:
    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 store: Store | None = None):
        self.settings = settings
        self.store = store or Store(settings)
        self.embedder = embedder or make_embedder(settings)
        self.retriever = Retriever(self.store, self.embedder)
        from assistant.answer import VectorCache

        self.unit_vectors = VectorCache(self.embedder)

    @cached_property
    def threshold(self) -> float:
        if self.settings.abstain_threshold is not None:
            return self.settings.abstain_threshold
        return calibrated_threshold(space=self.embedder.space)

    def papers_in_other_spaces(self, records: dict[str, dict] | None = None) -> int:
        """Papers whose vectors another embedding backend made (``clerk ingest`` with this
        server's CLERK_EMBED_BACKEND re-embeds them); their search scores are a little off."""
        records = self.store.paper_records() if records is None else records
        return sum(1 for r in records.values()
                   if r.get("embedding", BUNDLED) != self.embedder.space)

    def answerer(self):
        """Extractive by default; the LLM when one is configured. Built per call so that the
        IDF table follows newly ingested papers."""
        from assistant.answer import ExtractiveAnswerer

        lexical = self.retriever.lexical()
        extractive = ExtractiveAnswerer(self.embedder, lexical.idf, lexical.default_idf,
                                        self.threshold, self.settings.public_url or "",
                                        cache=self.unit_vectors)
        match (self.settings.llm_base_url, self.settings.llm_model):
            case (str(), str()):
                from assistant.llm import LLMAnswerer

                return LLMAnswerer(self.settings, extractive)
            case _:
                return extractive

    def check(self, request: AskRequest) -> None:
        limit = self.settings.max_question_chars
        if len(request.question) > limit:
            raise BadQuestionError(f"the question is {len(request.question):,} characters; "
                                   f"the limit is {limit:,}")

    def _evidence(self, request: AskRequest) -> tuple[str, list]:
        """The retrieval query (a follow-up read with its context) and the passages found."""
        query = retrieval_query(request.question, request.conversation)
        return query, self.retriever.search(query, request.filters, k=self.settings.top_k)

    def ask(self, request: AskRequest) -> Answer:
        self.check(request)
        from_register = self.register_answer(request)
        if from_register is not None:
            return from_register
        query, passages = self._evidence(request)
        return self.answerer().answer(request.question, query, passages)

    def ask_text(self, question: str, filters: Filters | None = None) -> Answer:
        return self.ask(AskRequest(question=question, filters=filters or Filters()))

    def papers(self) -> list[dict]:
        records = self.store.paper_records()
        fields = ("doc_id", "title", "council", "committee", "meeting_date", "doc_type", "url",
                  "paragraphs")
        rows = [{k: r.get(k) for k in fields} for r in records.values()]
        return sorted(rows, key=lambda r: (r["meeting_date"] or "", r["doc_id"]))

    def ask_stream(self, request: AskRequest):
        """(event, payload) pairs: text deltas as they are verified, then the final answer."""
        self.check(request)
        from_register = self.register_answer(request)
        if from_register is not None:
            yield "delta", {"text": from_register.answer}
            yield "answer", from_register
            return
        query, passages = self._evidence(request)
        answerer = self.answerer()
        if hasattr(answerer, "stream"):
            yield from answerer.stream(request.question, query, passages)
            return
        answer = answerer.answer(request.question, query, passages)
        yield "delta", {"text": answer.answer}
        yield "answer", answer

    # -- the resolutions and actions register ------------------------------------------------
    @cached_property
    def register(self):
        from assistant.register import Register

        return Register(self.store, self.settings.public_url or "")

    def resolutions(self, query: RegisterQuery) -> list[RegisterRecord]:
        """What committees resolved, recommended or asked for, filtered."""
        from assistant.register import filter_records

        return filter_records(self.register.records(), query)

    def register_answer(self, request: AskRequest) -> Answer | None:
        """A question about what was resolved or asked for, answered from the register when
        one record matches it well (within the request's filters); None otherwise."""
        from assistant.register import register_answer, wants_register

        if not wants_register(request.question):
            return None
        allowed = self.retriever.doc_ids_for(request.filters)
        records = [r for r in self.register.records() if allowed is None or r.doc_id in allowed]
        lexical = self.retriever.lexical()
        return register_answer(request.question, records, lexical.idf, lexical.default_idf)
