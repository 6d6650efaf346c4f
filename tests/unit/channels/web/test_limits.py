"""Abuse limits a client runs into: the rate limit per address and per owner id, the request-size cap, CORS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.db import open_database
from channels.web.limits import RateLimited, SharedRateLimiter, client_address, trusted_networks
from tests.conftest import make_settings
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
    # the address is spent too: another owner id from it does not get a fresh budget
    assert client.post("/v1/chat", json={"message": ""}, headers=OTHER).status_code == 429
    elsewhere = TestClient(client.app, client=("203.0.113.7", 50000))  # another browser, another address
    assert elsewhere.post("/v1/chat", json={"message": ""}, headers=OTHER).status_code == 400


def test_rotating_owner_ids_from_one_address_is_limited(make_client: Callable[..., TestClient]) -> None:
    client = make_client(rate_limit_per_minute=30)
    codes = [client.post("/v1/chat", json={"message": ""}, headers={"X-Owner-Id": f"rotating-owner-{i:04d}"}).status_code
             for i in range(35)]
    assert codes[:30] == [400] * 30 and codes[30:] == [429] * 5
    # X-Forwarded-For is not believed from a peer that is not a trusted proxy
    forged = client.post("/v1/chat", json={"message": ""},
                         headers={"X-Owner-Id": "rotating-owner-9999", "X-Forwarded-For": "198.51.100.1"})
    assert forged.status_code == 429


def test_behind_trusted_proxies_the_address_they_saw_is_counted(make_client: Callable[..., TestClient]) -> None:
    app = make_client(rate_limit_per_minute=2, trusted_proxies="10.0.0.0/8,192.168.1.1").app
    proxy = TestClient(app, client=("10.0.0.5", 50000))

    def ask(forwarded: str, owner: str = "owner-proxied-0001") -> int:
        return proxy.post("/v1/chat", json={"message": ""},
                          headers={"X-Owner-Id": owner, "X-Forwarded-For": forwarded}).status_code

    assert [ask("198.51.100.1", f"owner-proxied-000{i}") for i in range(3)] == [400, 400, 429]
    # a client prepending made-up addresses is still counted as the address the proxies saw
    assert ask("203.0.113.50, 198.51.100.1", "owner-proxied-0009") == 429
    # two proxies in a row (both trusted): the entry before them is the client, with its own budget
    assert ask("198.51.100.2, 192.168.1.1", "owner-proxied-0010") == 400


def test_client_address_reads_forwarded_for_only_through_trusted_proxies() -> None:
    trusted = trusted_networks(["10.0.0.0/8", "::1"])
    assert client_address("203.0.113.9", ["1.2.3.4"], trusted) == "203.0.113.9"  # peer not a proxy
    assert client_address("10.1.2.3", ["1.2.3.4"], trusted) == "1.2.3.4"
    assert client_address("10.1.2.3", ["9.9.9.9, 1.2.3.4"], trusted) == "1.2.3.4"
    assert client_address("10.1.2.3", ["9.9.9.9", "1.2.3.4, 10.0.0.7"], trusted) == "1.2.3.4"  # two headers
    assert client_address("10.1.2.3", ["not-an-ip"], trusted) == "10.1.2.3"  # garbage: the proxy itself
    assert client_address("10.1.2.3", [], trusted) == "10.1.2.3"
    assert client_address("::1", ["2001:db8::5"], trusted) == "2001:db8::5"
    assert client_address("10.1.2.3", ["1.2.3.4"], []) == "10.1.2.3"  # default: no proxy trusted
    with pytest.raises(ValueError):
        make_settings(Path("var"), trusted_proxies="10.0.0.0/8,proxy.local")


def test_rate_limit_slides_and_counts_a_refused_hit_for_no_key(tmp_path: Path) -> None:
    db = open_database(make_settings(tmp_path / "var"))
    now = [0.0]
    limiter = SharedRateLimiter(lambda: db, 2, window=60, clock=lambda: now[0])
    limiter.hit("a")
    now[0] = 30
    limiter.hit("a")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("a")
    assert refused.value.retry_after == 30
    now[0] = 90  # halfway into the next window: the last window's 2 hits weigh 1
    limiter.hit("a")
    with pytest.raises(RateLimited) as refused:
        limiter.hit("a")  # 1 + 2 hits > 2
    assert refused.value.retry_after == 30  # when the last window has slid out
    now[0] = 180.5  # two windows on: all forgotten
    limiter.hit("a")
    limiter.hit("b")
    assert SharedRateLimiter(lambda: db, 0).hit("a") is None  # 0 turns the limit off
    both = SharedRateLimiter(lambda: db, 1, window=60, clock=lambda: now[0] + 600)
    both.hit("ip:x", "owner:a")
    with pytest.raises(RateLimited):
        both.hit("ip:x", "owner:b")  # the address is spent
    both.hit("ip:y", "owner:b")  # the refused hit was not counted for owner b


def test_two_processes_share_one_budget(tmp_path: Path) -> None:
    """Two limiters on one database (two web processes) count one client's hits together."""
    settings = make_settings(tmp_path / "var")
    first, second = open_database(settings), open_database(settings)
    now = [1000.0]
    one = SharedRateLimiter(lambda: first, 3, window=60, clock=lambda: now[0])
    two = SharedRateLimiter(lambda: second, 3, window=60, clock=lambda: now[0])
    one.hit("ip:1.2.3.4")
    two.hit("ip:1.2.3.4")
    one.hit("ip:1.2.3.4")
    with pytest.raises(RateLimited):
        two.hit("ip:1.2.3.4")


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
