"""Typed AEP errors. A handler raises one; ``app.py`` renders it in one place.

Every service has its own envelope on the platform, so each service defines a subclass in its own
``exceptions.py`` that builds ``body``; handlers never build an error body by hand.
"""

from __future__ import annotations

from typing import Any


class AEPError(Exception):
    """An error answer: HTTP status, JSON body and extra headers."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


class GatewayError(AEPError):
    """Adobe I/O gateway refusals (before any service runs): flat ``error_code``/``message`` body."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(status, {"error_code": error_code, "message": message})


class ProblemError(AEPError):
    """The legacy "problem" shape the gateway still uses for a bad Content-Type."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(
            status, {"type": "/placeholder/type/uri", "status": status, "title": title, "detail": detail}
        )
