"""Korean-aware splitting: whole sentences (Kiwi) packed into chunks, headings carried along."""

from __future__ import annotations

import hashlib
from typing import Any

from langchain_text_splitters import RecursiveCharacterTextSplitter, TextSplitter

from assistant.answers.prose import is_inline_heading, is_table_row, section_before
from assistant.korean import normalize, sentences_by_line
from assistant.stores.catalog import Chunk
from ingestion.documents import LoadedDocument


class KoreanSentenceSplitter(TextSplitter):
    """Packs Kiwi sentences into chunks of at most `chunk_size` characters.

    Chunks never cut a sentence; the overlap is whole trailing sentences of the previous
    chunk (up to `chunk_overlap` characters). A single sentence longer than a chunk is cut
    by LangChain's recursive splitter. Line breaks inside the text are kept.
    """

    def __init__(self, chunk_size: int = 500, chunk_overlap: int = 100):
        super().__init__(chunk_size=chunk_size, chunk_overlap=chunk_overlap, strip_whitespace=False)
        self._long = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size // 4),
            separators=["\n", ". ", ", ", " ", ""],
        )

    def split_text(self, text: str) -> list[str]:
        pieces: list[str] = []
        for sentences in sentences_by_line(text):
            for i, sentence in enumerate(sentences):
                end = "\n" if i == len(sentences) - 1 else " "
                if len(sentence) > self._chunk_size:
                    parts = self._long.split_text(sentence)
                    pieces.extend(p + " " for p in parts[:-1])
                    pieces.append(parts[-1] + end)
                else:
                    pieces.append(sentence + end)
        chunks = self._merge_splits(pieces, "")
        return [c.strip() for c in chunks if c.strip()]


def chunk_id(source: str, ord_: int, text: str) -> str:
    """Stable id: the same source, position and text always give the same id."""
    digest = hashlib.sha1(f"{source}\x00{ord_}\x00{text}".encode()).hexdigest()
    return digest[:24]


def _scalar_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):
            value = ",".join(str(v) for v in value)
        elif not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[key] = value
    return out


def split_document(doc: LoadedDocument, splitter: KoreanSentenceSplitter) -> list[Chunk]:
    """A loaded document as chunks (terms are filled in by the pipeline)."""
    meta = _scalar_metadata(doc.metadata)
    kind = str(meta.get("kind") or doc.kind)
    chunks: list[Chunk] = []
    for block in doc.blocks:
        text = normalize(block.text.replace("\r\n", "\n")) if "\n" not in block.text else "\n".join(
            normalize(line) for line in block.text.replace("\r\n", "\n").split("\n") if line.strip()
        )
        if not text:
            continue
        pieces = splitter.split_text(text)
        for piece, carried in zip(pieces, _carried_context(text, pieces), strict=True):
            ord_ = len(chunks)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id(doc.source, ord_, piece),
                    source=doc.source,
                    title=doc.title,
                    kind=kind,
                    text=piece,
                    heading=block.heading,
                    page=block.page,
                    ord=ord_,
                    metadata={**meta, **carried},
                )
            )
    return chunks


def _carried_context(text: str, pieces: list[str]) -> list[dict[str, str]]:
    """For each chunk, what is in force where it starts but is not inside it: the header row
    of a table it starts in the middle of, and the inline section heading ("■ 2. 추가 서류",
    "[자격]") above its first line. Answer composition reads them from the chunk metadata."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    out: list[dict[str, str]] = []
    cursor = 0
    for piece in pieces:
        first = piece.split("\n", 1)[0].strip()
        index = next((i for i in range(cursor, len(lines)) if first and first in lines[i]), None)
        if index is None:
            out.append({})
            continue
        cursor = index
        carried: dict[str, str] = {}
        if is_table_row(lines[index]) and index > 0 and is_table_row(lines[index - 1]):
            start = index
            while start > 0 and is_table_row(lines[start - 1]):
                start -= 1
            carried["table_header"] = lines[start]
        section = section_before(lines, index)
        if section and not is_inline_heading(lines[index], lines[index + 1] if index + 1 < len(lines) else None):
            carried["section"] = section
        out.append(carried)
    return out
