"""Team state: a stack kept on an S3 state backend (a moto server started here), as a team shares it.

- ``up``, a no-change ``preview`` and ``destroy`` with the state in the bucket, nothing on local disk;
- two ``up`` of one stack at once: the second is refused by the backend's lock, the first completes and
  the state stays whole (every resource, a clean no-change preview, no lock left behind);
- secrets encrypted with a passphrase, and with ``awskms://`` against moto's KMS: the client secret is
  never in the bucket in clear, and a wrong passphrase cannot read it.

The backend URL is the one the README documents for S3-compatible stores:
``s3://<bucket>?endpoint=<host:port>&disableSSL=true&s3ForcePathStyle=true&region=<region>``.
"""

from __future__ import annotations

import json
import logging
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from devtools.pulumi_cli import PulumiCLI, PulumiCLIError

from .conftest import copy_program, moto_client

pytestmark = pytest.mark.engine

REGION = "us-east-1"
BUCKET = "aep-team-state"
KMS_ALIAS = "alias/aep-team-state"
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}
PASSPHRASE = f"team-passphrase-{uuid.uuid4().hex}"
CLIENT_SECRET_CONFIG = "aep:clientSecret"


def backend_url(moto_endpoint: str) -> str:
    host_port = moto_endpoint.removeprefix("http://")
    return f"s3://{BUCKET}?endpoint={host_port}&disableSSL=true&s3ForcePathStyle=true&region={REGION}"


