"""Flow states: every write passes through a transitional state, and the platform's refusals meanwhile.

Source: help/sources/errors/flow-service-errors.md (1416, 1420, 1421, 1422); help/sources/errors/
sources-errors.md (1360, a start time in the past); flow spec apiFeatures as documented in
help/sources/tutorials/api/collect/streaming.md.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from tests.emulator.helpers import FLOWS_PATH, wait_until_settled
from tests.emulator.test_flowservice import CLOUD_STORAGE_FLOW, World, assert_flow_error, platform, world  # noqa: F401

LONG = 30.0  # seconds a transition lasts in these tests: long enough to probe it


@pytest.fixture
def slow_transitions(emulator: EmulatorHandle) -> Any:
    before = emulator.config.flow_transition_seconds
    emulator.config.flow_transition_seconds = LONG
    yield
    emulator.config.flow_transition_seconds = before


def flow_call(emu: EmulatorHandle, method: str, suffix: str = "", **kwargs: Any) -> requests.Response:
    return emu.request(method, f"{FLOWS_PATH}{suffix}", **kwargs)


def current(emu: EmulatorHandle, flow_id: str) -> dict[str, Any]:
    return flow_call(emu, "GET", f"/{flow_id}").json()["items"][0]


def rename(emu: EmulatorHandle, flow_id: str) -> requests.Response:
    etag = current(emu, flow_id)["etag"]
    return flow_call(emu, "PATCH", f"/{flow_id}", headers={"If-Match": etag},
                     json=[{"op": "replace", "path": "/name", "value": f"n{time.time()}"}])  # fmt: skip


def test_a_new_flow_is_in_progress_then_enabled(world: World, slow_transitions: Any) -> None:
    emu = world.platform.emu
    flow_id = flow_call(emu, "POST", json=world.batch_flow()).json()["id"]
    flow = current(emu, flow_id)
    assert flow["state"] == "inProgress"
    assert flow["lastOperation"]["operation"] == "create"
    assert flow["lastOperation"]["status"] == {"value": "inProgress", "errors": []}
    assert flow["lastOperation"]["percentCompleted"] < 100
    assert_flow_error(rename(emu, flow_id), 400, 1416)
    assert_flow_error(flow_call(emu, "DELETE", f"/{flow_id}"), 400, 1416)
    assert_flow_error(flow_call(emu, "POST", f"/{flow_id}/action", params={"op": "disable"}), 400, 1422)


@pytest.mark.parametrize(
    ("write", "state", "patch_code"),
    [("patch", "updating", 1421), ("disable", "disabling", 1420), ("enable", "enabling", 1416)],
)
def test_writes_are_refused_while_the_flow_transitions(
    emulator: EmulatorHandle, world: World, write: str, state: str, patch_code: int
) -> None:
    emu = world.platform.emu
    flow_id = flow_call(emu, "POST", json=world.batch_flow()).json()["id"]
    wait_until_settled(emu, flow_id)
    if write == "enable":
        assert flow_call(emu, "POST", f"/{flow_id}/action", params={"op": "disable"}).ok
        wait_until_settled(emu, flow_id)
    emulator.config.flow_transition_seconds = LONG
    try:
        started = rename(emu, flow_id) if write == "patch" else flow_call(
            emu, "POST", f"/{flow_id}/action", params={"op": write})  # fmt: skip
        assert started.status_code == 200, started.text
        assert current(emu, flow_id)["state"] == state
        assert_flow_error(rename(emu, flow_id), 400, patch_code)
        assert_flow_error(flow_call(emu, "DELETE", f"/{flow_id}"), 400, 1416)
        body = assert_flow_error(flow_call(emu, "POST", f"/{flow_id}/action", params={"op": "enable"}), 400, 1422)
        assert f"current state {state}" in body["errorMessage"]
    finally:
        emulator.config.flow_transition_seconds = 0.2


def test_the_flow_settles_and_accepts_writes_again(world: World) -> None:
    emu = world.platform.emu
    flow_id = flow_call(emu, "POST", json=world.batch_flow()).json()["id"]
    flow = wait_until_settled(emu, flow_id)
    assert (flow["state"], flow["lastOperation"]["percentCompleted"]) == ("enabled", 100.0)
    assert rename(emu, flow_id).status_code == 200


def test_a_new_flow_starting_in_the_past_is_refused(world: World) -> None:
    past = {"startTime": str(int(time.time()) - 3600), "frequency": "hour", "interval": "1"}
    body = world.batch_flow(scheduleParams=past)
    assert_flow_error(flow_call(world.platform.emu, "POST", json=body), 400, 1360)


def test_the_cli_sets_the_transition_time() -> None:
    from aep_emulator.__main__ import build_parser, config_from

    assert config_from(build_parser().parse_args(["--flow-transition-seconds", "1.5"])).flow_transition_seconds == 1.5
    assert config_from(build_parser().parse_args([])).flow_transition_seconds == 0.2
    assert CLOUD_STORAGE_FLOW  # the world's batch flows use the cloud-storage flow spec
