"""The HTTP API: a thin FastAPI front over the answering service."""

import asyncio
import json
import logging
import math
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import APIKeyHeader

from assistant.errors import BadQuestionError, ClerkError, StoreError
from assistant.logs import log_answer, request_id
from assistant.models import Answer, AskRequest, RegisterQuery, RegisterResponse
from assistant.papers import PAGE_HEADERS, paper_view, render_paper_html
from assistant.security import LinkSigner, same_secret, sign_links
from assistant.service import ClerkService
from assistant.settings import Settings

log = logging.getLogger("clerk.http")

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="Needed when the server sets CLERK_API_KEY.")


_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestContext:
    """Each request gets an id (the caller's X-Request-ID when it is a sane one), which every log
    line of the request carries and the response returns in X-Request-ID; every response says
    nosniff."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", rid.encode()))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


class BodyLimit:
    """Refuse request bodies over the limit with 413, reading at most the limit into memory, and
    bodies that arrive too slowly with 408. Slack's endpoint has its own, smaller limit, and a
    request to it without a well-formed, current Slack signature is refused with 401 before
    any of its body is read."""

    def __init__(self, app, limit: int, slack_limit: int, timeout_s: float,
                 slack_signed: bool, on_refuse=None):
        self.app = app
        self.limit = limit
        self.slack_limit = slack_limit
        self.timeout_s = timeout_s
        self.slack_signed = slack_signed
        self.on_refuse = on_refuse or (lambda why: None)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        slack = scope.get("path", "").startswith("/slack")
        limit = self.slack_limit if slack else self.limit
        headers = dict(scope.get("headers") or [])
        if slack and self.slack_signed and (why := _unsigned(headers)):
            self.on_refuse("bad_signature")
            log.warning("refused a request to %s: %s", scope.get("path"), why,
                        extra={"client": _client(scope), "why": "bad_signature"})
            return await _send_json(send, 401, f"not a Slack request: {why}", close=True)
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(send, limit, int(declared), scope)
        messages, size = [], 0
        try:
            async with asyncio.timeout(self.timeout_s):
                while True:  # bodies are small (the limit is tens of KB): read, count, replay
                    message = await receive()
                    messages.append(message)
                    size += len(message.get("body", b""))
                    if size > limit:
                        return await self._refuse(send, limit, size, scope)
                    if message["type"] != "http.request" or not message.get("more_body"):
                        break
        except TimeoutError:
            self.on_refuse("slow_client")
            log.warning("refused a request to %s: its body did not arrive within %g s",
                        scope.get("path"), self.timeout_s,
                        extra={"client": _client(scope), "why": "slow_client"})
            return await _send_json(send, 408, f"the request body did not arrive within "
                                    f"{self.timeout_s:g} s", close=True)

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send, limit: int, size: int, scope):
        self.on_refuse("body_too_large")
        log.warning("refused a request to %s: body over %s bytes", scope.get("path"),
                    f"{limit:,}", extra={"client": _client(scope), "why": "body_too_large"})
        await _send_json(send, 413, f"request body is over {limit:,} bytes "
                         f"(got at least {size:,}); send a shorter question", close=True)


def _unsigned(headers: dict) -> str | None:
    """Why a request cannot be Slack's, judged from its headers alone; None when it may be."""
    timestamp = headers.get(b"x-slack-request-timestamp", b"")
    signature = headers.get(b"x-slack-signature", b"")
    if not timestamp or not signature:
        return "no X-Slack-Signature and X-Slack-Request-Timestamp headers"
    if not timestamp.isdigit():
        return "X-Slack-Request-Timestamp is not a number"
    if abs(time.time() - int(timestamp)) > 5 * 60:
        return "X-Slack-Request-Timestamp is more than 5 minutes from now"
    if not re.fullmatch(rb"v0=[0-9a-f]{64}", signature):
        return "X-Slack-Signature is not a v0 signature"
    return None


