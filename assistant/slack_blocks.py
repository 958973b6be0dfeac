"""Pure helpers for the Slack front: reading Slack's message text, escaping what we post,
Block Kit rendering within Slack's limits, threads as conversation turns, and retry dedupe."""

import datetime as dt
import re
import threading
from collections import OrderedDict

from assistant.models import (
    Answer,
    Citation,
    CitedParagraph,
    Turn,
    TurnCitation,
)
from assistant.slack_votes import feedback_block
from assistant.sources import Source, group_sources, refs_label

SECTION_CHARS = 3000  # Slack: a section's text
MAX_BLOCKS = 50  # Slack: blocks in one message
CONTEXT_ELEMENTS = 10  # Slack: elements in one context block
ANSWER_SECTIONS = 4  # the answer's share of the blocks; the rest go to its citations
QUOTE_CHARS = 280
QUESTION_CHARS = 1000
FALLBACK_CHARS = 3000
MAX_TURNS = 20  # AskRequest.conversation's limit
TURN_CHARS = 20_000
ELLIPSIS = "…"
ZWSP = "\u200b"
QUESTION_EVENT = "clerk_question"  # metadata of a /clerk question Clerk posts for its asker

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_FORMATTING = re.compile(r"([*_~`])")
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_OPEN_ENTITY = re.compile(r"&[a-z]{0,3}$")  # "&", "&a", "&am", "&lt" cut short of its ";"


def escape(text: str) -> str:
    """Text from users or papers, made inert for mrkdwn: & < > escaped (so it can form no link
    or mention), broadcast words broken with a zero-width space, and formatting characters
    preceded by one so that they cannot open bold, italics, strikes or code blocks."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BROADCAST.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    return _FORMATTING.sub(ZWSP + r"\1", text)


def _link_target(url: str) -> str:
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


def link(url: str, label: str) -> str:
    return f"<{_link_target(url)}|{escape(label).replace('|', '¦')}>"


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack's message text as a person reads it: the bot's own mention removed, other mentions,
    channels and links shown by name, entities unescaped."""

    def token(m: re.Match) -> str:
        target, _, label = m.group(1).partition("|")
        if bot_user_id and target == f"@{bot_user_id}":
            return ""
        if target.startswith("!"):  # <!here>, <!channel>, <!subteam^ID|@team>
            return label or "@" + target[1:].split("^")[0]
        if target.startswith(("@", "#")):
            return label if label.startswith(target[0]) else f"{target[0]}{label or target[1:]}"
        return label or target

    text = _SLACK_TOKEN.sub(token, text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = text.replace(ZWSP, "")
    return re.sub(r"[ \t]+", " ", text).strip()


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space where one is near, ending in an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", limit // 2)
    cut = cut[:space] if space > 0 else _OPEN_ENTITY.sub("", cut)
    return cut.rstrip() + ELLIPSIS


def split_text(text: str, size: int, parts: int) -> list[str]:
    """`text` in at most `parts` pieces of at most `size` characters, split at line breaks or
    spaces (never inside an entity such as &amp;); what does not fit ends in an ellipsis."""
    pieces: list[str] = []
    rest = text.strip()
    while rest and len(pieces) < parts:
        if len(rest) <= size:
            pieces.append(rest)
            return pieces
        if len(pieces) == parts - 1:
            pieces.append(clip(rest, size))
            return pieces
        window = rest[:size]
        cut = max(window.rfind("\n"), window.rfind(" "))
        if cut <= size // 2:  # no break near the end: a hard cut, outside any entity
            cut = size - len(_OPEN_ENTITY.search(window).group(0))
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return pieces


def meeting_date(value: str | None) -> str:
    if not value:
        return "date not printed"
    try:
        return dt.date.fromisoformat(value).strftime("%-d %B %Y")
    except ValueError:
        return value


def citation_link(c: CitedParagraph, public_url: str | None) -> str | None:
    """Clerk's paragraph view as an absolute URL; else the paper's own web address."""
    if c.view_url.startswith(("http://", "https://")):
        return c.view_url
    if public_url:
        return public_url.rstrip("/") + "/" + c.view_url.lstrip("/")
    if c.url and c.url.startswith(("http://", "https://")):
        return c.url
    return None


def citation_line(c: CitedParagraph, public_url: str | None,
                  refs: tuple[int, ...] | None = None) -> str:
    """`[1] Committee · 28 July 2020 · paragraph 19 (linked) · Title`, with every marker that
    cites the paragraph (`[1, 2]`); `•` for a passage that is not a citation (the closest ones
    beside "the papers don't say")."""
    where = escape(c.committee or c.council or "committee not printed")
    label = f"paragraph {c.paragraph}"
    url = citation_link(c, public_url)
    para = link(url, label) if url else escape(label)
    title = f" · {escape(clip(c.title, 120))}" if c.title else ""
    if refs is None and isinstance(c, Citation):
        refs = (c.ref,)
    ref = f"*{refs_label(refs)}*" if refs else "•"
    return f"{ref} {where} · {meeting_date(c.meeting_date)} · {para}{title}"


def _quoted(text: str) -> str:
    return f"“{escape(clip(' '.join(text.split()), QUOTE_CHARS))}”"


def _citation_block(c: CitedParagraph, public_url: str | None) -> dict:
    return {"type": "context", "elements": [
        {"type": "mrkdwn", "text": citation_line(c, public_url), "verbatim": True},
        {"type": "mrkdwn", "text": _quoted(c.quote), "verbatim": True}]}


def _source_block(source: Source, public_url: str | None) -> dict:
    """One cited paragraph: where it is, with all its markers, then each quote taken from it
    (under its own marker when there are several), one line each."""
    quotes = [_quoted(q.text) if len(source.quotes) == 1 else
              f"*{refs_label(q.refs)}* {_quoted(q.text)}" for q in source.quotes]
    return {"type": "context", "elements": [
        {"type": "mrkdwn", "text": citation_line(source.where, public_url, source.refs),
         "verbatim": True},
        {"type": "mrkdwn", "text": clip("\n".join(quotes), SECTION_CHARS), "verbatim": True}]}


def _compact_citations(sources: list[Source], public_url: str | None) -> dict:
    """Sources past the block budget, several to an element, still with their links."""
    elements: list[str] = []
    for i, source in enumerate(sources):
        line = citation_line(source.where, public_url, source.refs)
        if elements and len(elements[-1]) + len(line) + 3 <= SECTION_CHARS:
            elements[-1] += " | " + line
        elif len(elements) < CONTEXT_ELEMENTS - 1:
            elements.append(clip(line, SECTION_CHARS))
        else:
            elements.append(f"{ELLIPSIS} and {len(sources) - i} more")
            break
    return {"type": "context",
            "elements": [{"type": "mrkdwn", "text": e, "verbatim": True} for e in elements]}


def question_message(question: str, asker: str | None) -> dict:
    """A /clerk question as Clerk posts it in the channel, so that its answer has a thread: who
    asked and what (inert mrkdwn), and the question in metadata for a thread to read back."""
    who = f"<@{asker}> asked" if asker and re.fullmatch(r"[A-Z0-9]+", asker) else "Asked"
    text = f"{who}: {escape(clip(question, QUESTION_CHARS))}"
    return {"text": text, "blocks": [{"type": "section", "text": {
                "type": "mrkdwn", "text": text, "verbatim": True}}],
            "metadata": {"event_type": QUESTION_EVENT,
                         "event_payload": {"question": clip(question, 2000)}}}


def answer_blocks(answer: Answer, *, public_url: str | None = None, question: str | None = None,
                  asker: str | None = None, answer_id: str | None = None) -> list[dict]:
    """The answer as Block Kit: the question (when echoed), the answer, one context block per
    cited paragraph (its quotes under their markers), then 👍/👎. Within Slack's limits; the
    answer is cut before any citation is."""
    head: list[dict] = []
    if question:
        who = f"<@{asker}> asked" if asker and re.fullmatch(r"[A-Z0-9]+", asker) else "Asked"
        head.append({"type": "context", "elements": [{
            "type": "mrkdwn", "text": f"{who}: {escape(clip(question, QUESTION_CHARS))}",
            "verbatim": True}]})
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": part, "verbatim": True}}
                for part in split_text(escape(answer.answer), SECTION_CHARS, ANSWER_SECTIONS)]
    if answer.abstained and answer.closest:
        sections.append({"type": "context", "elements": [{
            "type": "mrkdwn", "text": "Not an answer; the closest passages were:",
            "verbatim": True}]})
        sections.extend(_citation_block(c, public_url) for c in answer.closest)
    tail = [feedback_block(answer_id)] if answer_id else []
    room = MAX_BLOCKS - len(head) - len(sections) - len(tail)
    cites = group_sources(answer.citations)
    if len(cites) <= room:
        cite_blocks = [_source_block(s, public_url) for s in cites]
    else:
        cite_blocks = [_source_block(s, public_url) for s in cites[:room - 1]]
        cite_blocks.append(_compact_citations(cites[room - 1:], public_url))
    return head + sections + cite_blocks + tail


