"""Local HTTP servers standing in for the platforms: Slack's Web API and Kakao's callbackUrl.

Each runs in a thread on 127.0.0.1, port 0, records every request (path without the
query string, parsed body) and answers like the real service.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Responder = Callable[["Recorded"], tuple[int, dict[str, Any]]]


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def _parse(content_type: str, raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
    for key in ("blocks", "view"):  # sent as JSON strings in form posts
        if isinstance(form.get(key), str):
            form[key] = json.loads(form[key])
    return form


class RecordingServer:
    def __init__(self, respond: Responder) -> None:
        self._respond = respond
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlsplit(self.path).path
                query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                body = {**query, **_parse(self.headers.get("Content-Type", ""), raw)}
                rec = Recorded(path, {k.lower(): v for k, v in self.headers.items()}, body)
                with server._lock:
                    server.requests.append(rec)
                status, payload = server._respond(rec)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the caller gave up or was killed
                    pass

            do_GET = do_POST  # noqa: N815

            def log_message(self, *_args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def calls(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith(path)]

    def wait_for(self, path: str, count: int = 1, timeout: float = 20.0) -> list[Recorded]:
        """At least `count` calls to `path`, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls(path)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} call(s) to {path}, got {len(self.calls(path))}: "
                             f"{[r.path for r in self.requests]}")


class FakeSlack(RecordingServer):
    """Slack's Web API: `ok` for the bot token, ts numbers for posted messages.

    Posted messages are kept per channel, with their `metadata`, and returned by
    `conversations.replies` (a thread) and `conversations.history` (a channel), metadata
    included only with `include_all_metadata`, as Slack does. `slow_posts` makes the next
    that many `chat.postMessage` calls keep the message but answer only after
    `post_delay_s` (a caller killed meanwhile never learns the outcome).
    """

    TOKEN = "xoxb-test-token"
    BOT_USER = "UBOT"
    BOT_ID = "BBOT"

    def __init__(self, *, post_delay_s: float = 0.0, slow_posts: int = 0) -> None:
        self._ts = itertools.count(1)
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.post_delay_s = post_delay_s
        self.slow_posts = slow_posts
        super().__init__(self._answer)

    def _post(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        ts = f"1800000000.{next(self._ts):06d}"
        channel = str(body.get("channel"))
        message: dict[str, Any] = {"type": "message", "ts": ts, "text": body.get("text"), "user": self.BOT_USER,
                                   "bot_id": self.BOT_ID}
        for key in ("thread_ts", "blocks"):
            if body.get(key):
                message[key] = body[key]
        metadata = body.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata:
            message["metadata"] = metadata
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
            slow = self.slow_posts > 0
            self.slow_posts -= 1 if slow else 0
        if slow:
            time.sleep(self.post_delay_s)
        return 200, {"ok": True, "channel": channel, "ts": ts, "message": {"text": body.get("text"), "ts": ts}}

    def _read(self, body: dict[str, Any], thread: bool) -> tuple[int, dict[str, Any]]:
        channel = str(body.get("channel"))
        with self._lock:
            stored = list(self.messages.get(channel, []))
        if thread:
            root = str(body.get("ts"))
            found = [m for m in stored if m["ts"] == root or m.get("thread_ts") == root]
        else:
            found = [m for m in reversed(stored) if not m.get("thread_ts") or m["thread_ts"] == m["ts"]]
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        shown = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in found]
        return 200, {"ok": True, "messages": shown, "has_more": False, "response_metadata": {"next_cursor": ""}}

    def posted(self, channel: str) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages.get(channel, []))

    def _answer(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        if rec.headers.get("authorization") != f"Bearer {self.TOKEN}":
            return 200, {"ok": False, "error": "invalid_auth"}
        method = rec.path.rsplit("/", 1)[-1]
        if method == "auth.test":
            return 200, {"ok": True, "url": "https://fm-test.slack.com/", "team": "fm", "user": "fm",
                         "team_id": "T1", "user_id": self.BOT_USER, "bot_id": self.BOT_ID}
        if method == "chat.postMessage":
            return self._post(rec.body)
        if method in ("conversations.replies", "conversations.history"):
            return self._read(rec.body, thread=method == "conversations.replies")
        if method == "chat.update":
            return 200, {"ok": True, "channel": rec.body.get("channel"), "ts": rec.body.get("ts")}
        if method == "views.open":
            return 200, {"ok": True, "view": {"id": "V1", **(rec.body.get("view") or {})}}
        return 200, {"ok": True}


class CallbackReceiver(RecordingServer):
    """Kakao's side of `callbackUrl`: accepts the final answer once per task."""

    def __init__(self) -> None:
        super().__init__(lambda rec: (200, {"taskId": rec.path.rsplit("/", 1)[-1], "status": "SUCCESS",
                                            "message": "", "timestamp": int(time.time() * 1000)}))
