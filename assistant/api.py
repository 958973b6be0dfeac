"""The HTTP API: a thin FastAPI front over the answering service."""

import json
import logging
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader

from assistant.errors import BadQuestionError, ClerkError, StoreError
from assistant.models import Answer, AskRequest, RegisterQuery, RegisterResponse
from assistant.papers import paper_view, render_paper_html
from assistant.service import ClerkService
from assistant.settings import Settings

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="Needed when the server sets CLERK_API_KEY.")


class BodyLimit:
    """Refuse request bodies over the limit with 413, reading at most the limit into memory."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path", "").startswith("/slack"):
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send, int(declared))
        messages, size = [], 0
        while True:  # bodies are small (the limit is tens of KB): read, count, then replay
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                return await self._refuse(send, size)
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send, size: int):
        body = json.dumps({"detail": f"request body is over {self.limit:,} bytes "
                           f"(got at least {size:,}); send a shorter question"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def get_service(request: Request) -> ClerkService:
    return request.app.state.service


def require_key(request: Request, key: Annotated[str | None, Security(_api_key_header)]) -> None:
    expected = request.app.state.settings.api_key
    if not expected:
        return
    bearer = request.headers.get("authorization", "")
    if key == expected or bearer == f"Bearer {expected}":
        return
    raise HTTPException(401, "missing or wrong API key: send it in the X-API-Key header",
                        headers={"WWW-Authenticate": "Bearer"})


Service = Annotated[ClerkService, Depends(get_service)]
Authorised = [Depends(require_key)]


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field"
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def open_service(settings: Settings) -> ClerkService:
    """The service, with a warning when papers were embedded by another backend."""
    service = ClerkService(settings)
    service.warm()
    stale = service.papers_in_other_spaces()
    if stale:
        logging.getLogger("clerk").warning(
            "%d paper(s) were embedded by another backend than this server's '%s'; run clerk "
            "ingest with the same CLERK_EMBED_BACKEND", stale, service.embedder.space)
    return service


def create_app(settings: Settings, service: ClerkService | None = None) -> FastAPI:
    """The app. The service (store and embedding model) opens in the lifespan, not at import."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = service or open_service(settings)
        from assistant.slack import mount_slack

        mount_slack(app, settings, app.state.service)
        yield

    app = FastAPI(title="Clerk", version="0.1.0", lifespan=lifespan,
                  description="Answers questions about council committee papers. Every answer "
                              "sentence cites the meeting and the paragraph it comes from, or "
                              "Clerk says plainly that the papers don't say.")
    app.state.settings = settings
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    from assistant.web import mount_web

    mount_web(app)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": _describe(exc)}, status_code=422)

    @app.exception_handler(BadQuestionError)
    async def _bad_question(request: Request, exc: BadQuestionError):
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(StoreError)
    async def _store(request: Request, exc: StoreError):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(ClerkError)
    async def _clerk(request: Request, exc: ClerkError):
        return JSONResponse({"detail": str(exc)}, status_code=502)

    @app.post("/ask", response_model=Answer, dependencies=Authorised)
    def ask(body: AskRequest, service: Service) -> Answer:
        """Answer a question from the papers. Each sentence of `answer` ends with `[n]`, and
        `citations[n-1]` names the meeting, the paragraph and the exact quote. When the papers
        don't answer it, `abstained` is true and no citation is given."""
        return service.ask(body)

    @app.post("/ask/stream", dependencies=Authorised,
              responses={200: {"content": {"text/event-stream": {}}}})
    def ask_stream(body: AskRequest, service: Service) -> StreamingResponse:
        """The same answer as server-sent events: `delta` events carry text as it is verified
        (sentence by sentence with an LLM, the whole answer at once otherwise), then one
        `answer` event carries the final answer with its citations, then `done`."""
        service.check(body)
        events = service.ask_stream(body)

        def sse() -> Iterator[str]:
            try:
                for kind, payload in events:
                    yield f"event: {kind}\ndata: {json.dumps(jsonable_encoder(payload))}\n\n"
            except ClerkError as exc:
                yield f"event: error\ndata: {json.dumps({'detail': str(exc)})}\n\n"
            yield "event: done\ndata: {}\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    @app.get("/papers", dependencies=Authorised)
    def papers(service: Service) -> list[dict]:
        """The indexed papers: id, title, council, committee, meeting date, paragraph count."""
        return service.papers()

    @app.get("/papers/{doc_id}", dependencies=Authorised)
    def paper(doc_id: str, service: Service) -> dict:
        """One paper with its labelled paragraphs, in order, so a citation can be read in
        context."""
        view = paper_view(service.store, doc_id)
        if view is None:
            raise HTTPException(404, f"no paper '{doc_id}' is indexed")
        return view

    @app.get("/papers/{doc_id}/view", response_class=HTMLResponse, include_in_schema=False)
    def paper_page(doc_id: str, service: Service, paragraph: str | None = None) -> HTMLResponse:
        view = paper_view(service.store, doc_id)
        if view is None:
            raise HTTPException(404, f"no paper '{doc_id}' is indexed")
        return HTMLResponse(render_paper_html(view, paragraph))

    @app.get("/resolutions", response_model=RegisterResponse, dependencies=Authorised)
    def resolutions(params: Annotated[RegisterQuery, Query()], service: Service
                    ) -> RegisterResponse:
        """The resolutions and actions register: every resolution, recommendation, action and
        "further information to be provided" item in the papers (papers with no printed meeting
        date first, then oldest meeting first). Each record gives its owner and due date where
        the paper prints them (null where it does not), the citation fields of its paragraph
        (`quote` is the record's own text), and its follow-through: the later papers that take
        its subject up, or "no later paper mentions it". Filter with `q` (every word must
        appear), `committee` and `owner` (part of the name), `kind`, and `date_from`/`date_to`
        (YYYY-MM-DD)."""
        records = service.resolutions(params)
        return RegisterResponse(records=records, count=len(records))

    @app.get("/healthz")
    def healthz(service: Service) -> dict:
        """Liveness and what is indexed."""
        records = service.store.records()
        return {"status": "ok", "papers": len(records),
                "paragraphs": sum(int(r.get("paragraphs", 0)) for r in records.values()),
                "store": "server" if service.store.server_mode else "embedded",
                "embedding": service.embedder.space,
                "papers_embedded_otherwise": service.papers_in_other_spaces(records),
                "answerer": "llm" if settings.llm_base_url and settings.llm_model
                else "extractive"}

    return app
