"""Talking to Slack's Web API when it may be down or slow: calls with a timeout and bounded
retries, messages that still cannot be posted kept on disk and retried, the bot's identity
learnt in the background (never on a request's way to its ack), and Slack's request signature
checked over the raw bytes."""

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from pathlib import Path

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from assistant.logs import request_id
from assistant.settings import Settings

log = logging.getLogger("clerk.slack")

SORRY = ("Sorry, something went wrong while I was looking through the papers, so I can't "
         "answer that just now. Please try again in a few minutes; if it keeps happening, let "
         "whoever runs Clerk know.")


def slack_signature_ok(secret: str, body: bytes, timestamp: str, signature: str) -> bool:
    """Slack's v0 signature over the raw bytes (any bytes: junk must not raise), compared in
    constant time, with a timestamp within 5 minutes."""
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 5 * 60:
        return False
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body,
                      hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={digest}".encode(),
                               signature.encode("utf-8", "surrogateescape"))


def one_line(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)  # URLError's reason is the useful part
    text = f"{type(exc).__name__}: {reason if reason is not None else exc}"
    return " ".join(text.split())[:300]


def retry_handlers(settings: Settings) -> list:
    """Bounded retries: a call that could not connect, was rate limited (after Retry-After) or
    got a 5xx. A call that timed out is not retried: Slack may have taken it."""
    n = max(settings.slack_retries, 0)
    return [ConnectionErrorRetryHandler(max_retry_count=n),
            RateLimitErrorRetryHandler(max_retry_count=n),
            ServerErrorRetryHandler(max_retry_count=n)]


def web_client(settings: Settings, token: bool = True) -> WebClient:
    return WebClient(token=settings.slack_bot_token if token else None,
                     base_url=settings.slack_api_url or WebClient.BASE_URL,
                     timeout=max(1, round(settings.slack_timeout_s)),
                     retry_handlers=retry_handlers(settings))


def send_response(settings: Settings, url: str, message: dict) -> str | None:
    """POST to a response_url; None when delivered, else why not (one line)."""
    try:
        response = WebhookClient(url=url, timeout=max(1, round(settings.slack_timeout_s)),
                                 retry_handlers=retry_handlers(settings)).send_dict(message)
    except Exception as exc:  # noqa: BLE001 - unreachable, timed out
        return one_line(exc)
    if response.status_code >= 400:
        return f"HTTP {response.status_code}: {(response.body or '')[:200]}"
    return None


def post(client: WebClient, outbox: "Outbox | None" = None, **message) -> None:
    """chat.postMessage; if Slack refuses the blocks, the apology as plain text instead; if
    Slack cannot be reached (after the client's bounded retries), one log line and the message
    is kept for retry."""
    try:
        client.chat_postMessage(**message)
        return
    except SlackApiError as exc:
        log.error("Slack refused the answer: %s", exc.response.get("error"))
        if "blocks" not in message:
            return
        message = {"channel": message["channel"], "thread_ts": message.get("thread_ts"),
                   "text": SORRY}
        try:
            client.chat_postMessage(**message)
            return
        except SlackApiError as again:
            log.error("Slack refused the apology too: %s", again.response.get("error"))
            return
        except Exception as again:  # noqa: BLE001
            error = one_line(again)
    except Exception as exc:  # noqa: BLE001 - unreachable or timed out
        error = one_line(exc)
    if outbox is None:
        log.error("could not post to Slack (channel %s): %s; not kept", message.get("channel"),
                  error)
        return
    outbox.keep("chat.postMessage", message, error)


