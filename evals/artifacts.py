"""Copy artifacts in an answer: what an owner should never see in a composed answer.

- table pipes: a table row copied with its `|` between cells;
- checkbox and bullet glyphs: □ ☐ ☑ ✓ and the like anywhere, ● ▪ ◆ … at a sentence start;
- lemma lists: a coverage note ("'까다, 부족' 관련 내용은 찾지 못했습니다") naming words the
  user never typed (analyser lemmas instead of the user's own words);
- file references: a knowledge file's name ("level-check-link.md를 참고하세요",
  "(policy-loans.md)") that an owner cannot open;
- bare "what not to do" items: a sentence taken from under a heading such as 하면 안 되는 것,
  반려 사유, 흔한 실수 (or a list labelled 인정되지 않는 예, 넣을 수 없는 것) and given as if
  it were advice, without words that keep its negative meaning.

`find_artifacts(answer, question, dont_items)` returns what it found ([] for a clean answer);
`dont_items(knowledge_dir)` collects the "what not to do" items of the shipped documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evals.cases import Case
from evals.records import CaseRecord

CITE_MARK = re.compile(r"\s*\[\d{1,2}\]")
PIPE = re.compile(r"\S[ \t]*\|[ \t]*\S")
BOXES = "□■☐☑☒✓✔✗✘▢◻◼▣"  # never prose, wherever they stand
# copied list markers, at a sentence start (※ is left alone: the assistant's own notes open with it)
BULLETS = "●○◯◆◇▪▫►▶★☆•❍◎"
BOX = re.compile(f"[{BOXES}]|(?:^|\n)\\s*(?:[-*]\\s*)?\\[[ xX]\\](?=\\s)")  # and a Markdown checklist's "- [ ]"
BULLET_START = re.compile(rf"(?:^|\n|(?<=[.!?:])\s+)\s*([{BULLETS}])", re.MULTILINE)
# the words a coverage note names: "('미싱사, 연세'에 대한 내용은 찾지 못했습니다)", or the older
# "'까다, 부족' 관련 내용은"; a source's own quote ("…"라고만 적혀 있으면) is not a note
QUOTED = re.compile(r"['‘\"“「]([^'’\"”」\n]{1,80})['’\"”」]\s*(?:에\s*대한|관련)")
NOTE_WORDS = re.compile(r"찾지 못|못 찾|없었|없습니다|다루지 않|확인되지 않")
# what may follow a user's word inside one eojeol: an honorific 분, a plural 들, a particle or the copula, or
# a 하다/되다 ending (the user's noun used as a verb: 조심해야돼요, 폐업해서)
TAIL = re.compile(r"^(?:분)?(?:들)?(?:은|는|이|가|을|를|에|에서|에게|의|도|로|으로|와|과|만|까지|부터|랑|이랑|하고|나|이나|"
                  r"보다|처럼|요|이요|인데|인데요|이고|이면|인지|이라|이라서|이라도|라서|입니다|이에요|예요|이야|야|"
                  r"인가|인가요|이죠|죠|였|였어요|였다|이었어요)?$|^(?:하|해|했|한|할|합|되|돼|됐|된|될)")
WORD_SPLIT = re.compile(r"[\s·,/()\[\]?!.~\"'“”‘’]+")
NEGATIVE_HEADING = re.compile(r"하면 안 되|하지 말|안 되는 것|흔한 실수|반려|탈락|환수 사유|위험 신호|부정수급|"
                              r"흔히 걸리는|꼬이는|제외 대상|신청할 수 없는|넣을 수 없는|인정되지 않는|대상이 안 되는")
# words that keep a "what not to do" item's meaning in the answer
NEGATIVE_FRAME = re.compile(r"안 ?되|하지 ?마|말아야|말고|금지|불가|않|없습니다|없어요|없는|제외|반려|탈락|환수|"
                            r"주의|실수|부정|위험|빠집니다|할 수 없|피하|삼가|제재|인정되지|아닙니다|못하|못 하")
# a question about the negative list itself ("반려 사유가 뭐예요?") may list its items
ASKS_NEGATIVE = re.compile(r"안 ?되|하면 안|하지 말|실수|주의|제외|반려|탈락|떨어|환수|사유|걸리|금지|불가|위험|부정|"
                           r"못 ?하|없는|않는")
FILE_NAME = re.compile(r"[A-Za-z0-9_-]+\.(?:md|txt|html?|pdf|docx|hwpx)(?![A-Za-z0-9])")
MIN_ITEM = 8  # characters (whitespace ignored): shorter items are too generic to match
PART_OF_ITEM = 0.6  # a sentence that is part of an item must carry this share of it
LABEL_MAX = 20  # "인정되지 않는 예: A, B" labels are short; a longer text before ':' is a sentence


@dataclass(frozen=True)
class Artifact:
    kind: str  # table_pipe | glyph | lemma_note | file_name | dont_item
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def sentences(answer: str) -> list[str]:
    """The answer's sentences (lines, then sentence ends), citation markers removed."""
    out = []
    for line in CITE_MARK.sub("", answer).splitlines():
        out += [s.strip() for s in re.split(r"(?<=[^\d\s][.!?])\s+", line) if s.strip()]
    return out


