"""The guard on generated text: every sentence cites a source, and every number in it
appears in a source it cites."""

from __future__ import annotations

import re

CITATION = re.compile(r"\[(\d{1,2})\]")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=다\.)|\n+")


def numbers(text: str) -> set[str]:
    """Numbers in a text, normalised: thousands separators removed, '.0' dropped."""
    out = set()
    for raw in _NUMBER.findall(CITATION.sub(" ", text)):
        value = raw.replace(",", "").rstrip(".")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        if value:
            out.add(value)
    return out


def check_sentence(sentence: str, sources: dict[int, str]) -> str | None:
    """None when the sentence passes; otherwise why it fails (for the record, in English)."""
    cited = [int(n) for n in CITATION.findall(sentence)]
    if not cited:
        return "sentence without citation"
    unknown = [n for n in cited if n not in sources]
    if unknown:
        return f"citation to a source that was not retrieved: {unknown}"
    available = set().union(*(numbers(sources[n]) for n in cited))
    invented = sorted(numbers(sentence) - available)
    if invented:
        return f"numbers not found in the cited sources: {', '.join(invented)}"
    return None


def split_complete(buffer: str) -> tuple[list[str], str]:
    """Complete sentences in a streaming buffer (ending in . ! ? or a line break, and any
    trailing citations), and the unfinished rest."""
    sentences: list[str] = []
    pattern = re.compile(r"(.+?(?:[.!?。](?:\s*\[\d{1,2}\])*|\n))(?=\s|$)", re.S)
    pos = 0
    for m in pattern.finditer(buffer):
        end = m.end()
        if end >= len(buffer):
            break  # it may still get a citation or more text; wait for more
        text = m.group(1).strip()
        if text:
            sentences.append(text)
        pos = end
    return sentences, buffer[pos:]
