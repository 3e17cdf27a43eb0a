"""Contract tests for flow specs, flows and runs against Adobe's documented exchanges.

(a) A documented flow GET goes through the provider's refresh and preview logic (``read`` then ``diff``,
with inputs describing that same flow) and shows no change; documented flow specs decide, through their
``apiFeatures``, whether a change is made in place or replaces the flow. (b) The emulator answers the
same requests, and every answer has each documented key with the documented JSON type; a flow shows the
documented shape (``lastOperation`` included) in every state it passes through.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider import specs
from aep_provider.dataflow import DataflowProvider
from tests.emulator.helpers import wait_until_settled

from .corpus import Example, example, examples, shape_differences

from tests.provider.conftest import configured, fresh_tokens, no_aep_environment, stack_config  # noqa: F401

pytest_plugins = ["tests.provider.flow_fixtures"]  # schema, dataset, target, mapping set, S3 source

FLOW_SERVICE = "/data/foundation/flowservice"
SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"
Made = tuple[str, dict[str, Any]]


def answer(emulator: EmulatorHandle, ex: Example, flow_id: str = "", **kwargs: Any) -> Any:
    """The emulator's answer to the documented request (``{FLOW_ID}`` filled in); asserts the status."""
    path = ex.request["path"].replace("{FLOW_ID}", flow_id)
    params = {k: v.replace("{FLOW_ID}", flow_id) for k, v in (ex.request.get("params") or {}).items()}
    got = emulator.request(ex.request["method"], path, params=params, **kwargs)
    assert got.status_code == ex.status, got.text
    return got.json()


def created(emulator: EmulatorHandle, resource: str, body: dict[str, Any]) -> str:
    got = emulator.request("POST", f"{FLOW_SERVICE}/{resource}", json=body)
    assert got.status_code == 201, got.text
    return str(got.json()["id"])


# --- (a) the provider's read and drift logic on documented responses --------------------------------------


def test_a_documented_flow_refreshes_without_a_spurious_change(configured: Callable[..., Any]) -> None:
    [documented] = example("flowservice_flow_get_after_update").body["items"]
    declared = {
        "name": documented["name"], "description": documented["description"],
        "source_connection_ids": documented["sourceConnectionIds"],
        "target_connection_ids": documented["targetConnectionIds"],
        "mapping_set_id": "0b090130b58b4819afc78b6dc98b484d", "mapping_version": 0,
        "schedule": {"frequency": "week", "interval": 15},
    }  # fmt: skip
    provider = configured(DataflowProvider)
    provider.read_object = lambda object_id, sandbox: documented  # the documented answer instead of the emulator's
    result = provider.read(documented["id"], {**declared, "sandbox": "prod"})
    assert result.outs["state"] == "enabled" and result.outs["update_supported"] is True
    diff = provider.diff(documented["id"], result.outs, declared)
    assert not diff.changes, diff


SPEC_CASES = [
    # (example, flow spec id, updates in place)
    ("flowservice_flowspec_get_cloud_storage", specs.CLOUD_STORAGE_FLOW, True),  # no apiFeatures: supported
    ("flowservice_flowspecs_list_streaming", specs.STREAMING_FLOW, True),  # only flowRunsSupported: false
    ("flowservice_flowspecs_list_streaming", specs.HTTP_API_RAW_FLOW, False),  # updateSupported: false
]


@pytest.mark.parametrize(("name", "spec_id", "in_place"), SPEC_CASES)
def test_documented_api_features_decide_in_place_or_replace(
    monkeypatch: pytest.MonkeyPatch, name: str, spec_id: str, in_place: bool
) -> None:
    [spec] = [item for item in example(name).body["items"] if item["id"] == spec_id]
    monkeypatch.setattr("aep_provider.dataflow.flow_spec", lambda client, found_id, sandbox: spec)
    monkeypatch.setattr(DataflowProvider, "client", property(lambda self: None))
    provider = DataflowProvider()
    flow = {"id": "f1", "flowSpec": {"id": spec_id, "version": "1.0"}, "state": "enabled", "etag": '"e"',
            "sandboxName": "prod"}  # fmt: skip
    declared = {"name": "Flow", "source_connection_ids": ["s1"], "target_connection_ids": ["t1"], "sandbox": "prod"}
    outputs = {**declared, **provider.outputs_from_server(flow, provider.args_model.model_construct(**declared))}
    renamed = provider.diff("f1", outputs, {**declared, "name": "Renamed"})
    assert renamed.changes and (renamed.replaces == []) is in_place, renamed.replaces
    paused = provider.diff("f1", outputs, {**declared, "enabled": False})
    assert paused.changes and not paused.replaces  # enable/disable is an action, never a replacement


# --- (b) the emulator answers as documented -------------------------------------------------------------------


