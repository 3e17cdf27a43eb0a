"""FieldGroup: the typed field tree on the wire and back, CRUD, drift, deletes that wait for users."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider.errors import AEPApiError
from aep_provider.field_group import FieldGroupProvider, FieldSpec, decode_field, encode_field
from aep_provider.schema import SchemaProvider
from tests.provider.conftest import (
    PROFILE_CLASS,
    create,
    program_inputs,
    refreshed,
    registry_object,
    registry_url,
    update,
)


@pytest.fixture
def provider(configured: Callable[..., Any]) -> FieldGroupProvider:
    return configured(FieldGroupProvider)


@pytest.mark.parametrize(
    ("spec", "node"),
    [
        ({"type": "string", "title": "Id"}, {"title": "Id", "type": "string"}),
        ({"type": "number"}, {"type": "number"}),
        ({"type": "integer"}, {"type": "integer"}),
        ({"type": "boolean", "description": "d"}, {"description": "d", "type": "boolean"}),
        ({"type": "date"}, {"type": "string", "format": "date"}),
        ({"type": "date-time"}, {"type": "string", "format": "date-time"}),
        ({"type": "long"}, {"type": "integer", "minimum": -(2**53), "maximum": 2**53, "meta:xdmType": "long"}),
        ({"type": "byte"}, {"type": "integer", "minimum": -128, "maximum": 127, "meta:xdmType": "byte"}),
        ({"type": "object", "fields": {"a": {"type": "string"}}},
         {"type": "object", "properties": {"a": {"type": "string"}}}),
    ],
)  # fmt: skip
def test_field_types_round_trip(spec: dict[str, Any], node: dict[str, Any]) -> None:
    field = FieldSpec.model_validate(spec)
    assert encode_field(field) == node
    assert FieldSpec.model_validate(decode_field(node)) == field


def test_unsupported_server_types_stay_visible_as_drift() -> None:
    assert decode_field({"type": "array", "items": {"type": "string"}}) == {"type": "array"}


def test_create_read_update_delete(provider: FieldGroupProvider, emulator: EmulatorHandle) -> None:
    fields = {
        "loyaltyId": {"type": "string", "title": "Loyalty id"},
        "tier": {"type": "object", "fields": {"name": {"type": "string"}, "since": {"type": "date"}}},
    }
    group_id, outs = create(provider, title="Loyalty", description="Loyalty fields",
                            intended_classes=[PROFILE_CLASS], fields=fields)
    stored = registry_object(emulator, "fieldgroups", group_id)
    assert stored["meta:altId"] == outs["alt_id"] and stored["meta:intendedToExtend"] == [PROFILE_CLASS]
    assert "_emulator" in stored["definitions"]["customFields"]["properties"]
    assert refreshed(provider, group_id, outs)[0] == outs  # the tree reads back exactly

    outs = update(provider, group_id, outs, title="Loyalty v2", fields={**fields, "points": {"type": "long"}})
    assert registry_object(emulator, "fieldgroups", group_id)["title"] == "Loyalty v2"
    assert outs["version"] == registry_object(emulator, "fieldgroups", group_id)["version"] != "1.0"
    assert set(refreshed(provider, group_id, outs)[1]["fields"]) == {"loyaltyId", "tier", "points"}

    provider.delete(group_id, outs)
    assert registry_object(emulator, "fieldgroups", group_id) is None
    assert provider.read(group_id, outs).id is None
    provider.delete(group_id, outs)  # idempotent


def test_field_removed_outside_shows_as_drift(provider: FieldGroupProvider, emulator: EmulatorHandle) -> None:
    group_id, outs = create(provider, title="Drifting", intended_classes=[PROFILE_CLASS],
                            fields={"a": {"type": "string"}, "b": {"type": "integer"}})
    stored = registry_object(emulator, "fieldgroups", group_id)
    del stored["definitions"]["customFields"]["properties"]["_emulator"]["properties"]["b"]
    body = {k: stored[k] for k in ("type", "title", "meta:intendedToExtend", "definitions", "allOf")}
    requests.put(registry_url(emulator, "fieldgroups", group_id), json=body,
                 headers=emulator.headers(), timeout=10).raise_for_status()
    refreshed_outs, inputs = refreshed(provider, group_id, outs)
    assert set(inputs["fields"]) == {"a"}
    assert provider.diff(group_id, refreshed_outs, program_inputs(provider, outs)).changes is True


def test_delete_of_a_used_group_fails_at_once_with_the_registry_detail(
    provider: FieldGroupProvider, configured: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AEP documents no "in use" code for Schema Registry deletes, so nothing is waited for: the
    refusal surfaces at once with its detail, and the delete goes through once the schema is gone."""
    group_id, outs = create(provider, title="Used", intended_classes=[PROFILE_CLASS], fields={"a": {"type": "string"}})
    schemas = configured(SchemaProvider)
    schema_id, schema_outs = create(schemas, title="User of the group", class_id=PROFILE_CLASS, field_groups=[group_id])

    monkeypatch.setattr(FieldGroupProvider, "delete_timeout_seconds", 30.0)
    started = time.monotonic()
    with pytest.raises(AEPApiError) as caught:
        provider.delete(group_id, outs)
    assert time.monotonic() - started < 5.0  # no waiting on a guessed code
    assert caught.value.status == 400 and caught.value.code is None and schema_id in str(caught.value)

    schemas.delete(schema_id, schema_outs)
    provider.delete(group_id, outs)
    assert provider.read(group_id, outs).id is None
