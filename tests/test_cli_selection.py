"""Which Pulumi CLI the repository uses: any complete install of a supported version on PATH, else the
pin built from Go modules (``scripts/build-pulumi-cli.sh``, ``devtools.pulumi_cli.find_pulumi``).

The script runs in a copy of the repository layout with fake installs on PATH (shell scripts that print a
version), and ``AEP_PULUMI_CLI_BUILD=never`` so no test ever compiles anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from devtools import pulumi_cli
from devtools.pulumi_cli import REPO_ROOT, is_supported, pinned_version, supported_range

BUILD_SCRIPT = REPO_ROOT / "scripts" / "build-pulumi-cli.sh"
PLUGIN_FILES = ("pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-pulumi-python")
SYSTEM_PATH = "/usr/bin:/bin"


def fake_install(directory: Path, version: str, complete: bool = True) -> Path:
    """A directory that looks like a pulumi install: ``pulumi version`` prints ``version``."""
    directory.mkdir(parents=True)
    files = ("pulumi", *PLUGIN_FILES) if complete else ("pulumi",)
    for name in files:
        path = directory / name
        path.write_text(f"#!/bin/sh\necho {version}\n")
        path.chmod(0o755)
    return directory


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The files the build script reads, laid out as in the repository."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / "tools" / "pulumi-cli").mkdir(parents=True)
    shutil.copy2(BUILD_SCRIPT, root / "scripts")
    shutil.copy2(REPO_ROOT / "pyproject.toml", root)
    shutil.copy2(REPO_ROOT / "tools" / "pulumi-cli" / "go.mod", root / "tools" / "pulumi-cli")
    return root


def run_script(root: Path, path: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path, "HOME": str(root), "AEP_PULUMI_CLI_BUILD": "never"}
    return subprocess.run(
        [str(root / "scripts" / "build-pulumi-cli.sh"), *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_requirement_is_a_range_holding_the_pin() -> None:
    specifiers = supported_range()
    assert len(specifiers) >= 2, f"pulumi{specifiers} is not a range"
    assert not any(spec.operator == "==" for spec in specifiers)
    assert Version(pinned_version()) in specifiers
    assert Version("4.0.0") not in specifiers


def test_script_and_devtools_read_the_same_pin_and_range(repo_copy: Path) -> None:
    pin = run_script(repo_copy, SYSTEM_PATH, "--pin")
    span = run_script(repo_copy, SYSTEM_PATH, "--range")
    assert pin.stdout.strip() == pinned_version()
    assert SpecifierSet(span.stdout.strip()) == supported_range()


def test_pin_comes_from_the_go_module(tmp_path: Path) -> None:
    go_mod = tmp_path / "go.mod"
    go_mod.write_text("module x\n\nrequire (\n\tgithub.com/pulumi/pulumi/pkg/v3 v3.1.2 // indirect\n)\n")
    assert pinned_version(go_mod) == "3.1.2"
    go_mod.write_text("module x\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.1.2\n")
    with pytest.raises(ValueError):
        pinned_version(go_mod)


def test_a_supported_install_on_path_is_linked_not_built(repo_copy: Path, tmp_path: Path) -> None:
    too_old = fake_install(tmp_path / "old", "v3.100.0")
    partial = fake_install(tmp_path / "partial", "v3.265.0", complete=False)
    recent = fake_install(tmp_path / "recent", "v3.270.1")
    assert not is_supported("v3.100.0") and is_supported("v3.270.1")

    done = run_script(repo_copy, f"{too_old}:{partial}:{recent}:{SYSTEM_PATH}")

    assert done.returncode == 0, done.stderr
    assert "using pulumi v3.270.1" in done.stderr
    bin_dir = repo_copy / ".tools" / "bin"
    for name in ("pulumi", *PLUGIN_FILES):
        assert (bin_dir / name).resolve() == recent / name


def test_without_a_supported_install_it_builds(repo_copy: Path, tmp_path: Path) -> None:
    too_old = fake_install(tmp_path / "old", "v3.100.0")
    too_new = fake_install(tmp_path / "next-major", "v4.0.0")

    done = run_script(repo_copy, f"{too_old}:{too_new}:{SYSTEM_PATH}")

    # AEP_PULUMI_CLI_BUILD=never turns "would build" into this error.
    assert done.returncode != 0
    assert "no complete pulumi install of a supported version" in done.stderr
    assert not (repo_copy / ".tools" / "bin" / "pulumi").exists()


def test_find_pulumi_takes_a_supported_cli_from_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    too_old = fake_install(tmp_path / "old", "v3.100.0")
    recent = fake_install(tmp_path / "recent", "v3.266.0")
    monkeypatch.setattr(pulumi_cli, "TOOLS_BIN", tmp_path / "no-tools" / "bin")
    monkeypatch.setenv("PATH", f"{too_old}{os.pathsep}{recent}")
    assert pulumi_cli.find_pulumi() == recent / "pulumi"

    monkeypatch.setenv("PATH", str(too_old))
    with pytest.raises(pulumi_cli.PulumiCLINotFound, match="run ./dev setup"):
        pulumi_cli.find_pulumi()
