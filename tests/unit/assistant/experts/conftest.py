"""The storage fixtures (a migrated SQLite database in a temporary data dir), shared with db/."""

from tests.unit.assistant.db.conftest import db, settings  # noqa: F401  (fixtures)
