"""/mcp under `clerk serve`: the MCP tools over streamable HTTP, stateless, behind the API's
key, and (without a key) only for requests addressed to this machine."""

from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from mcp.server.transport_security import TransportSecuritySettings

from assistant.mcp_server import build_server
from assistant.service import ClerkService
from assistant.settings import Settings

PATH = "/mcp"


def _security(settings: Settings) -> TransportSecuritySettings:
    """With an API key, the key guards /mcp. Without one, only requests addressed to this
    machine (or CLERK_PUBLIC_URL's host) are served, so that a web page cannot reach a local
    server through DNS rebinding."""
    if settings.api_key:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts = ["127.0.0.1", "localhost", "[::1]"]
    origins = [f"http://{h}" for h in hosts]
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        hosts.append(parts.hostname or "")
        origins.append(f"{parts.scheme}://{parts.hostname}")
    return TransportSecuritySettings(
        allowed_hosts=[h for host in hosts for h in (host, f"{host}:*")],
        allowed_origins=[o for origin in origins for o in (origin, f"{origin}:*")])


class _Endpoint:
    """/mcp: the API's key rule (api_deps.require_key), then this lifespan's MCP transport. (An
    object, not a function, so that Starlette serves it as an ASGI app.)"""

    async def __call__(self, scope, receive, send):
        from fastapi import HTTPException
        from starlette.requests import Request
        from starlette.responses import JSONResponse

        from assistant.api_deps import require_key

        request = Request(scope)
        try:
            await require_key(request, request.headers.get("x-api-key"))
        except HTTPException as exc:
            response = JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                    headers=exc.headers)
            return await response(scope, receive, send)
        await request.app.state.mcp(scope, receive, send)


@asynccontextmanager
async def mount_mcp(app, settings: Settings, service: ClerkService):
    """Serve the tools at /mcp (streamable HTTP, stateless, JSON responses) for the app's
    lifetime, behind the same API key as the other routes."""
    from starlette.routing import Route

    server = build_server(lambda: service)
    http = server.streamable_http_app(streamable_http_path=PATH, stateless_http=True,
                                      json_response=True, transport_security=_security(settings))
    app.state.mcp = next(r for r in http.routes if getattr(r, "path", None) == PATH).endpoint
    if not any(getattr(r, "path", None) == PATH for r in app.router.routes):
        app.router.routes.append(Route(PATH, endpoint=_Endpoint(), include_in_schema=False))
    async with server.session_manager.run():
        yield
