"""The house rules about who imports whom, read from the source with `ast`.

- The core (`assistant/`) imports no channel, no evals and no ingestion.
- Channels go through the service: no channel module other than the composition root
  (`channels/runtime.py`) imports ingestion, the stores, the database (models, engine,
  sessions, migrations) or the core's own wiring.
Imports only for type checkers (`if TYPE_CHECKING:`) do not count: they run nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION_ROOT = "channels/runtime.py"

CORE_MUST_NOT_IMPORT = ("channels", "evals", "ingestion")
CHANNELS_MUST_NOT_IMPORT = ("ingestion", "assistant.stores", "assistant.db", "assistant.wiring")
CHANNELS_MAY_IMPORT = ("assistant.db.enums",)  # the role and status names, no database access


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs, skipping `if TYPE_CHECKING:` bodies."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for other in node.orelse:
                yield other
                yield from _runtime_nodes(other)
            continue
        yield node
        yield from _runtime_nodes(node)


def imported_modules(source: str, module: str) -> set[str]:
    """The absolute module names `source` (the module `module`) imports at run time."""
    package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)  # `from assistant import wiring`
    return found


def _matches(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(source: str, path: str) -> list[str]:
    """What `source` (at `path`, relative to the project root) imports against the rules."""
    module = path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    imports = imported_modules(source, module)
    if path.startswith("assistant/"):
        banned = {i for i in imports if _matches(i, CORE_MUST_NOT_IMPORT)}
    elif path.startswith("channels/") and path != COMPOSITION_ROOT:
        banned = {i for i in imports if _matches(i, CHANNELS_MUST_NOT_IMPORT) and not _matches(i, CHANNELS_MAY_IMPORT)}
    else:
        banned = set()
    shortest = {b for b in banned if not any(b.startswith(other + ".") for other in banned)}
    return [f"{path} imports {name}" for name in sorted(shortest)]


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["assistant", "channels"])
def test_the_core_and_the_channels_keep_to_their_rooms(folder: str) -> None:
    files = _sources(folder)
    assert len(files) > 20  # the walk found the package
    found = [v for f in files for v in violations(f.read_text(encoding="utf-8"), f.relative_to(ROOT).as_posix())]
    assert found == []


@pytest.mark.parametrize(("path", "source", "expected"), [
    ("assistant/wiring.py", "from ingestion.pipeline import Ingestor\n", ["assistant/wiring.py imports ingestion.pipeline"]),
    ("assistant/experts/desk.py", "def f():\n    import channels.web.app\n",
     ["assistant/experts/desk.py imports channels.web.app"]),
    ("assistant/service.py", "from evals import runner\n", ["assistant/service.py imports evals"]),
    ("channels/cli/users.py", "from assistant.db.models import User\n",
     ["channels/cli/users.py imports assistant.db.models"]),
    ("channels/cli/ingest.py", "from assistant.stores import open_stores\n",
     ["channels/cli/ingest.py imports assistant.stores"]),
    ("channels/web/app.py", "from assistant import wiring\n", ["channels/web/app.py imports assistant.wiring"]),
    ("channels/slack/app.py", "from ..runtime import build_assistant\n", []),
    ("channels/cli/users.py", "from assistant.db.enums import Role\n", []),
    ("channels/runtime.py", "from ingestion.notes import NoteIngestor\nfrom assistant.db import open_database\n", []),
    ("channels/web/deps.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from assistant.db.models import User\n",
     []),
    ("ingestion/pipeline.py", "from assistant.stores import Stores\n", []),
])
def test_the_rules_catch_a_violation_injected_by_hand(path: str, source: str, expected: list[str]) -> None:
    assert violations(source, path) == expected


def test_relative_imports_are_resolved() -> None:
    assert imported_modules("from ..runtime import x\nfrom . import blocks\n", "channels.slack.app") == {
        "channels.runtime", "channels.runtime.x", "channels.slack", "channels.slack.blocks"}
