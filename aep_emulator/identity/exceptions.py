"""Identity Service errors, in the envelope the spec documents for every namespace operation::

    {"timestamp": "2019-05-10T22:24:54.914Z", "type": "http://ns.adobe.com/adobecloud/problem/namespacevalidation",
     "status": 404, "error": "NAMESPACE_NOT_FOUND", "title": "Namespace validation",
     "description": "Namespace id not found for given IMS Org ...", "report": {"code": "NAMESPACE_NOT_FOUND"}}

Codes used are the spec's own (INVALID_REQUEST_PARAMS, NAMESPACE_NOT_FOUND, NAMESPACE_CODE_CONFLICT /
INTEGRATION_CODE_EXISTS). Cases the spec gives no code for (an unknown sandbox, updating a standard
namespace) answer the same envelope without ``error`` and ``report``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ..core.errors import AEPError

PROBLEM_TYPE = "http://ns.adobe.com/adobecloud/problem/namespacevalidation"
VALIDATION = "Namespace validation"
INVALID = "INVALID_REQUEST_PARAMS"


class IdentityError(AEPError):
    def __init__(self, status: int, title: str, description: str, *, error: str | None = None,
                 report_code: str | None = None) -> None:  # fmt: skip
        stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        body: dict[str, object] = {"timestamp": stamp, "type": PROBLEM_TYPE, "status": status}
        if error is not None:
            body["error"] = error
        body.update(title=title, description=description)
        if report_code is not None:
            body["report"] = {"code": report_code}
        super().__init__(status, body)


def invalid_create(description: str) -> IdentityError:
    # The create 400 of the spec carries report.code only.
    return IdentityError(400, VALIDATION, description, report_code=INVALID)


def invalid_update(description: str) -> IdentityError:
    return IdentityError(400, VALIDATION, description, error=INVALID, report_code=INVALID)


def code_conflict() -> IdentityError:
    return IdentityError(409, "NAMESPACE_CODE_CONFLICT", "Namespace code already exists. Please use a different code",
                         report_code="INTEGRATION_CODE_EXISTS")  # fmt: skip


def not_found(org: str) -> IdentityError:
    return IdentityError(404, VALIDATION, f"Namespace id not found for given IMS Org {org}",
                         error="NAMESPACE_NOT_FOUND", report_code="NAMESPACE_NOT_FOUND")  # fmt: skip


def unknown_sandbox(name: str) -> IdentityError:
    return IdentityError(404, VALIDATION, f"Sandbox '{name}' does not exist in this organization or is not active")


def standard_not_editable(code: str) -> IdentityError:
    return IdentityError(400, VALIDATION, f"Namespace {code} is a standard namespace and cannot be updated")
