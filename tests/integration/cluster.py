"""deploy/compose.yaml run as local processes, so the file is exercised and cannot rot.

Every service's command, environment and health check is taken from the file
(`compose_file.Compose`, rewritten for this machine by `compose_file.Localizer`) and run as a
process here, in the order its `depends_on` gives, waiting as its conditions say. The images'
own start-up stands in as: PostgreSQL, the server the test started; nginx, Debian's nginx run
with deploy/nginx.conf.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from tests.integration.compose_file import DEPLOY, LOOPBACK, Compose, Localizer, Service, executable
from tests.integration.servers import free_port


def base_environment() -> dict[str, str]:
    """This process's environment without any FM_* setting of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FM_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    return env


class Process:
    """One service's process, its output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.name, self.argv, self.log = name, argv, log
        cwd.mkdir(parents=True, exist_ok=True)  # no .env there: only the variables given count
        with log.open("ab") as out:
            self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_exit(self, timeout: float) -> int:
        return self.popen.wait(timeout=timeout)

    def kill(self) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        if not self.alive():
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_until(check: Callable[[], bool], what: str, timeout: float, on_fail: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"{what} not within {timeout:.0f} s\n{on_fail()}")


def healthy(argv: list[str], env: dict[str, str]) -> bool:
    try:
        return subprocess.run(argv, env=env, capture_output=True, timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def nginx_config(localizer: Localizer, service: Service, source: Path, workdir: Path) -> Path:
    """deploy/nginx.conf with the upstream hosts, the listen port and nginx's own scratch
    folders (which the image keeps under /var) moved to this machine."""
    text = localizer.text(service, source.read_text(encoding="utf-8"))
    assert service.port is not None
    text = re.sub(rf"listen\s+{service.port};", f"listen {LOOPBACK}:{localizer.ports[service.name]};", text)
    scratch = "".join(f"    {d}_temp_path {workdir / d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = text.replace("http {\n", "http {\n" + scratch, 1)
    conf = workdir / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


class Cluster:
    """The whole compose file up on this machine: `up()`, then `url(name)`, `run(name)` for a
    one-shot service again (`docker compose run --rm ingest`), `start(name)` for a new process of
    a service, `down()`. `tuning` holds test-only speed-ups (poll intervals, leases) added to
    every Factory Mentor process; they are not configuration the deployment depends on."""

    def __init__(self, root: Path, values: Mapping[str, str], *, postgres_port: int,
                 tuning: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.compose = Compose.load(values)
        ports: dict[str, int] = {}
        for name, service in self.compose.services.items():
            if service.published_port is not None:
                ports[name] = service.published_port
            elif service.port is not None:
                ports[name] = free_port()
        ports["postgres"] = postgres_port  # the image's server is the one the test started
        self.localizer = Localizer(ports, self.compose, root)
        self.tuning = dict(tuning or {})
        self.processes: dict[str, Process] = {}

    def service(self, name: str) -> Service:
        return self.compose.services[name]

    def url(self, name: str) -> str:
        return f"http://{LOOPBACK}:{self.localizer.ports[name]}"

    def env(self, name: str) -> dict[str, str]:
        service = self.service(name)
        env = self.localizer.environment(service)
        if any(k.startswith("FM_") for k in env):
            env.update(self.tuning)
        return {**base_environment(), **env}

    def start(self, name: str) -> Process | None:
        """Start the service's process (replacing a dead one); None for the external PostgreSQL."""
        service = self.service(name)
        log = self.root / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        if name == "postgres":
            return None
        if str(service.spec.get("image", "")).startswith("nginx"):
            workdir = self.root / name
            workdir.mkdir(parents=True, exist_ok=True)
            (source, _target), = service.volumes
            conf = nginx_config(self.localizer, service, (DEPLOY / source).resolve(), workdir)
            argv = [*executable("nginx"), "-p", str(workdir), "-c", str(conf),
                    "-g", f"daemon off; pid {workdir / 'nginx.pid'}; error_log stderr;"]
            process = Process(name, argv, base_environment(), workdir, log)
        else:
            argv = self.localizer.argv(service, service.command)
            process = Process(name, argv, self.env(name), self.root / "cwd" / name, log)
        self.processes[name] = process
        return process

    def wait(self, name: str, condition: str, timeout: float = 300.0) -> None:
        """Block until `name` meets a depends_on condition."""
        service, process = self.service(name), self.processes.get(name)
        if condition == "service_completed_successfully":
            assert process is not None
            code = process.wait_exit(timeout)
            assert code == 0, f"{name} exited with {code}:\n{process.tail()}"
        elif condition == "service_healthy":
            check = service.healthcheck
            assert check is not None, f"{name} has no health check"
            # a health check runs inside its container, with the service's environment
            argv, env = self.localizer.argv(service, check), (self.env(name) if process else base_environment())

            def ok() -> bool:
                assert process is None or process.alive(), f"{name} exited:\n{process.tail()}"
                return healthy(argv, env)

            wait_until(ok, f"{name} healthy", timeout, lambda: process.tail() if process else "")

    def up(self, timeout: float = 300.0) -> None:
        """Every service in depends_on order, each waited for as its dependents ask."""
        conditions: dict[str, set[str]] = {}
        for service in self.compose.services.values():
            for dep, condition in service.depends_on.items():
                conditions.setdefault(dep, set()).add(condition)
        for name in self.compose.start_order():
            self.start(name)
            for condition in sorted(conditions.get(name, ())):
                self.wait(name, condition, timeout)
            if self.service(name).healthcheck is not None:
                self.wait(name, "service_healthy", timeout)  # no dependent, still checked
        for name, service in self.compose.services.items():
            if service.published_port is not None:
                wait_until(lambda n=name: http_ok(self.url(n) + "/healthz"), f"{name} answering", 60,
                           self.processes[name].tail)

    def run(self, name: str, timeout: float = 300.0) -> Process:
        """A one-shot service once more, to completion."""
        process = self.start(name)
        assert process is not None
        self.wait(name, "service_completed_successfully", timeout)
        return process

    def down(self) -> None:
        for name in reversed(list(self.processes)):
            self.processes[name].stop()
