"""The web channel: HTTP API (FastAPI), the owners' chat page and the staff console."""
