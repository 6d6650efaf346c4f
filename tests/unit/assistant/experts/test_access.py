from __future__ import annotations

from assistant.db.engine import Database
from assistant.settings import Settings
from tests.unit.assistant.experts import scenarios_access as sc


def test_tokens_hashed_shown_once_revocable(db: Database) -> None:
    sc.check_tokens(db)


def test_require_role(db: Database) -> None:
    sc.check_role_helpers(db)


def test_owners_see_only_their_own_conversations(db: Database, settings: Settings) -> None:
    sc.check_owner_visibility(db, settings)


def test_feedback_and_golden_case_export(db: Database, settings: Settings) -> None:
    sc.check_feedback_and_exports(db, settings)
