"""Catalog operations beyond datasets (issue 13): batches written through the API with their states,
``/lastBatches``, batch uniques, tags, dataset credentials and the multi-request ``POST /`` with
``<<id.attr>>`` references and rollback. Every answer is checked against catalog.yaml."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from tests.emulator.openapi_check import validate_response
from tests.emulator.test_catalog import (  # noqa: F401 (fixtures)
    DATASET_REF,
    assert_catalog_error,
    create,
    dataset_body,
    read,
    schema,
)
from tests.emulator.xdm_schemas import xdm_schemas  # noqa: F401 (fixture)

BASE = "/data/foundation/catalog"


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    answer = emu.request(method, BASE + path, **kwargs)
    validate_response(answer)
    return answer


def new_batch(emu: EmulatorHandle, dataset_id: str, status: str = "loading", **fields: Any) -> str:
    body = {"status": status, "relatedObjects": [{"type": "dataSet", "id": dataset_id}], **fields}
    answer = call(emu, "POST", "/batches", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"].endswith(answer.json()[0][len("@") :])
    return answer.json()[0].removeprefix("@/batches/")


def batch(emu: EmulatorHandle, batch_id: str) -> dict[str, Any]:
    answer = call(emu, "GET", f"/batches/{batch_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()[batch_id]


def test_a_batch_goes_through_its_states_and_the_dataset_follows(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    batch_id = new_batch(emulator, dataset_id, inputFormat={"format": "parquet"}, tags={"team": ["a"]})
    created = batch(emulator, batch_id)
    assert (created["status"], created["version"], created["inputFormat"]) == ("loading", "1.0.0", {"format": "parquet"})
    assert "completed" not in created
    assert read(emulator, dataset_id)["lastBatchStatus"] == "loading"

    assert call(emulator, "PATCH", f"/batches/{batch_id}", json={"status": "processing", "recordCount": 5}).json() == [
        f"@/batches/{batch_id}"
    ]
    assert call(emulator, "PATCH", f"/batches/{batch_id}", json={"status": "success"}).status_code == 200
    done = batch(emulator, batch_id)
    assert (done["status"], done["recordCount"], done["version"]) == ("success", 5, "1.0.2")
    assert done["completed"] >= done["created"] and done["tags"] == {"team": ["a"]}
    dataset = read(emulator, dataset_id)
    assert (dataset["lastBatchId"], dataset["lastSuccessfulBatch"]) == (batch_id, batch_id)

    # PUT replaces every writable field: the tags and record count not sent are gone.
    related = [{"type": "dataSet", "id": dataset_id}]
    assert call(emulator, "PUT", f"/batches/{batch_id}", json={"status": "failed", "relatedObjects": related}).ok
    replaced = batch(emulator, batch_id)
    assert (replaced["status"], replaced.get("tags"), "recordCount" in replaced) == ("failed", None, False)
    assert read(emulator, dataset_id)["lastFailedBatch"] == batch_id


def test_if_match_and_server_fields_on_batch_writes(emulator: EmulatorHandle, schema: dict) -> None:
    batch_id = new_batch(emulator, create(emulator, dataset_body(schema)))
    assert_catalog_error(call(emulator, "PATCH", f"/batches/{batch_id}", json={"status": "success"},
                              headers={"If-Match": "1.0.7"}), 412)  # fmt: skip
    assert call(emulator, "PATCH", f"/batches/{batch_id}", json={"status": "success"}, headers={"If-Match": "1.0.0"}).ok
    assert_catalog_error(call(emulator, "PATCH", f"/batches/{batch_id}", json={"version": "9.9.9"}), 400, "Read-only field")
    assert call(emulator, "PATCH", f"/batches/{batch_id}", json={"version": "1.0.1", "size": 10}).ok


@pytest.mark.parametrize(
    ("body", "title"),
    [
        ({}, "Invalid field value"),  # batchRequest requires status
        ({"status": "exploded"}, "Invalid field value"),
        ({"status": "success", "colour": "red"}, "Unknown field"),
        ({"status": "success", "relatedObjects": [{"type": "table", "id": "x"}]}, "Invalid field value"),
        ([], "Malformed request body"),
    ],
)
def test_bad_batches_are_refused(emulator: EmulatorHandle, body: Any, title: str) -> None:
    assert_catalog_error(call(emulator, "POST", "/batches", json=body), 400, title)


def test_create_with_id_and_delete(emulator: EmulatorHandle) -> None:
    answer = call(emulator, "POST", "/batches/my-batch-1", json={"status": "queued"})
    assert answer.status_code == 201 and answer.json() == ["@/batches/my-batch-1"]
    assert batch(emulator, "my-batch-1")["status"] == "queued"
    assert_catalog_error(call(emulator, "POST", "/batches/my-batch-1", json={"status": "queued"}), 400)
    assert call(emulator, "DELETE", "/batches/my-batch-1").json() == ["@/batches/my-batch-1"]
    assert_catalog_error(call(emulator, "GET", "/batches/my-batch-1"), 404)
    assert_catalog_error(call(emulator, "DELETE", "/batches/my-batch-1"), 404)
    assert_catalog_error(call(emulator, "PATCH", "/batches/my-batch-1", json={"status": "success"}), 404)


def test_last_batches_per_dataset(emulator: EmulatorHandle, schema: dict) -> None:
    first, second, idle = (create(emulator, dataset_body(schema, name=n)) for n in ("a", "b", "c"))
    good = new_batch(emulator, first, "success")
    bad = new_batch(emulator, first, "failed")
    other = new_batch(emulator, second, "processing")

    answer = call(emulator, "GET", "/lastBatches").json()
    assert set(answer) == {first, second}  # a dataset without batches has no last batch
    assert answer[first]["lastBatchId"] == bad and answer[first]["lastSuccessfulBatchId"] == good
    assert answer[first]["lastFailedBatchId"] == bad and answer[first]["lastBatchStatus"] == "failed"
    assert answer[second] .keys() >= {"created", "imsOrg", "sandboxId", "updated", "lastBatchId"}
    assert "lastSuccessfulBatchId" not in answer[second] and idle not in answer

    assert set(call(emulator, "GET", "/lastBatches", params={"dataSetId": f"{second},{idle}"}).json()) == {second}
    assert set(call(emulator, "GET", "/lastBatches", params={"lastBatchStatus": "processing"}).json()) == {second}
    assert set(call(emulator, "GET", "/lastBatches", params={"lastBatchId": other}).json()) == {second}
    assert list(call(emulator, "GET", "/lastBatches", params={"limit": 1, "orderBy": "desc:created"}).json()) == [second]
    assert call(emulator, "GET", "/lastBatches", params={"properties": "lastBatchId"}).json()[first] == {"lastBatchId": bad}


def test_unique_batch_values(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    for status in ("success", "failed", "success"):
        new_batch(emulator, dataset_id, status)
    assert call(emulator, "GET", "/batches/uniques/status").json() == ["success", "failed"]
    assert call(emulator, "GET", "/batches/uniques/status", params={"status": "failed"}).json() == ["failed"]
    assert call(emulator, "GET", "/batches/uniques/status", params={"limit": 1}).json() == ["success"]
    assert call(emulator, "GET", "/batches/uniques/nothing").json() == []


def test_tag_values_across_objects(emulator: EmulatorHandle, schema: dict) -> None:
    first = create(emulator, dataset_body(schema, name="a", tags={"team": ["x", "y"]}))
    second = create(emulator, dataset_body(schema, name="b", tags={"team": ["y", "z"]}))
    batch_id = new_batch(emulator, first, tags={"team": ["w"]})
    answer = call(emulator, "GET", "/tags/team").json()
    assert answer == {
        "team": ["x", "y", "z", "w"],
        "objectType": {"datasets": [f"@/dataSets/{first}", f"@/dataSets/{second}"], "batches": [f"@/batches/{batch_id}"]},
    }
    assert_catalog_error(call(emulator, "GET", "/tags/nobody-uses-this"), 404)


def test_dataset_credentials_shape(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    answer = call(emulator, "GET", f"/dataSets/{dataset_id}/credentials", params={"batchId": "b1"}).json()
    assert answer["dataSetId"] == dataset_id and answer["stagePath"].endswith("/b1")
    assert_catalog_error(call(emulator, "GET", "/dataSets/0123456789abcdef01234567/credentials"), 404)


def test_service_root(emulator: EmulatorHandle) -> None:
    assert call(emulator, "GET", "").json().keys() == {"dataSet", "dataSource", "transform"}


# --- multi-request ------------------------------------------------------------------------------


def test_multi_request_runs_in_order_with_references(emulator: EmulatorHandle, schema: dict) -> None:
    """The appendix's example, with a batch in place of the undocumented dataset view."""
    body = [
        {"id": "firstObjectId", "resource": "/dataSets", "method": "post", "body": dataset_body(schema, name="First")},
        {"id": "secondObjectId", "resource": "/batches", "method": "post",
         "body": {"status": "loading", "relatedObjects": [{"type": "dataSet", "id": "<<firstObjectId.id>>"}]}},
        {"id": "read", "resource": "/dataSets/<<firstObjectId.id>>", "method": "get"},
        {"id": "missing", "resource": "/dataSets/0123456789abcdef01234567", "method": "get"},
        {"id": "rename", "resource": "/dataSets/<<firstObjectId.id>>", "method": "patch",
         "body": {"description": "made from <<read.name>>"}, "headers": {"if-match": "1.0.0"}},
    ]  # fmt: skip
    answer = call(emulator, "POST", "", json=body)
    assert answer.status_code == 200
    results = answer.json()
    assert [(r["id"], r["code"]) for r in results] == [
        ("firstObjectId", 200), ("secondObjectId", 200), ("read", 200), ("missing", 404), ("rename", 200)
    ]
    dataset_id = DATASET_REF.match(results[0]["body"][0]).group(1)
    batch_id = results[1]["body"][0].removeprefix("@/batches/")
    assert batch(emulator, batch_id)["relatedObjects"] == [{"type": "dataSet", "id": dataset_id}]
    assert read(emulator, dataset_id)["description"] == "made from First"


