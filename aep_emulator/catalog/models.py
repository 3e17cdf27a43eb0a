"""The Catalog backend: datasets (full lifecycle) and batches (written only by the emulator itself).

Objects are stored as GET shows them, under the kinds ``catalog.dataSets`` and ``catalog.batches``.
Handlers in ``responses.py`` parse the request and call the functions here; the cross-service contract is ``get_dataset``, ``datasets_using_schema`` and
``add_batch`` / ``set_batch_status`` (used by the Flow Service's run simulation).
"""

from __future__ import annotations

import copy
import os
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

import jsonpatch
from pydantic import Field, ValidationError, field_validator

from ..core.context import sandbox_id, state
from ..core.store import Scope
from ..core.wire import WireModel, body_problem
from .exceptions import CatalogError, CatalogProblem, not_found
from .filters import ListQuery, apply_list_query

DATASETS = "catalog.dataSets"
BATCHES = "catalog.batches"
FIRST_VERSION = "1.0.0"

# Fields the platform manages; a write may repeat them unchanged (a GET-modify-PUT round trip) but
# never change them.
SERVER_MANAGED_FIELDS = frozenset(
    {
        "id", "imsOrg", "version", "created", "updated", "createdClient", "createdUser", "updatedUser",
        "viewId", "files", "basePath", "state", "lastBatchId", "lastBatchStatus", "lastSuccessfulBatch",
        "lastFailedBatch", "persistence", "statsCache", "sandboxId",
    }
)  # fmt: skip
# What a dataset carries when created without a file description: Catalog's own datasets are parquet.
DEFAULT_FILE_DESCRIPTION = {"persisted": True, "containerFormat": "parquet", "format": "parquet"}
# `schemaRef.contentType` selects the XDM major version; only version 1 exists.
_XED_CONTENT_TYPE = re.compile(r"^application/vnd\.adobe\.xed(?:-full)?(?:-notext)?\+json\s*;\s*version\s*=\s*1$")
_PROFILE_ENABLED = "enabled:true"
_ENABLED_AT = "enabledAt:"
# Tags Catalog adds to a new dataset, with the values of platform-learn.en
# help/tutorial-comprehensive-technical/modules/datadistiller/module5.1/ex8.md (a 2024 dataset GET);
# `adobe/pqs/table` (the dataset's Query Service table name) is added per dataset by `_platform_tags`.
_PLATFORM_TAGS: dict[str, list[str]] = {
    "adobe/siphon/table/format": ["delta"],
    "aep/siphon/partitions": ["_ACP_DATE", "_ACP_BATCHID"],
    "acp_validationContext": ["enabled"],
    "acp_granular_validation_flags": ["requiredFieldCheck:enabled"],
}
_TIME_SERIES_BEHAVIOR = "https://ns.adobe.com/xdm/data/time-series"

BATCH_STATUSES = frozenset(
    {
        "processing", "success", "failure", "queued", "retrying", "stalled", "aborted", "abandoned",
        "inactive", "failed", "loading", "loaded", "staged", "active", "staging", "deleted",
    }
)  # fmt: skip
_FINISHED_BATCH_STATUSES = frozenset({"success", "failure", "failed", "aborted", "abandoned", "deleted"})
_FAILED_BATCH_STATUSES = frozenset({"failure", "failed", "aborted", "abandoned"})
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# --- request bodies -----------------------------------------------------------------------------


