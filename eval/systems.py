"""What the suite scores: a system ranks passages and replies to a question. Clerk is scored
through ClerkService, the same service the API uses."""

from dataclasses import dataclass, field
from typing import Protocol

from assistant.models import AskRequest
from assistant.service import ClerkService


@dataclass(frozen=True)
class Cited:
    """A retrieved or cited passage; ``paragraph`` is None where the system has no labels."""

    doc_id: str | None
    paragraph: str | None
    text: str


@dataclass
class Reply:
    text: str
    abstained: bool
    citations: list[Cited] = field(default_factory=list)
    confidence: float | None = None


class System(Protocol):
    name: str

    def rank(self, question: str, k: int) -> list[Cited]: ...

    def reply(self, question: str) -> Reply: ...


class ClerkSystem:
    """Clerk: hybrid retrieval for the ranking, ClerkService.ask for the answer."""

    name = "Clerk"

    def __init__(self, service: ClerkService):
        self.service = service
        self.paragraphs = paragraph_texts(service)

    def rank(self, question: str, k: int) -> list[Cited]:
        passages = self.service.retriever.search(question, None, k=k)
        return [Cited(p.meta.get("doc_id"), p.meta.get("paragraph"), p.text) for p in passages]

    def reply(self, question: str) -> Reply:
        answer = self.service.ask(AskRequest(question=question))
        cited = [Cited(c.doc_id, c.paragraph, self.paragraphs.get((c.doc_id, c.paragraph), c.quote))
                 for c in answer.citations]
        return Reply(answer.answer, answer.abstained, cited, answer.confidence)


def paragraph_texts(service: ClerkService) -> dict[tuple[str, str], str]:
    """Each paragraph's full text from the store, its over-long parts joined in order."""
    parts: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for chunk in service.store.all_chunks():
        key = (chunk.meta.get("doc_id"), chunk.meta.get("paragraph"))
        parts.setdefault(key, []).append((int(chunk.meta.get("part", 0)), chunk.text))
    return {key: "\n".join(text for _, text in sorted(chunks)) for key, chunks in parts.items()}
