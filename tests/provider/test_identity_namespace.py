"""IdentityNamespace against the emulator's Identity Service: create, in-place update of name and
description, code/type changes refused at preview, destroy forgets with a warning, adoption, bad inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider.identity_namespace import IdentityNamespaceProvider
from tests.provider.conftest import create, program_inputs, refreshed, update

NAMESPACES = "/data/core/idnamespace/identities"
LOYALTY = {"name": "Loyalty Member", "code": "Loyalty", "id_type": "Cross_device", "description": "Loyalty Program Member ID"}


@pytest.fixture
def provider(configured: Callable[..., Any]) -> IdentityNamespaceProvider:
    return configured(IdentityNamespaceProvider, **{"aep:sandbox": "dev"})


def server_namespace(emulator: EmulatorHandle, ns_id: str) -> dict[str, Any]:
    return emulator.request("GET", f"{NAMESPACES}/{ns_id}", sandbox="dev").json()


def test_create_update_and_refresh(provider: IdentityNamespaceProvider, emulator: EmulatorHandle) -> None:
    ns_id, outs = create(provider, **LOYALTY)
    assert outs["namespace_id"] == ns_id and outs["custom"] is True
    assert server_namespace(emulator, ns_id)["code"] == "Loyalty"
    outs = update(provider, ns_id, outs, name="Loyalty members", description="Members")
    assert server_namespace(emulator, ns_id)["name"] == "Loyalty members"
    _, inputs = refreshed(provider, ns_id, outs)
    assert inputs["id_type"] == "Cross_device" and inputs["description"] == "Members"


def test_the_platforms_upper_case_type_is_no_drift(provider: IdentityNamespaceProvider) -> None:
    ns_id, outs = create(provider, **{**LOYALTY, "id_type": "CROSS_DEVICE"})
    result = provider.diff(ns_id, outs, program_inputs(provider, outs, id_type="cross_device"))
    assert not result.changes


@pytest.mark.parametrize(("field", "value"), [("code", "Loyalty2"), ("id_type", "Email")])
def test_code_and_type_changes_fail_at_preview(provider: IdentityNamespaceProvider, field: str, value: str) -> None:
    _, outs = create(provider, **LOYALTY)
    result = provider.check(program_inputs(provider, outs), program_inputs(provider, outs, **{field: value}))
    assert [f.property for f in result.failures] == [field]
    assert "new IdentityNamespace" in result.failures[0].reason


def test_destroy_forgets_the_namespace_with_a_warning(
    provider: IdentityNamespaceProvider, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *_args, **_kwargs: warnings.append(message))
    ns_id, outs = create(provider, **LOYALTY)
    provider.delete(ns_id, outs)
    assert server_namespace(emulator, ns_id)["code"] == "Loyalty"  # AEP cannot delete it
    assert len(warnings) == 1 and "cannot delete a namespace" in warnings[0]


def test_adoption_and_a_clashing_code(provider: IdentityNamespaceProvider) -> None:
    ns_id, _ = create(provider, **LOYALTY)
    adopted_id, _ = create(provider, **LOYALTY, adopt_id=ns_id)
    assert adopted_id == ns_id
    with pytest.raises(Exception, match="409"):
        create(provider, **{**LOYALTY, "name": "Other"})


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"code": "Loyalty-ID"}, "code"), ({"code": ""}, "code"), ({"id_type": "Person"}, "id_type"), ({"name": ""}, "name")],
)
def test_bad_inputs_fail_at_check(provider: IdentityNamespaceProvider, changes: dict[str, Any], field: str) -> None:
    failures = provider.check({}, {**LOYALTY, **changes}).failures
    assert field in [f.property for f in failures], [(f.property, f.reason) for f in failures]
