"""Flow Service errors in the platform's FLOW envelope (aep-api.md §5.12).

    {"type": "https://ns.adobe.com/aep/errors/FLOW-1439-404", "title": "...", "status": 404,
     "report": {"detailed-message": "...", "id": "...", "request-id": "...", "type": "flows"},
     "errorMessage": "...", "errorDetails": "..."}

``errorMessage``/``errorDetails`` repeat the detailed message: older clients read those (aep-api §1.4).
Handlers raise ``FlowError`` (or one of the factories below); ``app.py`` renders it.
"""

from __future__ import annotations

import uuid

import flask

from ..core.errors import AEPError

TYPE_PREFIX = "https://ns.adobe.com/aep/errors/FLOW-"

# Titles as the Flow Service and sources error catalogues name them; any other code is "Invalid request".
_TITLES: dict[int, str] = {
    1101: "Resource not found",
    1102: "Internal Error",
    1103: "Service Unavailable",
    1403: "Header is missing",
    1404: "Version not matching",
    1439: "Resource not found",
    2100: "Sandbox not found",
    2105: "Header is missing",
}
# The sources catalogue (13xx codes) titles everything "Bad Request".
_SOURCES_CODES = range(1300, 1400)


def _request_id() -> str:
    ctx = getattr(flask.g, "aep", None)
    return ctx.request_id if ctx is not None else str(uuid.uuid4())


class FlowError(AEPError):
    """One Flow Service error: ``FLOW-<code>-<status>`` with the detailed message a reader can act on."""

    def __init__(
        self,
        code: int,
        message: str,
        status: int = 400,
        *,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> None:
        report: dict[str, str] = {"detailed-message": message}
        if resource_id is not None:
            report["id"] = resource_id
        report["request-id"] = _request_id()
        if resource_type is not None:
            report["type"] = resource_type
        body = {
            "type": f"{TYPE_PREFIX}{code}-{status}",
            "title": _title(code),
            "status": status,
            "report": report,
            "errorMessage": message,
            "errorDetails": message,
        }
        super().__init__(status, body)
        self.code = code


def _title(code: int) -> str:
    if code in _TITLES:
        return _TITLES[code]
    return "Bad Request" if code in _SOURCES_CODES else "Invalid request"


def invalid(message: str) -> FlowError:
    """Generic 400 (malformed JSON, wrong types, bad references): ``FLOW-1100-400``."""
    return FlowError(1100, message)


def bad_query_parameter(message: str) -> FlowError:
    return FlowError(1451, message)


def not_found(resource_type: str, resource_id: str) -> FlowError:
    """404 for an unknown id. Flows answer 1439 (aep-api §5.12 example); other resources 1101."""
    code = 1439 if resource_type == "flows" else 1101
    message = (
        f"The requested {resource_type} resource {resource_id} is not found. "
        "Verify the resource ID before trying again."
    )
    return FlowError(code, message, 404, resource_type=resource_type, resource_id=resource_id)


def sandbox_header_missing() -> FlowError:
    return FlowError(2105, "The header x-sandbox-name is missing in the request. Add the header and try again.")


def sandbox_not_found(name: str) -> FlowError:
    return FlowError(
        2100,
        f"The sandbox with the name '{name}' could not be found. Check the sandbox name and try again.",
        404,
    )
