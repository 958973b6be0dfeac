"""Clerk as Model Context Protocol tools: `clerk mcp` over stdio, and /mcp (streamable HTTP)
under `clerk serve` (assistant/mcp_http.py). A thin front over the answering service, like the
API and the Slack bot: each tool's result is the service's own model as structured content,
and the same citations as text a person (or a client model) reads (assistant/mcp_results.py)."""

import datetime as dt
import logging
from collections.abc import Callable
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field, ValidationError

from assistant import __version__
from assistant.answer import view_url
from assistant.errors import ClerkError
from assistant.mcp_results import (
    Paper,
    PaperList,
    Paragraph,
    Passage,
    Register,
    SearchResult,
    answer_text,
    papers_text,
    paragraph_text,
    passages_text,
    register_text,
    tool_result,
)
from assistant.models import (
    Answer,
    AskRequest,
    Filters,
    RecordKind,
    RegisterQuery,
)
from assistant.papers import paper_view
from assistant.service import ClerkService
from assistant.settings import Settings

INSTRUCTIONS = (
    "Clerk answers from council committee papers (minutes and officer reports). Every result "
    "names the meeting, the paragraph label as the paper prints it, the exact quote and a link. "
    "When you use a result, quote the paper's words and cite the meeting, its date and the "
    "paragraph label (with the link where you can show one); never paraphrase a "
    "resolution, a recommendation or an action: quote it. When Clerk says the papers don't say, "
    "say so; do not answer from elsewhere.")

_CITE = (" Quote the `quote` fields word for word and cite meeting, date and paragraph with the "
         "link; never paraphrase a resolution.")

_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                             open_world_hint=False)

# Filter arguments shared by ask, search_papers and list_papers (as in Filters).
Committee = Annotated[str | None, Field(description="Only papers of committees whose name "
                                        "contains this (case-insensitive).", max_length=200)]
Council = Annotated[str | None, Field(description="Only papers of councils whose name contains "
                                      "this.", max_length=200)]
DateFrom = Annotated[dt.date | None, Field(description="Meetings on or after this date "
                                           "(YYYY-MM-DD); papers with no printed date are left "
                                           "out.")]
DateTo = Annotated[dt.date | None, Field(description="Meetings on or before this date "
                                         "(YYYY-MM-DD).")]
DocType = Annotated[str | None, Field(description="minutes, report, ...", max_length=40)]


def _filters(**values) -> Filters:
    try:
        return Filters(**values)
    except ValidationError as exc:
        raise ToolError(describe(exc)) from exc


def _label_key(label: str) -> str:
    return " ".join(label.lower().split())


def describe(exc: ValidationError) -> str:
    """A bad argument in one line: 'date_from: Input should be a valid date ...'."""
    return "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'arguments'}: "
                     f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())


class _Server(MCPServer):
    async def call_tool(self, name, arguments, context=None):
        """A bad argument is the tool's error in one line, not pydantic's report."""
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(f"bad arguments for {name}: {describe(exc.__cause__)}") from None
            raise


