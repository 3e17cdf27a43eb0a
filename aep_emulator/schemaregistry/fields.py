"""Field trees of XDM resources: one walker for standard (catalogue) and tenant resources.

A resource's fields are kept flat: dotted path -> ``{"type": <XDM type>, "title"?: str, "description"?: str,
"referencedFrom"?: <data type $id>, "items"?: <XDM type>}``.
Children of array items are listed under the array's own path (``productListItems.SKU``), without an
index marker; children of maps are not listed (their keys are data, not schema).

The same walker serves ``scripts/build_xdm_catalog.py`` (Adobe's source files, JSON-LD names such as
``xdm:person``, turned into the Schema Registry's compatibility-mode names) and the emulator (tenant
resources, already in compatibility mode). Only the ``Resolver`` differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

Field = dict[str, str]
FieldMap = dict[str, Field]
Rename = Callable[[str], list[str]]

PRIMITIVE_TYPES = ("string", "integer", "number", "boolean")


class Resolver(Protocol):
    """Looks up what a ``$ref`` points at, relative to the document it appears in. A resolver with
    ``annotates = True`` also keeps each field's description and the data type it was resolved from."""

    def fields_of(self, ref: str, doc: dict[str, Any]) -> FieldMap:
        """Fields contributed by the referenced resource or definition (paths relative to it)."""

    def describe(self, ref: str, doc: dict[str, Any]) -> Field:
        """Type (and title) of the referenced resource when used as a single field's value."""


def keep_name(name: str) -> list[str]:
    """Tenant resources are written in compatibility mode already: names are used as they are."""
    return [name]


def compat_name(name: str) -> list[str]:
    """Path segments of a standard-XDM (JSON-LD) property name in the Registry's compatibility mode.

    ``xdm:sku`` -> ``sku``; ``@id`` -> ``_id``; ``repo:createDate`` -> ``_repo.createDate``;
    ``https://ns.adobe.com/xdm/channels/email`` -> ``_channels.email``.
    """
    if name.startswith("xdm:"):
        return [name[4:]]
    if name.startswith("@"):
        return ["_" + name[1:]]
    if "://" in name:
        segments = [s for s in name.split("://", 1)[1].split("/")[1:] if s]
        if segments and segments[0] == "xdm":
            segments = segments[1:]
        return ["_" + segments[0], *segments[1:]] if segments else [name]
    if ":" in name:
        prefix, local = name.split(":", 1)
        return ["_" + prefix, local]
    return [name]


def xdm_type(node: dict[str, Any]) -> str | None:
    """The XDM type a JSON-schema node declares, or None when only its ``$ref`` can tell."""
    declared = node.get("meta:xdmType")
    if isinstance(declared, str):
        return declared
    json_type = node.get("type")
    if json_type == "string":
        fmt = node.get("format")
        return fmt if fmt in ("date", "date-time") else "string"
    if json_type == "object":
        if isinstance(node.get("additionalProperties"), dict) and not node.get("properties"):
            return "map"
        return "object"
    if json_type in ("integer", "number", "boolean", "array"):
        return json_type
    if "properties" in node or "allOf" in node:
        return "object"
    return None


def merge(into: FieldMap, fields: FieldMap, prefix: str = "") -> None:
    """Add ``fields`` under ``prefix``; a path already present keeps its first definition."""
    for path, field in fields.items():
        into.setdefault(f"{prefix}.{path}" if prefix else path, field)


def members(node: dict[str, Any], doc: dict[str, Any], resolver: Resolver, rename: Rename) -> FieldMap:
    """Fields an object-like node contributes: its ``$ref``, its ``allOf`` parts and its ``properties``."""
    out: FieldMap = {}
    ref = node.get("$ref")
    if isinstance(ref, str):
        merge(out, resolver.fields_of(ref, doc))
    for part in node.get("allOf") or []:
        if isinstance(part, dict):
            merge(out, members(part, doc, resolver, rename))
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name, prop in properties.items():
            if not isinstance(prop, dict):
                continue
            segments = rename(name)
            for depth in range(1, len(segments)):  # namespace parents such as ``_repo``
                out.setdefault(".".join(segments[:depth]), {"type": "object"})
            _add_field(out, ".".join(segments), prop, doc, resolver, rename)
    return out


