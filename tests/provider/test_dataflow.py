"""Dataflow over real HTTP against the emulator: streaming and scheduled flows, in-place changes, checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from aep_emulator.testing import EmulatorHandle
from aep_provider import flow_service, specs
from aep_provider.connection import BaseConnectionProvider
from aep_provider.dataflow import DEFAULT_START_LEAD_SECONDS, DataflowProvider
from aep_provider.errors import AdoptionMismatchError
from aep_provider.mapping_set import MappingSetProvider
from aep_provider.source_connection import SourceConnectionProvider
from aep_provider.target_connection import TargetConnectionProvider
from tests.provider.conftest import program_inputs, refreshed, update
from tests.provider.flow_helpers import (
    Made,
    assert_checks_write_nothing,
    failures_of,
    patch_out_of_band,
    server_object,
    writes,
)

pytest_plugins = ["tests.provider.flow_fixtures"]  # the flow-side fixtures

SCHEDULE = {"frequency": "minute", "interval": 15}
FLOWS = "/data/foundation/flowservice/flows"
CREATE_ROUTE = "/data/foundation/flowservice/<any(connections, sourceConnections, targetConnections, flows):resource>"


@pytest.fixture
def lake_base(make: Callable[..., Made]) -> Made:
    return make(BaseConnectionProvider, name="Datasets", connection_spec_id=specs.DATA_LAKE)


@pytest.fixture
def batch_target(make: Callable[..., Made], dataset: Made, schema: Made, lake_base: Made) -> Made:
    return make(
        TargetConnectionProvider, name="Parquet into the lake", dataset_id=dataset[0], schema_id=schema[0],
        base_connection_id=lake_base[0],
    )  # fmt: skip


@pytest.fixture
def http_source(make: Callable[..., Made]) -> Made:
    """An HTTP API source: its connection spec goes with several flow specs (raw, XDM, generic streaming)."""
    http_base, _ = make(
        BaseConnectionProvider, name="Web", connection_spec_id=specs.HTTP_API,
        auth_spec_name="Streaming Connection", auth_params={"dataType": "raw"},
    )  # fmt: skip
    return make(
        SourceConnectionProvider, name="Web events", connection_spec_id=specs.HTTP_API, base_connection_id=http_base,
        data_format="json",
    )  # fmt: skip


@pytest.fixture
def batch_flow(make: Callable[..., Made], s3_source: Made, batch_target: Made) -> Made:
    """The cloud-storage seed's flow: flow spec looked up from the connections, a schedule."""
    return make(
        DataflowProvider, name="Parquet ingestion", source_connection_ids=[s3_source[0]],
        target_connection_ids=[batch_target[0]], schedule=SCHEDULE,
    )  # fmt: skip


def test_streaming_flow_carries_the_mapping_transformation(emulator: EmulatorHandle, streaming_flow: Made, mapping_set: Made) -> None:
    flow_id, outs = streaming_flow
    assert (outs["flow_id"], outs["state"], outs["resolved_flow_spec_id"]) == (flow_id, "enabled", specs.STREAMING_FLOW)
    server = server_object(emulator, "flows", flow_id)
    assert server["transformations"] == [
        {"name": "Mapping", "params": {"mappingId": mapping_set[0], "mappingVersion": "0"}}  # AEP keeps it as text
    ]
    assert "scheduleParams" not in server


def test_batch_flow_looks_up_its_spec_and_schedules(emulator: EmulatorHandle, batch_flow: Made) -> None:
    flow_id, outs = batch_flow
    assert outs["flow_spec_id"] is None and outs["resolved_flow_spec_id"] == specs.CLOUD_STORAGE_FLOW
    params = server_object(emulator, "flows", flow_id)["scheduleParams"]
    assert (params["frequency"], params["interval"]) == ("minute", "15")  # AEP keeps schedule values as text
    lead = int(params["startTime"]) - time.time()  # no start time declared: a few minutes after the create
    assert DEFAULT_START_LEAD_SECONDS - 60 < lead <= DEFAULT_START_LEAD_SECONDS


