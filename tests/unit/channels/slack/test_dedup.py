"""Durable de-duplication and thread maps survive a restart (a new store on the same file)."""

from __future__ import annotations

from pathlib import Path

from assistant.db import open_database
from assistant.delivery.keys import KeyStore
from assistant.delivery.received import ReceivedEvents
from channels.slack.blocks import TicketCard
from channels.slack.dedup import SlackDedup
from channels.slack.threads import SlackThreads
from tests.conftest import make_settings


def test_event_ids_are_seen_once_across_restarts(tmp_path: Path) -> None:
    """Seen events are now the rows of the durable inbox in the database (issue 14): a new
    process on the same database still knows them."""
    settings = make_settings(tmp_path / "var")
    db = open_database(settings)
    assert ReceivedEvents(db.sessions, settings=settings).receive("slack", "Ev1", {}) is not None
    assert ReceivedEvents(db.sessions, settings=settings).receive("slack", "Ev1", {}) is None
    db.dispose()
    again = open_database(settings)
    store = ReceivedEvents(again.sessions, settings=settings)
    assert store.receive("slack", "Ev1", {}) is None
    assert store.receive("slack", "Ev2", {}) is not None
    again.dispose()


def _keys(tmp_path: Path) -> KeyStore:
    """A key store on its own database connection (as a new process would open it)."""
    return KeyStore.from_settings(make_settings(tmp_path / "var"))


def test_messages_and_deliveries_are_recorded(tmp_path: Path) -> None:
    dedup = SlackDedup(_keys(tmp_path))
    assert dedup.first_message("C1", "1.1") and not dedup.first_message("C1", "1.1")
    assert dedup.first_message("C2", "1.1")
    assert not dedup.was_sent("ticket:1:2:expert_answer")
    dedup.mark_sent("ticket:1:2:expert_answer", "9.9")
    assert dedup.was_sent("ticket:1:2:expert_answer")


def test_threads_and_ticket_messages(tmp_path: Path) -> None:
    threads = SlackThreads(_keys(tmp_path))
    assert threads.conversation("C1", "1.0") is None
    threads.remember("C1", "1.0", "conv-1")
    threads.remember_ticket("t-1", "CEXP", "5.5", TicketCard(id="t-1", question="질문", draft="초안"))
    reopened = SlackThreads(_keys(tmp_path))
    assert reopened.conversation("C1", "1.0") == "conv-1"
    msg = reopened.ticket_message("t-1")
    assert msg is not None and (msg.channel, msg.ts, msg.card.draft) == ("CEXP", "5.5", "초안")


def test_key_store_values_expire_by_age(tmp_path: Path) -> None:
    keys = _keys(tmp_path)
    keys.put("ns", "k", "v1")
    keys.put("ns", "k", "v2")
    assert keys.get("ns", "k") == "v2"
    assert keys.get("ns", "k", max_age_s=60) == "v2"
    assert keys.get("ns", "k", max_age_s=-1) is None
    assert keys.prune("ns", older_than_s=-1) == 1 and not keys.has("ns", "k")


def test_two_processes_see_each_others_keys_and_old_files_are_imported(tmp_path: Path) -> None:
    """A message answered by one web process is known to another on the same database; keys an
    earlier version kept in `channels.sqlite` are imported once."""
    import sqlite3

    legacy = tmp_path / "var" / "channels.sqlite"
    legacy.parent.mkdir(parents=True)
    with sqlite3.connect(legacy) as old:
        old.execute("CREATE TABLE channel_keys (ns TEXT, key TEXT, value TEXT, created REAL, PRIMARY KEY (ns, key))")
        old.execute("INSERT INTO channel_keys VALUES ('slack_thread', 'C1:1.0', 'conv-old', 1.0)")
    one, two = SlackDedup(_keys(tmp_path)), SlackDedup(_keys(tmp_path))
    assert one.first_message("C9", "7.7")
    assert not two.first_message("C9", "7.7")
    assert SlackThreads(_keys(tmp_path)).conversation("C1", "1.0") == "conv-old"
    assert not legacy.exists() and legacy.with_name("channels.sqlite.imported").exists()
