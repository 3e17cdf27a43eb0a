"""Catalog Service routes under ``/data/foundation/catalog``: parse the request, call models, render."""

from __future__ import annotations

from typing import Any

import flask
from werkzeug.datastructures import MultiDict

from ..core.context import request_context
from ..core.gateway import require_sandbox
from ..core.query_params import query_flag
from ..core.requests import json_body
from ..core.store import Scope
from . import batches, models, multirequest
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


# --- batches written through the API (batches.py) -----------------------------------------------


def _created_batch(batch_id: str) -> flask.Response:
    response = _references("batches", batch_id)
    response.status_code = 201
    response.headers["Location"] = flask.url_for(".get_batch", batch_id=batch_id, _external=True)
    return response


@blueprint.post("/batches")
def create_batch():
    return _created_batch(batches.create_batch(_scope(), json_body(malformed), _caller()))


@blueprint.post("/batches/<batch_id>")
def create_batch_with_id(batch_id: str):
    return _created_batch(batches.create_batch(_scope(), json_body(malformed), _caller(), batch_id=batch_id))


def _update_batch(batch_id: str, replace: bool) -> flask.Response:
    batches.update_batch(
        _scope(), batch_id, json_body(malformed), _caller(), replace=replace,
        if_match=flask.request.headers.get("If-Match"),
    )  # fmt: skip
    return _references("batches", batch_id)


@blueprint.put("/batches/<batch_id>")
def put_batch(batch_id: str):
    return _update_batch(batch_id, replace=True)


@blueprint.patch("/batches/<batch_id>")
def patch_batch(batch_id: str):
    return _update_batch(batch_id, replace=False)


@blueprint.delete("/batches/<batch_id>")
def delete_batch(batch_id: str):
    batches.delete_batch(_scope(), batch_id)
    return _references("batches", batch_id)


@blueprint.get("/batches/uniques/<field>")
def unique_batch_values(field: str):
    query = parse_list_query(flask.request.args, flask.request.headers, virtual={"dataSet": models.batch_datasets})
    return flask.jsonify(batches.unique_values(_scope(), field, query))


_LAST_BATCH_PARAMETERS = ("dataSetId", "lastBatchId", "lastBatchStatus", "lastSuccessfulBatchId", "lastFailedBatchId")


@blueprint.get("/lastBatches")
def last_batches():
    args = flask.request.args
    # The look-up parameters are answered by batches.last_batches; the rest is the list language.
    listing = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in _LAST_BATCH_PARAMETERS])
    query = parse_list_query(listing, flask.request.headers)
    return flask.jsonify(batches.last_batches(_scope(), {k: args[k] for k in _LAST_BATCH_PARAMETERS if k in args}, query))


@blueprint.get("/tags/<path:namespace>")
def list_tags(namespace: str):
    return flask.jsonify(batches.tag_values(_scope(), namespace))


@blueprint.get("/dataSets/<dataset_id>/credentials")
def dataset_credentials(dataset_id: str):
    return flask.jsonify(batches.dataset_credentials(_scope(), dataset_id, flask.request.args.get("batchId")))


# --- the root: multi-request (multirequest.py) ---------------------------------------------------


@blueprint.get("")
def service_resources():
    """``GET /`` (deprecated ``listBatchedRequest``): the spec's ``serviceResources`` object, here the
    Catalog collections as ``@/`` links (appendix.md, "View interrelated objects"): which value the
    platform puts in each is not documented."""
    return flask.jsonify({"dataSet": "@/dataSets", "dataSource": "@/dataSources", "transform": "@/transforms"})


@blueprint.post("")
def multi_request():
    return flask.jsonify(multirequest.run(json_body(malformed)))
