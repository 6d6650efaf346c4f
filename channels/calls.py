"""Calling the assistant service from async channel code without blocking the event loop."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

AssistantRef = Callable[[], Any]  # returns the assistant service (it may be built after mounting)


async def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Await `fn` if it is a coroutine function, else run it in a worker thread."""
    if inspect.iscoroutinefunction(fn):
        return await fn(*args, **kwargs)
    return await asyncio.to_thread(fn, *args, **kwargs)


def field(obj: Any, name: str, default: Any = None) -> Any:
    """`obj.name` or `obj[name]`: the service returns pydantic views, deliveries carry dicts."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def as_ref(assistant: Any) -> AssistantRef:
    """A callable returning the service, from the service itself or such a callable."""
    if hasattr(assistant, "aask"):
        return lambda: assistant
    if not callable(assistant):
        raise TypeError("assistant must be the service or a callable returning it")
    return assistant
