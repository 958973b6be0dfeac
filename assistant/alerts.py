"""Alerts: a Slack channel follows a committee, a council or a topic (`/clerk subscribe ...`);
after an ingest or a sync, each subscribed channel gets one digest per new meeting: its papers,
the resolutions, recommendations and actions they record (owner and due date as printed), and
the paragraphs on the channel's topics, each cited and linked.

Subscriptions and what each channel has been told live in ``DATA_DIR/alerts.json``, written
whole and atomically under a file lock, so they survive restarts and a paper is never announced
to a channel twice. Only papers ingested after a channel subscribed are announced to it."""

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.answer import view_url
from assistant.retrieve import tokenize
from assistant.settings import Settings
from assistant.slack_blocks import SECTION_CHARS, clip, escape, link, meeting_date, split_text
from assistant.store import StoredParagraph, paragraphs_of
from ingest.chunk import split_sentences
from ingest.register import extract_records

log = logging.getLogger("clerk.alerts")

KINDS = ("committee", "council", "topic")
STATE_FILE = "alerts.json"
MAX_VALUE_CHARS = 200
MAX_RECORDS = 10  # a digest lists at most this many resolutions; the rest are counted
MAX_MATCHES = 5  # ... and this many paragraphs a topic
ITEM_CHARS = 400

USAGE = ("Follow new papers in this channel: `/clerk subscribe committee Planning`, "
         "`/clerk subscribe council Kirklees`, or `/clerk subscribe topic library closures` "
         "(a bare `/clerk subscribe WORDS` follows a topic). `/clerk subscriptions` lists what "
         "this channel follows; `/clerk unsubscribe WORDS` (or `unsubscribe all`) stops one.")


@dataclass(frozen=True)
class Subscription:
    channel: str
    kind: str  # committee | council | topic
    value: str
    by: str | None = None
    at: str = ""  # when, ISO UTC: papers ingested from then on are announced

    def describe(self) -> str:
        return f"{self.kind} “{self.value}”"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Alerts:
    """The subscriptions and the papers each channel has been told of (or passed over)."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / STATE_FILE

    def _read(self) -> dict:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"subscriptions": [], "announced": {}}
        except (OSError, ValueError) as exc:
            raise OSError(f"cannot read {self.path}: {exc}") from exc
        state.setdefault("subscriptions", [])
        state.setdefault("announced", {})
        return state

    @contextmanager
    def _edit(self):
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path) + ".lock", timeout=30):
            state = self._read()
            yield state
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            tmp.write_text(json.dumps(state, indent=1, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)

    def subscriptions(self, channel: str | None = None) -> list[Subscription]:
        subs = [Subscription(**s) for s in self._read()["subscriptions"]]
        return [s for s in subs if channel is None or s.channel == channel]

    def subscribe(self, channel: str, kind: str, value: str,
                  by: str | None = None) -> tuple[Subscription, bool]:
        """The channel's subscription, and whether it is new (subscribing twice changes nothing)."""
        with self._edit() as state:
            for s in state["subscriptions"]:
                if (s["channel"], s["kind"], s["value"].casefold()) == (channel, kind,
                                                                       value.casefold()):
                    return Subscription(**s), False
            sub = Subscription(channel, kind, value, by, _now())
            state["subscriptions"].append(asdict(sub))
            return sub, True

    def unsubscribe(self, channel: str, value: str, kind: str | None = None) -> list[Subscription]:
        """Remove the channel's subscriptions to ``value`` (of ``kind``, or of any kind; "all"
        removes every one); returns those removed."""
        with self._edit() as state:
            keep, gone = [], []
            for s in state["subscriptions"]:
                hit = s["channel"] == channel and (
                    value.casefold() == "all" and kind is None
                    or s["value"].casefold() == value.casefold() and kind in (None, s["kind"]))
                (gone if hit else keep).append(s)
            state["subscriptions"] = keep
            return [Subscription(**s) for s in gone]

    def announced(self, channel: str) -> set[str]:
        return set(self._read()["announced"].get(channel, []))

    def mark(self, channel: str, doc_ids: list[str]) -> None:
        with self._edit() as state:
            done = state["announced"].setdefault(channel, [])
            done.extend(sorted(set(doc_ids) - set(done)))


