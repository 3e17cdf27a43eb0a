"""Schema Registry errors: one class per answer, all rendered in the XDM envelope.

    {"type": "http://ns.adobe.com/aep/errors/XDM-<code>-<status>", "title": ..., "status": ...,
     "report": {"registryRequestId", "timestamp" (MM-dd-yyyy HH:mm:ss, UTC), "detailed-message",
                "sub-errors": []},
     "detail": ...}

Documented codes keep their documented meaning (Accept 1006-1009, not found 1010-1017, namespaces
1020-1024, merge 1413, title 1521, union 1526-1528). Where AEP's code is not documented the emulator
uses its own codes from 1600 up (see the package docstring for the table).
"""

from __future__ import annotations

import time
import uuid

import flask

from ..core.errors import AEPError

ERROR_TYPE = "http://ns.adobe.com/aep/errors/XDM-{code}-{status}"


def _request_id() -> str:
    ctx = getattr(flask.g, "aep", None) if flask.has_request_context() else None
    return ctx.request_id if ctx is not None else str(uuid.uuid4())


class XDMError(AEPError):
    """Base of every Schema Registry error; subclasses fix code, status and title."""

    code = 1600
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, code: int | None = None) -> None:
        code = code if code is not None else self.code
        super().__init__(
            self.status,
            {
                "type": ERROR_TYPE.format(code=code, status=self.status),
                "title": self.title,
                "status": self.status,
                "report": {
                    "registryRequestId": _request_id(),
                    "timestamp": time.strftime("%m-%d-%Y %H:%M:%S", time.gmtime()),
                    "detailed-message": detail,
                    "sub-errors": [],
                },
                "detail": detail,
            },
        )
        self.code = code
        self.detail = detail


# --- documented codes ----------------------------------------------------------------------------


class AcceptHeaderInvalid(XDMError):
    """1006 list, 1007 lookup without version, 1008 descriptor list, 1009 descriptor lookup."""

    code = 1006
    title = "Accept header invalid"

    def __init__(self, supplied: str, expected: str, *, code: int = 1006) -> None:
        super().__init__(
            f"The supplied Accept header is not valid: {supplied} - A valid Accept value should look like {expected}",
            code=code,
        )


class ResourceNotFound(XDMError):
    """404; the code depends on the kind of resource (see NOT_FOUND_CODES in models)."""

    code = 1017
    status = 404
    title = "Resource not found"


class NamespaceError(XDMError):
    """Custom fields outside the tenant namespace (codes 1020-1024, by cause)."""

    code = 1021
    title = "Namespace validation error"


class MergeConflict(XDMError):
    code = 1413
    title = "Merge Schema Error"


class TitleNotUnique(XDMError):
    code = 1521
    title = "Title not unique"


class UnionIdentityMissing(XDMError):
    code = 1528
    title = "Union descriptor validation error"

    def __init__(self) -> None:
        super().__init__(
            "To participate in a union, a schema must include an identityMap fieldgroup or a primary identity "
            "descriptor."
        )


# --- emulator codes (AEP's own are not documented) -----------------------------------------------


class InvalidRequest(XDMError):
    """Malformed JSON, wrong JSON types, missing or unknown attributes."""

    code = 1600
    title = "Invalid request"


class InvalidPatch(XDMError):
    code = 1601
    title = "Invalid JSON Patch"


class InvalidQuery(XDMError):
    code = 1602
    title = "Invalid query parameter"


class SandboxHeaderMissing(XDMError):
    code = 1603
    title = "Sandbox header missing"

    def __init__(self) -> None:
        super().__init__("The header x-sandbox-name is missing in the request.")


class SandboxNotFound(ResourceNotFound):
    def __init__(self, sandbox: str) -> None:
        super().__init__(f"The sandbox {sandbox} is not found in this organization.", code=1017)


class VersionNotAvailable(XDMError):
    code = 1605
    status = 406
    title = "Requested version not available"


class InvalidComposition(XDMError):
    """A schema's ``allOf``: not exactly one class, or a part that is neither class nor field group."""

    code = 1610
    title = "Invalid schema composition"


class UnresolvedReference(XDMError):
    code = 1611
    title = "Reference not found"


class IncompatibleFieldGroup(XDMError):
    code = 1612
    title = "Field group not compatible with class"


class FieldConflict(XDMError):
    code = 1613
    title = "Conflicting field definition"


class ReadOnlyAttribute(XDMError):
    code = 1614
    title = "Read-only attribute"


class BreakingChange(XDMError):
    code = 1620
    title = "Breaking change not allowed"


class UnionTagIrreversible(XDMError):
    code = 1621
    title = "Profile enablement cannot be reverted"


class ResourceInUse(XDMError):
    code = 1622
    title = "Resource cannot be deleted"


class DescriptorInvalid(XDMError):
    code = 1630
    title = "Descriptor validation error"


class DuplicatePrimaryIdentity(XDMError):
    code = 1631
    title = "Primary identity already defined"