def build_server(service: Callable[[], ClerkService]) -> MCPServer:
    """The MCP server; ``service`` gives the answering service (opened by the caller)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    mcp = _Server("clerk", title="Clerk", instructions=INSTRUCTIONS, version=__version__,
                  description="Answers questions about council committee papers, citing the "
                              "meeting and the paragraph.")
    # MCPServer configures the root logger (logging.basicConfig); Clerk's fronts keep their own.
    root.handlers[:] = handlers
    root.setLevel(level)

    def run(fn, *args):
        """Clerk's own errors (a question too long, the store down) as the tool's error."""
        try:
            return fn(*args)
        except ClerkError as exc:
            raise ToolError(str(exc)) from exc

    @mcp.tool(annotations=_READ_ONLY, description=(
        "Answer a question from the committee papers. Each sentence of `answer` ends with [n]; "
        "citations[n-1] gives the meeting (title, committee, council, meeting_date), the "
        "paragraph label, the exact quote and links (view_url: Clerk's view of the paragraph; "
        "url: the paper's source). When the papers don't answer it, `abstained` is true and "
        "`reason` says why: then tell the user the papers don't say." + _CITE))
    def ask(question: Annotated[str, Field(description="The question, in plain words.",
                                           min_length=1)],
            committee: Committee = None, council: Council = None, date_from: DateFrom = None,
            date_to: DateTo = None, doc_type: DocType = None) -> Annotated[CallToolResult, Answer]:
        filters = _filters(committee=committee, council=council, date_from=date_from,
                           date_to=date_to, doc_type=doc_type)
        try:
            request = AskRequest(question=question, filters=filters)
        except ValidationError as exc:
            raise ToolError(describe(exc)) from exc
        answer = run(service().ask, request)
        return tool_result(answer, answer_text(answer))

    @mcp.tool(annotations=_READ_ONLY, description=(
        "Search the papers for passages about a subject, best first: each passage with its "
        "paper, meeting, paragraph label, text (`quote`) and links. Use it to find what the "
        "papers say before asking, or to see more than an answer cites; then get_paragraph reads "
        "a whole paragraph." + _CITE))
    def search_papers(query: Annotated[str, Field(description="Words or a question.",
                                                  min_length=1, max_length=2000)],
                      committee: Committee = None, council: Council = None,
                      date_from: DateFrom = None, date_to: DateTo = None,
                      doc_type: DocType = None,
                      limit: Annotated[int, Field(description="How many passages.", ge=1,
                                                  le=25)] = 8
                      ) -> Annotated[CallToolResult, SearchResult]:
        if not query.strip():
            raise ToolError("the query is empty")
        filters = _filters(committee=committee, council=council, date_from=date_from,
                           date_to=date_to, doc_type=doc_type)
        clerk = service()
        found = run(clerk.rank, AskRequest(question=query, filters=filters), limit)
        base = clerk.settings.public_url or ""
        passages = [Passage(doc_id=m["doc_id"], title=m.get("title"), doc_type=m.get("doc_type"),
                            council=m.get("council"), committee=m.get("committee"),
                            meeting_date=m.get("meeting_date"), paragraph=m.get("paragraph", ""),
                            quote=p.text, url=m.get("url") or m.get("source"),
                            view_url=view_url(base, m["doc_id"], m.get("paragraph", "")),
                            page=m.get("page"), heading=m.get("heading"))
                    for p in found for m in [p.meta]]
        result = SearchResult(query=query, passages=passages, count=len(passages))
        return tool_result(result, passages_text(result))

    @mcp.tool(annotations=_READ_ONLY, description=(
        "List the indexed papers (doc_id, title, council, committee, meeting date, type, "
        "paragraph count), oldest meeting first, optionally filtered. The doc_id is what "
        "get_paragraph takes."))
    def list_papers(committee: Committee = None, council: Council = None,
                    date_from: DateFrom = None, date_to: DateTo = None,
                    doc_type: DocType = None) -> Annotated[CallToolResult, PaperList]:
        filters = _filters(committee=committee, council=council, date_from=date_from,
                           date_to=date_to, doc_type=doc_type)
        clerk = service()
        rows = run(clerk.papers)
        allowed = run(clerk.retriever.doc_ids_for, filters)
        papers = [Paper(**r) for r in rows if allowed is None or r["doc_id"] in allowed]
        result = PaperList(papers=papers, count=len(papers))
        return tool_result(result, papers_text(result))

    @mcp.tool(annotations=_READ_ONLY, description=(
        "Read one paragraph in full, by paper (its doc_id, from list_papers or a citation) and "
        "the paragraph label as the paper prints it ('19', '12.3', 'Resolved 1'); with the "
        "labels of the paragraphs before and after it, to read on." + _CITE))
    def get_paragraph(paper: Annotated[str, Field(description="The paper's doc_id.",
                                                  min_length=1, max_length=300)],
                      label: Annotated[str, Field(description="The paragraph label.",
                                                  min_length=1, max_length=200)]
                      ) -> Annotated[CallToolResult, Paragraph]:
        clerk = service()
        view = run(paper_view, clerk.store, paper.strip())
        if view is None:
            raise ToolError(f"no paper '{paper}' is indexed; list_papers gives the doc_ids")
        paras = view["paragraphs"]
        i = next((i for i, p in enumerate(paras) if p["label"] == label), None)
        if i is None:
            i = next((i for i, p in enumerate(paras)
                      if _label_key(p["label"]) == _label_key(label)), None)
        if i is None:
            labels = [p["label"] for p in paras]
            shown = ", ".join(labels[:60]) + (", ..." if len(labels) > 60 else "")
            raise ToolError(f"paper '{view['doc_id']}' has no paragraph '{label}'; its "
                            f"paragraphs are: {shown}")
        p = paras[i]
        para = Paragraph(doc_id=view["doc_id"], title=view.get("title"),
                         doc_type=view.get("doc_type"), council=view.get("council"),
                         committee=view.get("committee"), meeting_date=view.get("meeting_date"),
                         paragraph=p["label"], quote=p["text"], url=view.get("url"),
                         view_url=view_url(clerk.settings.public_url or "", view["doc_id"],
                                           p["label"]),
                         page=p.get("page"), heading=p.get("heading"),
                         previous=paras[i - 1]["label"] if i > 0 else None,
                         next=paras[i + 1]["label"] if i + 1 < len(paras) else None)
        return tool_result(para, paragraph_text(para))

    @mcp.tool(annotations=_READ_ONLY, description=(
        "The resolutions and actions register: what committees resolved, recommended, asked "
        "to be done (action) or asked to be told (further_information), oldest meeting first. "
        "Each record gives its exact text, owner and due date where the paper prints them "
        "(null where it does not: say 'not named' / 'not printed', never guess), its citation, "
        "and its follow-through in later papers. Quote `text` word for word: never paraphrase "
        "a resolution."))
    def resolutions(q: Annotated[str | None, Field(description="Words the record, its owner or "
                                                   "its paper's title must all contain.",
                                                   max_length=500)] = None,
                    committee: Committee = None,
                    owner: Annotated[str | None, Field(description="Part of the owner's name "
                                                       "or role.", max_length=200)] = None,
                    kind: Annotated[RecordKind | None, Field(description="Only records of "
                                                             "this kind.")] = None,
                    date_from: DateFrom = None, date_to: DateTo = None,
                    limit: Annotated[int, Field(description="How many records to return.",
                                                ge=1, le=200)] = 50
                    ) -> Annotated[CallToolResult, Register]:
        query = RegisterQuery(q=q, committee=committee, owner=owner, kind=kind,
                              date_from=date_from, date_to=date_to)
        records = run(service().resolutions, query)
        result = Register(records=records[:limit], count=len(records))
        return tool_result(result, register_text(result))

    return mcp


def serve_stdio(settings: Settings) -> None:
    """`clerk mcp`: the tools on stdin/stdout. The service opens first, so that a bad model or
    store is one line on stderr rather than a server that fails every call."""
    from assistant.api import open_service

    service = open_service(settings)
    build_server(lambda: service).run("stdio")
