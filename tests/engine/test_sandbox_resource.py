"""The Sandbox resource through the real engine (issue 13): a stack creates a sandbox and deploys a
schema into it in the same ``pulumi up``, the schema's ``sandbox`` wired from the sandbox's name output
(as another stack would read it through a stack reference, see stacks/org/README.md); and the
stacks/org program itself."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import yaml

from aep_emulator.testing import EmulatorHandle
from devtools.pulumi_cli import REPO_ROOT, PulumiCLI

from .aep_stack import AEPStack, PlatformAPI, declared, ops_by_resource, ref
from .conftest import REPO_VENV
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



@pytest.fixture
def org_stack(pulumi_binary: Path, engine_dirs: dict[str, Path], platform: EmulatorHandle, tmp_path: Path) -> AEPStack:
    """A stack of the repository's stacks/org program (its stack files left out) against the emulator."""
    program = tmp_path / "org"
    shutil.copytree(REPO_ROOT / "stacks" / "org", program, ignore=shutil.ignore_patterns("Pulumi.*.yaml"))
    project = yaml.safe_load((program / "Pulumi.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = str(REPO_VENV)
    (program / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    cli = PulumiCLI(
        project_dir=program, stack=f"org{uuid.uuid4().hex[:8]}", backend_url=engine_dirs["backend"].as_uri(),
        pulumi_home=engine_dirs["home"], log_path=engine_dirs["log"], pulumi=pulumi_binary,
    )  # fmt: skip
    return AEPStack(cli=cli, emulator=platform, backend_dir=engine_dirs["backend"]).init()


def test_the_org_program_owns_the_dev_and_stage_sandboxes(org_stack: AEPStack) -> None:
    """stacks/org: two sandboxes made (active) and exported by name, converged, and protected from destroy."""
    org_stack.cli.config_set("aep-org:devSandbox", "org-dev")
    org_stack.cli.config_set("aep-org:stageSandbox", "org-stage")
    outputs = org_stack.up()
    assert outputs == {"dev_sandbox": "org-dev", "stage_sandbox": "org-stage"}
    for name in ("org-dev", "org-stage"):
        found = org_stack.api.ok("GET", f"/data/foundation/sandbox-management/sandboxes/{name}")
        assert (found["state"], found["type"]) == ("active", "development")
    with org_stack.api.no_writes():
        org_stack.expect_no_changes()
    assert "protect" in org_stack.cli.run("destroy", "--yes", check=False).stdout  # protected by default
