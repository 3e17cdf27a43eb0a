"""Data Prep errors: a generic body, because AEP documents none.

Neither the Data Prep spec (its 400/401/500 responses have no body schema) nor
help/data-prep/api/mapping-set.md nor help/data-prep/troubleshooting-guide.md shows an error body or
a Data Prep error code. So the emulator invents no code: it answers the generic "problem" shape the
platform's gateway documents for a bad Content-Type (help/landing/troubleshooting.md)::

    {"type": "/placeholder/type/uri", "status": 400, "title": "Invalid mapping set", "detail": "..."}

The titles tell the cases apart for a reader; clients should key on the HTTP status.
"""

from __future__ import annotations

from ..core.errors import SANDBOX_MISSING_DETAIL, ServiceProblem, ServiceProblemError, sandbox_not_found_detail


class DataPrepProblem(ServiceProblem):
    """(HTTP status, title) of every error the emulated Data Prep answers."""

    MALFORMED_BODY = (400, "Malformed request body")
    INVALID_MAPPING_SET = (400, "Invalid mapping set")
    INVALID_EXPRESSION = (400, "Invalid expression")
    SCHEMA_NOT_FOUND = (400, "Schema not found")
    INVALID_PARAMETER = (400, "Invalid query parameter")
    SANDBOX_MISSING = (400, "Sandbox header missing")
    SANDBOX_NOT_FOUND = (404, "Sandbox not found")
    NOT_FOUND = (404, "Not found")
    METHOD_NOT_SUPPORTED = (405, "Method not allowed")


class DataPrepError(ServiceProblemError):
    """One Data Prep error answer in the generic envelope."""

    problem: DataPrepProblem


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


def delete_not_supported() -> DataPrepError:
    return DataPrepError(
        DataPrepProblem.METHOD_NOT_SUPPORTED, "Mapping sets cannot be deleted (Data Prep documents no DELETE)"
    )


def invalid_expression(detail: str) -> DataPrepError:
    # data-prep.yaml documents 400 "Invalid expression error" for POST /languages/el/validate.
    return DataPrepError(DataPrepProblem.INVALID_EXPRESSION, detail)
