"""One contract, every ConversationStore."""

from __future__ import annotations

from assistant.conversations import ConversationStore, InMemoryConversationStore, SqlConversationStore
from assistant.db.engine import Database
from assistant.experts.tickets import holding_ticket
from assistant.experts.workflow import close_ticket
from assistant.settings import Settings
from tests.unit.assistant.db.factories import make_ticket
from tests.unit.assistant.experts.scenarios_access import check_store_contract


def sql_store_contract(db: Database, settings: Settings) -> None:
    store = SqlConversationStore(db.sessions)
    assert isinstance(store, ConversationStore)

    def hold(conversation_id: str) -> None:
        with db.session_scope() as s:
            make_ticket(s, settings, conversation_id=conversation_id)

    def release(conversation_id: str) -> None:
        with db.session_scope() as s:
            ticket = holding_ticket(s, conversation_id=conversation_id)
            assert ticket is not None
            close_ticket(s, ticket_id=ticket.id)

    check_store_contract(store, hold, release)


def test_in_memory_store_contract() -> None:
    store = InMemoryConversationStore()
    assert isinstance(store, ConversationStore)
    check_store_contract(store, lambda cid: store.hold(cid, "t1"), lambda cid: store.release(cid, "t1"))


def test_sql_store_contract(db: Database, settings: Settings) -> None:
    sql_store_contract(db, settings)
