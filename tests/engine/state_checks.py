"""What every engine scenario asserts about the state it leaves: no secret anywhere in it, and each
resource's ``__provider`` a tiny by-reference pickle of an ``aep_provider`` class (no code, no secret)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import dill

from aep_provider.base import AEPProvider

from .aep_stack import AEPStack, provider_pickle
from .conftest import ENGINE_CLIENT_SECRET

MAX_PROVIDER_PICKLE_BYTES = 300


def files_holding(root: Path, needle: bytes) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and needle in path.read_bytes()]


def assert_state_is_clean(stack: AEPStack, secrets: Iterable[str] = ()) -> None:
    """No secret (the client secret and ``secrets``) in the exported state, the raw state file or any
    other file of the backend (history, backups); every ``__provider`` small, by reference, secret-free."""
    exported = json.dumps(stack.exported())
    state_file = stack.state_file()
    assert state_file.is_file(), state_file
    for value in (ENGINE_CLIENT_SECRET, *secrets):
        assert value not in exported, f"a secret is in the exported state: {value[:6]}..."
        assert files_holding(stack.backend_dir, value.encode()) == [], f"a secret is in the backend: {value[:6]}..."
    resources = stack.state_resources()
    assert resources, "the stack should hold resources"
    for name, resource in resources.items():
        assert_provider_is_a_small_reference(name, resource)


def assert_provider_is_a_small_reference(name: str, resource: dict) -> None:
    pickled = provider_pickle(resource)
    class_name = resource["type"].rsplit(":", 1)[-1] + "Provider"
    assert len(pickled) < MAX_PROVIDER_PICKLE_BYTES, (name, len(pickled))
    assert b"aep_provider." in pickled and class_name.encode() in pickled, (name, pickled)
    # dill's own helpers (and code objects) appear only when a class or function goes by value.
    assert b"dill._dill" not in pickled and b"_create_code" not in pickled, (name, pickled)
    assert ENGINE_CLIENT_SECRET.encode() not in pickled
    restored = dill.loads(pickled)
    assert isinstance(restored, AEPProvider) and type(restored).__name__ == class_name
