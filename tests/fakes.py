"""Fakes for what cannot run here, written as small real servers: an OpenAI-compatible chat
endpoint that answers from a queue. A reply may cite by content: ``[{cite:13 and 16}]`` becomes
the number of the source whose text contains "13 and 16", as a model reading them would."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeChatServer:
    def __init__(self):
        self.replies: list[str] = []
        self.requests: list[dict] = []
        self.failures = 0  # the next N requests answer 500
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def enqueue(self, reply: str) -> None:
        self.replies.append(reply)

    def start(self) -> "FakeChatServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()

    @staticmethod
    def resolve(reply: str, prompt: str) -> str:
        sources = dict(re.findall(r'<source n="(\d+)"[^>]*>\n(.*?)\n</source>', prompt, re.S))

        def number(m):
            needle = m.group(1)
            for n, text in sources.items():
                if needle in " ".join(text.split()):
                    return n
            return "99"

        return re.sub(r"\{cite:([^}]*)\}", number, reply)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if fake.failures:
                    fake.failures -= 1
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "model crashed"}}')
                    return
                prompt = "\n".join(m["content"] for m in body["messages"]
                                   if isinstance(m.get("content"), str))
                reply = fake.replies.pop(0) if fake.replies else "NOT IN PAPERS"
                reply = fake.resolve(reply, prompt)
                if body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._json({"id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
                                "model": body["model"], "choices": [{
                                    "index": 0, "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": reply}}],
                                "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                          "total_tokens": 2}})

            def _json(self, payload):
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body, reply):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for token in re.findall(r"\S+\s*", reply):
                    chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                             "created": 0, "model": body["model"], "choices": [{
                                 "index": 0, "delta": {"content": token}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                end = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
                       "model": body["model"], "choices": [{"index": 0, "delta": {},
                                                            "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())

        return Handler
