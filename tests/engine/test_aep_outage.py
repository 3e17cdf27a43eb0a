"""Issue 9: AEP unreachable for 60 s in the middle of an ``up``.

The emulator runs as its own process with a data directory (``spawn_emulator``, ``--data``): a third of the
way through the creates of ``COPIES`` copies of both workflows it is killed, and ``OUTAGE_SECONDS`` later it
starts again on the same port and directory, keeping every object it had acknowledged (and maybe some it
committed without answering: the creates the outage cut off).

- The ``up`` fails, and says why: AEP is unreachable at the stack's endpoint. A call retries a lost
  endpoint for about 18 s (``aep_provider/client.py``: 5 connect retries, backoff 0.5 s doubling, jittered),
  so the calls in flight when AEP went away fail long before it is back.
- The next ``up`` once AEP is back converges with 0 duplicates and 0 orphans: the objects the cut-off creates
  left behind carry their resource's marker and are adopted (``test_interrupted_updates.assert_converged``),
  and ``preview --expect-no-changes`` passes.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.testing import EmulatorHandle, EmulatorProcess, spawn_emulator

from .aep_stack import AEPStack
from .conftest import MakeStack, engine_emulator_config
from .test_interrupted_updates import (
    assert_converged,
    copies,
    creates_so_far,
    prepare_aws,
    start_pulumi,
    wait_for,
    workflow_stack,
)

pytestmark = pytest.mark.engine

COPIES = int(os.environ.get("AEP_OUTAGE_COPIES", "2"))
OUTAGE_SECONDS = float(os.environ.get("AEP_OUTAGE_SECONDS", "60"))  # the figure
UNREACHABLE = "AEP is unreachable at"


@dataclass(frozen=True)
class SpawnedServer:
    """What ``EmulatorHandle`` needs of a server, for an emulator running as a child process."""

    base_url: str
    config: EmulatorConfig


class RestartableEmulator:
    """``python -m aep_emulator [--data DIR]`` that can be killed and started again on the same port (with
    a data directory, every acknowledged object survives; ``scripts/soak.py`` runs one without)."""

    def __init__(self, config: EmulatorConfig, data_dir: Path | None = None) -> None:
        self.config = config
        self.data_dir = data_dir
        self.process: EmulatorProcess | None = None
        self.port = port_outside_ephemeral_range()

    def start(self) -> EmulatorHandle:
        args = ["--client-secret", self.config.client_secret, "--port", str(self.port)]
        if self.data_dir is not None:
            args += ["--data", str(self.data_dir)]
        if self.config.aws_endpoint:
            args += ["--aws-endpoint", self.config.aws_endpoint]
        self.process = spawn_emulator(*args)
        self.port = urlsplit(self.process.base_url).port or 0
        return EmulatorHandle(SpawnedServer(self.process.base_url, self.config))  # type: ignore[arg-type]

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()

    def restart(self) -> EmulatorHandle:
        """Start again on the same port and data directory (the port may linger a moment after a kill)."""
        deadline = time.monotonic() + 30
        while True:
            try:
                return self.start()
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


def port_outside_ephemeral_range() -> int:
    """A free port the kernel never hands out as a client's source port. While the emulator is down the
    provider keeps connecting to its port; a port of the ephemeral range can then be picked as the source
    port of such a connection, which connects to itself (TCP simultaneous open) and holds the port, so the
    restart fails with 'Address already in use' (seen in a full run)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for candidate in random.sample(range(20000, low), k=min(200, low - 20000)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise RuntimeError(f"no free port between 20000 and {low}")


@pytest.fixture(scope="module")
def outage_emulator(moto_endpoint: str) -> Iterator[RestartableEmulator]:
    prepare_aws(moto_endpoint)
    with tempfile.TemporaryDirectory(prefix="aep-outage-") as data_dir:
        emulator = RestartableEmulator(
            engine_emulator_config(moto_endpoint), Path(data_dir)
        )
        emulator.start()
        try:
            yield emulator
        finally:
            emulator.kill()


@pytest.fixture(scope="module")
def platform(outage_emulator: RestartableEmulator) -> EmulatorHandle:
    """This module's platform (``make_stack`` points the stack at it): the emulator process, not in-process."""
    return EmulatorHandle(SpawnedServer(f"http://127.0.0.1:{outage_emulator.port}", outage_emulator.config))  # type: ignore[arg-type]


def up_in_background(stack: AEPStack, output: Path) -> subprocess.Popen[bytes]:
    with output.open("wb") as sink:
        return start_pulumi(stack, ["up"], stdout=sink, stderr=subprocess.STDOUT)


def test_aep_unreachable_mid_up_fails_saying_so_then_the_next_up_converges(
    make_stack: MakeStack, outage_emulator: RestartableEmulator, platform: EmulatorHandle, tmp_path: Path
) -> None:
    declared = copies(COPIES)
    stack = workflow_stack(make_stack)
    stack.declare(declared)
    platform.clear_stats()

    process = up_in_background(stack, tmp_path / "up.log")
    try:
        wait_for(lambda: creates_so_far(platform) >= len(declared) // 3, process, "the outage point")
        outage_emulator.kill()
        time.sleep(OUTAGE_SECONDS)
        stack.emulator = outage_emulator.restart()  # a fresh handle: the old one's connections died with AEP
        returncode = process.wait(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
    output = (tmp_path / "up.log").read_text(errors="replace")
    assert returncode != 0, f"the up passed through a {OUTAGE_SECONDS:.0f} s outage:\n{output}"
    assert f"{UNREACHABLE} {platform.base_url}" in output, output

    stack.up()
    assert_converged(stack, declared)
    stack.destroy()
