"""Sandbox Management and sandbox tooling errors.

The only error bodies Adobe documents for Sandbox Management are the four reset refusals of
``help/sandboxes/api/sandboxes.md`` ("Reset a sandbox")::

    {"status": 400, "title": "Sandbox `acme` cannot be reset. ...",
     "type": "http://ns.adobe.com/aep/errors/SMS-2074-400"}

Every other refusal (unknown sandbox, duplicate name, a bad body, deleting the default production
sandbox, any sandbox tooling refusal) has no documented code: the emulator answers the same envelope
with ``status`` and ``title`` only and no ``type``, so no client can key on an invented code.
The four documented refusals are never answered: they concern Adobe Analytics and Audience Manager
data, which the emulator does not hold.
"""

from __future__ import annotations

from ..core.errors import SANDBOX_MISSING_DETAIL, AEPError


class SandboxError(AEPError):
    """A Sandbox Management (or tooling) refusal: the SMS envelope without a ``type`` (no documented code)."""

    def __init__(self, status: int, title: str) -> None:
        super().__init__(status, {"status": status, "title": title})


def bad_request(title: str) -> SandboxError:
    return SandboxError(400, title)


def not_found(title: str) -> SandboxError:
    return SandboxError(404, title)


def conflict(title: str) -> SandboxError:
    return SandboxError(409, title)


def sandbox_missing() -> SandboxError:
    return bad_request(SANDBOX_MISSING_DETAIL)


def sandbox_not_found(name: str) -> SandboxError:
    return not_found(f"Sandbox '{name}' does not exist in this organization or is not active")
