"""The Adobe I/O gateway in front of every AEP path: token, API key, org header, content type.

Runs before any service handler and sets ``flask.g.aep`` (a RequestContext). Services then call
``require_sandbox`` with their own error factories, because each service answers a missing or
unknown sandbox in its own envelope.
"""

from __future__ import annotations

from collections.abc import Callable

import flask

from .context import RequestContext, current_request_id, state
from .errors import AEPError, GatewayError, ProblemError

AEP_PREFIX = "/data/foundation/"
_BODY_METHODS = {"POST", "PUT", "PATCH"}
_JSON_TYPES = ("application/json", "application/json-patch+json")


def authenticate() -> None:
    """Gateway checks, in the platform's order; raises GatewayError/ProblemError."""
    cfg = state().config
    headers = flask.request.headers
    auth = headers.get("Authorization", "")
    if not auth:
        raise GatewayError(403, "403010", "Oauth token is missing.")
    token = auth[7:] if auth[:7].lower() == "bearer " else ""
    from ..ims.models import token_is_valid  # the IMS service owns the token table

    if not token or not token_is_valid(token):
        raise GatewayError(401, "401013", "Oauth token is not valid")
    api_key = headers.get("x-api-key")
    if not api_key:
        raise GatewayError(403, "403000", "Api Key is required")
    if api_key != cfg.client_id:
        raise GatewayError(403, "403003", "Api Key is invalid")
    org = headers.get("x-gw-ims-org-id")
    if not org:
        raise GatewayError(400, "400003", "Missing header")
    if not org.endswith("@AdobeOrg"):
        raise GatewayError(403, "403027", "User region is missing")
    if org != cfg.org_id:
        raise GatewayError(403, "403025", "Profile is not valid")
    if flask.request.method in _BODY_METHODS and flask.request.content_length:
        ctype = (flask.request.mimetype or "").lower()
        if ctype not in _JSON_TYPES:
            raise ProblemError(400, "BadRequestError", "A valid content-type must be specified")
    flask.g.aep = RequestContext(
        org_id=org,
        sandbox=headers.get("x-sandbox-name") or None,
        client_id=api_key,
        user_id=f"{api_key}@AdobeID",
        request_id=current_request_id(),
    )


def require_sandbox(missing: Callable[[], AEPError], unknown: Callable[[str], AEPError]) -> str:
    """The sandbox of this request, or the service's own error when absent or not in the org."""
    ctx: RequestContext = flask.g.aep
    if not ctx.sandbox:
        raise missing()
    from ..sandbox.models import sandbox_is_usable  # the Sandbox Management service owns the sandbox table

    if not sandbox_is_usable(ctx.org_id, ctx.sandbox):
        raise unknown(ctx.sandbox)
    return ctx.sandbox
