"""Abuse limits a client runs into: the per-client rate limit, the request-size cap, CORS."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from channels.web.limits import RateLimited, SlidingWindowLimiter
from tests.unit.channels.web.conftest import OTHER, OWNER


def test_rate_limit_answers_429_in_korean_per_client(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_per_minute=3)
    for _ in range(3):  # empty questions are cheap and still count
        assert client.post("/v1/chat", json={"message": ""}, headers=OWNER).status_code == 400
    limited = client.post("/v1/chat", json={"message": "MES가 뭔가요?"}, headers=OWNER)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert "요청이 너무 많습니다" in limited.json()["error"]["message"]
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert client.post("/v1/chat", json={"message": ""}, headers=OTHER).status_code == 400  # another browser


def test_sliding_window_forgets_old_hits() -> None:
    now = [0.0]
    limiter = SlidingWindowLimiter(2, window=60, clock=lambda: now[0])
    limiter.hit("a")
    now[0] = 30
    limiter.hit("a")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("a")
    assert refused.value.retry_after == 30
    now[0] = 60.5  # the first hit left the window
    limiter.hit("a")
    limiter.hit("b")
    assert SlidingWindowLimiter(0).hit("a") is None  # 0 turns the limit off


def test_oversized_request_gets_413_in_korean(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_request_bytes=2048)
    big = client.post("/v1/chat", json={"message": "가" * 1500}, headers=OWNER)  # 4.5 kB of UTF-8
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "request_too_large"
    assert "요청이 너무 큽니다" in big.json()["error"]["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes are counted as they arrive
        yield b'{"message": "'
        for _ in range(10):
            yield "가".encode() * 100
        yield b'"}'

    chunked = client.post("/v1/chat", content=chunks(), headers={**OWNER, "Content-Type": "application/json"})
    assert chunked.status_code == 413
    small = client.post("/v1/chat", json={"message": ""}, headers=OWNER)
    assert small.status_code == 400  # under the cap the request reaches the service


def test_cors_allows_only_configured_origins(make_client: Callable[..., TestClient]) -> None:
    client = make_client(cors_origins=["https://factory.example.kr"])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-owner-id"}
    allowed = client.options("/v1/chat", headers={"Origin": "https://factory.example.kr", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://factory.example.kr"
    assert "x-owner-id" in allowed.headers["access-control-allow-headers"].lower()
    other = client.options("/v1/chat", headers={"Origin": "https://evil.example.com", **preflight})
    assert "access-control-allow-origin" not in other.headers
    simple = client.get("/healthz", headers={"Origin": "https://factory.example.kr"})
    assert simple.headers["access-control-allow-origin"] == "https://factory.example.kr"


def test_no_cors_headers_without_configured_origins(client: TestClient) -> None:
    response = client.get("/healthz", headers={"Origin": "https://factory.example.kr"})
    assert "access-control-allow-origin" not in response.headers