class _WireModel(WireModel):
    """Catalog bodies never use null as a value."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null")
        return value


class SchemaRefBody(_WireModel):
    id: str = Field(min_length=1)
    content_type: str

    @field_validator("content_type")
    @classmethod
    def _xed_media_type(cls, value: str) -> str:
        if not _XED_CONTENT_TYPE.match(value.strip()):
            raise ValueError(
                "must be an XDM media type with version=1, e.g. application/vnd.adobe.xed+json;version=1"
            )
        return value


class FileDescriptionBody(_WireModel):
    # The spec's format enum (a superset of the parquet|csv|json the guides use).
    format: Literal["", "csv", "text", "parquet", "json", "sequencefile", "avro"] | None = None
    delimiters: list[str] | None = None
    quotes: list[str] | None = None
    escapes: list[str] | None = None
    null_markers: list[str] | None = None
    header: bool | None = None
    charset: Literal["US-ASCII", "UTF-8", "ISO-8859-1", ""] | None = None
    persisted: bool | None = None
    container_format: str | None = None

    @field_validator("delimiters")
    @classmethod
    def _single_characters(cls, value: list[str]) -> list[str]:
        if any(len(d) > 1 for d in value):
            raise ValueError("each delimiter must be a single character")
        return value


class DatasetBody(_WireModel):
    """The writable part of a dataset (spec ``dataSetRequest`` plus the v2 PATCH fields)."""

    name: str = Field(min_length=1)
    description: str | None = None
    tags: dict[str, list[str]] | None = None
    enable_error_diagnostics: bool | None = None
    observable_schema: dict[str, Any] | None = None
    file_description: FileDescriptionBody | None = None
    schema_uri: str | None = Field(default=None, alias="schema")
    schema_ref: SchemaRefBody | None = None
    data_source_id: int | None = None
    extensions: dict[str, Any] | None = None
    classification: dict[str, Any] | None = None


WRITABLE_FIELDS = frozenset(f.alias or name for name, f in DatasetBody.model_fields.items())


def _validation_error(exc: ValidationError) -> CatalogError:
    problem = body_problem(exc)
    kind = CatalogProblem.UNKNOWN_FIELD if problem.kind == "unknown" else CatalogProblem.INVALID_FIELD
    return CatalogError(kind, problem.detail)


def _writable_fields(candidate: Any) -> dict[str, Any]:
    """The validated writable fields of a dataset body, as they will be stored."""
    if not isinstance(candidate, dict):
        raise CatalogError(CatalogProblem.MALFORMED_BODY, "A dataset must be a JSON object")
    try:
        body = DatasetBody.model_validate({k: v for k, v in candidate.items() if k not in SERVER_MANAGED_FIELDS})
    except ValidationError as exc:
        raise _validation_error(exc) from None
    fields = body.model_dump(by_alias=True, exclude_unset=True)
    if "schemaRef" not in fields and "schema" in fields:
        # The spec: schemaRef is derived from the legacy `schema` URI when absent.
        fields["schemaRef"] = {"id": fields["schema"], "contentType": "application/vnd.adobe.xed+json;version=1"}
    fields.setdefault("fileDescription", dict(DEFAULT_FILE_DESCRIPTION))
    return fields


def _is_link(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("@")


def _check_protected_fields(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Expandable (``@...`` link) and server-managed fields may be repeated but never changed."""
    for name in sorted(before.keys() | after.keys()):
        if before.get(name) == after.get(name):
            continue
        if _is_link(before.get(name)) or (name not in WRITABLE_FIELDS and _is_link(after.get(name))):
            raise CatalogError(CatalogProblem.EXPANDABLE_FIELD, f"Expandable field '{name}' cannot be modified")
        if name in SERVER_MANAGED_FIELDS:
            raise CatalogError(CatalogProblem.READ_ONLY_FIELD, f"Field '{name}' is read-only")


def _profile_enabled(tags: dict[str, list[str]]) -> bool:
    # Guides spell the value both "enabled:true" and "enabled: true".
    return any(v.replace(" ", "").lower() == _PROFILE_ENABLED for v in tags.get("unifiedProfile", []))


def _table_name(dataset_name: str) -> str:
    """The Query Service table name (``adobe/pqs/table``): "Demo System - Event Dataset for Website
    (Global v1.1)" is ``demo_system_event_dataset_for_website_global_v1_1`` in the ex8.md GET."""
    return re.sub(r"[^a-z0-9]+", "_", dataset_name.lower()).strip("_")


def _data_behavior(scope: Scope, fields: dict[str, Any]) -> str:
    """``classification.dataBehavior``: the behavior of the dataset's schema (``time-series`` in the
    ex8.md GET of an ExperienceEvent dataset; ``record`` otherwise, assumed after XDM's two behaviors)."""
    from ..schemaregistry.models import find_schema

    schema = find_schema(scope, (fields.get("schemaRef") or {}).get("id", "")) if "schemaRef" in fields else None
    return "time-series" if schema and _TIME_SERIES_BEHAVIOR in schema.get("meta:extends", ()) else "record"


def _add_platform_fields(scope: Scope, fields: dict[str, Any]) -> None:
    """What Catalog adds to a new dataset beside the client's fields (the client's own values win):
    its system tags and ``classification`` (ex8.md)."""
    tags = fields.setdefault("tags", {})
    for name, values in {"adobe/pqs/table": [_table_name(fields["name"])], **_PLATFORM_TAGS}.items():
        tags.setdefault(name, list(values))
    fields.setdefault("classification", {"dataBehavior": _data_behavior(scope, fields), "managedBy": "CUSTOMER"})


