"""The real engine end to end on the Echo resource: up, empty preview, in-place update, destroy.

Proves the locally built CLI, our language host, both shims and the file backend work together, and
that a provider from the installed package lands in state small, by reference and free of credentials.
The last section checks, without the CLI, the offline environment every CLI call gets.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dill
import pytest

from aep_provider.echo import CREDENTIAL_CONFIG_KEY, CREDENTIAL_ENV_VAR, EchoProvider, echo_id
from devtools.pulumi_cli import (
    DEFAULT_STATE_DIR,
    LOCAL_PASSPHRASE,
    PulumiCLI,
    PulumiCLIError,
    offline_environment,
)

ECHO_TYPE = "pulumi-python:dynamic/aep:Echo"
FAKE_CONFIG_SECRET = "fake-config-secret-6c1e9a0f"
FAKE_ENV_SECRET = "fake-env-secret-d2b74e18"

MakeCLI = Callable[..., PulumiCLI]


def echo_resource(deployment: dict[str, Any]) -> dict[str, Any]:
    resources = [r for r in deployment["deployment"].get("resources") or [] if r["type"] == ECHO_TYPE]
    assert len(resources) == 1, resources
    return resources[0]


def files_containing(root: Path, needle: str) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and needle in path.read_text(errors="replace")]


@pytest.mark.engine
def test_echo_round_trip_through_the_real_engine(engine_cli: MakeCLI, engine_dirs: dict[str, Path]) -> None:
    cli = engine_cli("echo", extra_env={CREDENTIAL_ENV_VAR: FAKE_ENV_SECRET})
    cli.stack_init()
    cli.config_set(CREDENTIAL_CONFIG_KEY, FAKE_CONFIG_SECRET, secret=True)
    cli.config_set("message", "hello, engine")

    cli.up()
    assert cli.stack_output() == {
        "id": echo_id("greeter"),
        "echoed": "echo: hello, engine",
        "credential_source": "config",  # configure() received the decrypted stack secret
    }

    # Same program, same inputs: the provider's own diff and a stable __provider report nothing to do;
    # refresh goes through read() and finds nothing changed either.
    cli.preview(expect_no_changes=True)
    cli.refresh(expect_no_changes=True)

    # __provider: plain (serialize_as_secret_always=False), small, the class by reference, no code.
    resource = echo_resource(cli.stack_export())
    pickled = base64.b64decode(resource["outputs"]["__provider"])
    assert len(pickled) < 300, len(pickled)
    assert b"aep_provider.echo" in pickled and b"EchoProvider" in pickled
    assert b"dill._dill" not in pickled  # dill's helpers appear only when classes or code go by value
    restored = dill.loads(pickled)
    assert isinstance(restored, EchoProvider) and vars(restored) == {"greeting": "echo", "_credential": None}

    # No credential anywhere in the backend: state, history, backups.
    backend = engine_dirs["backend"]
    state_file = backend / ".pulumi" / "stacks" / "echo-engine-test" / f"{cli.stack}.json"
    assert state_file.is_file()
    for secret in (FAKE_CONFIG_SECRET, FAKE_ENV_SECRET):
        assert files_containing(backend, secret) == []
    assert FAKE_CONFIG_SECRET not in (cli.project_dir / f"Pulumi.{cli.stack}.yaml").read_text()

    # A message change is an in-place update (only `name` replaces) and keeps the id.
    cli.config_set("message", "changed")
    steps = json.loads(cli.preview(json=True).stdout)["steps"]
    assert [step["op"] for step in steps if step.get("newState", {}).get("type") == ECHO_TYPE] == ["update"]
    cli.up()
    assert cli.stack_output()["echoed"] == "echo: changed"
    assert echo_resource(cli.stack_export())["id"] == echo_id("greeter")

    cli.destroy()
    assert not [r for r in cli.stack_export()["deployment"].get("resources") or [] if r["type"] == ECHO_TYPE]
    cli.stack_rm()
    assert not state_file.exists()


@pytest.mark.engine
def test_a_failing_program_is_reported_once_with_its_message(engine_cli: MakeCLI) -> None:
    cli = engine_cli("echo")
    cli.stack_init()
    cli.config_set("message", "unused")
    cli.config_set("fail", "true")

    with pytest.raises(PulumiCLIError) as failure:
        cli.up()

    output = failure.value.result.stdout + failure.value.result.stderr
    assert "echo program failed on purpose" in output
    # The exec shim exits 32 after logging the error; the host turns that into a "bail", so the engine
    # adds no second, vaguer message.
    assert "non-zero exit code" not in output
    cli.stack_rm(force=True)


@pytest.mark.engine
def test_language_host_refuses_to_start_without_the_exec_shim(pulumi_binary: Path, tmp_path: Path) -> None:
    lonely_host = tmp_path / "pulumi-language-python"
    shutil.copy2(pulumi_binary.parent / "pulumi-language-python", lonely_host)

    started = subprocess.run([str(lonely_host)], capture_output=True, text=True, timeout=60, check=False)

    assert started.returncode != 0
    assert f"missing executor {tmp_path / 'pulumi-language-python-exec'}" in started.stderr


# --- the offline environment (no CLI needed) ---------------------------------------------------------

FAKE_PULUMI = Path("/opt/fake/bin/pulumi")


@pytest.mark.parametrize(
    ("user_env", "expected"),
    [
        (
            {},
            {"PULUMI_BACKEND_URL": DEFAULT_STATE_DIR.as_uri(), "PULUMI_CONFIG_PASSPHRASE": LOCAL_PASSPHRASE},
        ),
        (  # a user's own backend and passphrase win over the local defaults
            {"PULUMI_BACKEND_URL": "s3://bucket/state", "PULUMI_CONFIG_PASSPHRASE": ""},
            {"PULUMI_BACKEND_URL": "s3://bucket/state", "PULUMI_CONFIG_PASSPHRASE": ""},
        ),
        (  # a passphrase file is a passphrase too: no default may shadow it
            {"PULUMI_CONFIG_PASSPHRASE_FILE": "/run/pass"},
            {"PULUMI_CONFIG_PASSPHRASE_FILE": "/run/pass", "PULUMI_CONFIG_PASSPHRASE": None},
        ),
    ],
)
def test_offline_environment_defaults_yield_to_the_user(
    user_env: dict[str, str], expected: dict[str, str | None]
) -> None:
    env = offline_environment(FAKE_PULUMI, base={"PATH": "/usr/bin", **user_env})

    assert {key: env.get(key) for key in expected} == expected
    assert env["PATH"] == "/opt/fake/bin" + ":" + "/usr/bin"  # the pinned CLI's plugins come first
    assert env["PULUMI_SKIP_UPDATE_CHECK"] == "true"
    assert env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"
    assert env["PULUMI_HOME"].endswith(".pulumi-home")


def test_offline_environment_explicit_settings_win() -> None:
    env = offline_environment(
        FAKE_PULUMI,
        backend_url="file:///tmp/backend",
        pulumi_home=Path("/tmp/home"),
        extra={"AEP_CLIENT_SECRET": "x"},
        base={"PULUMI_BACKEND_URL": "s3://user/state"},
    )
    assert (env["PULUMI_BACKEND_URL"], env["PULUMI_HOME"], env["AEP_CLIENT_SECRET"]) == (
        "file:///tmp/backend",
        "/tmp/home",
        "x",
    )
