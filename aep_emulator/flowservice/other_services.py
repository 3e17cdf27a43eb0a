"""The other emulated services a flow depends on: Catalog datasets, Schema Registry schemas, Data Prep mapping sets.

Their contract functions are imported when first called (the services import each other's models).
When one is missing the platform's own answer applies: 2200-500 (Catalog) or 2250-500 (Data Prep).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from ..core.store import Scope
from .exceptions import FlowError, invalid


def _contract(service: str, function: str) -> Callable[..., Any]:
    """A function another emulator service exposes; imported late to avoid import cycles."""
    codes = {"catalog": (2200, "Catalog"), "dataprep": (2250, "Data Prep"), "schemaregistry": (2200, "Schema Registry")}
    try:
        return getattr(importlib.import_module(f"aep_emulator.{service}.models"), function)
    except (ImportError, AttributeError):
        code, name = codes[service]
        raise FlowError(code, f"There was a problem while calling the {name} service.", 500) from None


def require_dataset(scope: Scope, dataset_id: str) -> dict[str, Any]:
    dataset = _contract("catalog", "get_dataset")(scope, dataset_id)
    if dataset is None:
        # Emulator choice (aep-api §11 #7): an unknown dataset is refused when it is referenced.
        raise invalid(f"The dataset {dataset_id} does not exist in this sandbox. Provide a valid dataSetId.")
    return dataset


def dataset_schema(dataset: Mapping[str, Any]) -> str | None:
    return (dataset.get("schemaRef") or {}).get("id")


def same_schema(scope: Scope, first: str | None, second: str | None) -> bool:
    """Schema references are equal, comparing ``$id`` and ``meta:altId`` forms alike."""
    if first is None or second is None:
        return False
    if first == second:
        return True
    find_schema = _contract("schemaregistry", "find_schema")
    resolved = [find_schema(scope, ref) for ref in (first, second)]
    return all(resolved) and resolved[0]["$id"] == resolved[1]["$id"]


def mapping_set(scope: Scope, mapping_set_id: str, version: int | None = None) -> dict[str, Any] | None:
    """A Data Prep mapping set (``version`` None: the newest), or None."""
    return _contract("dataprep", "get_mapping_set")(scope, mapping_set_id, version)
