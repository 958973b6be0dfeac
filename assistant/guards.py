"""What stands between the network and the routes: a request id on every request and its log
lines, a body limit that reads no more than it allows (and nothing of an unsigned Slack
request), a timeout on slow bodies, and per-client rate limits (the `limits` library)."""

import asyncio
import json
import logging
import math
import re
import time
import uuid

from fastapi import Depends, HTTPException, Request

from assistant.logs import request_id

log = logging.getLogger("clerk.http")

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


def limited(kind: str):
    async def dependency(request: Request) -> None:
        limits: RateLimits = request.app.state.rate_limits
        limits.check(kind, request.client.host if request.client else "unknown")
    return Depends(dependency)
