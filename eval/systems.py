"""What the suite scores: a system ranks passages and replies to a question. Clerk is scored
through ClerkService, the same service the API uses."""

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from assistant.models import AskRequest
from assistant.service import ClerkService
from assistant.store import Store
from ingest.metadata import doc_id_for


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
    """Clerk: the answer model's ranking of the passages found, ClerkService.ask for the
    answer."""

    name = "Clerk"

    def __init__(self, service: ClerkService,
                 paragraphs: dict[tuple[str, str], str] | None = None):
        self.service = service
        self.paragraphs = paragraphs if paragraphs is not None else paragraph_texts(service.store)

    def rank(self, question: str, k: int) -> list[Cited]:
        passages = self.service.rank(AskRequest(question=question), k)
        return [Cited(p.meta.get("doc_id"), p.meta.get("paragraph"), p.text) for p in passages]

    def reply(self, question: str) -> Reply:
        answer = self.service.ask(AskRequest(question=question))
        cited = [Cited(c.doc_id, c.paragraph, self.paragraphs.get((c.doc_id, c.paragraph), c.quote))
                 for c in answer.citations]
        return Reply(answer.answer, answer.abstained, cited, answer.confidence)


def paragraph_texts(store: Store) -> dict[tuple[str, str], str]:
    """Each paragraph's full text from the store, its over-long parts joined in order."""
    parts: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for chunk in store.all_chunks():
        key = (chunk.meta.get("doc_id"), chunk.meta.get("paragraph"))
        parts.setdefault(key, []).append((int(chunk.meta.get("part", 0)), chunk.text))
    return {key: "\n".join(text for _, text in sorted(chunks)) for key, chunks in parts.items()}


class SourceNamed:
    """A system whose doc_ids are given back as gold sets name papers: by their source file's
    stem. Where ingest gave a second rendering of a paper (same stem, another format) a
    suffixed doc_id, the suffixed id is mapped back, so a gold doc_id matches every ingested
    paper whose source file's stem slugifies to it."""

    def __init__(self, system: System, store: Store):
        self.system = system
        self.name = system.name
        self.aliases = {}
        for doc_id, record in store.paper_records().items():
            stem = doc_id_for(Path(record["source"])) if record.get("source") else doc_id
            if stem != doc_id and doc_id.startswith(stem):
                self.aliases[doc_id] = stem

    def _named(self, cited: list[Cited]) -> list[Cited]:
        return [replace(c, doc_id=self.aliases.get(c.doc_id, c.doc_id)) for c in cited]

    def rank(self, question: str, k: int) -> list[Cited]:
        return self._named(self.system.rank(question, k))

    def reply(self, question: str) -> Reply:
        reply = self.system.reply(question)
        return replace(reply, citations=self._named(reply.citations))
