"""YAML parsed inside a budget: aliases counted, nesting bounded, and the size the document
would have once every alias is expanded computed on the node graph before anything is built
(a 370-byte alias bomb expands to hundreds of millions of items; recursive aliases never end)."""

from __future__ import annotations

from typing import Any

import yaml

from ingestion.loaders.budget import Budget

_MAX_DEPTH = 64


class _BudgetLoader(yaml.SafeLoader):
    def __init__(self, stream: str, budget: Budget):
        super().__init__(stream)
        self.budget = budget
        self.alias_count = 0
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            self.budget.aliases(self.alias_count)
        self.budget.items()
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise self.budget.refuse(
                    f"YAML이 {_MAX_DEPTH}단계보다 깊게 중첩되어", f"YAML nesting deeper than {_MAX_DEPTH}"
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def safe_load(text: str, budget: Budget) -> Any:
    """Like yaml.safe_load, but refuses (BudgetExceeded) what would blow up once expanded."""
    loader = _BudgetLoader(text, budget)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            _expanded_size(node, budget)
        except RecursionError as exc:  # an alias chain nested deeper than the stack
            raise budget.refuse("YAML 별칭이 너무 깊게 이어져", "YAML alias chain too deep") from exc
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(root: yaml.Node, budget: Budget) -> int:
    """Characters the document holds with every alias expanded, without expanding it."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise budget.refuse("YAML 별칭이 자기 자신을 가리켜", "recursive YAML alias")
        active.add(key)
        if isinstance(node, yaml.ScalarNode):
            total = len(node.value) + 1
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        else:
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        if total > budget.limits.max_chars:
            raise budget.refuse(
                f"YAML 별칭을 펼치면 한도({budget.limits.max_chars:,}자)보다 커져",
                f"YAML expands to more than {budget.limits.max_chars} characters",
            )
        sizes[key] = total
        return total

    return size(root)
