"""Catalog Service errors.

AEP documents no Catalog error body (aep-api.md §4.8, §11 #1). The emulator answers in the platform
style that other AEP services use and that clients such as aepp already read (a numeric ``status``)::

    {"type": "http://ns.adobe.com/aep/errors/CAT-1005-400", "title": "Schema not found",
     "status": 400, "detail": "..."}

The ``CAT-<code>-<status>`` codes are the emulator's own; clients should key on the HTTP status.
"""

from __future__ import annotations

from ..core.errors import SANDBOX_MISSING_DETAIL, PlatformStyleError, ServiceProblem, sandbox_not_found_detail


class CatalogProblem(ServiceProblem):
    """(code, HTTP status, title) of every error the emulated Catalog answers."""

    MALFORMED_BODY = ("1001", 400, "Malformed request body")
    INVALID_FIELD = ("1002", 400, "Invalid field value")
    UNKNOWN_FIELD = ("1003", 400, "Unknown field")
    READ_ONLY_FIELD = ("1004", 400, "Read-only field")
    EXPANDABLE_FIELD = ("1005", 400, "Expandable field cannot be modified")
    SCHEMA_NOT_FOUND = ("1006", 400, "Schema not found")
    PROFILE_SCHEMA_INVALID = ("1007", 400, "Invalid schema for Profile")
    INVALID_PATCH = ("1008", 400, "Invalid JSON Patch")
    INVALID_PARAMETER = ("1009", 400, "Invalid query parameter")
    SANDBOX_MISSING = ("1010", 400, "Sandbox header missing")
    SANDBOX_NOT_FOUND = ("1011", 404, "Sandbox not found")
    NOT_FOUND = ("1012", 404, "Not found")
    VERSION_MISMATCH = ("1013", 412, "Precondition failed")


class CatalogError(PlatformStyleError):
    """One Catalog error answer in the platform-style envelope."""

    prefix = "CAT"


def malformed(detail: str) -> CatalogError:
    return CatalogError(CatalogProblem.MALFORMED_BODY, detail)


def invalid_parameter(detail: str) -> CatalogError:
    return CatalogError(CatalogProblem.INVALID_PARAMETER, detail)


def sandbox_missing() -> CatalogError:
    return CatalogError(CatalogProblem.SANDBOX_MISSING, SANDBOX_MISSING_DETAIL)


def sandbox_not_found(name: str) -> CatalogError:
    return CatalogError(CatalogProblem.SANDBOX_NOT_FOUND, sandbox_not_found_detail(name))


def not_found(collection: str, object_id: str) -> CatalogError:
    return CatalogError(CatalogProblem.NOT_FOUND, f"No {collection} object with id '{object_id}' was found")
