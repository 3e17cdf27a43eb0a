"""Identity Service namespace routes under ``/data/core/idnamespace``: parse the request, call models, render.

Identity Service lives under ``/data/core`` (identity-service.yaml ``servers``), outside the gateway's
``/data/foundation/`` prefix, so this blueprint runs the gateway's checks itself. ``x-sandbox-name`` is
optional: "If unspecified, falls back to the default production sandbox" (the spec's parameter text).
"""

from __future__ import annotations

import flask

from ..core.context import request_context
from ..core.gateway import authenticate
from ..core.requests import json_body
from ..core.store import Scope
from ..sandbox.models import all_sandboxes, sandbox_is_usable
from . import models
from .exceptions import invalid_create, invalid_update, unknown_sandbox

blueprint = flask.Blueprint("identity", __name__, url_prefix="/data/core/idnamespace")


@blueprint.before_request
def _gateway() -> None:
    authenticate()


def _scope() -> Scope:
    ctx = request_context()
    if ctx.sandbox is None:
        default = next(r["name"] for r in all_sandboxes(ctx.org_id) if r["isDefault"])
        return (ctx.org_id, default)
    if not sandbox_is_usable(ctx.org_id, ctx.sandbox):
        raise unknown_sandbox(ctx.sandbox)
    return (ctx.org_id, ctx.sandbox)


@blueprint.get("/identities")
def list_namespaces():
    return flask.jsonify(models.namespaces(_scope()))


@blueprint.post("/identities")
def create_namespace():
    scope = _scope()
    return flask.jsonify(models.create(scope, json_body(invalid_create, dict)))


@blueprint.get("/identities/<namespace_id>")
def get_namespace(namespace_id: str):
    return flask.jsonify(models.get(_scope(), namespace_id))


@blueprint.put("/identities/<namespace_id>")
def update_namespace(namespace_id: str):
    scope = _scope()
    # The spec's PUT answer is an array holding the updated namespace.
    return flask.jsonify([models.update(scope, namespace_id, json_body(invalid_update, dict))])
