"""The one assistant service every channel calls: ask (and stream), draft for a mentor.

It knows nothing of Slack, Kakao or HTML: channels hand it a `Question` and render the
`Answer` (or the `StreamEvent`s) it returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answers.analysis import ENGLISH_NOTE, Analysis, analyse
from assistant.answers.calculators import calculate
from assistant.answers.calculators.cited import cited_calculation
from assistant.answers.composition import compose, question_terms
from assistant.answers.decision import (
    HELD_TEXT,
    Evidence,
    Verdict,
    calibration_for,
    confidence,
    decide,
    gather_evidence,
    in_language,
    keyword_support,
    priority,
)
from assistant.answers.drafting import Drafted, citation_for, extractive_text
from assistant.answers.followup import cited_first
from assistant.answers.guard import check_sentence
from assistant.answers.rerank import read_first, with_rest_of_document
from assistant.answers.retrieval import Hit, HybridSearcher, known_by
from assistant.answers.scoring import EmbeddingScorer, SentenceScorer
from assistant.answers.supplier_answer import answer_supplier
from assistant.answers.suppliers import without_unasked_profiles
from assistant.conversations import ConversationStore, InMemoryConversationStore
from assistant.db import Database
from assistant.errors import FMError
from assistant.experts.desk import TicketDesk
from assistant.experts.hand_off import Checked, HandOff
from assistant.experts.notes import IngestNote
from assistant.experts.passages import Passages
from assistant.korean import morphemes
from assistant.readiness import Readiness, readiness
from assistant.settings import Settings
from assistant.stores import Stores
from assistant.types import Answer, Citation, Decision, Draft, Mode, Question, StreamEvent, Turn

if TYPE_CHECKING:
    from assistant.answers.generative import LLMClient

log = logging.getLogger(__name__)


@dataclass
class Drafting:
    """Retrieval and composition for one question: what was found and what it says."""

    hits: list[Hit]
    drafted: Drafted
    subject: str  # carried into follow-ups
    evidence: Evidence


@dataclass
class Prepared:
    """Everything decided before any text is shown."""

    question: Question
    conversation_id: str
    history: list[Turn]
    analysis: Analysis
    hits: list[Hit]
    drafted: Drafted
    verdict: Verdict
    confidence: float
    started: float
    subject: str
    evidence: Evidence = field(default_factory=Evidence)
    events: list[str] = field(default_factory=list)
    hand_off: Checked | None = None  # who answers while the conversation has a ticket

    @property
    def query(self) -> str:
        return self.analysis.query


class Assistant:
    """Answering (this module); the staff desk (tickets, notes, feedback) is `assistant.desk`.

    Without a database (`db=None`) conversations live in memory and escalations open no
    ticket; `assistant.wiring.build_assistant` wires the real thing from settings.
    """

    def __init__(
        self, settings: Settings, stores: Stores, *, conversations: ConversationStore | None = None,
        searcher: HybridSearcher | None = None, llm: LLMClient | None = None, db: Database | None = None,
        ingest_note: IngestNote | None = None, scorer: SentenceScorer | None = None,
    ) -> None:
        self.settings = settings
        self.stores = stores
        self.searcher = searcher or HybridSearcher(stores)
        self.calibration = calibration_for(settings)  # confidence weights and thresholds for the model
        self.scorer: SentenceScorer = scorer or EmbeddingScorer(  # sentence relevance, vectors cached at ingest
            stores.embeddings, documents=stores.encoder.encode, query=stores.embed_query)
        self.conversations: ConversationStore = conversations or InMemoryConversationStore()
        self.db = db
        self.desk = TicketDesk(settings, db, self.conversations, draft=self.draft, ingest_note=ingest_note,
                               passages=Passages(self.searcher))
        self._llm = llm
        if self._llm is None and settings.llm_enabled:
            from assistant.answers.generative import LLMClient

            self._llm = LLMClient(settings)

    # -- public API ----------------------------------------------------------------------
    def check_ready(self) -> Readiness:
        """Can the stores and the database read and write, do the vectors match the catalog? (`/readyz`)"""
        return readiness(self.stores, self.db)

    def close(self) -> None:
        self.stores.close()
        if self.db is not None:
            self.db.dispose()

    def ask(self, question: Question) -> Answer:
        """Synchronous `aask` for scripts and the CLI."""
        return asyncio.run(self.aask(question))

    async def aask(self, question: Question) -> Answer:
        final: Answer | None = None
        async for event in self.ask_stream(question):
            if event.type == "final":
                final = event.answer
        assert final is not None
        return final

    async def ask_stream(self, question: Question) -> AsyncIterator[StreamEvent]:
        """Text pieces (sentence by sentence), then the citations, then the final answer."""
        prepared = await self._prepare(question)
        answer: Answer | None = None
        if (h := prepared.hand_off) and h.routing.notice and not h.routing.held:
            yield StreamEvent(type="text", text=h.routing.notice + "\n")  # who answers, first
        if prepared.verdict.text is None and self._llm is not None and prepared.hits and not prepared.evidence.exact:
            async for event in self._generate(prepared):
                if event.type == "final":
                    answer = event.answer
                else:
                    yield event
        if answer is None:
            answer = self._extractive_answer(prepared)
            for line in answer.answer.split("\n"):
                if line.strip():
                    yield StreamEvent(type="text", text=line + "\n")
        answer = self._finish(prepared, answer)
        yield StreamEvent(type="citations", citations=answer.citations)
        yield StreamEvent(type="final", answer=answer)

    def draft(self, text: str, context: str | None = None) -> Draft:
        """For mentors: a draft answer plus a longer list of suggested sources with reasons."""
        self._validate(text)
        query = f"{context} {text}" if context else text
        hits = self._search(query, self.settings.draft_sources)
        q_terms = question_terms(morphemes(query))
        comp = compose(text, q_terms, hits[: self.settings.retrieval_k], self.searcher.idf, scorer=self.scorer,
                       analysed=self.stores.catalog.analyses)
        drafted = extractive_text(comp, hits)
        evidence = self._evidence(drafted, hits, q_terms)
        answer = Answer(answer=drafted.text, decision=Decision.answered if drafted.text else Decision.escalate,
                        confidence=confidence(evidence, self.calibration), citations=drafted.citations)
        suggestions = []
        for n, hit in enumerate(hits, start=1):
            shared = [t for t in q_terms if t in set(hit.chunk.terms)]
            reason = f"질문의 {', '.join(shared[:4])}와(과) 관련" if shared else "의미가 비슷한 내용"
            suggestions.append(citation_for(n, hit, hit.chunk.text, reason=reason))
        return Draft(answer=answer, suggestions=suggestions)

    # -- steps: question -> analysis -> retrieval -> composition -> decision ---------------
    def _validate(self, text: str) -> None:
        if not text or not text.strip():
            raise FMError("empty_question", "질문 내용을 입력해 주세요.", "empty question")
        if len(text) > self.settings.max_question_chars:
            raise FMError(
                "question_too_long",
                f"질문이 너무 깁니다. {self.settings.max_question_chars:,}자 이내로 줄여 주세요.",
                f"{len(text)} characters",
            )

    async def _prepare(self, question: Question) -> Prepared:
        self._validate(question.text)
        started = time.perf_counter()
        text = question.text.strip()
        store = self.conversations
        cid = question.conversation_id or store.new_conversation(
            channel=question.channel.value, user_id=question.user_id, reply_to=question.reply_to
        )
        history = store.history(cid, limit=10)
        hand_off = await asyncio.to_thread(HandOff(self.settings, self.db, store).check, cid, question, history)
        if hand_off.routing.held:  # an expert is on it, or the message is about their ticket
            analysis = analyse(text, [])
            verdict = in_language(Verdict(Decision.escalate, hand_off.routing.reason,
                                          hand_off.routing.notice or HELD_TEXT), analysis.language)
            return Prepared(question, cid, history, analysis, [], Drafted("", [], 0.0), verdict, 0.0,
                            started, text, hand_off=hand_off)
        analysis = await self._understand(hand_off.text, history)
        work = await asyncio.to_thread(self._retrieve_and_draft, analysis, dict(question.filters))
        score = confidence(work.evidence, self.calibration)
        verdict = decide(analysis.intent, score, bool(work.drafted.text), self.settings, exact=work.evidence.exact,
                         partial=work.evidence.partial, unknown=work.evidence.unknown)
        verdict = in_language(verdict, analysis.language)
        return Prepared(question, cid, history, analysis, work.hits, work.drafted, verdict, score, started,
                        work.subject, work.evidence, hand_off=hand_off)

    async def _understand(self, text: str, history: list[Turn]) -> Analysis:
        """The message analysed once; a follow-up's query may be rewritten by the LLM."""
        analysis = analyse(text, history, known_by(self.searcher.idf))
        if analysis.followed and self._llm is not None:
            try:
                query = await asyncio.wait_for(self._llm.rewrite(text, history), self.settings.llm_timeout_s)
                analysis = analysis.with_query(query)
            except Exception as exc:  # noqa: BLE001 - rewriting is optional
                log.warning("question rewrite failed, using the carried subject: %s", type(exc).__name__)
        return analysis

    async def aretrieve(self, question: Question, k: int | None = None) -> list[Citation]:
        """What `ask` would retrieve for this question (follow-ups and supplier matching
        included), best first, without answering or recording anything: for evaluators."""
        self._validate(question.text)
        text = question.text.strip()
        history = self.conversations.history(question.conversation_id, limit=10) if question.conversation_id else []
        analysis = await self._understand(text, history)
        k = k or self.settings.retrieval_k
        filters = dict(question.filters)
        if analysis.intent.supplier:
            found = await asyncio.to_thread(answer_supplier, self.searcher, analysis.query, filters)
            if found is not None:
                return [citation_for(n, h, h.chunk.text) for n, h in enumerate(found.hits, start=1)]
        hits = await asyncio.to_thread(self._search, analysis.query, k, filters)
        calculated = await asyncio.to_thread(self._calculation, analysis)
        if calculated is not None:  # the rules' chunks a calculation cites come first
            cited_ids = {h.chunk.chunk_id for h in calculated[0]}
            hits = (calculated[0] + [h for h in hits if h.chunk.chunk_id not in cited_ids])[:k]
        # and the rest of the documents an answer may read with them (`with_rest_of_document`)
        hits = with_rest_of_document(hits, self.stores.catalog.documents_of)
        return [citation_for(n, h, h.chunk.text) for n, h in enumerate(hits, start=1)]

    def retrieve(self, question: Question, k: int | None = None) -> list[Citation]:
        return asyncio.run(self.aretrieve(question, k))

    def _retrieve_and_draft(self, analysis: Analysis, filters: dict[str, str]) -> Drafting:
        """The drafted answer: a supplier list, an owner's calculation, or cited sentences."""
        if analysis.intent.supplier:
            found = answer_supplier(self.searcher, analysis.query, filters)
            if found is not None:
                return Drafting(found.hits, found.drafted, found.subject, self._evidence(found.drafted, found.hits))
        if (calculated := self._calculation(analysis)) is not None:
            hits, drafted, covered = calculated
            return Drafting(hits, drafted, analysis.query,
                            Evidence(1.0, 1.0, 1.0, 1.0, 0.0, True, exact=True, partial=not covered))
        if analysis.query != analysis.text:
            self.stores.embed_queries([analysis.query, analysis.text])  # searched, then scored against: one call
        hits = self._search(analysis.query, self.settings.retrieval_k, filters)
        quoted = hits if analysis.intent.supplier else without_unasked_profiles(hits, analysis.query)
        quoted = with_rest_of_document(cited_first(quoted, analysis.prior_sources), self.stores.catalog.documents_of)
        # a follow-up is retrieved with the carried subject, but its sentences are picked for
        # what it asks now ("거기 연락처" -> the contact line, not the company's name again)
        comp = compose(analysis.text, analysis.own_terms, quoted, self.searcher.idf, scorer=self.scorer,
                       analysed=self.stores.catalog.analyses, following=self.stores.catalog.following,
                       chunks=len(quoted))
        drafted = extractive_text(comp, quoted)
        query = analysis.query
        subject = query if len(query) <= 120 else query[-120:]
        if analysis.intent.follow_up is False and drafted.citations and quoted[0].chunk.kind == "supplier":
            subject = str(quoted[0].chunk.metadata.get("company") or quoted[0].chunk.title)
        return Drafting(hits, drafted, subject, self._evidence(drafted, hits, analysis.terms))

    def _search(self, query: str, k: int, filters: dict[str, str] | None = None) -> list[Hit]:
        """The `k` hits to read: of the top `rerank_hits`, those whose best line also answers (`answers.rerank`)."""
        # the fused list is the one `k` hits are fused from; the re-rank reads further down it
        candidates = max(self.settings.retrieval_candidates, k * 3)
        hits = self.searcher.search(query, max(k, self.settings.rerank_hits), filters=filters, candidates=candidates)
        return read_first(query, hits, k, self.scorer, self.settings.rerank_weight, analysed=self.stores.catalog.analyses)

    def _calculation(self, analysis: Analysis) -> tuple[list[Hit], Drafted, bool] | None:
        """The owner's figure from their numbers (or a rule looked up), cited to its rules'
        chunks, if one is asked; and whether the rules cover the owner's case."""
        calculation = calculate(analysis.query, analysis.text) if analysis.followed else calculate(analysis.text)
        cited = cited_calculation(calculation, self.searcher, analysis.terms) if calculation else None
        return (*cited, calculation.covered) if cited and calculation else None

    def _evidence(self, drafted: Drafted, hits: list[Hit], terms: list[str] | None = None) -> Evidence:
        """What the decision weighs (a supplier list brings its own support)."""
        if terms is not None:
            drafted.support = keyword_support(terms, hits, self.searcher.idf)
        return gather_evidence(drafted.coverage, drafted.support, hits, terms or [], self.searcher.idf,
                               has_text=bool(drafted.text))

    def _extractive_answer(self, p: Prepared) -> Answer:
        if p.verdict.text is not None:
            return Answer(answer=p.verdict.text, decision=p.verdict.decision, confidence=p.confidence,
                          citations=[], reason=p.verdict.reason)
        text = p.drafted.text
        if text and p.analysis.language == "en":
            text = f"{ENGLISH_NOTE}\n{text}"
        return Answer(answer=text, decision=p.verdict.decision, confidence=p.confidence,
                      citations=p.drafted.citations, reason=p.verdict.reason)

    async def _generate(self, p: Prepared) -> AsyncIterator[StreamEvent]:
        """LLM answer, each sentence guarded before it is shown; any failure -> extractive."""
        hits = p.hits[: self.settings.retrieval_k]
        sources = {n: h.chunk.text for n, h in enumerate(hits, start=1)}
        sentences: list[str] = []
        failure: str | None = None
        llm = self._llm
        assert llm is not None  # ask_stream generates only with an LLM
        try:
            async with asyncio.timeout(self.settings.llm_timeout_s):
                async for sentence in llm.stream_sentences(p.query, hits, p.history):
                    problem = check_sentence(sentence, sources)
                    if problem:
                        failure = f"guard: {problem}: {sentence[:80]}"
                        break
                    sentences.append(sentence)
                    yield StreamEvent(type="text", text=sentence + " ")
        except TimeoutError:
            failure = "llm_timeout"
        except Exception as exc:  # noqa: BLE001 - the user still gets the extractive answer
            failure = f"llm_error: {type(exc).__name__}"
        if failure is None and not sentences:
            failure = "llm_empty"
        if failure:
            log.warning("generative answer replaced by the extractive one (%s)", failure)
            answer = self._extractive_answer(p)
            answer.guard_failures.append(failure)
            yield StreamEvent(type="final", answer=answer)
            return
        text, citations = _renumber(" ".join(sentences), hits)
        yield StreamEvent(type="final", answer=Answer(
            answer=text, decision=p.verdict.decision, confidence=p.confidence, mode=Mode.generative,
            citations=citations, reason=p.verdict.reason,
        ))

    def _finish(self, p: Prepared, answer: Answer) -> Answer:
        answer.conversation_id = p.conversation_id
        routing = p.hand_off.routing if p.hand_off else None
        if routing and routing.notice and not routing.held:
            answer.answer = f"{routing.notice}\n\n{answer.answer}"
        answer.offer_ask_bot = bool(routing and routing.held)
        if p.drafted.citations and answer.decision == Decision.answered and p.analysis.intent.supplier:
            answer.suppliers = [{"n": c.n, "company": c.title, "source": c.source, "reason": c.reason}
                                for c in p.drafted.citations]
        store = self.conversations
        store.append(p.conversation_id, Turn(role="user", text=p.question.text, subject=p.query))
        answer.message_id = store.append(
            p.conversation_id,
            Turn(role="assistant", text=answer.answer, decision=answer.decision, citations=answer.citations,
                 subject=p.subject),
        )
        live = p.hand_off is not None and p.hand_off.ticket is not None and p.hand_off.ticket.status != "answered"
        if p.hand_off is not None and (p.hand_off.routing.relay or (live and answer.decision == Decision.escalate)):
            HandOff(self.settings, self.db, store).relay(p.hand_off, p.question.text)  # to the ticket's expert
        elif self.db is not None and answer.decision == Decision.escalate:
            answer.ticket_id = self.desk.escalate(
                p.question.model_copy(update={"conversation_id": p.conversation_id}),
                draft=p.drafted.text, sources=[c.model_dump() for c in p.drafted.citations],
                priority=priority(p.verdict), confidence=p.confidence, reason=p.verdict.reason,
            )
        log.info("answered conversation=%s decision=%s confidence=%.2f mode=%s in %.0f ms",
                 p.conversation_id, answer.decision.value, answer.confidence, answer.mode.value,
                 (time.perf_counter() - p.started) * 1000)
        return answer


def _renumber(text: str, hits: list[Hit]) -> tuple[str, list[Citation]]:
    """Citations numbered in order of first use; only used sources listed."""
    import re

    order: dict[int, int] = {}
    for m in re.finditer(r"\[(\d{1,2})\]", text):
        order.setdefault(int(m.group(1)), len(order) + 1)
    new_text = re.sub(r"\[(\d{1,2})\]", lambda m: f"[{order[int(m.group(1))]}]", text)
    citations = [citation_for(new, hits[old - 1], hits[old - 1].chunk.text) for old, new in order.items()]
    return new_text, sorted(citations, key=lambda c: c.n)
