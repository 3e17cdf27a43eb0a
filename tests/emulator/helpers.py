"""Helpers that several service test modules share."""

from __future__ import annotations

import re
import time
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


FLOWS_PATH = "/data/foundation/flowservice/flows"


def wait_until_settled(emu: EmulatorHandle, flow_id: str, sandbox: str = "prod", timeout: float = 10.0) -> dict[str, Any]:
    """Poll a flow until its last operation completed (a client must before the next write); returns it."""
    deadline = time.monotonic() + timeout
    while True:
        flow = emu.request("GET", f"{FLOWS_PATH}/{flow_id}", sandbox=sandbox).json()["items"][0]
        if flow["lastOperation"]["status"]["value"] == "completed" or time.monotonic() > deadline:
            return flow
        time.sleep(0.02)
