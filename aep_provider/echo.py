"""Echo: a trivial dynamic resource that proves the engine round trip works.

It talks to no service. ``create`` returns a stable id derived from the resource's ``name`` and echoes the
inputs plus computed fields, so ``pulumi up`` -> ``pulumi preview --expect-no-changes`` -> ``pulumi destroy``
exercises the real engine, the language host, dill pickling of the provider *by reference* and the
provider's own ``diff``/``update`` without any network. It also reads a credential the way the real
providers do (stack config ``aep:clientSecret``, else the ``AEP_CLIENT_SECRET`` environment variable) and
reports only *where* it came from, never the value, so a test can prove credentials stay out of state.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, Literal

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime.rpc import UNKNOWN

CREDENTIAL_CONFIG_KEY = "aep:clientSecret"
CREDENTIAL_ENV_VAR = "AEP_CLIENT_SECRET"

CredentialSource = Literal["config", "environment", "none"]

# Inputs the user owns: the only keys diff compares. Changing `name` changes the id, hence a replace.
_INPUT_KEYS = ("name", "message")
_REPLACE_KEYS = ("name",)


def echo_id(name: str) -> str:
    """The id create returns: stable for a name, so re-creating gives the same id."""
    return "echo-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


class EchoProvider(ResourceProvider):
    """Provider for :class:`Echo`. Only ``greeting`` (a non-secret setting) is pickled into state."""

    # Safe only because __getstate__ drops everything but `greeting`: keeps __provider readable and cheap.
    serialize_as_secret_always = False

    def __init__(self, greeting: str = "echo") -> None:
        self.greeting = greeting
        self._credential: str | None = None  # set by configure() in the provider process, never pickled

    def __getstate__(self) -> dict[str, Any]:
        return {"greeting": self.greeting}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["greeting"])  # type: ignore[misc]

    def configure(self, req: ConfigureRequest) -> None:
        self._credential = req.config.get(CREDENTIAL_CONFIG_KEY)

    def _credential_source(self) -> CredentialSource:
        if self._credential:
            return "config"
        if os.environ.get(CREDENTIAL_ENV_VAR):
            return "environment"
        return "none"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        for key in _INPUT_KEYS:
            value = news.get(key)
            if value == UNKNOWN:  # not known until another resource is created: nothing to validate yet
                continue
            if not isinstance(value, str) or not value:
                failures.append(CheckFailure(key, f"{key} must be a non-empty string"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # olds are the previous *outputs*; they echo the inputs, so the comparison is like for like.
        changed = [key for key in _INPUT_KEYS if olds.get(key) != news.get(key)]
        return DiffResult(
            changes=bool(changed),
            replaces=[key for key in changed if key in _REPLACE_KEYS],
            stables=[key for key in _INPUT_KEYS if key not in changed],
            delete_before_replace=True,  # the new object has the same id as the old one
        )

    def _outputs(self, props: dict[str, Any]) -> dict[str, Any]:
        inputs = {key: props[key] for key in _INPUT_KEYS}
        return {
            **inputs,
            "echoed": f"{self.greeting}: {inputs['message']}",
            "credential_source": self._credential_source(),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(echo_id(props["name"]), self._outputs(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        # Nothing lives outside the state, so the stored outputs are the truth.
        outs = {key: value for key, value in props.items() if key != "__provider"}
        return ReadResult(id_, outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._outputs(news))  # full outputs: the default would drop computed fields

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class Echo(pulumi.dynamic.Resource, module="aep", name="Echo"):
    """A resource that echoes its inputs; type token ``pulumi-python:dynamic/aep:Echo``."""

    name: pulumi.Output[str]
    message: pulumi.Output[str]
    echoed: pulumi.Output[str]
    credential_source: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        message: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        greeting: str = "echo",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "name": name if name is not None else resource_name,
            "message": message,
            # Output-only properties must be declared (as None) or the attributes would not exist.
            "echoed": None,
            "credential_source": None,
        }
        super().__init__(EchoProvider(greeting), resource_name, props, opts)
