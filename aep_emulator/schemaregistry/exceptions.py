"""Schema Registry errors: one class per answer, all rendered in the XDM envelope.

    {"type": "http://ns.adobe.com/aep/errors/XDM-<code>-<status>", "title": ..., "status": ...,
     "report": {"registryRequestId", "timestamp" (MM-dd-yyyy HH:mm:ss, UTC), "detailed-message",
                "sub-errors": []},
     "detail": ...}

(help/xdm/troubleshooting-guide.md, "Errors and troubleshooting": every example has these keys.)
Documented codes keep their documented meaning (Accept 1006-1009, not found 1010-1017, namespaces
1020-1024, merge 1413, title 1521, union 1526-1528). Where AEP's code for a case is not documented the
answer is generic: the same envelope with the ``type`` the guide's older examples show,
``/placeholder/type/uri`` (no code), the HTTP status, a title and the detail. The emulator never
invents an XDM code: clients can key on the status and read the detail.
"""

from __future__ import annotations

import time
import uuid

import flask

from ..core.context import current_request_id
from ..core.errors import AEPError

ERROR_TYPE = "http://ns.adobe.com/aep/errors/XDM-{code}-{status}"
# The type of the XDM troubleshooting guide's code-less examples (older revision of the same page).
GENERIC_TYPE = "/placeholder/type/uri"


def _request_id() -> str:
    return current_request_id() if flask.has_request_context() else str(uuid.uuid4())


class XDMError(AEPError):
    """Base of every Schema Registry error; subclasses fix status, title and a documented code (or
    none: a generic answer)."""

    code: int | None = None
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, code: int | None = None) -> None:
        code = code if code is not None else self.code
        super().__init__(
            self.status,
            {
                "type": GENERIC_TYPE if code is None else ERROR_TYPE.format(code=code, status=self.status),
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


# --- generic answers (AEP documents no code for these cases) -------------------------------------


class InvalidRequest(XDMError):
    """Malformed JSON, wrong JSON types, missing or unknown attributes."""

    title = "Invalid request"


class InvalidPatch(XDMError):
    title = "Invalid JSON Patch"


class InvalidQuery(XDMError):
    title = "Invalid query parameter"


class SandboxHeaderMissing(XDMError):
    title = "Sandbox header missing"

    def __init__(self) -> None:
        super().__init__("The header x-sandbox-name is missing in the request.")


class SandboxNotFound(XDMError):
    """An unknown sandbox: not one of the documented resource kinds, so no XDM-101x code."""

    status = 404
    title = "Sandbox not found"

    def __init__(self, sandbox: str) -> None:
        super().__init__(f"The sandbox {sandbox} is not found in this organization.")


class VersionNotAvailable(XDMError):
    status = 406
    title = "Requested version not available"


class InvalidComposition(XDMError):
    """A schema's ``allOf``: not exactly one class, or a part that is neither class nor field group."""

    title = "Invalid schema composition"


class UnresolvedReference(XDMError):
    title = "Reference not found"


class IncompatibleFieldGroup(XDMError):
    title = "Field group not compatible with class"


class FieldConflict(XDMError):
    title = "Conflicting field definition"


class ReadOnlyAttribute(XDMError):
    title = "Read-only attribute"


class BreakingChange(XDMError):
    title = "Breaking change not allowed"


class UnionTagIrreversible(XDMError):
    title = "Profile enablement cannot be reverted"


class ResourceInUse(XDMError):
    title = "Resource cannot be deleted"


class DescriptorInvalid(XDMError):
    title = "Descriptor validation error"


class DuplicatePrimaryIdentity(XDMError):
    title = "Primary identity already defined"
