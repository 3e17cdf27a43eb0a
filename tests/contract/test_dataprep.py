"""Data Prep and IMS (with the gateway's token refusals) against Adobe's documented examples.

Sources: help/data-prep/api/mapping-set.md (mapping set GET and PUT), the Developer Console's OAuth
server-to-server reference (token answer), help/landing/troubleshooting.md (gateway refusals).
(a) The provider's refresh and preview of a documented mapping set show no change; the documented
token answer and gateway bodies are understood. (b) The emulator answers the documented requests in
the documented shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider.errors import AEPApiError
from aep_provider.ims import lifetime_seconds
from aep_provider.mapping_set import MappingSetProvider
from tests.provider.conftest import (  # noqa: F401 (fixtures)
    configured,
    fresh_tokens,
    no_aep_environment,
    stack_config,
)

from .corpus import Example, assert_documented_answer, example, examples

PROFILE = "https://ns.adobe.com/xdm/context/profile"
PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"

# --- (a) the provider on documented answers --------------------------------------------------------------

MAPPING_SET_CASES: list[tuple[str, dict[str, Any]]] = [
    # The legacy dialect: source type absent (an attribute), the schema in a top-level schemaRef.
    ("dataprep_mapping_set_get", {"schema_id": "string", "mappings": [{"source": "string", "destination": "string"}]}),
    ("dataprep_mapping_set_put", {
        "schema_id": "https://ns.adobe.com/{TENANT_ID}/schemas/{SCHEMA_ID}",
        "mappings": [
            {"source": "firstName", "destination": "person.name.firstName", "name": "First name",
             "description": "The first name for the user."},
            {"source": "lastName", "destination": "person.name.lastName", "name": "Last name",
             "description": "The last name for the user."},
        ],
    }),
]  # fmt: skip


@pytest.mark.parametrize(("name", "inputs"), MAPPING_SET_CASES, ids=[c[0] for c in MAPPING_SET_CASES])
def test_refresh_then_preview_of_a_documented_mapping_set_shows_no_change(
    configured: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, name: str, inputs: dict[str, Any]  # noqa: F811
) -> None:
    ex = example(name)
    provider: MappingSetProvider = configured(MappingSetProvider)
    monkeypatch.setattr(provider, "read_object", lambda _id, _sandbox: ex.body)
    object_id = str(ex.body["id"])
    read = provider.read(object_id, {**inputs, "sandbox": "prod"})
    assert read.id == object_id
    for key in ("schema_id", "mappings"):
        assert provider._normal(key, read.outs[key]) == provider._normal(key, inputs[key]), key
    diff = provider.diff(object_id, read.outs, {**inputs, "__provider": "stub"})
    assert not diff.changes, diff


def test_the_documented_token_answer_is_understood() -> None:
    body = example("ims_token_client_credentials").body
    assert lifetime_seconds(body["expires_in"]) == 86399  # seconds, as the reference says


@pytest.mark.parametrize("name", ["ims_gateway_token_missing", "ims_gateway_token_invalid"])
def test_the_documented_gateway_refusals_are_understood(name: str) -> None:
    ex = example(name)
    error = AEPApiError.from_response(status=ex.status, method="GET", path="/x", body=ex.body, headers={})
    assert (error.code, error.detail) == (ex.body["error_code"], ex.body["message"])


# --- (b) the emulator answers the documented requests --------------------------------------------------


def _schema(emulator: EmulatorHandle) -> str:
    body = {"title": "Mapped people", "type": "object", "description": "",
            "allOf": [{"$ref": PROFILE}, {"$ref": PERSON_DETAILS}]}  # fmt: skip
    answer = requests.post(emulator.url("/data/foundation/schemaregistry/tenant/schemas"), json=body,
                           headers=emulator.headers(), timeout=10)  # fmt: skip
    assert answer.status_code == 201, answer.text
    return str(answer.json()["$id"])


def _mapping_set(emulator: EmulatorHandle, schema_id: str) -> str:
    body = {
        "name": "Demo Mapping Set",
        "outputSchema": {"schemaRef": {"id": schema_id, "contentType": "application/vnd.adobe.xed-full+json;version=1"}},
        "mappings": [{"sourceType": "ATTRIBUTE", "source": "firstName", "destination": "person.name.firstName"}],
    }
    answer = requests.post(emulator.url("/data/foundation/conversion/mappingSets"), json=body,
                           headers=emulator.headers(), timeout=10)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _send(emulator: EmulatorHandle, ex: Example) -> requests.Response:
    request = ex.request
    path = str(request["path"])
    if ex.service == "dataprep":
        schema_id = _schema(emulator)
        path = path.replace("{MAPPING_SET_ID}", _mapping_set(emulator, schema_id))
        body = ex.request_body
        if isinstance(body, dict) and "outputSchema" in body:
            body["outputSchema"]["schemaRef"]["id"] = schema_id
        return requests.request(str(request["method"]), emulator.url(path), headers=emulator.headers(),
                                json=body, timeout=10)  # fmt: skip
    if "form" in request:  # the token POST, with this emulator's credentials
        form = {**request["form"], "client_id": emulator.config.client_id,
                "client_secret": emulator.config.client_secret, "scope": "openid,AdobeID"}  # fmt: skip
        return requests.post(emulator.url(path), data=form, timeout=10)
    headers = {**emulator.headers(), **(request.get("headers") or {})}
    return requests.request(str(request["method"]), emulator.url(path), timeout=10,
                            headers={k: v for k, v in headers.items() if v is not None})  # fmt: skip


EMULATOR_CASES = [ex.name for ex in examples("dataprep") + examples("ims")]


@pytest.mark.parametrize("name", EMULATOR_CASES)
def test_the_emulator_answers_the_documented_request_with_the_documented_shape(
    emulator: EmulatorHandle, name: str
) -> None:
    ex = example(name)
    answer = _send(emulator, ex)
    assert_documented_answer(answer, ex)
    assert answer.headers.get("x-request-id")
    if ex.status >= 400:
        assert answer.json() == ex.body  # the gateway's refusals are fixed texts


def test_every_dataprep_and_ims_example_is_covered() -> None:
    names = {ex.name for ex in examples("dataprep") + examples("ims")}
    assert names == set(EMULATOR_CASES)
    assert {ex.name for ex in examples("dataprep")} <= {name for name, _ in MAPPING_SET_CASES}
