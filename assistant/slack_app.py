"""The Bolt app: the same listeners for HTTP mode (mounted in the API) and Socket Mode, and the
runtime one app needs beside it (Web API client, the bot's identity, the outbox)."""

import logging

from slack_bolt import App, BoltResponse

from assistant.alerts import Alerts, command_reply
from assistant.settings import Settings
from assistant.slack_blocks import SeenEvents, clip, escape, plain_text
from assistant.slack_clerk import HELP, SlackClerk
from assistant.slack_delivery import BotIdentity, Outbox, one_line, web_client
from assistant.slack_home import publish_home
from assistant.slack_slash import answer_in_thread as answer_command_in_thread
from assistant.slack_votes import FEEDBACK_DOWN, FEEDBACK_REASON, FEEDBACK_UP

log = logging.getLogger("clerk.slack")

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
