"""Slack front (slack-bolt): @mentions, direct messages and `/clerk`, answered in the thread
with citations and 👍/👎. How it is run: HTTP mode mounted at /slack/events in the API
(`mount_slack`), or Socket Mode with `clerk slack`. Without Slack settings, /slack/events
answers 503 with a reason. The listeners are in slack_app.py, what they do in slack_clerk.py."""

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import click
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import BoltResponse
from slack_sdk.errors import SlackApiError

from assistant.errors import ClerkError
from assistant.logs import request_id
from assistant.settings import Settings, get_settings
from assistant.slack_app import SlackRuntime, build_bolt_app
from assistant.slack_delivery import one_line, slack_signature_ok

__all__ = ["build_bolt_app", "mount_slack", "slack_command"]

log = logging.getLogger("clerk.slack")

ACK_WAIT_S = 2.5  # Slack wants its answer within 3 s


def mount_slack(app: FastAPI, settings: Settings, service) -> None:
    """POST /slack/events: Slack's requests for the Bolt app, or 503 with what is missing.

    The signature is checked on the raw body first (401, one log line); a body that is not what
    Slack sends gets 400 (one log line). An event is acknowledged at once and handed to a small
    pool of Clerk's own threads, so neither a slow answer nor a slow Slack holds the ack or the
    threads that /ask runs on; a slash command or button waits for its ack text at most 2.5 s."""
    if any(getattr(r, "path", None) == "/slack/events" for r in app.router.routes):
        return
    needed = (("CLERK_SLACK_SIGNING_SECRET", settings.slack_signing_secret),
              ("CLERK_SLACK_BOT_TOKEN", settings.slack_bot_token))
    missing = [name for name, value in needed if not value]
    if missing:
        @app.post("/slack/events", include_in_schema=False)
        async def slack_not_configured():
            return JSONResponse({"detail": "Slack is not configured on this server: set "
                                 "CLERK_SLACK_SIGNING_SECRET and CLERK_SLACK_BOT_TOKEN "
                                 f"(missing: {', '.join(missing)})"}, status_code=503)
        return

    from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response

    metrics = getattr(app.state, "metrics", None)
    runtime = SlackRuntime(settings, service, metrics)
    bolt = build_bolt_app(settings, service, runtime=runtime)
    runtime.start()
    pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="clerk-slack")
    in_flight = threading.BoundedSemaphore(64)

    class Running:
        def close(self):
            runtime.close()
            pool.shutdown(wait=False, cancel_futures=True)

    app.state.slack = Running()
    app.state.slack_outbox = runtime.outbox
    log.info("Slack events are answered at /slack/events")

    def refuse(status: int, why: str, request: Request, detail: str) -> JSONResponse:
        if metrics is not None:
            metrics.refused.labels("bad_signature" if status == 401 else "bad_request").inc()
        client = f"{request.client.host}:{request.client.port}" if request.client else "unknown"
        log.warning("refused a request to /slack/events: %s", why,
                    extra={"client": client, "why": "bad_signature" if status == 401
                           else "bad_request"})
        return JSONResponse({"detail": detail}, status_code=status)

    def dispatch(bolt_request):
        token = request_id.set(rid_of(bolt_request))
        try:
            return bolt.dispatch(bolt_request)
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            log.error("Slack request failed: %s", one_line(exc))
            return BoltResponse(status=200, body="")
        finally:
            in_flight.release()
            request_id.reset(token)

    def rid_of(bolt_request) -> str | None:
        body = bolt_request.body if isinstance(bolt_request.body, dict) else {}
        return body.get("event_id") or request_id.get()

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request):
        body = await request.body()  # at most CLERK_SLACK_MAX_BODY_BYTES (BodyLimit)
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not slack_signature_ok(settings.slack_signing_secret, body, timestamp, signature):
            return refuse(401, "the Slack signature does not match", request,
                          "invalid request signature")
        try:
            text = body.decode("utf-8")
            bolt_request = to_bolt_request(request, text.encode())
            if not isinstance(bolt_request.body, dict) or not bolt_request.body:
                raise ValueError("the body is not a JSON object or form")
        except Exception as exc:  # noqa: BLE001 - signed but malformed
            return refuse(400, f"signed but malformed body: {one_line(exc)}", request,
                          "the body is not a Slack event, command or action")
        if not in_flight.acquire(blocking=False):
            log.warning("Slack request refused: 64 are being handled already")
            return JSONResponse({"detail": "busy; Slack will retry"}, status_code=503)
        future = pool.submit(dispatch, bolt_request)
        if bolt_request.body.get("type") == "event_callback":
            return Response(status_code=200)  # ack first, always: the answer follows
        try:
            response = await asyncio.wait_for(asyncio.wrap_future(future), ACK_WAIT_S)
        except TimeoutError:
            log.warning("a Slack request's ack took over %g s; acknowledged empty", ACK_WAIT_S)
            return Response(status_code=200)
        return to_starlette_response(response)


@click.command("slack")
def slack_command() -> None:
    """Run the Slack app in Socket Mode: no public URL needed (CLERK_SLACK_APP_TOKEN)."""
    settings = get_settings()
    missing = [name for name, value in (("CLERK_SLACK_BOT_TOKEN", settings.slack_bot_token),
                                        ("CLERK_SLACK_APP_TOKEN", settings.slack_app_token))
               if not value]
    if missing:
        raise click.ClickException(
            f"Socket Mode needs {' and '.join(missing)}: the bot token (xoxb-...) from OAuth & "
            "Permissions and an app-level token (xapp-...) with connections:write")
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant.service import ClerkService

    try:
        service = ClerkService(settings)
        runtime = SlackRuntime(settings, service)
        handler = SocketModeHandler(build_bolt_app(settings, service, socket_mode=True,
                                                   runtime=runtime), settings.slack_app_token)
        runtime.start()
        click.echo("Clerk is connecting to Slack in Socket Mode; Ctrl-C stops it.", err=True)
        handler.start()
    except ClerkError as exc:
        raise click.ClickException(str(exc)) from exc
    except SlackApiError as exc:
        raise click.ClickException(f"Slack refused the connection: "
                                   f"{exc.response.get('error')}") from exc
