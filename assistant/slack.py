"""Slack front (slack-bolt): @mentions, direct messages and `/clerk`, answered in the thread
with citations and 👍/👎. HTTP mode is mounted at /slack/events in the API; Socket Mode runs
with `clerk slack`. Without Slack settings, /slack/events answers 503 with a reason."""

import logging

import click
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.alerts import Alerts, command_reply
from assistant.errors import ClerkError
from assistant.feedback import AnswerLog, record_vote
from assistant.models import AskRequest, Turn
from assistant.settings import Settings, get_settings
from assistant.slack_blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    SeenEvents,
    answer_blocks,
    clip,
    escape,
    fallback_text,
    message_blocks,
    plain_text,
    thread_turns,
)

log = logging.getLogger("clerk.slack")

HELP = ("Ask me about the committee papers, for example: _How many case audits had Surrey "
        "completed by July 2020?_ Mention me in a channel, message me directly, or use "
        "`/clerk your question`. Mention me again in the thread to follow up. "
        "`/clerk subscribe committee NAME` (or `council NAME`, or a topic) posts a digest of "
        "new papers to this channel.")
SORRY = ("Sorry, something went wrong while I was looking through the papers, so I can't "
         "answer that just now. Please try again in a few minutes; if it keeps happening, let "
         "whoever runs Clerk know.")


def cannot_answer(reason: str) -> str:
    return f"Sorry, I can't answer that as asked: {escape(reason)}."


class SlackClerk:
    """What the listeners do, apart from Slack's wiring: ask the service, render, remember."""

    def __init__(self, settings: Settings, service):
        self.settings = settings
        self.service = service
        self.answers = AnswerLog(settings.data_dir)

    def reply(self, question: str, conversation: list[Turn], *, user: str | None,
              channel: str | None, echo: bool = False) -> dict:
        """The message (text, blocks, metadata) answering `question`; a polite apology when the
        service fails, never an exception."""
        try:
            answer = self.service.ask(AskRequest(question=question, conversation=conversation))
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
        return thread_turns(replies.get("messages") or [], event["ts"], context.bot_user_id,
                            context.bot_id)

    def answer_in_thread(self, event: dict, context, client: WebClient) -> None:
        """An @mention or DM: answer in its thread, reading earlier turns when in one."""
        channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
        question = plain_text(event.get("text", ""), context.bot_user_id)
        if not question:
            message = self.note(HELP)
        else:
            message = self.reply(question, self.conversation(client, event, context),
                                 user=event.get("user"), channel=channel)
        post(client, channel=channel, thread_ts=thread_ts, **message)

    def vote(self, body: dict, action: dict, respond) -> None:
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
        respond(text=text, response_type="ephemeral", replace_original=False)


def post(client: WebClient, **message) -> None:
    """chat.postMessage; if Slack refuses the blocks, the apology as plain text instead."""
    try:
        client.chat_postMessage(**message)
    except SlackApiError as exc:
        log.error("Slack refused the answer: %s", exc.response.get("error"))
        if "blocks" in message:
            client.chat_postMessage(channel=message["channel"], thread_ts=message.get("thread_ts"),
                                    text=SORRY)


def build_bolt_app(settings: Settings, service, *, socket_mode: bool = False) -> App:
    """The Bolt app: the same listeners for HTTP mode and Socket Mode."""
    client = WebClient(token=settings.slack_bot_token,
                       base_url=settings.slack_api_url or WebClient.BASE_URL)
    # token_verification off: auth.test runs on the first request, so `clerk serve` starts
    # even while Slack is unreachable
    app = App(client=client, signing_secret=settings.slack_signing_secret or "",
              token_verification_enabled=False, request_verification_enabled=not socket_mode,
              process_before_response=False, name="clerk")
    clerk = SlackClerk(settings, service)
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
        return next()

    @app.event("app_mention")
    def on_mention(event, context, client):
        clerk.answer_in_thread(event, context, client)

    @app.event("message")
    def on_message(event, context, client):
        if event.get("channel_type") == "im" and not event.get("subtype") \
                and not event.get("bot_id"):
            clerk.answer_in_thread(event, context, client)

    @app.command("/clerk")
    def on_command(ack, command, respond):
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
        message = clerk.reply(question, [], user=command.get("user_id"),
                              channel=command.get("channel_id"), echo=True)
        respond(response_type=visibility, replace_original=False,
                text=message["text"], blocks=message["blocks"],
                metadata=message.get("metadata"))

    @app.action(FEEDBACK_UP)
    @app.action(FEEDBACK_DOWN)
    def on_vote(ack, body, action, respond):
        ack()
        clerk.vote(body, action, respond)

    return app


def mount_slack(app: FastAPI, settings: Settings, service) -> None:
    """POST /slack/events: Slack's requests for the Bolt app, or 503 with what is missing."""
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

    bolt = build_bolt_app(settings, service)
    log.info("Slack events are answered at /slack/events")

    @app.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request):
        # dispatch waits for ack() only; the answer is computed after, on Bolt's listener threads
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
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
        handler = SocketModeHandler(build_bolt_app(settings, service, socket_mode=True),
                                    settings.slack_app_token)
        click.echo("Clerk is connecting to Slack in Socket Mode; Ctrl-C stops it.", err=True)
        handler.start()
    except ClerkError as exc:
        raise click.ClickException(str(exc)) from exc
    except SlackApiError as exc:
        raise click.ClickException(f"Slack refused the connection: "
                                   f"{exc.response.get('error')}") from exc
