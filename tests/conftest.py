"""Fixtures every test directory can use: one emulator per session, reset before each test.

Sub-directories add their own fixtures in their own ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aep_emulator.testing import EmulatorHandle, running_emulator
from aep_provider.base import forget_platform_objects


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorHandle]:
    """One in-process emulator (threaded server on a free port) shared by the whole session."""
    with running_emulator() as handle:
        yield handle


@pytest.fixture
def emulator(emulator_server: EmulatorHandle) -> EmulatorHandle:
    """The session's emulator, emptied of objects, statistics and faults (tokens stay valid); what the
    provider keeps per process about the platform's objects (read answers, marker listings) is forgotten too."""
    emulator_server.reset()
    forget_platform_objects()
    return emulator_server
