"""Issue 9: ``kill -9`` of the CLI in the middle of an ``up`` (or an update, or a destroy), then the
recovery the README documents ("When an update is interrupted"), converges with 0 duplicates and 0
orphans, and ``preview --expect-no-changes`` passes.

The recovery: ``pulumi cancel`` (the file backend's lock of the killed run), ``pulumi refresh
--clear-pending-creates`` (drops the creates the killed run left pending: the objects they made carry
their resource's marker, so the next create adopts them), ``pulumi up``.

The stack holds ``COPIES`` copies of both workflows (Kinesis streaming and S3 parquet; the issue's figure is
5, ``scripts/soak.py`` runs it; CI uses fewer). The kill point is chosen by counting the emulator's
creates (its ``/__emulator/stats``) while a small latency on every call keeps the run slow enough.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from aep_emulator.testing import EmulatorHandle

from .aep_stack import AEPStack
from .conftest import MakeStack, moto_client
from .workflows import KINESIS_SECRET, KINESIS_STREAM, S3_BUCKET, S3_SECRET, Parquet, Streaming

pytestmark = pytest.mark.engine

COPIES = int(os.environ.get("AEP_INTERRUPT_COPIES", "2"))
SECRETS = {KINESIS_SECRET: "kinesis-secret-interrupted-1f3a", S3_SECRET: "s3-secret-interrupted-7c2d"}
# The platform objects a stack of these workflows makes, by the emulator's store kind.
STACK_KINDS = (
    "catalog.dataSets", "schemaregistry.schemas", "schemaregistry.mixins", "flowservice.connections",
    "flowservice.sourceConnections", "flowservice.targetConnections", "flowservice.flows", "dataprep.mappingSets",
)  # fmt: skip
CREATE_ROUTES = ("/data/foundation/catalog/dataSets", "/data/foundation/conversion/mappingSets")
LATENCY_MS = 40


def prepare_aws(moto_endpoint: str) -> None:
    moto_client(moto_endpoint, "kinesis").create_stream(StreamName=KINESIS_STREAM, ShardCount=1)
    moto_client(moto_endpoint, "s3").create_bucket(Bucket=S3_BUCKET)


def renamed(entries: list[dict[str, Any]], suffix: str) -> list[dict[str, Any]]:
    """Declarations with every resource name (and every reference to one) suffixed: one more copy."""

    def rename(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"__ref__"}:
            name, _, output = value["__ref__"].partition(".")
            return {"__ref__": f"{name}{suffix}.{output}"}
        if isinstance(value, dict):
            return {key: rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rename(item) for item in value]
        return value

    return [{**entry, "name": entry["name"] + suffix, "inputs": rename(entry["inputs"])} for entry in entries]


def copies(count: int, description: str = "") -> list[dict[str, Any]]:
    """``count`` copies of both workflows, every title and name unique in the sandbox."""
    declared: list[dict[str, Any]] = []
    for index in range(1, count + 1):
        streaming = Streaming(prefix=f"Streaming {index}", kinesis_name=f"Streaming {index} Kinesis",
                              flow_description=f"Streaming {index}{description}")  # fmt: skip
        parquet = Parquet(prefix=f"Parquet {index}", dataset_base_name=f"Parquet {index} dataset base",
                          flow_description=f"Parquet {index}{description}")  # fmt: skip
        declared += renamed(streaming.resources(), f"-s{index}") + renamed(parquet.resources(), f"-p{index}")
    return declared


def creates_so_far(emulator: EmulatorHandle) -> int:
    return sum(
        row["count"]
        for row in emulator.stats()["calls"]
        if row["method"] == "POST" and row["status"] < 300 and not row["route"].startswith("/ims/")
        and not row["route"].endswith(("/action", "/validate"))
    )


def flow_creates(emulator: EmulatorHandle) -> int:
    return sum(
        row["count"] for row in emulator.stats()["calls"]
        if row["method"] == "POST" and row["status"] < 300 and "flowservice" in row["route"]
        and "flows" in row["route"] and not row["route"].endswith("/action")
    )  # fmt: skip


def workflow_stack(make_stack: MakeStack) -> AEPStack:
    """A fresh stack holding the workflows' AWS secrets."""
    stack = make_stack()
    for key, value in SECRETS.items():
        stack.set_secret(key, value)
    return stack


def start_pulumi(stack: AEPStack, command: list[str], **popen: Any) -> subprocess.Popen[bytes]:
    """Start ``pulumi <command>`` on the stack (no preview, no prompt) without waiting for it."""
    cli = stack.cli
    return subprocess.Popen(
        [str(cli.pulumi), *command, "--yes", "--skip-preview", "--non-interactive", "--stack", cli.stack],
        cwd=cli.project_dir, env=cli.env, **popen,
    )  # fmt: skip


