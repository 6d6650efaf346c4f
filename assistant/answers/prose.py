"""Chunk text as clean Korean answer units: table rows as "항목: 값" prose, list glyphs off,
inline section headings tracked, and the meaning a heading gives its lines (what not to do,
reasons for rejection, complaints) kept.

The same line predicates are used by the splitter, which records the table header and the
inline section in force where a chunk starts, so a chunk cut mid-table still reads right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# checklist boxes, bullets and arrows that open a line (never part of what it says)
_GLYPHS = "□■☐☑☒✓✔✗✘▢◻◼▪▫◦•‣⁃○●◎◆◇▶▷►➤→·*-"
_LEAD_GLYPHS = re.compile(rf"^\s*(?:[{re.escape(_GLYPHS)}]\s*)+")
_TASK_BOX = re.compile(r"^\s*\[[ xX]\]\s*")  # a Markdown checklist's "- [ ] "
_NUMBERING = re.compile(r"^\s*(?:\(\d{1,2}\)|\d{1,2}[.)](?!\d)|[①-⑳]|[가나다라마바사아자차카타파하][.)](?=\s)|[A-Za-z][.)](?=\s))\s*")
_BOX = re.compile(r"^\s*[□☐☑☒▢◻]")
_SECTION_GLYPH = re.compile(r"^\s*[■◼◆▶►]\s*")
_BRACKET_HEADING = re.compile(r"^\s*\[[^\]]{1,24}\]\s*$")
_FAQ_QUESTION = re.compile(r"^\s*Q\d*[.:)]\s*(\S.*[?？])\s*$")  # "Q. 고객사마다 로트 번호 규칙이 다른데요?"
# "안전재고 = (최대 일사용량 × 최대 조달기간) − …": a rule in words, not one worked example's figures
_FORMULA_IN_WORDS = re.compile(r"[=＝]\s*[^=＝\d]*[가-힣]|계산식|산식|[가-힣)]\s*(?:으)?로\s*구합니다")
_FAQ_ANSWER = re.compile(r"^\s*A[.:)]\s")  # "A. 일반 보급 사업은 …": a paragraph, not a list of one
_SENTENCE_END = re.compile(r"(?:다|요|죠|까|니다|[.!?？。])\s*[)\]'\"”’]?\s*$")
_TABLE_SEP = " | "
_LEAD_IN = re.compile(r"(이렇습니다|다음과\s*같습니다|아래와\s*같습니다|다음\s*\S{1,6}입니다)[.:]?\s*$|:\s*$")
_POINTS_AHEAD = re.compile(
    r"(아래|다음)(의)?\s*(\S+\s*)?(가지|항목|조건|요건|단계|서류|순서|지점|사항|원칙|기준)"
    r"|(아래|다음)[을를]\s"  # "과업지시서에 다음을 적으세요."
)
# a knowledge file's name, as one document names another ("policy-loans.md")
_FILE = r"[\w.-]+\.(?:md|txt|html?|pdf|docx|hwpx)"
# a cross-reference to other knowledge files ("(policy-loans.md)"): an owner cannot open them
_FILE_REF = re.compile(rf"\s*\((?:{_FILE}(?:,\s*)?)+\)")
# one named among other things in parentheses ("(business-plan-guide.md, 제출 서류 체크리스트)")
_FILE_AMONG = re.compile(rf"(?<=\()(?:\s*{_FILE}\s*,\s*)+|(?:\s*,\s*{_FILE})+(?=\s*\))")
# a sentence that only sends the reader to such a file ("자세한 내용은 level-check-link.md를 참고하세요.")
_SEE_FILE = re.compile(rf"\s*(?:자세한\s*(?:내용|사항)은\s*)?{_FILE}\S{{0,2}}\s*(?:참고|참조)\S*?(?:[.]|$)")
# a sentence about the document itself or sending the reader to another one ("제도 자체의 설명은 정책
# 문서를 보시고, 이 문서는 …에 집중합니다.", "궁금한 항목은 해당 문서로 넘어가 보시면 됩니다.")
_SIGNPOST = re.compile(r"(?:^|[,，]\s*)이\s*(?:문서|글)[는은]\s|문서[를을로]\s*(?:보시|보세요|참고|넘어)|해당\s*문서")
# a sentence that only introduces a worked example ("가상의 봉제 공장 '미성어패럴'(직원 18명)이
# 클라우드 MES를 도입한 경우입니다."): the example's lines say what it shows
_EXAMPLE_INTRO = re.compile(r"^\s*(?:예를\s*들어\s*)?가상의\s.*(?:경우|사례|예시|예)입니다[.]?\s*$")
_ABOUT_DOCUMENT = re.compile(r"이\s*문서")  # a heading "이 문서의 용도"
_QUOTES = re.compile(r"[\"“”「」『』]([^\"“”「」『』]{2,})[\"“”「」『』]")
_PLAIN_END = re.compile(r"(?<![니])다[.!]?\s*$")
_COMPLAINT_WORDS = re.compile(r"헷갈|모르겠|모른다|어렵다|힘들다|막막|답답|걱정|불만|부족하다|방치|귀찮|골치")
PROBLEM_HEADING = re.compile(r"막히는|어려움|애로|고충|고민|불만|하소연|문제점")

# heading words -> the label a bare line under them carries into an answer
_CAUTION_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"반려"), "반려 사유"),
    (re.compile(r"탈락"), "탈락 사유"),
    (re.compile(r"환수\s*사유|환수되는"), "환수 사유"),
    (re.compile(r"감점"), "감점 사유"),
    (re.compile(r"실수|실패\s*원인|걸리는\s*것|꼬이는"), "흔한 실수"),
    (re.compile(r"하지\s*말|하면\s*안|안\s*되는|금지|부정\s*수급"), "하면 안 되는 것"),
    (re.compile(r"인정되지\s*않|불인정"), "인정되지 않는 것"),
    (re.compile(r"넣을\s*수\s*없|포함할\s*수\s*없"), "넣을 수 없는 것"),
    (re.compile(r"제외\s*대상|신청할\s*수\s*없는|제외"), "해당하지 않는 경우"),
    (re.compile(r"주의|유의|위험\s*신호|조심|함정"), "주의할 점"),
)
# a line that already says it is a prohibition or a problem needs no label
_LABEL_OPENING = re.compile(r"^[^:：\s]{1,12}[:：]\s")  # "반려: 서류나 자격 문제로 …"
_NEGATED = re.compile(r"않|안\s*되|안\s*돼|못\s|금지|불가|없습니다|없다|말아야|마세요|말\s*것|주의|위험|탈락|반려|환수")


@dataclass
class Unit:
    """One candidate piece of an answer: a sentence, a list item or a table row."""

    position: int  # order inside the chunk
    text: str  # clean text, no glyphs or pipes
    kind: str  # sentence | item | row
    section: str | None  # inline section heading in force ("현금 부담", "[자격]"...)
    run: int | None  # list run id: consecutive items of one list share it
    raw: str  # the line as written in the chunk
    line: int = 0  # index of that line among the chunk's non-empty lines
    item_label: str = ""  # a list item's label ("A 품목") on its later sentences, which do not say it
    step: str = ""  # the numbered step a "-" item goes under ("신청 (마감까지)", `titles_steps`)
    names_step: bool = False  # it is such a step's name itself: alone it answers nothing


def is_table_row(line: str) -> bool:
    return _TABLE_SEP in line and not line.lstrip().startswith(("-", "•"))


def table_cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(_TABLE_SEP)]


def row_prose(header: list[str] | None, cells: list[str]) -> str:
    """A table row as "항목: 값": the first cell labels the rest; header cells name each value."""
    if not header or len(header) != len(cells):
        return ", ".join(c for c in cells if c)
    label, values = cells[0], cells[1:]
    if len(values) == 1:
        return f"{label}: {values[0]}" if label else f"{header[1]}: {values[0]}"
    named = [f"{h}: {v}" for h, v in zip(header[1:], values, strict=True) if v]
    joiner = " / " if any(re.search(r",(?!\d)", v) for v in values) else ", "
    return f"{label} - {joiner.join(named)}" if label else joiner.join(named)


def marker_kind(line: str) -> str | None:
    """What opens a list line: box, dash, number, or None for a plain line."""
    if _BOX.match(line):
        return "box"
    if _NUMBERING.match(line):
        return "num"
    if _LEAD_GLYPHS.match(line) and not _SECTION_GLYPH.match(line):
        return "dash"
    return None


def strip_markers(text: str) -> str:
    """Glyphs and numbering off the front of a line: "□ (1) 사업 신청서" -> "사업 신청서"."""
    previous = None
    while previous != text:
        previous = text
        text = _TASK_BOX.sub("", _NUMBERING.sub("", _LEAD_GLYPHS.sub("", text)))
    return text.strip()


def is_inline_heading(line: str, next_line: str | None = None) -> bool:
    """A line that titles what follows: "■ 1. 공통 필수 서류", "[자격]", "현금 부담" before items."""
    if _SECTION_GLYPH.match(line) or _BRACKET_HEADING.match(line):
        return True
    if _LEAD_IN.search(line) and next_line is not None and marker_kind(next_line) is not None:
        return True  # "미니클러스터가 권하는 방향은 이렇습니다." before a list
    text = line.strip()
    if is_table_row(text) or marker_kind(text) or len(text) > 30:
        return False
    if text.endswith(":"):
        return True
    return next_line is not None and marker_kind(next_line) is not None and not _SENTENCE_END.search(text)


def states_formula(text: str) -> bool:
    """The line gives a calculation rule in words ("발주점 = 평균 일사용량 × …", "…로 구합니다")."""
    return bool(_FORMULA_IN_WORDS.search(text))


def heading_text(line: str) -> str:
    return strip_markers(_SECTION_GLYPH.sub("", line)).strip("[]: ").strip()


def caution_label(context: str | None) -> str | None:
    """The label a heading such as "반려 사유 TOP 6" or "절대 하면 안 되는 것" gives its lines."""
    if not context:
        return None
    for pattern, label in _CAUTION_LABELS:
        if pattern.search(context):
            return label
    return None


def needs_label(text: str, label: str, own_label: str | None = None) -> bool:
    """A bare item ("현물 인건비를 부풀려 적는 것") loses its heading's meaning without a label;
    a negated one ("인정되지 않는 예: …") says it itself, unless the label is what follows from
    it and the item has no label of its own ("환수 사유": "성과 보고를 2회 이상 내지 않은 경우"
    does not say the money is paid back; "반려: 서류나 자격 문제로 …" says what it is)."""
    labelled = bool(own_label) or bool(_LABEL_OPENING.match(text))
    return (label.endswith("사유") and not labelled) or not _NEGATED.search(text)


def is_complaint(text: str, context: str | None = None) -> bool:
    """A problem statement or a quoted complaint ("…기업 부담금이 얼마인지… 헷갈린다.")."""
    if context and PROBLEM_HEADING.search(context):
        return True
    return bool(_PLAIN_END.search(text) and _COMPLAINT_WORDS.search(text))


def is_question(text: str) -> bool:
    """The text asks ("공급기업을 바꿔야 하나요?"): a document's FAQ question, a heading that asks."""
    return text.rstrip().endswith(("?", "？"))


