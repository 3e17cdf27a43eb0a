"""Contract tests for connection specs and base/source connections against Adobe's documented exchanges.

(a) Each documented GET goes through the provider's refresh and preview logic (``read`` then ``diff``, with
inputs describing that same object) and must show no change; a documented spec catalogue must answer the
provider's look-ups by the names it documents. (b) The emulator answers the same request, and its answer
must have every documented key with the documented JSON type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider import specs
from aep_provider.base import AEPProvider
from aep_provider.connection import BaseConnectionProvider
from aep_provider.source_connection import SourceConnectionProvider

from .corpus import Example, assert_documented_answer, example, examples

S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b"
SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"
SALESFORCE_AUTH = {"securityToken": "token", "password": "pw", "username": "sf-user", "environmentUrl": "login.salesforce.com"}


# --- (a) the provider's read and drift logic on documented responses --------------------------------------


def refresh_then_preview(provider: AEPProvider[Any], documented: dict[str, Any], declared: dict[str, Any]) -> Any:
    """``pulumi refresh`` (``read`` of the documented object) then ``pulumi preview`` (``diff`` against the
    same declared inputs), as the engine runs them."""
    provider.read_object = lambda object_id, sandbox: documented  # type: ignore[method-assign]
    state = {**declared, "sandbox": "prod"}
    result = provider.read(documented["id"], state)
    assert result.id == documented["id"]
    return provider.diff(documented["id"], result.outs, declared)


READ_CASES: list[tuple[str, type[AEPProvider[Any]], dict[str, Any]]] = [
    (
        "flowservice_connection_get",
        BaseConnectionProvider,
        {"name": "E2E_SF Base_Connection", "connection_spec_id": SALESFORCE, "auth_spec_name": "Basic Authentication",
         "auth_params": SALESFORCE_AUTH},
    ),
    (
        "flowservice_connection_source_get",
        SourceConnectionProvider,
        {"name": "New Source Connection - 2024-10-23T03:28:50+05:30",
         "description": "Source connection created from the workflow",
         "connection_spec_id": "2d31dfd1-df1a-456b-948f-226e040ba102",
         "base_connection_id": "fd9f7455-1e23-4831-9283-7717e20bee40", "data_format": "tabular",
         "params": {"columns": [], "tableName": "Activity"}},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "provider_class", "declared"), READ_CASES, ids=[c[0] for c in READ_CASES])
def test_a_documented_connection_refreshes_without_a_spurious_change(
    name: str, provider_class: type[AEPProvider[Any]], declared: dict[str, Any]
) -> None:
    [documented] = example(name).body["items"]
    diff = refresh_then_preview(provider_class(), documented, declared)
    assert not diff.changes, diff


def test_a_connection_declared_by_spec_name_refreshes_without_a_change(monkeypatch: pytest.MonkeyPatch) -> None:
    [documented] = example("flowservice_connection_get").body["items"]
    [spec] = example("flowservice_connection_spec_salesforce").body["items"]
    monkeypatch.setattr("aep_provider.connection.connection_spec", lambda client, spec_id, sandbox: spec)
    provider = BaseConnectionProvider()
    monkeypatch.setattr(BaseConnectionProvider, "client", property(lambda self: None))
    for declared_name in ("salesforce", "Salesforce"):  # the documented name, and a label spelling of it
        declared = {"name": "E2E_SF Base_Connection", "connection_spec_name": declared_name,
                    "auth_spec_name": "Basic Authentication", "auth_params": SALESFORCE_AUTH}  # fmt: skip
        assert not refresh_then_preview(provider, documented, declared).changes


@pytest.mark.parametrize(
    ("name", "looked_up", "expected_id"),
    [
        ("flowservice_connection_spec_salesforce", "salesforce", SALESFORCE),
        ("flowservice_connection_spec_salesforce", "Salesforce", SALESFORCE),
        ("flowservice_connection_specs_streaming", "Amazon Kinesis", specs.AMAZON_KINESIS),
        ("flowservice_connection_specs_streaming", "amazon-kinesis", specs.AMAZON_KINESIS),
        ("flowservice_connection_specs_streaming", "Azure Event Hubs", specs.AZURE_EVENT_HUBS),
    ],
)
def test_the_provider_finds_a_documented_spec_by_its_documented_name(name: str, looked_up: str, expected_id: str) -> None:
    assert specs._named(example(name).body["items"], "connection spec", looked_up)["id"] == expected_id


# --- (b) the emulator answers the documented request with the documented shape ----------------------------

FS = "/data/foundation/flowservice"


def _create(emulator: EmulatorHandle, resource: str, body: dict[str, Any]) -> str:
    answer = emulator.request("POST", f"{FS}/{resource}", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _salesforce_connection(emulator: EmulatorHandle) -> str:
    return _create(emulator, "connections", {
        "name": "E2E_SF Base_Connection", "auth": {"specName": "Basic Authentication", "params": SALESFORCE_AUTH},
        "connectionSpec": {"id": SALESFORCE, "version": "1.0"},
    })  # fmt: skip


def _s3_source_connection(emulator: EmulatorHandle) -> str:
    base = _create(emulator, "connections", {
        "name": "S3", "auth": {"specName": "Access Key", "params": {"s3AccessKey": "AKIA", "s3SecretKey": "s"}},
        "connectionSpec": {"id": S3, "version": "1.0"},
    })  # fmt: skip
    return _create(emulator, "sourceConnections", {
        "name": "S3 source", "description": "files", "baseConnectionId": base, "data": {"format": "delimited"},
        "params": {"path": "bucket/folder", "type": "folder"}, "connectionSpec": {"id": S3, "version": "1.0"},
    })  # fmt: skip


def _get(emulator: EmulatorHandle, ex: Example, object_id: str | None = None) -> Any:
    path = ex.request["path"].replace("{CONNECTION_ID}", object_id or "").replace("{SOURCE_CONNECTION_ID}", object_id or "")
    return emulator.request("GET", path, params=ex.request.get("params"))


def _connection_get(emulator: EmulatorHandle, ex: Example) -> Any:
    return _get(emulator, ex, _salesforce_connection(emulator))


def _source_get(emulator: EmulatorHandle, ex: Example) -> Any:
    return _get(emulator, ex, _s3_source_connection(emulator))


def _spec_get(emulator: EmulatorHandle, ex: Example) -> Any:
    return _get(emulator, ex)


def _connection_patch(emulator: EmulatorHandle, ex: Example) -> Any:
    connection_id = _salesforce_connection(emulator)
    etag = emulator.request("GET", f"{FS}/connections/{connection_id}").json()["items"][0]["etag"]
    # The documented request sends the etag without its quotes (update.md); both forms are accepted.
    path = ex.request["path"].replace("{CONNECTION_ID}", connection_id)
    return emulator.request("PATCH", path, json=ex.request_body, headers={"If-Match": etag.strip('"')})


EMULATOR_CASES: dict[str, Callable[[EmulatorHandle, Example], Any]] = {
    "flowservice_connection_get": _connection_get,
    "flowservice_connection_patch": _connection_patch,
    "flowservice_connection_source_get": _source_get,
    "flowservice_connection_spec_salesforce": _spec_get,
    "flowservice_connection_specs_streaming": _spec_get,
}


@pytest.mark.parametrize("name", sorted(EMULATOR_CASES))
def test_the_emulator_answers_with_the_documented_shape(emulator: EmulatorHandle, name: str) -> None:
    ex = example(name)
    answer = EMULATOR_CASES[name](emulator, ex)
    assert_documented_answer(answer, ex)


@pytest.mark.parametrize(
    "name", ["flowservice_connection_spec_salesforce", "flowservice_connection_specs_streaming"]
)
def test_the_emulator_lists_each_documented_spec_under_its_documented_name(emulator: EmulatorHandle, name: str) -> None:
    ex = example(name)
    listed = {spec["id"]: spec["name"] for spec in _spec_get(emulator, ex).json()["items"]}
    assert {spec["id"]: spec["name"] for spec in ex.body["items"]}.items() <= listed.items()


def test_every_connection_example_is_covered() -> None:
    mine = {ex.name for ex in examples("flowservice") if ex.name.startswith("flowservice_connection")}
    assert mine == set(EMULATOR_CASES)
    read_or_lookup = {c[0] for c in READ_CASES} | {"flowservice_connection_spec_salesforce",
                                                   "flowservice_connection_specs_streaming"}  # fmt: skip
    assert mine - read_or_lookup == {"flowservice_connection_patch"}  # an answer without an object to read
