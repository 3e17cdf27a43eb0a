"""What Flow Service offers source providers: connection and flow specs an organisation writes (Sources
SDK), their configs and explore, and the provider-side actions on connections.

- ``POST /connectionSpecs`` and ``POST /flowSpecs`` (help/sources/sources-sdk/api/connection-specs.md,
  flow-specs.md; flow-service.yaml ``CreateConnectionSpecRequest`` / ``CreateFlowSpecRequest``:
  ``name`` and ``providerId`` required) -> 201 with the spec as a GET shows it, stored for the
  organisation (every sandbox sees it, as the Sources SDK pages describe specs "within your
  organization"). ``PUT /connectionSpecs/{id}`` and ``PUT /flowSpecs/{id}``
  (update-connection-specs.md, update-flow-specs.md) replace the spec's body and answer it. Adobe's own
  specs (the catalogue) are not the organisation's to change: a PUT on one answers the generic
  FLOW-1100-400, as AEP's code for it is not documented. An unknown id is 404 (1101).
- ``GET /connectionSpecs/{id}/configs``, ``/connectionSpecs/{id}/explore`` and
  ``/connections/{id}/configs``: the spec's ``ExploreConnectionResponse`` (an array of
  ``{name, path, type, canPreview, canFetchSchema}``). The emulator reaches no provider, so the
  array is empty for a known spec or connection.
- ``POST /connections|sourceConnections|targetConnections/{id}/action?op=...`` (``FINALIZE``,
  ``FINALIZE_UPDATE``, ``PUBLISH``): provider requests. A customer's call answers 1402-400 "The action
  {ACTION} is supported for provider requests only." (help/sources/errors/flow-service-errors.md); a
  missing ``op`` is 1334, an unknown one 1398, an unknown object 404.
"""

from __future__ import annotations

import uuid
from typing import Any

import flask

from ..core.context import RequestContext, request_context
from ..core.store import Scope
from .exceptions import FlowError, invalid, not_found
from .models import _created, _touched, get_object
from .objects import CONNECTIONS, SOURCE_CONNECTIONS, TARGET_CONNECTIONS, kind, store
from .payloads import _Payload, parse
from .responses import _request_json, blueprint
from .specs import catalogue

_PROVIDER_ACTIONS = ("FINALIZE", "FINALIZE_UPDATE", "PUBLISH")
_ORG_SCOPE = "__organisation__"  # specs belong to the organisation, not to a sandbox


class SpecPayload(_Payload):
    """The required part of a spec request; every other documented attribute is kept as sent."""

    model_config = {"extra": "allow"}
    name: str
    providerId: str


def _org(ctx: RequestContext) -> Scope:
    return (ctx.scope[0], _ORG_SCOPE)


def custom_specs(org_id: str, resource: str) -> list[dict[str, Any]]:
    """The organisation's own connection or flow specs (``resource``: connectionSpecs or flowSpecs)."""
    return store().list((org_id, _ORG_SCOPE), kind(resource))


def custom_spec(org_id: str, resource: str, spec_id: str) -> dict[str, Any] | None:
    return store().get((org_id, _ORG_SCOPE), kind(resource), spec_id)


def _builtin(resource: str) -> dict[str, Any]:
    found = catalogue()
    return found.connection_specs if resource == "connectionSpecs" else found.flow_specs


def create_spec(ctx: RequestContext, resource: str, body: Any) -> dict[str, Any]:
    payload = parse(SpecPayload, body).model_dump()
    audit = _created(ctx)
    spec = {**audit, **payload, "version": payload.get("version") or "1.0"}
    spec["id"] = str(uuid.uuid4())
    store().put(_org(ctx), kind(resource), spec["id"], spec)
    return spec


def replace_spec(ctx: RequestContext, resource: str, spec_id: str, body: Any) -> dict[str, Any]:
    payload = parse(SpecPayload, body).model_dump()
    with store().transaction():
        current = custom_spec(ctx.scope[0], resource, spec_id)
        if current is None:
            if spec_id in _builtin(resource):
                raise invalid(f"The {resource} {spec_id} is provided by Adobe and cannot be updated by an organization.")
            raise not_found(resource, spec_id)
        spec = {**_touched(current, ctx), **payload, "id": spec_id}
        store().put(_org(ctx), kind(resource), spec_id, spec)
    return spec


def _require_spec(ctx: RequestContext, spec_id: str) -> None:
    if spec_id not in _builtin("connectionSpecs") and custom_spec(ctx.scope[0], "connectionSpecs", spec_id) is None:
        raise not_found("connectionSpecs", spec_id)


def provider_action(ctx: RequestContext, resource: str, obj_id: str, op: str | None) -> None:
    if not (op or "").strip():
        raise FlowError(1334, "The query param : op cannot be empty. Provide a valid op and try again.")
    if op.strip().upper() not in _PROVIDER_ACTIONS:
        raise FlowError(1398, f"The provided operation : {op} is unsupported.")
    get_object(ctx.scope, resource, obj_id)  # an unknown object is its 404
    raise FlowError(1402, f"The action '{op.strip().lower()}' is supported for provider requests only.")


@blueprint.post("/<any(connectionSpecs, flowSpecs):resource>")
def post_spec(resource: str):
    response = flask.jsonify(create_spec(request_context(), resource, _request_json()))
    response.status_code = 201
    return response


@blueprint.put("/<any(connectionSpecs, flowSpecs):resource>/<spec_id>")
def put_spec(resource: str, spec_id: str):
    return flask.jsonify(replace_spec(request_context(), resource, spec_id, _request_json()))


@blueprint.get("/connectionSpecs/<spec_id>/<any(configs, explore):what>")
def connection_spec_objects(spec_id: str, what: str):
    _require_spec(request_context(), spec_id)
    return flask.jsonify([])


@blueprint.get("/connections/<conn_id>/configs")
def connection_configs(conn_id: str):
    get_object(request_context().scope, CONNECTIONS, conn_id)
    return flask.jsonify([])


@blueprint.post(f"/<any({CONNECTIONS}, {SOURCE_CONNECTIONS}, {TARGET_CONNECTIONS}):resource>/<obj_id>/action")
def connection_action(resource: str, obj_id: str):
    provider_action(request_context(), resource, obj_id, flask.request.args.get("op"))