@pytest.fixture
def crm_flow(emulator: EmulatorHandle, target: Made, mapping_set: Made) -> str:
    """A CRMToAEP flow like the documented one: a table source, Copy and Mapping, a weekly schedule, updated."""
    base = created(emulator, "connections", {
        "name": "CRM", "connectionSpec": {"id": SALESFORCE, "version": "1.0"},
        "auth": {"specName": "Basic Authentication",
                 "params": {"username": "u", "password": "p", "securityToken": "t"}},
    })  # fmt: skip
    source = created(emulator, "sourceConnections", {
        "name": "Accounts", "baseConnectionId": base, "connectionSpec": {"id": SALESFORCE, "version": "1.0"},
        "data": {"format": "tabular"}, "params": {"tableName": "Account", "columns": []},
    })  # fmt: skip
    flow_id = created(emulator, "flows", {
        "name": "Database dataflow", "description": "collecting Account",
        "flowSpec": {"id": specs.CRM_FLOW, "version": "1.0"},
        "sourceConnectionIds": [source], "targetConnectionIds": [target[0]],
        "transformations": [
            {"name": "Copy", "params": {"deltaColumn": {"name": "Datefield", "dateFormat": "YYYY-MM-DD",
                                                        "timezone": "UTC"}}},
            {"name": "Mapping", "params": {"mappingId": mapping_set[0], "mappingVersion": 0}},
        ],
        "scheduleParams": {"startTime": "4102444800", "frequency": "day", "interval": "15", "backfill": "true"},
    })  # fmt: skip
    etag = wait_until_settled(emulator, flow_id)["etag"]
    patched = emulator.request(
        "PATCH", f"{FLOW_SERVICE}/flows/{flow_id}", headers={"If-Match": etag},
        json=[{"op": "replace", "path": "/scheduleParams/frequency", "value": "week"}],
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    return flow_id


def test_flow_get_after_an_update_as_documented(emulator: EmulatorHandle, crm_flow: str) -> None:
    ex = example("flowservice_flow_get_after_update")
    wait_until_settled(emulator, crm_flow)
    assert shape_differences(ex.body, answer(emulator, ex, crm_flow), ex) == []


def test_a_flow_shows_the_documented_shape_in_every_state(emulator: EmulatorHandle, crm_flow: str) -> None:
    ex = example("flowservice_flow_get_after_update")
    seen = {}
    updating = answer(emulator, ex, crm_flow)  # right after the PATCH: still updating
    seen[updating["items"][0]["state"]] = updating
    etag = wait_until_settled(emulator, crm_flow)["etag"]
    assert emulator.request("POST", f"{FLOW_SERVICE}/flows/{crm_flow}/action", params={"op": "disable"}).ok
    disabling = answer(emulator, ex, crm_flow)
    seen[disabling["items"][0]["state"]] = disabling
    wait_until_settled(emulator, crm_flow)
    disabled = answer(emulator, ex, crm_flow)
    seen[disabled["items"][0]["state"]] = disabled
    assert set(seen) == {"updating", "disabling", "disabled"}, etag
    for state, body in seen.items():
        assert shape_differences(ex.body, body, ex) == [], state
    assert updating["items"][0]["lastOperation"]["status"]["value"] == "inProgress"
    assert disabled["items"][0]["lastOperation"]["status"]["value"] == "completed"


def test_flow_patch_as_documented(emulator: EmulatorHandle, crm_flow: str) -> None:
    ex = example("flowservice_flow_patch")
    etag = wait_until_settled(emulator, crm_flow)["etag"]
    got = answer(emulator, ex, crm_flow, json=ex.request_body, headers={"If-Match": etag})
    assert shape_differences(ex.body, got, ex) == []
    flow = wait_until_settled(emulator, crm_flow)
    assert (flow["name"], flow["scheduleParams"]["frequency"]) == ("Database Dataflow Feb2021", "day")
    assert flow["etag"] == got["etag"] != etag


def test_flow_specs_as_documented(emulator: EmulatorHandle) -> None:
    ex = example("flowservice_flowspec_get_cloud_storage")
    assert shape_differences(ex.body, answer(emulator, ex), ex) == []


def test_streaming_flow_specs_carry_the_documented_names_and_api_features(emulator: EmulatorHandle) -> None:
    ex = example("flowservice_flowspecs_list_streaming")
    served = {item["id"]: item for item in answer(emulator, ex)["items"]}
    for documented in ex.body["items"]:
        actual = served[documented["id"]]
        assert shape_differences(documented, actual, ex) == [], documented["id"]
        assert actual["name"] == documented["name"]
        features = actual["attributes"]["uiAttributes"]["apiFeatures"]
        assert features.items() >= documented["attributes"]["uiAttributes"]["apiFeatures"].items()


def test_runs_of_a_flow_as_documented(emulator: EmulatorHandle, s3_source: Made, target: Made) -> None:
    flow_id = created(emulator, "flows", {
        "name": "One-time load", "flowSpec": {"id": specs.CLOUD_STORAGE_FLOW, "version": "1.0"},
        "sourceConnectionIds": [s3_source[0]], "targetConnectionIds": [target[0]],
        "scheduleParams": {"startTime": "4102444800", "frequency": "once"},
    })  # fmt: skip
    wait_until_settled(emulator, flow_id)
    created(emulator, "runs", {"flowId": flow_id, "params": {"windowStartTime": "1651584991",
                                                             "windowEndTime": "1651585991"}})  # fmt: skip
    ex = example("flowservice_flow_runs_list")
    assert shape_differences(ex.body, answer(emulator, ex, flow_id), ex) == []


def test_flow_error_envelope_as_documented(emulator: EmulatorHandle) -> None:
    ex = example("flowservice_flow_error_not_found")
    got = answer(emulator, ex, str(uuid.uuid4()))
    assert shape_differences(ex.body, got, ex) == []
    assert got["type"].endswith("/FLOW-1439-404")


def test_every_flow_example_is_covered() -> None:
    covered = {name for name, _, _ in SPEC_CASES} | {
        "flowservice_flow_get_after_update", "flowservice_flow_patch", "flowservice_flow_runs_list",
        "flowservice_flow_error_not_found",
    }  # fmt: skip
    mine = {ex.name for ex in examples("flowservice") if ex.name.startswith("flowservice_flow")}
    assert mine == covered
