"""Where Flow Service objects are kept: resource names, store kinds, and lookups shared by the rules."""

from __future__ import annotations

import time
from typing import Any

from ..core.context import state
from ..core.store import Scope, Store
from .exceptions import not_found

CONNECTIONS = "connections"
SOURCE_CONNECTIONS = "sourceConnections"
TARGET_CONNECTIONS = "targetConnections"
FLOWS = "flows"
RUNS = "runs"

VERIFICATION_FIELD = "emulatorVerification"  # not an AEP field: says whether AWS was really asked


def kind(resource: str) -> str:
    return f"flowservice.{resource}"


def store() -> Store:
    return state().store


def get_stored(scope: Scope, resource: str, obj_id: str) -> dict[str, Any]:
    """The stored object, or the resource's 404."""
    obj = store().get(scope, kind(resource), obj_id)
    if obj is None:
        raise not_found(resource, obj_id)
    return obj


def now_ms() -> int:
    return int(time.time() * 1000)
