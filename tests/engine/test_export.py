"""``aep-provider export`` through the real engine: a sandbox made by hand becomes a program that adopts it.

Both seed workflows are created through AEP's raw API in ``dev`` (``tests/export/seed.py``), exported with
the console command (``python -m aep_provider export``, settings from ``AEP_*``), and the exported program
runs on a new stack: ``up`` adopts every object and writes nothing (the emulator's call statistics), the
next preview has no change, and a second export gives the same program. Then the ``--no-adopt`` program
is deployed into ``stage``, previews clean, and the two sandboxes export to the same program (their
inventories match).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from aep_emulator.testing import EmulatorHandle
from aep_provider.export.reader import READ_STEPS
from devtools.pulumi_cli import PulumiCLI
from tests.export.seed import KINESIS_SECRET, S3_SECRET, seed_workflows

from .aep_stack import AEP_TYPE_PREFIX, PlatformAPI, aep_config
from .conftest import REPO_VENV, _stack_numbers

pytestmark = pytest.mark.engine

SOURCE, COPY = "dev", "stage"
SECRET_LINE = re.compile(r"pulumi config set --secret (\w+) <value>")


def export(platform: EmulatorHandle, sandbox: str, out: Path, *flags: str) -> str:
    """Run the console command as a user would; its summary (stdout)."""
    env = {
        **os.environ,
        "AEP_ENDPOINT": platform.base_url, "AEP_IMS_ENDPOINT": platform.base_url,
        "AEP_CLIENT_ID": platform.config.client_id, "AEP_CLIENT_SECRET": platform.config.client_secret,
        "AEP_ORG_ID": platform.config.org_id,
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "aep_provider", "export", "--sandbox", sandbox, "--out", str(out), *flags],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{len(READ_STEPS)}/{len(READ_STEPS)}" in done.stderr  # the progress bar went to stderr
    return done.stdout


def secret_value(key: str) -> str:
    """What the seed put into the credential a config key stands for."""
    return S3_SECRET if "S3" in key else KINESIS_SECRET


MakeProgramStack = Callable[[Path, str, str], PulumiCLI]


@pytest.fixture(scope="module")
def program_stack(pulumi_binary: Path, engine_dirs: dict[str, Path], platform: EmulatorHandle) -> MakeProgramStack:
    """``program_stack(directory, sandbox, summary)``: a new stack of an exported program, configured for
    ``sandbox`` with the secrets its summary asks for."""

    def make(directory: Path, sandbox: str, summary: str) -> PulumiCLI:
        project_file = directory / "Pulumi.yaml"
        project = yaml.safe_load(project_file.read_text())
        project["runtime"]["options"]["virtualenv"] = str(REPO_VENV)  # the repository's venv, not ./venv
        project_file.write_text(yaml.safe_dump(project, sort_keys=False))
        cli = PulumiCLI(
            project_dir=directory, stack=f"test{next(_stack_numbers)}", backend_url=engine_dirs["backend"].as_uri(),
            pulumi_home=engine_dirs["home"], log_path=engine_dirs["log"], pulumi=pulumi_binary,
        )  # fmt: skip
        cli.stack_init()
        for key, value in aep_config(platform, sandbox).items():
            cli.config_set(key, value)
        cli.config_set("aep:clientSecret", platform.config.client_secret, secret=True)
        for key in SECRET_LINE.findall(summary):
            cli.config_set(key, secret_value(key), secret=True)
        return cli

    return make


@pytest.fixture(scope="module")
def seeded(platform: EmulatorHandle) -> dict[str, dict[str, str]]:
    return seed_workflows(platform, SOURCE)


@pytest.fixture(scope="module")
def exported(seeded: dict[str, dict[str, str]], platform: EmulatorHandle, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, str]:  # fmt: skip
    out = tmp_path_factory.mktemp("export") / "aep-dev"
    return out, export(platform, SOURCE, out)


def state_ids(cli: PulumiCLI) -> dict[str, str]:
    resources = cli.stack_export()["deployment"].get("resources") or []
    return {r["urn"].split("::")[-1]: r["id"] for r in resources if str(r["type"]).startswith(AEP_TYPE_PREFIX)}


def seeded_ids(seeded: dict[str, dict[str, str]]) -> set[str]:
    """Every object the seed made, but the primary identity (the Schema manages it)."""
    return {id_ for workflow in seeded.values() for role, id_ in workflow.items() if role != "primary"}


def test_export_writes_a_program_for_both_workflows(
    exported: tuple[Path, str], seeded: dict[str, dict[str, str]], platform: EmulatorHandle, tmp_path: Path
) -> None:
    out, summary = exported
    source = (out / "__main__.py").read_text()

    compile(source, "__main__.py", "exec")
    assert f"{len(seeded_ids(seeded))} resources (adopting the existing objects)" in summary
    assert "Not exported" not in summary
    assert sorted(SECRET_LINE.findall(summary)) == sorted(SECRET_LINE.findall(source))  # printed and in the program
    assert len(SECRET_LINE.findall(summary)) == 2
    for secret in (KINESIS_SECRET, S3_SECRET, platform.config.client_secret):
        assert secret not in source and secret not in summary
    again = tmp_path / "again"
    export(platform, SOURCE, again)
    assert (again / "__main__.py").read_text() == source  # exporting twice gives the same program


def test_up_adopts_every_object_without_a_write_and_preview_is_clean(
    exported: tuple[Path, str], seeded: dict[str, dict[str, str]], platform: EmulatorHandle,
    program_stack: MakeProgramStack,
) -> None:  # fmt: skip
    out, summary = exported
    cli = program_stack(out, SOURCE, summary)
    api = PlatformAPI(platform, SOURCE)

    with api.no_writes():
        cli.up()
    assert set(state_ids(cli).values()) == seeded_ids(seeded)

    with api.no_writes():
        cli.preview(expect_no_changes=True)


def test_no_adopt_program_promotes_the_sandbox_into_another(
    exported: tuple[Path, str], platform: EmulatorHandle, program_stack: MakeProgramStack,
    tmp_path: Path,
) -> None:  # fmt: skip
    adopting, _ = exported
    copy_dir = tmp_path / "copy"
    summary = export(platform, SOURCE, copy_dir, "--no-adopt")
    program = (copy_dir / "__main__.py").read_text()
    assert "adopt_id" not in program
    assert _statements(program) == _statements((adopting / "__main__.py").read_text(), drop="adopt_id=")

    cli = program_stack(copy_dir, COPY, summary)
    cli.up()
    cli.preview(expect_no_changes=True)

    # The two sandboxes now hold the same objects: each exports to the same program.
    stage = export(platform, COPY, tmp_path / "stage", "--no-adopt")
    assert (tmp_path / "stage" / "__main__.py").read_text() == program
    assert stage.splitlines()[1:-1] == summary.splitlines()[1:-1]  # the same counts and secrets
    assert kinds(platform, COPY) == kinds(platform, SOURCE)  # and the platform holds as many of each kind
    assert not set(state_ids(cli).values()) & {str(o["id"]) for o in platform.objects() if o["sandbox"] == SOURCE}


def kinds(platform: EmulatorHandle, sandbox: str) -> Counter[str]:
    return Counter(o["kind"] for o in platform.objects() if o["sandbox"] == sandbox)


def _statements(source: str, drop: str | None = None) -> list[str]:
    """The program's lines after its docstring, without lines containing ``drop``."""
    body = source.split('"""', 2)[2]
    return [line for line in body.splitlines() if drop is None or drop not in line]
