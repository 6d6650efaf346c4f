"""Ticket, routing, SLA and notes scenarios, run on SQLite (unit) and PostgreSQL (integration)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select

from assistant.db.engine import Database
from assistant.db.models import KnowledgeNote, OutboxItem, Ticket, TicketEvent, User
from assistant.errors import FMError, Forbidden
from assistant.experts.events import list_events
from assistant.experts.notes import NoteDocument, approve_note, list_notes, reject_note
from assistant.experts.routing import GENERAL_TOPIC, topic_for
from assistant.experts.sla import sweep
from assistant.experts.tickets import get_ticket, list_tickets
from assistant.experts.workflow import answer_ticket, claim_ticket, close_ticket, reopen_ticket
from assistant.settings import Settings
from assistant.types import Decision, Turn
from tests.unit.assistant.db.factories import (
    T0,
    citation,
    make_conversation,
    make_expert,
    make_ticket,
    make_user,
)


def _outbox(db: Database, **where: str) -> list[OutboxItem]:
    with db.session_scope() as s:
        query = select(OutboxItem).order_by(OutboxItem.created_at)
        for key, value in where.items():
            query = query.where(getattr(OutboxItem, key) == value)
        return list(s.scalars(query))


def _held(db: Database, conversation_id: str) -> bool:
    from assistant.db.conversations import is_held

    with db.session_scope() as s:
        return is_held(s, conversation_id=conversation_id)


def check_ticket_lifecycle(db: Database, settings: Settings) -> None:
    with db.session_scope() as s:
        expert = make_expert(s, name="박MES", expertise=["MES"], region="경기", handles={"slack": "UEXPERT"})
        mentor = make_user(s, name="이멘토", role="mentor")
        cid = make_conversation(
            s,
            channel="slack",
            user_id="UASKER",
            turns=[
                Turn(role="user", text="MES 도입하려면 무엇부터 준비해야 하나요?"),
                Turn(role="assistant", text="전문가에게 연결해 드릴게요.", decision=Decision.escalate),
            ],
        )
        ticket = make_ticket(
            s,
            settings,
            channel="slack",
            user_id="UASKER",
            reply_to={"channel": "C1", "thread_ts": "1.2"},
            conversation_id=cid,
            sources=[citation()],
            draft="봇 초안",
            priority="high",
        )
        tid, expert_id, mentor_id = ticket.id, expert.id, mentor.id
    assert ticket.topic == "MES" and ticket.assignee_id == expert_id and ticket.status == "open"
    assert ticket.due_at == T0 + timedelta(hours=settings.sla_hours_high)
    assert [t["role"] for t in ticket.history] == ["user", "assistant"]
    assert ticket.sources[0]["source"] == "policies/mes-guide.md" and ticket.draft == "봇 초안"
    assert _held(db, cid)
    [notice] = _outbox(db, kind="ticket_assigned")
    assert notice.channel == "slack" and notice.recipient["handle"] == "UEXPERT" and notice.ticket_id == tid

    with db.session_scope() as s:  # pressing "전문가 연결" again: the same ticket, no second one
        again = make_ticket(s, settings, conversation_id=cid)
        assert again.id == tid
        assert len(list(s.scalars(select(Ticket)))) == 1

    with db.session_scope() as s:
        claim_ticket(s, ticket_id=tid, user=s.get(User, expert_id), now=T0 + timedelta(hours=1))
    with db.session_scope() as s:
        answered = answer_ticket(
            s,
            settings=settings,
            ticket_id=tid,
            user=s.get(User, expert_id),
            answer="먼저 생산 실적을 어떻게 모으는지부터 정리하세요.",
            now=T0 + timedelta(hours=2),
        )
        assert answered.status == "answered" and answered.answered_by == expert_id
    from assistant.db.conversations import load_history

    with db.session_scope() as s:
        history = load_history(s, conversation_id=cid)
    assert history[-1].role == "expert" and history[-1].text.startswith("먼저 생산 실적")
    [delivery] = _outbox(db, kind="expert_answer")
    assert delivery.channel == "slack" and delivery.recipient["reply_to"] == {
        "channel": "C1",
        "thread_ts": "1.2",
    }
    assert delivery.payload["text"].startswith("먼저") and delivery.conversation_id == cid
    # answered: no longer live (a new escalation opens a new ticket); the bot answers new
    # questions and replies about the ticket still reach the expert (assistant.experts.holding)
    assert not _held(db, cid), "answered: the ticket is no longer live"
    with db.session_scope() as s:
        from assistant.experts.hand_off import active_ticket

        assert active_ticket(s, conversation_id=cid).status == "answered"  # type: ignore[union-attr]

    with db.session_scope() as s:
        close_ticket(s, ticket_id=tid, user=s.get(User, expert_id), now=T0 + timedelta(hours=3))
    assert not _held(db, cid), "closed: the bot resumes"
    with db.session_scope() as s:
        reopened = reopen_ticket(
            s, settings=settings, ticket_id=tid, user=None, reason="추가 질문", now=T0 + timedelta(hours=4)
        )
        assert reopened.due_at == T0 + timedelta(hours=4 + settings.sla_hours_high)
    assert _held(db, cid)
    assert [n.kind for n in _outbox(db, kind="ticket_reopened")] == ["ticket_reopened"]
    with db.session_scope() as s:
        close_ticket(s, ticket_id=tid, user=s.get(User, mentor_id), now=T0 + timedelta(hours=5))

    with db.session_scope() as s:
        events = list_events(s, ticket_id=tid)
        trail = [(e.seq, e.kind, e.from_status, e.to_status, e.actor, e.created_at) for e in events]
    assert trail == [
        (1, "created", None, "open", "system", T0),
        (2, "assigned", None, None, "system", T0),
        (3, "claimed", "open", "claimed", "박MES", T0 + timedelta(hours=1)),
        (4, "answered", "claimed", "answered", "박MES", T0 + timedelta(hours=2)),
        (5, "closed", "answered", "closed", "박MES", T0 + timedelta(hours=3)),
        (6, "reopened", "closed", "reopened", "system", T0 + timedelta(hours=4)),
        (7, "closed", "reopened", "closed", "이멘토", T0 + timedelta(hours=5)),
    ]
    with db.session_scope() as s, pytest.raises(FMError) as err:
        claim_ticket(s, ticket_id=tid, user=s.get(User, mentor_id))
    assert err.value.status == 409


def check_transaction_atomicity(db: Database, settings: Settings) -> None:
    """A failed transaction leaves no state change, no event and no outbox row behind."""
    with db.session_scope() as s:
        expert = make_expert(s)
        tid, expert_id = make_ticket(s, settings).id, expert.id
    before = len(_outbox(db))
    with pytest.raises(RuntimeError), db.session_scope() as s:
        answer_ticket(s, settings=settings, ticket_id=tid, user=s.get(User, expert_id), answer="답변")
        raise RuntimeError("the process fails before commit")
    with db.session_scope() as s:
        assert get_ticket(s, ticket_id=tid).status == "open"
        assert [e.kind for e in list_events(s, ticket_id=tid)] == ["created", "assigned"]
        assert list(s.scalars(select(KnowledgeNote))) == []
    assert len(_outbox(db)) == before


def check_role_checks(db: Database, settings: Settings) -> None:
    with db.session_scope() as s:
        a = make_expert(s, name="A")
        b = make_expert(s, name="B", expertise=["ERP"])
        evaluator = make_user(s, name="평가자", role="evaluator")
        owner = make_user(s, name="대표", role="owner")
        admin = make_user(s, name="관리자", role="admin")
        tid = make_ticket(s, settings).id
        ids = {u.name: u.id for u in (a, b, evaluator, owner, admin)}
    for name in ("B", "평가자", "대표"):
        with db.session_scope() as s, pytest.raises(Forbidden) as err:
            claim_ticket(s, ticket_id=tid, user=s.get(User, ids[name]))
        assert "권한" in err.value.message or "배정" in err.value.message
    with db.session_scope() as s, pytest.raises(Forbidden):
        list_tickets(s, user=s.get(User, ids["대표"]))
    with db.session_scope() as s:
        assert [t.id for t in list_tickets(s, user=s.get(User, ids["B"]))] == []  # not theirs, not queued
        assert claim_ticket(s, ticket_id=tid, user=s.get(User, ids["관리자"])).assignee_id == ids["관리자"]


def check_routing(db: Database, settings: Settings) -> None:
    assert topic_for("MES 도입 비용이 궁금해요") == "MES"
    assert topic_for("정책자금 융자 금리는?") == "정책자금"
    assert topic_for("어떤 업체를 골라야 할지") == "공급기업 선정"
    assert topic_for("신청 서류", ["스마트공장 보급사업 공고가 언제 나와요?"]) == "지원사업"
    assert topic_for("안녕하세요") == GENERAL_TOPIC
    with db.session_scope() as s:
        gyeonggi = make_expert(s, name="경기MES", expertise=["MES"], region="경기", capacity=2)
        seoul = make_expert(s, name="서울MES", expertise=["mes", "ERP"], region="서울", capacity=3)
        make_expert(s, name="경기ERP", expertise=["ERP"], region="경기")
        away = make_expert(s, name="휴가MES", expertise=["MES"], region="경기")
        away.expert.accepting = False
        ids = {u.name: u.id for u in (gyeonggi, seoul)}
    picks = []
    for _ in range(5):  # region first while under capacity, then the other region, then the queue
        with db.session_scope() as s:
            picks.append(make_ticket(s, settings, region="경기").assignee_id)
    assert picks == [ids["경기MES"], ids["경기MES"], ids["서울MES"], ids["서울MES"], ids["서울MES"]]
    with db.session_scope() as s:
        queued = make_ticket(s, settings, region="경기")
        assert queued.assignee_id is None and queued.status == "open"
        assert [e.kind for e in list_events(s, ticket_id=queued.id)] == ["created", "queued"]
        assert [t.id for t in list_tickets(s, unassigned=True)] == [queued.id]
    assert _outbox(db, kind="ticket_queued")[0].recipient == {"user_id": "staff"}
    with db.session_scope() as s:  # fewest open tickets wins among equals
        x = make_expert(s, name="X", expertise=["PLM"], region="부산")
        y = make_expert(s, name="Y", expertise=["PLM"], region="부산")
        first = make_ticket(s, settings, question="PLM 설계 도면 관리", region="부산").assignee_id
        second = make_ticket(s, settings, question="PLM 설계 도면 관리", region="부산").assignee_id
        assert {first, second} == {x.id, y.id}
        close_ticket(s, ticket_id=make_ticket(s, settings, question="PLM BOM", region="부산").id)
        assert list_tickets(s, assignee_id=x.id, status="open")[0].topic == "PLM"


def check_concurrent_claims(db: Database, settings: Settings, *, rounds: int = 5) -> None:
    with db.session_scope() as s:
        m1, m2 = make_user(s, name="멘토1").id, make_user(s, name="멘토2").id
    for _ in range(rounds):
        with db.session_scope() as s:
            tid = make_ticket(s, settings, question="PLM 설계 변경 관리", region=None).id
        barrier = threading.Barrier(2)

        def attempt(user_id: str, ticket_id: str = tid, gate: threading.Barrier = barrier) -> str:
            gate.wait()
            try:
                with db.session_scope() as s:
                    claim_ticket(s, ticket_id=ticket_id, user=s.get(User, user_id))
                return "won"
            except FMError as exc:
                assert exc.status == 409, exc
                return "lost"

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(attempt, [m1, m2]))
        assert sorted(results) == ["lost", "won"]
        with db.session_scope() as s:
            ticket = get_ticket(s, ticket_id=tid)
            winner = m1 if results[0] == "won" else m2
            assert ticket.status == "claimed" and ticket.assignee_id == winner
            claims = [e for e in list_events(s, ticket_id=tid) if e.kind == "claimed"]
            assert len(claims) == 1 and claims[0].actor_id == winner


def check_sla(db: Database, settings: Settings) -> None:
    with db.session_scope() as s:
        a = make_expert(s, name="A", expertise=["MES"], region="경기")
        b = make_expert(s, name="B", expertise=["MES"], region="서울")
        tid = make_ticket(s, settings, priority="normal").id
        claimed_id = make_ticket(s, settings, question="MES 로트 추적", priority="urgent").id
        claim_ticket(s, ticket_id=claimed_id, user=a, now=T0)
        answered_id = make_ticket(s, settings, question="MES 실적 집계", priority="low").id
        answer_ticket(s, settings=settings, ticket_id=answered_id, user=a, answer="답", now=T0)
        ids = {"A": a.id, "B": b.id}
    due = T0 + timedelta(hours=settings.sla_hours_normal)
    with db.session_scope() as s:
        assert not sweep(s, settings=settings, now=T0 + timedelta(hours=1))
    with db.session_scope() as s:  # urgent claimed ticket: past its due time and its reassign limit
        result = sweep(s, settings=settings, now=T0 + timedelta(hours=settings.sla_hours_urgent * 1.6))
        assert result.reassigned == [claimed_id] and result.renotified == []
        moved = get_ticket(s, ticket_id=claimed_id)
        assert moved.status == "open" and moved.assignee_id == ids["B"]
    with db.session_scope() as s:
        result = sweep(s, settings=settings, now=due + timedelta(minutes=1))
        assert result.renotified == [tid]
    with db.session_scope() as s:
        assert not sweep(s, settings=settings, now=due + timedelta(minutes=2)), "re-notified once only"
    overdue = [n for n in _outbox(db, kind="ticket_overdue") if n.ticket_id == tid]
    assert len(overdue) == 1 and overdue[0].recipient["user_id"] == ids["A"]
    with db.session_scope() as s:
        assert [t.id for t in list_tickets(s, overdue=True, now=due + timedelta(minutes=2))] == [
            claimed_id,
            tid,
        ]
    limit = due + timedelta(hours=settings.sla_hours_normal * settings.sla_reassign_ratio)
    with db.session_scope() as s:
        result = sweep(s, settings=settings, now=limit + timedelta(minutes=1))
        assert result.reassigned == [tid]
        ticket = get_ticket(s, ticket_id=tid)
        assert ticket.assignee_id == ids["B"] and ticket.sla_stage == 2
        kinds = [e.kind for e in list_events(s, ticket_id=tid)]
        assert kinds == ["created", "assigned", "renotified", "reassigned"]
    away = [n for n in _outbox(db, kind="ticket_reassigned_away") if n.ticket_id == tid]
    assert [n.recipient["user_id"] for n in away] == [ids["A"]]
    assigned = [n.recipient["user_id"] for n in _outbox(db, kind="ticket_assigned") if n.ticket_id == tid]
    assert assigned == [ids["A"], ids["B"]]
    with db.session_scope() as s:  # answered tickets close themselves after the quiet period
        late = T0 + timedelta(hours=settings.ticket_auto_close_hours + 1)
        assert sweep(s, settings=settings, now=late).auto_closed == [answered_id]
        assert get_ticket(s, ticket_id=answered_id).status == "closed"


def check_notes(db: Database, settings: Settings) -> None:
    with db.session_scope() as s:
        expert = make_expert(s, name="최품질", expertise=["품질"])
        mentor = make_user(s, name="이멘토", role="mentor")
        ids = {"expert": expert.id, "mentor": mentor.id}
        for question in ("불량률 관리는 어떻게?", "검사 기록은 얼마나 보관?", "SPC 도입 순서?"):
            tid = make_ticket(s, settings, question=question, sources=[citation(title="품질 가이드")]).id
            answer_ticket(s, settings=settings, ticket_id=tid, user=expert, answer=f"{question} 답변입니다.")
    ingested: list[NoteDocument] = []
    with db.session_scope() as s:
        notes = sorted(
            list_notes(s, user=s.get(User, ids["mentor"]), status="pending"), key=lambda n: n.question
        )
        assert len(notes) == 3 and all(n.expert_name == "최품질" for n in notes)
        first, second, third = (n.id for n in notes)
    with db.session_scope() as s, pytest.raises(Forbidden):
        approve_note(s, note_id=first, user=s.get(User, ids["expert"]), ingest_note=ingested.append)
    with db.session_scope() as s:
        approve_note(s, note_id=first, user=s.get(User, ids["mentor"]), ingest_note=ingested.append)
        reject_note(s, note_id=second, user=s.get(User, ids["mentor"]), reason="일반화하기 어려움")
    assert len(ingested) == 1
    doc = ingested[0]
    front = yaml.safe_load(doc.markdown.split("---")[1])
    assert front["kind"] == "mentoring" and front["title"].startswith("전문가 답변")
    assert front["expert"] == "최품질" and front["note_id"] == first and front["approved_by"] == "이멘토"
    assert "## 전문가 답변" in doc.markdown and doc.filename == f"expert-note-{first}.md"

    def broken(_: NoteDocument) -> None:
        raise OSError("store down")

    with pytest.raises(OSError), db.session_scope() as s:
        approve_note(s, note_id=third, user=s.get(User, ids["mentor"]), ingest_note=broken)
    with db.session_scope() as s:
        statuses = {n.id: (n.status, n.ingested_at is not None) for n in s.scalars(select(KnowledgeNote))}
    assert statuses == {first: ("approved", True), second: ("rejected", False), third: ("pending", False)}
    with db.session_scope() as s, pytest.raises(FMError) as err:
        approve_note(s, note_id=second, user=s.get(User, ids["mentor"]), ingest_note=ingested.append)
    assert err.value.status == 409 and len(ingested) == 1


def event_count(db: Database) -> int:
    with db.session_scope() as s:
        return len(list(s.scalars(select(TicketEvent.id))))


def check_escalation_glue(db: Database, settings: Settings) -> None:
    """A ticket from what the answering service has (through the desk), and the relay while held."""
    from assistant.conversations import InMemoryConversationStore, SqlConversationStore
    from assistant.experts.desk import TicketDesk
    from assistant.experts.hand_off import active_ticket, relay
    from assistant.types import Channel, Draft, Question

    def no_draft(text: str) -> Draft:
        raise AssertionError("escalation drafts nothing")

    with db.session_scope() as s:
        expert_id = make_expert(s, name="정책전문", expertise=["정책자금"], region="대구").id
    store = SqlConversationStore(db.sessions)
    cid = store.new_conversation(channel="kakao", user_id="kakao-9", reply_to={"callback": "none"})
    store.append(cid, Turn(role="user", text="정책자금 융자 한도가 궁금합니다"))
    store.append(
        cid, Turn(role="assistant", text="한도는 사업마다 다릅니다 [1].", decision=Decision.offer_expert)
    )
    question = Question(
        text="정책자금 융자 한도가 궁금합니다",
        conversation_id=cid,
        channel=Channel.kakao,
        user_id="kakao-9",
        reply_to={"callback": "none"},
        region="대구",
    )
    draft = "한도는 사업마다 다릅니다 [1]."
    sources = [{"title": "정책자금 안내", "kind": "subsidy", "source": "subsidies/loan.md"}]
    desk = TicketDesk(settings, db, store, draft=no_draft)
    tid = desk.escalate(question, draft=draft, sources=sources)
    with db.session_scope() as s:
        ticket = get_ticket(s, ticket_id=tid)
        assert (ticket.topic, ticket.assignee_id, ticket.channel, ticket.region) == (
            "정책자금",
            expert_id,
            "kakao",
            "대구",
        )
        assert ticket.draft == draft and len(ticket.history) == 2
        assert (ticket.question, ticket.conversation_id, ticket.user_id, ticket.reply_to) == (
            question.text, cid, "kakao-9", {"callback": "none"}
        )
    assert store.is_held_by_human(cid)
    with db.session_scope() as s:
        live = active_ticket(s, conversation_id=cid)
        assert live is not None and live.id == tid
        relay(s, settings=settings, ticket_id=live.id, text="급합니다!")
    [relayed] = _outbox(db, kind="ticket_user_message")
    assert relayed.recipient["user_id"] == expert_id and relayed.payload["text"].endswith("급합니다!")
    with db.session_scope() as s:
        close_ticket(s, ticket_id=tid)
        assert active_ticket(s, conversation_id=cid) is None  # closed: nothing left to relay to
    memory = InMemoryConversationStore()  # a conversation the database does not keep
    elsewhere_id = memory.new_conversation(channel="kakao", user_id="kakao-9")
    memory.append(elsewhere_id, Turn(role="user", text="정책자금 융자 한도가 궁금합니다"))
    elsewhere = question.model_copy(update={"conversation_id": elsewhere_id})
    other = TicketDesk(settings, db, memory, draft=no_draft).escalate(elsewhere, draft=draft, sources=[])
    with db.session_scope() as s:
        ticket = get_ticket(s, ticket_id=other)
        assert ticket.conversation_id is None and [t["text"] for t in ticket.history] == [
            "정책자금 융자 한도가 궁금합니다"
        ]