def is_lead_in(text: str) -> bool:
    """"…은 다음과 같습니다." says nothing without the list that follows it."""
    return bool(_LEAD_IN.search(text))


def points_ahead(text: str) -> bool:
    """"…아래 세 가지를 모두 갖춘 기업이 신청할 수 있습니다." says something, but only with the
    list it points to (a bare lead-in, `is_lead_in`, never becomes a candidate at all)."""
    return bool(_POINTS_AHEAD.search(text))


def without_file_refs(text: str) -> str:
    """The text without cross-references to knowledge files, which an owner cannot open:
    "(policy-loans.md)" goes, and so does "자세한 내용은 level-check-link.md를 참고하세요."."""
    return _SEE_FILE.sub("", _FILE_AMONG.sub("", _FILE_REF.sub("", text))).strip()


def is_signpost(text: str, section: str = "") -> bool:
    """The line tells what the document is for or where else to read, never the answer;
    `section` is the heading the line sits under ("이 문서의 용도")."""
    return bool(_SIGNPOST.search(text) or _ABOUT_DOCUMENT.search(section))


def introduces_example(text: str) -> bool:
    return bool(_EXAMPLE_INTRO.search(text))


def is_quoted_speech(text: str) -> bool:
    """Mostly somebody's words in quotes, with little of our own around them."""
    quoted = sum(len(m.group(0)) for m in _QUOTES.finditer(text))
    return quoted > 0 and quoted >= 0.6 * len(text) and len(text) - quoted <= 12