def test_a_new_mapping_version_moves_the_flow_in_place(
    emulator: EmulatorHandle, configured: Callable[..., Any], streaming_flow: Made, mapping_set: Made
) -> None:
    mapping_outs = update(
        configured(MappingSetProvider), mapping_set[0], mapping_set[1],
        mappings=[{"source": "given", "destination": "person.name.firstName"}],
    )  # fmt: skip
    assert mapping_outs["mapping_version"] == 1
    flow_id, outs = streaming_flow
    emulator.clear_stats()
    update(configured(DataflowProvider), flow_id, outs, mapping_version=1)
    assert emulator.calls("PATCH", "/flowservice/") == 1
    server = server_object(emulator, "flows", flow_id)
    assert server["transformations"][0]["params"]["mappingVersion"] == "1"
    assert server["lastOperation"]["ops"][0]["path"] == "/transformations/0"


def test_schedule_interval_name_and_enabled_change_in_place(
    emulator: EmulatorHandle, configured: Callable[..., Any], batch_flow: Made
) -> None:
    flow_id, outs = batch_flow
    provider = configured(DataflowProvider)
    emulator.clear_stats()
    outs = update(provider, flow_id, outs, schedule={"frequency": "hour", "interval": 2}, name="Hourly", enabled=False)
    server = server_object(emulator, "flows", flow_id)
    assert (server["scheduleParams"]["frequency"], server["scheduleParams"]["interval"]) == ("hour", "2")
    assert (server["name"], server["state"], outs["state"]) == ("Hourly", "disabled", "disabled")
    assert emulator.calls("POST", "/flows/<flow_id>/action") == 1
    outs = update(provider, flow_id, outs, enabled=True)
    assert server_object(emulator, "flows", flow_id)["state"] == outs["state"] == "enabled"


def test_a_flow_created_disabled_is_disabled(
    emulator: EmulatorHandle, make: Callable[..., Made], kinesis_source: Made, target: Made
) -> None:
    # The flow is still being created when the provider wants to disable it: AEP refuses the action then
    # (1422-400); the provider waits for the create to complete instead of deleting the flow it made.
    flow_id, outs = make(
        DataflowProvider, name="Paused", flow_spec_id=specs.STREAMING_FLOW,
        source_connection_ids=[kinesis_source[0]], target_connection_ids=[target[0]], enabled=False,
    )  # fmt: skip
    assert outs["state"] == "disabled" and outs["enabled"] is False
    assert [f["id"] for f in emulator.request("GET", FLOWS).json()["items"]] == [flow_id]
    assert emulator.calls("DELETE", "flowservice") == 0


def test_read_shows_drift_and_keeps_undeclared_server_values_out(
    emulator: EmulatorHandle, configured: Callable[..., Any], batch_flow: Made
) -> None:
    flow_id, outs = batch_flow
    patch_out_of_band(emulator, "flows", flow_id, [{"op": "replace", "path": "/scheduleParams/interval", "value": 30}])
    provider = configured(DataflowProvider)
    new_outs, inputs = refreshed(provider, flow_id, outs)
    assert inputs["schedule"] == {"frequency": "minute", "interval": 30, "start_time": None, "backfill": None}
    assert "flow_spec_id" not in inputs  # looked up, not declared: never drift
    diff = provider.diff(flow_id, new_outs, program_inputs(provider, outs))
    assert diff.changes and not diff.replaces


def test_gone_flows_read_as_gone_and_delete_twice(configured: Callable[..., Any], streaming_flow: Made) -> None:
    provider = configured(DataflowProvider)
    provider.delete(*streaming_flow)
    provider.delete(*streaming_flow)
    assert provider.read(*streaming_flow).outs == {}


