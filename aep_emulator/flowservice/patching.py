"""RFC 6902 JSON Patch as Flow Service accepts it (aep-api.md §5.8).

Ops ``add``/``replace``/``remove`` in any letter case (the spec enumerates ``ADD``/``REPLACE``/``REMOVE``);
``move`` is ``1434-400`` and so is any other op. An empty body is ``1405-400``; a path to a field that is
not there is ``1455-400``; ``/connectionSpec`` (and ``/flowSpec``) cannot change (``1414-400``); fields the
server owns (id, audit fields, etag, state, ...) are not patchable (``1365-400``, invalid path), and neither
is any path outside a resource's documented patchable paths when it has a list of them (``1365-400``,
help/sources/errors/sources-errors.md: "The path {path} provided in ops is invalid").

``1300-400`` ("patch connection request is not supported for {connectorType} connector") and ``1445-400``
("PATCH Connection Feature not enabled") are documented too, but not which connectors or which feature they
concern: the emulator never sends them (docs/platform-assumptions.md).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import jsonpatch
import jsonpointer

from .exceptions import FlowError

_SUPPORTED_OPS = ("add", "replace", "remove")
_SPEC_FIELDS = frozenset({"connectionSpec", "flowSpec"})


def parse_operations(body: Any) -> list[dict[str, Any]]:
    """The patch instructions, normalised to lower-case ops; raises the platform's 400s."""
    if body is None or body == [] or body == {}:
        raise FlowError(1405, "The request body cannot be null or empty. Provide a request body and try again.")
    if not isinstance(body, list):
        raise FlowError(1100, "The request body of a PATCH must be a JSON Patch array.")
    return [_operation(item) for item in body]


def check_paths(
    operations: Iterable[dict[str, Any]], server_fields: frozenset[str], patchable: tuple[str, ...] | None = None
) -> None:
    """Refuse paths that may not be patched; ``patchable`` (pointers) limits the paths to those and below."""
    for operation in operations:
        path = operation["path"]
        top = path.split("/")[1]
        if top in _SPEC_FIELDS:
            raise FlowError(1414, f"The {top} of a connection or flow cannot be updated.")
        if top in server_fields or top == "" or (patchable is not None and not _under_any(path, patchable)):
            raise FlowError(1365, f"The path {path} provided in ops is invalid. Provide a valid path.")


def _under_any(path: str, allowed: tuple[str, ...]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in allowed)


def apply(document: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """A patched deep copy of ``document`` (the original is untouched, so a refused patch changes nothing)."""
    try:
        return jsonpatch.JsonPatch(operations).apply(copy.deepcopy(document))
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise FlowError(
            1455, f"An error has occurred while validating patch instructions: Missing field ({exc})."
        ) from None


def _operation(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise FlowError(1100, "Each patch instruction must be a JSON object with op and path.")
    op = item.get("op")
    if not isinstance(op, str):
        raise FlowError(1100, "A patch instruction is missing its op.")
    if op.lower() not in _SUPPORTED_OPS:
        raise FlowError(1434, f"Unsupported operation '{op}' received. Use add, replace or remove and try again.")
    path = item.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise FlowError(1365, f"The path {path} provided in ops is invalid. Provide a valid path.")
    normalised: dict[str, Any] = {"op": op.lower(), "path": path}
    if normalised["op"] != "remove":
        if "value" not in item:
            raise FlowError(1100, f"The patch instruction {op} {path} has no value.")
        normalised["value"] = item["value"]
    return normalised
