from __future__ import annotations

from assistant.db.engine import Database
from assistant.settings import Settings
from tests.unit.assistant.experts import scenarios_tickets as sc


def test_ticket_lifecycle_with_events_and_outbox(db: Database, settings: Settings) -> None:
    sc.check_ticket_lifecycle(db, settings)


def test_state_change_event_and_outbox_commit_together(db: Database, settings: Settings) -> None:
    sc.check_transaction_atomicity(db, settings)


def test_ticket_role_checks(db: Database, settings: Settings) -> None:
    sc.check_role_checks(db, settings)


def test_routing_expertise_region_load_capacity_queue(db: Database, settings: Settings) -> None:
    sc.check_routing(db, settings)


def test_concurrent_claims_only_one_wins(db: Database, settings: Settings) -> None:
    sc.check_concurrent_claims(db, settings)


def test_sla_renotify_then_reassign_then_auto_close(db: Database, settings: Settings) -> None:
    sc.check_sla(db, settings)


def test_notes_ingested_only_on_approval(db: Database, settings: Settings) -> None:
    sc.check_notes(db, settings)


def test_escalation_hook_and_relay_while_held(db: Database, settings: Settings) -> None:
    sc.check_escalation_glue(db, settings)
