"""Catalog batches written through the API, the dataset's last batches, unique values and tag aggregates.

Sources: catalog.yaml (``createBatch``, ``createBatchWithId``, ``updateBatch``, ``patchBatch``,
``deleteBatch``, ``retrieveUniqueBatchValues``, ``listLastBatches``, ``listTags``,
``retrieveDatasetCredentials``; bodies ``batchRequest`` / ``batchPatchRequest``) and
help/catalog/api/appendix.md ("If-Match"). A batch's ``status`` is one of the spec's enum; a write
that moves it to a finished state stamps ``completed``, and every status change is mirrored on the
related datasets' ``lastBatchId`` / ``lastBatchStatus`` / ``lastSuccessfulBatch`` /
``lastFailedBatch`` (as ``models.set_batch_status`` does for the Flow Service's runs), which is what
``GET /lastBatches`` reports.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError

from ..core.context import sandbox_id, state
from ..core.store import Scope
from ..core.wire import WireModel, body_problem
from . import models
from .exceptions import CatalogError, CatalogProblem, not_found
from .filters import ListQuery, apply_list_query

BatchStatus = Literal[
    "processing", "success", "failure", "queued", "retrying", "stalled", "aborted", "abandoned", "inactive",
    "failed", "loading", "loaded", "staged", "active", "staging", "deleted",
]  # fmt: skip
# Fields Catalog manages on a batch: a write may repeat them unchanged, never change them.
_SERVER_FIELDS = frozenset(
    {"imsOrg", "created", "updated", "createdClient", "createdUser", "updatedUser", "version", "sandboxId"}
)


class AvailableDates(WireModel):
    start_date: int | None = None
    end_date: int | None = None


class RelatedObject(WireModel):
    type: Literal["batch", "dataSet", "dataSetFile", "dataSetView", "transform"]
    id: str = Field(min_length=1)
    tag: str | None = None
    status: str | None = None
    errors: list[dict[str, Any]] | None = None
    metrics: dict[str, Any] | None = None


class BatchPatchBody(WireModel):
    """``batchPatchRequest``: every field optional."""

    status: BatchStatus | None = None
    available_dates: AvailableDates | None = None
    completed: int | None = None
    started: int | None = None
    errors: list[dict[str, Any]] | None = None
    external_id: str | None = None
    failed_record_count: int | None = None
    record_count: int | None = None
    size: int | None = None
    input_format: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    related_objects: list[RelatedObject] | None = None
    replay: dict[str, Any] | None = None
    tags: dict[str, list[str]] | None = None


class BatchBody(BatchPatchBody):
    """``batchRequest``: ``status`` is required."""

    status: BatchStatus


def _fields(model: type[BatchPatchBody], body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise CatalogError(CatalogProblem.MALFORMED_BODY, "A batch must be a JSON object")
    try:
        parsed = model.model_validate({k: v for k, v in body.items() if k not in _SERVER_FIELDS})
    except ValidationError as exc:
        problem = body_problem(exc)
        kind = CatalogProblem.UNKNOWN_FIELD if problem.kind == "unknown" else CatalogProblem.INVALID_FIELD
        raise CatalogError(kind, problem.detail) from None
    return parsed.model_dump(by_alias=True, exclude_unset=True)


def _check_server_fields(stored: dict[str, Any], body: Any) -> None:
    if isinstance(body, dict):
        for name in sorted(_SERVER_FIELDS & body.keys()):
            if body[name] != stored.get(name):
                raise CatalogError(CatalogProblem.READ_ONLY_FIELD, f"Field '{name}' is read-only")


def _related_datasets(batch: dict[str, Any]) -> list[str]:
    return [o["id"] for o in batch.get("relatedObjects", []) if o.get("type") == "dataSet"]


def _record(scope: Scope, batch_id: str, batch: dict[str, Any], status_changed: bool) -> None:
    if batch["status"] in models.FINISHED_BATCH_STATUSES and status_changed:
        batch["completed"] = batch.get("completed") or models.now_ms()
    models.save_batch(scope, batch_id, batch)
    if status_changed:
        for dataset_id in _related_datasets(batch):
            models.record_batch_on_dataset(scope, dataset_id, batch_id, batch["status"])


def create_batch(scope: Scope, body: Any, caller: models.Caller, batch_id: str | None = None) -> str:
    """``POST /batches`` (a new id) or ``POST /batches/{id}`` (the caller's id, refused when taken)."""
    fields = _fields(BatchBody, body)
    with state().store.transaction():
        if batch_id is not None and models.get_batch(scope, batch_id) is not None:
            # AEP's answer to a taken id is not documented; the spec lists 400 for this operation.
            raise CatalogError(CatalogProblem.INVALID_FIELD, f"A batch with id '{batch_id}' already exists")
        new_id = batch_id or models.new_batch_id()
        now = models.now_ms()
        batch = {
            "imsOrg": caller.org_id, "sandboxId": sandbox_id(scope), "created": now, "updated": now,
            "createdClient": caller.client_id, "createdUser": caller.user_id, "updatedUser": caller.user_id,
            "version": models.FIRST_VERSION, "relatedObjects": [], "tags": {}, **fields,
        }  # fmt: skip
        _record(scope, new_id, batch, status_changed=True)
    return new_id


def update_batch(
    scope: Scope, batch_id: str, body: Any, caller: models.Caller, *, replace: bool, if_match: str | None
) -> None:
    """``PUT`` (every writable field replaced, ``status`` required) or ``PATCH`` (fields merged)."""
    with state().store.transaction():
        stored = models.get_batch(scope, batch_id)
        if stored is None:
            raise not_found("batches", batch_id)
        models.check_if_match(stored, if_match)
        _check_server_fields(stored, body)
        fields = _fields(BatchBody if replace else BatchPatchBody, body)
        system = {k: v for k, v in stored.items() if k in _SERVER_FIELDS}
        batch = {**system, **fields} if replace else {**stored, **fields}
        batch.update(
            version=models.next_version(stored["version"]), updated=models.now_ms(), updatedUser=caller.user_id
        )
        _record(scope, batch_id, batch, status_changed=batch.get("status") != stored.get("status"))


def delete_batch(scope: Scope, batch_id: str) -> None:
    """``DELETE /batches/{id}`` (deprecated in the spec): 404 when unknown, as the spec documents."""
    if not state().store.delete(scope, models.BATCHES, batch_id):
        raise not_found("batches", batch_id)


def unique_values(scope: Scope, field: str, query: ListQuery) -> list[str]:
    """``GET /batches/uniques/{FIELD}``: the distinct values of one batch field, as strings, among the
    batches the filters select (the spec's example answers an array of strings)."""
    unlimited = ListQuery(limit=10**9, predicates=query.predicates)
    values: list[str] = []
    for batch in apply_list_query(unlimited, models.batch_items(scope)).values():
        value = batch.get(field)
        text = value if isinstance(value, str) else None if value is None else str(value).lower()
        if text is not None and text not in values:
            values.append(text)
    return values[query.start : query.start + query.limit]


_LAST_BATCH_FILTERS = {
    "dataSetId": None, "lastBatchId": "lastBatchId", "lastBatchStatus": "lastBatchStatus",
    "lastSuccessfulBatchId": "lastSuccessfulBatch", "lastFailedBatchId": "lastFailedBatch",
}  # fmt: skip


def last_batches(scope: Scope, args: dict[str, str], query: ListQuery) -> dict[str, dict[str, Any]]:
    """``GET /lastBatches``: per dataset that has batches, its last, last successful and last failed
    batch in the shape of the spec's ``lastBatchesResponse`` example."""
    wanted_ids = {i.strip() for i in args.get("dataSetId", "").split(",") if i.strip()}
    items = []
    for dataset_id, dataset in models.dataset_items(scope):
        if "lastBatchId" not in dataset or (wanted_ids and dataset_id not in wanted_ids):
            continue
        if any(
            args.get(param) not in (None, dataset.get(stored))
            for param, stored in _LAST_BATCH_FILTERS.items()
            if stored is not None
        ):
            continue
        entry = {"created": dataset["created"], "imsOrg": dataset["imsOrg"], "lastBatchId": dataset["lastBatchId"],
                 "lastBatchStatus": dataset["lastBatchStatus"]}  # fmt: skip
        for name, stored in (("lastFailedBatchId", "lastFailedBatch"), ("lastSuccessfulBatchId", "lastSuccessfulBatch")):
            if stored in dataset:
                entry[name] = dataset[stored]
        entry.update(sandboxId=dataset.get("sandboxId", sandbox_id(scope)), updated=dataset["updated"])
        items.append((dataset_id, entry))
    return apply_list_query(query, items)


def tag_values(scope: Scope, namespace: str) -> dict[str, Any]:
    """``GET /tags/{tagNamespace}``: the values of one tag across datasets and batches, and the objects
    carrying it, in the spec's example shape (``{<tag>: [values], "objectType": {"datasets": [...]}}``).
    404 when no object carries the tag (the spec documents 404 "not found")."""
    values: list[str] = []
    holders: dict[str, list[str]] = {}
    for kind, collection, items in (("datasets", "dataSets", models.dataset_items(scope)),
                                    ("batches", "batches", models.batch_items(scope))):  # fmt: skip
        for object_id, obj in items:
            if namespace in (obj.get("tags") or {}):
                values += [v for v in obj["tags"][namespace] if v not in values]
                holders.setdefault(kind, []).append(f"@/{collection}/{object_id}")
    if not holders:
        raise not_found("tags", namespace)
    return {namespace: values, "objectType": holders}


def dataset_credentials(scope: Scope, dataset_id: str, batch_id: str | None) -> dict[str, Any]:
    """``GET /dataSets/{id}/credentials`` (deprecated in the spec): the spec's ``dataSetCredentials``
    shape. The emulator holds no data lake, so ``credentials`` names none and grants nothing."""
    models.require_dataset(scope, dataset_id)
    answer: dict[str, Any] = {
        "dataSetId": dataset_id,
        "path": f"https://platform.adobe.io/data/foundation/dataset/datasets/{dataset_id}/",
        "credentials": {},
    }
    if batch_id:
        answer["stagePath"] = f"platformdataset/stage/{batch_id}"
    return answer
