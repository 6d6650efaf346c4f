"""The real ASGI app for channel end-to-end tests: the web app with Slack and Kakao mounted,
an assistant on the shipped knowledge with its own database, and helpers to sign Slack
requests and to create staff users."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from slack_sdk.signature import SignatureVerifier

from assistant.experts.staff import create_user
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.stores import Stores
from channels.runtime import build_assistant
from tests.conftest import make_settings

SIGNING_SECRET = "test-signing-secret-0123456789"
KAKAO_SECRET = "kakao-skill-secret-0123456789"


def channel_settings(data_dir: Path, **overrides: Any) -> Settings:
    base: dict[str, Any] = {
        "slack_signing_secret": SIGNING_SECRET,
        "slack_expert_channel": "CEXPERTS",
        "kakao_skill_secret": KAKAO_SECRET,
        "outbox_poll_interval_s": 0.1,
        "outbox_backoff_base_s": 0.1,
    }
    base.update(overrides)
    return make_settings(data_dir, **base)


def build_app(settings: Settings, assistant: Assistant) -> FastAPI:
    """The web app (which mounts the channels); mounted here if it does not yet."""
    from channels.web.app import create_app

    app = create_app(settings, assistant=assistant)
    paths = {getattr(r, "path", None) for r in app.routes}
    if "/slack/events" not in paths:
        from channels.slack.http import mount as mount_slack

        mount_slack(app, settings, assistant)
    if "/kakao/skill" not in paths:
        from channels.kakao.skill import mount as mount_kakao

        mount_kakao(app, settings, assistant)
    return app


@contextmanager
def assistant_for(settings: Settings, stores: Stores) -> Iterator[Assistant]:
    """An assistant on the shipped knowledge with a database of its own."""
    assistant = build_assistant(settings, stores=stores)
    try:
        yield assistant
    finally:
        if assistant.db is not None:
            assistant.db.dispose()


def add_staff(assistant: Assistant, *, name: str, role: str = "expert", slack: str | None = None) -> str:
    assert assistant.db is not None
    with assistant.db.session_scope() as s:
        handles = {"slack": slack} if slack else {}
        user = create_user(s, name=name, role=role, handles=handles, expertise=["일반"])
        return user.id


def signed_headers(body: str, *, content_type: str, secret: str = SIGNING_SECRET,
                   timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, "Content-Type": content_type}


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps({
        "token": "unused", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()), "event": event,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }, ensure_ascii=False)


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})
