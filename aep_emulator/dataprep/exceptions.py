"""Data Prep errors.

AEP documents no Data Prep error body (aep-api.md §6.7, §11 #2). The emulator answers in the platform
style, with Data Prep's documented error prefix ``DPMAP``::

    {"type": "http://ns.adobe.com/aep/errors/DPMAP-2003-400", "title": "Invalid mapping set",
     "status": 400, "detail": "..."}

The numeric codes are the emulator's own; clients should key on the HTTP status.
"""

from __future__ import annotations

from ..core.errors import SANDBOX_MISSING_DETAIL, PlatformStyleError, ServiceProblem, sandbox_not_found_detail


class DataPrepProblem(ServiceProblem):
    """(code, HTTP status, title) of every error the emulated Data Prep answers."""

    MALFORMED_BODY = ("2001", 400, "Malformed request body")
    INVALID_MAPPING_SET = ("2002", 400, "Invalid mapping set")
    SCHEMA_NOT_FOUND = ("2003", 400, "Schema not found")
    INVALID_PARAMETER = ("2004", 400, "Invalid query parameter")
    SANDBOX_MISSING = ("2005", 400, "Sandbox header missing")
    SANDBOX_NOT_FOUND = ("2006", 404, "Sandbox not found")
    NOT_FOUND = ("2007", 404, "Not found")


class DataPrepError(PlatformStyleError):
    """One Data Prep error answer in the platform-style envelope."""

    prefix = "DPMAP"


def malformed(detail: str) -> DataPrepError:
    return DataPrepError(DataPrepProblem.MALFORMED_BODY, detail)


def invalid_mapping_set(detail: str) -> DataPrepError:
    return DataPrepError(DataPrepProblem.INVALID_MAPPING_SET, detail)


def invalid_parameter(detail: str) -> DataPrepError:
    return DataPrepError(DataPrepProblem.INVALID_PARAMETER, detail)


def sandbox_missing() -> DataPrepError:
    return DataPrepError(DataPrepProblem.SANDBOX_MISSING, SANDBOX_MISSING_DETAIL)


def sandbox_not_found(name: str) -> DataPrepError:
    return DataPrepError(DataPrepProblem.SANDBOX_NOT_FOUND, sandbox_not_found_detail(name))


def not_found(what: str) -> DataPrepError:
    return DataPrepError(DataPrepProblem.NOT_FOUND, f"{what} was not found")
