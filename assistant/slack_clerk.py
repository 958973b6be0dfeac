"""What the Slack front does for a question, a vote or a form, apart from Slack's wiring: ask
the service, render the answer as Block Kit, keep it for the votes, and reply in the thread
(with a thinking reaction while the papers are read). The listeners in slack_app.py call it."""

import logging
import time

from pydantic import ValidationError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.errors import ClerkError
from assistant.feedback import AnswerLog, record_vote
from assistant.logs import log_answer
from assistant.models import Answer, AskRequest, Turn
from assistant.security import LinkSigner, sign_links
from assistant.settings import Settings
from assistant.slack_blocks import (
    answer_blocks,
    clip,
    escape,
    fallback_text,
    message_blocks,
    plain_text,
    thread_turns,
)
from assistant.slack_delivery import SORRY, Outbox, one_line, post, send_response
from assistant.slack_votes import FEEDBACK_UP, reason_of, reason_view, view_values

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
