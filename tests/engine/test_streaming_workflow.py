"""Seed 000 through the real engine: Kinesis raw records -> mapping set -> dataset, streaming dataflow.

One stack per module: the first test previews it empty, the ``stack`` fixture deploys the baseline,
and each later test declares the baseline plus one change and checks what the engine did in the
emulator's own API, leaving the stack converged; the checks every workflow shares are in
``lifecycle_checks``. The emulator checks the Kinesis credentials and stream against a moto server
(``prepare_aws``), as the platform checks them against AWS.
"""

from __future__ import annotations

import dataclasses

import pytest

from aep_provider.marker import without_marker
from aep_provider.specs import AMAZON_KINESIS

from .aep_stack import FLOW_SERVICE, REPLACE_OPS, AEPStack, ops_by_resource
from .conftest import MakeStack, moto_client
from .lifecycle_checks import (
    assert_adopting_a_connection_creates_no_duplicate,
    assert_destroy_leaves_no_object_behind,
    assert_first_preview_creates_everything,
    assert_out_of_band_delete_is_recreated,
    assert_platform_tags_survive_refresh_and_update,
    assert_replaced_create_before_delete,
    assert_rotated_secret_updates_in_place,
)
from .state_checks import assert_state_is_clean
from .workflows import KINESIS_SECRET, KINESIS_STREAM, LOYALTY_FIELDS, RAW_TO_XDM, TENANT, Streaming

pytestmark = pytest.mark.engine

BASELINE = Streaming()
KINESIS_SECRET_VALUE = "kinesis-secret-original-5d0c2f"
ROTATED_SECRET_VALUE = "kinesis-secret-rotated-9e41ab"
SECRETS = {KINESIS_SECRET: KINESIS_SECRET_VALUE}
EMAIL_MAPPING = ("email", "personalEmail.address")


def prepare_aws(moto_endpoint: str) -> None:
    """The stream the source reads (the emulator, like the platform, refuses a source on a missing one)."""
    moto_client(moto_endpoint, "kinesis").create_stream(StreamName=KINESIS_STREAM, ShardCount=1)


def test_first_preview_with_unknown_ids_passes(empty_stack: AEPStack) -> None:
    assert_first_preview_creates_everything(empty_stack, BASELINE.resources())


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
    assert without_marker(stack.api.flow_object("flows", ids["flow"])["description"]) == "Now with a new description"
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
    assert_rotated_secret_updates_in_place(
        stack, KINESIS_SECRET, ROTATED_SECRET_VALUE, connection="kinesis", auth_param="secretKey"
    )


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
    assert_replaced_create_before_delete(stack, before, {"dataset", "target", "flow"})
    after = stack.ids()
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
    new_id = assert_out_of_band_delete_is_recreated(stack, "flow", f"{FLOW_SERVICE}/flows")

    assert stack.output("flow.flow_id") == new_id
    assert stack.api.flow_object("flows", new_id)["state"] == "enabled"


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

    assert_adopting_a_connection_creates_no_duplicate(stack, adopter, made["id"], kinesis)


def test_a_field_added_to_a_field_group_is_mapped_in_the_same_deployment(stack: AEPStack) -> None:
    # The schema's version stays the same when its field group grows; the mapping's check-only
    # field_group_versions is what tells the preview that the new field is not there yet.
    ids = stack.ids()
    tier = ("tier", f"{TENANT}.tier")
    grown = dataclasses.replace(
        BASELINE,
        loyalty_fields={**LOYALTY_FIELDS, "tier": {"type": "string", "title": "Tier"}},
        mappings=(*RAW_TO_XDM, tier),
    )
    stack.declare(grown.resources())

    assert ops_by_resource(stack.preview_steps()) == {"loyalty": {"update"}, "mapping": {"update"}, "flow": {"update"}}
    stack.up()

    assert stack.ids() == ids
    mapping_set = stack.api.mapping_set(ids["mapping"])
    assert tier[1] in {m.get("destination") or m.get("destinationXdmPath") for m in mapping_set["mappings"]}
    stack.expect_no_changes()

    stack.deploy(BASELINE.resources())  # back to the baseline for the tests after this one
    stack.expect_no_changes()


def test_platform_dataset_tags_survive_refresh_and_an_update(stack: AEPStack) -> None:
    assert_platform_tags_survive_refresh_and_update(stack, BASELINE.resources(), "dataset")


def test_state_holds_no_secret(stack: AEPStack) -> None:
    assert_state_is_clean(stack, secrets=(*SECRETS.values(), ROTATED_SECRET_VALUE))


def test_destroy_leaves_no_object_behind(stack: AEPStack) -> None:
    assert_destroy_leaves_no_object_behind(stack)