def _stamp_profile_enablement(fields: dict[str, Any]) -> None:
    """``enabledAt:<UTC time>`` beside ``enabled:true`` in ``unifiedProfile``, as Catalog records when
    a dataset was enabled for Profile (ex8.md: ``["enabled:true", "enabledAt:2024-11-05 12:33:59"]``).
    A flag that keeps its ``enabledAt`` keeps its time; one switched on without it gets the time now."""
    values = (fields.get("tags") or {}).get("unifiedProfile")
    if values and _profile_enabled(fields["tags"]) and not any(v.startswith(_ENABLED_AT) for v in values):
        values.append(_ENABLED_AT + time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()))


def _check_references(scope: Scope, fields: dict[str, Any]) -> None:
    """The schema must exist in this sandbox; Profile-enabled datasets need a union-enabled schema.

    The legacy ``profile``/``identity`` tags of older tutorials are ordinary tags here: accepted and
    without effect, like any tag Catalog does not own.
    """
    from ..schemaregistry.models import find_schema, schema_is_union_enabled

    schema = None
    if "schemaRef" in fields:
        ref = fields["schemaRef"]["id"]
        schema = find_schema(scope, ref)
        if schema is None:
            raise CatalogError(
                CatalogProblem.SCHEMA_NOT_FOUND, f"Schema '{ref}' does not exist in sandbox '{scope[1]}'"
            )
    if _profile_enabled(fields.get("tags", {})):
        if schema is None or not schema_is_union_enabled(scope, schema["$id"]):
            raise CatalogError(
                CatalogProblem.PROFILE_SCHEMA_INVALID, "To enable profile datasets the schema should be valid"
            )


# --- identifiers and time -----------------------------------------------------------------------


def now_ms() -> int:
    return int(time.time() * 1000)


def new_object_id() -> str:
    """24 hex characters, MongoDB ObjectId style (creation second first, then random)."""
    return f"{int(time.time()):08x}{secrets.token_hex(8)}"


