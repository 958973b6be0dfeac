"""Slack front (slack-bolt): @mentions, direct messages and `/clerk`, answered in the thread
with citations and 👍/👎. HTTP mode is mounted at /slack/events in the API; Socket Mode runs
with `clerk slack`. Without Slack settings, /slack/events answers 503 with a reason."""

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import click
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.alerts import Alerts, command_reply
from assistant.errors import ClerkError
from assistant.feedback import AnswerLog, record_vote
from assistant.logs import log_answer, request_id
from assistant.models import Answer, AskRequest, Turn
from assistant.security import LinkSigner, sign_links
from assistant.settings import Settings, get_settings
from assistant.slack_blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_REASON,
    FEEDBACK_UP,
    SeenEvents,
    answer_blocks,
    clip,
    escape,
    fallback_text,
    message_blocks,
    plain_text,
    reason_of,
    reason_view,
    thread_turns,
    view_values,
)
from assistant.slack_delivery import (
    SORRY,
    BotIdentity,
    Outbox,
    one_line,
    post,
    send_response,
    slack_signature_ok,
    web_client,
)
from assistant.slack_home import publish_home
from assistant.slack_slash import answer_in_thread as answer_command_in_thread

log = logging.getLogger("clerk.slack")

HELP = ("Ask me about the committee papers, for example: _How many case audits had Surrey "
        "completed by July 2020?_ Mention me in a channel, message me directly, or use "
        "`/clerk your question`. Mention me again in the thread to follow up. "
        "`/clerk subscribe committee NAME` (or `council NAME`, or a topic) posts a digest of "
        "new papers to this channel.")


THINKING = "eyes"  # the reaction on a question while Clerk reads the papers


def cannot_answer(reason: str) -> str:
    return f"Sorry, I can't answer that as asked: {escape(reason)}."


