"""The ``pulumi`` requirement is a range; the provider is tested with the Python SDK at both of its ends.

What "both ends" means here, honestly:

- the lower end is the range's lower bound exactly (``pulumi==3.216.0``), the oldest SDK a user may have;
- the upper end is the newest SDK release on PyPI inside the range, as a fresh install resolves it today
  (the test looks it up with ``pip index versions``, so it follows new releases by itself);
- the CLI is the repository's own build at the pin (3.259.0 from tools/pulumi-cli/go.mod): the Go module
  proxy serves ``pulumi/pkg/v3`` only up to v3.259.0, so newer CLIs cannot be built here, and an older
  build would add minutes per version. README "CLI versions" says so.

For each end: a fresh venv holding that SDK version (pip resolves its own dependencies into it) in
front of the repository's venv (for everything else, so nothing big is downloaded again), the provider's
tests (``tests/provider``) and one real engine ``up`` / no-change ``preview`` / ``destroy`` of a small
stack run with that venv. (tests/test_packaging.py installs the wheel itself into a fresh venv.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from aep_emulator.testing import EmulatorHandle
from devtools.pulumi_cli import REPO_ROOT, PulumiCLI, supported_range

from ..distribution import installed_version, overlay_venv, pip_install
from .conftest import copy_program

pytestmark = pytest.mark.engine

def lower_bound() -> str:
    (lower,) = [spec.version for spec in supported_range() if spec.operator == ">="]
    return lower


def newest_in_range(python: Path) -> str:
    done = subprocess.run(
        [str(python), "-m", "pip", "index", "versions", "pulumi", "--disable-pip-version-check"],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    match = re.search(r"Available versions: (.+)", done.stdout)
    assert match, done.stdout
    versions = [Version(text.strip()) for text in match.group(1).split(",")]
    return str(max(supported_range().filter(versions)))


@pytest.fixture(scope="module", params=["lower", "upper"])
def sdk_venv(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv whose Pulumi SDK is at one end of the supported range."""
    python = overlay_venv(tmp_path_factory.mktemp(f"sdk-{request.param}") / "venv")
    version = lower_bound() if request.param == "lower" else newest_in_range(python)
    pip_install(python, f"pulumi=={version}")
    assert installed_version(python, "pulumi") == version
    return python


def test_provider_tests_pass_with_the_sdk(sdk_venv: Path) -> None:
    done = subprocess.run(
        [str(sdk_venv), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests/provider"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert re.search(r"\d+ passed", done.stdout)


def test_engine_up_preview_destroy_with_the_sdk(
    sdk_venv: Path, pulumi_binary: Path, platform: EmulatorHandle, tmp_path: Path
) -> None:
    project_dir = copy_program("team", tmp_path / "team")
    project_file = project_dir / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    project["runtime"]["options"]["virtualenv"] = str(sdk_venv.parent.parent)
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    (tmp_path / "backend").mkdir()
    cli = PulumiCLI(
        project_dir=project_dir, stack="range", backend_url=(tmp_path / "backend").as_uri(),
        pulumi_home=tmp_path / "pulumi-home", pulumi=pulumi_binary,
    )  # fmt: skip
    cli.stack_init()
    for key, value in {
        "aep:endpoint": platform.base_url,
        "aep:imsEndpoint": platform.base_url,
        "aep:clientId": platform.config.client_id,
        "aep:orgId": platform.config.org_id,
        "prefix": f"Range{installed_version(sdk_venv, 'pulumi').replace('.', '')}",
    }.items():
        cli.config_set(key, value)
    cli.config_set("aep:clientSecret", platform.config.client_secret, secret=True)

    cli.up()
    try:
        outputs = cli.stack_output()
        assert outputs["dataset_id"] and outputs["schema_id"]
        cli.preview(expect_no_changes=True)
    finally:
        cli.destroy()
    remaining = cli.stack_export()["deployment"].get("resources") or []
    assert not [r for r in remaining if r["type"].startswith("pulumi-python:dynamic/aep:")]