def new_batch_id() -> str:
    """26 Crockford base32 characters, ULID style, as newer batches carry."""
    value = (now_ms() << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def _next_version(version: str) -> str:
    major, minor, patch = (version.split(".") + ["0", "0"])[:3]
    return f"{major}.{minor}.{int(patch) + 1}"


# --- storage ------------------------------------------------------------------------------------
# A Catalog object does not show its own id (GET wraps it as {id: object}), so the store keeps
# {"id": ..., "object": ...} records and these helpers unwrap them.


def _load(scope: Scope, kind: str, obj_id: str) -> dict[str, Any] | None:
    record = state().store.get(scope, kind, obj_id)
    return record["object"] if record else None


def _save(scope: Scope, kind: str, obj_id: str, obj: dict[str, Any]) -> None:
    state().store.put(scope, kind, obj_id, {"id": obj_id, "object": obj})


def _items(scope: Scope, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Every (id, object) of a collection, oldest first."""
    return [(record["id"], record["object"]) for record in state().store.list(scope, kind)]


# --- datasets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """Who is writing, as Catalog records it."""

    org_id: str
    client_id: str
    user_id: str


_AUDIT_FIELDS = ("version", "created", "updated", "createdClient", "createdUser", "updatedUser", "viewId", "files")


def _compose(fields: dict[str, Any], system: dict[str, Any]) -> dict[str, Any]:
    """A dataset in the field order Catalog shows: name, owner, tags and audit first, then the rest."""
    dataset: dict[str, Any] = {"name": fields["name"]}
    if "description" in fields:
        dataset["description"] = fields["description"]
    dataset["imsOrg"] = system["imsOrg"]
    dataset["tags"] = fields.get("tags", {})
    dataset.update((name, system[name]) for name in _AUDIT_FIELDS)
    dataset.update((k, v) for k, v in fields.items() if k not in dataset)
    dataset.update((k, v) for k, v in system.items() if k not in dataset)  # state, last-batch fields
    return dataset


def _system_fields(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if k in SERVER_MANAGED_FIELDS}


def create_dataset(scope: Scope, body: Any, caller: Caller, validate_only: bool = False) -> str | None:
    """Validate and store a new dataset; its id (None when only validating)."""
    if isinstance(body, dict):
        _check_protected_fields({}, body)
    fields = _writable_fields(body)
    with state().store.transaction():  # the schema checked is the schema referenced when saved
        _check_references(scope, fields)
        if validate_only:
            return None
        _add_platform_fields(scope, fields)
        _stamp_profile_enablement(fields)
        dataset_id = new_object_id()
        now = now_ms()
        system = {
            "imsOrg": caller.org_id, "sandboxId": sandbox_id(scope), "version": FIRST_VERSION, "created": now,
            "updated": now, "createdClient": caller.client_id, "createdUser": caller.user_id,
            "updatedUser": caller.user_id, "viewId": new_object_id(),
            "files": f"@/dataSetFiles?dataSetId={dataset_id}", "state": "DRAFT",
        }  # fmt: skip
        _save(scope, DATASETS, dataset_id, _compose(fields, system))
    return dataset_id


def get_dataset(scope: Scope, dataset_id: str) -> dict[str, Any] | None:
    """The dataset as GET shows it inside the id-keyed wrapper, or None."""
    return _load(scope, DATASETS, dataset_id)


def require_dataset(scope: Scope, dataset_id: str) -> dict[str, Any]:
    dataset = get_dataset(scope, dataset_id)
    if dataset is None:
        raise not_found("dataSets", dataset_id)
    return dataset


def list_datasets(scope: Scope, query: ListQuery) -> dict[str, dict[str, Any]]:
    return apply_list_query(query, _items(scope, DATASETS))


def _check_if_match(stored: dict[str, Any], if_match: str | None) -> None:
    if if_match is None:
        return
    wanted = if_match.strip()
    if wanted.startswith("W/"):
        wanted = wanted[2:]
    wanted = wanted.strip().strip('"')
    if wanted != stored["version"]:
        raise CatalogError(
            CatalogProblem.VERSION_MISMATCH,
            f"If-Match version '{wanted}' does not match the current version '{stored['version']}'",
        )


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


UpdateStyle = Literal["merge", "json-patch", "deep-merge", "replace"]


def _candidate(stored: dict[str, Any], body: Any, style: UpdateStyle) -> dict[str, Any]:
    """The dataset as it would look after applying ``body`` in the given style."""
    if style == "json-patch":
        if not isinstance(body, list):
            raise CatalogError(CatalogProblem.INVALID_PATCH, "A JSON Patch body must be an array of operations")
        try:
            return jsonpatch.apply_patch(stored, body)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, KeyError,
                AttributeError) as exc:  # fmt: skip
            raise CatalogError(CatalogProblem.INVALID_PATCH, f"The JSON Patch cannot be applied: {exc}") from None
    if not isinstance(body, dict):
        raise CatalogError(CatalogProblem.MALFORMED_BODY, "The request body must be a JSON object")
    if style == "merge":  # v1 PATCH: top-level fields replaced whole
        return {**stored, **body}
    if style == "deep-merge":  # v2 PATCH: nested objects merged, missing parents created
        return _deep_merge(stored, body)
    return {**_system_fields(stored), **body}  # PUT: the body replaces every writable field


def update_dataset(
    scope: Scope,
    dataset_id: str,
    body: Any,
    style: UpdateStyle,
    caller: Caller,
    if_match: str | None = None,
    validate_only: bool = False,
) -> None:
    """Apply a PATCH/PUT: the result is validated exactly like a new dataset, then the version bumps."""
    store = state().store
    with store.transaction():
        stored = require_dataset(scope, dataset_id)
        _check_if_match(stored, if_match)
        candidate = _candidate(stored, body, style)
        _check_protected_fields(stored, candidate)
        fields = _writable_fields(candidate)
        _check_references(scope, fields)
        if validate_only:
            return
        _stamp_profile_enablement(fields)
        system = {
            **_system_fields(stored),
            "version": _next_version(stored["version"]),
            "updated": now_ms(),
            "updatedUser": caller.user_id,
        }
        _save(scope, DATASETS, dataset_id, _compose(fields, system))


def delete_dataset(scope: Scope, dataset_id: str) -> bool:
    """Remove a dataset; False when there was none. Flows targeting it are left dangling, as on AEP."""
    return state().store.delete(scope, DATASETS, dataset_id)


def datasets_using_schema(scope: Scope, schema_id: str) -> list[str]:
    """Ids of the datasets whose ``schemaRef.id`` names the schema (by ``$id`` or ``meta:altId``)."""
    from ..schemaregistry.models import find_schema

    names = {schema_id}
    schema = find_schema(scope, schema_id)
    if schema:
        names |= {schema.get("$id"), schema.get("meta:altId")} - {None}
    return [
        dataset_id
        for dataset_id, dataset in _items(scope, DATASETS)
        if (dataset.get("schemaRef") or {}).get("id") in names
    ]


# --- batches ------------------------------------------------------------------------------------


def _check_batch_status(status: str) -> None:
    if status not in BATCH_STATUSES:
        raise ValueError(f"unknown batch status {status!r}; one of {sorted(BATCH_STATUSES)}")


def _record_batch_on_dataset(scope: Scope, dataset_id: str, batch: str, status: str) -> None:
    """Catalog's last-batch fields on the dataset (set by ingestion, so no version bump)."""
    dataset = _load(scope, DATASETS, dataset_id)
    if dataset is None:
        return
    dataset["lastBatchId"] = batch
    dataset["lastBatchStatus"] = status
    if status == "success":
        dataset["lastSuccessfulBatch"] = batch
    elif status in _FAILED_BATCH_STATUSES:
        dataset["lastFailedBatch"] = batch
    _save(scope, DATASETS, dataset_id, dataset)


def add_batch(
    scope: Scope,
    dataset_id: str,
    status: str = "success",
    *,
    record_count: int = 0,
    failed_record_count: int = 0,
    errors: list[dict[str, Any]] | None = None,
    metrics: dict[str, Any] | None = None,
    client_id: str = "acp_foundation_dataTracker",
    user_id: str = "acp_foundation_dataTracker@AdobeID",
) -> str:
    """Record a batch written into a dataset (the Flow Service run simulation calls this); its id.

    ``errors`` items look like ``{"code": "CONNECTOR-2001-500", "description": "...", "rows": []}``.
    """
    _check_batch_status(status)
    store = state().store
    new_id = new_batch_id()
    now = now_ms()
    batch: dict[str, Any] = {
        "imsOrg": scope[0], "status": status, "created": now, "updated": now,
        "createdClient": client_id, "createdUser": user_id, "updatedUser": user_id,
        "started": now, "recordCount": record_count, "failedRecordCount": failed_record_count,
        "errors": list(errors or []), "metrics": dict(metrics or {}),
        "relatedObjects": [{"type": "dataSet", "id": dataset_id}], "tags": {}, "version": FIRST_VERSION,
    }  # fmt: skip
    if status in _FINISHED_BATCH_STATUSES:
        batch["completed"] = now
    with store.transaction():
        _save(scope, BATCHES, new_id, batch)
        _record_batch_on_dataset(scope, dataset_id, new_id, status)
    return new_id


def set_batch_status(
    scope: Scope,
    batch: str,
    status: str,
    *,
    record_count: int | None = None,
    failed_record_count: int | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Move a batch to a new status (e.g. ``processing`` -> ``success``); the updated batch."""
    _check_batch_status(status)
    store = state().store
    with store.transaction():
        stored = _load(scope, BATCHES, batch)
        if stored is None:
            raise KeyError(f"no batch {batch!r} in {scope}")
        now = now_ms()
        stored.update(status=status, updated=now, version=_next_version(stored["version"]))
        if record_count is not None:
            stored["recordCount"] = record_count
        if failed_record_count is not None:
            stored["failedRecordCount"] = failed_record_count
        if errors is not None:
            stored["errors"] = list(errors)
        if status in _FINISHED_BATCH_STATUSES:
            stored["completed"] = now
        _save(scope, BATCHES, batch, stored)
        for related in stored["relatedObjects"]:
            if related.get("type") == "dataSet":
                _record_batch_on_dataset(scope, related["id"], batch, status)
    return stored


def batch_datasets(batch: dict[str, Any]) -> list[Any]:
    """The dataset ids a batch wrote to (the ``dataSet`` filter of ``GET /batches``)."""
    return [o.get("id") for o in batch.get("relatedObjects", []) if o.get("type") == "dataSet"]


def get_batch(scope: Scope, batch: str) -> dict[str, Any] | None:
    return _load(scope, BATCHES, batch)


def list_batches(scope: Scope, query: ListQuery) -> dict[str, dict[str, Any]]:
    return apply_list_query(query, _items(scope, BATCHES))


# --- what the batch API (batches.py) shares with the backend -------------------------------------

FINISHED_BATCH_STATUSES = _FINISHED_BATCH_STATUSES
check_if_match = _check_if_match
next_version = _next_version
record_batch_on_dataset = _record_batch_on_dataset


def save_batch(scope: Scope, batch_id: str, batch: dict[str, Any]) -> None:
    _save(scope, BATCHES, batch_id, batch)


def batch_items(scope: Scope) -> list[tuple[str, dict[str, Any]]]:
    return _items(scope, BATCHES)


def dataset_items(scope: Scope) -> list[tuple[str, dict[str, Any]]]:
    return _items(scope, DATASETS)
