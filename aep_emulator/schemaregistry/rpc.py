"""The Schema Registry's remote procedure calls: export, import, sample data and the audit log.

- ``GET /rpc/export/{RESOURCE_ID}`` (help/xdm/api/export.md; schema-registry.yaml
  ``importExportPayload``): the tenant resource and every tenant resource it builds on, dependencies
  first (data types, then field groups and classes, then the schema), each as the registry stores it
  without the per-sandbox bookkeeping (``meta:registryMetadata``, ``imsOrg``, ``refs``,
  ``meta:containerId``, ``meta:tenantNamespace``), the tenant id replaced by
  ``<XDM_TENANTID_PLACEHOLDER>``. Unknown or not a tenant resource: 404 (``notFoundError``).
- ``POST /rpc/import`` (help/xdm/api/import.md): the payload's resources created in the caller's
  sandbox, in order, with the caller's tenant id and the same ids, so references between them hold;
  the answer lists them as the registry now stores them. A resource whose id already exists there is
  left as it is (a re-import changes nothing; the platform's answer to this case is not documented).
  Any refusal (a title taken by another resource, an invalid resource) undoes the whole import and
  answers the spec's ``importError``: XDM-3005-400 "Import Resource Failed" with "Failed to import
  resources. Error: <why>" (its documented example).
- ``GET /rpc/sampledata/{SCHEMA_ID}``: one sample record of the schema, a value of the field's type
  for every field (the values are the emulator's: the platform's generator is not documented).
- ``GET /rpc/auditlog/{RESOURCE_ID}`` (help/xdm/api/audit-log.md): one entry per write of the resource
  or of a tenant resource it builds on, most recent first, ``auditTrails`` being the JSON Patch
  operations (``add``/``remove``/``replace``) between the two versions, with ``updatedUser``,
  ``imsOrg``, ``updated`` (ms), ``clientId`` and ``sandBoxId`` as the documented example shows.
"""

from __future__ import annotations

import json
from typing import Any

import jsonpatch

from ..core.context import request_context, sandbox_id
from ..core.store import Scope
from . import models
from .exceptions import XDMError

PLACEHOLDER = "<XDM_TENANTID_PLACEHOLDER>"
_AUDIT_KIND = "schemaregistry.auditlog"
_NOT_EXPORTED = frozenset(
    {"meta:registryMetadata", "imsOrg", "refs", "meta:containerId", "meta:tenantNamespace", "meta:usageCount"}
)
# Bookkeeping that changes on every write and is not the resource's content.
_NOT_AUDITED = frozenset({"meta:registryMetadata", "version"})
_ORDER = {"datatypes": 0, "classes": 1, "mixins": 1, "schemas": 2}


class ImportFailed(XDMError):
    """schema-registry.yaml ``importError``: the documented XDM-3005-400."""

    code = 3005
    title = "Import Resource Failed"

    def __init__(self, why: str) -> None:
        super().__init__(f"Failed to import resources. Error: {why}")


def _swap_tenant(document: Any, tenant: str, replacement: str) -> Any:
    text = json.dumps(document)
    text = text.replace(f"{models.NS_ROOT}{tenant}/", f"{models.NS_ROOT}{replacement}/").replace(
        f"_{tenant}", f"_{replacement}"
    )
    return json.loads(text)


def _require_tenant(scope: Scope, ref: str) -> tuple[models.Kind, dict[str, Any]]:
    found = models.find_tenant(scope, ref)
    if found is None:
        raise models.not_found("schema" if "/schemas/" in ref or ".schemas." in ref else "fieldgroup", ref)
    return found


def export(scope: Scope, ref: str) -> list[dict[str, Any]]:
    kind, body = _require_tenant(scope, ref)
    resources = {body["$id"]: (kind, body)}
    for dependency in models._dependencies(scope, body):
        found = models.find_tenant(scope, dependency)
        if found is not None:
            resources[found[1]["$id"]] = found
    ordered = sorted(resources.values(), key=lambda pair: _ORDER[pair[0].resource_type])
    payload = [{k: v for k, v in resource.items() if k not in _NOT_EXPORTED} for _, resource in ordered]
    return _swap_tenant(payload, models.tenant_id(), PLACEHOLDER)