def _add_field(
    out: FieldMap, path: str, prop: dict[str, Any], doc: dict[str, Any], resolver: Resolver, rename: Rename
) -> None:
    field = _describe(prop, doc, resolver)
    if path in out:  # first definition wins (conflicts are reported by the caller's rules)
        return
    out[path] = field
    if field["type"] == "object":
        merge(out, members(prop, doc, resolver, rename), path)
    elif field["type"] == "array":
        items = prop.get("items")
        if isinstance(items, dict):
            item = _describe(items, doc, resolver)
            field["items"] = item["type"]
            if item["type"] == "object":
                merge(out, members(items, doc, resolver, rename), path)


def _describe(node: dict[str, Any], doc: dict[str, Any], resolver: Resolver) -> Field:
    """Type and title of one field node, asking the resolver when the node is only a ``$ref``."""
    declared = xdm_type(node)
    ref = node.get("$ref")
    target: Field = resolver.describe(ref, doc) if isinstance(ref, str) else {}
    field: Field = {"type": declared or target.get("type") or "object"}
    title = node.get("title") or target.get("title")
    if isinstance(title, str) and title:
        field["title"] = title
    if not getattr(resolver, "annotates", False):
        return field  # the catalogue's flat fields keep type and title only
    description = node.get("description")
    if isinstance(description, str) and description:
        field["description"] = description
    if isinstance(ref, str) and not ref.startswith("#"):
        # xed-full names the data type a field was resolved from (help/catalog/datasets/create.md,
        # "Look up a dataset schema": "meta:referencedFrom" on the loyalty object).
        field["referencedFrom"] = ref
    return field


def nest(fields: FieldMap, notext: bool = False) -> dict[str, Any]:
    """JSON-schema ``properties`` (compatibility mode) rebuilt from a flat field map."""
    root: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {}
    for path in sorted(fields, key=lambda p: p.count(".")):
        field = fields[path]
        parent_path, _, name = path.rpartition(".")
        parent = nodes.get(parent_path) if parent_path else None
        if parent_path and parent is None:
            continue  # orphan (its parent is a map or missing): not representable
        node = _json_schema_node(field, notext)
        container = root if parent is None else _child_properties(parent)
        container[name] = node
        nodes[path] = node
    return root


def _child_properties(parent: dict[str, Any]) -> dict[str, Any]:
    target = parent["items"] if parent.get("type") == "array" else parent
    return target.setdefault("properties", {})


def _json_schema_node(field: Field, notext: bool) -> dict[str, Any]:
    xdm = field["type"]
    node: dict[str, Any] = {}
    if not notext and field.get("title"):
        node["title"] = field["title"]
    if not notext and field.get("description"):
        node["description"] = field["description"]
    if field.get("referencedFrom"):
        node["meta:referencedFrom"] = field["referencedFrom"]
    if xdm in ("date", "date-time"):
        node.update({"type": "string", "format": xdm})
    elif xdm == "map":  # the value type is not kept in the flat map, so it is not claimed here
        node["type"] = "object"
    elif xdm == "array":
        item_type = field.get("items", "string")
        node.update({"type": "array", "items": _json_schema_node({"type": item_type}, notext)})
    elif xdm in ("object", *PRIMITIVE_TYPES):
        node["type"] = xdm
    else:  # long, int, short, byte ...
        node["type"] = "integer" if xdm in ("long", "int", "short", "byte") else "string"
    node["meta:xdmType"] = xdm
    return node


def json_pointer_to_path(pointer: str) -> str | None:
    """``/personalEmail/address`` -> ``personalEmail.address`` (RFC 6901 escapes honoured)."""
    if not pointer.startswith("/") or pointer == "/":
        return None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]
    return None if any(p == "" for p in parts) else ".".join(parts)


def leaf_types(fields: FieldMap) -> dict[str, str]:
    """Dotted path -> XDM type (the shape the cross-service contract hands out)."""
    return {path: field["type"] for path, field in fields.items()}


def conflicting_paths(first: FieldMap, second: FieldMap) -> Iterable[tuple[str, str, str]]:
    """Paths both maps define with different types: (path, type in first, type in second)."""
    for path, field in second.items():
        other = first.get(path)
        if other is not None and other["type"] != field["type"]:
            yield path, other["type"], field["type"]
