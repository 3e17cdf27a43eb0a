"""Catalog Service routes under ``/data/foundation/catalog``: parse the request, call models, render."""

from __future__ import annotations

from typing import Any

import flask

from ..core.context import request_context
from ..core.gateway import require_sandbox
from ..core.query_params import query_flag
from ..core.requests import json_body
from ..core.store import Scope
from . import models
from .exceptions import invalid_parameter, malformed, not_found, sandbox_missing, sandbox_not_found
from .filters import parse_list_query, project

blueprint = flask.Blueprint("catalog", __name__, url_prefix="/data/foundation/catalog")

JSON_PATCH = "application/json-patch+json"


@blueprint.before_request
def _sandbox() -> None:
    require_sandbox(missing=sandbox_missing, unknown=sandbox_not_found)


def _scope() -> Scope:
    return request_context().scope


def _caller() -> models.Caller:
    ctx = request_context()
    return models.Caller(org_id=ctx.org_id, client_id=ctx.client_id, user_id=ctx.user_id)


def _validate_only() -> bool:
    # `Pragma: validate-only` checks a write without saving it.
    return "validate-only" in flask.request.headers.get("Pragma", "").lower()


def _references(collection: str, *ids: str) -> flask.Response:
    return flask.jsonify([f"@/{collection}/{object_id}" for object_id in ids])


def _validated_answer() -> flask.Response:
    """What a validate-only write answers: 200 and no reference, since nothing was stored."""
    return flask.jsonify([])


def _single_object(object_id: str, obj: dict[str, Any]) -> flask.Response:
    """A one-object answer: ``{id: object}``, with the object's version in the ``E-Tag`` header.

    help/catalog/api/appendix.md, "If-Match": any response holding a single object carries an
    ``E-Tag`` header containing the object's version, to send back as ``If-Match``; the value is the
    bare version (the spec's multi-request example sends ``"if-match": "1.0.6"``). No other header is
    documented, so no standard ``ETag`` is added."""
    version = obj.get("version")
    properties = flask.request.args.get("properties")
    if properties is not None:
        obj = project(obj, [p.strip() for p in properties.split(",") if p.strip()])
    response = flask.jsonify({object_id: obj})
    if version:
        response.headers["E-Tag"] = version
    return response


# --- datasets -----------------------------------------------------------------------------------


@blueprint.get("/dataSets")
def list_datasets():
    query = parse_list_query(flask.request.args, flask.request.headers)
    return flask.jsonify(models.list_datasets(_scope(), query))


@blueprint.post("/dataSets")
def create_dataset():
    query_flag("requestDataSource", invalid_parameter)  # accepted; Catalog creates the data source itself
    body = json_body(malformed)
    dataset_id = models.create_dataset(_scope(), body, _caller(), validate_only=_validate_only())
    if dataset_id is None:
        return _validated_answer()
    response = _references("dataSets", dataset_id)
    response.status_code = 201
    response.headers["Location"] = flask.url_for(".get_dataset", dataset_id=dataset_id, _external=True)
    return response


@blueprint.get("/dataSets/<dataset_id>")
def get_dataset(dataset_id: str):
    return _single_object(dataset_id, models.require_dataset(_scope(), dataset_id))


def _update(dataset_id: str, style: models.UpdateStyle) -> flask.Response:
    models.update_dataset(
        _scope(),
        dataset_id,
        json_body(malformed),
        style,
        _caller(),
        if_match=flask.request.headers.get("If-Match"),
        validate_only=_validate_only(),
    )
    return _validated_answer() if _validate_only() else _references("dataSets", dataset_id)


@blueprint.patch("/dataSets/<dataset_id>")
def patch_dataset(dataset_id: str):
    style: models.UpdateStyle = "json-patch" if flask.request.mimetype == JSON_PATCH else "merge"
    return _update(dataset_id, style)


@blueprint.patch("/v2/dataSets/<dataset_id>")
def patch_dataset_v2(dataset_id: str):
    if flask.request.mimetype == JSON_PATCH:
        raise malformed("PATCH /v2/dataSets takes an application/json object to deep-merge")
    return _update(dataset_id, "deep-merge")


@blueprint.put("/dataSets/<dataset_id>")
def put_dataset(dataset_id: str):
    return _update(dataset_id, "replace")


@blueprint.delete("/dataSets/<dataset_id>")
def delete_dataset(dataset_id: str):
    # Deleting what is not there is not an error on Catalog: 200 with an empty list.
    if models.delete_dataset(_scope(), dataset_id):
        return _references("dataSets", dataset_id)
    return flask.jsonify([])


# --- batches (read-only) ------------------------------------------------------------------------


@blueprint.get("/batches")
def list_batches():
    query = parse_list_query(flask.request.args, flask.request.headers, virtual={"dataSet": models.batch_datasets})
    return flask.jsonify(models.list_batches(_scope(), query))


@blueprint.get("/batches/<batch_id>")
def get_batch(batch_id: str):
    batch = models.get_batch(_scope(), batch_id)
    if batch is None:
        raise not_found("batches", batch_id)
    return _single_object(batch_id, batch)
