"""Helpers that several service test modules share."""

from __future__ import annotations

import time
from typing import Any

import requests

from aep_emulator.testing import EmulatorHandle


def assert_problem_error(answer: requests.Response, status: int, title: str | None = None) -> dict[str, Any]:
    """The generic problem body (``core.errors.ProblemError``) of a service whose error body and codes
    AEP does not document: exactly type, status, title and a non-empty detail, with no error code."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body == {"type": "/placeholder/type/uri", "status": status, "title": body["title"], "detail": body["detail"]}
    assert body["detail"] and (title is None or body["title"] == title)
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
