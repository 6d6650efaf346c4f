"""What `serve` says at start-up, and what unconfigured channel routes answer.

`startup_summary(settings)` lists which channels are on (web, Slack over HTTP, KakaoTalk),
which LLM (if any) and which stores, plus warnings about half-configured channels.
`answer_unconfigured(app, settings)` gives `/slack/events` and `/kakao/skill` a clear 503 with
a Korean message when their channel is not configured, instead of a bare 404.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from assistant.settings import Settings
from channels.runtime import catalog_label, database_label

logger = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
KAKAO_PATH = "/kakao/skill"
NOT_CONFIGURED = {
    SLACK_PATH: ("slack_not_configured", "Slack 연동이 설정되지 않았습니다. 관리자가 FM_SLACK_BOT_TOKEN과 "
                 "FM_SLACK_SIGNING_SECRET을 설정해야 합니다."),
    KAKAO_PATH: ("kakao_not_configured", "카카오톡 채널 연동이 설정되지 않았습니다. 관리자가 "
                 "FM_KAKAO_SKILL_SECRET을 설정해야 합니다."),
}


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _set(value: Any) -> bool:
    return value is not None and bool(value.get_secret_value() if hasattr(value, "get_secret_value") else value)


def slack_http_on(settings: Settings) -> bool:
    return _set(settings.slack_bot_token) and _set(settings.slack_signing_secret)


def kakao_on(settings: Settings) -> bool:
    return _set(settings.kakao_skill_secret)


def _channel_warnings(settings: Settings) -> list[str]:
    bot, signing, app_token = (_set(settings.slack_bot_token), _set(settings.slack_signing_secret),
                               _set(settings.slack_app_token))
    warnings = []
    if signing and not bot:
        warnings.append("Slack: FM_SLACK_SIGNING_SECRET is set but FM_SLACK_BOT_TOKEN is not; Slack is off")
    if bot and not signing and not app_token:
        warnings.append("Slack: FM_SLACK_BOT_TOKEN is set but neither FM_SLACK_SIGNING_SECRET (HTTP) nor "
                        "FM_SLACK_APP_TOKEN (Socket Mode); Slack is off")
    if app_token and not bot:
        warnings.append("Slack: FM_SLACK_APP_TOKEN is set but FM_SLACK_BOT_TOKEN is not; Socket Mode cannot start")
    if bot and not settings.slack_expert_channel:
        warnings.append("Slack: no FM_SLACK_EXPERT_CHANNEL; new tickets are not posted to experts in Slack")
    if kakao_on(settings) and any(not h.endswith("kakao.com") for h in settings.kakao_callback_hosts):
        warnings.append("KakaoTalk: callback hosts outside kakao.com are allowed: "
                        + ", ".join(settings.kakao_callback_hosts))
    if bool(settings.llm_base_url) != bool(settings.llm_model):
        warnings.append("LLM: set both FM_LLM_BASE_URL and FM_LLM_MODEL; answers stay extractive")
    return warnings


def startup_summary(settings: Settings) -> Summary:
    """Channels, LLM and stores this configuration serves, and what is half-configured."""
    slack = "on (HTTP " + SLACK_PATH + ")" if slack_http_on(settings) else "off"
    if _set(settings.slack_app_token) and _set(settings.slack_bot_token):
        slack += "; Socket Mode available (factory-mentor slack)"
    kakao = f"on ({KAKAO_PATH})" if kakao_on(settings) else "off"
    llm = f"{settings.llm_model} at {settings.llm_base_url}" if settings.llm_enabled else "none (extractive answers)"
    vectors = f"Chroma server {settings.chroma_url}" if settings.chroma_url else f"embedded Chroma ({settings.chroma_path})"
    db = database_label(settings)
    lines = [
        f"channels: web on (/, /console, /docs); Slack {slack}; KakaoTalk {kakao}",
        f"LLM: {llm}",
        f"stores: {vectors}; catalog and keyword index in {catalog_label(settings)}; database {db}",
        f"embeddings: {settings.embedding_model}",
    ]
    return Summary(lines, _channel_warnings(settings))


def log_summary(settings: Settings) -> Summary:
    """Log it (`serve` also prints it): the lines at debug level, the warnings as warnings."""
    summary = startup_summary(settings)
    for line in summary.lines:
        logger.debug("%s", line)
    for warning in summary.warnings:
        logger.warning("%s", warning)
    return summary


def answer_unconfigured(app: FastAPI, settings: Settings) -> None:
    """503 with a Korean message on the routes of channels that are not configured."""
    mounted = {getattr(route, "path", None) for route in app.routes}
    for path, (code, message) in NOT_CONFIGURED.items():
        if path not in mounted:
            app.add_api_route(path, _unconfigured(code, message), methods=["POST"], include_in_schema=False)


def _unconfigured(code: str, message: str) -> Any:
    async def unconfigured() -> JSONResponse:
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=503)

    return unconfigured
