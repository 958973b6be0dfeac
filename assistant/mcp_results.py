"""What Clerk's MCP tools return: each result as a model (the tool's structured content) and
as the same citations in text, which a person or a client model reads."""

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from assistant.models import Answer, CitedParagraph, RegisterRecord


class Passage(CitedParagraph):
    """A searched passage: `quote` is its text (a whole paragraph, or part of a long one)."""

    heading: str | None = None


class SearchResult(BaseModel):
    query: str
    passages: list[Passage]
    count: int


class Paper(BaseModel):
    doc_id: str
    title: str | None = None
    council: str | None = None
    committee: str | None = None
    meeting_date: str | None = Field(None, description="null when the paper prints none.")
    doc_type: str | None = None
    url: str | None = None
    paragraphs: int | None = None


class PaperList(BaseModel):
    papers: list[Paper]
    count: int


class Paragraph(CitedParagraph):
    """One paragraph in full: `quote` is its whole text."""

    heading: str | None = None
    previous: str | None = Field(None, description="The label of the paragraph before it.")
    next: str | None = Field(None, description="The label of the paragraph after it.")


class Register(BaseModel):
    records: list[RegisterRecord]
    count: int = Field(description="How many records match; `records` holds the first `limit`.")


def link(c: CitedParagraph) -> str:
    """Clerk's view of the paragraph when it has a public address, else the paper's source."""
    if c.view_url.startswith(("http://", "https://")) or not c.url:
        return c.view_url
    return c.url


def where(c: CitedParagraph) -> str:
    meeting = c.title or c.doc_id
    body = c.committee or c.council
    date = c.meeting_date or "date not printed"
    return f"{meeting} ({', '.join(x for x in (body, date) if x)}), paragraph {c.paragraph}"


def answer_text(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.citations:
        lines.append("")
    for c in answer.citations:
        lines += [f"[{c.ref}] {where(c)}", f'    "{c.quote}"', f"    {link(c)}"]
    return "\n".join(lines)


def passages_text(result: SearchResult) -> str:
    if not result.passages:
        return f"No passage matches '{result.query}'."
    return "\n\n".join(f"{i}. {where(p)}\n\"{p.quote}\"\n{link(p)}"
                       for i, p in enumerate(result.passages, 1))


def papers_text(result: PaperList) -> str:
    if not result.papers:
        return "No paper matches."
    rows = [f"{p.doc_id}: {p.title or '-'} ({p.council or '-'}; {p.committee or '-'}; "
            f"{p.meeting_date or 'date not printed'}; {p.doc_type or '-'}; "
            f"{p.paragraphs or 0} paragraphs)" for p in result.papers]
    return "\n".join(rows + [f"{result.count} paper{'s' if result.count != 1 else ''}"])


def paragraph_text(p: Paragraph) -> str:
    return f"{where(p)}\n\"{p.quote}\"\n{link(p)}"


def register_text(result: Register) -> str:
    out = []
    for r in result.records:
        out.append("\n".join([
            f"{r.kind.replace('_', ' ')}: {where(r)}", f'"{r.text}"',
            f"Owner: {r.owner or 'not named'}; due: {r.due or 'not printed'}",
            f"Follow-through: {r.follow_through.summary}", link(r)]))
    shown = len(result.records)
    more = f" (the first {shown} shown)" if shown < result.count else ""
    out.append(f"{result.count} record{'s' if result.count != 1 else ''}{more}")
    return "\n\n".join(out)


def tool_result(model: BaseModel, text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(text=text)],
                          structured_content=model.model_dump(mode="json"))
