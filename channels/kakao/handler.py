"""What the skill does with one utterance: answer it (inline or through the callback),
or run a quick-reply command (전문가 연결, 출처 보기, 전문가 답변 확인, 답변 확인).

- Timing: the answer is returned inline when ready within `kakao_answer_wait_s` (4 s);
  otherwise `useCallback` is returned and the answer POSTed once to `callbackUrl`
  (allowed hosts only) within the minute. Without a usable callback, the answer is kept
  and shown when the user taps "답변 확인".
- Kakao cannot push: an expert's answer waits in the outbox and is shown on the user's
  next message (`pending_deliveries` / `mark_delivered`).
- A switch to the callback is an acknowledgement before the answer, so the request goes
  through the durable inbox first (`assistant.delivery.received`, channel `kakao`, keyed by
  its one-time `callbackUrl`): it is stored before `useCallback` is returned and answered
  from the store, by this process at once (with the answer already in flight) or, if the
  process dies, by the next background round, which asks again and POSTs the callback if
  the minute has not passed (else the answer waits for "답변 확인"). Kakao accepts one POST
  per callback and offers no way to look one up, so that last POST is at least once.
- The same utterance delivered twice by the same user shares one answer (in flight:
  the same task; done: the stored response for `REPLAY_S`), so a retry never asks twice
  or opens a second ticket. Across web processes, the process that first records the
  utterance in the shared key store asks; a duplicate on another process waits for its
  stored response within the inline wait, else says the answer is being prepared (the
  asking process delivers it, by callback or on "답변 확인").
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.delivery.keys import KeyStore
from assistant.delivery.received import Received, ReceivedEvents, ReceivedWorker
from assistant.errors import FMError, Unavailable
from assistant.settings import Settings
from assistant.types import Answer, Channel, Decision, Question
from channels.calls import AssistantRef, call
from channels.kakao import responses as r
from channels.kakao.callback import allowed_callback, callback_host, post_callback

logger = logging.getLogger(__name__)

REPLAY_S = 60.0
PRUNE_EVERY = 200
NOTICES_WITH_ANSWER = r.MAX_OUTPUTS - 1  # waiting expert answers shown above a new answer
CALLBACK_BUDGET_S = 55.0  # Kakao waits one minute for the callback
_KEEP_DONE_S = 5.0
_REPLAY, _READY, _ASKING = "kakao_reply", "kakao_ready", "kakao_asking"
CHANNEL = "kakao"
EXPERT_SENT = "전문가에게 문의를 전달했습니다. 답변이 오면 다음 메시지에서 알려 드릴게요."
NO_EXPERT_YET = "아직 전문가 답변이 도착하지 않았습니다. 조금만 기다려 주세요."
PREPARING = "답변을 준비하고 있습니다. 잠시 후 '답변 확인'을 눌러 주세요."
LATE = "답변이 늦어지고 있습니다. 잠시 후 '답변 확인'을 눌러 주세요."
NOTHING_READY = "확인할 답변이 없습니다. 궁금한 점을 질문해 주세요."
FAILED = "죄송합니다. 답변을 만드는 중 문제가 생겼습니다. 잠시 후 다시 물어봐 주세요."


def utterance_key(user_id: str, text: str) -> str:
    """What makes two deliveries the same utterance: the user and what they typed."""
    return hashlib.sha256(f"{user_id}\n{text.strip()}".encode()).hexdigest()


@dataclass
class Utterance:
    user_id: str
    text: str
    callback_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SkillHandler:
    settings: Settings
    assistant: AssistantRef
    keys: KeyStore
    _inflight: dict[str, asyncio.Task[Answer]] = field(default_factory=dict)
    _background: set[asyncio.Task[Any]] = field(default_factory=set)
    _waiting: set[str] = field(default_factory=set)  # users whose answer is still being made
    _asked: int = 0
    _claimed: set[str] = field(default_factory=set)  # utterances this process has taken on
    inbox: ReceivedEvents | None = None  # built on first use from the service's database

    def received(self) -> ReceivedEvents:
        """The durable inbox of received events, in the service's database."""
        if self.inbox is None:
            db = self.assistant().db
            if db is None:
                raise Unavailable("kakao_inbox", FAILED, "the service has no database")
            self.inbox = ReceivedEvents(db.sessions, settings=self.settings)
        return self.inbox

    async def handle(self, u: Utterance) -> dict[str, Any]:
        command = u.extra.get("fm") or u.text.strip()
        if command == r.Q_SOURCES:
            return await self._sources(u)
        if command == r.Q_EXPERT:
            return await self._request_expert(u)
        if command == r.Q_EXPERT_CHECK:
            notices, ids = await self._pending(u)
            if not notices:
                return r.text_response(NO_EXPERT_YET, [r.quick_reply(r.Q_EXPERT_CHECK)])
            shown = r.MAX_OUTPUTS
            outputs = [r.simple_text(t) for t in (r.split_text(notices[0]) if len(notices) == 1 else notices[:shown])]
            await self._delivered(u.user_id, ids[:shown])  # the rest wait for the next message
            more = [r.quick_reply(r.Q_EXPERT_CHECK)] if len(notices) > shown else []
            return r.response(outputs, more)
        if command == r.Q_ANSWER_CHECK:
            return self._ready(u)
        return await self._ask(u)

    # -- commands ------------------------------------------------------------------------
    async def _conversation(self, u: Utterance) -> str | None:
        return await call(self.assistant().desk.conversation_id_for, Channel.kakao.value, u.user_id)

    async def _sources(self, u: Utterance) -> dict[str, Any]:
        cid = await self._conversation(u)
        turns = await call(self.assistant().desk.history, cid) if cid else []
        last = next((t for t in reversed(turns) if t.role != "user"), None)
        return r.sources_response(last.citations if last else [])

    async def _request_expert(self, u: Utterance) -> dict[str, Any]:
        cid = await self._conversation(u)
        if cid is None:
            return r.text_response("먼저 궁금한 점을 질문해 주세요.")
        await call(self.assistant().desk.request_expert, cid)
        return r.text_response(EXPERT_SENT, [r.quick_reply(r.Q_EXPERT_CHECK)])

    def _ready(self, u: Utterance) -> dict[str, Any]:
        ready = self.keys.get(_READY, u.user_id)
        if ready is not None:
            self.keys.delete(_READY, u.user_id)
            return json.loads(ready)
        if u.user_id in self._waiting:
            return r.text_response(PREPARING, [r.quick_reply(r.Q_ANSWER_CHECK)])
        return r.text_response(NOTHING_READY)

    async def _pending(self, u: Utterance) -> tuple[list[str], list[str]]:
        try:
            items = await call(self.assistant().desk.pending_deliveries, Channel.kakao.value, u.user_id)
        except FMError as exc:  # waiting answers must not stop a new one
            logger.warning("kakao pending deliveries unavailable: %s", exc.code)
            return [], []
        return [r.expert_notice(d) for d in items], [str(d.get("id")) for d in items]

    async def _delivered(self, user_id: str, ids: list[str]) -> None:
        if ids:
            await call(self.assistant().desk.mark_delivered, user_id, ids)

    # -- asking --------------------------------------------------------------------------
    def _task(self, key: str, question: Question) -> asyncio.Task[Answer]:
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self.assistant().aask(question))
            self._inflight[key] = task
            # kept a while after it is done: a duplicate arriving between the answer and its
            # stored response gets this answer, not a second one
            task.add_done_callback(lambda _t: asyncio.get_running_loop().call_later(_KEEP_DONE_S, self._forget, key))
        return task

    def _forget(self, key: str) -> None:
        self._inflight.pop(key, None)
        self._claimed.discard(key)

    def _claim(self, key: str) -> bool:
        """True when this process asks; False while another process asks the same utterance (a
        duplicate delivered to another web process behind the load balancer)."""
        if key in self._inflight or key in self._claimed:
            return True
        if not self.keys.add(_ASKING, key):
            if self.keys.get(_ASKING, key, max_age_s=REPLAY_S) is not None:
                return False
            self.keys.put(_ASKING, key, "")  # left by a process that stopped: ours now
        self._claimed.add(key)
        return True

    async def _answered_elsewhere(self, key: str, started: float) -> dict[str, Any]:
        """The other process's stored response if it comes within the inline wait, else "being
        prepared" (that process delivers the answer)."""
        deadline = started + self.settings.kakao_answer_wait_s
        while (stored := self.keys.get(_REPLAY, key, max_age_s=REPLAY_S)) is None:
            if time.monotonic() >= deadline:
                logger.info("kakao: a duplicate of an utterance another process is answering")
                return r.text_response(PREPARING, [r.quick_reply(r.Q_ANSWER_CHECK)])
            await asyncio.sleep(min(0.2, max(0.01, deadline - time.monotonic())))
        return dict(json.loads(stored))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _ask(self, u: Utterance) -> dict[str, Any]:
        started = time.monotonic()
        key = utterance_key(u.user_id, u.text)
        self._asked += 1
        if self._asked % PRUNE_EVERY == 0:
            self.keys.prune(_REPLAY, older_than_s=REPLAY_S)
            self.keys.prune(_ASKING, older_than_s=REPLAY_S)
        if (stored := self.keys.get(_REPLAY, key, max_age_s=REPLAY_S)) is not None:
            logger.info("kakao: repeated utterance answered from the stored response")
            return json.loads(stored)
        if not self._claim(key):
            return await self._answered_elsewhere(key, started)
        question = Question(text=u.text, conversation_id=await self._conversation(u), channel=Channel.kakao,
                            user_id=u.user_id)
        notices, ids = await self._pending(u)
        notices, ids = notices[:NOTICES_WITH_ANSWER], ids[:NOTICES_WITH_ANSWER]  # the rest: next message
        task = self._task(key, question)
        await asyncio.wait({task}, timeout=max(0.0, self.settings.kakao_answer_wait_s - (time.monotonic() - started)))
        if task.done():
            body = self._render(task, notices)
            self.keys.put(_REPLAY, key, json.dumps(body, ensure_ascii=False))
            await self._delivered(u.user_id, ids)
            return body
        hosts = self.settings.kakao_callback_hosts
        if u.callback_url and allowed_callback(u.callback_url, hosts):
            await self._to_inbox(u, {"notices": notices, "ids": ids, "key": key}, task, started)
            return r.use_callback()
        if u.callback_url:
            logger.warning("kakao callbackUrl host %s not allowed; answer kept for later",
                           callback_host(u.callback_url))
        self._waiting.add(u.user_id)
        self._spawn(self._keep_for_later(task, u.user_id, notices, ids))
        return r.text_response(PREPARING, [r.quick_reply(r.Q_ANSWER_CHECK)])

    async def _to_inbox(self, u: Utterance, work: dict[str, Any], task: asyncio.Task[Answer], started: float) -> None:
        """Store the callback request (before `useCallback` goes back), then answer it from the store."""
        payload = {"user_id": u.user_id, "text": u.text, "callback_url": u.callback_url, "received": time.time(), **work}
        event_key = hashlib.sha256(str(u.callback_url).encode()).hexdigest()
        try:
            stored = await asyncio.to_thread(self.received().receive, CHANNEL, event_key, payload)
        except Exception:  # the database is down: answer from memory rather than not at all
            logger.exception("kakao callback request not stored; answered without the inbox")
            self._spawn(self._finish_by_callback(task, u, work["notices"], work["ids"], work["key"], started))
            return
        if stored is not None:
            self._spawn(ReceivedWorker(self.received(), {CHANNEL: self.finish}).process(stored))

    async def finish(self, received: Received) -> None:
        """Answer a stored callback request: in this process with the answer in flight, or after
        a restart asked again, POSTed while Kakao's minute lasts (else kept for "답변 확인")."""
        p = received.payload
        u = Utterance(user_id=p["user_id"], text=p["text"], callback_url=p["callback_url"])
        if (stored := self.keys.get(_REPLAY, p["key"], max_age_s=REPLAY_S)) is not None:
            # a duplicate whose answer is already made (here or in another process): the same
            # answer goes back, the question is not asked a second time
            await self._send(u, dict(json.loads(stored)), [], answered=True)
            return
        question = Question(text=u.text, conversation_id=await self._conversation(u), channel=Channel.kakao,
                            user_id=u.user_id)
        task = self._task(p["key"], question)
        started = time.monotonic() - max(0.0, time.time() - float(p["received"]))
        await self._finish_by_callback(task, u, list(p["notices"]), list(p["ids"]), p["key"], started)

    def _render(self, task: asyncio.Task[Answer], notices: list[str]) -> dict[str, Any]:
        exc = task.exception() if not task.cancelled() else FMError("cancelled", FAILED)
        if isinstance(exc, FMError):
            return r.text_response(exc.message)
        if exc is not None:
            logger.error("kakao answer failed: %s", type(exc).__name__, exc_info=exc)
            return r.text_response(FAILED)
        answer = task.result()
        waiting = answer.decision == Decision.escalate
        return r.answer_response(answer, notices=notices, waiting_expert=waiting)

    async def _finish_by_callback(self, task: asyncio.Task[Answer], u: Utterance, notices: list[str],
                                  ids: list[str], key: str, started: float) -> None:
        budget = CALLBACK_BUDGET_S - (time.monotonic() - started)
        await asyncio.wait({task}, timeout=max(0.0, budget))
        if task.done():
            body = self._render(task, notices)
            self.keys.put(_REPLAY, key, json.dumps(body, ensure_ascii=False))
        else:
            body = r.text_response(LATE, [r.quick_reply(r.Q_ANSWER_CHECK)])
            self._spawn(self._keep_for_later(task, u.user_id, [], []))
        await self._send(u, body, ids, answered=task.done())

    async def _send(self, u: Utterance, body: dict[str, Any], ids: list[str], *, answered: bool) -> None:
        """POST `body` to the utterance's callback URL; an answer Kakao did not take is kept
        for "답변 확인"."""
        sent = await post_callback(str(u.callback_url), body, hosts=self.settings.kakao_callback_hosts,
                                   timeout=self.settings.kakao_callback_timeout_s)
        if sent and answered:
            await self._delivered(u.user_id, ids)
        elif answered:
            self.keys.put(_READY, u.user_id, json.dumps(body, ensure_ascii=False))

    async def _keep_for_later(self, task: asyncio.Task[Answer], user_id: str, notices: list[str],
                              ids: list[str]) -> None:
        self._waiting.add(user_id)
        try:
            await asyncio.wait({task})
        finally:
            self._waiting.discard(user_id)
        self.keys.put(_READY, user_id, json.dumps(self._render(task, notices), ensure_ascii=False))
        await self._delivered(user_id, ids)

