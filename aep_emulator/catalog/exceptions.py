"""Catalog Service errors: a generic body, because AEP documents none.

The Catalog spec declares its 400/403/404/500 answers with no body schema, and no Catalog page
(help/catalog/api/*.md, the appendix's If-Match section with its 412) shows an error body or a
Catalog error code. So the emulator invents no code: it answers the generic "problem" shape the
platform's gateway documents for a bad Content-Type (help/landing/troubleshooting.md)::

    {"type": "/placeholder/type/uri", "status": 400, "title": "Schema not found", "detail": "..."}

The titles tell the cases apart for a reader; clients key on the HTTP status (412 for a stale
``If-Match``, help/catalog/api/appendix.md).
"""

from __future__ import annotations

from ..core.errors import SANDBOX_MISSING_DETAIL, ServiceProblem, ServiceProblemError, sandbox_not_found_detail


class CatalogProblem(ServiceProblem):
    """(HTTP status, title) of every error the emulated Catalog answers."""

    MALFORMED_BODY = (400, "Malformed request body")
    INVALID_FIELD = (400, "Invalid field value")
    UNKNOWN_FIELD = (400, "Unknown field")
    READ_ONLY_FIELD = (400, "Read-only field")
    EXPANDABLE_FIELD = (400, "Expandable field cannot be modified")
    SCHEMA_NOT_FOUND = (400, "Schema not found")
    PROFILE_SCHEMA_INVALID = (400, "Invalid schema for Profile")
    INVALID_PATCH = (400, "Invalid JSON Patch")
    INVALID_PARAMETER = (400, "Invalid query parameter")
    SANDBOX_MISSING = (400, "Sandbox header missing")
    SANDBOX_NOT_FOUND = (404, "Sandbox not found")
    NOT_FOUND = (404, "Not found")
    VERSION_MISMATCH = (412, "Precondition failed")


class CatalogError(ServiceProblemError):
    """One Catalog error answer in the generic envelope."""

    problem: CatalogProblem


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
