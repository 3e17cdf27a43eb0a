"""Catalog's documented exchanges (``examples/catalog_*.json``) held against the provider and the emulator.

(a) A documented dataset GET goes through the provider's refresh (``read``: the GET, ``read_object``,
``inputs_from_server``) and preview (``diff``) with inputs that describe that same dataset: no drift, and
no JSON Patch for ``up`` to send. The platform's own tags, ``enabledAt`` and ``classification`` in those
GETs are what a real sandbox answers, so they must never look like a change.
(b) The emulator answers the same request (after the objects it needs are made through its API) with
every documented key, in the documented JSON type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider.client import ApiResponse
from aep_provider.dataset import DatasetProvider, update_operations
from tests.provider.conftest import (  # noqa: F401 (fixtures)
    checked,
    configured,
    field_group,
    fresh_tokens,
    no_aep_environment,
    profile_schema,
    stack_config,
)

from .corpus import Example, assert_documented_answer, example, examples

XED = "application/vnd.adobe.xed+json;version=1"
FLAGS = ("unifiedProfile", "unifiedIdentity")

# Full dataset GETs and the inputs of a program declaring that dataset (no tags of its own: every
# other tag in them is the platform's).
READ_CASES: dict[str, dict[str, Any]] = {
    "catalog_dataset_get_platform_tags": {
        "name": "Demo System - Event Dataset for Website (Global v1.1)",
        "description": "Demo System - Event Dataset for Website (Global v1.1)",
        "schema_id": "https://ns.adobe.com/experienceplatform/schemas/d9b88a044ad96154637965a97ed63c7b20bdf2ab3b4f642e",
        "profile_enabled": True,
        "identity_enabled": True,
    },
    "catalog_dataset_get_profile_enabled": {
        "name": "Commission Program Events DataSet",
        "schema_id": "https://ns.adobe.com/xdm/context/experienceevent",
        "profile_enabled": True,
        "identity_enabled": True,
    },
}
GET_EXAMPLES = (*READ_CASES, "catalog_dataset_get_properties")
EMULATOR_CASES = (*GET_EXAMPLES, "catalog_dataset_create", "catalog_dataset_patch_enable_profile")


def documented_dataset(ex: Example) -> tuple[str, dict[str, Any]]:
    ((dataset_id, dataset),) = ex.body.items()
    return dataset_id, dataset


# --- (a) the provider's refresh and preview on documented answers -----------------------------------


@pytest.mark.parametrize("name", list(READ_CASES))
def test_documented_dataset_reads_without_drift(
    name: str, configured: Callable[..., Any], monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    ex = example(name)
    dataset_id, dataset = documented_dataset(ex)
    provider: DatasetProvider = configured(DatasetProvider)

    def documented_answer(method: str, path: str, **kwargs: Any) -> ApiResponse:
        assert (method, path) == ("GET", f"/data/foundation/catalog/dataSets/{dataset_id}")
        return ApiResponse(200, ex.body, {"E-Tag": dataset["version"]})  # appendix.md: E-Tag = version

    monkeypatch.setattr(provider.client, "request", documented_answer)
    # The preview of a deployed dataset: its inputs equal those in state, so check skips its look-ups
    # (the documented schema is not on this platform); only the refresh below asks AEP.
    program = checked(provider, dict(READ_CASES[name]), olds=dict(READ_CASES[name]))
    state = {**program, "sandbox": "prod", "dataset_id": dataset_id, "version": "1.0.0"}

    result = provider.read(dataset_id, state)
    assert result.id == dataset_id and result.outs["version"] == dataset["version"]
    assert result.inputs == provider.with_defaults(READ_CASES[name])  # as check returns the program's inputs
    assert provider.diff(dataset_id, result.outs, program).changes is False
    args = provider.args_model.model_validate(program)
    assert update_operations({**dataset, "id": dataset_id}, args, args) == []  # `up` sends nothing


# --- (b) the emulator answers as documented ---------------------------------------------------------


def send(emulator: EmulatorHandle, ex: Example, dataset_id: str | None = None, body: Any = None) -> requests.Response:
    request = ex.request
    headers = {"Content-Type": request["content_type"]} if "content_type" in request else {}
    return emulator.request(
        request["method"],
        request["path"].replace("{DATASET_ID}", dataset_id or ""),
        params=request.get("params"),
        json=body if body is not None else ex.request_body,
        headers=headers,
    )


def create_like(emulator: EmulatorHandle, dataset: dict[str, Any], schema_id: str) -> str:
    """A dataset made through the emulator's API with what a client chooses of the documented one:
    name, description, error diagnostics, the Profile/Identity flags. The rest is the platform's."""
    body: dict[str, Any] = {"name": dataset["name"], "schemaRef": {"id": schema_id, "contentType": XED}}
    body.update((k, dataset[k]) for k in ("description", "enableErrorDiagnostics") if k in dataset)
    body["tags"] = {k: ["enabled:true"] for k in FLAGS if k in dataset.get("tags", {})}
    answer = emulator.request("POST", "/data/foundation/catalog/dataSets", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()[0]).rsplit("/", 1)[-1]


@pytest.mark.parametrize("name", GET_EXAMPLES)
def test_emulator_dataset_get_has_the_documented_shape(
    name: str, emulator: EmulatorHandle, profile_schema: tuple[str, dict]  # noqa: F811
) -> None:
    ex = example(name)
    dataset_id = create_like(emulator, documented_dataset(ex)[1], profile_schema[0])
    answer = send(emulator, ex, dataset_id)
    assert_documented_answer(answer, ex)


def test_emulator_create_answers_as_documented(
    emulator: EmulatorHandle, profile_schema: tuple[str, dict]  # noqa: F811
) -> None:
    ex = example("catalog_dataset_create")
    body = ex.request_body
    body["schemaRef"]["id"] = profile_schema[0]  # the page's {TENANT_ID} schema, made here
    answer = send(emulator, ex, body=body)
    assert_documented_answer(answer, ex)
    assert str(answer.json()[0]).startswith("@/dataSets/")


def test_emulator_patch_answers_as_documented(
    emulator: EmulatorHandle, profile_schema: tuple[str, dict]  # noqa: F811
) -> None:
    ex = example("catalog_dataset_patch_enable_profile")
    dataset_id = create_like(emulator, {"name": "Commission Program Events DataSet"}, profile_schema[0])
    answer = send(emulator, ex, dataset_id)
    assert_documented_answer(answer, ex)
    assert answer.json() == [f"@/dataSets/{dataset_id}"]


def test_every_catalog_example_is_covered() -> None:
    documented = {ex.name for ex in examples("catalog")}
    assert documented == set(EMULATOR_CASES)
    # Every GET of a whole dataset (no ?properties= projection) also goes through the provider's read.
    whole = {ex.name for ex in examples("catalog") if ex.request["method"] == "GET" and not ex.request.get("params")}
    assert whole == set(READ_CASES)
