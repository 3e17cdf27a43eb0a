"""Typed AEP errors. A handler raises one; ``app.py`` renders it in one place.

Every service has its own envelope on the platform, so each service defines a subclass in its own
``exceptions.py`` that builds ``body``; handlers never build an error body by hand.
"""

from __future__ import annotations

from enum import Enum
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


class ServiceProblem(Enum):
    """Base of a service's table of errors on the generic problem shape: each member's value is
    (HTTP status, title). AEP documents no error code for these services, so the table has none."""

    @property
    def status(self) -> int:
        return self.value[0]

    @property
    def title(self) -> str:
        return self.value[1]


class ServiceProblemError(ProblemError):
    """One answer from a service's table of errors, in the generic problem shape."""

    def __init__(self, problem: ServiceProblem, detail: str) -> None:
        self.problem = problem
        super().__init__(problem.status, problem.title, detail)


# The details of a missing or unknown sandbox for every service on a table of ServiceProblem: AEP
# documents none, so the emulator words them once and those services answer alike.
SANDBOX_MISSING_DETAIL = "The header x-sandbox-name is missing in the request"


def sandbox_not_found_detail(name: str) -> str:
    return f"Sandbox '{name}' does not exist in this organization"
