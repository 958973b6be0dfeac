"""Slack's App Home tab: what Clerk has read (the same facts as the page's "What Clerk has read"
panel) and how to ask it. Pure: the indexed papers in, a Block Kit `home` view out."""

import logging
from collections import Counter, defaultdict

from slack_sdk.errors import SlackApiError

from assistant.slack_blocks import SECTION_CHARS, clip, escape, meeting_date
from assistant.slack_delivery import one_line

log = logging.getLogger("clerk.slack")

HOME_CALLBACK = "clerk_home"
NO_COUNCIL, NO_COMMITTEE = "Council not printed", "Committee not printed"
HOW_TO_ASK = ("*How to ask*\n"
              "• Mention me in a channel: `@Clerk what did the committee resolve about …?`\n"
              "• Send me a direct message (the Messages tab).\n"
              "• Use `/clerk your question` in any channel I am in; the answer comes in the "
              "thread of your question.\n"
              "Mention me again in an answer's thread to follow it up, and rate answers with "
              "👍/👎 so they can be reviewed.")


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def scope_summary(papers: list[dict]) -> str:
    """One sentence: how many papers from how many councils, and the meetings' date range."""
    if not papers:
        return "Nothing is indexed yet: I have read no papers."
    dates = sorted(p["meeting_date"] for p in papers if p.get("meeting_date"))
    councils = {p.get("council") or NO_COUNCIL for p in papers}
    line = f"{plural(len(papers), 'paper')} from {plural(len(councils), 'council')}"
    if dates:
        line += f", meetings from {meeting_date(dates[0])} to {meeting_date(dates[-1])}"
    if len(dates) < len(papers):
        line += f" ({len(papers) - len(dates)} with no printed date)"
    return line + "."


def committees_by_council(papers: list[dict]) -> dict[str, Counter]:
    """Council -> committee -> how many papers, both sorted by name."""
    held: dict[str, Counter] = defaultdict(Counter)
    for p in papers:
        held[p.get("council") or NO_COUNCIL][p.get("committee") or NO_COMMITTEE] += 1
    return {c: Counter(dict(sorted(held[c].items()))) for c in sorted(held)}


def council_lines(papers: list[dict]) -> list[str]:
    """One mrkdwn line per council naming its committees and their paper counts."""
    return [f"• *{escape(council)}*: " + "; ".join(
        f"{escape(name)} ({plural(n, 'paper')})" for name, n in committees.items())
        for council, committees in committees_by_council(papers).items()]


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}}


def home_view(papers: list[dict], max_councils: int = 40) -> dict:
    """The Home tab: a header, what is indexed, each council's committees, how to ask."""
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "What Clerk has read"}},
              section(scope_summary(papers))]
    lines = council_lines(papers)
    shown, rest = lines[:max_councils], len(lines) - max_councils
    chunk: list[str] = []
    for line in shown:  # as few sections as fit Slack's section limit
        if chunk and len("\n".join([*chunk, line])) > SECTION_CHARS:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if rest > 0:
        blocks.append(section(f"…and {plural(rest, 'more council')}."))
    blocks += [{"type": "divider"}, section(HOW_TO_ASK)]
    return {"type": "home", "callback_id": HOME_CALLBACK, "blocks": blocks}


def publish_home(client, user_id: str | None, papers_of) -> bool:
    """views.publish of the Home tab for the user who opened it; a refusal or an unreachable
    Slack is one log line (the tab then shows what it showed before)."""
    if not user_id:
        log.warning("app_home_opened without a user; the Home tab was not published")
        return False
    try:
        client.views_publish(user_id=user_id, view=home_view(papers_of()))
        return True
    except SlackApiError as exc:
        log.warning("Slack refused the Home tab: %s", exc.response.get("error"))
    except Exception as exc:  # noqa: BLE001 - unreachable, or the store failed
        log.warning("could not publish the Home tab: %s", one_line(exc))
    return False
