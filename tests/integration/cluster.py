"""deploy/compose.yaml run as local processes, so the file is exercised and cannot rot.

The compose file is read as it is: `${VAR}` and `${VAR:-default}` are resolved from
deploy/env.example with the test's values on top (a database name, the local Slack
stand-in's URL...), every service's command, environment and health check is run as a
process on this machine, in the order its `depends_on` gives and waiting as its conditions
say. Only what a container gives for free is rewritten (`Localizer`): service host names and
ports become loopback and free ports, `0.0.0.0` becomes loopback, the proxy's fixed address
becomes loopback, volume paths become temporary folders, and the first word of a command
becomes the local executable. The images' own start-up stands in as: PostgreSQL, the server
the test started; nginx, Debian's nginx run with deploy/nginx.conf.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.integration.servers import free_port

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / "env.example"
LOOPBACK = "127.0.0.1"
_VAR = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")
_CLI = [sys.executable, "-c", "from channels.cli import main; main()"]


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (comments and blank lines skipped), as compose reads an --env-file."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def variables(text: str) -> set[str]:
    """The `${VAR}` names a compose file uses."""
    return {m.group(1) for m in _VAR.finditer(text)}


def interpolate(text: str, values: Mapping[str, str]) -> str:
    """`${VAR}` and `${VAR:-default}` as compose resolves them; an unknown VAR without a default
    is an error here (compose would only warn and put an empty string)."""

    def one(m: re.Match[str]) -> str:
        name, default = m.group(1), m.group(2)
        value = values.get(name)
        if value:
            return value
        if default is not None:
            return default
        if name in values:
            return ""
        raise KeyError(f"compose uses ${{{name}}}, which env.example does not define")

    return _VAR.sub(one, text)


@dataclass
class Service:
    name: str
    spec: dict[str, Any]

    @property
    def command(self) -> list[str]:
        return [str(a) for a in self.spec.get("command") or []]

    @property
    def environment(self) -> dict[str, str]:
        return {k: "" if v is None else str(v) for k, v in (self.spec.get("environment") or {}).items()}

    @property
    def healthcheck(self) -> list[str] | None:
        test = (self.spec.get("healthcheck") or {}).get("test")
        if not test:
            return None
        assert test[0] == "CMD", f"{self.name}: health checks are exec lists ([CMD, ...])"
        return [str(a) for a in test[1:]]

    @property
    def depends_on(self) -> dict[str, str]:
        return {k: (v or {}).get("condition", "service_started") for k, v in (self.spec.get("depends_on") or {}).items()}

    @property
    def port(self) -> int | None:
        """The port the service listens on inside its container."""
        if self.spec.get("expose"):
            return int(self.spec["expose"][0])
        if self.spec.get("ports"):
            return int(str(self.spec["ports"][0]).rsplit(":", 1)[1])
        return None

    @property
    def published_port(self) -> int | None:
        ports = self.spec.get("ports")
        return int(str(ports[0]).split(":")[0]) if ports else None

    @property
    def volumes(self) -> list[tuple[str, str]]:
        """(source, path in the container) pairs."""
        return [(str(v).split(":")[0], str(v).split(":")[1]) for v in self.spec.get("volumes") or []]

    def address(self) -> str | None:
        """A fixed address on the compose network, if it has one."""
        for net in (self.spec.get("networks") or {}).values() if isinstance(self.spec.get("networks"), dict) else []:
            if net and net.get("ipv4_address"):
                return str(net["ipv4_address"])
        return None


@dataclass
class Compose:
    text: str
    values: dict[str, str]
    services: dict[str, Service] = field(default_factory=dict)

    @classmethod
    def load(cls, values: Mapping[str, str], path: Path = COMPOSE) -> Compose:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(interpolate(text, values))
        compose = cls(text, dict(values))
        compose.services = {name: Service(name, spec) for name, spec in data["services"].items()}
        return compose

    def start_order(self) -> list[str]:
        """Services in an order that honours every `depends_on`."""
        order: list[str] = []

        def visit(name: str, path: tuple[str, ...]) -> None:
            assert name not in path, f"depends_on cycle: {path + (name,)}"
            if name in order:
                return
            for dep in self.services[name].depends_on:
                visit(dep, path + (name,))
            order.append(name)

        for name in self.services:
            visit(name, ())
        return order


@dataclass
class Localizer:
    """Rewrites what one service runs for this machine (see the module docstring)."""

    ports: dict[str, int]  # service -> its local port
    compose: Compose
    root: Path  # named volumes become folders under it

    def path(self, service: Service, container_path: str) -> Path | None:
        """The local folder of a volume path: a named volume's under `root`, a bind mount's source
        (relative to deploy/, as compose reads it)."""
        for source, target in service.volumes:
            if container_path == target or container_path.startswith(target + "/"):
                if source.startswith((".", "/")):
                    base = (DEPLOY / source).resolve()
                else:
                    base = self.root / "volumes" / source
                    base.mkdir(parents=True, exist_ok=True)
                rest = container_path[len(target):].lstrip("/")
                return base / rest if rest else base
        return None

    def text(self, service: Service, value: str) -> str:
        for other in self.compose.services.values():
            if other.port is not None and other.name in self.ports:
                value = value.replace(f"{other.name}:{other.port}", f"{LOOPBACK}:{self.ports[other.name]}")
        if service.port is not None and service.name in self.ports:
            value = value.replace(f"{LOOPBACK}:{service.port}", f"{LOOPBACK}:{self.ports[service.name]}")
        for other in self.compose.services.values():
            if (address := other.address()) is not None:
                value = value.replace(address, LOOPBACK)
        value = value.replace("0.0.0.0", LOOPBACK)
        local = self.path(service, value) if value.startswith("/") else None
        return str(local) if local is not None else value

    def argv(self, service: Service, argv: list[str]) -> list[str]:
        out: list[str] = []
        for i, arg in enumerate(argv):
            if i > 0 and argv[i - 1] in ("--port", "-p") and service.port is not None and arg == str(service.port):
                out.append(str(self.ports[service.name]))
            else:
                out.append(self.text(service, arg))
        return executable(out[0]) + out[1:]

    def environment(self, service: Service) -> dict[str, str]:
        return {k: self.text(service, v) for k, v in service.environment.items()}


def executable(name: str) -> list[str]:
    """The local program for the first word of a compose command."""
    if name == "factory-mentor":
        return list(_CLI)
    if name == "python":
        return [sys.executable]
    if name == "chroma":
        return [shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")]
    if name == "pg_isready":
        from tests.integration.pg_server import _bin_dir

        return [str(_bin_dir() / "pg_isready")]
    found = shutil.which(name)
    assert found, f"{name} is not installed here"
    return [found]


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
            argv, env = self.localizer.argv(service, check), base_environment()

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
