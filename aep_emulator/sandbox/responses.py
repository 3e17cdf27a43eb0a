"""Sandbox Management (``/data/foundation/sandbox-management``) and sandbox tooling (``/data/foundation/exim``)
routes: parse the request, call models or tooling, render.

Sandbox Management calls need no ``x-sandbox-name`` (the documented requests send none); the tooling calls
need it, as the spec marks it required.
"""

from __future__ import annotations

from typing import Any
import flask

from ..core.context import request_context, sandbox_id
from ..core.gateway import require_sandbox
from ..core.query_params import parse_int, query_flag
from ..core.requests import json_body
from . import models, tooling
from .exceptions import bad_request, sandbox_missing, sandbox_not_found

blueprint = flask.Blueprint("sandbox", __name__, url_prefix="/data/foundation")

SMS = "/sandbox-management"
EXIM = "/exim"
DEFAULT_LIMIT = 50  # help/sandboxes/api/appendix.md: "default limit is 50 and offset is 0"
_FILTERABLE = ("name", "title", "state", "type")
_ORDERABLE = ("name", "title", "state", "type", "createdDate", "lastModifiedDate")


def _caller() -> models.Caller:
    ctx = request_context()
    return models.Caller(org_id=ctx.org_id, user_id=ctx.user_id)


def _int_arg(name: str) -> int | None:
    raw = flask.request.args.get(name)
    return None if raw is None or not raw.strip() else parse_int(name, raw, bad_request)


def _body(expect: type[dict] | type[list] = dict) -> Any:
    return json_body(bad_request, expect)


# --- Sandbox Management ----------------------------------------------------------------------------


