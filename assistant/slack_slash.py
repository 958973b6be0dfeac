"""`/clerk QUESTION` answered in a thread: Slack gives a slash command no message of its own, so
Clerk posts the question in the channel for its asker and answers in that message's thread,
where a mention follows it up as it does for any answer."""

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant.slack_blocks import question_message
from assistant.slack_delivery import one_line, post

log = logging.getLogger("clerk.slack")


def post_question(client: WebClient, channel: str, question: str, user: str | None) -> str | None:
    """The question's ts once posted; None (and one warning line) when Slack refuses it, as it
    does where Clerk is not a member of the channel (not_in_channel), or cannot be reached."""
    try:
        posted = client.chat_postMessage(channel=channel, **question_message(question, user))
        return posted.get("ts")
    except SlackApiError as exc:
        why = exc.response.get("error")
    except Exception as exc:  # noqa: BLE001 - unreachable or timed out
        why = one_line(exc)
    log.warning("could not post /clerk's question in %s (%s); answering it through the "
                "command instead (invite Clerk to the channel for a threaded answer)",
                channel, why)
    return None


def answer_in_thread(clerk, client: WebClient, command: dict) -> bool:
    """Post the question, then the answer in its thread (with :eyes: on the question while
    Clerk reads). False when the question could not be posted: the caller answers as before."""
    channel, user = command.get("channel_id") or "", command.get("user_id")
    question = command["question"]
    ts = post_question(client, channel, question, user) if channel else None
    if ts is None:
        return False
    thinking = clerk.react(client.reactions_add, channel, ts)
    message = clerk.reply(question, [], user=user, channel=channel)
    post(client, clerk.outbox, channel=channel, thread_ts=ts, **message)
    if thinking:
        clerk.react(client.reactions_remove, channel, ts)
    return True
