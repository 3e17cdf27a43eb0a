"""The Sandbox resource through the real engine (issue 13): a stack creates a sandbox and deploys a
schema into it in the same ``pulumi up``, the schema's ``sandbox`` wired from the sandbox's name output
(as another stack would read it through a stack reference, see stacks/org/README.md)."""

from __future__ import annotations

import pytest

from .aep_stack import AEPStack, PlatformAPI, declared, ops_by_resource, ref
from .workflows import PERSON_DETAILS, PROFILE_CLASS

pytestmark = pytest.mark.engine

SANDBOX = "ci-team"
RESOURCES = [
    declared("team", "Sandbox", {"name": SANDBOX, "title": "CI team sandbox"}, exports=["sandbox_name", "state"]),
    declared(
        "members",
        "Schema",
        {"title": "Team members", "class_id": PROFILE_CLASS, "field_groups": [PERSON_DETAILS],
         "sandbox": ref("team.sandbox_name")},
        exports=["schema_id"],
    ),  # fmt: skip
]


def test_a_sandbox_made_by_the_stack_takes_a_schema(empty_stack: AEPStack) -> None:
    empty_stack.declare(RESOURCES)
    assert ops_by_resource(empty_stack.preview_steps()) == {"team": {"create"}, "members": {"create"}}
    outputs = empty_stack.up()

    assert (outputs["team.sandbox_name"], outputs["team.state"]) == (SANDBOX, "active")
    in_team = PlatformAPI(empty_stack.emulator, sandbox=SANDBOX)
    assert in_team.registry_object("schemas", outputs["members.schema_id"])["title"] == "Team members"
    assert empty_stack.api.registry_object("schemas", outputs["members.schema_id"]) is None  # not in prod
    with empty_stack.api.no_writes():
        empty_stack.expect_no_changes()