def test_a_failed_write_reverts_every_change(emulator: EmulatorHandle, schema: dict) -> None:
    body = [
        {"id": "made", "resource": "/dataSets", "method": "post", "body": dataset_body(schema, name="kept?")},
        {"id": "bad", "resource": "/batches", "method": "post", "body": {"status": "exploded"}},
        {"id": "never", "resource": "/dataSets", "method": "post", "body": dataset_body(schema, name="never")},
    ]
    results = call(emulator, "POST", "", json=body).json()
    assert [(r["id"], r["code"]) for r in results] == [("made", 200), ("bad", 400)]
    made = DATASET_REF.match(results[0]["body"][0]).group(1)
    assert_catalog_error(call(emulator, "GET", f"/dataSets/{made}"), 404)
    assert call(emulator, "GET", "/dataSets").json() == {}


@pytest.mark.parametrize(
    "body",
    [
        {"resource": "/dataSets", "method": "get"},
        [],
        [{"resource": "dataSets", "method": "get"}],
        [{"resource": "/dataSets", "method": "fetch"}],
        [{"resource": "/", "method": "post", "body": []}],
        [{"resource": "/dataSets/<<nobody.id>>", "method": "get"}],
    ],
)
def test_bad_multi_requests_are_refused(emulator: EmulatorHandle, body: Any) -> None:
    assert_catalog_error(call(emulator, "POST", "", json=body), 400)