def test_adoption_verifies_the_flow(
    configured: Callable[..., Any], emulator: EmulatorHandle, streaming_flow: Made
) -> None:
    flow_id, outs = streaming_flow
    provider = configured(DataflowProvider)
    inputs = program_inputs(provider, outs)
    emulator.clear_stats()
    assert provider.create({**inputs, "adopt_id": flow_id}).id == flow_id
    assert writes(emulator) == 0
    with pytest.raises(AdoptionMismatchError, match="mapping_version: declared 3, found 0"):
        provider.create({**inputs, "mapping_version": 3, "adopt_id": flow_id})


OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "name": "Flow", "description": None, "source_connection_ids": ["s1"],
    "target_connection_ids": ["t1"], "flow_spec_id": None, "mapping_set_id": "m1", "mapping_version": 0,
    "schedule": {"frequency": "minute", "interval": 15, "start_time": None, "backfill": None}, "enabled": True,
    "flow_id": "f1", "etag": '"e"', "state": "enabled", "resolved_flow_spec_id": specs.CLOUD_STORAGE_FLOW,
}  # fmt: skip

DIFF_CASES = [
    ({}, False, []),
    ({"schedule": {"frequency": "minute", "interval": 15}}, False, []),
    ({"schedule": {"frequency": "minute", "interval": 30}}, True, []),
    ({"mapping_version": 1}, True, []),
    ({"enabled": False}, True, []),
    ({"name": "n", "description": "d"}, True, []),
    ({"source_connection_ids": ["s2"]}, True, ["source_connection_ids"]),
    ({"target_connection_ids": [UNKNOWN]}, True, ["target_connection_ids"]),
    ({"flow_spec_id": specs.CLOUD_STORAGE_FLOW}, True, ["flow_spec_id"]),
]


@pytest.mark.parametrize(("changes", "changed", "replaces"), DIFF_CASES)
def test_diff(configured: Callable[..., Any], changes: dict[str, Any], changed: bool, replaces: list[str]) -> None:
    provider = configured(DataflowProvider)
    result = provider.diff("f1", OUTPUTS, program_inputs(provider, OUTPUTS, **changes))
    assert result.changes is changed
    assert sorted(result.replaces or []) == replaces


BASE = {"name": "f", "source_connection_ids": [UNKNOWN], "target_connection_ids": [UNKNOWN]}

OFFLINE_CHECK_CASES = [
    # (inputs, {property: text}) - rules of the inputs alone (connections unknown: no look-up)
    ({**BASE, "schedule": SCHEDULE}, {}),
    ({**BASE, "schedule": {"frequency": "minute", "interval": 5}}, {"schedule": "at least 15"}),
    ({**BASE, "schedule": {"frequency": "hour", "interval": 0}}, {"schedule": "greater than or equal to 1"}),
    ({**BASE, "schedule": {"frequency": "hour"}}, {"schedule": "interval: required"}),
    ({**BASE, "schedule": {"frequency": "once", "interval": 1}}, {"schedule": "not allowed with frequency 'once'"}),
    ({**BASE, "schedule": {"frequency": "once", "backfill": True}}, {"schedule": "backfill: not allowed"}),
    ({**BASE, "schedule": {"frequency": "once"}}, {}),
    ({**BASE, "schedule": {"frequency": "monthly", "interval": 1}}, {"schedule": "'once', 'minute', 'hour', 'day' or 'week'"}),
    ({**BASE, "schedule": {**SCHEDULE, "start_time": 1_700_000_000_000}}, {"schedule": "looks like milliseconds"}),
    ({**BASE, "mapping_set_id": "m1"}, {"mapping_version": "together"}),
    ({**BASE, "mapping_version": 0}, {"mapping_version": "together"}),
    ({**BASE, "source_connection_ids": []}, {"source_connection_ids": "at least 1"}),
]  # fmt: skip


@pytest.mark.parametrize(("inputs", "expected"), OFFLINE_CHECK_CASES)
def test_check_input_rules(
    emulator: EmulatorHandle, configured: Callable[..., Any], inputs: dict[str, Any], expected: dict[str, str]
) -> None:
    assert_checks_write_nothing(emulator, configured(DataflowProvider), [(inputs, expected)])


FUTURE = int(time.time()) + 86_400
PAST = 1_600_000_000