def _filtered(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``property=<field>==<value>`` / ``!=``, comma-separated, all must hold."""
    raw = flask.request.args.get("property")
    for clause in filter(None, (raw or "").split(",")):
        op = "!=" if "!=" in clause else "=="
        field, _, value = clause.partition(op)
        if field not in _FILTERABLE or not _:
            raise bad_request(f"Invalid property filter '{clause}': use <field>==<value> with one of {', '.join(_FILTERABLE)}")
        records = [r for r in records if (str(r.get(field)) == value) == (op == "==")]
    return records


def _ordered(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    raw = (flask.request.args.get("orderBy") or "").strip()
    if not raw:
        return records
    field = raw.lstrip("+- ")
    if field not in _ORDERABLE:
        raise bad_request(f"Invalid orderBy '{raw}': use [+|-]<field> with one of {', '.join(_ORDERABLE)}")
    return sorted(records, key=lambda r: str(r.get(field)), reverse=raw.startswith("-"))


def _paging() -> tuple[int, int]:
    limit, offset = _int_arg("limit"), _int_arg("offset")
    if (limit is None) != (offset is None):
        # help/sandboxes/api/appendix.md: "If you specify only one, the API will return an error."
        raise bad_request("The limit and offset query parameters have to be specified together")
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if limit < 1 or offset < 0:
        raise bad_request("limit must be 1 or more and offset 0 or more")
    return limit, offset


def _href(path: str, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())  # ints, or the template's {limit}/{offset}
    return f"{flask.request.host_url.rstrip('/')}{blueprint.url_prefix}{path}?{query}"


def _listing(records: list[dict[str, Any]], path: str, *, with_prev_next: bool) -> flask.Response:
    limit, offset = _paging()
    chosen = _ordered(_filtered(records))[offset : offset + limit]
    links: dict[str, Any] = {}
    if with_prev_next:
        links["next"] = {"href": _href(path, limit="{limit}", offset="{offset}"), "templated": True}
        if offset > 0:
            links["prev"] = {"href": _href(path, offset=max(0, offset - limit), limit=limit), "templated": None}
        links["page"] = {"href": _href(path, offset=offset, limit=limit), "templated": None}
    else:
        links["page"] = {"href": _href(path, limit="{limit}", offset="{offset}"), "templated": True}
    return flask.jsonify({"sandboxes": [models.full_view(r) for r in chosen],
                          "_page": {"limit": limit, "count": len(chosen)}, "_links": links})  # fmt: skip


@blueprint.get(SMS)  # documented as ``GET /sandbox-management/``: the trailing slash is normalised away
def list_available():
    # help/sandboxes/api/available.md: the sandboxes the caller can use, i.e. the active ones.
    active = [r for r in models.all_sandboxes(_caller().org_id) if r["state"] == models.ACTIVE]
    return _listing(active, f"{SMS}/", with_prev_next=False)


@blueprint.get(f"{SMS}/sandboxTypes")
def list_types():
    # help/sandboxes/api/types.md shows plain strings (the spec's {id, title} objects appear in no example).
    return flask.jsonify({"sandboxTypes": list(models.TYPES)})


@blueprint.get(f"{SMS}/sandboxes")
def list_sandboxes():
    return _listing(models.all_sandboxes(_caller().org_id), f"{SMS}/sandboxes", with_prev_next=True)


@blueprint.post(f"{SMS}/sandboxes")
def create_sandbox():
    record = models.create(_caller(), _body())
    return flask.jsonify(models.brief_view(record)), 202


@blueprint.get(f"{SMS}/sandboxes/<name>")
def get_sandbox(name: str):
    return flask.jsonify(models.full_view(models.require(_caller().org_id, name)))


@blueprint.patch(f"{SMS}/sandboxes/<name>")
def patch_sandbox(name: str):
    return flask.jsonify(models.full_view(models.update(_caller(), name, _body())))


@blueprint.put(f"{SMS}/sandboxes/<name>")
def reset_sandbox(name: str):
    caller = _caller()
    record = models.reset(caller, name, _body(), validation_only=query_flag("validationOnly", bad_request))
    # The documented reset answer carries the sandbox's id, unlike the others.
    return flask.jsonify({"id": sandbox_id((caller.org_id, name)), **models.brief_view(record)}), 202


@blueprint.delete(f"{SMS}/sandboxes/<name>")
def delete_sandbox(name: str):
    record = models.delete(_caller(), name, validation_only=query_flag("validationOnly", bad_request))
    return flask.jsonify(models.brief_view(record)), 202


# --- sandbox tooling -------------------------------------------------------------------------------


def _tooling_sandbox() -> str:
    return require_sandbox(missing=sandbox_missing, unknown=sandbox_not_found)


def _target_exists(name: str) -> bool:
    return models.sandbox_is_usable(request_context().org_id, name)


def _required_arg(name: str) -> str:
    value = flask.request.args.get(name)
    if not value:
        raise bad_request(f"Query parameter '{name}' is required")
    return value


def _paged(items: list[dict[str, Any]], *, sized: bool = False) -> flask.Response:
    return flask.jsonify(tooling.page(items, _int_arg("limit"), _int_arg("start"), sized=sized))


@blueprint.before_request
def _tooling_needs_sandbox() -> None:
    if flask.request.path.startswith(blueprint.url_prefix + EXIM):
        _tooling_sandbox()


@blueprint.get(f"{EXIM}/packages")
def list_packages():
    args = flask.request.args
    return _paged(tooling.list_packages(_caller(), args.get("status"), args.get("orderBy")))


@blueprint.post(f"{EXIM}/packages")
def create_package():
    return flask.jsonify(tooling.create_package(_caller(), request_context().sandbox, _body())), 201


@blueprint.put(f"{EXIM}/packages")
def update_package():
    return flask.jsonify(tooling.update_package(_caller(), _body())), 201


@blueprint.put(f"{EXIM}/packages/import")
def submit_import():
    return flask.jsonify(tooling.submit_import(_caller(), _body(), _target_exists)), 202


@blueprint.get(f"{EXIM}/packages/jobs")
def list_jobs():
    args = flask.request.args
    filters = {key: args.get(key) for key in ("jobType", "jobStatus", "requestType")}
    return _paged(tooling.list_jobs(_caller(), filters, args.get("orderBy")))


@blueprint.put(f"{EXIM}/packages/update")
def make_package_public():
    return flask.jsonify(tooling.make_public(_caller(), _body())), 202


@blueprint.get(f"{EXIM}/packages/<package_id>")
def get_package(package_id: str):
    return flask.jsonify(tooling.get_package(_caller(), package_id))


@blueprint.delete(f"{EXIM}/packages/<package_id>")
def delete_package(package_id: str):
    return flask.jsonify(tooling.delete_package(_caller(), package_id))


@blueprint.get(f"{EXIM}/packages/<package_id>/export")
def publish_package(package_id: str):
    return flask.jsonify(tooling.publish(_caller(), package_id, _int_arg("expiryPeriod")))


@blueprint.get(f"{EXIM}/packages/<package_id>/import")
def import_conflicts(package_id: str):
    target = _required_arg("targetSandbox")
    return flask.jsonify(tooling.conflicts(_caller(), package_id, target, _target_exists))


@blueprint.post(f"{EXIM}/packages/<package_id>/children")
def dependent_objects(package_id: str):
    return flask.jsonify(tooling.dependents(_caller(), package_id, _body(list))), 201


@blueprint.get(f"{EXIM}/packages/payload/<package_id>")
def package_payload(package_id: str):
    return flask.jsonify(tooling.payload(_caller(), package_id))


@blueprint.get(f"{EXIM}/packages/preflight/<package_id>/export")
def import_permissions(package_id: str):
    target = _required_arg("targetSandbox")
    return flask.jsonify(tooling.permissions(_caller(), package_id, target, _target_exists))


@blueprint.post(f"{EXIM}/handshake/bulkCreate")
def request_partnerships():
    return flask.jsonify(tooling.request_partnerships(_caller(), _body())), 201


@blueprint.post(f"{EXIM}/handshake/action")
def act_on_partnership():
    return flask.jsonify(tooling.act_on_partnership(_caller(), _body())), 201


@blueprint.get(f"{EXIM}/handshake/list")
def list_partnerships():
    found = tooling.list_partnerships(_caller(), _required_arg("requestType"), flask.request.args.get("orderBy"))
    return _paged(found, sized=True)


@blueprint.post(f"{EXIM}/transfer")
def share_package():
    return flask.jsonify(tooling.share(_caller(), _body())), 201


@blueprint.get(f"{EXIM}/transfer/list")
def list_transfers():
    found = tooling.list_transfers(_caller(), _required_arg("requestType"), flask.request.args.get("orderBy"))
    return _paged(found, sized=True)


@blueprint.get(f"{EXIM}/transfer/<transfer_id>")
def get_transfer(transfer_id: str):
    return flask.jsonify(tooling.get_transfer(_caller(), transfer_id))


@blueprint.post(f"{EXIM}/transfer/pullRequest")
def import_public_package():
    return flask.jsonify(tooling.pull_public(_caller(), _body())), 201


@blueprint.get(f"{EXIM}/tools/job/<job_id>")
def get_job(job_id: str):
    return flask.jsonify(tooling.get_job(_caller(), job_id))
