"""An answer's sources as a reader sees them: one per cited paragraph, listing each quote the
answer took from it under its [n]. The API's `citations` stay one per marker (DESIGN.md); the
fronts (CLI, Slack) group them with this so that a paragraph quoted twice is shown once. The
web page does the same in assistant/web/static/sources.js."""

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from assistant.models import Citation


@dataclass(frozen=True)
class Quote:
    """Words quoted from a paragraph, and every marker that cites them."""

    refs: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Source:
    """One cited paragraph: where it is (`where`, the first citation of it, whose `view_url`
    opens the paragraph with every quote marked) and its quotes, in the order the answer cites
    them."""

    where: Citation
    quotes: tuple[Quote, ...]

    @property
    def refs(self) -> tuple[int, ...]:
        return tuple(r for q in self.quotes for r in q.refs)


def group_sources(citations: list[Citation]) -> list[Source]:
    """The citations grouped by paragraph (paper and label), in the order each paragraph is
    first cited; the same words cited twice are one quote with both markers."""
    groups: dict[tuple[str, str], tuple[list[Citation], dict[str, list[int]]]] = {}
    for c in citations:
        cites, quotes = groups.setdefault((c.doc_id, c.paragraph), ([], {}))
        cites.append(c)
        quotes.setdefault(" ".join(c.quote.split()), []).append(c.ref)
    out = []
    for cites, quotes in groups.values():
        where = cites[0]
        if len(quotes) > 1:
            where = where.model_copy(update={"view_url": with_quotes(
                where.view_url, [c.view_url for c in cites[1:]])})
        out.append(Source(where, tuple(Quote(tuple(refs), text) for text, refs in quotes.items())))
    return out


def with_quotes(view_url: str, others: list[str]) -> str:
    """``view_url`` with the ``quote`` of each link in ``others`` added to its own, once each,
    so that the paper view marks them all. A signed link stays valid: its signature covers the
    paper and the expiry (assistant/security.py), not the quotes."""
    parts = urlsplit(view_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    quoted = [v for k, v in query if k == "quote"]
    for url in others:
        for key, value in parse_qsl(urlsplit(url).query):
            if key == "quote" and value not in quoted:
                quoted.append(value)
                query.append((key, value))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def refs_label(refs: tuple[int, ...]) -> str:
    """`[1]`, or `[1, 2]` for a paragraph or quote that several markers cite."""
    return f"[{', '.join(str(r) for r in refs)}]"
