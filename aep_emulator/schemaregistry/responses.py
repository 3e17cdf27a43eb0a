"""Schema Registry routes under ``/data/foundation/schemaregistry``: parse, call the backend, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask

from ..core.context import request_context
from ..core.gateway import require_sandbox
from ..core.requests import json_body
from ..core.store import Scope
from . import listing, media, models, render, rpc
from .exceptions import InvalidRequest, ResourceNotFound, SandboxHeaderMissing, SandboxNotFound
from .standard import library

BASE_PATH = "/data/foundation/schemaregistry"
blueprint = flask.Blueprint("schemaregistry", __name__, url_prefix=BASE_PATH)

TENANT_PATHS = "schemas,fieldgroups,mixins,classes,datatypes"
GLOBAL_PATHS = TENANT_PATHS + ",behaviors"
# ``$id``s arrive URL-encoded: once decoded they hold ``//``, which must not be merged away.
ID_RULE = {"merge_slashes": False}


@blueprint.before_request
def _require_sandbox() -> None:
    require_sandbox(missing=SandboxHeaderMissing, unknown=SandboxNotFound)


def _scope() -> Scope:
    return request_context().scope


def _accept() -> str:
    return flask.request.headers.get("Accept", "")


def _body() -> Any:
    return json_body(InvalidRequest)


def _json(payload: Any, status: int = 200) -> flask.Response:
    response = flask.jsonify(payload)
    response.status_code = status
    return response


def _no_content() -> flask.Response:
    return flask.Response(status=204)


def _list_response(items: list[dict[str, Any]], render_item: Callable[[dict[str, Any]], dict[str, Any]],
                   global_link: str | None = None) -> flask.Response:
    args = flask.request.args
    query = listing.parse_query(args, args.getlist)
    page = listing.paginate(items, query)
    href = listing.next_link(flask.request.base_url, args, args.getlist, page)
    links: dict[str, Any] = {"next": {"href": href} if href else None}
    if global_link:
        root = flask.request.host_url.rstrip("/")
        links[f"global_{global_link}"] = {"href": f"{root}{BASE_PATH}/global/{global_link}"}
    return _json({
        "results": [render_item(item) for item in page.results],
        "_page": {"orderby": page.orderby, "next": page.next_start, "count": len(page.results)},
        "_links": links,
    })


# --- stats ---------------------------------------------------------------------------------------


@blueprint.get("/stats")
def get_stats():
    return _json(models.stats(_scope()))


# --- resources: list and lookup ------------------------------------------------------------------


@blueprint.get(f"/global/<any({GLOBAL_PATHS}):collection>")
def list_global(collection: str):
    accept = media.for_list(_accept())
    kind = models.STANDARD_KIND_BY_PATH[collection]
    bodies = [render.standard_body(entry) for entry in library().of_kind(kind)]
    link = "schemas" if collection == "schemas" else None
    return _list_response(bodies, lambda body: render.list_item(body, accept), link)


@blueprint.get(f"/global/<any({GLOBAL_PATHS}):collection>/<path:resource_id>", **ID_RULE)
def get_global(collection: str, resource_id: str):
    accept = media.for_lookup(_accept())
    kind = models.STANDARD_KIND_BY_PATH[collection]
    entry = library().find(resource_id, kind=kind)
    if entry is None:
        raise models.not_found(kind, resource_id)
    return _json(render.lookup_view(render.standard_body(entry), accept, lambda: entry["fields"]))


@blueprint.get(f"/tenant/<any({TENANT_PATHS}):collection>")
def list_tenant(collection: str):
    accept = media.for_list(_accept())
    kind = models.KIND_BY_PATH[collection]
    link = "schemas" if kind is models.SCHEMAS else None
    return _list_response(models.list_resources(_scope(), kind), lambda body: render.list_item(body, accept), link)


@blueprint.get(f"/tenant/<any({TENANT_PATHS}):collection>/<path:resource_id>", **ID_RULE)
def get_tenant(collection: str, resource_id: str):
    accept = media.for_lookup(_accept())
    scope = _scope()
    kind = models.KIND_BY_PATH[collection]
    if kind is models.SCHEMAS:
        class_id = models.union_class_of(scope, resource_id)
        if class_id is not None:  # unions are readable on the schemas path too
            return _union_view(scope, class_id, accept)
    body = models.require_resource(scope, kind, resource_id)
    return _json(render.lookup_view(body, accept, lambda: models.resource_fields(scope, kind, body)))


# --- resources: write ----------------------------------------------------------------------------


@blueprint.post(f"/tenant/<any({TENANT_PATHS}):collection>")
def create_resource(collection: str):
    body = models.create_resource(_scope(), models.KIND_BY_PATH[collection], _body())
    return _json(body, 201)


@blueprint.put(f"/tenant/<any({TENANT_PATHS}):collection>/<path:resource_id>", **ID_RULE)
def replace_resource(collection: str, resource_id: str):
    return _json(models.replace_resource(_scope(), models.KIND_BY_PATH[collection], resource_id, _body()))


@blueprint.patch(f"/tenant/<any({TENANT_PATHS}):collection>/<path:resource_id>", **ID_RULE)
def patch_resource(collection: str, resource_id: str):
    return _json(models.patch_resource(_scope(), models.KIND_BY_PATH[collection], resource_id, _body()))


@blueprint.delete(f"/tenant/<any({TENANT_PATHS}):collection>/<path:resource_id>", **ID_RULE)
def delete_resource(collection: str, resource_id: str):
    models.delete_resource(_scope(), models.KIND_BY_PATH[collection], resource_id)
    return _no_content()


# --- unions --------------------------------------------------------------------------------------


def _union_view(scope: Scope, class_id: str, accept: media.Accept) -> flask.Response:
    body = models.union_body(scope, class_id)
    return _json(render.lookup_view(body, accept, lambda: models.union_fields(scope, class_id)))


@blueprint.get("/tenant/unions")
def list_unions():
    accept = media.for_list(_accept())
    scope = _scope()
    unions = [models.union_body(scope, class_id) for class_id in models.union_classes(scope)]

    def item(body: dict[str, Any]) -> dict[str, Any]:
        if not accept.short:
            return body
        return {"title": body["title"], "$id": body["$id"], "meta:altId": body["meta:altId"], "version": "1"}

    return _list_response(unions, item)


@blueprint.get("/tenant/unions/<path:union_id>", **ID_RULE)
def get_union(union_id: str):
    accept = media.for_lookup(_accept())
    scope = _scope()
    class_id = models.union_class_of(scope, union_id)
    if class_id is None:
        raise ResourceNotFound(
            f"The requested union resource {union_id} with version 1 is not found.",
            code=models.NOT_FOUND_CODES["union"],
        )
    return _union_view(scope, class_id, accept)


# --- descriptors ---------------------------------------------------------------------------------


def _descriptor_listing(descriptors: list[dict[str, Any]], accept: media.Accept) -> dict[str, Any]:
    def item(descriptor: dict[str, Any]) -> Any:
        if accept.short:
            return descriptor["@id"]
        if accept.links:
            return f"/tenant/descriptors/{descriptor['@id']}"
        return descriptor

    if accept.paged:
        return {"results": [item(d) for d in descriptors], "_page": {"count": len(descriptors), "next": None},
                "_links": {}}
    grouped: dict[str, list[Any]] = {}
    for descriptor in descriptors:
        grouped.setdefault(descriptor["@type"], []).append(item(descriptor))
    return grouped


@blueprint.get("/<any(global,tenant):container>/descriptors")
def list_descriptors(container: str):
    accept = media.for_descriptor_list(_accept())
    args = flask.request.args
    query = listing.parse_query(args, args.getlist)
    descriptors = models.list_descriptors(_scope()) if container == "tenant" else []
    matching = [d for d in descriptors if all(f.matches(d) for f in query.filters)]
    return _json(_descriptor_listing(matching, accept))


@blueprint.get("/tenant/descriptors/<descriptor_id>")
def get_descriptor(descriptor_id: str):
    media.for_descriptor_lookup(_accept())
    return _json(models.require_descriptor(_scope(), descriptor_id))


@blueprint.post("/tenant/descriptors")
def create_descriptor():
    return _json(models.create_descriptor(_scope(), _body()), 201)


@blueprint.put("/tenant/descriptors/<descriptor_id>")
def replace_descriptor(descriptor_id: str):
    descriptor = models.replace_descriptor(_scope(), descriptor_id, _body())
    return _json({"@id": descriptor["@id"]}, 201)


@blueprint.delete("/tenant/descriptors/<descriptor_id>")
def delete_descriptor(descriptor_id: str):
    models.delete_descriptor(_scope(), descriptor_id)
    return _no_content()


# --- remote procedure calls (rpc.py) -------------------------------------------------------------


@blueprint.get("/rpc/export/<path:resource_id>", **ID_RULE)
def export_resource(resource_id: str):
    return _json(rpc.export(_scope(), resource_id))


@blueprint.post("/rpc/import")
def import_resources():
    return _json(rpc.import_resources(_scope(), _body()))


@blueprint.get("/rpc/sampledata/<path:schema_id>", **ID_RULE)
def sample_data(schema_id: str):
    return _json(rpc.sample_data(_scope(), schema_id))


@blueprint.get("/rpc/auditlog/<path:resource_id>", **ID_RULE)
def audit_log(resource_id: str):
    return _json(rpc.audit_log(_scope(), resource_id))
