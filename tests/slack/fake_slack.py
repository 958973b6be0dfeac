"""A fake of Slack's Web API as a small real HTTP server, as bolt-python's own tests use: the
app's WebClient points at it (base_url), and every call is recorded for the tests to assert.
It also takes the POSTs that Slack's response_url would (slash commands, button clicks)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

BOT_USER_ID, BOT_ID, TEAM_ID = "UCLERK", "BCLERK", "T0COUNCIL"


class FakeSlack:
    def __init__(self):
        self.calls: list[dict] = []  # {"method", "args", "token"}; response_url posts too
        self.threads: dict[tuple[str, str], list[dict]] = {}  # (channel, thread ts) -> messages
        self.refuse: dict[str, str] = {}  # method -> the error Slack answers it with
        self.hang_s = 0.0  # > 0: every Web API call waits this long, then is dropped unanswered
        self.reactions: set[tuple[str, str, str]] = set()  # (channel, ts, name) on messages now
        self._lock = threading.Lock()
        self._ts = 0
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/api/"

    def response_url(self, name: str = "hook") -> str:
        return f"{self.root}/response/{name}"

    def start(self) -> "FakeSlack":
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def down(self) -> None:
        """Slack's Web API refuses connections (nothing listens on its port)."""
        self.stop()

    def up(self) -> None:
        """Slack is back, on the same port."""
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def answers(self) -> list[dict]:
        """Every call but auth.test (which Clerk makes once, in the background, at start)."""
        with self._lock:
            return [c for c in self.calls if c["method"] != "auth.test"]

    def calls_to(self, method: str) -> list[dict]:
        with self._lock:
            return [c["args"] for c in self.calls if c["method"] == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60) -> list[dict]:
        """The calls to `method` once there are at least `count` of them."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {count} call(s) to {method} within {timeout}s; "
                             f"calls: {[c['method'] for c in self.calls]}")

    def _answer(self, method: str, args: dict) -> dict:
        if method in self.refuse:
            return {"ok": False, "error": self.refuse[method]}
        match method:
            case "auth.test":
                return {"ok": True, "url": "https://council.slack.com/", "team": "Council",
                        "user": "clerk", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                        "bot_id": BOT_ID, "is_enterprise_install": False}
            case "chat.postMessage":
                with self._lock:
                    self._ts += 1
                    ts = f"1700000100.{self._ts:06d}"
                return {"ok": True, "channel": args.get("channel"), "ts": ts,
                        "message": {"type": "message", "text": args.get("text", ""),
                                    "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts}}
            case "reactions.add" | "reactions.remove":
                return self._react(method, args)
            case "views.open":
                if not args.get("trigger_id"):
                    return {"ok": False, "error": "invalid_trigger_id"}
                view = json.loads(args["view"]) if isinstance(args.get("view"), str) \
                    else args.get("view") or {}
                if view.get("type") != "modal" or not view.get("blocks"):
                    return {"ok": False, "error": "invalid_arguments"}
                return {"ok": True, "view": {**view, "id": "V0REASON"}}
            case "views.publish":
                return self._publish(args)
            case "conversations.replies":
                key = (args.get("channel"), args.get("ts"))
                return {"ok": True, "messages": self.threads.get(key, []), "has_more": False}
            case _:
                return {"ok": True}

    @staticmethod
    def _publish(args: dict) -> dict:
        """As Slack does: a Home tab needs the user it is for and a `home` view with blocks
        (at most 100)."""
        if not args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        view = json.loads(args["view"]) if isinstance(args.get("view"), str) \
            else args.get("view") or {}
        if view.get("type") != "home" or not view.get("blocks") or len(view["blocks"]) > 100:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {**view, "id": "V0HOME"}}

    def _react(self, method: str, args: dict) -> dict:
        """As Slack does: a reaction needs a channel, a timestamp and a name; adding one that is
        there is already_reacted, removing one that is not there is no_reaction."""
        if not (args.get("channel") and args.get("timestamp") and args.get("name")):
            return {"ok": False, "error": "invalid_arguments"}
        key = (args["channel"], args["timestamp"], args["name"])
        with self._lock:
            if method == "reactions.add":
                if key in self.reactions:
                    return {"ok": False, "error": "already_reacted"}
                self.reactions.add(key)
            else:
                if key not in self.reactions:
                    return {"ok": False, "error": "no_reaction"}
                self.reactions.discard(key)
        return {"ok": True}

    def methods(self) -> list[str]:
        """The methods called so far, in order (auth.test left out)."""
        return [c["method"] for c in self.answers()]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _args(self) -> dict:
                url = urlsplit(self.path)
                args = dict(parse_qsl(url.query))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if raw and "json" in (self.headers.get("Content-Type") or ""):
                    args.update(json.loads(raw))
                elif raw:
                    args.update(parse_qsl(raw))
                return args

            def _record(self, method: str, args: dict) -> None:
                with fake._lock:
                    fake.calls.append({"method": method, "args": args,
                                       "token": self.headers.get("Authorization")})

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                self.do_POST()

            def do_POST(self):
                if fake.hang_s and self.path.startswith("/api/"):
                    time.sleep(fake.hang_s)  # hangs, then drops the call unanswered
                    self.close_connection = True
                    return
                path, args = urlsplit(self.path).path, self._args()
                if path.startswith("/response/"):
                    self._record("response_url", {**args, "path": path})
                    self._send(200, b"ok", "text/plain")
                    return
                method = path.removeprefix("/api/")
                self._record(method, args)
                body = json.dumps(fake._answer(method, args)).encode()
                self._send(200, body, "application/json; charset=utf-8")

        return Handler
