"""Storage fixtures: a migrated SQLite database in a temporary data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.db.engine import Database
from assistant.db.migrations import upgrade
from assistant.settings import Settings
from tests.unit.assistant.db.factories import storage_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return storage_settings(tmp_path / "var")


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    upgrade(settings)
    database = Database.from_settings(settings)
    yield database
    database.dispose()
