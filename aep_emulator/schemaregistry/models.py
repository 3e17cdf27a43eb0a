"""Schema Registry backend: tenant resources, descriptors and unions, and the rules AEP enforces.

Tenant resources (schemas, field groups, classes, data types) are stored as AEP shows them with
``application/vnd.adobe.xed+json`` (one document per ``$id``, per sandbox). Field trees are not
stored: they are resolved on demand from the standard catalogue (``standard.py``) and the tenant
resources of the same sandbox, so a change to a field group is seen at once by every schema using it.

The functions at the end (``find_schema``, ``schema_field_paths``, ``schema_is_union_enabled``,
``find_field_group``) are the contract other emulated services call; they take ``scope`` first.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import flask
import jsonpatch
import jsonpointer

from ..core.context import request_context, sandbox_id, sandbox_type, state
from ..core.store import Scope
from .exceptions import (
    BreakingChange,
    DescriptorInvalid,
    DuplicatePrimaryIdentity,
    FieldConflict,
    IncompatibleFieldGroup,
    InvalidComposition,
    InvalidPatch,
    InvalidRequest,
    MergeConflict,
    NamespaceError,
    ReadOnlyAttribute,
    ResourceInUse,
    ResourceNotFound,
    TitleNotUnique,
    UnionIdentityMissing,
    UnionTagIrreversible,
    UnresolvedReference,
)
from .fields import Field, FieldMap, conflicting_paths, json_pointer_to_path, keep_name, leaf_types, members, xdm_type
from .render import standard_body
from .standard import GLOBAL_LIB_VERSION, library

UNION_TAG = "union"
UNION_SUFFIX = "__union"
NS_ROOT = "https://ns.adobe.com/"


# --- resource kinds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A tenant resource family: ``meta:resourceType`` (also the ``$id`` path segment)."""

    resource_type: str
    label: str
    component: str  # the kind name the composition rules use (class, fieldgroup, datatype, schema)
    user_keys: frozenset[str]

    @property
    def store_kind(self) -> str:
        return f"schemaregistry.{self.resource_type}"


_COMMON_KEYS = {"type", "title", "description", "allOf"}
SCHEMAS = Kind("schemas", "schema", "schema", frozenset(_COMMON_KEYS | {"meta:class", "meta:immutableTags"}))
FIELD_GROUPS = Kind("mixins", "field group", "fieldgroup",
                    frozenset(_COMMON_KEYS | {"definitions", "meta:intendedToExtend"}))
CLASSES = Kind("classes", "class", "class", frozenset(_COMMON_KEYS | {"definitions"}))
DATATYPES = Kind("datatypes", "data type", "datatype", frozenset(_COMMON_KEYS | {"definitions", "properties"}))
TENANT_KINDS = (SCHEMAS, FIELD_GROUPS, CLASSES, DATATYPES)
KIND_BY_RESOURCE_TYPE = {k.resource_type: k for k in TENANT_KINDS}
# URL path segment -> kind; ``fieldgroups`` and the deprecated ``mixins`` are the same resources.
KIND_BY_PATH = {"schemas": SCHEMAS, "fieldgroups": FIELD_GROUPS, "mixins": FIELD_GROUPS, "classes": CLASSES,
                "datatypes": DATATYPES}
# Catalogue kind behind each global listing path (no standard schemas are shipped).
STANDARD_KIND_BY_PATH = {"classes": "class", "fieldgroups": "fieldgroup", "mixins": "fieldgroup",
                         "datatypes": "datatype", "behaviors": "behavior", "schemas": "schema"}
# 404 codes per resource kind (AEP documents the range 1010-1017, not the mapping).
NOT_FOUND_CODES = {"class": 1010, "fieldgroup": 1011, "schema": 1012, "datatype": 1013, "behavior": 1014,
                   "descriptor": 1015, "union": 1016}
DESCRIPTORS_STORE_KIND = "schemaregistry.descriptors"

# Attributes the registry computes: accepted in a body (clients PUT what they GET) but never taken from it.
SERVER_OWNED = frozenset({
    "$id", "meta:altId", "meta:resourceType", "version", "refs", "imsOrg", "meta:registryMetadata",
    "meta:containerId", "meta:sandboxId", "meta:sandboxType", "meta:tenantNamespace", "meta:xdmType",
    "meta:extends", "meta:extensible", "meta:abstract", "$schema", "meta:usageCount", "meta:createdDate",
})
FIELD_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array"})
FIELD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")


# --- identifiers, time, sandbox facts ------------------------------------------------------------


def tenant_id() -> str:
    return state().config.tenant_id


def tenant_namespace() -> str:
    return "_" + tenant_id()


def alt_id_of(resource_id: str) -> str:
    """``https://ns.adobe.com/acme/schemas/ab12`` -> ``_acme.schemas.ab12``."""
    rest = resource_id[len(NS_ROOT):] if resource_id.startswith(NS_ROOT) else resource_id.split("://", 1)[-1]
    return "_" + rest.replace("/", ".")


def id_of_alt(alt_id: str) -> str | None:
    """The inverse of ``alt_id_of`` for registry ids (``_acme.schemas.ab12``)."""
    return NS_ROOT + alt_id[1:].replace(".", "/") if alt_id.startswith("_") and "/" not in alt_id else None


def _canonical_id(ref: str) -> str:
    return ref if "://" in ref else (id_of_alt(ref) or ref)


def now_ms() -> int:
    return int(time.time() * 1000)


def sandbox_facts(scope: Scope) -> dict[str, str]:
    """``meta:sandboxId`` (stable per org and sandbox) and ``meta:sandboxType``."""
    return {"meta:sandboxId": sandbox_id(scope), "meta:sandboxType": sandbox_type(scope[1])}


