"""How a resource looks for each ``Accept`` value: short summary, raw (``xed``), resolved (``xed-full``),
with or without texts (``-notext``); and how a standard catalogue entry looks as a registry resource."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from .exceptions import VersionNotAvailable
from .fields import FieldMap, nest
from .media import Accept
from .standard import GLOBAL_LIB_VERSION, RESOURCE_TYPE, library

TEXT_KEYS = ("title", "description")
NAMED_CHILDREN = ("properties", "definitions")  # their keys are names, not schema keywords


def short_form(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in ("$id", "meta:altId", "version", "title") if key in body}


def strip_text(node: Any) -> Any:
    """A copy without ``title``/``description`` at any level (field names are left alone)."""
    if isinstance(node, list):
        return [strip_text(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in TEXT_KEYS:
            continue
        if key in NAMED_CHILDREN and isinstance(value, dict):
            out[key] = {name: strip_text(child) for name, child in value.items()}
        else:
            out[key] = strip_text(value)
    return out


def full_view(body: dict[str, Any], fields: FieldMap, notext: bool) -> dict[str, Any]:
    """``xed-full``: ``allOf``/``definitions`` resolved into one ``properties`` tree."""
    view: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("allOf", "definitions", "properties") or (notext and key in TEXT_KEYS):
            continue
        view[key] = value
        if key == "type":
            view["properties"] = nest(fields, notext)
    view.setdefault("properties", nest(fields, notext))
    return view


def _check_minor(body: dict[str, Any], accept: Accept) -> None:
    """The emulator keeps only the latest minor version; asking for a later one is a 406."""
    current = str(body.get("version", "1.0")).partition(".")[2] or "0"
    if accept.minor is not None and current.isdigit() and accept.minor > int(current):
        raise VersionNotAvailable(
            f"The requested version {accept.version} of {body.get('$id')} is not available "
            f"(latest is {body.get('version')})."
        )


def lookup_view(body: dict[str, Any], accept: Accept, fields: Callable[[], FieldMap]) -> dict[str, Any]:
    _check_minor(body, accept)
    if accept.short:
        return short_form(body)
    if accept.resolved:
        return full_view(body, fields(), accept.notext)
    return strip_text(body) if accept.notext else body


def list_item(body: dict[str, Any], accept: Accept) -> dict[str, Any]:
    return short_form(body) if accept.short else body


# --- standard resources --------------------------------------------------------------------------


def standard_body(entry: dict[str, Any]) -> dict[str, Any]:
    """A catalogue entry as the global container shows it: own fields under ``definitions``, the
    resources it is composed of as ``allOf`` references."""
    lib = library()
    inherited: set[str] = set()
    for ref in entry["allOf"]:
        part = lib.find(ref)
        inherited.update(part["fields"] if part else ())
    own = {path: field for path, field in entry["fields"].items() if path not in inherited}
    name = entry["$id"].rstrip("/").rsplit("/", 1)[-1]
    all_of = [{"$ref": ref, "type": "object", "meta:xdmType": "object"} for ref in entry["allOf"]]
    definitions: dict[str, Any] = {}
    if own:
        definitions[name] = {"properties": nest(own)}
        all_of.append({"$ref": f"#/definitions/{name}", "type": "object", "meta:xdmType": "object"})
    body: dict[str, Any] = {
        "$id": entry["$id"],
        "meta:altId": entry["meta:altId"],
        "meta:resourceType": RESOURCE_TYPE[entry["kind"]],
        "version": GLOBAL_LIB_VERSION,
        "title": entry["title"],
        "type": "object",
        "description": entry["description"],
        "definitions": definitions,
        "allOf": all_of,
        "refs": entry["refs"],
        "meta:extensible": entry.get("meta:extensible", False),
        "meta:abstract": entry.get("meta:abstract", False),
        "meta:extends": entry["meta:extends"],
    }
    if "meta:intendedToExtend" in entry:
        body["meta:intendedToExtend"] = entry["meta:intendedToExtend"]
    body["meta:xdmType"] = "object"
    if "meta:status" in entry:
        body["meta:status"] = entry["meta:status"]
    etag = hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()
    body["meta:registryMetadata"] = {"eTag": etag, "meta:globalLibVersion": GLOBAL_LIB_VERSION}
    return body
