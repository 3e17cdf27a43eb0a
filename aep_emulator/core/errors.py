"""Typed AEP errors. A handler raises one; ``app.py`` renders it in one place.

Every service has its own envelope on the platform, so each service defines a subclass in its own
``exceptions.py`` that builds ``body``; handlers never build an error body by hand.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, ClassVar


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


class ServiceProblem(Enum):
    """Base of a service's table of errors: each member's value is (code, HTTP status, title)."""

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def status(self) -> int:
        return self.value[1]

    @property
    def title(self) -> str:
        return self.value[2]


class PlatformStyleError(AEPError):
    """The platform-style envelope ``{type, title, status, detail}`` used where a service documents no
    body of its own; ``type`` is ``http://ns.adobe.com/aep/errors/<PREFIX>-<code>-<status>``."""

    prefix: ClassVar[str]

    def __init__(self, problem: ServiceProblem, detail: str) -> None:
        self.problem = problem
        super().__init__(
            problem.status,
            {
                "type": f"http://ns.adobe.com/aep/errors/{self.prefix}-{problem.code}-{problem.status}",
                "title": problem.title,
                "status": problem.status,
                "detail": detail,
            },
        )


# The details of a missing or unknown sandbox for every service on the platform-style envelope: AEP
# documents none, so the emulator words them once and those services answer alike.
SANDBOX_MISSING_DETAIL = "The header x-sandbox-name is missing in the request"


def sandbox_not_found_detail(name: str) -> str:
    return f"Sandbox '{name}' does not exist in this organization"