def _user_word(term: str, question: str) -> bool:
    """The term is a word the user typed: it stands in a word of the question followed by
    nothing but a particle, the copula or a 하다 ending (Korean owners often drop spaces, so
    '몇프로에요' holds '프로'), or it is a phrase of the question. Case is ignored."""
    term = term.strip().lower()
    for word in WORD_SPLIT.split(question.lower()):
        start = word.find(term)
        while term and start >= 0:
            if TAIL.search(word[start + len(term):]):
                return True
            start = word.find(term, start + 1)
    return " " in term and _squash(term) in _squash(question.lower())


def lemma_notes(answer: str, question: str) -> list[str]:
    """Words a coverage note names that the user never typed as such."""
    found = []
    for sentence in sentences(answer):
        if not NOTE_WORDS.search(sentence):
            continue
        for quoted in QUOTED.findall(sentence):
            found += [t.strip() for t in re.split(r"[,·/]", quoted) if t.strip() and not _user_word(t, question)]
    return found


def bare_dont_items(answer: str, items: Iterable[str]) -> list[str]:
    """Answer sentences that repeat a "what not to do" item without a negative frame."""
    keys = [(_squash(i), i) for i in items if len(_squash(i)) >= MIN_ITEM]
    found = []
    for sentence in sentences(answer):
        body = _squash(sentence)
        if len(body) < MIN_ITEM or NEGATIVE_FRAME.search(sentence):
            continue
        for key, item in keys:
            if key in body or (body in key and len(body) >= PART_OF_ITEM * len(key)):
                found.append(f"{sentence} (from: {item})")
                break
    return found


def find_artifacts(answer: str, question: str = "", dont: Iterable[str] = ()) -> list[Artifact]:
    """Every copy artifact in the answer ([] when it is clean)."""
    out = [Artifact("table_pipe", m.group(0)) for m in PIPE.finditer(answer)]
    out += [Artifact("glyph", m.group(0)) for m in BOX.finditer(answer)]
    out += [Artifact("glyph", m.group(1)) for m in BULLET_START.finditer(answer)]
    out += [Artifact("lemma_note", term) for term in lemma_notes(answer, question)]
    out += [Artifact("file_name", m.group(0)) for m in FILE_NAME.finditer(answer)]
    if not ASKS_NEGATIVE.search(question):
        out += [Artifact("dont_item", s) for s in bare_dont_items(answer, dont)]
    return out


def _item(line: str) -> str:
    """A list line's text: marker and emphasis removed, cut before an arrow to advice
    ("→ 계약 전에 …") and after its first sentence."""
    text = re.sub(r"^\s*(?:[-*]|\d+[.)]|[" + BOXES + BULLETS + r"])\s*", "", line).strip()
    text = re.sub(r"\*\*|__", "", text).split("→")[0]
    return re.split(r"(?<=[^\d\s][.!?])\s", text)[0].strip()


def dont_items_in(text: str) -> list[str]:
    """The list items under negative headings (## and deeper), under negative label lines
    such as "넣을 수 없는 것(예시)", and the comma-separated items of "인정되지 않는 예: A, B"."""
    items: list[str] = []
    negative = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("##"):
            negative = bool(NEGATIVE_HEADING.search(stripped))
            continue
        is_item = bool(re.match(r"^\s*(?:[-*]|\d+[.)])\s+", line))
        label, _, rest = _item(line).partition(":")
        if is_item and rest and len(label) <= LABEL_MAX and NEGATIVE_HEADING.search(label):
            items += [p.strip() for p in rest.split(",") if p.strip()]
        elif is_item and negative:
            items.append(_item(line))
        elif stripped and not is_item and not stripped.startswith("#") and not stripped.endswith((".", "다", "요")):
            negative = bool(NEGATIVE_HEADING.search(stripped))
    return items


def dont_items(knowledge_dir: Path) -> list[str]:
    """Every "what not to do" item of the Markdown documents in the knowledge folder."""
    return [item for path in sorted(knowledge_dir.rglob("*.md")) if not path.name.startswith("README")
            for item in dont_items_in(path.read_text(encoding="utf-8"))]


def score_artifacts(case: Case, record: CaseRecord, dont: Iterable[str]) -> None:
    """The record's `artifacts` score: 1.0 when its answer carries any copy artifact."""
    if record.error is None and record.answer:
        record.scores["artifacts"] = float(bool(find_artifacts(record.answer, case.question, dont)))