# -- /clerk subscribe | unsubscribe | subscriptions --------------------------------------------
def command_reply(alerts: Alerts, text: str, channel: str, user: str | None) -> dict | None:
    """What `/clerk` answers to a subscription command (ack arguments), or None when the text
    is a question for the papers."""
    words = text.split()
    verb = words[0].lower() if words else ""
    if verb == "subscriptions" and len(words) == 1:
        subs = alerts.subscriptions(channel)
        if not subs:
            return {"text": f"This channel follows nothing yet. {USAGE}",
                    "response_type": "ephemeral"}
        lines = "\n".join(f"• {escape(s.describe())} (since {s.at[:10]})" for s in subs)
        return {"text": f"This channel gets a digest of new papers for:\n{lines}",
                "response_type": "ephemeral"}
    if verb not in ("subscribe", "unsubscribe"):
        return None
    rest = words[1:]
    kind = None
    if rest and rest[0].lower().rstrip(":") in KINDS:
        kind, rest = rest[0].lower().rstrip(":"), rest[1:]
    value = " ".join(rest)[:MAX_VALUE_CHARS]
    if not value:
        return {"text": USAGE, "response_type": "ephemeral"}
    if verb == "unsubscribe":
        gone = alerts.unsubscribe(channel, value, kind)
        if not gone:
            return {"text": f"This channel doesn't follow “{escape(value)}”; "
                            "`/clerk subscriptions` lists what it follows.",
                    "response_type": "ephemeral"}
        names = ", ".join(escape(s.describe()) for s in gone)
        return {"text": f"This channel no longer gets digests for {names}.",
                "response_type": "in_channel"}
    sub, new = alerts.subscribe(channel, kind or "topic", value, user)
    if not new:
        return {"text": f"This channel already follows {escape(sub.describe())}.",
                "response_type": "ephemeral"}
    what = {"committee": "papers of committees named", "council": "papers of councils named",
            "topic": "papers that mention"}[sub.kind]
    return {"text": f"This channel will get a digest when Clerk takes in new {what} "
                    f"“{escape(sub.value)}”: each new meeting, its resolutions and the "
                    f"paragraphs that matter, linked. `/clerk unsubscribe {escape(sub.value)}` "
                    "stops it.", "response_type": "in_channel"}


# -- digests -----------------------------------------------------------------------------------
def _names(value: str, text: str | None) -> bool:
    """Every word of ``value`` (stemmed) is in ``text``: "planning" names "Planning Committee"."""
    words = set(tokenize(value))
    if not words:
        return value.casefold() in (text or "").casefold()
    return bool(text) and words <= set(tokenize(text))


@dataclass
class _Match:
    record: dict
    paragraphs: list[StoredParagraph]
    subs: list[Subscription]
    topics: dict[str, list[StoredParagraph]]


def _absolute(public_url: str | None, path: str) -> str | None:
    return public_url.rstrip("/") + path if public_url else None


def _paper_line(rec: dict, public_url: str | None) -> str:
    title = rec.get("title") or rec["doc_id"]
    source = rec.get("url") or ""
    target = source if source.startswith(("http://", "https://")) else _absolute(
        public_url, f"/papers/{rec['doc_id']}/view")
    parts = [link(target, title) if target else f"*{escape(title)}*"]
    details = ", ".join(filter(None, (rec.get("doc_type"), rec.get("item") and
                                      f"item {rec['item']}")))
    if details:
        parts.append(f"({escape(details)})")
    return "• " + " ".join(parts)


def _cite(doc_id: str, label: str, public_url: str | None, words: str) -> str:
    target = _absolute(public_url, view_url("", doc_id, label))
    return link(target, words) if target else escape(words)


def _sections(title: str, lines: list[str]) -> list[dict]:
    text = f"*{title}*\n" + "\n".join(lines)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": part}}
            for part in split_text(text, SECTION_CHARS, 3)]


def _mention(text: str, topic: str) -> str:
    """The sentence (or list line) of a paragraph that holds most of the topic's words."""
    words = set(tokenize(topic))
    pieces = [s for line in text.split("\n") for s in split_sentences(line)] or [text]
    best = max(pieces, key=lambda s: len(words & set(tokenize(s))))
    return " ".join(best.split()).lstrip("-*•·▪◦● ")


def digest_message(channel: str, matches: list[_Match], public_url: str | None) -> dict:
    """One meeting's digest: its papers, their records and the topic paragraphs."""
    first = matches[0].record
    where = " · ".join(filter(None, (first.get("committee") or first.get("title"),
                                     first.get("council"),
                                     meeting_date(first.get("meeting_date")))))
    subs = list(dict.fromkeys(s.describe() for m in matches for s in m.subs))
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": clip(
        f"*New papers: {escape(where)}*\nFor this channel's subscription to "
        f"{escape(', '.join(subs))}.", SECTION_CHARS)}}]
    blocks += _sections("Papers", [_paper_line(m.record, public_url) for m in matches])
    records = [(m.record, p, r) for m in matches for p in m.paragraphs
               for r in extract_records(p.label, p.meta.get("kind"), p.text)]
    lines = []
    for rec, para, r in records[:MAX_RECORDS]:
        label = f"{r.kind.replace('_', ' ')} {r.label}"
        line = (f"• {_cite(rec['doc_id'], r.label, public_url, label)}: "
                f"{escape(clip(r.text, ITEM_CHARS))} — Owner: {escape(r.owner or 'not named')}"
                f" · Due: {escape(r.due or 'not printed')}")
        if len(matches) > 1:
            line += f" ({escape(rec.get('title') or rec['doc_id'])})"
        lines.append(line)
    if len(records) > MAX_RECORDS:
        lines.append(f"…and {len(records) - MAX_RECORDS} more: `clerk resolutions` lists them all.")
    blocks += _sections("Resolutions, recommendations and actions",
                        lines or ["None recorded in these papers."])
    topics: dict[str, list[tuple[dict, StoredParagraph]]] = {}
    for m in matches:
        for topic, paras in m.topics.items():
            topics.setdefault(topic, []).extend((m.record, p) for p in paras)
    for topic, found in topics.items():
        lines = []
        for rec, p in found[:MAX_MATCHES]:
            cited = f"{rec.get('title') or rec['doc_id']}, paragraph {p.label}"
            quote = clip(_mention(p.text, topic), ITEM_CHARS)
            lines.append(f"• {_cite(rec['doc_id'], p.label, public_url, cited)}: "
                         f"“{escape(quote)}”")
        if len(found) > MAX_MATCHES:
            lines.append(f"…and {len(found) - MAX_MATCHES} more paragraphs.")
        blocks += _sections(f"On “{escape(topic)}”", lines)
    text = (f"New papers: {where} ({len(matches)} paper{'s' if len(matches) != 1 else ''}, "
            f"{len(records)} resolution{'s' if len(records) != 1 else ''}, recommendations "
            "or actions)")
    return {"channel": channel, "text": text, "blocks": blocks[:50], "unfurl_links": False}


