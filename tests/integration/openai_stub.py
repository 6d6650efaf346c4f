"""The local OpenAI-compatible server (tests/fakes/openai_server.py) scripted as a ragas
judge: it answers each judge prompt by the JSON schema the prompt asks for, so ragas' LLM
metrics run against it without any hosted service. Every request is recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.fakes.openai_server import FakeOpenAI, Script


def judge_reply(prompt: str) -> dict[str, Any]:
    """A well-formed answer for the ragas prompt, chosen by the output schema's title."""
    if '"title": "NLIStatementOutput"' in prompt:
        return {"statements": [{"statement": "지원 비율은 50%입니다.", "reason": "출처에 있습니다.", "verdict": 1}]}
    if '"title": "StatementGeneratorOutput"' in prompt:
        return {"statements": ["지원 비율은 50%입니다."]}
    if '"title": "ResponseRelevanceOutput"' in prompt:
        return {"question": "스마트공장 지원 비율은 얼마인가요?", "noncommittal": 0}
    if '"title": "Verification"' in prompt:
        return {"reason": "답에 쓰인 내용이 이 출처에 있습니다.", "verdict": 1}
    return {"text": "알 수 없는 요청"}


@contextmanager
def openai_stub() -> Iterator[tuple[str, Script]]:
    """(base_url ending in /v1, the script with its recorded requests) while the server runs."""
    script = Script(reply=lambda prompt: json.dumps(judge_reply(prompt), ensure_ascii=False))
    with FakeOpenAI(script) as server:
        yield server.base_url, script
