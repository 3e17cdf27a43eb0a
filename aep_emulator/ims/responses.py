"""``POST /ims/token/v3`` and ``/ims/token/v2``: OAuth client-credentials grant, as on ims-na1.adobelogin.com.

v3 takes the form-encoded body (or the query string) of Adobe's OAuth server-to-server guide. v2 is
what Adobe's older samples and clients still call (aep-api.md §2, [S:PM-IMS]): the Postman IMS
collection and Adobe's API samples send the parameters in the query string, or ``client_id`` there and
the rest form-encoded, and aio-lib-ims posts them as a multipart form; every form is read, a body
value winning over the query string's. Both answer the same token.
"""

from __future__ import annotations

import flask

from ..core.context import state
from ..core.errors import AEPError
from .models import issue_token

blueprint = flask.Blueprint("ims", __name__, url_prefix="/ims")


def _oauth_error(status: int, error: str, description: str) -> AEPError:
    # IMS answers in RFC 6749 style (aep-api.md §11: best current guess).
    return AEPError(status, {"error": error, "error_description": description})


def _parameters() -> dict[str, str]:
    # Query string first, then the body (urlencoded or multipart), which wins on a name both carry.
    return {**flask.request.args.to_dict(), **flask.request.form.to_dict()}


@blueprint.post("/token/v3")
@blueprint.post("/token/v2")
def token():
    form = _parameters()
    cfg = state().config
    if form.get("grant_type") != "client_credentials":
        raise _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if not form.get("client_id"):
        raise _oauth_error(400, "invalid_request", "client_id is required")
    if form.get("client_id") != cfg.client_id or form.get("client_secret") != cfg.client_secret:
        raise _oauth_error(401, "invalid_client", "invalid client_id or client_secret")
    access_token, lifetime = issue_token()
    return flask.jsonify({"access_token": access_token, "token_type": "bearer", "expires_in": lifetime})
