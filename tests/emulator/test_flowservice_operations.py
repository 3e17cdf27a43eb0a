"""The Flow Service operations beyond the seed workflows (issue 13): run updates and re-triggers, the
search endpoints, Sources SDK connection and flow specs, spec and connection configs/explore, and the
provider-only connection actions. Every answer is checked against flow-service.yaml."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from tests.emulator.openapi_check import validate_response
from tests.emulator.test_flowservice import (  # noqa: F401 (fixtures)
    BASE,
    CLOUD_STORAGE_FLOW,
    S3,
    World,
    assert_flow_error,
    created,
    once_flow,
    platform,
    read,
    world,
)


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    answer = emu.request(method, BASE + path, **kwargs)
    validate_response(answer)
    return answer


@pytest.fixture
def run_id(world: World, once_flow: str) -> str:
    return created(call(world.platform.emu, "POST", "/runs", json={"flowId": once_flow}))


# --- runs -----------------------------------------------------------------------------------------


def test_put_run_updates_metrics_with_if_match(world: World, run_id: str) -> None:
    emu = world.platform.emu
    run = read(emu, "runs", run_id)
    metrics = {**run["metrics"], "recordSummary": {"inputRecordCount": 10, "outputRecordCount": 9, "failedRecordCount": 1}}
    answer = call(emu, "PUT", f"/runs/{run_id}", json={"metrics": metrics}, headers={"If-Match": run["etag"]})
    assert answer.status_code == 200, answer.text
    updated = answer.json()
    assert updated["metrics"]["recordSummary"]["failedRecordCount"] == 1 and updated["etag"] != run["etag"]
    assert read(emu, "runs", run_id)["metrics"] == metrics
    assert_flow_error(call(emu, "PUT", f"/runs/{run_id}", json={"metrics": metrics}, headers={"If-Match": run["etag"]}), 412, 1404)
    assert_flow_error(call(emu, "PUT", f"/runs/{run_id}", json={"metrics": metrics}), 400, 1403)
    fresh = updated["etag"]
    assert_flow_error(call(emu, "PUT", f"/runs/{run_id}", json={"flowId": "another"}, headers={"If-Match": fresh}), 400, 1100)
    assert_flow_error(call(emu, "PUT", "/runs/nope", json={}, headers={"If-Match": fresh}), 404, 1101)


def test_re_trigger_schedules_the_run_again(world: World, run_id: str) -> None:
    emu = world.platform.emu
    run = read(emu, "runs", run_id)
    failed = {**run["metrics"], "statusSummary": {**run["metrics"]["statusSummary"], "status": "failed",
                                                  "errors": [{"code": "CONNECTOR-2001-500", "message": "x"}]}}  # fmt: skip
    etag = call(emu, "PUT", f"/runs/{run_id}", json={"metrics": failed}, headers={"If-Match": run["etag"]}).json()["etag"]
    answer = call(emu, "POST", f"/runs/{run_id}/action", params={"op": "RE_TRIGGER"})
    assert answer.status_code == 200, answer.text
    summary = answer.json()["metrics"]["statusSummary"]
    assert (summary["status"], summary["errors"]) == ("scheduled", []) and answer.json()["etag"] != etag
    assert_flow_error(call(emu, "POST", f"/runs/{run_id}/action", params={"op": "RE_TRIGGER"}, headers={"If-Match": etag}), 412, 1404)
    assert_flow_error(call(emu, "POST", f"/runs/{run_id}/action", params={"op": "STOP"}), 400, 1398)
    assert_flow_error(call(emu, "POST", f"/runs/{run_id}/action"), 400, 1334)


# --- search ---------------------------------------------------------------------------------------


def test_search_finds_what_the_listing_filters_find(world: World) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow(name="Searched flow"))
    found = call(emu, "POST", "/flows/search", json={"queryString": "name==Searched flow", "limit": 10}).json()
    assert [f["id"] for f in found["items"]] == [flow_id]
    assert call(emu, "POST", "/flows/search", json={"queryString": "name==nobody"}).json()["items"] == []
    assert call(emu, "POST", "/flows/search", json={"count": True}).json() == {"count": 1}
    projected = call(emu, "POST", "/flows/search", json={"projectionFields": "name"}).json()["items"]
    assert projected == [{"id": flow_id, "name": "Searched flow"}]

    conns = call(emu, "POST", "/connections/search", json={"queryString": f"connectionSpec.id=={S3}"}).json()
    assert [c["id"] for c in conns["items"]] == [world.s3_base] and "_links" not in conns
    specs = call(emu, "POST", "/flowSpecs/search", json={"queryString": "name==CloudStorageToAEP"}).json()["items"]
    assert [s["id"] for s in specs] == [CLOUD_STORAGE_FLOW]
    assert_flow_error(call(emu, "POST", "/flows/search", json={"queryString": "name~x"}), 400, 1440)
    assert_flow_error(call(emu, "POST", "/flows/search", json={"limit": "ten"}), 400, 1100)


# --- Sources SDK specs ----------------------------------------------------------------------------


def test_an_organisation_creates_and_updates_its_own_connection_spec(emulator: EmulatorHandle) -> None:
    """help/sources/sources-sdk/api/connection-specs.md: create, look up, update."""
    body = {"name": "MailChimp source", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a", "type": "generic-rest",
            "version": "1.0", "authSpec": [{"name": "Basic Authentication", "type": "BasicAuthentication",
                                            "spec": {"type": "object", "properties": {"host": {"type": "string"}}}}]}  # fmt: skip
    answer = call(emulator, "POST", "/connectionSpecs", json=body)
    assert answer.status_code == 201, answer.text
    spec = answer.json()
    assert spec["name"] == "MailChimp source" and spec["authSpec"] == body["authSpec"]
    for sandbox in ("prod", "dev"):  # the organisation's, seen from every sandbox
        assert call(emulator, "GET", f"/connectionSpecs/{spec['id']}", sandbox=sandbox).json()["items"][0]["id"] == spec["id"]
    listed = call(emulator, "GET", "/connectionSpecs", params={"property": "name==MailChimp source"}).json()["items"]
    assert [s["id"] for s in listed] == [spec["id"]]

    renamed = call(emulator, "PUT", f"/connectionSpecs/{spec['id']}", json={**body, "name": "MailChimp members"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "MailChimp members"
    assert call(emulator, "GET", f"/connectionSpecs/{spec['id']}/explore").json() == []
    assert call(emulator, "GET", f"/connectionSpecs/{spec['id']}/configs").json() == []
    assert_flow_error(call(emulator, "PUT", f"/connectionSpecs/{S3}", json=body), 400, 1100)  # Adobe's own
    assert_flow_error(call(emulator, "PUT", "/connectionSpecs/nope", json=body), 404, 1101)
    assert_flow_error(call(emulator, "POST", "/connectionSpecs", json={"name": "no provider"}), 400, 1304)
    assert_flow_error(call(emulator, "GET", "/connectionSpecs/nope/explore"), 404, 1101)


def test_an_organisation_creates_a_flow_spec(emulator: EmulatorHandle) -> None:
    body = {"name": "MailChimp flow", "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a", "version": "1.0",
            "sourceConnectionSpecIds": ["some-spec"], "targetConnectionSpecIds": ["c604ff05-7f1a-43c0-8e18-33bf874cb11c"]}  # fmt: skip
    spec = call(emulator, "POST", "/flowSpecs", json=body).json()
    assert call(emulator, "GET", f"/flowSpecs/{spec['id']}").json()["items"][0]["name"] == "MailChimp flow"
    updated = call(emulator, "PUT", f"/flowSpecs/{spec['id']}", json={**body, "version": "1.1"}).json()
    assert updated["version"] == "1.1"


# --- provider-side connection operations ----------------------------------------------------------


@pytest.mark.parametrize("resource", ["connections", "sourceConnections", "targetConnections"])
def test_provider_actions_are_refused_to_a_customer(world: World, resource: str) -> None:
    emu = world.platform.emu
    obj_id = {"connections": world.s3_base, "sourceConnections": world.s3_source, "targetConnections": world.target}[resource]
    params = {"op": "PUBLISH", "subOp": "APPLY"} if resource == "connections" else {"op": "PUBLISH"}
    body = assert_flow_error(call(emu, "POST", f"/{resource}/{obj_id}/action", params=params), 400, 1402)
    assert "supported for provider requests only" in body["report"]["detailed-message"]
    assert_flow_error(call(emu, "POST", f"/{resource}/{obj_id}/action", params={"op": "DANCE"}), 400, 1398)
    assert call(emu, "POST", f"/{resource}/nope/action", params={"op": "PUBLISH"}).status_code == 404


def test_connection_configs(world: World) -> None:
    emu = world.platform.emu
    assert call(emu, "GET", f"/connections/{world.s3_base}/configs").json() == []
    assert call(emu, "GET", "/connections/nope/configs").status_code == 404
