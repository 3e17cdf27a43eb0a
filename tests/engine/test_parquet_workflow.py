"""Seed 004 through the real engine: XDM parquet files in cloud storage -> a dataset, on a schedule.

One stack per module: the first test previews it empty, the ``stack`` fixture deploys the baseline,
and each later test declares the baseline plus one change and checks what the engine did in the
emulator's own API, leaving the stack converged; the checks every workflow shares are in
``lifecycle_checks``. The emulator checks the S3 credentials against a moto server (``prepare_aws``),
as the platform checks them against AWS.
"""

from __future__ import annotations

import dataclasses

import pytest

from aep_provider.specs import CLOUD_STORAGE_FLOW, DATA_LAKE

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
from .workflows import BLOB_SECRET, S3_BUCKET, S3_SECRET, Parquet

pytestmark = pytest.mark.engine

BASELINE = Parquet()
S3_SECRET_VALUE = "s3-secret-original-71c3e0"
ROTATED_S3_SECRET_VALUE = "s3-secret-rotated-0b9d44"
BLOB_SECRET_VALUE = "DefaultEndpointsProtocol=https;AccountName=engine;AccountKey=blob-secret-3f8a61"
SECRETS = {S3_SECRET: S3_SECRET_VALUE, BLOB_SECRET: BLOB_SECRET_VALUE}  # blob: for the connector switch


def prepare_aws(moto_endpoint: str) -> None:
    """The bucket the parquet files are read from."""
    moto_client(moto_endpoint, "s3").create_bucket(Bucket=S3_BUCKET)


def test_first_preview_with_unknown_ids_passes(empty_stack: AEPStack) -> None:
    assert_first_preview_creates_everything(empty_stack, BASELINE.resources())


def test_up_wires_every_id_into_the_flow(stack: AEPStack) -> None:
    outputs = stack.outputs()

    target = stack.api.flow_object("targetConnections", outputs["target.target_connection_id"])
    assert target["params"]["dataSetId"] == outputs["dataset.dataset_id"]
    assert target["baseConnectionId"] == outputs["dataset_base.connection_id"]
    flow = stack.api.flow_object("flows", outputs["flow.flow_id"])
    assert flow["sourceConnectionIds"] == [outputs["source.source_connection_id"]]
    assert flow["targetConnectionIds"] == [outputs["target.target_connection_id"]]
    assert flow["flowSpec"]["id"] == outputs["flow.resolved_flow_spec_id"] == CLOUD_STORAGE_FLOW
    assert (flow["scheduleParams"]["frequency"], int(flow["scheduleParams"]["interval"])) == ("minute", 15)
    source = stack.api.flow_object("sourceConnections", outputs["source.source_connection_id"])
    assert source["baseConnectionId"] == outputs["storage.connection_id"]


def test_converged_stack_has_no_changes(stack: AEPStack) -> None:
    with stack.api.no_writes():
        stack.expect_no_changes()


def test_schedule_interval_change_updates_the_flow_in_place(stack: AEPStack) -> None:
    ids = stack.ids()
    stack.declare(dataclasses.replace(BASELINE, interval_minutes=30).resources())

    assert ops_by_resource(stack.preview_steps()) == {"flow": {"update"}}
    stack.up()

    assert stack.ids() == ids
    assert int(stack.api.flow_object("flows", ids["flow"])["scheduleParams"]["interval"]) == 30
    stack.expect_no_changes()
    stack.deploy(BASELINE.resources())


def test_rotated_s3_secret_updates_the_base_connection_in_place(stack: AEPStack) -> None:
    assert_rotated_secret_updates_in_place(
        stack, S3_SECRET, ROTATED_S3_SECRET_VALUE, connection="storage", auth_param="s3SecretKey"
    )


def test_switching_the_storage_connector_replaces_connections_and_flow(stack: AEPStack) -> None:
    before = stack.ids()
    stack.declare(dataclasses.replace(BASELINE, storage="blob").resources())

    ops = ops_by_resource(stack.preview_steps())
    assert set(ops) == {"storage", "source", "flow"}
    assert all(ops[name] <= REPLACE_OPS for name in ops), ops
    stack.up()

    # The engine's default order works with AEP's rules: the old S3 connection is deleted only after the
    # flow and the source connection using it were replaced and deleted.
    assert_replaced_create_before_delete(stack, before, {"storage", "source", "flow"})
    after = stack.ids()
    assert stack.api.flow_object("connections", before["storage"]) is None
    assert stack.api.flow_object("sourceConnections", before["source"]) is None
    assert stack.api.flow_object("flows", before["flow"]) is None
    flow = stack.api.flow_object("flows", after["flow"])
    assert flow["sourceConnectionIds"] == [after["source"]]
    assert stack.api.flow_object("sourceConnections", after["source"])["baseConnectionId"] == after["storage"]
    stack.expect_no_changes()
    stack.deploy(BASELINE.resources())


def test_out_of_band_delete_is_dropped_by_refresh_and_recreated_by_up(stack: AEPStack) -> None:
    new_id = assert_out_of_band_delete_is_recreated(stack, "flow", f"{FLOW_SERVICE}/flows")

    assert stack.output("flow.flow_id") == new_id
    assert stack.api.flow_object("flows", new_id) is not None


def test_out_of_band_schedule_change_shows_in_preview_refresh_and_up_restores_it(stack: AEPStack) -> None:
    flow_id = stack.ids()["flow"]
    flow = stack.api.flow_object("flows", flow_id)
    stack.api.ok(
        "PATCH",
        f"{FLOW_SERVICE}/flows/{flow_id}",
        [{"op": "replace", "path": "/scheduleParams/interval", "value": 45}],
        headers={"If-Match": flow["etag"]},
    )

    steps = stack.preview_steps(refresh=True)
    assert ops_by_resource(steps) == {"flow": {"update"}}
    (step,) = [s for s in steps if s.name == "flow" and s.op == "update"]
    (changed,) = step.changed_inputs().items()
    assert changed[0] == "schedule" and changed[1][0]["interval"] == 45 and changed[1][1]["interval"] == 15
    stack.up(refresh=True)

    assert int(stack.api.flow_object("flows", flow_id)["scheduleParams"]["interval"]) == 15
    stack.expect_no_changes()


def test_adopting_an_existing_dataset_base_connection_creates_no_duplicate(
    stack: AEPStack, make_stack: MakeStack
) -> None:
    made = stack.api.ok(
        "POST",
        f"{FLOW_SERVICE}/connections",
        {"name": "Dataset base made by hand", "connectionSpec": {"id": DATA_LAKE, "version": "1.0"}},
    )
    adopter = make_stack()

    def dataset_base(name: str) -> list[dict]:
        """The workflow's dataset base connection alone, adopting the one made by hand."""
        adopting = dataclasses.replace(BASELINE, dataset_base_name=name, dataset_base_adopt_id=made["id"])
        return [entry for entry in adopting.resources() if entry["name"] == "dataset_base"]

    assert_adopting_a_connection_creates_no_duplicate(stack, adopter, made["id"], dataset_base)


def test_platform_dataset_tags_survive_refresh_and_an_update(stack: AEPStack) -> None:
    assert_platform_tags_survive_refresh_and_update(stack, BASELINE.resources(), "dataset")


def test_state_holds_no_secret(stack: AEPStack) -> None:
    assert_state_is_clean(stack, secrets=(*SECRETS.values(), ROTATED_S3_SECRET_VALUE))


def test_destroy_leaves_no_object_behind(stack: AEPStack) -> None:
    assert_destroy_leaves_no_object_behind(stack)
