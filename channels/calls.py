"""Calling the assistant service from async channel code without blocking the event loop."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from assistant.service import Assistant

AssistantRef = Callable[[], Assistant]  # returns the assistant service (it may be built after mounting)


async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Await `fn` if it is a coroutine function, else run it in a worker thread."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


def plain(obj: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """A pydantic value (as the service returns) or a mapping (as a delivery carries) as a dict."""
    return obj.model_dump() if isinstance(obj, BaseModel) else dict(obj)


def as_ref(assistant: Assistant | AssistantRef) -> AssistantRef:
    """A callable returning the service, from the service itself or such a callable."""
    if isinstance(assistant, Assistant) or not callable(assistant):  # the service (or a stand-in for it)
        return lambda: assistant
    return assistant


def app_assistant(app: FastAPI) -> AssistantRef:
    """The assistant the web app builds in its lifespan, looked up when a request needs it."""

    def ref() -> Assistant:
        assistant: Assistant = app.state.assistant
        return assistant

    return ref
