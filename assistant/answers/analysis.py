"""The question analysed once: its intent, its language, the retrieval query and its terms.

Everything after this step (retrieval, composition, the decision) reads the `Analysis`;
nothing downstream re-tokenises the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from assistant.answers.composition import question_terms
from assistant.answers.followup import cited_before, resolve
from assistant.answers.glossary import korean_words, source_words
from assistant.answers.intent import Intent, classify
from assistant.answers.question_types import as_question
from assistant.korean import morphemes, spell_apart
from assistant.types import Turn

ENGLISH_NOTE = "The sources are in Korean, so the answer below quotes them in Korean."

_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z]")

@dataclass
class Analysis:
    """What the rest of the pipeline needs to know about one message."""

    text: str  # the message as typed, a statement that puts a question as that question (`as_question`)
    intent: Intent
    query: str  # what is retrieved (a follow-up carries its subject; English adds Korean terms)
    terms: list[str] = field(default_factory=list)  # content terms of the query
    own_terms: list[str] = field(default_factory=list)  # content terms of what is asked now
    language: str = "ko"  # "ko" or "en" (any Latin-script question without Hangul)
    followed: bool = False  # resolved as a follow-up of the previous turn
    prior_sources: tuple[str, ...] = ()  # a follow-up's: the documents the previous answer cited

    def with_query(self, query: str) -> Analysis:
        """The same analysis for another retrieval query (an LLM rewrite of a follow-up)."""
        terms = question_terms(morphemes(query))
        return replace(self, query=query, terms=terms, own_terms=self.own_terms or terms)


def language_of(text: str) -> str:
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN.findall(text))
    return "en" if latin >= 4 and hangul == 0 else "ko"


def korean_terms(text: str) -> str:
    """The Korean words the sources use for the English words of `text` (the glossary's)."""
    return " ".join(korean_words(text))


def analyse(text: str, history: list[Turn], known: Callable[[str], bool] | None = None) -> Analysis:
    """Intent, language, retrieval query and terms of `text` in its conversation. `known`
    tells a keyword the sources use: a compound they never use whole is searched as its parts."""
    text = as_question(text)
    intent = classify(text)
    language = language_of(text)
    query, followed = resolve(text, history)
    if language == "en":
        bridge = korean_terms(text)
        query = f"{query} {bridge}".strip()
        intent.in_domain = intent.in_domain or bool(bridge)
    if followed:
        prev = classify(query)
        intent.supplier = intent.supplier or (prev.supplier and not intent.human_request)
        intent.in_domain = intent.in_domain or prev.in_domain
    prior = cited_before(history) if followed else ()
    if language == "en":  # the Korean sources share no words with English but the bridge's
        terms = question_terms(morphemes(korean_terms(query)))
        return Analysis(text, intent, query, terms, terms, language, followed, prior)
    sources_say = source_words(text)  # "공급업체" is searched as the sources' "공급기업" too
    query, asked_now = " ".join([query, *sources_say]), " ".join([text, *sources_say])
    if known is not None:  # the glossary's owner words ("공급업체") are searched as the sources say them
        def bridged(term: str) -> bool:
            return known(term) or bool(source_words(term))

        apart = spell_apart(query, bridged)
        asked_now = apart if asked_now == query else spell_apart(asked_now, bridged)  # one Kiwi pass when they agree
        query = apart
    terms = question_terms(morphemes(query))
    own_terms = question_terms(morphemes(asked_now)) if query != asked_now else terms
    return Analysis(text, intent, query, terms, own_terms or terms, language, followed, prior)