def wait_for(reached: Callable[[], bool], process: subprocess.Popen[bytes], point: str, timeout: float = 300) -> None:
    """Wait until ``reached()`` holds, failing if ``process`` ends first or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while not reached():
        assert process.poll() is None, f"pulumi ended before {point}"
        assert time.monotonic() < deadline, f"{point} was never reached"
        time.sleep(0.05)


def killed_during(stack: AEPStack, command: list[str], reached: Callable[[], bool], timeout: float = 300) -> None:
    """Run ``pulumi <command>`` and ``kill -9`` its whole process group once ``reached()`` holds."""
    process = start_pulumi(
        stack, command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        wait_for(reached, process, "the kill point", timeout)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def recover(stack: AEPStack, command: str = "up") -> None:
    """The README's recovery: unlock, drop pending creates (their objects are adopted), run again."""
    if stack.cli.run("cancel", "--yes", check=False).returncode != 0:
        # The README's extra step for a file backend killed while writing the stack file's metadata.
        remove_truncated_backend_metadata(stack)
        stack.cli.run("cancel", "--yes")
    stack.cli.refresh("--clear-pending-creates")
    if command == "up":
        stack.cli.up()
    else:
        stack.cli.destroy()


def remove_truncated_backend_metadata(stack: AEPStack) -> None:
    """Delete the empty ``*.json.attrs`` files a kill can leave beside a file backend's stack file (the CLI
    then fails with ``failed to load checkpoint: EOF``; seen in a full run): the metadata is optional, the
    stack file itself is written by rename and stays whole."""
    backend = Path(urlsplit(str(stack.cli.backend_url)).path)
    for attrs in (backend / ".pulumi" / "stacks").rglob("*.json.attrs"):
        if attrs.stat().st_size == 0:
            attrs.unlink()


def platform_ids(emulator: EmulatorHandle) -> dict[str, list[str]]:
    return {kind: sorted(str(o["id"]) for o in emulator.objects(kind)) for kind in STACK_KINDS}


def assert_converged(stack: AEPStack, declared: list[dict[str, Any]], retained: set[str] = frozenset()) -> None:
    """0 duplicates (one object per declared resource), 0 orphans (every object is in state)."""
    on_platform = platform_ids(stack.emulator)
    in_state = set(stack.ids().values())
    everything = [object_id for ids in on_platform.values() for object_id in ids]
    orphans = sorted(set(everything) - in_state - retained)
    assert not orphans, f"objects on the platform the stack does not track: {orphans}"
    assert len(everything) == len(set(everything))
    assert len(stack.ids()) == len(declared), "state does not hold every declared resource"
    assert len(everything) - len(retained) == len(declared), f"duplicates: {on_platform}"
    stack.cli.preview(expect_no_changes=True)


@pytest.fixture
def slow_platform(platform: EmulatorHandle) -> EmulatorHandle:
    """A fresh platform with a little latency on every call, so a kill point lands where it is aimed."""
    platform.reset()
    platform.inject_fault(action="latency", latency_ms=LATENCY_MS)
    yield platform
    platform.clear_faults()


@pytest.mark.parametrize("point", ["early", "middle", "flows"])
def test_kill_during_up_then_recovery_converges(point: str, make_stack: MakeStack, slow_platform: EmulatorHandle) -> None:
    declared = copies(COPIES)
    total = len(declared)
    stack = workflow_stack(make_stack)
    stack.declare(declared)
    slow_platform.clear_stats()
    reached = {
        "early": lambda: creates_so_far(slow_platform) >= 3,
        "middle": lambda: creates_so_far(slow_platform) >= total // 2,
        "flows": lambda: flow_creates(slow_platform) >= 1,
    }[point]
    killed_during(stack, ["up"], reached)
    recover(stack)
    assert_converged(stack, declared)
    stack.destroy()


def test_kill_during_an_update_then_recovery_converges(make_stack: MakeStack, slow_platform: EmulatorHandle) -> None:
    declared = copies(COPIES)
    stack = workflow_stack(make_stack)
    stack.deploy(declared)
    changed = copies(COPIES, description=" (edited)")
    stack.declare(changed)
    slow_platform.clear_stats()
    killed_during(stack, ["up"], lambda: any(
        row["method"] == "PATCH" and row["status"] < 300 for row in slow_platform.stats()["calls"]
    ))  # fmt: skip
    recover(stack)
    assert_converged(stack, changed)
    flows = [stack.api.flow_object("flows", i) for i in platform_ids(slow_platform)["flowservice.flows"]]
    assert all(flow["description"].split(" [")[0].endswith("(edited)") for flow in flows)
    stack.destroy()


def test_kill_during_destroy_then_recovery_leaves_nothing(make_stack: MakeStack, slow_platform: EmulatorHandle) -> None:
    declared = copies(COPIES)
    stack = workflow_stack(make_stack)
    stack.deploy(declared)
    slow_platform.clear_stats()
    killed_during(stack, ["destroy"], lambda: sum(
        row["count"] for row in slow_platform.stats()["calls"] if row["method"] == "DELETE" and row["status"] < 300
    ) >= len(declared) // 3)  # fmt: skip
    recover(stack, "destroy")
    assert stack.ids() == {}
    assert all(not ids for ids in platform_ids(slow_platform).values()), platform_ids(slow_platform)
