"""Provider settings: where AEP is, which credentials to use, which sandbox by default.

Read from the stack configuration (``aep:*`` keys) with ``AEP_*`` environment variables as fallback,
at run time inside the provider process (``ResourceProvider.configure``): nothing here is pickled.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from .errors import ConfigurationError

DEFAULT_ENDPOINT = "https://platform.adobe.io"
DEFAULT_IMS_ENDPOINT = "https://ims-na1.adobelogin.com"
DEFAULT_SANDBOX = "prod"
DEFAULT_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext"

ConfigLookup = Callable[[str], "str | None"]


@dataclass(frozen=True)
class SettingSource:
    """Where one setting comes from: a stack config key, then an environment variable."""

    field: str
    config_key: str
    env_var: str
    secret: bool = False

    def how_to_set(self) -> str:
        secret_flag = "--secret " if self.secret else ""
        return (
            f"{self.field}: set stack config {self.config_key} "
            f"(`pulumi config set {secret_flag}{self.config_key} <value>`) "
            f"or environment variable {self.env_var}"
        )


SOURCES: tuple[SettingSource, ...] = (
    SettingSource("endpoint", "aep:endpoint", "AEP_ENDPOINT"),
    SettingSource("ims_endpoint", "aep:imsEndpoint", "AEP_IMS_ENDPOINT"),
    SettingSource("client_id", "aep:clientId", "AEP_CLIENT_ID"),
    SettingSource("client_secret", "aep:clientSecret", "AEP_CLIENT_SECRET", secret=True),
    SettingSource("org_id", "aep:orgId", "AEP_ORG_ID"),
    SettingSource("sandbox", "aep:sandbox", "AEP_SANDBOX"),
    SettingSource("scopes", "aep:scopes", "AEP_SCOPES"),
)
_SOURCE_BY_FIELD = {source.field: source for source in SOURCES}


class Settings(BaseModel):
    """Everything the provider needs to call AEP. ``repr``/``str`` never show the client secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    endpoint: str = Field(DEFAULT_ENDPOINT, description="Base URL of the platform APIs.")
    ims_endpoint: str = Field(DEFAULT_IMS_ENDPOINT, description="Base URL of Adobe IMS (token endpoint host).")
    client_id: str = Field(description="OAuth server-to-server client id (also sent as x-api-key).")
    client_secret: SecretStr = Field(description="OAuth server-to-server client secret.")
    org_id: str = Field(description="IMS organization id, e.g. 1234...@AdobeOrg.")
    sandbox: str = Field(DEFAULT_SANDBOX, description="Sandbox used by resources that do not name one.")
    scopes: str = Field(DEFAULT_SCOPES, description="Comma-separated OAuth scopes requested from IMS.")

    @field_validator("endpoint", "ims_endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @field_validator("org_id")
    @classmethod
    def _adobe_org(cls, value: str) -> str:
        if not value.endswith("@AdobeOrg"):
            raise ValueError(f"must end with @AdobeOrg, got {value!r}")
        return value

    @field_validator("sandbox")
    @classmethod
    def _sandbox_name(cls, value: str) -> str:
        return validate_sandbox_name(value)

    @classmethod
    def from_config(cls, get: ConfigLookup, environ: Mapping[str, str] | None = None) -> "Settings":
        """Build from stack config (``get("aep:clientId")``...) falling back to ``AEP_*`` env vars.

        Raises ``ConfigurationError`` naming every missing or invalid setting, its config key, its
        environment variable and the command that sets it.
        """
        values = read_values(get, environ)
        missing = [s for s in SOURCES if s.field in ("client_id", "client_secret", "org_id") and s.field not in values]
        if missing:
            lines = "\n  ".join(source.how_to_set() for source in missing)
            raise ConfigurationError(f"AEP credentials are not configured:\n  {lines}")
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ConfigurationError(_describe_invalid(exc)) from None


def read_values(get: ConfigLookup, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings that are set (config first, then environment), by field name."""
    env = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for source in SOURCES:
        value = get(source.config_key)
        if value in (None, ""):
            value = env.get(source.env_var)
        if value not in (None, ""):
            values[source.field] = str(value)
    return values


CREDENTIAL_FIELDS = ("client_id", "client_secret", "org_id")


def settings_problems(get: ConfigLookup, environ: Mapping[str, str] | None = None) -> list[str]:
    """What is wrong with the stack settings, one line each starting with the config key; no API call.

    A stack with no credential at all is an offline preview and is fine (nothing is looked up); one with
    some credentials but not all was half configured, and every missing key is named. Invalid values
    (a sandbox with capitals, an org id without ``@AdobeOrg``, an endpoint that is not a URL) are named
    whether credentials are set or not.
    """
    values = read_values(get, environ)
    problems = []
    if any(field in values for field in CREDENTIAL_FIELDS):
        problems += [
            f"{source.config_key}: not set; {source.how_to_set().split(': ', 1)[1]}"
            for source in SOURCES
            if source.field in CREDENTIAL_FIELDS and source.field not in values
        ]
    for field, value in values.items():
        if field == "client_secret":
            continue  # never echoed, and any text is a valid secret
        try:
            Settings.__pydantic_validator__.validate_assignment(Settings.model_construct(), field, value)
        except ValidationError as exc:
            source = _SOURCE_BY_FIELD[field]
            reason = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            problems.append(f"{source.config_key}: {reason}; {_FIXES.get(field, 'correct it')} "
                            f"(`pulumi config set {source.config_key} <value>` or {source.env_var})")
    return problems


_FIXES = {
    "sandbox": "sandbox names are lowercase, as the platform lists them (e.g. 'prod', 'dev')",
    "org_id": "use the organization id shown in the Developer Console, e.g. 1234ABCD@AdobeOrg",
    "endpoint": "use the platform's base URL, e.g. https://platform.adobe.io",
    "ims_endpoint": "use the IMS base URL, e.g. https://ims-na1.adobelogin.com",
}


def configured_sandbox(get: ConfigLookup, environ: Mapping[str, str] | None = None) -> str:
    """The default sandbox alone: known even when credentials are not configured (preview, diff)."""
    return validate_sandbox_name(read_values(get, environ).get("sandbox", DEFAULT_SANDBOX))


def validate_sandbox_name(value: str) -> str:
    # AEP sandbox names are lowercase letters, digits and hyphens.
    if not value or not all(c.islower() or c.isdigit() or c == "-" for c in value):
        raise ValueError(f"sandbox name must be lowercase letters, digits or '-', got {value!r}")
    return value


def _describe_invalid(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "settings"
        source = _SOURCE_BY_FIELD.get(field)
        where = f" ({source.config_key} / {source.env_var})" if source else ""
        lines.append(f"{field}{where}: {err['msg']}")
    return "Invalid AEP settings:\n  " + "\n  ".join(lines)
