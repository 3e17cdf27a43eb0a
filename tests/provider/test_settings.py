"""Settings: stack config first, then AEP_* environment, clear errors, secret never printable."""

from __future__ import annotations

import pytest

from aep_provider.errors import ConfigurationError
from aep_provider.settings import (
    DEFAULT_ENDPOINT,
    DEFAULT_IMS_ENDPOINT,
    DEFAULT_SANDBOX,
    DEFAULT_SCOPES,
    Settings,
    configured_sandbox,
)

SECRET = "p8e-very-secret-value"
CREDENTIALS = {"aep:clientId": "client-1", "aep:clientSecret": SECRET, "aep:orgId": "ABC@AdobeOrg"}
CREDENTIAL_ENV = {"AEP_CLIENT_ID": "env-client", "AEP_CLIENT_SECRET": "env-secret", "AEP_ORG_ID": "ENV@AdobeOrg"}


def from_config(config: dict[str, str], environ: dict[str, str] | None = None) -> Settings:
    return Settings.from_config(config.get, environ=environ or {})


def test_defaults_apply_when_only_credentials_are_set() -> None:
    settings = from_config(CREDENTIALS)
    assert (settings.endpoint, settings.ims_endpoint, settings.sandbox, settings.scopes) == (
        DEFAULT_ENDPOINT, DEFAULT_IMS_ENDPOINT, DEFAULT_SANDBOX, DEFAULT_SCOPES,
    )
    assert settings.client_secret.get_secret_value() == SECRET


@pytest.mark.parametrize(
    ("config", "environ", "expected"),
    [
        ({"aep:sandbox": "dev"}, {"AEP_SANDBOX": "stage"}, {"sandbox": "dev"}),
        ({}, {"AEP_SANDBOX": "stage"}, {"sandbox": "stage"}),
        ({"aep:sandbox": ""}, {"AEP_SANDBOX": "stage"}, {"sandbox": "stage"}),
        ({"aep:endpoint": "http://localhost:8080/"}, {}, {"endpoint": "http://localhost:8080"}),
        ({}, {"AEP_IMS_ENDPOINT": "http://ims.local"}, {"ims_endpoint": "http://ims.local"}),
        ({"aep:scopes": "openid"}, {"AEP_SCOPES": "AdobeID"}, {"scopes": "openid"}),
    ],
)
def test_config_wins_over_environment(config: dict, environ: dict, expected: dict) -> None:
    settings = from_config({**CREDENTIALS, **config}, environ)
    assert {name: getattr(settings, name) for name in expected} == expected


def test_credentials_can_come_from_the_environment_alone() -> None:
    settings = from_config({}, CREDENTIAL_ENV)
    assert (settings.client_id, settings.org_id) == ("env-client", "ENV@AdobeOrg")
    assert settings.client_secret.get_secret_value() == "env-secret"


@pytest.mark.parametrize(
    ("missing", "config_key", "env_var"),
    [
        ("aep:clientId", "aep:clientId", "AEP_CLIENT_ID"),
        ("aep:clientSecret", "aep:clientSecret", "AEP_CLIENT_SECRET"),
        ("aep:orgId", "aep:orgId", "AEP_ORG_ID"),
    ],
)
def test_missing_credential_names_config_key_env_var_and_command(missing: str, config_key: str, env_var: str) -> None:
    config = {k: v for k, v in CREDENTIALS.items() if k != missing}
    with pytest.raises(ConfigurationError) as caught:
        from_config(config)
    message = str(caught.value)
    assert config_key in message and env_var in message
    assert f"pulumi config set {'--secret ' if missing == 'aep:clientSecret' else ''}{config_key}" in message
    assert SECRET not in message


def test_all_missing_credentials_are_reported_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        from_config({})
    assert all(key in str(caught.value) for key in CREDENTIALS)


@pytest.mark.parametrize(
    ("key", "value", "complaint"),
    [
        ("aep:endpoint", "platform.adobe.io", "aep:endpoint"),
        ("aep:orgId", "ABC", "@AdobeOrg"),
        ("aep:sandbox", "Prod Sandbox", "aep:sandbox"),
    ],
)
def test_invalid_values_are_named(key: str, value: str, complaint: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        from_config({**CREDENTIALS, key: value})
    assert complaint in str(caught.value)
    assert SECRET not in str(caught.value)


def test_secret_is_never_printable() -> None:
    settings = from_config(CREDENTIALS)
    for text in (repr(settings), str(settings), settings.model_dump_json(), str(settings.model_dump())):
        assert SECRET not in text


def test_default_sandbox_is_known_without_credentials() -> None:
    assert configured_sandbox({"aep:sandbox": "dev"}.get, environ={}) == "dev"
    assert configured_sandbox({}.get, environ={"AEP_SANDBOX": "stage"}) == "stage"
    assert configured_sandbox({}.get, environ={}) == DEFAULT_SANDBOX


def test_settings_are_immutable() -> None:
    settings = from_config(CREDENTIALS)
    with pytest.raises(Exception):
        settings.sandbox = "dev"  # type: ignore[misc]
