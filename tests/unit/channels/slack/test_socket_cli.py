"""Socket Mode from the same app definition, and the `slack` command's guard rails."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.errors import FMError
from channels.cli import _register, app
from channels.runtime import Runtime
from channels.slack.delivery import SlackSender
from channels.slack.socket import socket_handler
from tests.conftest import make_settings

_register()
runner = CliRunner()


class _Service:
    async def aask(self, question: object) -> None:  # never called: nothing connects
        raise AssertionError


async def test_socket_handler_wraps_the_same_app_and_shares_the_senders_deps(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, slack_bot_token="xoxb-1", slack_app_token="xapp-1",
                             slack_api_url="http://127.0.0.1:9/api/")
    runtime = Runtime(settings)
    deps = runtime.slack_deps()
    handler = socket_handler(settings, _Service, deps=deps)
    senders = runtime.senders(slack=deps)  # what `slack --socket` hands its background loop
    sender = senders.get("slack")
    assert isinstance(sender, SlackSender) and sender.deps is deps and handler.app.client is deps.client
    assert handler.app.client.base_url == "http://127.0.0.1:9/api/"
    assert handler.client.web_client.base_url == "http://127.0.0.1:9/api/"
    assert handler.client.app_token == "xapp-1"
    listeners = {str(listener.matchers[0]) for listener in handler.app._async_listeners}
    assert listeners  # the mention, message, button and modal listeners
    await handler.close_async()
    runtime.close()


def test_socket_handler_needs_both_tokens(tmp_path: Path) -> None:
    with pytest.raises(FMError, match="slack_not_configured"):
        socket_handler(make_settings(tmp_path, slack_bot_token="xoxb-1"), _Service())


def test_cli_slack_without_socket_points_to_serve_and_needs_tokens(tmp_path: Path) -> None:
    hint = runner.invoke(app, ["slack", "--data-dir", str(tmp_path)])
    assert hint.exit_code == 2 and "/slack/events" in hint.output
    missing = runner.invoke(app, ["slack", "--socket", "--data-dir", str(tmp_path)],
                            env={"FM_SLACK_BOT_TOKEN": "", "FM_SLACK_APP_TOKEN": ""})
    assert missing.exit_code == 1 and "FM_SLACK_APP_TOKEN" in missing.output