class SlackClerk:
    """What the listeners do, apart from Slack's wiring: ask the service, render, remember."""

    def __init__(self, settings: Settings, service, outbox: "Outbox | None" = None,
                 metrics=None):
        self.settings = settings
        self.service = service
        self.answers = AnswerLog(settings.data_dir)
        self.outbox = outbox or Outbox(settings)
        self.metrics = metrics
        self.signer = (LinkSigner(settings.api_key, settings.link_ttl_s) if settings.api_key
                       else None)

    def ask(self, question: str, conversation: list[Turn]) -> Answer:
        started = time.perf_counter()
        answer = self.service.ask(AskRequest(question=question, conversation=conversation))
        seconds = time.perf_counter() - started
        if self.metrics is not None:
            self.metrics.answered("slack", answer, seconds)
        log_answer(answer, seconds, question if self.settings.log_questions else None,
                   front="slack")
        if self.signer is not None:  # a browser following the citation opens the paper
            answer = Answer.model_validate(sign_links(answer.model_dump(mode="json"),
                                                      self.signer))
        return answer

    def reply(self, question: str, conversation: list[Turn], *, user: str | None,
              channel: str | None, echo: bool = False) -> dict:
        """The message (text, blocks, metadata) answering `question`; a polite apology when the
        service fails, never an exception."""
        try:
            answer = self.ask(question, conversation)
        except ValidationError as exc:
            reason = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            return self.note(cannot_answer(reason))
        except ClerkError as exc:
            log.warning("Slack question not answered: %s", exc)
            return self.note(cannot_answer(str(exc)))
        except Exception:
            log.exception("Slack question failed")
            return self.note(SORRY)
        try:
            answer_id = self.answers.save(question, answer, user=user, channel=channel)
        except OSError:  # no feedback buttons then, but the answer still goes out
            log.exception("could not keep the answer for feedback")
            answer_id = None
        return {"text": fallback_text(answer),
                "blocks": answer_blocks(answer, public_url=self.settings.public_url,
                                        question=question if echo else None, asker=user,
                                        answer_id=answer_id),
                "metadata": {"event_type": "clerk_answer",  # lets a thread read the question back
                             "event_payload": {"question": clip(question, 2000),
                                               "answer_id": answer_id or "",
                                               # a follow-up searches these papers too
                                               "cited": [c.doc_id for c in answer.citations]}}}

    @staticmethod
    def note(text: str) -> dict:
        return {"text": text, "blocks": message_blocks(text)}

    def conversation(self, client: WebClient, event: dict, context) -> list[Turn]:
        """The thread's earlier messages as turns; none outside a thread or when Slack won't
        give them (a missing scope should not cost the answer)."""
        if not event.get("thread_ts"):
            return []
        try:
            replies = client.conversations_replies(channel=event["channel"],
                                                   ts=event["thread_ts"], limit=100,
                                                   include_all_metadata=True)
        except SlackApiError as exc:
            log.warning("could not read the thread: %s", exc.response.get("error"))
            return []
        except Exception as exc:  # noqa: BLE001 - Slack unreachable: answer without the thread
            log.warning("could not read the thread: %s", one_line(exc))
            return []
        return thread_turns(replies.get("messages") or [], event["ts"], context.bot_user_id,
                            context.bot_id)

    def answer_in_thread(self, event: dict, context, client: WebClient) -> None:
        """An @mention or DM: answer in its thread, reading earlier turns when in one."""
        channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
        question = plain_text(event.get("text", ""), context.bot_user_id)
        if not question:
            post(client, self.outbox, channel=channel, thread_ts=thread_ts, **self.note(HELP))
            return
        # :eyes: on the question at once, so the asker sees it is being read; off once answered
        thinking = self.react(client.reactions_add, channel, event["ts"])
        message = self.reply(question, self.conversation(client, event, context),
                             user=event.get("user"), channel=channel)
        post(client, self.outbox, channel=channel, thread_ts=thread_ts, **message)
        if thinking:
            self.react(client.reactions_remove, channel, event["ts"])

    @staticmethod
    def react(call, channel: str, ts: str) -> bool:
        """reactions.add or .remove of the thinking reaction; a refusal (no reactions:write
        scope) or an unreachable Slack is one log line and never costs the answer."""
        try:
            call(channel=channel, timestamp=ts, name=THINKING)
            return True
        except SlackApiError as exc:
            log.warning("Slack refused the %s reaction: %s", THINKING, exc.response.get("error"))
        except Exception as exc:  # noqa: BLE001 - unreachable or timed out
            # info only: the answer's own post says that Slack cannot be reached, once
            log.info("could not set the %s reaction: %s", THINKING, one_line(exc))
        return False

    def respond(self, response_url: str, **message) -> None:
        """A reply through a slash command's or a button's response_url: with a timeout and
        bounded retries; kept for retry when it cannot be delivered."""
        message = {k: v for k, v in message.items() if v is not None}
        error = send_response(self.settings, response_url, message)
        if error:
            self.outbox.keep("response_url", {"url": response_url, "message": message}, error)

    def vote(self, body: dict, action: dict, respond, client: WebClient | None = None) -> None:
        """Store the vote and thank the voter; a 👎 also opens a short form asking what was
        wrong (its answer is stored with the vote)."""
        vote = "up" if action["action_id"] == FEEDBACK_UP else "down"
        container = body.get("container") or {}
        try:
            row = record_vote(self.settings, action.get("value", ""), vote,
                              user=(body.get("user") or {}).get("id"),
                              channel=(body.get("channel") or {}).get("id"),
                              ts=container.get("message_ts"))
        except OSError:
            log.exception("could not store a vote")
            respond(text="Sorry, I couldn't store your vote just now; please try again later.",
                    response_type="ephemeral", replace_original=False)
            return
        text = (f"Thanks: your {'👍' if vote == 'up' else '👎'} is recorded for review." if row
                else "Sorry, I no longer have that answer, so the vote wasn't recorded.")
        asked = (row and vote == "down" and client is not None and body.get("trigger_id")
                 and self.ask_what_was_wrong(client, body["trigger_id"], action["value"],
                                             container.get("channel_id")))
        if asked:
            text += " What was wrong? Tell me in the form that opened, if you have a moment."
        respond(text=text, response_type="ephemeral", replace_original=False)

    @staticmethod
    def ask_what_was_wrong(client: WebClient, trigger_id: str, answer_id: str,
                           channel: str | None) -> bool:
        try:
            client.views_open(trigger_id=trigger_id, view=reason_view(answer_id, channel))
            return True
        except SlackApiError as exc:
            log.warning("Slack refused the feedback form: %s", exc.response.get("error"))
        except Exception as exc:  # noqa: BLE001 - unreachable or timed out
            log.warning("could not open the feedback form: %s", one_line(exc))
        return False

    def reason(self, body: dict, view: dict) -> None:
        """The form's answer: stored as the 👎 again, with what was wrong."""
        answer_id, channel = reason_of(view)
        what = view_values(view)
        try:
            row = record_vote(self.settings, answer_id, "down",
                              user=(body.get("user") or {}).get("id"), channel=channel,
                              reason=what)
        except OSError:
            log.exception("could not store a feedback reason")
            return
        if row is None:
            log.warning("a feedback reason for an answer no longer kept was not stored")


