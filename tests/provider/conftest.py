"""Fixtures for provider tests: providers configured against the session's emulator.

Provider methods are called directly (as the provider process would after ``configure``); the
engine tests in ``tests/engine`` drive the same providers through the real CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
import requests
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from aep_emulator.testing import EmulatorHandle
from aep_provider.base import AEPProvider
from aep_provider.client import AEPClient
from aep_provider.ims import TOKENS
from aep_provider.settings import SOURCES, Settings

P = TypeVar("P", bound=AEPProvider[Any])
ProviderFactory = Callable[..., Any]


@pytest.fixture(autouse=True)
def no_aep_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings fall back to AEP_* variables: keep the developer's own out of the tests."""
    for source in SOURCES:
        monkeypatch.delenv(source.env_var, raising=False)


@pytest.fixture
def stack_config(emulator: EmulatorHandle) -> dict[str, str]:
    """Stack config (``aep:*``) pointing at the emulator, as ``pulumi config set`` would store it."""
    cfg = emulator.config
    return {
        "aep:endpoint": emulator.base_url,
        "aep:imsEndpoint": emulator.base_url,
        "aep:clientId": cfg.client_id,
        "aep:clientSecret": cfg.client_secret,
        "aep:orgId": cfg.org_id,
        "aep:sandbox": "prod",
    }


def configure(provider: P, config: dict[str, str]) -> P:
    provider.configure(ConfigureRequest(Config(config, project_name="aep-tests")))
    return provider


@pytest.fixture
def configured(stack_config: dict[str, str]) -> Callable[..., Any]:
    """``configured(DatasetProvider, **{"aep:sandbox": "dev"})`` -> a provider as after ``configure``."""

    def make(provider_class: type[P], **overrides: str) -> P:
        return configure(provider_class(), {**stack_config, **overrides})

    return make


@pytest.fixture
def settings(stack_config: dict[str, str]) -> Settings:
    return Settings.from_config(stack_config.get)


@pytest.fixture
def client(settings: Settings) -> AEPClient:
    return AEPClient(settings)


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    """Each test starts without cached IMS tokens, so token calls are counted from zero."""
    TOKENS.clear()
    yield
    TOKENS.clear()


# --- driving providers the way the engine does ------------------------------------------------------

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"


def input_names(provider: AEPProvider[Any]) -> set[str]:
    return set(provider.args_model.model_fields)


def program_inputs(provider: AEPProvider[Any], outputs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What a program would send again: the input part of ``outputs`` (no nulls), with changes."""
    news = {k: v for k, v in outputs.items() if k in input_names(provider) and v is not None}
    news.update(changes)
    return {k: v for k, v in news.items() if v is not None}


def checked(provider: AEPProvider[Any], news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
    """``check`` as the engine calls it before create/update; fails the test on any failure."""
    result = provider.check(olds or {}, news)
    assert not result.failures, [(f.property, f.reason) for f in result.failures]
    return result.inputs


def create(provider: AEPProvider[Any], **inputs: Any) -> tuple[str, dict[str, Any]]:
    result = provider.create(checked(provider, inputs))
    return result.id, result.outs


def update(provider: AEPProvider[Any], object_id: str, outputs: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """check -> diff -> update with the program's inputs changed; returns the new outputs."""
    news = checked(provider, program_inputs(provider, outputs, **changes), program_inputs(provider, outputs))
    diff = provider.diff(object_id, outputs, news)
    assert diff.changes and not diff.replaces, diff.__dict__
    return provider.update(object_id, outputs, news).outs


def refreshed(provider: AEPProvider[Any], object_id: str, outputs: dict[str, Any]) -> tuple[dict, dict]:
    """``read`` as ``pulumi refresh`` calls it: (new outputs, new inputs)."""
    result = provider.read(object_id, outputs)
    assert result.id == object_id
    return result.outs, result.inputs


# --- the Schema Registry as AEP shows it (raw HTTP, not through the providers) ------------------------------

TENANT = "/data/foundation/schemaregistry/tenant"
ACCEPT_RESOURCE = "application/vnd.adobe.xed+json; version=1"


def registry_url(emulator: EmulatorHandle, kind: str, resource_id: str) -> str:
    """The emulator's URL of a tenant resource (``kind``: ``schemas``, ``fieldgroups``); ids may be ``$id`` URLs."""
    return emulator.url(f"{TENANT}/{kind}/{quote(resource_id, safe='')}")


def registry_object(emulator: EmulatorHandle, kind: str, resource_id: str) -> dict[str, Any] | None:
    """A tenant resource as AEP's GET shows it, or None when it does not exist."""
    url = registry_url(emulator, kind, resource_id)
    answer = requests.get(url, headers=emulator.headers(Accept=ACCEPT_RESOURCE), timeout=10)
    return answer.json() if answer.status_code == 200 else None


@pytest.fixture
def field_group(configured: Callable[..., Any]) -> tuple[str, dict[str, Any]]:
    """A custom field group with a ``loyaltyId`` under the tenant namespace."""
    from aep_provider.field_group import FieldGroupProvider

    return create(
        configured(FieldGroupProvider),
        title="Loyalty details",
        intended_classes=[PROFILE_CLASS],
        fields={"loyaltyId": {"type": "string", "title": "Loyalty id"}, "points": {"type": "long"}},
    )


@pytest.fixture
def profile_schema(configured: Callable[..., Any], field_group: tuple[str, dict]) -> tuple[str, dict[str, Any]]:
    """A Profile-enabled schema whose primary identity is ``_emulator.loyaltyId``."""
    from aep_provider.schema import SchemaProvider

    return create(
        configured(SchemaProvider),
        title="Loyalty members",
        class_id=PROFILE_CLASS,
        field_groups=[field_group[0], PERSON_DETAILS],
        primary_identity={"field_path": "_emulator.loyaltyId", "namespace": "Email"},
        profile_enabled=True,
    )


@pytest.fixture
def plain_schema(configured: Callable[..., Any]) -> tuple[str, dict[str, Any]]:
    from aep_provider.schema import SchemaProvider

    return create(configured(SchemaProvider), title="Plain profile schema", class_id=PROFILE_CLASS)
