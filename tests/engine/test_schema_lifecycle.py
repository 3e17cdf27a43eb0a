"""The schema side (field group, schemas, identity descriptor, dataset) through the real engine.

One stack per module: the first test previews it empty, the ``stack`` fixture deploys the baseline,
and each later test declares what it needs (usually the baseline plus one change) and checks what the
engine did in the emulator's own API. Each leaves the stack converged on what it declared. The checks
every workflow's stack shares (a replacement, an out-of-band delete, destroy) are in ``lifecycle_checks``.
"""

from __future__ import annotations

import dataclasses

import pytest

from aep_provider.marker import without_marker

from .aep_stack import CATALOG, REPLACE_OPS, AEPStack, ops_by_resource
from .lifecycle_checks import (
    assert_destroy_leaves_no_object_behind,
    assert_out_of_band_delete_is_recreated,
    assert_replaced_create_before_delete,
)
from .state_checks import assert_state_is_clean
from .workflows import SchemaSide

pytestmark = pytest.mark.engine

BASELINE = SchemaSide()


def test_first_preview_with_unknown_ids_passes(empty_stack: AEPStack) -> None:
    # Schema ids flow into field_groups (a list) and into the dataset: all unknown in this preview.
    empty_stack.declare(BASELINE.resources())
    with empty_stack.api.no_writes():
        steps = empty_stack.preview_steps()
    assert ops_by_resource(steps) == {
        name: {"create"} for name in ("loyalty", "members", "prospects", "identity", "members_data")
    }


def test_up_wires_ids_between_resources(stack: AEPStack) -> None:
    outputs = stack.outputs()

    dataset = stack.api.dataset(outputs["members_data.dataset_id"])
    assert dataset is not None
    assert dataset["schemaRef"]["id"] == outputs["members.schema_id"] == outputs["members_data.schema_id"]
    schema = stack.api.registry_object("schemas", outputs["members.schema_id"])
    assert schema is not None
    assert {part["$ref"] for part in schema["allOf"]} >= {outputs["loyalty.field_group_id"]}


def test_converged_stack_has_no_changes(stack: AEPStack) -> None:
    with stack.api.no_writes():
        stack.expect_no_changes()


def test_description_changes_update_in_place(stack: AEPStack) -> None:
    ids_before = stack.ids()
    changed = dataclasses.replace(
        BASELINE, dataset_description="Members, updated", schema_description="Schema, updated"
    )
    stack.declare(changed.resources())

    assert ops_by_resource(stack.preview_steps()) == {"members": {"update"}, "members_data": {"update"}}
    stack.up()

    assert stack.ids() == ids_before
    assert stack.api.dataset(ids_before["members_data"])["description"] == "Members, updated"
    assert without_marker(stack.api.registry_object("schemas", ids_before["members"])["description"]) == "Schema, updated"
    stack.deploy(BASELINE.resources())


def test_changing_a_datasets_schema_replaces_the_dataset(stack: AEPStack) -> None:
    before = stack.ids()
    moved = dataclasses.replace(BASELINE, dataset_schema="prospects")
    stack.declare(moved.resources())

    ops = ops_by_resource(stack.preview_steps())
    assert set(ops) == {"members_data"} and ops["members_data"] <= REPLACE_OPS
    outputs = stack.up()

    assert_replaced_create_before_delete(stack, before, {"members_data"})
    new_id = outputs["members_data.dataset_id"]
    assert new_id != before["members_data"]
    assert stack.api.dataset(before["members_data"]) is None
    assert stack.api.dataset(new_id)["schemaRef"]["id"] == outputs["prospects.schema_id"]
    stack.deploy(BASELINE.resources())


def test_out_of_band_delete_is_dropped_by_refresh_and_recreated_by_up(stack: AEPStack) -> None:
    new_id = assert_out_of_band_delete_is_recreated(stack, "members_data", f"{CATALOG}/dataSets")

    assert stack.output("members_data.dataset_id") == new_id
    assert stack.api.dataset(new_id) is not None


def test_out_of_band_change_shows_in_preview_refresh_and_up_restores_it(stack: AEPStack) -> None:
    dataset_id = stack.ids()["members_data"]
    stack.api.ok("PATCH", f"{CATALOG}/dataSets/{dataset_id}", {"description": "edited in the UI"})

    steps = stack.preview_steps(refresh=True)
    assert ops_by_resource(steps) == {"members_data": {"update"}}
    (step,) = [s for s in steps if s.name == "members_data" and s.op == "update"]
    assert step.changed_inputs() == {"description": ("edited in the UI", BASELINE.dataset_description)}
    stack.up(refresh=True)

    assert stack.api.dataset(dataset_id)["description"] == BASELINE.dataset_description
    stack.expect_no_changes()


def test_adopting_an_existing_dataset_creates_no_duplicate(stack: AEPStack) -> None:
    # Without the dataset in the stack, make one "by hand" as a user of the UI would.
    stack.deploy([r for r in BASELINE.resources() if r["name"] != "members_data"])
    schema_id = stack.output("members.schema_id")
    made = stack.api.ok(
        "POST",
        f"{CATALOG}/dataSets",
        {
            "name": BASELINE.dataset_name,
            "description": BASELINE.dataset_description,
            "schemaRef": {"id": schema_id, "contentType": "application/vnd.adobe.xed+json;version=1"},
            "tags": {"team": ["loyalty"]},
        },
    )
    existing_id = made[0].rsplit("/", 1)[-1]

    mismatched = dataclasses.replace(BASELINE, dataset_adopt_id=existing_id, dataset_name="Another name")
    stack.declare(mismatched.resources())
    failure = stack.up_failure()
    assert "cannot adopt" in failure and "name: declared 'Another name'" in failure

    objects_before = stack.api.object_ids()
    outputs = stack.deploy(dataclasses.replace(BASELINE, dataset_adopt_id=existing_id).resources())
    assert outputs["members_data.dataset_id"] == existing_id
    assert stack.api.object_ids() == objects_before
    stack.expect_no_changes()


def test_state_holds_no_secret_and_tiny_by_reference_providers(stack: AEPStack) -> None:
    assert_state_is_clean(stack)


def test_destroy_leaves_no_object_behind(stack: AEPStack) -> None:
    assert_destroy_leaves_no_object_behind(stack)