def _meeting_key(rec: dict) -> tuple:
    if rec.get("meeting_date"):
        return (rec.get("council") or "", rec.get("committee") or "", rec["meeting_date"])
    return ("", "", rec["doc_id"])


def announce(settings: Settings, store=None, client=None,
             warn: Callable[[str], None] = log.warning) -> int:
    """Post a digest per new meeting to each subscribed channel; returns how many were posted.
    A digest Slack refuses is tried again after the next ingest; every other is never sent
    twice."""
    alerts = Alerts(settings.data_dir)
    subs = alerts.subscriptions()
    if not subs:
        return 0
    if not settings.slack_bot_token:
        warn(f"{len(subs)} channel subscription(s), but CLERK_SLACK_BOT_TOKEN is not set: "
             "no digests posted")
        return 0
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    from assistant.store import Store

    store = store or Store(settings)
    client = client or WebClient(token=settings.slack_bot_token,
                                 base_url=settings.slack_api_url or WebClient.BASE_URL,
                                 retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    records = store.paper_records()
    paragraphs: dict[str, list[StoredParagraph]] = {}

    def paras(doc_id: str) -> list[StoredParagraph]:
        if doc_id not in paragraphs:
            paragraphs[doc_id] = paragraphs_of(store.paper_chunks(doc_id))
        return paragraphs[doc_id]

    posted = 0
    for channel in dict.fromkeys(s.channel for s in subs):
        mine = [s for s in subs if s.channel == channel]
        done = alerts.announced(channel)
        since = min(s.at for s in mine)
        fresh = sorted((r for d, r in records.items()
                        if d not in done and (r.get("ingested_at") or "") >= since),
                       key=lambda r: r["doc_id"])
        meetings: dict[tuple, list[_Match]] = {}
        passed: list[str] = []
        for rec in fresh:
            match = _Match(rec, [], [], {})
            for sub in mine:
                if (rec.get("ingested_at") or "") < sub.at:
                    continue
                if sub.kind in ("committee", "council"):
                    hit = _names(sub.value, rec.get(sub.kind))
                else:
                    words = set(tokenize(sub.value))
                    found = [p for p in paras(rec["doc_id"])
                             if words and words <= set(tokenize(p.text))]
                    heading = " ".join(filter(None, (rec.get("title"), rec.get("committee"),
                                                      rec.get("item"))))
                    hit = bool(found) or _names(sub.value, heading)
                    if found:
                        match.topics[sub.value] = found
                if hit:
                    match.subs.append(sub)
            if match.subs:
                match.paragraphs = paras(rec["doc_id"])
                meetings.setdefault(_meeting_key(rec), []).append(match)
            else:
                passed.append(rec["doc_id"])
        if passed:
            alerts.mark(channel, passed)
        for key in sorted(meetings):
            matches = meetings[key]
            try:
                client.chat_postMessage(**digest_message(channel, matches, settings.public_url))
            except SlackApiError as exc:
                warn(f"Slack refused the digest for {channel}: {exc.response.get('error')} "
                     "(is Clerk invited to the channel?); it is tried again after the next ingest")
                continue
            alerts.mark(channel, [m.record["doc_id"] for m in matches])
            posted += 1
    return posted


def announce_after_ingest(settings: Settings, echo: Callable[[str], None]) -> None:
    """After `clerk ingest` or `clerk sync`: the digests, and one line saying how many."""
    if not (settings.data_dir / STATE_FILE).exists():
        return
    try:
        posted = announce(settings, warn=echo)
    except Exception as exc:  # noqa: BLE001 - alerts must never fail the ingest that ran
        echo(f"alerts: not sent: {exc.__class__.__name__}: {' '.join(str(exc).split())[:160]}")
        return
    if posted:
        echo(f"alerts: {posted} digest{'s' if posted != 1 else ''} posted")
