"""Plain text (.txt): UTF-8 or Korean legacy encodings, optional YAML front matter."""

from __future__ import annotations

from ingestion.documents import Block
from ingestion.loaders.base import Extracted, tidy_text
from ingestion.loaders.encoding import decode_text
from ingestion.loaders.frontmatter import split_front_matter


def extract(data: bytes, name: str) -> Extracted:
    front, body = split_front_matter(decode_text(data, name), name, strict=False)
    text = tidy_text(body)
    return Extracted([Block(text=text)] if text else [], front)