CHANGE_CASES = [
    # (old schedule, new schedule, expected failure text or None)
    (SCHEDULE, {"frequency": "hour", "interval": 1}, None),
    (SCHEDULE, {"frequency": "once"}, "cannot switch to 'once'"),
    ({**SCHEDULE, "start_time": FUTURE}, {"frequency": "once", "start_time": FUTURE}, None),  # not started yet
    (SCHEDULE, {**SCHEDULE, "backfill": False}, "backfill: cannot change"),
    (SCHEDULE, {**SCHEDULE, "backfill": True}, None),  # true is AEP's default
    ({**SCHEDULE, "start_time": PAST}, {**SCHEDULE, "start_time": PAST + 60}, "start_time: the flow started at 1600000000"),
    (SCHEDULE, {**SCHEDULE, "start_time": FUTURE}, "the flow started at its creation"),
    ({**SCHEDULE, "start_time": FUTURE}, {**SCHEDULE, "start_time": FUTURE + 60}, None),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "expected"), CHANGE_CASES)
def test_check_refuses_what_a_started_flow_cannot_change(
    configured: Callable[..., Any], old: dict[str, Any], new: dict[str, Any], expected: str | None
) -> None:
    found = failures_of(configured(DataflowProvider), {**BASE, "schedule": new}, {**BASE, "schedule": old})
    if expected is None:
        assert found == {}
    else:
        assert expected in found["schedule"]


def test_check_against_the_specs_and_the_connections(
    emulator: EmulatorHandle,
    configured: Callable[..., Any],
    kinesis_source: Made,
    s3_source: Made,
    target: Made,
    mapping_set: Made,
    http_source: Made,
) -> None:
    streaming = {"name": "f", "source_connection_ids": [kinesis_source[0]], "target_connection_ids": [target[0]]}
    cases = [
        (streaming, {}),
        ({**streaming, "mapping_set_id": mapping_set[0], "mapping_version": 0}, {}),
        ({**streaming, "mapping_set_id": mapping_set[0], "mapping_version": 7}, {"mapping_version": "has no version 7"}),
        ({**streaming, "schedule": SCHEDULE}, {"schedule": "takes no schedule"}),
        ({**streaming, "flow_spec_id": specs.CLOUD_STORAGE_FLOW, "schedule": SCHEDULE},
         {"source_connection_ids": "does not accept"}),
        ({**streaming, "flow_spec_id": "00000000-0000-0000-0000-000000000000"}, {"flow_spec_id": "unknown flow spec"}),
        ({**streaming, "source_connection_ids": [s3_source[0]]}, {"schedule": "required by flow spec"}),
        ({**streaming, "source_connection_ids": ["no-such-source"]}, {"source_connection_ids": "does not exist"}),
        ({**streaming, "source_connection_ids": [http_source[0]]}, {"flow_spec_id": "several flow specs"}),
        ({**streaming, "source_connection_ids": [http_source[0]], "flow_spec_id": specs.HTTP_API_RAW_FLOW}, {}),
    ]  # fmt: skip
    assert_checks_write_nothing(emulator, configured(DataflowProvider), cases)


# --- flow states, start times and flow spec apiFeatures (issue 8: 2.2, 2.3, 2.9) -------------------------------


def test_writes_wait_out_the_transitional_states(
    emulator: EmulatorHandle, configured: Callable[..., Any], batch_flow: Made
) -> None:
    """Each write leaves the flow updating/disabling for a while; the next one waits instead of failing."""
    flow_id, outs = batch_flow
    provider = configured(DataflowProvider)
    emulator.clear_stats()
    outs = update(provider, flow_id, outs, name="First")
    outs = update(provider, flow_id, outs, name="Second", enabled=False)
    outs = update(provider, flow_id, outs, enabled=True)
    assert (outs["name"], outs["state"]) == ("Second", "enabled")
    assert emulator.calls(status=400) == 0  # never sent into a transition (1416/1420/1421/1422)