def _etag(body: dict[str, Any]) -> str:
    content = {k: v for k, v in body.items() if k != "meta:registryMetadata"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _next_version(version: str) -> str:
    """Minor bump: "1.0" -> "1.1" -> ... -> "1.10"."""
    major, _, minor = version.partition(".")
    return f"{major}.{int(minor or 0) + 1}"


def _registry_metadata(previous: dict[str, Any] | None) -> dict[str, Any]:
    ctx = request_context()
    now = now_ms()
    before = (previous or {}).get("meta:registryMetadata") or {}
    return {
        "repo:createdDate": before.get("repo:createdDate", now),
        "repo:lastModifiedDate": now,
        "xdm:createdClientId": before.get("xdm:createdClientId", ctx.client_id),
        "xdm:repositoryCreatedBy": before.get("xdm:repositoryCreatedBy", ctx.user_id),  # older docs' name
        "xdm:lastModifiedClientId": ctx.client_id,
        "xdm:createdUserId": before.get("xdm:createdUserId", ctx.user_id),
        "xdm:lastModifiedUserId": ctx.user_id,
        "eTag": "",
        "meta:globalLibVersion": GLOBAL_LIB_VERSION,
    }


def _stamp(body: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """Version (new: "1.0"; update: minor bump), registry metadata and a fresh eTag."""
    body["version"] = _next_version(previous["version"]) if previous else "1.0"
    body["meta:registryMetadata"] = _registry_metadata(previous)
    body["meta:registryMetadata"]["eTag"] = _etag(body)


# --- lookups -------------------------------------------------------------------------------------


def _store():
    return state().store


def get_resource(scope: Scope, kind: Kind, ref: str) -> dict[str, Any] | None:
    """A tenant resource by ``$id`` or ``meta:altId``."""
    return _store().get(scope, kind.store_kind, _canonical_id(ref))


def not_found(kind_name: str, ref: str) -> ResourceNotFound:
    label = {"fieldgroup": "field group", "datatype": "data type"}.get(kind_name, kind_name)
    return ResourceNotFound(
        f"The requested {label} resource {ref} with version 1 is not found.", code=NOT_FOUND_CODES[kind_name]
    )


def require_resource(scope: Scope, kind: Kind, ref: str) -> dict[str, Any]:
    body = get_resource(scope, kind, ref)
    if body is None:
        raise not_found(kind.component, ref)
    return body


def _kind_of_id(resource_id: str) -> Kind | None:
    prefix = f"{NS_ROOT}{tenant_id()}/"
    if not resource_id.startswith(prefix):
        return None
    return KIND_BY_RESOURCE_TYPE.get(resource_id[len(prefix):].split("/", 1)[0])


def find_tenant(scope: Scope, ref: str) -> tuple[Kind, dict[str, Any]] | None:
    resource_id = _canonical_id(ref)
    kind = _kind_of_id(resource_id)
    if kind is None:
        return None
    body = _store().get(scope, kind.store_kind, resource_id)
    return (kind, body) if body is not None else None


def list_resources(scope: Scope, kind: Kind) -> list[dict[str, Any]]:
    return _store().list(scope, kind.store_kind)


def _all_tenant_resources(scope: Scope) -> Iterable[tuple[Kind, dict[str, Any]]]:
    for kind in TENANT_KINDS:
        for body in list_resources(scope, kind):
            yield kind, body


# --- components and field trees ------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    """A resource a composition can name: from the standard catalogue or the sandbox."""

    id: str
    kind: str  # class | fieldgroup | datatype | behavior | schema
    title: str
    description: str
    extends: tuple[str, ...]
    intended_to_extend: tuple[str, ...]
    standard_fields: FieldMap | None = None
    body: dict[str, Any] | None = None


def component(scope: Scope, ref: str) -> Component | None:
    entry = library().find(ref)
    if entry is not None:
        return Component(entry["$id"], entry["kind"], entry["title"], entry.get("description", ""),
                         tuple(entry.get("meta:extends", ())), tuple(entry.get("meta:intendedToExtend", ())),
                         standard_fields=entry["fields"])
    found = find_tenant(scope, ref)
    return _tenant_component(*found) if found is not None else None


def _tenant_component(kind: Kind, body: dict[str, Any]) -> Component:
    return Component(body["$id"], kind.component, body.get("title", ""), body.get("description", ""),
                     tuple(body.get("meta:extends", ())), tuple(body.get("meta:intendedToExtend", ())), body=body)


def _local_node(doc: dict[str, Any], ref: str) -> dict[str, Any] | None:
    try:
        node = jsonpointer.resolve_pointer(doc, ref[1:])
    except (jsonpointer.JsonPointerException, TypeError):
        return None
    return node if isinstance(node, dict) else None


class TenantResolver:
    """Resolves ``$ref``s of tenant resources: local definitions, the catalogue, the sandbox."""

    annotates = True  # xed-full shows tenant fields' descriptions and meta:referencedFrom

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._active: set[str] = set()

    def _guarded(self, key: str, compute) -> FieldMap:
        if key in self._active:  # a resource that contains itself
            return {}
        self._active.add(key)
        try:
            return compute()
        finally:
            self._active.discard(key)

    def fields_of(self, ref: str, doc: dict[str, Any]) -> FieldMap:
        if ref.startswith("#"):
            node = _local_node(doc, ref)
            if node is None:
                return {}
            return self._guarded(f"{doc.get('$id')}{ref}", lambda: members(node, doc, self, keep_name))
        comp = component(self.scope, ref)
        if comp is None:
            return {}
        return self._guarded(comp.id, lambda: self.component_fields(comp))

    def component_fields(self, comp: Component) -> FieldMap:
        if comp.standard_fields is not None:
            return comp.standard_fields
        assert comp.body is not None
        if comp.kind == "schema":
            return schema_fields(self.scope, comp.body)
        return members(comp.body, comp.body, self, keep_name)

    def describe(self, ref: str, doc: dict[str, Any]) -> Field:
        if ref.startswith("#"):
            node = _local_node(doc, ref) or {}
            described: Field = {"type": xdm_type(node) or "object"}
            if isinstance(node.get("title"), str):
                described["title"] = node["title"]
            return described
        comp = component(self.scope, ref)
        return {"type": "object", "title": comp.title} if comp and comp.title else {"type": "object"}


def all_of_refs(body: dict[str, Any]) -> list[str]:
    return [part["$ref"] for part in body.get("allOf") or [] if isinstance(part, dict) and "$ref" in part]


def merged_parts(scope: Scope, body: dict[str, Any], label: str) -> FieldMap:
    """Fields of a resource's ``allOf`` parts, in order; one path given two types is refused."""
    resolver = TenantResolver(scope)
    out: FieldMap = {}
    owner: dict[str, str] = {}
    for ref in all_of_refs(body):
        fields = resolver.fields_of(ref, body)
        for path, first, second in conflicting_paths(out, fields):
            raise FieldConflict(
                f"The field {path} is defined as {first} by {owner[path]} and as {second} by {ref}; "
                f"a {label} cannot define one path with two types."
            )
        for path, field in fields.items():
            if path not in out:
                out[path] = field
                owner[path] = ref
    return out


def schema_fields(scope: Scope, body: dict[str, Any]) -> FieldMap:
    return merged_parts(scope, body, SCHEMAS.label)


def resource_fields(scope: Scope, kind: Kind, body: dict[str, Any]) -> FieldMap:
    """Resolved fields of any tenant resource (what ``xed-full`` shows)."""
    if kind is SCHEMAS:
        return schema_fields(scope, body)
    return TenantResolver(scope).component_fields(_tenant_component(kind, body))


def _direct_refs(node: Any) -> list[str]:
    """Other resources a document names anywhere (``#/...`` local references excluded)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#") and ref not in found:
                found.append(ref)
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk({k: v for k, v in node.items() if k in ("allOf", "definitions", "properties")})
    return found


def _dependencies(scope: Scope, body: dict[str, Any]) -> set[str]:
    """Every resource a tenant resource builds on, through tenant resources transitively."""
    seen: set[str] = set()
    pending = [_canonical_id(r) for r in _direct_refs(body)]
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        found = find_tenant(scope, ref)
        if found is not None:
            pending.extend(_canonical_id(r) for r in _direct_refs(found[1]))
    return seen


def _extends_closure(scope: Scope, comps: Iterable[Component]) -> list[str]:
    """``meta:extends`` of a composition: its parts and everything they extend."""
    out: list[str] = []
    pending = list(comps)
    while pending:
        comp = pending.pop(0)
        if comp.id in out:
            continue
        out.append(comp.id)
        for parent in comp.extends:
            parent_comp = component(scope, parent)
            if parent_comp is not None:
                pending.append(parent_comp)
            elif parent not in out:
                out.append(parent)
    return out


# --- request body checks -------------------------------------------------------------------------


def _check_keys(kind: Kind, payload: dict[str, Any]) -> None:
    for key in payload:
        if key in kind.user_keys or key in SERVER_OWNED or key.startswith("meta:"):
            continue
        raise InvalidRequest(f"Unknown attribute '{key}' for a {kind.label}.")


def _check_identity(payload: dict[str, Any], existing: dict[str, Any] | None) -> None:
    if existing is None:
        return
    for key in ("$id", "meta:altId"):
        if key in payload and payload[key] != existing[key]:
            raise ReadOnlyAttribute(f"'{key}' is assigned by the registry and cannot change ({existing[key]}).")


def _text(payload: dict[str, Any], key: str, required: bool) -> str:
    value = payload.get(key)
    if value is None:
        if required:
            raise InvalidRequest(f"'{key}' is required.")
        return ""
    if not isinstance(value, str):
        raise InvalidRequest(f"'{key}' must be a string.")
    if required and not value.strip():
        raise InvalidRequest(f"'{key}' must not be empty.")
    return value


def _check_object_type(payload: dict[str, Any]) -> None:
    if payload.get("type") != "object":
        raise InvalidRequest("'type' is required and must be 'object'.")


def _ref_list(payload: dict[str, Any], key: str, required: bool) -> list[str]:
    value = payload.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise InvalidRequest(f"'{key}' must be a non-empty array of {{\"$ref\": ...}} objects.")
    refs: list[str] = []
    for part in value:
        if not isinstance(part, dict) or not isinstance(part.get("$ref"), str) or not part["$ref"]:
            raise InvalidRequest(f"Every '{key}' entry must be an object with a string '$ref'.")
        if part["$ref"] not in refs:
            refs.append(part["$ref"])
    return refs


def _string_list(payload: dict[str, Any], key: str) -> list[str]:
    value = payload.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InvalidRequest(f"'{key}' is required and must be an array of strings.")
    return list(dict.fromkeys(value))


def _annotated(refs: list[str]) -> list[dict[str, str]]:
    return [{"$ref": ref, "type": "object", "meta:xdmType": "object"} for ref in refs]


def _check_field(scope: Scope, node: Any, pointer: str) -> None:
    """One custom field definition: a known type (or a data type ``$ref``) all the way down."""
    if not isinstance(node, dict):
        raise InvalidRequest(f"The field {pointer} must be a JSON object.")
    ref = node.get("$ref")
    if ref is not None:
        target = component(scope, ref) if isinstance(ref, str) else None
        if target is None or target.kind != "datatype":
            raise UnresolvedReference(f"The field {pointer} refers to {ref}, which is not a known data type.")
        return
    json_type = node.get("type", "object" if "properties" in node else None)
    if json_type not in FIELD_TYPES:
        raise InvalidRequest(
            f"The field {pointer} has an invalid type {json_type!r}; use one of {sorted(FIELD_TYPES)}."
        )
    if "meta:xdmType" in node and not isinstance(node["meta:xdmType"], str):
        raise InvalidRequest(f"'meta:xdmType' of {pointer} must be a string.")
    if json_type == "object":
        _check_members(scope, node, pointer)
    elif json_type == "array":
        if not isinstance(node.get("items"), dict):
            raise InvalidRequest(f"The array field {pointer} needs an 'items' object.")
        _check_field(scope, node["items"], f"{pointer}/items")


def _check_members(scope: Scope, node: dict[str, Any], pointer: str) -> None:
    properties = node.get("properties", {})
    if not isinstance(properties, dict):
        raise InvalidRequest(f"'properties' of {pointer or 'the resource'} must be an object.")
    for name, child in properties.items():
        if not FIELD_NAME.match(name):
            raise NamespaceError(
                f"The field name '{name}' at {pointer or '/'} is not valid: use letters, digits, '_' and '-'.",
                code=1024,
            )
        _check_field(scope, child, f"{pointer}/{name}")


def _check_namespace(definition: dict[str, Any], pointer: str) -> None:
    """Custom fields of field groups and classes live under ``_{TENANT_ID}`` only."""
    namespace = tenant_namespace()
    properties = definition.get("properties", {})
    if not isinstance(properties, dict):
        raise InvalidRequest(f"'properties' of {pointer} must be an object.")
    for name, child in properties.items():
        if name == namespace:
            if not isinstance(child, dict) or child.get("type", "object") != "object":
                raise NamespaceError(f"The tenant namespace field {namespace} must be an object.", code=1020)
            continue
        if ":" in name or name.startswith("@"):
            raise NamespaceError(
                f"The field {name} uses a standard XDM namespace; custom fields belong under {namespace}.",
                code=1023,
            )
        if name.startswith("_"):
            raise NamespaceError(
                f"The field {name} is in another tenant's namespace; custom fields belong under {namespace}.",
                code=1022,
            )
        raise NamespaceError(
            "A custom field is defined under an invalid namespace. All custom fields must be defined under a "
            f"top-level field named {namespace}.",
            code=1021,
        )


def _with_xdm_types(node: Any) -> Any:
    """A copy of a field tree with ``meta:xdmType`` filled in, as the registry stores definitions."""
    if not isinstance(node, dict):
        return node
    out = dict(node)
    if "type" in out and "meta:xdmType" not in out:
        out["meta:xdmType"] = xdm_type(out) or out["type"]
    if "type" in out and out["type"] != "object":
        # A stored leaf field says whether it is required (help/xdm/api/field-groups.md, lookup response).
        out.setdefault("isRequired", False)
    if isinstance(out.get("properties"), dict):
        out["properties"] = {name: _with_xdm_types(child) for name, child in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = _with_xdm_types(out["items"])
    return out


def _definitions(scope: Scope, kind: Kind, payload: dict[str, Any]) -> dict[str, Any]:
    definitions = payload.get("definitions", {})
    if not isinstance(definitions, dict) or not all(isinstance(v, dict) for v in definitions.values()):
        raise InvalidRequest("'definitions' must be an object of field definitions.")
    for name, definition in definitions.items():
        pointer = f"/definitions/{name}"
        if kind in (FIELD_GROUPS, CLASSES):
            _check_namespace(definition, pointer)
        _check_members(scope, definition, pointer)
    return {name: _with_xdm_types(definition) for name, definition in definitions.items()}


def _check_parts(scope: Scope, kind: Kind, refs: list[str], definitions: dict[str, Any],
                 allowed: tuple[str, ...]) -> list[Component]:
    """``allOf`` of a field group, class or data type: local definitions or resources of allowed kinds."""
    parts: list[Component] = []
    for ref in refs:
        if ref.startswith("#"):
            if _local_node({"definitions": definitions}, ref) is None:
                raise UnresolvedReference(f"The reference {ref} does not name an entry of 'definitions'.")
            continue
        comp = component(scope, ref)
        if comp is None:
            raise UnresolvedReference(f"The reference {ref} does not resolve in the global container or this sandbox.")
        if comp.kind not in allowed:
            raise InvalidComposition(f"A {kind.label} cannot include the {comp.kind} {ref} in its allOf.")
        parts.append(comp)
    return parts


# --- building stored documents -------------------------------------------------------------------


def _new_id(kind: Kind) -> str:
    return f"{NS_ROOT}{tenant_id()}/{kind.resource_type}/{secrets.token_hex(16)}"


def _envelope(scope: Scope, kind: Kind, payload: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    """The attributes every tenant resource starts with, in the registry's order."""
    resource_id = existing["$id"] if existing else _new_id(kind)
    return {
        "$id": resource_id,
        "meta:altId": alt_id_of(resource_id),
        "meta:resourceType": kind.resource_type,
        "version": existing["version"] if existing else "1.0",
        "title": _text(payload, "title", required=True),
        "type": "object",
        "description": _text(payload, "description", required=False),
    }


def _closing(scope: Scope, **before_container: Any) -> dict[str, Any]:
    """The trailing attributes (``before_container`` goes right after the registry metadata)."""
    return {
        "meta:registryMetadata": {},
        **before_container,
        "meta:containerId": "tenant",
        **sandbox_facts(scope),
        "meta:tenantNamespace": tenant_namespace(),
    }


def _check_claims(kind: Kind, payload: dict[str, Any]) -> None:
    """Attributes a client may send but not set differently (the seeds send them on create)."""
    if payload.get("meta:containerId", "tenant") != "tenant":
        raise InvalidRequest("'meta:containerId' must be 'tenant': only the tenant container is writable.")
    if payload.get("meta:resourceType", kind.resource_type) != kind.resource_type:
        raise InvalidRequest(f"'meta:resourceType' must be '{kind.resource_type}' on this path.")


def _immutable_tags(payload: dict[str, Any], existing: dict[str, Any] | None) -> list[str]:
    before = (existing or {}).get("meta:immutableTags") or []
    if "meta:immutableTags" not in payload:
        return list(before)  # a PUT that leaves the attribute out keeps it: it is immutable
    tags = payload["meta:immutableTags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidRequest("'meta:immutableTags' must be an array of strings.")
    unknown = sorted(set(tags) - {UNION_TAG})
    if unknown:
        raise InvalidRequest(f"Unknown immutable tag(s) {unknown}: only '{UNION_TAG}' is supported.")
    if UNION_TAG in before and UNION_TAG not in tags:
        raise UnionTagIrreversible(_irreversible_message(existing["$id"]))
    return [UNION_TAG] if tags else []


def _irreversible_message(resource_id: str) -> str:
    return f"The schema {resource_id} is enabled for Profile; the 'union' tag cannot be removed or replaced."


def _schema_parts(scope: Scope, refs: list[str]) -> tuple[Component, list[Component]]:
    """The parts a schema's ``allOf`` names, in order, and its class: exactly one class, the rest field
    groups meant for that class."""
    parts: list[Component] = []
    for ref in refs:
        comp = component(scope, ref)
        if comp is None:
            raise UnresolvedReference(
                f"The reference {ref} does not resolve to a class or field group in the global container or "
                f"in sandbox {scope[1]}."
            )
        if comp.kind not in ("class", "fieldgroup"):
            raise InvalidComposition(f"{ref} is a {comp.kind}; a schema's allOf lists one class and field groups.")
        parts.append(comp)
    classes = [c for c in parts if c.kind == "class"]
    if len(classes) != 1:
        raise InvalidComposition(f"A schema must reference exactly one class in allOf; found {len(classes)}.")
    xdm_class = classes[0]
    class_line = {xdm_class.id, *xdm_class.extends}
    for group in parts:
        if group.kind == "fieldgroup" and group.intended_to_extend and not class_line & set(group.intended_to_extend):
            raise IncompatibleFieldGroup(
                f"The field group {group.id} is intended to extend {list(group.intended_to_extend)}, "
                f"not the class {xdm_class.id}."
            )
    return xdm_class, parts


def _build_schema(scope: Scope, payload: dict[str, Any], existing: dict[str, Any] | None) -> dict[str, Any]:
    _check_object_type(payload)
    xdm_class, parts = _schema_parts(scope, _ref_list(payload, "allOf", required=True))
    if existing is not None and existing["meta:class"] != xdm_class.id:
        raise ReadOnlyAttribute(f"The class of a schema cannot change (it is {existing['meta:class']}).")
    claimed = payload.get("meta:class", xdm_class.id)
    if claimed != xdm_class.id:
        raise InvalidRequest(f"'meta:class' ({claimed}) must be the class listed in allOf ({xdm_class.id}).")
    body = _envelope(scope, SCHEMAS, payload, existing)
    body.update({
        "allOf": _annotated([c.id for c in parts]),
        "refs": [c.id for c in parts],
        "imsOrg": scope[0],
        "meta:extensible": False,
        "meta:abstract": False,
        "meta:extends": _extends_closure(scope, parts),
        "meta:xdmType": "object",
        **_closing(scope, **{"meta:class": xdm_class.id}),
    })
    tags = _immutable_tags(payload, existing)
    if tags:
        body["meta:immutableTags"] = tags
    return body


def _build_component(
    scope: Scope, kind: Kind, payload: dict[str, Any], existing: dict[str, Any] | None
) -> dict[str, Any]:
    """Field groups, classes and data types: custom fields in ``definitions`` composed by ``allOf``."""
    _check_object_type(payload)
    definitions = _definitions(scope, kind, payload)
    refs = _ref_list(payload, "allOf", required=kind is CLASSES)
    allowed = {"mixins": ("fieldgroup", "datatype"), "classes": ("behavior",), "datatypes": ("datatype",)}
    parts = _check_parts(scope, kind, refs, definitions, allowed[kind.resource_type])
    body = _envelope(scope, kind, payload, existing)
    if kind is DATATYPES and "properties" in payload:
        _check_members(scope, payload, "")
        body["properties"] = _with_xdm_types(payload)["properties"]
    body["definitions"] = definitions
    body["allOf"] = _annotated(refs)
    body["imsOrg"] = scope[0]
    body["meta:extensible"] = True
    body["meta:abstract"] = True
    if kind is FIELD_GROUPS:
        intended = _string_list(payload, "meta:intendedToExtend")
        for class_id in intended:
            target = component(scope, class_id)
            if target is None or target.kind != "class":
                raise UnresolvedReference(f"'meta:intendedToExtend' names {class_id}, which is not a known class.")
        body["meta:intendedToExtend"] = intended
    if kind is CLASSES:
        behaviors = [p for p in parts if p.kind == "behavior"]
        if len(behaviors) != 1:
            raise InvalidComposition(f"A class must include exactly one behavior in allOf; found {len(behaviors)}.")
        body["meta:extends"] = _extends_closure(scope, behaviors)
    body["meta:xdmType"] = "object"
    body.update(_closing(scope))
    merged_parts(scope, body, kind.label)  # refuses a path given two types by the parts
    return body


def _build(scope: Scope, kind: Kind, payload: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidRequest(f"The body must be a JSON object describing a {kind.label}.")
    _check_keys(kind, payload)
    _check_identity(payload, existing)
    _check_claims(kind, payload)
    if kind is SCHEMAS:
        return _build_schema(scope, payload, existing)
    return _build_component(scope, kind, payload, existing)


# --- rules across resources ----------------------------------------------------------------------


def _check_title_unique(scope: Scope, title: str, own_id: str) -> None:
    for _, body in _all_tenant_resources(scope):
        if body.get("title") == title and body["$id"] != own_id:
            raise TitleNotUnique(
                f"Object titles must be unique. An object {body['$id']} already exists with the same title"
            )


def union_enabled(body: dict[str, Any]) -> bool:
    return UNION_TAG in (body.get("meta:immutableTags") or [])


def _check_additive(before: dict[str, Any], before_fields: FieldMap, after: dict[str, Any],
                    after_fields: FieldMap) -> None:
    """Profile-enabled schemas only grow: no part, field or type may go away."""
    schema_id = after["$id"]
    kept = set(all_of_refs(after))
    for ref in all_of_refs(before):
        if ref not in kept:
            raise BreakingChange(
                f"The schema {schema_id} is enabled for Profile: {ref} cannot be removed from its allOf; "
                "only additive changes are allowed."
            )
    for path, field in before_fields.items():
        now = after_fields.get(path)
        if now is None:
            raise BreakingChange(f"The schema {schema_id} is enabled for Profile: the field {path} cannot be removed.")
        if now["type"] != field["type"]:
            raise BreakingChange(
                f"The schema {schema_id} is enabled for Profile: the field {path} cannot change type "
                f"from {field['type']} to {now['type']}."
            )


def _check_merge(scope: Scope, body: dict[str, Any], fields: FieldMap) -> None:
    """Every Profile-enabled schema of a class must merge into one union without type clashes."""
    for other in union_members(scope, body["meta:class"]):
        if other["$id"] == body["$id"]:
            continue
        for path, theirs, ours in conflicting_paths(schema_fields(scope, other), fields):
            raise MergeConflict(
                "Cannot merge incompatible data types. The path /" + path.replace(".", "/")
                + f" has already been defined in schema (id={other['$id'].rsplit('/', 1)[-1]}) using a "
                f"different data type. Types: {theirs}, {ours}"
            )


def _validate_schema(scope: Scope, body: dict[str, Any], before: tuple[dict[str, Any], FieldMap] | None) -> None:
    """Rules that depend on the resolved fields: conflicts, Profile preconditions, evolution, merge."""
    fields = schema_fields(scope, body)
    if not union_enabled(body):
        return
    if "identityMap" not in fields and primary_identity(scope, body["$id"]) is None:
        raise UnionIdentityMissing()
    if before is not None and union_enabled(before[0]):
        _check_additive(before[0], before[1], body, fields)
    _check_merge(scope, body, fields)


def _dependent_schemas(scope: Scope, resource_id: str) -> list[dict[str, Any]]:
    return [s for s in list_resources(scope, SCHEMAS) if resource_id in _dependencies(scope, s)]


def _users(scope: Scope, resource_id: str) -> list[str]:
    """Tenant resources that name ``resource_id`` directly."""
    return [
        body["$id"] for _, body in _all_tenant_resources(scope)
        if body["$id"] != resource_id and resource_id in {_canonical_id(r) for r in _direct_refs(body)}
    ]


def _datasets_using(scope: Scope, schema_id: str) -> list[str]:
    try:
        from ..catalog.models import datasets_using_schema
    except ImportError:  # Catalog not emulated (yet): nothing can use the schema
        return []
    return list(datasets_using_schema(scope, schema_id))


# --- write operations ----------------------------------------------------------------------------


def create_resource(scope: Scope, kind: Kind, payload: Any) -> dict[str, Any]:
    with _store().transaction():
        body = _build(scope, kind, payload, None)
        _check_title_unique(scope, body["title"], body["$id"])
        if kind is SCHEMAS:
            _validate_schema(scope, body, None)
        _stamp(body, None)
        _store().put(scope, kind.store_kind, body["$id"], body)
        _audit(scope, kind, None, body)
    return body


def replace_resource(scope: Scope, kind: Kind, ref: str, payload: Any) -> dict[str, Any]:
    with _store().transaction():
        existing = require_resource(scope, kind, ref)
        return _commit_update(scope, kind, existing, _build(scope, kind, payload, existing))


def patch_resource(scope: Scope, kind: Kind, ref: str, operations: Any) -> dict[str, Any]:
    _check_patch(operations)
    with _store().transaction():
        existing = require_resource(scope, kind, ref)
        patched = _apply_patch(existing, operations)
        if union_enabled(existing) and not union_enabled(patched if isinstance(patched, dict) else {}):
            raise UnionTagIrreversible(_irreversible_message(existing["$id"]))
        return _commit_update(scope, kind, existing, _build(scope, kind, patched, existing))


def _commit_update(scope: Scope, kind: Kind, existing: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Save an updated resource; every schema it reaches must still satisfy the rules."""
    _check_title_unique(scope, body["title"], body["$id"])
    affected = [existing] if kind is SCHEMAS else _dependent_schemas(scope, existing["$id"])
    before = {s["$id"]: (s, schema_fields(scope, s)) for s in affected}
    _stamp(body, existing)
    _store().put(scope, kind.store_kind, body["$id"], body)
    _audit(scope, kind, existing, body)
    for schema in affected:
        if kind is not SCHEMAS:  # the schema did not change, what it is made of did: re-check its parts
            _schema_parts(scope, all_of_refs(schema))
        _validate_schema(scope, body if kind is SCHEMAS else schema, before[schema["$id"]])
    return body


def _audit(scope: Scope, kind: Kind, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    from .rpc import record  # the audit log (GET /rpc/auditlog) lives with the other RPCs

    record(scope, kind, before, after)


def delete_resource(scope: Scope, kind: Kind, ref: str) -> None:
    with _store().transaction():
        body = require_resource(scope, kind, ref)
        resource_id = body["$id"]
        if kind is SCHEMAS:
            _check_schema_deletable(scope, body)
            for descriptor in descriptors_of(scope, resource_id):
                _store().delete(scope, DESCRIPTORS_STORE_KIND, descriptor["@id"])
        else:
            users = _users(scope, resource_id)
            if users:
                raise ResourceInUse(
                    f"The {kind.label} {resource_id} is used by {', '.join(users)} and cannot be deleted."
                )
        _store().delete(scope, kind.store_kind, resource_id)


def _check_schema_deletable(scope: Scope, body: dict[str, Any]) -> None:
    if union_enabled(body):
        raise ResourceInUse(f"The schema {body['$id']} is enabled for Profile and cannot be deleted.")
    # Emulator choice (AEP's API code is undocumented; its UI refuses): switchable per instance.
    if getattr(state().config, "refuse_deleting_schema_used_by_dataset", True):
        datasets = _datasets_using(scope, body["$id"])
        if datasets:
            raise ResourceInUse(
                f"The schema {body['$id']} is used by dataset(s) {', '.join(datasets)}; delete them first."
            )


def _check_patch(operations: Any) -> None:
    if not isinstance(operations, list) or not operations:
        raise InvalidPatch("The body must be a non-empty JSON Patch array (RFC 6902).")
    for op in operations:
        if not isinstance(op, dict) or not isinstance(op.get("op"), str) or not isinstance(op.get("path"), str):
            raise InvalidPatch("Every JSON Patch operation needs a string 'op' and a string 'path'.")


def _apply_patch(document: dict[str, Any], operations: list[dict[str, Any]]) -> Any:
    try:
        return jsonpatch.JsonPatch(operations).apply(copy.deepcopy(document))
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError, KeyError, ValueError) as exc:
        raise InvalidPatch(f"The JSON Patch cannot be applied: {exc}") from None


# --- descriptors ---------------------------------------------------------------------------------

IDENTITY_DESCRIPTOR = "xdm:descriptorIdentity"
DESCRIPTOR_TYPES = frozenset({
    IDENTITY_DESCRIPTOR, "xdm:alternateDisplayInfo", "xdm:descriptorOneToOne", "xdm:descriptorOneToMany",
    "xdm:descriptorManyToMany", "xdm:descriptorReferenceIdentity", "xdm:descriptorDeprecated",
    "xdm:descriptorTimeSeriesGranularity", "xdm:descriptorRelationship", "xdm:descriptorTimestamp",
    "xdm:descriptorVersion", "xdm:descriptorPrimaryKey", "xdm:descriptorLabel",
})
DESCRIPTOR_SERVER_OWNED = frozenset({
    "@id", "meta:containerId", "imsOrg", "version", "meta:sandboxId", "meta:sandboxType", "meta:registryMetadata",
    "createdUser", "createdClient", "updatedUser", "created", "updated",
})
NAMESPACE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def list_descriptors(scope: Scope) -> list[dict[str, Any]]:
    return _store().list(scope, DESCRIPTORS_STORE_KIND)


def descriptors_of(scope: Scope, schema_id: str) -> list[dict[str, Any]]:
    return [d for d in list_descriptors(scope) if d.get("xdm:sourceSchema") == schema_id]


def primary_identity(scope: Scope, schema_id: str) -> dict[str, Any] | None:
    return next((d for d in descriptors_of(scope, schema_id) if _is_primary_identity(d)), None)


def _is_primary_identity(descriptor: dict[str, Any] | None) -> bool:
    if not descriptor:
        return False
    return descriptor.get("@type") == IDENTITY_DESCRIPTOR and descriptor.get("xdm:isPrimary") is True


def require_descriptor(scope: Scope, descriptor_id: str) -> dict[str, Any]:
    descriptor = _store().get(scope, DESCRIPTORS_STORE_KIND, descriptor_id)
    if descriptor is None:
        raise ResourceNotFound(
            f"The requested descriptor {descriptor_id} is not found.", code=NOT_FOUND_CODES["descriptor"]
        )
    return descriptor


def _descriptor_schema(scope: Scope, payload: dict[str, Any]) -> dict[str, Any]:
    ref = payload.get("xdm:sourceSchema")
    if not isinstance(ref, str) or not ref:
        raise DescriptorInvalid("'xdm:sourceSchema' is required: the $id of the schema the descriptor applies to.")
    schema = get_resource(scope, SCHEMAS, ref)
    if schema is None:
        raise DescriptorInvalid(f"The source schema {ref} does not exist in sandbox {scope[1]}.")
    return schema


def _descriptor_field(scope: Scope, schema: dict[str, Any], pointer: Any, identity: bool) -> None:
    if pointer is None and not identity:
        return
    path = json_pointer_to_path(pointer) if isinstance(pointer, str) else None
    if path is None:
        raise DescriptorInvalid("'xdm:sourceProperty' must be a JSON pointer such as /personalEmail/address.")
    field = schema_fields(scope, schema).get(path)
    if field is None:
        raise DescriptorInvalid(f"The property {pointer} does not exist in schema {schema['$id']}.")
    if identity and field["type"] != "string":
        raise DescriptorInvalid(f"An identity field must be a string; {pointer} is {field['type']}.")


def _check_identity_attributes(payload: dict[str, Any]) -> None:
    namespace = payload.get("xdm:namespace")
    prop = payload.get("xdm:property", "xdm:code")
    if prop not in ("xdm:code", "xdm:id"):
        raise DescriptorInvalid("'xdm:property' must be 'xdm:code' or 'xdm:id'.")
    if not isinstance(namespace, str) or not NAMESPACE_CODE.match(namespace):
        raise DescriptorInvalid("'xdm:namespace' is required: an identity namespace code such as Email or ECID.")
    if prop == "xdm:id" and not namespace.isdigit():
        raise DescriptorInvalid("With 'xdm:property' 'xdm:id', 'xdm:namespace' must be a numeric namespace id.")
    if not isinstance(payload.get("xdm:isPrimary", False), bool):
        raise DescriptorInvalid("'xdm:isPrimary' must be a boolean.")


def _build_descriptor(scope: Scope, payload: Any, existing: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidRequest("The body must be a JSON object describing a descriptor.")
    if existing is not None and payload.get("@id", existing["@id"]) != existing["@id"]:
        raise ReadOnlyAttribute(f"'@id' is assigned by the registry and cannot change ({existing['@id']}).")
    descriptor_type = payload.get("@type")
    if descriptor_type not in DESCRIPTOR_TYPES:
        raise DescriptorInvalid(f"'@type' must be one of {sorted(DESCRIPTOR_TYPES)}.")
    schema = _descriptor_schema(scope, payload)
    # The docs send 1, the spec types it as a string: both forms of a positive major version are accepted.
    version = payload.get("xdm:sourceVersion")
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DescriptorInvalid("'xdm:sourceVersion' is required: the schema's major version, e.g. 1.")
    identity = descriptor_type == IDENTITY_DESCRIPTOR
    if identity:
        _check_identity_attributes(payload)
    _descriptor_field(scope, schema, payload.get("xdm:sourceProperty"), identity)
    descriptor_id = existing["@id"] if existing else secrets.token_hex(20)
    body = {"@id": descriptor_id}
    body.update({k: v for k, v in payload.items() if k not in DESCRIPTOR_SERVER_OWNED})
    body["xdm:sourceSchema"] = schema["$id"]
    body.update({"meta:containerId": "tenant", "imsOrg": scope[0], "version": "1", **sandbox_facts(scope)})
    body.update(_descriptor_audit(existing))
    body["meta:registryMetadata"] = _registry_metadata(existing)
    body["meta:registryMetadata"]["eTag"] = _etag(body)
    return body


def _descriptor_audit(existing: dict[str, Any] | None) -> dict[str, Any]:
    """Who made and last changed a descriptor, and when (epoch ms), as its documented lookup shows
    (help/xdm/api/descriptors.md: createdUser, createdClient, updatedUser, created, updated)."""
    ctx = getattr(flask.g, "aep", None) if flask.has_request_context() else None
    user = ctx.user_id if ctx is not None else "unknown@AdobeID"
    client = ctx.client_id if ctx is not None else "unknown"
    now = int(time.time() * 1000)
    created = {"createdUser": user, "createdClient": client, "created": now}
    if existing is not None:
        created = {key: existing.get(key, value) for key, value in created.items()}
    return {**created, "updatedUser": user, "updated": now}


def _check_descriptor_rules(scope: Scope, descriptor: dict[str, Any]) -> None:
    if descriptor["@type"] != IDENTITY_DESCRIPTOR:
        return
    for other in descriptors_of(scope, descriptor["xdm:sourceSchema"]):
        if other["@id"] == descriptor["@id"] or other.get("@type") != IDENTITY_DESCRIPTOR:
            continue
        if other.get("xdm:sourceProperty") == descriptor.get("xdm:sourceProperty"):
            raise DescriptorInvalid(
                f"The field {descriptor.get('xdm:sourceProperty')} already has an identity descriptor ({other['@id']})."
            )
        if _is_primary_identity(other) and _is_primary_identity(descriptor):
            raise DuplicatePrimaryIdentity(
                f"The schema {descriptor['xdm:sourceSchema']} already has a primary identity descriptor "
                f"({other['@id']}); a schema can have only one."
            )


def _check_profile_identity_kept(scope: Scope, before: dict[str, Any], after: dict[str, Any] | None) -> None:
    """A Profile-enabled schema without identityMap cannot lose its primary identity."""
    if not _is_primary_identity(before):
        return
    schema = get_resource(scope, SCHEMAS, before["xdm:sourceSchema"])
    if schema is None or not union_enabled(schema) or "identityMap" in schema_fields(scope, schema):
        return
    if _is_primary_identity(after) and after["xdm:sourceSchema"] == before["xdm:sourceSchema"]:
        return
    raise BreakingChange(
        f"The schema {schema['$id']} is enabled for Profile and relies on the primary identity descriptor "
        f"{before['@id']}; it cannot be removed."
    )


def create_descriptor(scope: Scope, payload: Any) -> dict[str, Any]:
    with _store().transaction():
        descriptor = _build_descriptor(scope, payload, None)
        _check_descriptor_rules(scope, descriptor)
        _store().put(scope, DESCRIPTORS_STORE_KIND, descriptor["@id"], descriptor)
    return descriptor


def replace_descriptor(scope: Scope, descriptor_id: str, payload: Any) -> dict[str, Any]:
    with _store().transaction():
        existing = require_descriptor(scope, descriptor_id)
        descriptor = _build_descriptor(scope, payload, existing)
        _check_descriptor_rules(scope, descriptor)
        _check_profile_identity_kept(scope, existing, descriptor)
        _store().put(scope, DESCRIPTORS_STORE_KIND, descriptor_id, descriptor)
    return descriptor


def delete_descriptor(scope: Scope, descriptor_id: str) -> None:
    with _store().transaction():
        existing = require_descriptor(scope, descriptor_id)
        _check_profile_identity_kept(scope, existing, None)
        _store().delete(scope, DESCRIPTORS_STORE_KIND, descriptor_id)


# --- unions --------------------------------------------------------------------------------------


def union_members(scope: Scope, class_id: str) -> list[dict[str, Any]]:
    return [s for s in list_resources(scope, SCHEMAS) if union_enabled(s) and s.get("meta:class") == class_id]


def union_classes(scope: Scope) -> list[str]:
    classes: list[str] = []
    for schema in list_resources(scope, SCHEMAS):
        if union_enabled(schema) and schema["meta:class"] not in classes:
            classes.append(schema["meta:class"])
    return classes


def union_class_of(scope: Scope, ref: str) -> str | None:
    """The class behind a union ``$id`` (``<class $id>__union``) or ``meta:altId``; None if no union."""
    if not ref.endswith(UNION_SUFFIX):
        return None
    class_ref = ref[: -len(UNION_SUFFIX)]
    comp = component(scope, class_ref)
    if comp is None or comp.kind != "class" or not union_members(scope, comp.id):
        return None
    return comp.id


def union_body(scope: Scope, class_id: str) -> dict[str, Any]:
    comp = component(scope, class_id)
    members_ = union_members(scope, class_id)
    refs: list[str] = [class_id]
    extends: list[str] = []
    for schema in members_:
        refs.extend(r for r in all_of_refs(schema) if r not in refs)
        extends.extend(e for e in [schema["$id"], *schema.get("meta:extends", [])] if e not in extends)
    union_id = class_id + UNION_SUFFIX
    alt = (library().find(class_id) or {}).get("meta:altId") or alt_id_of(class_id)
    return {
        "$id": union_id,
        "meta:altId": alt + UNION_SUFFIX,
        "meta:resourceType": "unions",
        "version": "1.0",
        "title": comp.title if comp else "",
        "type": "object",
        "description": comp.description if comp else "",
        "allOf": _annotated(refs),
        "imsOrg": scope[0],
        "meta:class": class_id,
        "meta:containerId": "tenant",
        "meta:extends": extends,
        "meta:xdmType": "object",
        "meta:registryMetadata": {},
        **sandbox_facts(scope),
    }


def union_fields(scope: Scope, class_id: str) -> FieldMap:
    out: FieldMap = {}
    for schema in union_members(scope, class_id):
        for path, field in schema_fields(scope, schema).items():
            out.setdefault(path, field)
    return out


# --- statistics ----------------------------------------------------------------------------------


def _summary(body: dict[str, Any]) -> dict[str, Any]:
    return {"$id": body["$id"], "meta:altId": body["meta:altId"], "version": body["version"],
            "title": body["title"], "meta:resourceType": body["meta:resourceType"]}


def _most_recent(bodies: list[dict[str, Any]], stamp: str, count: int = 5) -> list[dict[str, Any]]:
    order = sorted(enumerate(bodies), key=lambda ib: (ib[1]["meta:registryMetadata"].get(stamp, 0), ib[0]),
                   reverse=True)
    return [_summary(body) for _, body in order[:count]]


def stats(scope: Scope) -> dict[str, Any]:
    by_kind = {kind.resource_type: list_resources(scope, kind) for kind in TENANT_KINDS}
    everything = [b for bodies in by_kind.values() for b in bodies]
    usage: dict[str, list[dict[str, Any]]] = {}
    for schema in by_kind["schemas"]:
        usage.setdefault(schema["meta:class"], []).append(schema)
    return {
        "imsOrg": scope[0],
        "tenantId": tenant_id(),
        "counts": {**{k: len(v) for k, v in by_kind.items()}, "unions": len(union_classes(scope))},
        "recentlyCreatedResources": _most_recent(everything, "repo:createdDate"),
        "recentlyUpdatedResources": _most_recent(everything, "repo:lastModifiedDate"),
        "classUsage": [
            {
                "$id": class_id,
                "title": getattr(component(scope, class_id), "title", ""),
                "numberOfSchemas": len(schemas),
                "schemas": [{"$id": s["$id"], "title": s["title"], "description": s.get("description", "")}
                            for s in schemas],
            }
            for class_id, schemas in usage.items()
        ],
    }


# --- cross-service contract ----------------------------------------------------------------------


def find_schema(scope: Scope, ref: str) -> dict[str, Any] | None:
    """The tenant schema (as GET shows it with ``xed+json``) by ``$id`` or ``meta:altId``; None if absent."""
    if not isinstance(ref, str) or not ref:
        return None
    body = get_resource(scope, SCHEMAS, ref)
    return copy.deepcopy(body) if body is not None else None


def schema_field_paths(scope: Scope, schema_id: str) -> dict[str, str]:
    """Every object and leaf field of the resolved schema: dotted path -> XDM type ({} if no such schema).

    Children of array items are listed under the array's path; map values are not listed.
    """
    body = find_schema(scope, schema_id)
    return leaf_types(schema_fields(scope, body)) if body is not None else {}


def schema_is_union_enabled(scope: Scope, schema_id: str) -> bool:
    body = find_schema(scope, schema_id)
    return body is not None and union_enabled(body)


def find_field_group(scope: Scope, ref: str) -> dict[str, Any] | None:
    """A field group as GET shows it with ``xed+json``: the tenant's, or failing that a standard one."""
    if not isinstance(ref, str) or not ref:
        return None
    body = get_resource(scope, FIELD_GROUPS, ref)
    if body is not None:
        return copy.deepcopy(body)
    entry = library().find(ref, kind="fieldgroup")
    return standard_body(entry) if entry is not None else None
