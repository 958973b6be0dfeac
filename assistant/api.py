"""The HTTP API: a thin FastAPI front over the answering service. The app factory and the
answering, register and health routes are here; the papers' routes are in
assistant/paper_routes.py, what routes depend on (the service, the API key) in
assistant/api_deps.py."""

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi_offline import FastAPIOffline

from assistant.api_deps import (
    Authorised,
    AuthorisedAsk,
    Service,
    require_key,
)
from assistant.errors import BadQuestionError, ClerkError, StoreError
from assistant.guards import BodyLimit, RateLimits, RequestContext
from assistant.health import readiness
from assistant.kept import keep_answer, mount_kept
from assistant.logs import log_answer
from assistant.models import Answer, AskRequest, Health, RegisterPage, RegisterResponse
from assistant.paper_routes import mount_papers
from assistant.register_view import RegisterRows, register_rows
from assistant.security import LinkSigner, sign_links
from assistant.service import ClerkService
from assistant.settings import Settings

log = logging.getLogger("clerk.http")


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field"
        parts.append(f"{where}: {msg}")
    return "; ".join(parts)


def open_service(settings: Settings, warm: bool = True) -> ClerkService:
    """The service: its store opened and its embedding model loaded (so that a bad store or
    model fails at once), with a warning when papers were embedded by another backend; warmed
    up too unless ``warm`` is False (a server warms up in the background, so that its port
    opens at once)."""
    service = ClerkService(settings)
    stale = service.papers_in_other_spaces()
    if stale:
        logging.getLogger("clerk").warning(
            "%d paper(s) were embedded by another backend than this server's '%s'; run clerk "
            "ingest with the same CLERK_EMBED_BACKEND", stale, service.embedder.space)
    if warm:
        warm_up(service)
    return service


def warm_up(service: ClerkService) -> None:
    """What the first question and the first register read would otherwise wait for."""
    try:
        service.warm()
        service.register.records()
        service.suggester.shared_names()  # what suggestions read: every heading
    except Exception:  # /readyz reports what is wrong; the server stays up
        logging.getLogger("clerk").exception(
            "warming up failed; the first question will load what is missing")


