"""A real `factory-mentor serve` on a free loopback port, in a subprocess, for benchmarks and browser tests."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from assistant.settings import Settings

logger = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as FM_* variables, so the child process is configured exactly like `settings`."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        env[f"FM_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


class LocalServer:
    """`with LocalServer(settings) as server: httpx.get(server.url + "/readyz")`."""

    def __init__(self, settings: Settings, *, log_path: Path | None = None, ready_timeout: float = 180.0,
                 **overrides: Any) -> None:
        self.port = free_port()
        self.settings = settings.model_copy(update={"web_host": "127.0.0.1", "web_port": self.port, **overrides})
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or self.settings.data_dir / f"server-{self.port}.log"
        self.ready_timeout = ready_timeout
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> LocalServer:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
               **settings_env(self.settings)}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        cmd = [sys.executable, "-c", "from channels.cli import main; main()", "serve",
               "--host", "127.0.0.1", "--port", str(self.port)]
        self._process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_ready()
        logger.info("server ready at %s (pid %s)", self.url, self._process.pid)
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server not ready after {self.ready_timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
