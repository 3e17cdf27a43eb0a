"""``tenant_namespace()``/``tenant_of``: the org's ``_<tenant>`` from Schema Registry ``GET /stats``
(help/xdm/api/getting-started.md, "Know your TENANT_ID"), asked once per process, failing by config key."""

from __future__ import annotations

import time

import pulumi
import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider.errors import AEPProviderError
from aep_provider.schema_registry import _tenants
from aep_provider.settings import Settings
from aep_provider.tenant import tenant_namespace, tenant_of


@pytest.fixture(autouse=True)
def no_cached_tenant() -> None:
    _tenants.clear()


def test_the_tenant_is_the_orgs_and_asked_once(emulator: EmulatorHandle, settings: Settings) -> None:
    emulator.clear_stats()
    assert tenant_of(settings) == f"_{emulator.config.tenant_id}"
    assert tenant_of(settings) == f"_{emulator.config.tenant_id}"
    assert emulator.calls("GET", "/stats") == 1


def test_an_unreachable_endpoint_names_the_config_key_within_seconds(settings: Settings) -> None:
    dead = settings.model_copy(update={"endpoint": "http://127.0.0.1:9"})
    started = time.monotonic()
    with pytest.raises(AEPProviderError) as caught:
        tenant_of(dead)
    assert time.monotonic() - started < 5
    assert "aep:endpoint" in str(caught.value) and "http://127.0.0.1:9" in str(caught.value)


def test_without_credentials_and_without_a_fallback_the_program_stops_naming_the_keys() -> None:
    with pytest.raises(pulumi.RunError) as caught:
        tenant_namespace()
    assert "aep:clientId" in str(caught.value) and "aep:orgId" in str(caught.value)
