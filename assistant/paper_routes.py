"""The papers' routes: the list of indexed papers, a paper as JSON or (for a browser) as its
page, the paper page a citation opens with its quotes marked, and a PDF's pages as printed.
With an API key set, the page and its printed pages open for the key or a signed link."""

import time
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request, Response, Security
from fastapi.responses import HTMLResponse
from pydantic import StringConstraints

from assistant.api_deps import Authorised, Service, api_key_header, has_key
from assistant.errors import PaperError
from assistant.guards import limited
from assistant.models import Paper, PaperSummary
from assistant.pages import render_page
from assistant.papers import (
    MAX_QUOTE,
    MAX_QUOTES,
    page_headers,
    paper_view,
    pdf_source,
    printed_sheets,
    refusal_page,
    render_paper_html,
)
from assistant.security import LinkSigner
from assistant.settings import Settings

Quote = Annotated[str, StringConstraints(max_length=MAX_QUOTE * 2)]


def wants_html(request: Request) -> bool:
    """A browser following a link asks for text/html first; API clients ask for JSON or */*."""
    accept = request.headers.get("accept", "")
    html_at, json_at = accept.find("text/html"), accept.find("application/json")
    return html_at >= 0 and (json_at < 0 or html_at < json_at)


def mount_papers(app: FastAPI, settings: Settings, signer: LinkSigner | None) -> None:
    """Add the papers' routes to the app."""

    @app.get("/papers", dependencies=Authorised, response_model=list[PaperSummary])
    def papers(service: Service, response: Response,
               limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
               offset: Annotated[int, Query(ge=0)] = 0):
        """The indexed papers (oldest meeting first, undated first): id, title, council,
        committee, meeting date, paragraph count. `limit` and `offset` give a page of them;
        the `X-Total-Count` header says how many there are in all."""
        rows = service.papers()
        response.headers["X-Total-Count"] = str(len(rows))
        return rows[offset:None if limit is None else offset + limit]

    @app.get("/papers/{doc_id}", dependencies=Authorised, response_model=Paper,
             responses={200: {"content": {"text/html": {}}}})
    def paper(doc_id: str, request: Request, service: Service):
        """One paper with its labelled paragraphs, in order, so a citation can be read in
        context. A browser (asking for text/html) gets the paper's page, so that
        `/papers/{doc_id}#p-19` is a permanent link to paragraph 19."""
        view = paper_view(service.store, doc_id)
        if view is None:
            raise HTTPException(404, f"no paper '{doc_id}' is indexed")
        if wants_html(request):
            page, style = render_paper_html(view, None)
            return HTMLResponse(page, headers=page_headers(style))
        return view

    def may_read(request: Request, key: str | None, doc_id: str, exp: str | None,
                 sig: str | None) -> bool:
        """With an API key set, a paper's page and its printed pages open for the key or for a
        signed link to that paper (exp, sig), which a browser can follow."""
        return not settings.api_key or has_key(request, key, settings.api_key) \
            or signer.verify(doc_id, exp, sig)

    @app.get("/papers/{doc_id}/view", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[limited("other")])
    def paper_page(doc_id: str, request: Request, service: Service,
                   key: Annotated[str | None, Security(api_key_header)] = None,
                   paragraph: str | None = None,
                   quote: Annotated[list[Quote] | None, Query(max_length=MAX_QUOTES)] = None,
                   exp: str | None = None, sig: str | None = None) -> HTMLResponse:
        """The paper as a page, the quoted words marked (`quote` may be given several times:
        each is marked); for a PDF, the cited page as printed with the quotes' words boxed.
        With an API key set it opens for the key (X-API-Key or Bearer) or for a signed link
        from an answer (exp, sig)."""
        if not may_read(request, key, doc_id, exp, sig):
            why = ("this link has expired" if exp and sig and exp.isdigit()
                   and int(exp) < time.time() else "this page needs the API key or a signed link")
            return HTMLResponse(refusal_page(why), status_code=401, headers=page_headers())
        view = paper_view(service.store, doc_id)
        if view is None:
            return HTMLResponse(refusal_page(f"no paper '{doc_id}' is indexed"),
                                status_code=404, headers=page_headers())
        signed = f"?exp={exp}&sig={sig}" if settings.api_key and exp and sig else ""
        sheets = printed_sheets(service.store, view, doc_id, paragraph, quote, signed)
        page, style = render_paper_html(view, paragraph, quote, sheets)
        return HTMLResponse(page, headers=page_headers(style))

    @app.get("/papers/{doc_id}/pages/{number}", dependencies=[limited("other")],
             responses={200: {"content": {"image/png": {}}}}, response_class=Response)
    def paper_page_image(doc_id: str, number: int, request: Request, service: Service,
                         key: Annotated[str | None, Security(api_key_header)] = None,
                         exp: str | None = None, sig: str | None = None) -> Response:
        """Page `number` (from 1) of a PDF paper as printed, as a PNG image (404 for a paper
        that is not a PDF or whose file this server no longer holds). With an API key set, it
        needs the key or the paper's signed link (exp, sig)."""
        if not may_read(request, key, doc_id, exp, sig):
            raise HTTPException(401, "this page needs the API key or a signed link",
                                headers={"WWW-Authenticate": "Bearer"})
        if service.store.paper_record(doc_id) is None:
            raise HTTPException(404, f"no paper '{doc_id}' is indexed")
        path = pdf_source(service.store, doc_id)
        if path is None:
            raise HTTPException(404, f"paper '{doc_id}' has no PDF on this server")
        try:
            png = render_page(path, number)
        except PaperError as exc:
            raise HTTPException(404, str(exc)) from exc
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=3600"})