@pytest.fixture(scope="module")
def aws(moto_endpoint: str) -> dict[str, str]:
    """The state bucket and a KMS key (with an alias) in moto."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every state read
    moto_client(moto_endpoint, "s3").create_bucket(Bucket=BUCKET)
    kms = moto_client(moto_endpoint, "kms")
    key_id = kms.create_key(Description="aep-provider team state secrets")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=KMS_ALIAS, TargetKeyId=key_id)
    return {"endpoint": moto_endpoint, "key_id": key_id}


def bucket_objects(aws: dict[str, str]) -> dict[str, bytes]:
    s3 = moto_client(aws["endpoint"], "s3")
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    return {key: s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in keys}


def lock_keys(aws: dict[str, str]) -> list[str]:
    return [key for key in bucket_objects(aws) if key.startswith(".pulumi/locks/")]


def make_team_stack(
    pulumi_binary: Path,
    tmp_path_factory: pytest.TempPathFactory,
    aws: dict[str, str],
    platform: EmulatorHandle,
    stack: str,
    passphrase: str = PASSPHRASE,
    secrets_provider: str | None = None,
) -> PulumiCLI:
    project_dir = copy_program("team", tmp_path_factory.mktemp(stack) / "team")
    cli = PulumiCLI(
        project_dir=project_dir,
        stack=stack,
        backend_url=backend_url(aws["endpoint"]),
        pulumi_home=tmp_path_factory.mktemp("pulumi-home"),
        extra_env={**AWS_ENV, "PULUMI_CONFIG_PASSPHRASE": passphrase},
        pulumi=pulumi_binary,
    )
    cli.run("stack", "init", stack, *(["--secrets-provider", secrets_provider] if secrets_provider else []),
            with_stack=False)  # fmt: skip
    settings = {
        "aep:endpoint": platform.base_url,
        "aep:imsEndpoint": platform.base_url,
        "aep:clientId": platform.config.client_id,
        "aep:orgId": platform.config.org_id,
        "aep:sandbox": "prod",
        "prefix": stack.capitalize(),
    }
    for key, value in settings.items():
        cli.config_set(key, value)
    cli.config_set(CLIENT_SECRET_CONFIG, platform.config.client_secret, secret=True)
    return cli


def resources_of(cli: PulumiCLI) -> list[dict[str, Any]]:
    return cli.stack_export()["deployment"].get("resources") or []


def aep_resources(cli: PulumiCLI) -> list[str]:
    return sorted(r["type"] for r in resources_of(cli) if r["type"].startswith("pulumi-python:dynamic/aep:"))


@pytest.fixture(scope="module")
def team_stack(
    pulumi_binary: Path,
    tmp_path_factory: pytest.TempPathFactory,
    aws: dict[str, str],
    platform: EmulatorHandle,
) -> Iterator[PulumiCLI]:
    """A passphrase stack on the S3 backend, deployed once for the module and destroyed at its end."""
    cli = make_team_stack(pulumi_binary, tmp_path_factory, aws, platform, "shared")
    cli.up()
    yield cli
    cli.destroy()


def test_up_and_preview_keep_the_state_in_the_bucket(team_stack: PulumiCLI, aws: dict[str, str]) -> None:
    objects = bucket_objects(aws)
    state_key = ".pulumi/stacks/aep-team-test/shared.json"
    assert state_key in objects, sorted(objects)
    assert aep_resources(team_stack) == ["pulumi-python:dynamic/aep:Dataset", "pulumi-python:dynamic/aep:Schema"]
    team_stack.preview(expect_no_changes=True)
    assert not lock_keys(aws), "a finished update left its lock behind"


def test_second_concurrent_up_is_refused_by_the_lock(
    team_stack: PulumiCLI, aws: dict[str, str], tmp_path: Path
) -> None:
    before = resources_of(team_stack)
    release = tmp_path / "release"
    team_stack.config_set("holdUntilFile", str(release))
    first = subprocess.Popen(
        [str(team_stack.pulumi), "up", "--yes", "--skip-preview", "--non-interactive", "--color", "never",
         "--stack", team_stack.stack],
        cwd=team_stack.project_dir, env=team_stack.env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        locks = wait_for(lambda: lock_keys(aws), what="the first up's lock in the bucket", process=first)
        assert len(locks) == 1

        with pytest.raises(PulumiCLIError) as refused:
            team_stack.up()
        output = refused.value.result.stdout + refused.value.result.stderr
        assert "the stack is currently locked by 1 lock(s)" in output
    finally:
        release.touch()
        first_output, _ = first.communicate(timeout=300)
    assert first.returncode == 0, first_output

    team_stack.run("config", "rm", "holdUntilFile")
    assert not lock_keys(aws)
    after = resources_of(team_stack)
    assert [r["urn"] for r in after] == [r["urn"] for r in before]
    aep_outputs = [r.get("outputs") for r in after if r["type"].startswith("pulumi-python:dynamic/aep:")]
    assert aep_outputs == [r.get("outputs") for r in before if r["type"].startswith("pulumi-python:dynamic/aep:")]
    assert len(aep_outputs) == 2
    team_stack.preview(expect_no_changes=True)


def test_passphrase_secrets_never_reach_the_bucket_in_clear(
    team_stack: PulumiCLI, aws: dict[str, str], platform: EmulatorHandle
) -> None:
    secret = platform.config.client_secret
    for key, body in bucket_objects(aws).items():
        assert secret.encode() not in body, f"{key} holds the client secret in clear"
    stack_config = (team_stack.project_dir / "Pulumi.shared.yaml").read_text()
    assert secret not in stack_config and "secure: v1:" in stack_config
    assert "encryptionsalt:" in stack_config

    shown = team_stack.run("config", "get", CLIENT_SECRET_CONFIG, log_stdout=False).stdout.strip()
    assert shown == secret
    wrong = PulumiCLI(
        project_dir=team_stack.project_dir, stack=team_stack.stack, backend_url=team_stack.backend_url,
        pulumi_home=team_stack.pulumi_home, log_path=team_stack.log_path, pulumi=team_stack.pulumi,
        extra_env={**team_stack.extra_env, "PULUMI_CONFIG_PASSPHRASE": "not-the-passphrase"},
    )  # fmt: skip
    refused = wrong.run("config", "get", CLIENT_SECRET_CONFIG, check=False, log_stdout=False)
    assert refused.returncode != 0 and secret not in refused.stdout + refused.stderr


def test_awskms_secrets_provider_against_moto(
    pulumi_binary: Path,
    tmp_path_factory: pytest.TempPathFactory,
    aws: dict[str, str],
    platform: EmulatorHandle,
) -> None:
    provider = f"awskms://{KMS_ALIAS}?region={REGION}&endpoint={aws['endpoint']}"
    # No passphrase at all: with a KMS secrets provider none is needed or used.
    cli = make_team_stack(
        pulumi_binary, tmp_path_factory, aws, platform, "kms", passphrase="", secrets_provider=provider
    )
    stack_config = (cli.project_dir / "Pulumi.kms.yaml").read_text()
    assert f"secretsprovider: {provider}" in stack_config
    assert "encryptedkey:" in stack_config and "encryptionsalt" not in stack_config
    assert platform.config.client_secret not in stack_config

    cli.up()
    try:
        deployment = cli.stack_export()["deployment"]
        assert deployment["secrets_providers"]["type"] == "cloud"
        assert deployment["secrets_providers"]["state"]["url"] == provider
        for key, body in bucket_objects(aws).items():
            assert platform.config.client_secret.encode() not in body, f"{key} holds the secret in clear"
        assert len(aep_resources(cli)) == 2
    finally:
        cli.destroy()
    assert aep_resources(cli) == []


def wait_for(probe: Any, *, what: str, process: subprocess.Popen[str], timeout: float = 120) -> Any:
    """Poll ``probe()`` until it returns something truthy; fail at once if ``process`` ended first."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        if process.poll() is not None:
            pytest.fail(f"waiting for {what}, the process ended: {process.communicate()[0]}")
        time.sleep(0.2)
    pytest.fail(f"no {what} after {timeout} s")


def test_state_is_json_the_team_can_read(team_stack: PulumiCLI, aws: dict[str, str]) -> None:
    body = bucket_objects(aws)[".pulumi/stacks/aep-team-test/shared.json"]
    checkpoint = json.loads(body)
    assert checkpoint["checkpoint"]["stack"].endswith("shared")
