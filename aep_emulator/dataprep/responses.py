"""Data Prep routes under ``/data/foundation/conversion``: parse the request, call models, render."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import flask

from ..core.context import request_context, state
from ..core.gateway import require_sandbox
from ..core.query_params import parse_int, query_flag
from ..core.requests import json_body
from ..core.store import Scope
from . import functions, models
from .exceptions import (
    delete_not_supported,
    invalid_parameter,
    malformed,
    not_found,
    sandbox_missing,
    sandbox_not_found,
)

blueprint = flask.Blueprint("dataprep", __name__, url_prefix="/data/foundation/conversion")

# `+createdDate` arrives as " createdDate" when the client does not percent-encode the plus sign.
_ORDER_BY = re.compile(r"^(?P<direction>[+\- ]?)(?P<field>\w+)$")


@blueprint.before_request
def _sandbox() -> None:
    require_sandbox(missing=sandbox_missing, unknown=sandbox_not_found)


def _scope() -> Scope:
    return request_context().scope


# The data-prep spec's defaults of GET /mappingSets (``limit`` 10, ``start`` 0): a client that leaves
# them out gets the first page, as on the platform.
LIST_DEFAULTS = {"limit": 10, "start": 0}


def _paging_int(name: str, minimum: int) -> int:
    raw = flask.request.args.get(name)
    if raw is None or not raw.strip():
        return LIST_DEFAULTS[name]
    value = parse_int(name, raw, invalid_parameter)
    if value < minimum:
        raise invalid_parameter(f"Query parameter '{name}' must be {minimum} or more, got {value}")
    return value


def _optional_version() -> int | None:
    raw = flask.request.args.get("version")
    if raw is None:
        return None
    version = parse_int("version", raw, invalid_parameter)
    if version < 0:
        raise invalid_parameter(f"Query parameter 'version' must be 0 or more, got {version}")
    return version


def _order() -> tuple[str, bool]:
    """(field, descending); the default, also when named bare (``orderBy=lastUpdateDate``, the spec's
    default value), is the most recently updated first."""
    raw = flask.request.args.get("orderBy")
    if raw is None or raw.strip() in ("", models.DEFAULT_ORDER):
        return models.DEFAULT_ORDER, True
    match = _ORDER_BY.match(raw.rstrip())
    if not match or match["field"] not in models.ORDER_FIELDS:
        raise invalid_parameter(
            f"orderBy must be [+|-]createdDate, [+|-]updatedDate or [+|-]lastUpdateDate, got '{raw}'"
        )
    return match["field"], match["direction"] == "-"


@blueprint.post("/mappingSets")
def create_mapping_set():
    query_flag("validate", invalid_parameter)  # accepted: every create is validated anyway
    body = json_body(malformed)
    return flask.jsonify(models.create_mapping_set(_scope(), body, request_context().client_id))


@blueprint.get("/mappingSets")
def list_mapping_sets():
    limit = _paging_int("limit", 1)
    start = _paging_int("start", 0)
    order_by, descending = _order()
    name = flask.request.args.get("name")
    page = models.list_mapping_sets(
        _scope(), limit, start, name=name, order_by=order_by, descending=descending,
        expand_schema=query_flag("expandSchema", invalid_parameter),
    )  # fmt: skip
    links: dict[str, dict[str, str]] = {}
    if start + limit < page.total:
        params = {k: v for k, v in flask.request.args.items() if k != "start"}
        links["next"] = {"href": f"/mappingSets?{urlencode({**params, 'start': start + limit})}"}
    return flask.jsonify({"data": page.items, "_page": {"count": len(page.items), "limit": limit}, "_links": links})


@blueprint.post("/mappingSets/validate")
def validate_mapping_set():
    report = models.validation_report(_scope(), json_body(malformed))
    return flask.jsonify({"validationResponse": report})


@blueprint.get("/mappingSets/<mapping_set_id>")
def get_mapping_set(mapping_set_id: str):
    mapping_set = models.read_mapping_set(
        _scope(), mapping_set_id, _optional_version(), query_flag("expandSchema", invalid_parameter)
    )
    return flask.jsonify(mapping_set)


@blueprint.put("/mappingSets/<mapping_set_id>")
def put_mapping_set(mapping_set_id: str):
    body = json_body(malformed)
    return flask.jsonify(models.replace_mapping_set(_scope(), mapping_set_id, body, request_context().client_id))


@blueprint.delete("/mappingSets/<mapping_set_id>")
def delete_mapping_set(mapping_set_id: str):
    # Unofficial (aepp calls it; the spec has no DELETE): 204 when removed, 404 when unknown. With
    # ``mapping_set_delete=False`` the emulator answers as a platform without the method (405).
    if not state().config.mapping_set_delete:
        raise delete_not_supported()
    if not models.delete_mapping_set(_scope(), mapping_set_id):
        raise not_found(f"Mapping set '{mapping_set_id}'")
    return flask.Response(status=204)


@blueprint.get("/mappingSets/<mapping_set_id>/mappings")
def list_mappings(mapping_set_id: str):
    return flask.jsonify(models.mappings_of(_scope(), mapping_set_id))


@blueprint.get("/mappingSets/<mapping_set_id>/mappings/<mapping_id>")
def get_mapping(mapping_set_id: str, mapping_id: str):
    return flask.jsonify(models.find_mapping(_scope(), mapping_set_id, mapping_id))


@blueprint.post("/mappingSets/preview")
def preview_mapping_set():
    return flask.jsonify(models.preview(_scope(), json_body(malformed)))


# --- the expression language (help/data-prep/api/functions.md) -----------------------------------


@blueprint.post("/languages/el/validate")
def validate_expression():
    return flask.jsonify(models.validate_expression(json_body(malformed)))


@blueprint.get("/languages/el/functions")
def list_functions():
    return flask.jsonify(functions.function_list())


@blueprint.get("/languages/el/operators")
def list_operators():
    return flask.jsonify(functions.operator_list())
