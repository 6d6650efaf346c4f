"""Owners' words to the words the sources use.

English: a question asked in English shares no word with the Korean sources, so its
content words are read through `assistant/data/glossary.txt`, both for the retrieval query
(`analysis`) and when answer lines are chosen (`candidates`). The relevance model still
decides most of the choice; the glossary adds what a model of this size misses ("limit" is
"한도").

Korean: owners say "공급업체", "메이커", "레벨"; the sources say 공급기업, 제조사, 수준.
`assistant/data/owner_words.txt` bridges them for retrieval, line choice and the "not found"
note (`source_words`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from assistant.korean import morphemes

_WORD = re.compile(r"[a-z][a-z-]*")
_IDIOMS = re.compile(r"\b(?:a lot of|lots of)\b")  # "a lot of" is no 로트


@lru_cache(maxsize=2)
def _entries(name: str = "glossary.txt") -> dict[str, tuple[str, ...]]:
    text = resources.files("assistant.data").joinpath(name).read_text(encoding="utf-8")
    entries: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, *korean = line.split("\t")
            entries[english.strip()] = tuple(k.strip() for k in korean if k.strip())
    return entries


def _lemma(word: str, entries: dict[str, tuple[str, ...]]) -> str | None:
    """The glossary's entry for an English word: as written, or its singular."""
    for candidate in (word, word[:-3] + "y" if word.endswith("ies") else "", word[:-2] if word.endswith("es") else "",
                      word[:-1] if word.endswith("s") else ""):
        if candidate and candidate in entries:
            return candidate
    return None


def korean_words(question: str) -> list[str]:
    """The Korean words the sources use for the English words of `question`, each once, in
    the question's order."""
    entries = _entries()
    words: list[str] = []
    for word in _WORD.findall(_IDIOMS.sub(" ", question.lower())):
        words.extend(k for k in entries.get(_lemma(word, entries) or "", ()) if k not in words)
    return words


def korean_terms(question: str) -> list[str]:
    """The Korean terms (as the keyword index spells them) for the English words of `question`."""
    terms: list[str] = []
    for korean in korean_words(question):
        terms.extend(t for t in morphemes(korean) if t not in terms)
    return terms


def source_words(text: str) -> list[str]:
    """The sources' words for the owner's words in `text` ("공급업체" -> "공급기업"), each once."""
    found: list[str] = []
    for owner, words in owner_words(text).items():
        rest = text.replace(owner, " ")  # "윈도우" holds the sources' "윈도" but does not say it
        found.extend(w for w in words if w not in found and w not in rest)
    return found


def owner_words(text: str) -> dict[str, tuple[str, ...]]:
    """The owner's words (or phrases: "예고 없이") `text` contains, with the sources' words for each."""
    return {owner: words for owner, words in _entries("owner_words.txt").items() if owner in text}


def bridged_only(term: str, known: Callable[[str], bool]) -> bool:
    """An owner's word no source uses, which this glossary bridges to the sources' word ("레벨":
    수준, "로스": 손실): the question's terms hold that word beside it."""
    return not known(term) and bool(source_words(term))