def fallback_text(answer: Answer) -> str:
    """The message's plain `text`: what notifications show, and what a thread reads back."""
    return clip(escape(answer.answer), FALLBACK_CHARS)


def message_blocks(text: str) -> list[dict]:
    """A short message of our own (help, apology); `text` is already safe mrkdwn."""
    return [{"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}}]


def _ts(value: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", value or "0"))


def thread_turns(messages: list[dict], before_ts: str, bot_user_id: str | None,
                 bot_id: str | None) -> list[Turn]:
    """A thread's messages before `before_ts`, oldest first, as conversation turns: the bot's
    own messages are the assistant's, everyone else's the user's (bot mention removed)."""
    turns: list[Turn] = []
    for m in sorted(messages, key=lambda m: _ts(m.get("ts", "0"))):
        if _ts(m.get("ts", "0")) >= _ts(before_ts):
            continue
        mine = bool((bot_id and m.get("bot_id") == bot_id)
                    or (bot_user_id and m.get("user") == bot_user_id))
        payload = (m.get("metadata") or {}).get("event_payload") or {}
        asked = payload.get("question")
        if mine and (m.get("metadata") or {}).get("event_type") == QUESTION_EVENT:
            if isinstance(asked, str) and asked.strip():  # /clerk's question, posted for its asker
                turns.append(Turn(role="user", content=asked[:TURN_CHARS]))
            continue
        cited = payload.get("cited") if mine and isinstance(payload.get("cited"), list) else []
        if mine and asked and not (turns and turns[-1].role == "user"
                                   and turns[-1].content == asked):
            turns.append(Turn(role="user", content=asked[:TURN_CHARS]))
        content = plain_text(m.get("text", ""), bot_user_id)
        if content:
            turns.append(Turn(role="assistant" if mine else "user", content=content[:TURN_CHARS],
                              citations=[TurnCitation(doc_id=str(d)[:300]) for d in cited
                                         if isinstance(d, str) and d][:20]))
    return turns[-MAX_TURNS:]


class SeenEvents:
    """Event ids already taken, bounded, so a retried delivery is not answered twice."""

    def __init__(self, size: int = 2000):
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """True the first time an id is seen; False for every repeat."""
        with self._lock:
            if event_id in self._ids:
                self._ids.move_to_end(event_id)
                return False
            self._ids[event_id] = None
            if len(self._ids) > self.size:
                self._ids.popitem(last=False)
            return True
