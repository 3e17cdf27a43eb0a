"""Sandbox Management and Identity Service namespaces against Adobe's documented examples (issue 13).

Sources: help/sandboxes/api/sandboxes.md (list, look up, create, update, reset), types.md,
available.md; help/identity-service/api/list-namespaces.md and create-custom-namespace.md.
(a) The provider's refresh and preview of a documented sandbox or namespace show no change.
(b) The emulator answers the documented requests in the documented shape.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider.identity_namespace import IdentityNamespaceProvider
from aep_provider.sandbox import SandboxProvider
from tests.provider.conftest import (  # noqa: F401 (fixtures)
    configured,
    fresh_tokens,
    no_aep_environment,
    stack_config,
)

from .corpus import Example, assert_documented_answer, example, examples

SMS = "/data/foundation/sandbox-management"
SERVICES = ("sandbox", "identity")

# --- (a) the provider on documented answers --------------------------------------------------------------


def _sandbox_inputs(body: dict[str, Any]) -> dict[str, Any]:
    return {"name": body["name"], "title": body["title"], "type": body["type"]}


def _namespace_inputs(body: dict[str, Any]) -> dict[str, Any]:
    return {"name": body["name"], "code": body["code"], "id_type": body["idType"], "description": body["description"]}


def _documented_objects() -> list[tuple[str, type, dict[str, Any], dict[str, Any]]]:
    """(case id, provider, the documented object as a GET shows it, inputs describing it)."""
    cases: list[tuple[str, type, dict[str, Any], dict[str, Any]]] = []
    for name in ("sandbox_get", "sandbox_patch_title", "sandbox_create_development"):
        body = example(name).body
        cases.append((name, SandboxProvider, body, _sandbox_inputs(body)))
    for index, body in enumerate(example("sandbox_list").body["sandboxes"]):
        cases.append((f"sandbox_list[{index}]", SandboxProvider, body, _sandbox_inputs(body)))
    body = example("identity_namespace_create").body
    cases.append(("identity_namespace_create", IdentityNamespaceProvider, body, _namespace_inputs(body)))
    for index, body in enumerate(example("identity_namespaces_list").body):
        cases.append((f"identity_namespaces_list[{index}]", IdentityNamespaceProvider, body, _namespace_inputs(body)))
    return cases


PROVIDER_CASES = _documented_objects()
_KEYS = {SandboxProvider: ("name", "title", "type"), IdentityNamespaceProvider: ("name", "code", "id_type", "description")}


@pytest.mark.parametrize(("case", "provider_class", "body", "inputs"), PROVIDER_CASES, ids=[c[0] for c in PROVIDER_CASES])
def test_refresh_then_preview_of_a_documented_object_shows_no_change(
    configured: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    case: str, provider_class: type, body: dict[str, Any], inputs: dict[str, Any],
) -> None:  # fmt: skip
    provider = configured(provider_class)
    monkeypatch.setattr(provider, "read_object", lambda _id, _sandbox: dict(body))
    object_id = str(body.get("name") if provider_class is SandboxProvider else body["id"])
    read = provider.read(object_id, {**inputs, "sandbox": "prod"})
    assert read.id == object_id
    for key in _KEYS[provider_class]:
        assert provider._normal(key, read.outs[key]) == provider._normal(key, inputs[key]), key
    diff = provider.diff(object_id, read.outs, {**inputs, "__provider": "stub"})
    assert not diff.changes, diff


# --- (b) the emulator answers the documented requests --------------------------------------------------


def _call(emulator: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, emulator.url(path), headers=emulator.headers(), timeout=10, **kwargs)


def _sandbox(emulator: EmulatorHandle, name: str, type_: str = "development", title: str | None = None) -> None:
    body = {"name": name, "title": title or name, "type": type_}
    assert _call(emulator, "POST", f"{SMS}/sandboxes", json=body).status_code == 202
    deadline = time.monotonic() + 10
    while _call(emulator, "GET", f"{SMS}/sandboxes/{name}").json()["state"] != "active":
        assert time.monotonic() < deadline, f"sandbox {name} never became active"
        time.sleep(0.05)


# What each documented request needs in the org first.
SETUP: dict[str, Callable[[EmulatorHandle], None]] = {
    "sandbox_list": lambda emu: [_sandbox(emu, n) for n in ("dev-2", "acme-dev", "acme-qa")] and None,
    "sandbox_get": lambda emu: _call(emu, "POST", f"{SMS}/sandboxes",
                                     json={"name": "dev-2", "title": "Development 2", "type": "development"}) and None,
    "sandbox_patch_title": lambda emu: _sandbox(emu, "acme", "production", "Acme Business Group"),
    "sandbox_reset": lambda emu: _sandbox(emu, "acme-dev", title="Acme Business Group dev"),
}  # fmt: skip


def _send(emulator: EmulatorHandle, ex: Example) -> requests.Response:
    SETUP.get(ex.name, lambda emu: None)(emulator)
    request = ex.request
    kwargs: dict[str, Any] = {"params": request.get("params")}
    if "body" in request:
        kwargs["json"] = ex.request_body
    return _call(emulator, str(request["method"]), str(request["path"]), **kwargs)


EMULATOR_CASES = [ex.name for service in SERVICES for ex in examples(service)]


@pytest.mark.parametrize("name", EMULATOR_CASES)
def test_the_emulator_answers_the_documented_request_with_the_documented_shape(
    emulator: EmulatorHandle, name: str
) -> None:
    ex = example(name)
    answer = _send(emulator, ex)
    assert_documented_answer(answer, ex)


def test_every_sandbox_and_identity_example_is_covered() -> None:
    names = {ex.name for service in SERVICES for ex in examples(service)}
    assert names == set(EMULATOR_CASES)
    read_by_provider = {case.split("[")[0] for case, *_ in PROVIDER_CASES}
    # Every example that shows a sandbox or namespace object is also read by the provider.
    assert read_by_provider == names - {"sandbox_types_list", "sandbox_available_list", "sandbox_reset"}
