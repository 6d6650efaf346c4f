"""A small OpenAI-compatible chat server on loopback, speaking the real protocol
(`/v1/chat/completions`, streamed as server-sent events or not), with a scripted reply."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    # the reply, or a function of the request's prompt (all message contents joined)
    reply: str | Callable[[str], str] = "답변입니다 [1]."
    delay_s: float = 0.0  # before the first token
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    embedding_dims: int = 8


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: Any) -> None:  # keep test output clean
            pass

        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            script.requests.append({"path": self.path, "body": body})
            if script.delay_s:
                time.sleep(script.delay_s)
            if script.status != 200:
                self._json(script.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                return
            path = self.path.split("?")[0]
            if path == "/v1/embeddings":
                inputs = body.get("input") or []
                inputs = [inputs] if isinstance(inputs, str) else inputs
                data = [{"object": "embedding", "index": i, "embedding": [0.1] * script.embedding_dims}
                        for i, _ in enumerate(inputs)]
                self._json(200, {"object": "list", "data": data, "model": body.get("model"),
                                 "usage": {"prompt_tokens": 1, "total_tokens": 1}})
                return
            if path != "/v1/chat/completions":
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            created = int(time.time())
            prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
            reply = script.reply(prompt) if callable(script.reply) else script.reply
            if not body.get("stream"):
                self._json(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": created,
                    "model": body.get("model", "fake"),
                    "choices": [{"index": i, "message": {"role": "assistant", "content": reply},
                                 "finish_reason": "stop"} for i in range(int(body.get("n") or 1))],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
                })
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = [reply[i : i + 7] for i in range(0, len(reply), 7)]
            for n, piece in enumerate(pieces):
                delta = {"role": "assistant", "content": piece} if n == 0 else {"content": piece}
                chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                         "model": body.get("model", "fake"),
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
            end = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": created,
                   "model": body.get("model", "fake"), "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
            self.wfile.flush()
            self.close_connection = True

    return Handler


class FakeOpenAI:
    """`with FakeOpenAI(Script(reply=...)) as server:` then use `server.base_url`."""

    def __init__(self, script: Script | None = None):
        self.script = script or Script()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.script))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
