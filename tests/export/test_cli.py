"""The ``aep-provider`` command: settings from ``AEP_*``, the program and its summary, clear refusals."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import import_module
from pathlib import Path

import pytest
import yaml

from aep_emulator.testing import EmulatorHandle
from aep_provider.export import cli
from aep_provider.export.errors import INSTALL_HINT
from aep_provider.settings import SOURCES

from .seed import KINESIS_SECRET, S3_SECRET, seed_workflows

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_aep_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for source in SOURCES:
        monkeypatch.delenv(source.env_var, raising=False)


def use_emulator(monkeypatch: pytest.MonkeyPatch, emulator: EmulatorHandle) -> None:
    cfg = emulator.config
    for name, value in (("AEP_ENDPOINT", emulator.base_url), ("AEP_IMS_ENDPOINT", emulator.base_url),
                        ("AEP_CLIENT_ID", cfg.client_id), ("AEP_CLIENT_SECRET", cfg.client_secret),
                        ("AEP_ORG_ID", cfg.org_id), ("AEP_SANDBOX", "dev")):  # fmt: skip
        monkeypatch.setenv(name, value)


def test_export_writes_the_project_and_prints_the_summary(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_workflows(emulator, "dev")
    use_emulator(monkeypatch, emulator)
    monkeypatch.chdir(tmp_path)
    printed: list[str] = []

    assert cli.run(["export"], out=printed.append) == 0  # the sandbox from AEP_SANDBOX, ./aep-dev

    out = tmp_path / "aep-dev"
    project = yaml.safe_load((out / "Pulumi.yaml").read_text())
    assert project["name"] == "aep-dev" and project["runtime"]["name"] == "python"
    assert (out / "requirements.txt").read_text().split() == ["aep-provider"]
    summary = printed[0]
    assert summary.startswith(f"Exported sandbox 'dev' to aep-dev: 17 resources (adopting the existing objects).")
    assert "  dataflows                 2" in summary
    assert "pulumi config set --secret seededKinesisConnectionSecretKey <value>" in summary
    assert "pulumi config set --secret seededS3ConnectionS3SecretKey <value>" in summary
    written = "".join(p.read_text() for p in out.iterdir()) + summary + capsys.readouterr().err
    for secret in (KINESIS_SECRET, S3_SECRET, emulator.config.client_secret):
        assert secret not in written


def test_no_adopt_and_project_options(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed_workflows(emulator, "dev")
    use_emulator(monkeypatch, emulator)
    printed: list[str] = []
    assert cli.run(["export", "--sandbox", "dev", "--out", str(tmp_path / "p"), "--no-adopt", "--project", "promo"],
                   out=printed.append) == 0  # fmt: skip
    assert "adopt_id" not in (tmp_path / "p" / "__main__.py").read_text()
    assert yaml.safe_load((tmp_path / "p" / "Pulumi.yaml").read_text())["name"] == "promo"
    assert "(a copy to deploy into another sandbox)" in printed[0]
    assert "pulumi config set aep:sandbox <target sandbox>" in printed[0]


def test_missing_credentials_name_the_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["export", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "AEP_CLIENT_ID" in err and "AEP_CLIENT_SECRET" in err and "AEP_ORG_ID" in err
    assert not (tmp_path / "x").exists()


def test_an_unknown_sandbox_fails_with_aep_s_answer(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    use_emulator(monkeypatch, emulator)
    assert cli.run(["export", "--sandbox", "nosuch", "--out", str(tmp_path / "x")]) == 1
    assert "nosuch" in capsys.readouterr().err


def test_a_bad_sandbox_name_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.run(["export", "--sandbox", "Dev_1"])
    assert exited.value.code == 2
    assert "lowercase" in capsys.readouterr().err


@pytest.mark.parametrize("module", ["black", "rich"])
def test_without_the_export_extra_it_says_how_to_install_it(module: str, tmp_path: Path) -> None:
    # sys.modules[name] = None makes `import name` raise ModuleNotFoundError, as in a venv without it.
    program = f"import sys; sys.modules[{module!r}] = None\nfrom aep_provider.export.cli import run\nsys.exit(run(['export']))"
    done = subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 2
    assert INSTALL_HINT in done.stderr and module in done.stderr
    assert "Traceback" not in done.stderr


def test_console_script_is_the_cli_and_the_extra_holds_its_tools() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    module, _, function = project["scripts"]["aep-provider"].partition(":")
    assert getattr(import_module(module), function) is cli.main
    assert {req.split(">")[0] for req in project["optional-dependencies"]["export"]} == {"black", "rich"}
    assert "aep-provider[export]" in project["optional-dependencies"]["test"]