def section_before(lines: list[str], index: int) -> str | None:
    """The last inline heading above line `index` (blank-free lines of one block)."""
    for i in range(index - 1, -1, -1):
        if is_inline_heading(lines[i], lines[i + 1]):
            return heading_text(lines[i])
    return None


# "A 품목: …", "ERP(전사적자원관리): …"; not "투자 후 일정 기간(예시: 2년) 안에 …", whose colon is inside ( )
_ITEM_LABEL = re.compile(r"^([^:：.?!()（）]{1,15}(?:\([^()]{1,20}\))?)[:：]\s+\S")


def units_of_chunk(
    text: str, sentences: list[list[str]], *, table_header: str | None = None, section: str | None = None
) -> list[Unit]:
    """A chunk's candidate units in order. `sentences` is the chunk's Kiwi split per non-empty
    line; `table_header` and `section` are what was in force where the chunk starts."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    header = table_cells(table_header) if table_header else None
    units: list[Unit] = []
    run: int | None = None
    run_kind: str | None = None
    step: str | None = None  # the numbered step ("2) 신청 (마감까지)") whose "-" items follow
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if is_table_row(line):
            cells = table_cells(line)
            carried = i == 0 and header is not None and len(cells) == len(header) and cells != header
            if (i == 0 or not is_table_row(lines[i - 1])) and not carried:
                header = cells  # a table's first row names its columns
                run, run_kind = None, None
                continue
            if run_kind != "row":
                run, run_kind = i, "row"
            units.append(Unit(len(units), row_prose(header, cells), "row", section, run, line, i))
            continue
        header = None
        if is_inline_heading(line, nxt):
            if "=" in line and states_formula(line):  # "OEE = 가동률 × 성능효율 × 양품률" titles its terms and says the rule
                units.append(Unit(len(units), heading_text(line), "sentence", section, None, line, i))
            section, run, run_kind = heading_text(line), None, None
            continue
        if faq := _FAQ_QUESTION.match(line):
            # the question stays a unit (it lends its match to the answer's first line) and titles
            # the answer below it, every sentence of which answers it
            units.append(Unit(len(units), faq.group(1), "sentence", section, None, line, i))
            section, run, run_kind = faq.group(1), None, None
            continue
        kind = marker_kind(line)
        if kind is not None and _FAQ_ANSWER.match(line):
            kind = None
        if kind is None:
            if run_kind is not None:
                section = None  # a paragraph after the list an inline heading named is no longer under it
            run, run_kind = None, None
        elif run_kind is None or (kind != run_kind and kind != "dash"):
            run, run_kind = i, kind  # a new list (a deeper "-" item does not end its parent's)
        if kind != "dash":
            step = None
        names_step = kind not in (None, "dash") and titles_steps(line, nxt)
        parts = sentences[i] if i < len(sentences) else [line]
        label = ""
        for j, sentence in enumerate(parts):
            clean = without_file_refs(strip_markers(sentence) if j == 0 else sentence)
            if not clean:
                continue  # it only pointed to a file the owner cannot open
            if kind is not None and j == 0 and (named := _ITEM_LABEL.match(clean)):
                label = named.group(1).strip()  # "- A 품목: 상위 70~80%. 주 단위로 관리": both are about A 품목
            is_item = kind is not None and (kind == run_kind or run_kind is None)
            units.append(Unit(len(units), clean, "item" if is_item else "sentence", section,
                              run if is_item else None, line, i, label if j else "",
                              step if kind == "dash" and step else "", names_step))
        if names_step:
            step = heading_text(line)
    return units


def titles_steps(line: str, next_line: str | None) -> bool:
    """A short numbered item with no sentence of its own over deeper "-" items ("2) 신청 (마감까지)"
    over "- 온라인 시스템에 신청서 … 올립니다."): it names the step its items say."""
    return (next_line is not None and marker_kind(next_line) == "dash" and len(strip_markers(line)) <= 30
            and not _SENTENCE_END.search(line))
