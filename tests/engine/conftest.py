"""Fixtures for tests that drive the real Pulumi CLI (built into .tools/bin by scripts/build-pulumi-cli.sh).

Each session gets its own file backend, PULUMI_HOME and CLI log under pytest's temporary directory, so
engine tests never touch the repository's .state or each other's stacks. Each test runs a temporary copy
of a program from ``tests/engine/programs/`` whose Pulumi.yaml points at the repository's venv.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.testing import EmulatorHandle, running_emulator
from devtools.pulumi_cli import (
    REPO_ROOT,
    TOOLS_BIN,
    PulumiCLI,
    PulumiCLINotFound,
    cli_version,
    find_pulumi,
    is_supported,
    supported_range,
)

from .aep_stack import AEPStack

PROGRAMS_DIR = Path(__file__).parent / "programs"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build-pulumi-cli.sh"
REPO_VENV = REPO_ROOT / ".venv"


@pytest.fixture(scope="session")
def pulumi_binary() -> Path:
    """The CLI: .tools/bin/pulumi (our build of the pin, or a supported install linked by ./dev setup).
    Refreshes .tools/bin when it exists (a no-op unless the pin or the language host sources changed);
    skips only when no CLI exists at all (CI runs ./dev test, which builds it)."""
    if (TOOLS_BIN / "pulumi").exists():
        subprocess.run([str(BUILD_SCRIPT)], check=True, timeout=1800)
    try:
        pulumi = find_pulumi()
    except PulumiCLINotFound as missing:
        pytest.skip(f"engine tests need the Pulumi CLI: {missing}")
    version = cli_version(pulumi)
    assert is_supported(version), f"{pulumi} is {version}, outside the supported range {supported_range()}"
    return pulumi


@pytest.fixture(scope="session")
def engine_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One file backend, PULUMI_HOME and log per session."""
    root = tmp_path_factory.mktemp("engine")
    dirs = {"backend": root / "backend", "home": root / "pulumi-home", "log": root / "pulumi-cli.log"}
    dirs["backend"].mkdir()
    return dirs


def copy_program(name: str, destination: Path) -> Path:
    """Copy ``programs/<name>`` to ``destination`` with its virtualenv made absolute (the repo's .venv)."""
    shutil.copytree(PROGRAMS_DIR / name, destination)
    project_file = destination / "Pulumi.yaml"
    project = yaml.safe_load(project_file.read_text())
    project["runtime"]["options"]["virtualenv"] = str(REPO_VENV)
    project_file.write_text(yaml.safe_dump(project, sort_keys=False))
    return destination


_stack_numbers = itertools.count(1)

MakeCLI = Callable[..., PulumiCLI]


@pytest.fixture
def engine_cli(
    pulumi_binary: Path, engine_dirs: dict[str, Path], tmp_path: Path
) -> MakeCLI:
    """Factory: ``engine_cli("echo", extra_env={...})`` -> a PulumiCLI on a fresh copy of that program,
    with a stack name unique in the session."""

    def make(program: str, extra_env: Mapping[str, str] | None = None) -> PulumiCLI:
        project_dir = copy_program(program, tmp_path / program)
        return PulumiCLI(
            project_dir=project_dir,
            stack=f"test{next(_stack_numbers)}",
            backend_url=engine_dirs["backend"].as_uri(),
            pulumi_home=engine_dirs["home"],
            log_path=engine_dirs["log"],
            extra_env=dict(extra_env or {}),
            pulumi=pulumi_binary,
        )

    return make


# --- AEP stacks against an emulator (helpers in aep_stack.py) ---------------------------------------

ENGINE_CLIENT_SECRET = f"engine-client-secret-{uuid.uuid4().hex}"
"""The emulator's client secret in engine tests: unique, so a search of the state for it means something."""


def engine_emulator_config(aws_endpoint: str | None = None) -> EmulatorConfig:
    return EmulatorConfig(client_secret=ENGINE_CLIENT_SECRET, aws_endpoint=aws_endpoint)


def moto_client(endpoint: str, service: str) -> Any:
    """A boto3 client of the moto server (moto takes any key while its IAM check is off)."""
    import boto3

    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A moto server (S3, Kinesis) for this module, which the emulator checks connections against."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        yield endpoint
    finally:
        # moto keeps its backends per process: forget this module's streams and buckets.
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()


@pytest.fixture(scope="module")
def platform(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """One emulator per test module (in-process; the provider process reaches it over HTTP).

    A module whose connections the emulator verifies against AWS defines ``prepare_aws(moto_endpoint)``:
    the emulator then checks them against a moto server holding what that function made there (a
    stream, a bucket), as the platform checks them against AWS.
    """
    aws_endpoint = None
    prepare_aws = getattr(request.module, "prepare_aws", None)
    if prepare_aws is not None:
        aws_endpoint = request.getfixturevalue("moto_endpoint")
        prepare_aws(aws_endpoint)
    with running_emulator(engine_emulator_config(aws_endpoint=aws_endpoint)) as handle:
        yield handle


MakeStack = Callable[..., AEPStack]


@pytest.fixture(scope="module")
def make_stack(
    pulumi_binary: Path,
    engine_dirs: dict[str, Path],
    platform: EmulatorHandle,
    tmp_path_factory: pytest.TempPathFactory,
) -> MakeStack:
    """Factory: ``make_stack()`` -> an initialised stack of ``programs/declared`` against ``platform``."""

    def make(sandbox: str = "prod") -> AEPStack:
        project_dir = copy_program("declared", tmp_path_factory.mktemp("stack") / "declared")
        cli = PulumiCLI(
            project_dir=project_dir,
            stack=f"test{next(_stack_numbers)}",
            backend_url=engine_dirs["backend"].as_uri(),
            pulumi_home=engine_dirs["home"],
            log_path=engine_dirs["log"],
            pulumi=pulumi_binary,
        )
        return AEPStack(cli=cli, emulator=platform, backend_dir=engine_dirs["backend"], sandbox=sandbox).init()

    return make


@pytest.fixture(scope="module")
def empty_stack(make_stack: MakeStack, request: pytest.FixtureRequest) -> AEPStack:
    """The module's stack before its first ``up``, with the module's ``SECRETS`` (config key -> value)
    set when it has any: what its workflow reads as stack config secrets."""
    stack = make_stack()
    for key, value in getattr(request.module, "SECRETS", {}).items():
        stack.set_secret(key, value)
    return stack


@pytest.fixture(scope="module")
def stack(empty_stack: AEPStack, request: pytest.FixtureRequest) -> AEPStack:
    """The module's stack with its ``BASELINE`` deployed (``pulumi up`` from empty)."""
    empty_stack.deploy(request.module.BASELINE.resources())
    return empty_stack
