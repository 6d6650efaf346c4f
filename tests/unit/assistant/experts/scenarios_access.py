"""Access, conversations, feedback and export scenarios; SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from assistant.conversations import ConversationStore
from assistant.db.conversations import ensure_can_view, list_conversations
from assistant.db.engine import Database
from assistant.db.models import ApiToken, Feedback, Message, User
from assistant.errors import FMError, Forbidden, NotFound, Unauthorized
from assistant.experts.exports import export_conversation, export_ticket
from assistant.experts.feedback import record_feedback
from assistant.experts.staff import (
    authenticate,
    deactivate_user,
    hash_token,
    issue_token,
    require_role,
    revoke_token,
    revoke_user_tokens,
)
from assistant.experts.workflow import answer_ticket
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


def check_tokens(db: Database) -> None:
    with db.session_scope() as s:
        expert = make_expert(s, name="박전문")
        issued = issue_token(s, user_id=expert.id, label="laptop")
        second = issue_token(s, user_id=expert.id)
        expert_id = expert.id
    assert issued.token.startswith(f"fm_{issued.prefix}_") and issued.token not in repr(issued)
    with db.session_scope() as s:
        rows = list(s.scalars(select(ApiToken)))
        stored = [str(getattr(r, c.key)) for r in rows for c in ApiToken.__table__.columns]
        assert not any(issued.token in v or second.token in v for v in stored), "plain tokens never stored"
        assert {r.token_hash for r in rows} == {hash_token(issued.token), hash_token(second.token)}
        assert authenticate(s, token=issued.token).id == expert_id
        assert authenticate(s, token=f"  {second.token}\n").id == expert_id
    for bad in ("", "fm_short", issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B"), "Bearer x"):
        with db.session_scope() as s, pytest.raises(Unauthorized):
            authenticate(s, token=bad)
    with db.session_scope() as s:
        revoke_token(s, token_id=issued.token_id)
    with db.session_scope() as s, pytest.raises(Unauthorized) as err:
        authenticate(s, token=issued.token)
    assert err.value.status == 401 and issued.token not in str(err.value)
    with db.session_scope() as s:
        assert authenticate(s, token=second.token).id == expert_id, "other tokens still work"
        assert revoke_user_tokens(s, user_id=expert_id) == 1
    with db.session_scope() as s, pytest.raises(Unauthorized):
        authenticate(s, token=second.token)
    with db.session_scope() as s:
        third = issue_token(s, user_id=expert_id)
        deactivate_user(s, user_id=expert_id)
        new_user = make_user(s, name="새멘토")
        fourth = issue_token(s, user_id=new_user.id)
    with db.session_scope() as s, pytest.raises(Unauthorized):
        authenticate(s, token=third.token)
    with db.session_scope() as s:
        assert authenticate(s, token=fourth.token).name == "새멘토"


def check_role_helpers(db: Database) -> None:
    with db.session_scope() as s:
        users = {
            role: make_user(s, name=role, role=role)
            for role in ("owner", "mentor", "expert", "admin", "evaluator")
        }
    assert require_role(users["mentor"], "mentor") is users["mentor"]
    assert require_role(users["admin"], "mentor", "evaluator") is users["admin"]  # admin passes every check
    for role in ("owner", "expert", "evaluator"):
        with pytest.raises(Forbidden) as err:
            require_role(users[role], "mentor")
        assert err.value.message == "이 작업을 할 권한이 없습니다." and err.value.status == 403
    with pytest.raises(Unauthorized):
        require_role(None, "mentor")


def check_owner_visibility(db: Database, settings: Settings) -> None:
    with db.session_scope() as s:
        kim = make_user(s, name="김대표", role="owner", handles={"kakao": "kakao-kim"})
        lee = make_user(s, name="이대표", role="owner", handles={"slack": "ULEE"})
        mentor = make_user(s, name="멘토")
        expert = make_expert(s, name="전문가", expertise=["MES"])
        other_expert = make_expert(s, name="다른전문가", expertise=["ERP"])
        kim_web = make_conversation(s, channel="web", user_id="web-1", owner_id=kim.id)
        kim_kakao = make_conversation(s, channel="kakao", user_id="kakao-kim")
        lee_slack = make_conversation(s, channel="slack", user_id="ULEE")
        stranger = make_conversation(s, channel="kakao", user_id="ULEE")  # same id, other channel
        make_ticket(s, settings, conversation_id=lee_slack)
        ids = {u.name: u.id for u in (kim, lee, mentor, expert, other_expert)}

    def visible(name: str) -> set[str]:
        with db.session_scope() as s:
            return {c.id for c in list_conversations(s, user=s.get(User, ids[name]))}

    assert visible("김대표") == {kim_web, kim_kakao}
    assert visible("이대표") == {lee_slack}
    assert visible("멘토") == {kim_web, kim_kakao, lee_slack, stranger}
    assert visible("전문가") == {lee_slack} and visible("다른전문가") == set()
    with db.session_scope() as s:
        assert ensure_can_view(s, user=s.get(User, ids["김대표"]), conversation_id=kim_kakao).id == kim_kakao
        for name, conversation_id in (("김대표", lee_slack), ("이대표", stranger), ("다른전문가", lee_slack)):
            with pytest.raises(Forbidden):
                ensure_can_view(s, user=s.get(User, ids[name]), conversation_id=conversation_id)
        with pytest.raises(NotFound):
            ensure_can_view(s, user=s.get(User, ids["멘토"]), conversation_id="no-such-conversation")


def check_store_contract(
    store: ConversationStore, hold: Callable[[str], None], release: Callable[[str], None]
) -> None:
    """What every ConversationStore must do (InMemory and SQL, SQLite and PostgreSQL)."""
    cid = store.new_conversation(channel="slack", user_id="U1", reply_to={"thread_ts": "1.5"})
    owner = store.owner_of(cid)
    assert (owner.conversation_id, owner.channel, owner.user_id, owner.reply_to) == (
        cid,
        "slack",
        "U1",
        {"thread_ts": "1.5"},
    )
    assert store.history(cid) == [] and store.is_held_by_human(cid) is False
    turns = [
        Turn(role="user", text="스마트공장 지원금은 얼마인가요?", subject="지원금"),
        Turn(
            role="assistant", text="최대 50%입니다 [1].", decision=Decision.answered, citations=[citation()]
        ),
        Turn(role="user", text="신청은 언제?"),
        Turn(role="expert", text="3월 공고를 보세요.", created_at=T0),
    ]
    ids = [store.append(cid, t) for t in turns]
    assert len(set(ids)) == 4 and all(isinstance(i, str) for i in ids)
    history = store.history(cid)
    assert [(t.role, t.text, t.decision, t.subject) for t in history] == [
        (t.role, t.text, t.decision, t.subject) for t in turns
    ]
    assert history[1].citations == turns[1].citations
    assert all(
        isinstance(t.created_at, datetime) and t.created_at.utcoffset() == timedelta(0) for t in history
    )
    assert history[3].created_at == T0
    assert [t.text for t in store.history(cid, limit=2)] == ["신청은 언제?", "3월 공고를 보세요."]
    assert store.history(cid, limit=0) == []
    for call in (
        lambda: store.history("missing"),
        lambda: store.owner_of("missing"),
        lambda: store.append("missing", turns[0]),
    ):
        with pytest.raises(NotFound):
            call()
    assert store.is_held_by_human("missing") is False
    hold(cid)
    assert store.is_held_by_human(cid) is True
    release(cid)
    assert store.is_held_by_human(cid) is False
    newer = store.new_conversation(channel="slack", user_id="U1")
    assert store.latest_for(channel="slack", user_id="U1") == newer
    store.append(cid, Turn(role="user", text="하나 더"))
    assert store.latest_for(channel="slack", user_id="U1") == cid
    assert store.latest_for(channel="kakao", user_id="U1") is None


def check_feedback_and_exports(db: Database, settings: Settings) -> None:
    with db.session_scope() as s:
        owner = make_user(s, name="김대표", role="owner", handles={"web": "web-1"})
        other = make_user(s, name="남대표", role="owner")
        evaluator = make_user(s, name="평가자", role="evaluator")
        mentor = make_user(s, name="멘토")
        expert = make_expert(s, name="박전문", expertise=["지원사업"])
        cid = make_conversation(
            s,
            channel="web",
            user_id="web-1",
            turns=[
                Turn(role="user", text="스마트공장 지원사업이 뭔가요?"),
                Turn(
                    role="assistant",
                    text="정부가 구축비를 지원합니다 [1].",
                    decision=Decision.answered,
                    citations=[citation(source="subsidies/basic.md")],
                ),
                Turn(role="user", text="우리 회사 부담금은요?"),
                Turn(role="assistant", text="전문가에게 연결합니다.", decision=Decision.escalate),
            ],
        )
        messages = list(
            s.scalars(select(Message).where(Message.conversation_id == cid).order_by(Message.seq))
        )
        ticket = make_ticket(
            s,
            settings,
            question="우리 회사 부담금은요?",
            conversation_id=cid,
            sources=[citation(source="subsidies/basic.md", kind="subsidy")],
        )
        answer_ticket(s, settings=settings, ticket_id=ticket.id, user=expert, answer="보통 50%를 부담합니다.")
        ids = {u.name: u.id for u in (owner, other, evaluator, mentor)}
        bot_message, user_message, tid = messages[1].id, messages[0].id, ticket.id
    with db.session_scope() as s:
        record_feedback(
            s, message_id=bot_message, rating="up", rater="web-1", user=s.get(User, ids["김대표"])
        )
    with db.session_scope() as s:
        record_feedback(s, message_id=bot_message, rating=-1, rater="web-1", comment=" 숫자가 달라요 ")
        rows = list(s.scalars(select(Feedback)))
        assert [(r.rating, r.comment, r.conversation_id) for r in rows] == [(-1, "숫자가 달라요", cid)]
    for kwargs, error in (
        ({"message_id": user_message, "rating": "up"}, FMError),
        ({"message_id": bot_message, "rating": "meh"}, FMError),
        ({"message_id": "missing", "rating": "up"}, NotFound),
        ({"message_id": bot_message, "rating": "up", "user_name": "남대표"}, Forbidden),
    ):
        with db.session_scope() as s, pytest.raises(error):
            name = kwargs.pop("user_name", None)
            user = s.get(User, ids[name]) if name else None
            record_feedback(s, rater="x", user=user, **kwargs)  # type: ignore[arg-type]

    with db.session_scope() as s:
        case = export_conversation(s, conversation_id=cid, user=s.get(User, ids["평가자"]))
        early = export_conversation(
            s, conversation_id=cid, user=s.get(User, ids["평가자"]), message_id=bot_message
        )
        from_ticket = export_ticket(s, ticket_id=tid, user=s.get(User, ids["평가자"]))
        with pytest.raises(Forbidden):
            export_conversation(s, conversation_id=cid, user=s.get(User, ids["멘토"]))
    assert set(case) == {
        "id",
        "type",
        "question",
        "turns",
        "sources",
        "key_facts",
        "reference_answer",
        "expected_decision",
        "suppliers",
        "tags",
    }
    assert case["type"] == "followup" and case["question"] == "우리 회사 부담금은요?"
    assert case["turns"] == ["스마트공장 지원사업이 뭔가요?"] and case["key_facts"] == []
    assert case["reference_answer"] == "보통 50%를 부담합니다." and case["expected_decision"] == "answered"
    assert early["type"] == "answer" and early["sources"] == ["subsidies/basic.md"]
    assert early["reference_answer"].startswith("정부가") and early["expected_decision"] == "answered"
    assert from_ticket["question"] == "우리 회사 부담금은요?" and from_ticket["type"] == "followup"
    assert (
        from_ticket["reference_answer"] == "보통 50%를 부담합니다."
        and from_ticket["tags"]["topic"] == "지원사업"
    )
