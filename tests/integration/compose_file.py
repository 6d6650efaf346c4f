"""deploy/compose.yaml read as compose reads it, and rewritten for this machine.

`Compose.load(values)` resolves `${VAR}` and `${VAR:-default}` (values from deploy/env.example
with a test's on top) and gives each service's command, environment, health check, ports,
volumes and `depends_on`. `Localizer` rewrites only what a container gets for free: service
host names and ports become loopback and free ports, `0.0.0.0` and the proxy's fixed address
become loopback, volume paths become folders under a temporary root, and the first word of a
command becomes the local program (`executable`).
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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
