"""Sandbox against the emulator's Sandbox Management: create waits for active, title in place,
replacement refused at preview without the opt-in, delete refused without it, adoption, drift, gone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider.base import AEPResource
from aep_provider.errors import AdoptionMismatchError, AEPProviderError
from aep_provider.sandbox import Sandbox, SandboxProvider
from tests.provider.conftest import checked, create, program_inputs, refreshed, update

SANDBOXES = "/data/foundation/sandbox-management/sandboxes"


@pytest.fixture
def provider(configured: Callable[..., Any]) -> SandboxProvider:
    return configured(SandboxProvider)


def server_sandbox(emulator: EmulatorHandle, name: str) -> dict[str, Any]:
    return emulator.request("GET", f"{SANDBOXES}/{name}", sandbox=None).json()


def test_create_waits_until_active_and_the_sandbox_serves_other_services(
    provider: SandboxProvider, emulator: EmulatorHandle
) -> None:
    sandbox_id, outs = create(provider, name="acme-dev", title="Acme dev")
    assert sandbox_id == "acme-dev" and outs["sandbox_name"] == "acme-dev" and outs["state"] == "active"
    assert server_sandbox(emulator, "acme-dev")["type"] == "development"
    assert emulator.request("GET", "/data/foundation/catalog/dataSets", sandbox="acme-dev").status_code == 200


def test_title_changes_in_place_and_drift_shows_on_refresh(provider: SandboxProvider, emulator: EmulatorHandle) -> None:
    sandbox_id, outs = create(provider, name="acme-dev", title="Acme dev")
    outs = update(provider, sandbox_id, outs, title="Acme development")
    assert server_sandbox(emulator, "acme-dev")["title"] == "Acme development"
    emulator.request("PATCH", f"{SANDBOXES}/acme-dev", json={"title": "Changed in the UI"}, sandbox=None)
    _, inputs = refreshed(provider, sandbox_id, outs)
    assert inputs["title"] == "Changed in the UI"


@pytest.mark.parametrize(("field", "value"), [("name", "acme-qa"), ("type", "production")])
def test_a_replacing_change_fails_at_preview_without_the_opt_in(
    provider: SandboxProvider, field: str, value: str
) -> None:
    _, outs = create(provider, name="acme-dev", title="Acme dev")
    result = provider.check(program_inputs(provider, outs), program_inputs(provider, outs, **{field: value}))
    assert [f.property for f in result.failures] == [field]
    assert "allow_delete=True" in result.failures[0].reason and "protect=False" in result.failures[0].reason
    opted_in = update(provider, "acme-dev", outs, allow_delete=True)  # first deploy the opt-in, in place
    news = checked(provider, program_inputs(provider, opted_in, **{field: value}), program_inputs(provider, opted_in))
    assert provider.diff("acme-dev", opted_in, news).replaces == [field]


def test_delete_is_refused_without_the_opt_in_and_done_with_it(provider: SandboxProvider, emulator: EmulatorHandle) -> None:
    sandbox_id, outs = create(provider, name="acme-dev", title="Acme dev")
    with pytest.raises(AEPProviderError, match="allow_delete=True"):
        provider.delete(sandbox_id, outs)
    assert server_sandbox(emulator, "acme-dev")["state"] == "active"
    outs = update(provider, sandbox_id, outs, allow_delete=True)
    provider.delete(sandbox_id, outs)
    assert server_sandbox(emulator, "acme-dev")["state"] == "deleted"
    assert provider.read(sandbox_id, outs).id is None  # a deleted sandbox is gone for refresh


def test_an_existing_name_is_adopted_or_named_in_the_error(provider: SandboxProvider) -> None:
    with pytest.raises(AEPProviderError, match="adopt_id='dev'"):
        create(provider, name="dev", title="Development")
    sandbox_id, outs = create(provider, name="dev", title="Development", adopt_id="dev")
    assert sandbox_id == "dev" and outs["state"] == "active"
    with pytest.raises(AdoptionMismatchError, match="title"):
        create(provider, name="dev", title="Another title", adopt_id="dev")


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        ({"name": "Acme Dev", "title": "t"}, "name"),
        ({"name": "acme", "title": ""}, "title"),
        ({"name": "acme", "title": "t", "type": "staging"}, "type"),
    ],
)
def test_bad_inputs_fail_at_check(provider: SandboxProvider, inputs: dict[str, Any], field: str) -> None:
    assert field in [f.property for f in provider.check({}, inputs).failures]


@pytest.mark.parametrize(
    ("opts", "protected"),
    [(None, True), (pulumi.ResourceOptions(depends_on=[]), True), (pulumi.ResourceOptions(protect=False), False)],
)
def test_the_resource_is_protected_unless_the_options_say_otherwise(
    monkeypatch: pytest.MonkeyPatch, opts: Any, protected: bool
) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(AEPResource, "__init__", lambda self, *args, **inputs: seen.append(args[2]))
    Sandbox("dev", name="dev", title="Development", opts=opts)
    assert seen[0].protect is protected
