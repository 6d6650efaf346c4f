"""Fail any attempt to reach a host other than loopback (tests prove they run offline)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


@contextmanager
def block_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Within the block, connecting or resolving a non-loopback host raises; every attempt is
    recorded in the yielded list (so a library that swallows the error is still caught)."""
    attempts: list[Any] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def _check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and str(address[0]) not in LOOPBACK:
            attempts.append(address)
            raise OSError(f"network access blocked in tests: {address}")

    def connect(self: socket.socket, address: Any) -> None:
        _check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in LOOPBACK:
            attempts.append(host)
            raise socket.gaierror(f"name resolution blocked in tests: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(socket.socket, "connect", connect)
        m.setattr(socket.socket, "connect_ex", connect_ex)
        m.setattr(socket, "getaddrinfo", getaddrinfo)
        yield attempts
