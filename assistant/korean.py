"""Korean text helpers on Kiwi: sentence splitting and content morphemes for keyword search."""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from itertools import zip_longest
from pathlib import Path

import kiwipiepy
from kiwipiepy import Kiwi

# morpheme tags that carry meaning for keyword search (nouns, numerals, verb and adjective
# stems, roots, foreign words, numbers, hanja); particles and endings are dropped
_CONTENT_TAGS = frozenset(
    {"NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "SL", "SN", "SH", "MAG", "W_SERIAL"}
)
_STEM_TAGS = frozenset({"VV", "VA", "VV-R", "VA-R", "VV-I", "VA-I"})
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")

_lock = threading.Lock()


_LEXICON = Path(__file__).parent / "data" / "lexicon.txt"
# a verb in the past tense ends in a syllable closed by ㅆ ("받았", "반겼", "나왔"), except 있 (it
# exists) and 겠 (it will): "[PAST_SYLLABLES]습니다" is a past statement, "…어요?" a past question
PAST_SYLLABLES = "".join(chr(c) for c in range(0xAC00, 0xD7A4) if (c - 0xAC00) % 28 == 20 and chr(c) not in "있겠")


def _lexicon() -> list[tuple[str, str, float]]:
    """(word, tag, score) of each line: "재고 NNG -3", or just "금형"."""
    entries = []
    for line in _LEXICON.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            tag = fields[1] if len(fields) > 1 else "NNG"
            entries.append((fields[0], tag, float(fields[2]) if len(fields) > 2 else -10.0))
    return entries


_TERMS_FORMAT = "t7"  # bumped when terms or splits are made differently (t2: no space inside a term;
# t3: a connective ending Kiwi took for a sentence's end goes on with the next piece; t4: "제일" is no 일;
# t5: a quote Kiwi left at a sentence's end goes with the particle that opens the next; t6: a noun
# right before a verb's ending is the verb's stem, "돌리다" of "12대 돌리는데"; t7: a "-" item under a numbered
# step ("2) 신청 (마감까지)") is read with the step's name, so the lines ingest embeds ahead changed)


def analyser_signature() -> str:
    """What the keyword terms were made with (Kiwi's version and our lexicon): an index built
    with another signature is rebuilt."""
    lexicon = hashlib.sha256(_LEXICON.read_bytes()).hexdigest()[:8]
    return f"kiwi{kiwipiepy.__version__}+{lexicon}+{_TERMS_FORMAT}"


@lru_cache(maxsize=1)
def kiwi() -> Kiwi:
    """One shared analyser (loading the model takes about a second), with the domain's words."""
    analyser = Kiwi()
    for word, tag, score in _lexicon():
        # a low score by default: the word wins where Kiwi would misread it, and does not pull
        # apart the words around it ("금형 온도" stays 금형 + 온도 at -10; at 0 it became 온 + 도)
        analyser.add_user_word(word, tag, score)
    return analyser


def normalize(text: str) -> str:
    """NFC (Hangul jamo composed), no control characters, single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return _SPACES.sub(" ", text).strip()


def _token_terms(tokens: Iterable) -> list[str]:
    terms = []
    prev = None
    for t, after in _with_next(tokens):
        tag = str(t.tag)
        if tag in ("NNG", "NNP") and _verb_read_as_noun(t, after):
            tag = "VV"  # "돌리" of "12대 돌리는데", which Kiwi can read as a name
        after_je = prev is not None and prev.form == "제" and str(prev.tag) == "XPN"
        prev = t
        if after_je and tag == "NR" and t.form == "일":
            continue  # "제일 먼저" read as 제 + 일: "most", not a day or work
        base = tag.split("-")[0]
        form = t.form.replace(" ", "")  # Kiwi can join words into one form ("셋 업"); a term has no space
        if tag in _STEM_TAGS or base in ("VV", "VA"):
            terms.append(form + "다")
        elif base in _CONTENT_TAGS:
            terms.append(form.lower())
    return terms


def morphemes(text: str) -> list[str]:
    """Content morphemes of `text`, lower-cased, in order: the keyword index's terms."""
    if not text.strip():
        return []
    with _lock:
        tokens = kiwi().tokenize(text)
    return _token_terms(tokens)


def spell_apart(text: str, known: Callable[[str], bool]) -> str:
    """`text` with each compound that Kiwi reads as one noun the sources never use whole
    ("사출공장", "온도관리") written as the words the sources do use ("사출 공장", "온도 관리").
    An owner writes compounds solid; the knowledge writes the same words apart or in other
    compounds, so the whole would match nothing and be reported as not covered. A particle Kiwi
    left on a noun ("센서랑") goes."""
    with _lock:
        tokens = kiwi().tokenize(text)
    pieces, last = [], 0
    for t in tokens:
        form = text[t.start:t.end]
        if str(t.tag) not in ("NNG", "NNP") or form != t.form:
            continue
        parts = known_parts(form, known)
        if parts != [form]:
            pieces += [text[last:t.start], " ".join(parts)]
            last = t.end
    return "".join([*pieces, text[last:]]) if pieces else text


def known_parts(word: str, known: Callable[[str], bool]) -> list[str]:
    """An unknown `word` cut into known words of at least two syllables (the longest known
    head first, the rest cut again); [word] when it is known or cannot be cut. A known word
    with a particle Kiwi left on it ("센서랑", a loanword it does not know) is that word."""
    if not _HANGUL_WORD.fullmatch(word) or known(word):
        return [word]
    for particle in _PARTICLES:
        stem = word[: -len(particle)]
        if word.endswith(particle) and len(stem) >= 2 and known(stem):
            return [stem]
    if len(word) < 4:
        return [word]
    for cut in range(len(word) - 2, 1, -1):
        head, rest = word[:cut], word[cut:]
        if not known(head):
            continue
        if known(rest):
            return [head, rest]
        if len(tail := known_parts(rest, known)) > 1:
            return [head, *tail]
    return [word]


_HANGUL_WORD = re.compile(r"[가-힣]+")
# particles, longest first, that Kiwi sometimes leaves on a noun it does not know
_PARTICLES = ("이랑", "하고", "에서", "으로", "랑", "로", "와", "과", "은", "는", "을", "를", "도", "만", "에")
_CACHE_LIMIT = 50_000
_terms_cache: dict[str, list[str]] = {}


def morphemes_many(texts: list[str], *, cache: bool = False) -> list[list[str]]:
    """Content morphemes of many texts in one Kiwi call. With `cache`, results are kept for
    texts seen again (answer composition meets the same sentences query after query)."""
    if not texts:
        return []
    known = {t: _terms_cache[t] for t in texts if t in _terms_cache} if cache else {}
    todo = [t for t in dict.fromkeys(texts) if t not in known] if cache else texts
    with _lock:
        fresh = [_token_terms(tokens) for tokens in kiwi().tokenize(todo)] if todo else []
    if not cache:
        return fresh
    analysed = dict(zip(todo, fresh, strict=True))
    remember_terms(analysed)  # may empty the cache: the answer is read from what was found here
    known.update(analysed)
    return [known[t] for t in texts]


def remember_terms(analysed: Mapping[str, list[str]]) -> None:
    """Put terms analysed elsewhere (at ingest, by this same analyser) into the cache
    `morphemes_many(cache=True)` reads; a full cache is emptied first."""
    if len(_terms_cache) + len(analysed) > _CACHE_LIMIT:
        _terms_cache.clear()
    _terms_cache.update(analysed)


@lru_cache(maxsize=20_000)
def _sentences_cached(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(line) for line in sentences_by_line(text))


def sentences_of_chunk(text: str) -> list[list[str]]:
    """`sentences_by_line` for chunk texts, cached: the same chunks come back query after query."""
    return [list(line) for line in _sentences_cached(text)]


def sentences_by_line(text: str) -> list[list[str]]:
    """Korean-aware sentence split (Kiwi), one list of sentences per non-empty line."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if not lines:
        return []
    with _lock:
        split = [[s.text.strip() for s in sents if s.text.strip()] for sents in kiwi().split_into_sents(lines)]
    return [_rejoined(sentences) for sentences in split]


def _rejoined(sentences: list[str]) -> list[str]:
    """Kiwi reads a connective ending as the end of a sentence in running prose ("센서가 설치가
    쉬워 | 작은 공장에 흔히 쓰입니다."): a piece that ends in a Hangul syllable, with no
    punctuation, goes on with the next piece of its line when that starts with Hangul."""
    out: list[str] = []
    for sentence in sentences:
        if out and _HANGUL_END.search(out[-1]) and _HANGUL_START.match(sentence):
            out[-1] = f"{out[-1]} {sentence}"
        elif out and _PARTICLE_START.match(sentence) and (quoted := _TRAILING_QUOTE.search(out[-1])):
            # '목표는 숫자로 씁니다. "품질 향상" | 이 아니라 …': the quote is the next sentence's subject
            head = out[-1][: quoted.start()].rstrip()
            out[-1:] = [head, f"{quoted.group(1)}{sentence}"] if head else [f"{quoted.group(1)}{sentence}"]
        else:
            out.append(sentence)
    return out


_HANGUL_END = re.compile(r"[가-힣]$")
_HANGUL_START = re.compile(r"[가-힣]")
# a closing quote Kiwi left at the end of a piece, and a piece that opens on the particle that
# goes with it ("이 아니라", "처럼 써야", "을 하려면")
_TRAILING_QUOTE = re.compile(r"(?:^|(?<=[.!?])\s+)([\"“'‘][^\"“”'‘’]{1,40}[\"”'’])$")
_PARTICLE_START = re.compile(r"(?:이|가|을|를|은|는|처럼|이라|이라는|라는|라고|이라고|으로|로|과|와|의|에|도|만)(?=[\s,.]|$)")


def split_sentences(text: str) -> list[str]:
    """Korean-aware sentence split (Kiwi); line breaks always end a sentence."""
    return [s for line in sentences_by_line(text) for s in line]


_NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "SH", "XR"})


@lru_cache(maxsize=4096)
def has_topic(sentence: str) -> bool:
    """Does the sentence name its own topic ("로드맵은 …", "8D는 …")? The particle 은/는 only,
    not the ending of "기록하는 양식" that Kiwi tells apart."""
    with _lock:
        tokens = kiwi().tokenize(sentence)
    return any(str(t.tag) == "JX" and t.form in ("은", "는") for t in tokens)


# endings that only a verb or an adjective takes ("돌리는데": Kiwi can read 돌리 as a name before 는)
_VERB_ENDINGS = frozenset({"ETM", "EC", "EF", "EP"})


def _with_next(tokens: Iterable[kiwipiepy.Token]) -> Iterator[tuple[kiwipiepy.Token, kiwipiepy.Token | None]]:
    """Each token with the one after it (None after the last)."""
    listed = list(tokens)
    return zip_longest(listed, listed[1:])


def _verb_read_as_noun(token: kiwipiepy.Token, after: kiwipiepy.Token | None) -> bool:
    """A noun right followed by a verb's ending is a verb stem Kiwi misread ("돌리" of "돌리는데")."""
    return (after is not None and after.start == token.end and str(after.tag) in _VERB_ENDINGS
            and _HANGUL_WORD.fullmatch(token.form) is not None)


def noun_phrases(text: str) -> list[tuple[str, list[str]]]:
    """The nouns of `text` as the user wrote them: adjacent noun morphemes joined into one
    surface word ("정책자금"), each with its keyword terms (["정책", "자금"])."""
    if not text.strip():
        return []
    with _lock:
        tokens = kiwi().tokenize(text)
    phrases: list[tuple[str, list[str]]] = []
    start = end = -1
    terms: list[str] = []
    for t, after in _with_next(tokens):
        tag = str(t.tag).split("-")[0]
        if tag in ("SN", "XSN") and terms and t.start == end:
            end = t.end  # "레벨3", "균일성": the number or suffix belongs to the word as typed
            continue
        if tag not in _NOUN_TAGS or _verb_read_as_noun(t, after):
            continue
        if terms and t.start == end:
            end, terms = t.end, [*terms, t.form.lower()]
            continue
        if terms:
            phrases.append((text[start:end], terms))
        start, end, terms = t.start, t.end, [t.form.lower()]
    if terms:
        phrases.append((text[start:end], terms))
    return phrases