def _import_one(scope: Scope, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or item.get("meta:resourceType") not in models.KIND_BY_RESOURCE_TYPE:
        raise ImportFailed("every item is an exported resource with a meta:resourceType")
    kind = models.KIND_BY_RESOURCE_TYPE[item["meta:resourceType"]]
    resource_id = item.get("$id", "")
    if models._kind_of_id(resource_id) is not kind:
        raise ImportFailed(f"'{resource_id}' is not a {kind.label} id of this tenant")
    existing = models.get_resource(scope, kind, resource_id)
    if existing is not None:
        return existing
    payload = {k: v for k, v in item.items() if k not in models.SERVER_OWNED or k == "meta:class"}
    body = models._build(scope, kind, payload, None)
    body["$id"], body["meta:altId"] = resource_id, models.alt_id_of(resource_id)
    models._check_title_unique(scope, body["title"], resource_id)
    if kind is models.SCHEMAS:
        models._validate_schema(scope, body, None)
    models._stamp(body, None)
    models._store().put(scope, kind.store_kind, resource_id, body)
    record(scope, kind, None, body)
    return body


def import_resources(scope: Scope, payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, list) or not payload:
        raise ImportFailed("the body must be the non-empty array an export answers")
    items = _swap_tenant(payload, PLACEHOLDER, models.tenant_id())
    try:
        with models._store().transaction():
            return [_import_one(scope, item) for item in items]
    except ImportFailed:
        raise
    except XDMError as exc:
        raise ImportFailed(exc.detail) from None


_SAMPLES: dict[str, Any] = {"string": "Sample value", "integer": 1, "number": 1.5, "boolean": True}


def _sample(types: dict[str, str], prefix: str) -> dict[str, Any]:
    """A sample object for the fields directly under ``prefix`` ("" for the root)."""
    sample: dict[str, Any] = {}
    for path, xdm_type in sorted(types.items()):
        rest = path[len(prefix) :] if path.startswith(prefix) else None
        if not rest or "." in rest:
            continue
        children = _sample(types, path + ".")
        if xdm_type == "array":
            sample[rest] = [children] if children else []  # one item, built from the items' fields
        elif xdm_type in ("object", "map"):
            sample[rest] = children
        else:
            sample[rest] = _SAMPLES.get(xdm_type, "Sample value")
    return sample


def sample_data(scope: Scope, ref: str) -> dict[str, Any]:
    schema = models.find_schema(scope, ref)
    if schema is None:
        raise models.not_found("schema", ref)
    return _sample(models.schema_field_paths(scope, schema["$id"]), "")


# --- the audit log ------------------------------------------------------------------------------


def record(scope: Scope, kind: models.Kind, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """Log one write of a tenant resource (called by models' create and update)."""
    content = lambda body: {k: v for k, v in (body or {}).items() if k not in _NOT_AUDITED}  # noqa: E731
    trails = [
        {"id": after["$id"], "xdmType": kind.resource_type, "action": op["op"], "path": op["path"],
         **({"value": op["value"]} if "value" in op else {})}
        for op in jsonpatch.make_patch(content(before), content(after)).patch
    ]  # fmt: skip
    if not trails:
        return
    ctx = request_context()
    entry = {
        "id": after["$id"], "auditTrails": trails, "updatedUser": ctx.user_id, "imsOrg": scope[0],
        "updated": models.now_ms(), "clientId": ctx.client_id, "sandBoxId": sandbox_id(scope),
    }  # fmt: skip
    log = models._store().get(scope, _AUDIT_KIND, after["$id"]) or {"entries": []}
    log["entries"].append(entry)
    models._store().put(scope, _AUDIT_KIND, after["$id"], log)


def audit_log(scope: Scope, ref: str) -> list[dict[str, Any]]:
    _, body = _require_tenant(scope, ref)
    ids = [body["$id"], *sorted(d for d in models._dependencies(scope, body) if models.find_tenant(scope, d))]
    # Newest first; the sort is stable, so writes in the same millisecond keep their order.
    entries = [e for i in ids for e in reversed((models._store().get(scope, _AUDIT_KIND, i) or {"entries": []})["entries"])]
    return sorted(entries, key=lambda e: e["updated"], reverse=True)