def test_transitional_refusals_are_retried(emulator: EmulatorHandle, configured: Callable[..., Any], batch_flow: Made) -> None:
    """A write refused because the flow is between states (someone else's write) is retried, not failed."""
    flow_id, outs = batch_flow
    patch_out_of_band(emulator, "flows", flow_id, [{"op": "replace", "path": "/name", "value": "Elsewhere"}])
    outs = update(configured(DataflowProvider), flow_id, outs, name="Mine")
    assert server_object(emulator, "flows", flow_id)["name"] == outs["name"] == "Mine"


def test_the_default_start_is_recomputed_for_a_resend(
    emulator: EmulatorHandle, make: Callable[..., Made], s3_source: Made, batch_target: Made,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The create's answer is lost (502): the POST is sent again with a start computed at that moment."""
    real_create = flow_service.create_object
    refreshed_at: list[float] = []

    def create_with_a_lost_answer(*args: Any, **kwargs: Any) -> str:
        emulator.inject_fault(method="POST", route=CREATE_ROUTE, action="status", status=502, count=1)
        refresh = kwargs["refresh"]

        def recorded(body: dict[str, Any]) -> None:
            time.sleep(1.1)  # the resend happens later than the first send
            refreshed_at.append(time.time())
            refresh(body)

        return real_create(*args, **{**kwargs, "refresh": recorded})

    monkeypatch.setattr("aep_provider.dataflow.create_object", create_with_a_lost_answer)
    flow_id, _ = make(DataflowProvider, name="Resent", source_connection_ids=[s3_source[0]],
                      target_connection_ids=[batch_target[0]], schedule=SCHEDULE)  # fmt: skip
    sent = int(server_object(emulator, "flows", flow_id)["scheduleParams"]["startTime"])
    assert len(refreshed_at) == 1 and sent == int(refreshed_at[0]) + DEFAULT_START_LEAD_SECONDS


PAST_START = {**SCHEDULE, "start_time": 1_600_000_000}


KNOWN = {"name": "f", "source_connection_ids": ["s1"], "target_connection_ids": ["t1"]}


def test_a_new_flow_starting_in_the_past_fails_at_preview() -> None:
    provider = DataflowProvider()  # no credentials: the input rules alone
    found = failures_of(provider, {**KNOWN, "schedule": PAST_START})
    assert "schedule.start_time: 1600000000 is in the past" in found["schedule"] and "1360" in found["schedule"]
    # An existing flow keeps its past start time; a replacement would make a new flow starting in the past.
    old = {**KNOWN, "schedule": PAST_START}
    assert failures_of(provider, {**old, "name": "g"}, old) == {}
    assert "schedule.start_time" in failures_of(provider, {**old, "source_connection_ids": ["s2"]}, old)["schedule"]
    assert failures_of(provider, {**old, "adopt_id": "f1"}) == {}  # adopting: the flow exists already


def test_a_flow_spec_without_updates_replaces_and_refuses_deletes(
    emulator: EmulatorHandle, configured: Callable[..., Any], make: Callable[..., Made], target: Made, http_source: Made
) -> None:
    flow_id, outs = make(
        DataflowProvider, name="Web flow", flow_spec_id=specs.HTTP_API_RAW_FLOW,
        source_connection_ids=[http_source[0]], target_connection_ids=[target[0]],
    )  # fmt: skip
    assert (outs["update_supported"], outs["delete_supported"]) == (False, False)
    provider = configured(DataflowProvider)
    renamed = provider.diff(flow_id, outs, program_inputs(provider, outs, name="Renamed"))
    assert renamed.replaces == ["name"]  # the spec refuses updates (apiFeatures.updateSupported: false)
    assert not provider.diff(flow_id, outs, program_inputs(provider, outs, enabled=False)).replaces
    with pytest.raises(Exception, match="declares deleteSupported: false") as refused:
        provider.delete(flow_id, outs)
    assert "retain_on_delete" in str(refused.value)
    assert server_object(emulator, "flows", flow_id)["id"] == flow_id
