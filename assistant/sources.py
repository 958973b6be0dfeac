"""An answer's sources as a reader sees them: one per cited paragraph, listing each quote the
answer took from it under its [n]. The API's `citations` stay one per marker (DESIGN.md); the
fronts (CLI, Slack) group them with this so that a paragraph quoted twice is shown once. The
web page does the same in assistant/web/static/sources.js."""

from dataclasses import dataclass

from assistant.models import Citation


@dataclass(frozen=True)
class Quote:
    """Words quoted from a paragraph, and every marker that cites them."""

    refs: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Source:
    """One cited paragraph: where it is (`where`, the first citation of it) and its quotes,
    in the order the answer cites them."""

    where: Citation
    quotes: tuple[Quote, ...]

    @property
    def refs(self) -> tuple[int, ...]:
        return tuple(r for q in self.quotes for r in q.refs)


def group_sources(citations: list[Citation]) -> list[Source]:
    """The citations grouped by paragraph (paper and label), in the order each paragraph is
    first cited; the same words cited twice are one quote with both markers."""
    groups: dict[tuple[str, str], tuple[Citation, dict[str, list[int]]]] = {}
    for c in citations:
        _, quotes = groups.setdefault((c.doc_id, c.paragraph), (c, {}))
        quotes.setdefault(" ".join(c.quote.split()), []).append(c.ref)
    return [Source(where, tuple(Quote(tuple(refs), text) for text, refs in quotes.items()))
            for where, quotes in groups.values()]


def refs_label(refs: tuple[int, ...]) -> str:
    """`[1]`, or `[1, 2]` for a paragraph or quote that several markers cite."""
    return f"[{', '.join(str(r) for r in refs)}]"
