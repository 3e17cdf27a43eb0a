"""Helpers of the flow-side provider tests: call counting, check failures, raw reads and out-of-band edits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import requests
from pulumi.dynamic import CheckFailure

from aep_emulator.testing import EmulatorHandle
from aep_provider.base import AEPProvider

FLOW_SERVICE = "/data/foundation/flowservice"
IDENTITY_MAP = "https://ns.adobe.com/xdm/context/identitymap"
KINESIS_AUTH = "Aws Kinesis authentication credentials"
KINESIS_SECRET = "kinesis-secret-do-not-leak"
S3_SECRET = "s3-secret-do-not-leak"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

Made = tuple[str, dict[str, Any]]


def writes(emulator: EmulatorHandle) -> int:
    """AEP writes the emulator answered since its statistics were cleared (IMS token calls excluded)."""
    total = sum(emulator.calls(method) for method in WRITE_METHODS)
    return total - emulator.calls("POST", "/ims/")


def failed_input(provider: AEPProvider[Any], failure: CheckFailure) -> str:
    """The input a check failure names: its property, or for a failure moved off the property because the
    input holds a map (``AEPProvider._secret_safe``) the input its reason starts with. A secret input's
    failure stays "" (its reason starts with the input's name too)."""
    if failure.property:
        return failure.property
    head = re.split(r"[.:\[]", failure.reason, maxsplit=1)[0]
    return head if head in provider.args_model.model_fields and head not in provider.secret_inputs else ""


def failures_of(provider: AEPProvider[Any], news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, str]:
    """``check``'s failures as {input: reasons joined}."""
    found: dict[str, str] = {}
    for failure in provider.check(olds or {}, news).failures:
        name = failed_input(provider, failure)
        found[name] = (found.get(name, "") + " | " + failure.reason).strip(" |")
    return found


def assert_check_failures(
    provider: AEPProvider[Any], inputs: dict[str, Any], expected: dict[str, str]
) -> dict[str, str]:
    """``check`` fails on exactly the ``expected`` inputs, each reason containing the expected text."""
    found = failures_of(provider, inputs)
    assert found.keys() == expected.keys(), (inputs, found)
    for prop, text in expected.items():
        assert text in found[prop], found
    return found


def assert_checks_write_nothing(
    emulator: EmulatorHandle, provider: AEPProvider[Any], cases: Iterable[tuple[dict[str, Any], dict[str, str]]]
) -> list[dict[str, str]]:
    """Each (inputs, expected) passes ``assert_check_failures``, and no check writes to AEP (it may only read)."""
    emulator.clear_stats()
    found = [assert_check_failures(provider, inputs, expected) for inputs, expected in cases]
    assert writes(emulator) == 0
    return found


def server_object(emulator: EmulatorHandle, resource: str, object_id: str, sandbox: str = "prod") -> dict[str, Any]:
    """A Flow Service object as AEP's GET shows it (raw HTTP, not through the provider)."""
    answer = requests.get(emulator.url(f"{FLOW_SERVICE}/{resource}/{object_id}"), headers=emulator.headers(sandbox), timeout=10)
    answer.raise_for_status()
    return answer.json()["items"][0]


def patch_out_of_band(emulator: EmulatorHandle, resource: str, object_id: str, operations: list[dict[str, Any]]) -> None:
    """Someone else's change (the UI, another tool): a PATCH with the current etag."""
    current = server_object(emulator, resource, object_id)
    answer = requests.patch(
        emulator.url(f"{FLOW_SERVICE}/{resource}/{object_id}"),
        headers=emulator.headers(**{"If-Match": current["etag"]}),
        json=operations,
        timeout=10,
    )
    answer.raise_for_status()
