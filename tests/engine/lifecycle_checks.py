"""What every workflow's stack goes through, asserted the same way in each module: the first preview
from empty, a rotated secret, a replacement, a resource deleted behind the engine's back, adopting a
connection made by hand, the platform's own dataset tags through a refresh and an update, the final
destroy.

Each check takes the module's stack (and what is specific to it: resources, names, a path) and
asserts the engine's side; the module's test adds what its workflow's objects must look like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aep_emulator.core.hooks import secret_fingerprint

from .aep_stack import CATALOG, AEPStack, ops_by_resource, replacement_order


def assert_first_preview_creates_everything(empty_stack: AEPStack, resources: list[dict[str, Any]]) -> None:
    """A preview of ``resources`` on the empty stack passes though every id one resource takes from
    another is still unknown, plans a create for each, and writes nothing to the platform."""
    empty_stack.declare(resources)
    with empty_stack.api.no_writes():
        steps = empty_stack.preview_steps()
    assert ops_by_resource(steps) == {entry["name"]: {"create"} for entry in resources}


def assert_rotated_secret_updates_in_place(
    stack: AEPStack, config_key: str, rotated: str, connection: str, auth_param: str
) -> None:
    """A new value of the stack secret ``config_key`` updates only the base connection ``connection``
    that reads it, in place (same ids), and the platform then holds it as ``auth_param``."""
    ids = stack.ids()
    stack.set_secret(config_key, rotated)

    assert ops_by_resource(stack.preview_steps()) == {connection: {"update"}}
    stack.up()

    assert stack.ids() == ids
    assert stack.api.stored(ids[connection])["auth"]["params"][auth_param] == secret_fingerprint(rotated)
    stack.expect_no_changes()


def assert_replaced_create_before_delete(stack: AEPStack, before: dict[str, str], names: set[str]) -> None:
    """The last ``up`` replaced exactly ``names`` (every other id is still the one in ``before``), each
    in the engine's default order: the replacement created before the original was deleted."""
    for name in sorted(names):
        assert replacement_order(stack.last_up_output, name) == "create-before-delete", name
    after = stack.ids()
    assert {name for name in after if after[name] != before[name]} == names


def assert_out_of_band_delete_is_recreated(stack: AEPStack, name: str, collection_path: str) -> str:
    """Delete resource ``name`` as a user would (``DELETE <collection_path>/<id>``): ``refresh`` drops
    it from state, the preview then plans its creation alone, and ``up`` makes a new one and converges.
    Returns the new id, for the module to check the new object."""
    old_id = stack.ids()[name]
    stack.api.ok("DELETE", f"{collection_path}/{old_id}")

    stack.refresh()
    assert name not in stack.state_resources()
    assert ops_by_resource(stack.preview_steps()) == {name: {"create"}}
    stack.up()

    new_id = stack.ids()[name]
    assert new_id != old_id
    stack.expect_no_changes()
    return new_id


def assert_adopting_a_connection_creates_no_duplicate(
    stack: AEPStack, adopter: AEPStack, made_id: str, declaration: Callable[[str], list[dict[str, Any]]]
) -> None:
    """A second stack, ``adopter``, declares ``declaration(name)``: the workflow's connection alone, named
    ``name`` and adopting ``made_id``, a connection made by hand. A name other than the platform's fails
    the ``up``; the platform's adopts the connection without creating any object and converges; from
    then on the stack owns it: its ``destroy`` deletes it."""
    adopter.declare(declaration("Another name"))
    failure = adopter.up_failure()
    assert "cannot adopt" in failure and "name: declared 'Another name'" in failure

    objects_before = stack.api.object_ids()
    (connection,) = declaration(stack.api.flow_object("connections", made_id)["name"])
    outputs = adopter.deploy([connection])
    assert outputs[f"{connection['name']}.id"] == made_id
    assert stack.api.object_ids() == objects_before
    adopter.expect_no_changes()
    adopter.destroy()
    assert stack.api.flow_object("connections", made_id) is None


def _with_dataset_tags(resources: list[dict[str, Any]], dataset: str, tags: dict[str, list[str]]) -> list[dict[str, Any]]:
    return [{**e, "inputs": {**e["inputs"], "tags": tags}} if e["name"] == dataset else e for e in resources]


def assert_platform_tags_survive_refresh_and_update(stack: AEPStack, resources: list[dict[str, Any]], dataset: str) -> None:
    """The platform adds its own tags to the dataset ``dataset`` (Catalog at create, as the GET of
    platform-learn.en module5.1/ex8.md shows them, and one more later, out of band): a refresh reads
    none of them as the user's, the stack then has no changes, an in-place update of a user tag keeps
    every one of them, and dropping the user tag again (back to ``resources``) removes only it."""
    stack.deploy(_with_dataset_tags(resources, dataset, {"owner": ["data-team"]}))
    dataset_id = stack.ids()[dataset]
    later = [{"op": "add", "path": "/tags/aep~1siphon~1cleanup~1meta~1timestamp", "value": ["1733302532287"]}]
    stack.api.ok("PATCH", f"{CATALOG}/dataSets/{dataset_id}", later,
                 headers={"Content-Type": "application/json-patch+json"})  # fmt: skip
    platform = {k: v for k, v in stack.api.dataset(dataset_id)["tags"].items() if k != "owner"}
    assert {"adobe/pqs/table", "acp_validationContext", "aep/siphon/cleanup/meta/timestamp"} <= set(platform)

    stack.refresh()
    stack.expect_no_changes()

    stack.declare(_with_dataset_tags(resources, dataset, {"owner": ["platform-team"]}))
    assert ops_by_resource(stack.preview_steps()) == {dataset: {"update"}}
    stack.up()
    assert stack.ids()[dataset] == dataset_id
    assert stack.api.dataset(dataset_id)["tags"] == {**platform, "owner": ["platform-team"]}
    stack.expect_no_changes()

    stack.deploy(resources)
    assert stack.api.dataset(dataset_id)["tags"] == platform


def assert_destroy_leaves_no_object_behind(stack: AEPStack) -> None:
    """Every object in state exists on the platform until ``destroy``, which empties both the state and
    the platform (each module's emulator serves only that module's stacks, all gone by then)."""
    assert set(stack.ids().values()) <= stack.api.object_ids()
    stack.destroy()
    assert stack.state_resources() == {}
    assert stack.api.objects() == []
