"""Fixtures for provider tests: providers configured against the session's emulator.

Provider methods are called directly (as the provider process would after ``configure``); the
engine tests in ``tests/engine`` drive the same providers through the real CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
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
