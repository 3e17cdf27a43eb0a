"""``POST /ims/token/v3``: OAuth client-credentials grant, form-encoded as on ims-na1.adobelogin.com."""

from __future__ import annotations

import flask

from ..core.context import state
from ..core.errors import AEPError
from .models import issue_token

blueprint = flask.Blueprint("ims", __name__, url_prefix="/ims")


def _oauth_error(status: int, error: str, description: str) -> AEPError:
    # IMS answers in RFC 6749 style (aep-api.md §11: best current guess).
    return AEPError(status, {"error": error, "error_description": description})


@blueprint.post("/token/v3")
def token():
    form = flask.request.form if flask.request.form else flask.request.args
    cfg = state().config
    if form.get("grant_type") != "client_credentials":
        raise _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if not form.get("client_id"):
        raise _oauth_error(400, "invalid_request", "client_id is required")
    if form.get("client_id") != cfg.client_id or form.get("client_secret") != cfg.client_secret:
        raise _oauth_error(401, "invalid_client", "invalid client_id or client_secret")
    access_token, lifetime = issue_token()
    return flask.jsonify({"access_token": access_token, "token_type": "bearer", "expires_in": lifetime})
