"""Flow Service routes under ``/data/foundation/flowservice``: parse the request, call models, render.

Envelopes (aep-api.md §5.1): create → 201 ``{id, etag}`` + ``Location``; get by id → ``{"items": [obj]}``;
list → ``{"items": [...], "_links": {...}}`` or ``{"count": N}``; PATCH and actions → 200 ``{id, etag}``;
DELETE → 204.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flask

from ..core.context import request_context
from ..core.gateway import require_sandbox
from ..core.requests import parse_json
from . import models
from .exceptions import FlowError, invalid, not_found, sandbox_header_missing, sandbox_not_found
from .query import parse_query
from .specs import ConnectionSpec, FlowSpec, catalogue

BASE_PATH = "/data/foundation/flowservice"
blueprint = flask.Blueprint("flowservice", __name__, url_prefix=BASE_PATH)

# Werkzeug's ``any`` converter: one set of routes serves the four instance resources.
_INSTANCES = "any(connections, sourceConnections, targetConnections, flows)"


@blueprint.before_request
def _require_sandbox() -> None:
    require_sandbox(missing=sandbox_header_missing, unknown=sandbox_not_found)


def _scope() -> tuple[str, str]:
    return request_context().scope


def _request_json() -> Any:
    raw = flask.request.get_data(cache=True)
    if not raw.strip():
        raise FlowError(1405, "The request body cannot be null or empty. Provide a request body and try again.")
    try:
        return parse_json(raw)
    except ValueError as exc:
        raise invalid(f"The request body is not valid JSON: {exc}.") from None


def _listing(objects: list[dict[str, Any]], resource: str, paged: bool = True) -> flask.Response:
    return flask.jsonify(parse_query(flask.request.args, paged=paged).apply(objects, resource))


def _one(obj: dict[str, Any]) -> flask.Response:
    return flask.jsonify({"items": [obj]})


def _id_and_etag(obj: dict[str, Any], status: int = 200) -> flask.Response:
    response = flask.jsonify({"id": obj["id"], "etag": obj["etag"]})
    response.status_code = status
    return response


def _created(resource: str, obj: dict[str, Any]) -> flask.Response:
    response = _id_and_etag(obj, 201)
    response.headers["Location"] = f"{BASE_PATH}/{resource}/{obj['id']}"
    return response


# ---------------------------------------------------------------- specs (organisation-agnostic catalogue)


def _spec_listing(resource: str, specs: Mapping[str, ConnectionSpec | FlowSpec]) -> flask.Response:
    own = sources_sdk.custom_specs(request_context().org_id, resource)  # the organisation's (Sources SDK)
    return _listing([spec.document for spec in specs.values()] + own, resource, paged=False)


def _spec(resource: str, specs: Mapping[str, ConnectionSpec | FlowSpec], spec_id: str) -> flask.Response:
    spec = specs.get(spec_id)
    if spec is None:
        own = sources_sdk.custom_spec(request_context().org_id, resource, spec_id)
        if own is None:
            raise not_found(resource, spec_id)
        return _one(own)
    return _one(spec.document)


@blueprint.get("/connectionSpecs")
def list_connection_specs():
    return _spec_listing("connectionSpecs", catalogue().connection_specs)


@blueprint.get("/connectionSpecs/<spec_id>")
def get_connection_spec(spec_id: str):
    return _spec("connectionSpecs", catalogue().connection_specs, spec_id)


@blueprint.get("/flowSpecs")
def list_flow_specs():
    return _spec_listing("flowSpecs", catalogue().flow_specs)


@blueprint.get("/flowSpecs/<spec_id>")
def get_flow_spec(spec_id: str):
    return _spec("flowSpecs", catalogue().flow_specs, spec_id)


# ---------------------------------------------------------------- connections, source/target connections, flows


@blueprint.get(f"/<{_INSTANCES}:resource>")
def list_instances(resource: str):
    return _listing(models.list_objects(_scope(), resource), resource)


@blueprint.post(f"/<{_INSTANCES}:resource>")
def create_instance(resource: str):
    obj = models.create_object(request_context(), resource, _request_json())
    return _created(resource, obj)


@blueprint.get(f"/<{_INSTANCES}:resource>/<obj_id>")
def get_instance(resource: str, obj_id: str):
    return _one(models.get_object(_scope(), resource, obj_id))


@blueprint.patch(f"/<{_INSTANCES}:resource>/<obj_id>")
def patch_instance(resource: str, obj_id: str):
    raw = flask.request.get_data(cache=True)
    body = _request_json() if raw.strip() else None
    obj = models.patch_object(request_context(), resource, obj_id, flask.request.headers.get("If-Match"), body)
    return _id_and_etag(obj)


@blueprint.delete(f"/<{_INSTANCES}:resource>/<obj_id>")
def delete_instance(resource: str, obj_id: str):
    models.delete_object(_scope(), resource, obj_id)
    return flask.Response(status=204)


@blueprint.post("/flows/<flow_id>/action")
def flow_action(flow_id: str):
    return _id_and_etag(models.flow_action(request_context(), flow_id, flask.request.args.get("op")))


@blueprint.get("/connections/<conn_id>/test")
def test_connection(conn_id: str):
    return flask.jsonify(models.connection_test_result(_scope(), conn_id))


@blueprint.get("/connections/<conn_id>/explore")
def explore_connection(conn_id: str):
    return flask.jsonify(models.explore_connection(_scope(), conn_id, flask.request.args))


# ---------------------------------------------------------------- runs


@blueprint.get("/runs")
def list_runs():
    return _listing(models.list_objects(_scope(), models.RUNS), models.RUNS)


@blueprint.get("/runs/<run_id>")
def get_run(run_id: str):
    return _one(models.get_object(_scope(), models.RUNS, run_id))


@blueprint.post("/runs")
def create_run():
    return _created(models.RUNS, models.create_run(request_context(), _request_json()))


# Routes of the other Flow Service modules, on this blueprint (imported last: they import it).
from . import runs, search, sources_sdk  # noqa: E402, F401