class Outbox:
    """Slack messages that could not be posted, kept (as JSON lines in the data folder, so a
    restart keeps them too) and retried every CLERK_SLACK_RETRY_INTERVAL_S until they post or
    are older than CLERK_SLACK_RETRY_MAX_AGE_S."""

    def __init__(self, settings: Settings, metrics=None):
        self.settings = settings
        self.path = Path(settings.data_dir) / "slack_outbox.jsonl"
        self.metrics = metrics
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def keep(self, kind: str, payload: dict, error: str) -> None:
        item = {"id": uuid.uuid4().hex[:12], "kind": kind, "payload": payload,
                "first_failed": time.time(), "attempts": 1, "error": error,
                "request_id": request_id.get()}
        where = payload.get("channel") or "a response_url"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(item) + "\n")
            kept = f"kept for retry as {item['id']}"
        except OSError as exc:
            kept = f"and could not be kept: {exc.strerror or exc}"
        if self.metrics is not None:
            self.metrics.slack_posts_failed.inc()
        log.error("could not post to Slack (%s to %s): %s; %s", kind, where, error, kept,
                  extra={"outbox_id": item["id"], "why": "slack_unreachable"})

    def pending(self) -> list[dict]:
        with self._lock:
            return self._read()

    def _read(self) -> list[dict]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        items = []
        for line in lines:
            try:
                items.append(json.loads(line))
            except ValueError:
                continue
        return items

    def retry(self, client: WebClient) -> int:
        """Post what is kept; returns how many posted. Failures stay (one log line each)."""
        with self._lock:
            items = self._read()
            if not items:
                return 0
            left, posted = [], 0
            for item in items:
                if time.time() - item["first_failed"] > self.settings.slack_retry_max_age_s:
                    log.error("gave up posting %s %s to Slack after %d attempts: %s",
                              item["kind"], item["id"], item["attempts"], item.get("error"))
                    continue
                error = self._send(client, item)
                if error is None:
                    posted += 1
                    log.info("posted %s %s to Slack on attempt %d", item["kind"], item["id"],
                             item["attempts"] + 1)
                    continue
                item["attempts"] += 1
                item["error"] = error
                left.append(item)
                log.warning("still cannot post %s %s to Slack (attempt %d): %s", item["kind"],
                            item["id"], item["attempts"], error)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text("".join(json.dumps(i) + "\n" for i in left), encoding="utf-8")
            tmp.replace(self.path)
            return posted

    def _send(self, client: WebClient, item: dict) -> str | None:
        payload = item["payload"]
        if item["kind"] == "response_url":
            return send_response(self.settings, payload["url"], payload["message"])
        try:
            client.chat_postMessage(**payload)
        except SlackApiError as exc:
            log.error("Slack refused a kept message %s: %s; dropped", item["id"],
                      exc.response.get("error"))
            return None  # refused for good: retrying will not help
        except Exception as exc:  # noqa: BLE001
            return one_line(exc)
        return None

    def start(self, client: WebClient) -> None:
        """Retry in the background every CLERK_SLACK_RETRY_INTERVAL_S."""
        if self._thread is not None:
            return

        def loop():
            while not self._stop.wait(self.settings.slack_retry_interval_s):
                try:
                    if self.path.exists() and self.path.stat().st_size:
                        self.retry(client)
                except Exception as exc:  # noqa: BLE001 - the loop must go on
                    log.error("retrying kept Slack messages failed: %s", one_line(exc))

        self._thread = threading.Thread(target=loop, name="clerk-slack-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()


class BotIdentity:
    """The bot's user and bot ids, from auth.test, asked in the background (never on a
    request's way to its ack, so that a Slack outage cannot hold the ack), or from an event's
    `authorizations` meanwhile."""

    def __init__(self, client: WebClient):
        self.client = client
        self.user_id: str | None = None
        self.bot_id: str | None = None
        self.known = threading.Event()
        self._stop = threading.Event()

    def learn_from(self, body: dict) -> None:
        if self.user_id is None:
            for auth in body.get("authorizations") or []:
                if isinstance(auth, dict) and auth.get("is_bot") and auth.get("user_id"):
                    self.user_id = str(auth["user_id"])

    def start(self) -> None:
        def loop():
            wait = 1.0
            while not self._stop.is_set():
                try:
                    result = self.client.auth_test()
                    self.user_id = result.get("user_id") or self.user_id
                    self.bot_id = result.get("bot_id")
                    self.known.set()
                    return
                except Exception as exc:  # noqa: BLE001 - Slack down: try again later
                    log.warning("auth.test failed (the bot's identity is not known yet): %s",
                                one_line(exc))
                self._stop.wait(wait)
                wait = min(wait * 2, 300)

        threading.Thread(target=loop, name="clerk-slack-auth", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def authorizer(self):
        """Bolt's `authorize` function (Bolt passes arguments by their names)."""

        def authorize(enterprise_id, team_id, user_id) -> AuthorizeResult:
            if not self.known.is_set():
                self.known.wait(1.0)
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id,
                                   user_id=user_id, bot_token=self.client.token,
                                   bot_user_id=self.user_id, bot_id=self.bot_id)

        return authorize
