"""Slack channel: slack-bolt over HTTP (`/slack/events`) or Socket Mode, plus the outbox sender."""
