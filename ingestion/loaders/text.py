"""Plain text (.txt): UTF-8 or Korean legacy encodings, optional YAML front matter."""

from __future__ import annotations

from ingestion.documents import Block
from ingestion.loaders.base import Extracted, tidy_text
from ingestion.loaders.budget import Budget
from ingestion.loaders.encoding import decode_text
from ingestion.loaders.frontmatter import split_front_matter


def extract(data: bytes, name: str, budget: Budget) -> Extracted:
    decoded = decode_text(data, name)
    budget.expect_chars(len(decoded))
    front, body = split_front_matter(decoded, name, strict=False, budget=budget)
    text = tidy_text(body)
    budget.chars(len(text))
    return Extracted([Block(text=text)] if text else [], front)