class SlackRuntime:
    """What one Bolt app needs beside it: the Web API client (timeout, bounded retries), the
    bot's identity, the outbox of messages kept for retry and its retrier."""

    def __init__(self, settings: Settings, service, metrics=None):
        self.settings = settings
        self.client = web_client(settings)
        self.identity = BotIdentity(self.client)
        self.outbox = Outbox(settings, metrics)
        self.clerk = SlackClerk(settings, service, self.outbox, metrics)

    def start(self) -> None:
        self.identity.start()
        self.outbox.start(self.client)

    def close(self) -> None:
        self.identity.stop()
        self.outbox.stop()


def build_bolt_app(settings: Settings, service, *, socket_mode: bool = False,
                   runtime: SlackRuntime | None = None) -> App:
    """The Bolt app: the same listeners for HTTP mode and Socket Mode."""
    runtime = runtime or SlackRuntime(settings, service)
    # authorize from the bot's identity, learnt in the background: auth.test is never called on
    # a request's way to its ack, so `clerk serve` starts and acks while Slack is unreachable
    app = App(client=web_client(settings, token=False),
              signing_secret=settings.slack_signing_secret or "",
              authorize=runtime.identity.authorizer(),
              request_verification_enabled=not socket_mode,
              process_before_response=False, name="clerk")
    clerk = runtime.clerk
    alerts = Alerts(settings.data_dir)
    seen = SeenEvents()
    visibility = settings.slack_slash_visibility
    if visibility not in ("in_channel", "ephemeral"):
        log.warning("CLERK_SLACK_SLASH_VISIBILITY is %r; it should be in_channel or ephemeral. "
                    "Using in_channel.", visibility)
        visibility = "in_channel"

    @app.middleware
    def answer_each_event_once(body: dict, next):
        """Slack redelivers an event (X-Slack-Retry-Num) when the first delivery seemed slow."""
        event_id = body.get("event_id")
        if event_id and not seen.first_time(event_id):
            return BoltResponse(status=200, body="")
        runtime.identity.learn_from(body)
        return next()

    @app.event("app_mention")
    def on_mention(event, context, client):
        clerk.answer_in_thread(event, context, client)

    @app.event("message")
    def on_message(event, context, client):
        if event.get("channel_type") == "im" and not event.get("subtype") \
                and not event.get("bot_id"):
            clerk.answer_in_thread(event, context, client)

    @app.event("app_home_opened")
    def on_home_opened(event, client):
        """The Home tab (not the Messages tab): what Clerk has read and how to ask."""
        if event.get("tab", "home") == "home":
            publish_home(client, event.get("user"), clerk.service.papers)

    @app.command("/clerk")
    def on_command(ack, command, client):
        question = plain_text(command.get("text", ""))
        alert = command_reply(alerts, question, command.get("channel_id", ""),
                              command.get("user_id"))  # subscribe | unsubscribe | subscriptions
        if alert is not None:
            ack(**alert)
            return
        if not question:
            ack(text=HELP, response_type="ephemeral")
            return
        ack(text=f"Looking through the papers for: {escape(clip(question, 500))}",
            response_type="ephemeral")
        if visibility == "in_channel" and answer_command_in_thread(
                clerk, client, {**command, "question": question}):
            return
        message = clerk.reply(question, [], user=command.get("user_id"),
                              channel=command.get("channel_id"), echo=True)
        clerk.respond(command["response_url"], response_type=visibility,
                      replace_original=False, text=message["text"], blocks=message["blocks"],
                      metadata=message.get("metadata"))

    @app.action(FEEDBACK_UP)
    @app.action(FEEDBACK_DOWN)
    def on_vote(ack, body, action, client):
        ack()
        url = body.get("response_url")
        clerk.vote(body, action, lambda **message: clerk.respond(url, **message) if url
                   else None, client)

    @app.view(FEEDBACK_REASON)
    def on_reason(ack, body, view):
        ack()
        clerk.reason(body, view)

    @app.error
    def on_error(error, body):
        """Whatever a listener let through: one line, not a traceback."""
        log.error("Slack request failed: %s", one_line(error),
                  extra={"event_id": (body or {}).get("event_id")})

    return app


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
