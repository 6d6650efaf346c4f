"""A tiny OpenAI-compatible HTTP server on loopback: /v1/chat/completions and /v1/embeddings.

It speaks the real wire protocol (JSON bodies, `choices`, `usage`, `n` completions) and
answers ragas' judge prompts by the JSON schema the prompt asks for, so ragas' LLM metrics
can run against it without any hosted service. Every request is recorded for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def judge_reply(prompt: str) -> dict[str, Any]:
    """A well-formed answer for the ragas prompt, chosen by the output schema's title."""
    if '"title": "NLIStatementOutput"' in prompt:
        return {"statements": [{"statement": "지원 비율은 50%입니다.", "reason": "출처에 있습니다.", "verdict": 1}]}
    if '"title": "StatementGeneratorOutput"' in prompt:
        return {"statements": ["지원 비율은 50%입니다."]}
    if '"title": "ResponseRelevanceOutput"' in prompt:
        return {"question": "스마트공장 지원 비율은 얼마인가요?", "noncommittal": 0}
    if '"title": "Verification"' in prompt:
        return {"reason": "답에 쓰인 내용이 이 출처에 있습니다.", "verdict": 1}
    return {"text": "알 수 없는 요청"}


@dataclass
class StubState:
    requests: list[dict[str, Any]] = field(default_factory=list)


def _handler(state: StubState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence the default stderr log
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"path": self.path, "body": body})
            if self.path == "/v1/chat/completions":
                self._send(200, _completion(body))
            elif self.path == "/v1/embeddings":
                self._send(200, _embeddings(body))
            else:
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    return Handler


def _completion(body: dict[str, Any]) -> dict[str, Any]:
    prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages", []))
    content = json.dumps(judge_reply(prompt), ensure_ascii=False)
    n = int(body.get("n") or 1)
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub"),
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
            for i in range(n)
        ],
        "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(content) // 4,
                  "total_tokens": (len(prompt) + len(content)) // 4},
    }


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    inputs = body.get("input") or []
    inputs = [inputs] if isinstance(inputs, str) else inputs
    data = [{"object": "embedding", "index": i, "embedding": [float(len(str(t)) % 7), 1.0, 0.5]}
            for i, t in enumerate(inputs)]
    return {"object": "list", "data": data, "model": body.get("model", "stub"),
            "usage": {"prompt_tokens": 1, "total_tokens": 1}}


@contextmanager
def openai_stub() -> Iterator[tuple[str, StubState]]:
    """(base_url ending in /v1, recorded state) while the server runs."""
    state = StubState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
