"""Seed 000 through the real engine: Kinesis raw records -> mapping set -> dataset, streaming dataflow.

One stack per module: the first test previews it empty, the ``stack`` fixture deploys the baseline,
and each later test declares the baseline plus one change and checks what the engine did in the
emulator's own API, leaving the stack converged. The emulator checks the Kinesis
credentials and stream against a moto server, as the platform checks them against AWS.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from aep_emulator.testing import EmulatorHandle, running_emulator
from aep_provider.specs import AMAZON_KINESIS

from .aep_stack import FLOW_SERVICE, REPLACE_OPS, AEPStack, ops_by_resource, replacement_order
from .conftest import MakeStack, engine_emulator_config, moto_client
from .state_checks import assert_state_is_clean
from .workflows import KINESIS_SECRET, KINESIS_STREAM, RAW_TO_XDM, Streaming

pytestmark = pytest.mark.engine

BASELINE = Streaming()
KINESIS_SECRET_VALUE = "kinesis-secret-original-5d0c2f"
ROTATED_SECRET_VALUE = "kinesis-secret-rotated-9e41ab"
EMAIL_MAPPING = ("email", "personalEmail.address")


@pytest.fixture(scope="module")
def platform(moto_endpoint: str) -> Iterator[EmulatorHandle]:
    moto_client(moto_endpoint, "kinesis").create_stream(StreamName=KINESIS_STREAM, ShardCount=1)
    with running_emulator(engine_emulator_config(aws_endpoint=moto_endpoint)) as handle:
        yield handle


@pytest.fixture(scope="module")
def empty_stack(make_stack: MakeStack) -> AEPStack:
    stack = make_stack()
    stack.set_secret(KINESIS_SECRET, KINESIS_SECRET_VALUE)
    return stack



def test_first_preview_with_unknown_ids_passes(empty_stack: AEPStack) -> None:
    empty_stack.declare(BASELINE.resources())
    with empty_stack.api.no_writes():
        steps = empty_stack.preview_steps()
    assert ops_by_resource(steps) == {entry["name"]: {"create"} for entry in BASELINE.resources()}


def test_up_wires_every_id_into_the_flow(stack: AEPStack) -> None:
    outputs = stack.outputs()

    target = stack.api.flow_object("targetConnections", outputs["target.target_connection_id"])
    assert target["params"]["dataSetId"] == outputs["dataset.dataset_id"]
    flow = stack.api.flow_object("flows", outputs["flow.flow_id"])
    assert flow["sourceConnectionIds"] == [outputs["source.source_connection_id"]]
    assert flow["targetConnectionIds"] == [outputs["target.target_connection_id"]]
    (mapping,) = [t["params"] for t in flow["transformations"] if t["name"] == "Mapping"]
    assert mapping["mappingId"] == outputs["mapping.mapping_set_id"]
    assert int(mapping["mappingVersion"]) == outputs["mapping.mapping_version"]
    assert outputs["flow.state"] == flow["state"] == "enabled"


def test_converged_stack_has_no_changes(stack: AEPStack) -> None:
    with stack.api.no_writes():
        stack.expect_no_changes()


def test_description_change_updates_the_flow_in_place(stack: AEPStack) -> None:
    ids = stack.ids()
    stack.declare(dataclasses.replace(BASELINE, flow_description="Now with a new description").resources())

    assert ops_by_resource(stack.preview_steps()) == {"flow": {"update"}}
    stack.up()

    assert stack.ids() == ids
    assert stack.api.flow_object("flows", ids["flow"])["description"] == "Now with a new description"
    stack.deploy(BASELINE.resources())


def test_mapping_change_makes_a_new_version_and_moves_the_flow_to_it(stack: AEPStack) -> None:
    ids, version = stack.ids(), stack.output("mapping.mapping_version")
    stack.declare(dataclasses.replace(BASELINE, mappings=(*RAW_TO_XDM, EMAIL_MAPPING)).resources())

    assert ops_by_resource(stack.preview_steps()) == {"mapping": {"update"}, "flow": {"update"}}
    outputs = stack.up()

    assert stack.ids() == ids
    assert outputs["mapping.mapping_version"] > version
    mapping_set = stack.api.mapping_set(ids["mapping"])
    assert EMAIL_MAPPING[1] in {m.get("destination") or m.get("destinationXdmPath") for m in mapping_set["mappings"]}
    flow = stack.api.flow_object("flows", ids["flow"])
    (params,) = [t["params"] for t in flow["transformations"] if t["name"] == "Mapping"]
    assert (params["mappingId"], int(params["mappingVersion"])) == (ids["mapping"], outputs["mapping.mapping_version"])
    stack.expect_no_changes()


def test_rotated_kinesis_secret_updates_the_base_connection_in_place(stack: AEPStack) -> None:
    ids = stack.ids()
    stack.set_secret(KINESIS_SECRET, ROTATED_SECRET_VALUE)

    assert ops_by_resource(stack.preview_steps()) == {"kinesis": {"update"}}
    stack.up()

    assert stack.ids() == ids
    assert stack.api.stored(ids["kinesis"])["auth"]["params"]["secretKey"] == ROTATED_SECRET_VALUE
    stack.expect_no_changes()


def test_moving_the_dataset_to_another_schema_replaces_dataset_target_and_flow(stack: AEPStack) -> None:
    before = stack.ids()
    stack.declare(dataclasses.replace(BASELINE, dataset_schema="profiles_v2").resources())

    ops = ops_by_resource(stack.preview_steps())
    assert set(ops) == {"dataset", "target", "mapping", "flow"}
    assert all(ops[name] <= REPLACE_OPS for name in ("dataset", "target", "flow")), ops
    assert ops["mapping"] == {"update"}  # a new version with the new output schema
    outputs = stack.up()

    # The engine's default order works with AEP's rules: the new dataset, target connection and flow
    # exist before the old flow, then the old target connection, then the old dataset are deleted.
    for name in ("dataset", "target", "flow"):
        assert replacement_order(stack.last_up_output, name) == "create-before-delete"
    after = stack.ids()
    assert {name for name in after if after[name] != before[name]} == {"dataset", "target", "flow"}
    for name, collection in (("target", "targetConnections"), ("flow", "flows")):
        assert stack.api.flow_object(collection, before[name]) is None
    assert stack.api.dataset(before["dataset"]) is None
    assert stack.api.dataset(after["dataset"])["schemaRef"]["id"] == outputs["profiles_v2.schema_id"]
    target = stack.api.flow_object("targetConnections", after["target"])
    assert target["params"]["dataSetId"] == after["dataset"]
    assert stack.api.flow_object("flows", after["flow"])["targetConnectionIds"] == [after["target"]]
    stack.expect_no_changes()
    stack.deploy(BASELINE.resources())


def test_out_of_band_flow_delete_is_dropped_by_refresh_and_recreated_by_up(stack: AEPStack) -> None:
    old_id = stack.ids()["flow"]
    stack.api.ok("DELETE", f"{FLOW_SERVICE}/flows/{old_id}")

    stack.refresh()
    assert "flow" not in stack.state_resources()
    assert ops_by_resource(stack.preview_steps()) == {"flow": {"create"}}
    outputs = stack.up()

    assert outputs["flow.flow_id"] != old_id
    assert stack.api.flow_object("flows", outputs["flow.flow_id"])["state"] == "enabled"
    stack.expect_no_changes()


def test_out_of_band_rename_shows_in_preview_refresh_and_up_restores_it(stack: AEPStack) -> None:
    flow_id = stack.ids()["flow"]
    flow = stack.api.flow_object("flows", flow_id)
    stack.api.ok(
        "PATCH",
        f"{FLOW_SERVICE}/flows/{flow_id}",
        [{"op": "replace", "path": "/name", "value": "renamed in the UI"}],
        headers={"If-Match": flow["etag"]},
    )

    steps = stack.preview_steps(refresh=True)
    assert ops_by_resource(steps) == {"flow": {"update"}}
    (step,) = [s for s in steps if s.name == "flow" and s.op == "update"]
    assert step.changed_inputs() == {"name": ("renamed in the UI", f"{BASELINE.prefix} dataflow")}
    stack.up(refresh=True)

    assert stack.api.flow_object("flows", flow_id)["name"] == f"{BASELINE.prefix} dataflow"
    stack.expect_no_changes()


def test_adopting_an_existing_kinesis_connection_creates_no_duplicate(stack: AEPStack, make_stack: MakeStack) -> None:
    made = stack.api.ok(
        "POST",
        f"{FLOW_SERVICE}/connections",
        {
            "name": "Kinesis made by hand",
            "connectionSpec": {"id": AMAZON_KINESIS, "version": "1.0"},
            "auth": {
                "specName": "Aws Kinesis authentication credentials",
                "params": {
                    "accessKeyId": "AKIAENGINEKINESIS",
                    "secretKey": KINESIS_SECRET_VALUE,
                    "region": "us-east-1",
                },
            },
        },
    )
    adopter = make_stack()
    adopter.set_secret(KINESIS_SECRET, KINESIS_SECRET_VALUE)

    def kinesis(name: str) -> list[dict]:
        """The workflow's Kinesis connection alone, adopting the one made by hand."""
        adopting = dataclasses.replace(BASELINE, kinesis_name=name, kinesis_adopt_id=made["id"])
        return [entry for entry in adopting.resources() if entry["name"] == "kinesis"]

    adopter.declare(kinesis("Another name"))
    failure = adopter.up_failure()
    assert "cannot adopt" in failure and "name: declared 'Another name'" in failure

    objects_before = stack.api.object_ids()
    outputs = adopter.deploy(kinesis("Kinesis made by hand"))
    assert outputs["kinesis.id"] == made["id"]
    assert stack.api.object_ids() == objects_before
    adopter.expect_no_changes()
    adopter.destroy()  # now managed: destroy deletes it
    assert stack.api.flow_object("connections", made["id"]) is None


def test_state_holds_no_secret(stack: AEPStack) -> None:
    assert_state_is_clean(stack, secrets=(KINESIS_SECRET_VALUE, ROTATED_SECRET_VALUE))


def test_destroy_leaves_no_object_behind(stack: AEPStack) -> None:
    assert set(stack.ids().values()) <= stack.api.object_ids()
    stack.destroy()
    assert stack.state_resources() == {}
    assert stack.api.objects() == []  # this module's emulator served only this stack