def _client(scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "unknown"


async def _send_json(send, status: int, detail: str, close: bool = False,
                     headers: list | None = None):
    body = json.dumps({"detail": detail}).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:  # the rest of the body is not read: the connection cannot be reused
        head.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": head + (headers or [])})
    await send({"type": "http.response.body", "body": body})


class RateLimits:
    """Per client address, with the `limits` library: a moving window for questions (the costly
    route) and a wider one for every other route that reads papers. 429 with Retry-After."""

    def __init__(self, ask: str, other: str, on_refuse=None):
        from limits import parse
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.items = {"ask": parse(ask) if ask else None, "other": parse(other) if other else None}
        self.on_refuse = on_refuse or (lambda why: None)

    def check(self, kind: str, client: str) -> None:
        item = self.items[kind]
        if item is None or self.limiter.hit(item, kind, client):
            return
        reset, _ = self.limiter.get_window_stats(item, kind, client)
        wait = max(1, math.ceil(reset - time.time()))
        self.on_refuse("rate_limited")
        log.warning("rate limited %s on %s requests (%s)", client, kind, item,
                    extra={"client": client, "why": "rate_limited"})
        raise HTTPException(429, f"too many requests from {client}: the limit is {item}; try "
                            f"again in {wait} s", headers={"Retry-After": str(wait)})


def _limited(kind: str):
    def dependency(request: Request) -> None:
        limits: RateLimits = request.app.state.rate_limits
        limits.check(kind, request.client.host if request.client else "unknown")
    return Depends(dependency)


def get_service(request: Request) -> ClerkService:
    return request.app.state.service


def require_key(request: Request, key: Annotated[str | None, Security(_api_key_header)]) -> None:
    expected = request.app.state.settings.api_key
    if not expected or has_key(request, key, expected):
        return
    raise HTTPException(401, "missing or wrong API key: send it in the X-API-Key header",
                        headers={"WWW-Authenticate": "Bearer"})


def has_key(request: Request, key: str | None, expected: str) -> bool:
    bearer = request.headers.get("authorization", "")
    return same_secret(key, expected) or (bearer[:7].lower() == "bearer "
                                          and same_secret(bearer[7:], expected))


Service = Annotated[ClerkService, Depends(get_service)]
Authorised = [_limited("other"), Depends(require_key)]
AuthorisedAsk = [_limited("ask"), Depends(require_key)]


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
    stale = service.papers_in_other_spaces()
    if stale:
        logging.getLogger("clerk").warning(
            "%d paper(s) were embedded by another backend than this server's '%s'; run clerk "
            "ingest with the same CLERK_EMBED_BACKEND", stale, service.embedder.space)
    return service


def create_app(settings: Settings, service: ClerkService | None = None) -> FastAPI:
    """The app. The service (store and embedding model) opens in the lifespan, not at import."""
    from prometheus_fastapi_instrumentator import Instrumentator

    from assistant.metrics import ClerkMetrics

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = service or open_service(settings)
        # warm up in the background: the search index and the models' first call, so that the
        # first question is not the one that pays for them (/readyz says when it is done)
        import threading

        threading.Thread(target=readiness, args=(app.state.service,), daemon=True,
                         name="clerk-warm-up").start()
        from assistant.slack import mount_slack

        mount_slack(app, settings, app.state.service)
        yield
        if getattr(app.state, "slack", None) is not None:
            app.state.slack.close()

    app = FastAPI(title="Clerk", version="0.1.0", lifespan=lifespan,
                  description="Answers questions about council committee papers. Every answer "
                              "sentence cites the meeting and the paragraph it comes from, or "
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

    @app.post("/ask", response_model=Answer, dependencies=AuthorisedAsk)
    def ask(body: AskRequest, service: Service):
        """Answer a question from the papers. Each sentence of `answer` ends with `[n]`, and
        `citations[n-1]` names the meeting, the paragraph and the exact quote. When the papers
        don't answer it, `abstained` is true and no citation is given. With an API key set,
        each `view_url` is a signed link that opens the paper page without the key until it
        expires (CLERK_LINK_TTL_S)."""
        started = time.perf_counter()
        answer = service.ask(body)
        answered(answer, started, body.question)
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
                        data = sign_links(data, signer)
                    yield f"event: {kind}\ndata: {json.dumps(data)}\n\n"
            except ClerkError as exc:
                log.error("answering failed: %s", exc)
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

    @app.get("/papers/{doc_id}/view", response_class=HTMLResponse, include_in_schema=False,
             dependencies=[_limited("other")])
    def paper_page(doc_id: str, request: Request, service: Service,
                   key: Annotated[str | None, Security(_api_key_header)] = None,
                   paragraph: str | None = None, exp: str | None = None,
                   sig: str | None = None) -> HTMLResponse:
        """The paper as a page, the cited paragraph highlighted. With an API key set it opens
        for the key (X-API-Key or Bearer) or for a signed link from an answer (exp, sig)."""
        if settings.api_key and not has_key(request, key, settings.api_key) \
                and not signer.verify(doc_id, exp, sig):
            why = ("this link has expired" if exp and sig and exp.isdigit()
                   and int(exp) < time.time() else "this page needs the API key or a signed link")
            return HTMLResponse(_refusal_page(why), status_code=401, headers=PAGE_HEADERS)
        view = paper_view(service.store, doc_id)
        if view is None:
            return HTMLResponse(_refusal_page(f"no paper '{doc_id}' is indexed"),
                                status_code=404, headers=PAGE_HEADERS)
        return HTMLResponse(render_paper_html(view, paragraph), headers=PAGE_HEADERS)

    @app.get("/resolutions", response_model=RegisterResponse, dependencies=Authorised)
    def resolutions(params: Annotated[RegisterQuery, Query()], service: Service):
        """The resolutions and actions register: every resolution, recommendation, action and
        "further information to be provided" item in the papers (papers with no printed meeting
        date first, then oldest meeting first). Each record gives its owner and due date where
        the paper prints them (null where it does not), the citation fields of its paragraph
        (`quote` is the record's own text), and its follow-through: the later papers that take
        its subject up, or "no later paper mentions it". Filter with `q` (every word must
        appear), `committee` and `owner` (part of the name), `kind`, and `date_from`/`date_to`
        (YYYY-MM-DD)."""
        records = service.resolutions(params)
        return sign_links(jsonable_encoder(RegisterResponse(records=records,
                                                            count=len(records))), signer)

    @app.get("/healthz")
    def healthz(service: Service) -> dict:
        """Liveness and what is indexed."""
        records = service.store.paper_records()
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


def readiness(service: ClerkService) -> dict[str, dict]:
    """Each readiness check: ok, and what it found or why it failed (one line)."""
    checks: dict[str, dict] = {}

    def check(name, fn):
        started = time.perf_counter()
        try:
            detail = fn()
            checks[name] = {"ok": True, **(detail or {})}
        except Exception as exc:  # noqa: BLE001 - a failed check is reported, not raised
            checks[name] = {"ok": False,
                            "error": f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)

    def model():
        vector = service.embedder.embed(["ready"])[0]
        if not len(vector):
            raise RuntimeError("the embedding model returned an empty vector")
        return {"embedding": service.embedder.space, "answer_model_threshold":
                round(service.threshold, 4)}

    def store():
        return {"papers": len(service.store.paper_records())}

    def indexes():
        service.retriever.lexical()  # rebuilt now if another process ingested since
        built, current = service.retriever.built_version, service.store.version()
        if built != current:
            raise RuntimeError("the search index is older than the store's papers")
        return {"version": current[:12]}

    check("model", model)
    check("store", store)
    if checks["store"]["ok"]:
        check("indexes", indexes)
    else:
        checks["indexes"] = {"ok": False, "error": "the store is unreachable"}
    return checks


def _refusal_page(why: str) -> str:
    import html

    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Clerk</title>"
            f"</head><body><main><h1>Clerk</h1><p>{html.escape(why[:1].upper() + why[1:])}. "
            "Open the paper from a new answer in Clerk, or ask whoever runs Clerk for the API "
            "key.</p><p><a href='/'>Ask Clerk</a></p></main></body></html>")