def create_app(settings: Settings, service: ClerkService | None = None) -> FastAPI:
    """The app. The service (store and embedding model) opens in the lifespan, not at import."""
    from prometheus_fastapi_instrumentator import Instrumentator

    from assistant.metrics import ClerkMetrics

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = service or open_service(settings, warm=False)
        from assistant.slack import mount_slack

        mount_slack(app, settings, app.state.service)
        from assistant.mcp_http import mount_mcp

        async with mount_mcp(app, settings, app.state.service):
            # warm up in the background as the port opens (started last, so that it does not
            # slow the start): the search index, the paper records, the models' first calls,
            # then the register; the first question is not the one that pays for them
            # (/readyz says when what questions need is loaded)
            import threading

            threading.Thread(target=warm_up, args=(app.state.service,), daemon=True,
                             name="clerk-warm-up").start()
            yield
        if getattr(app.state, "slack", None) is not None:
            app.state.slack.close()

    # /docs and /redoc from the assets fastapi-offline bundles: no CDN, so they work offline
    # and on a council network that blocks third-party scripts.
    app = FastAPIOffline(title="Clerk", version="0.1.0", lifespan=lifespan,
                         favicon_url="/static/favicon.svg",
                         description="Answers questions about council committee papers. Every "
                         "answer sentence cites the meeting and the paragraph it comes from, or "
                         "Clerk says plainly that the papers don't say.")
    app.state.settings = settings
    app.state.service = service
    app.state.slack = None
    metrics = ClerkMetrics(lambda: app.state.service, settings)
    app.state.metrics = metrics

    def refused(why: str) -> None:
        metrics.refused.labels(why).inc()

    app.state.rate_limits = RateLimits(settings.rate_limit_ask, settings.rate_limit, refused)
    signer = LinkSigner(settings.api_key, settings.link_ttl_s) if settings.api_key else None
    app.state.signer = signer
    # outermost last: request id, then metrics, then the body limit
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       slack_limit=settings.slack_max_body_bytes,
                       timeout_s=settings.body_timeout_s,
                       slack_signed=bool(settings.slack_signing_secret
                                         and settings.slack_bot_token), on_refuse=refused)
    Instrumentator(registry=metrics.registry, excluded_handlers=["^/metrics$"],
                   should_group_untemplated=True).instrument(app)
    app.add_middleware(RequestContext)
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
        log.error("store error: %s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(ClerkError)
    async def _clerk(request: Request, exc: ClerkError):
        log.error("answering failed: %s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=502)

    def answered(answer: Answer, started: float, question: str, front: str = "api") -> None:
        seconds = time.perf_counter() - started
        metrics.answered(front, answer, seconds)
        log_answer(answer, seconds, question if settings.log_questions else None, front=front)

    slots: dict[str, asyncio.Semaphore] = {}

    @app.post("/ask", response_model=Answer, dependencies=AuthorisedAsk)
    async def ask(body: AskRequest, service: Service):
        """Answer a question from the papers. Each sentence of `answer` ends with `[n]`, and
        `citations[n-1]` names the meeting, the paragraph and the exact quote. When the papers
        don't answer it, `abstained` is true and no citation is given. With `keep`, the answer
        is kept under `answer_id` for votes and links. With an API key set,
        each `view_url` is a signed link that opens the paper page without the key until it
        expires (CLERK_LINK_TTL_S)."""
        started = time.perf_counter()
        # a question waits for an answer slot here, holding no thread: the threads stay free
        # for /healthz, /readyz and the other routes however many questions queue
        slot = slots.setdefault("ask", asyncio.Semaphore(service.max_answers))
        async with slot:
            answer = await run_in_threadpool(service.ask, body)
        answered(answer, started, body.question)
        if body.keep:
            answer = await run_in_threadpool(keep_answer, settings, body.question, answer)
        return sign_links(jsonable_encoder(answer), signer)

    @app.post("/ask/stream", dependencies=AuthorisedAsk,
              responses={200: {"content": {"text/event-stream": {}}}})
    def ask_stream(body: AskRequest, service: Service) -> StreamingResponse:
        """The same answer as server-sent events: `delta` events carry text as it is verified
        (sentence by sentence with an LLM, the whole answer at once otherwise), then one
        `answer` event carries the final answer with its citations, then `done`."""
        started = time.perf_counter()
        service.check(body)
        events = service.ask_stream(body)

        def sse() -> Iterator[str]:
            try:
                for kind, payload in events:
                    data = jsonable_encoder(payload)
                    if kind == "answer":
                        answered(payload, started, body.question)
                        if body.keep:
                            data = jsonable_encoder(keep_answer(settings, body.question, payload))
                        data = sign_links(data, signer)
                    yield f"event: {kind}\ndata: {json.dumps(data)}\n\n"
            except ClerkError as exc:
                log.error("answering failed: %s", exc)
                yield f"event: error\ndata: {json.dumps({'detail': str(exc)})}\n\n"
            yield "event: done\ndata: {}\n\n"

        return StreamingResponse(sse(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})

    mount_kept(app, settings, signer, Authorised)

    mount_papers(app, settings, signer)

    @app.get("/resolutions", response_model=RegisterResponse, dependencies=Authorised)
    def resolutions(params: Annotated[RegisterPage, Query()], service: Service):
        """The resolutions and actions register: every resolution, recommendation, action and
        "further information to be provided" item in the papers (papers with no printed meeting
        date first, then oldest meeting first). Each record gives its owner and due date where
        the paper prints them (null where it does not), the citation fields of its paragraph
        (`quote` is the record's own text), and its follow-through: the later papers that take
        its subject up, or "no later paper mentions it". Filter with `q` (every word must
        appear), `committee` and `owner` (part of the name), `kind`, and `date_from`/`date_to`
        (YYYY-MM-DD). `limit` and `offset` give a page of the matching records; `total` says
        how many match."""
        records = service.resolutions(params)
        page = records[params.offset:None if params.limit is None
                       else params.offset + params.limit]
        return sign_links(jsonable_encoder(RegisterResponse(records=page, count=len(page),
                                                            total=len(records))), signer)

    @app.get("/register/rows", response_model=RegisterRows, dependencies=Authorised)
    def register_table(params: Annotated[RegisterPage, Query()], service: Service):
        """The register page's rows: the records /resolutions gives for the same filters, each
        with its text shortened, its meeting date as written, its printed due text read as a
        date against the meeting's date (`due_date`, null when it names none), and a `status`:
        "followed up" (a later paper takes its subject up), "overdue" (the due date has passed
        with no later mention), "due" (the due date is to come) or "no later mention"."""
        records = service.resolutions(params)
        page = records[params.offset:None if params.limit is None
                       else params.offset + params.limit]
        rows = register_rows(page, dt.date.today())
        return sign_links(jsonable_encoder(RegisterRows(rows=rows, count=len(rows),
                                                        total=len(records))), signer)

    @app.get("/healthz", response_model=Health)
    def healthz(service: Service):
        """Liveness and what is indexed."""
        records = service.store.records()
        return {"status": "ok", "papers": len(records),
                "paragraphs": sum(int(r.get("paragraphs", 0)) for r in records.values()),
                "store": "server" if service.store.server_mode else "embedded",
                "embedding": service.embedder.space,
                "papers_embedded_otherwise": service.papers_in_other_spaces(records),
                "answerer": "llm" if settings.llm_base_url and settings.llm_model
                else "extractive"}

    @app.get("/readyz", responses={503: {"description": "Not ready; `checks` says why."}})
    def readyz(service: Service) -> JSONResponse:
        """Ready to answer: the embedding and answer models are loaded, the store answers, and
        the search indexes are built from the store's current papers. 503 with the failing
        check otherwise (a load balancer sends no questions until it is 200)."""
        checks = readiness(service)
        ready = all(c["ok"] for c in checks.values())
        return JSONResponse({"status": "ready" if ready else "not_ready", "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics", dependencies=[Depends(require_key)], include_in_schema=False)
    def prometheus_metrics() -> Response:
        """Prometheus metrics (needs the API key when one is set: Bearer in the scrape
        config)."""
        import os

        from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

        registry = metrics.registry
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # several workers: their counters summed
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            registry.register(metrics.store_collector)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
