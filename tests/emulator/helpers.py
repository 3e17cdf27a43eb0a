"""Helpers that several service test modules share."""

from __future__ import annotations

import re
from typing import Any

import requests

from aep_emulator.testing import EmulatorHandle


def assert_platform_error(
    answer: requests.Response, prefix: str, status: int, title: str | None = None
) -> dict[str, Any]:
    """The platform-style error envelope (``core.errors.PlatformStyleError``): a type URI
    ``<prefix>-<code>-<status>``, a numeric status, a title and a detail, nothing else."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"type", "title", "status", "detail"}
    assert re.fullmatch(rf"http://ns\.adobe\.com/aep/errors/{prefix}-\d{{4}}-{status}", body["type"])
    assert body["status"] == status
    if title is not None:
        assert body["title"] == title
    return body


def in_app(emu: EmulatorHandle, function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a backend function as another service would, inside the emulator's application context."""
    with emu.server.app.app_context():
        return function(*args, **kwargs)
