"""Schema against the emulator's Schema Registry: composition, Profile order, additive evolution, drift."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider import standard
from aep_provider.errors import AdoptionMismatchError, AEPApiError, UnsupportedChangeError
from aep_provider.identity_descriptor import IdentityDescriptorProvider
from aep_provider.schema import SchemaProvider
from tests.provider.flow_helpers import failed_input
from tests.provider.conftest import (
    PERSON_DETAILS,
    PROFILE_CLASS,
    checked,
    create,
    program_inputs,
    refreshed,
    registry_object,
    registry_url,
    update,
)

SCHEMAS = "/data/foundation/schemaregistry/tenant/schemas"
DESCRIPTORS = "/data/foundation/schemaregistry/tenant/descriptors"
PERSONAL_DETAILS = "https://ns.adobe.com/xdm/context/profile-personal-details"


@pytest.fixture
def provider(configured: Callable[..., Any]) -> SchemaProvider:
    return configured(SchemaProvider)


def descriptors_of(emulator: EmulatorHandle, schema_id: str) -> list[dict[str, Any]]:
    return [o["object"] for o in emulator.objects() if o["object"].get("xdm:sourceSchema") == schema_id]


def test_profile_schema_is_created_in_one_go(
    provider: SchemaProvider, profile_schema: tuple[str, dict], field_group: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    schema_id, outs = profile_schema
    stored = registry_object(emulator, "schemas", schema_id)
    assert stored["meta:immutableTags"] == ["union"]
    assert [part["$ref"] for part in stored["allOf"]] == [PROFILE_CLASS, field_group[0], PERSON_DETAILS]
    (descriptor,) = descriptors_of(emulator, schema_id)
    assert (descriptor["xdm:sourceProperty"], descriptor["xdm:namespace"], descriptor["xdm:isPrimary"]) == (
        "/_emulator/loyaltyId", "Email", True,
    )
    assert outs["schema_id"] == schema_id and outs["alt_id"] == stored["meta:altId"]
    assert outs["version"] == stored["version"] and outs["primary_identity_descriptor_id"] == descriptor["@id"]

    outs_after_read, _ = refreshed(provider, schema_id, outs)
    assert outs_after_read == outs  # no drift right after create


def test_profile_without_identity_fails_with_the_fix_and_leaves_nothing(
    provider: SchemaProvider, emulator: EmulatorHandle
) -> None:
    with pytest.raises(AEPApiError) as caught:
        create(provider, title="No identity", class_id=PROFILE_CLASS, profile_enabled=True)
    assert caught.value.code == "XDM-1528-400" and "primary_identity" in str(caught.value)
    assert emulator.objects("schemaregistry.schemas") == []  # the half-made schema was removed


def test_in_place_evolution(
    provider: SchemaProvider, plain_schema: tuple[str, dict], configured: Callable[..., Any], emulator: EmulatorHandle
) -> None:
    schema_id, outs = plain_schema
    outs = update(provider, schema_id, outs, title="Renamed", description="Now with details",
                  field_groups=[PERSON_DETAILS, PERSONAL_DETAILS])
    stored = registry_object(emulator, "schemas", schema_id)
    assert (stored["title"], stored["description"]) == ("Renamed", "Now with details")
    assert [p["$ref"] for p in stored["allOf"]] == [PROFILE_CLASS, PERSON_DETAILS, PERSONAL_DETAILS]
    assert outs["version"] == stored["version"] != "1.0"

    # Profile later, with a primary identity declared by a separate IdentityDescriptor.
    create(configured(IdentityDescriptorProvider), schema_id=schema_id, field_path="personalEmail.address",
           namespace="Email", primary=True)
    outs = update(provider, schema_id, outs, profile_enabled=True)
    assert registry_object(emulator, "schemas", schema_id)["meta:immutableTags"] == ["union"]
    assert outs["primary_identity_descriptor_id"] is None  # that descriptor is not the Schema's to manage
    assert refreshed(provider, schema_id, outs)[0] == outs


def test_primary_identity_is_added_and_changed_in_place(
    provider: SchemaProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    schema_id, outs = plain_schema
    outs = update(provider, schema_id, outs, field_groups=[PERSONAL_DETAILS],
                  primary_identity={"field_path": "personalEmail.address", "namespace": "Email"})
    first = outs["primary_identity_descriptor_id"]
    assert first and [d["@id"] for d in descriptors_of(emulator, schema_id)] == [first]
    outs = update(provider, schema_id, outs, primary_identity={"field_path": "personalEmail.address", "namespace": "Phone"})
    (descriptor,) = descriptors_of(emulator, schema_id)
    assert (descriptor["@id"], descriptor["xdm:namespace"]) == (first, "Phone")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"field_groups": []}, "field_groups", "cannot be removed"),
        ({"class_id": "https://ns.adobe.com/xdm/context/experienceevent"}, "class_id", "cannot change"),
        ({"profile_enabled": False}, "profile_enabled", "irreversible"),
    ],
)
def test_breaking_changes_are_refused_by_check(
    provider: SchemaProvider, profile_schema: tuple[str, dict], change: dict, field: str, reason: str
) -> None:
    _, outs = profile_schema
    result = provider.check(program_inputs(provider, outs), program_inputs(provider, outs, **change))
    found = [(failed_input(provider, f), reason in f.reason) for f in result.failures]
    # Without its field groups the primary identity's field is gone too, and check says so as well.
    assert (field, True) in found and {p for p, _ in found} <= {field, "primary_identity"}, result.failures


def test_breaking_change_reaching_update_is_refused_without_writing(
    provider: SchemaProvider, profile_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    schema_id, outs = profile_schema
    emulator.clear_stats()
    with pytest.raises(UnsupportedChangeError, match="field_groups"):
        provider.update(schema_id, outs, program_inputs(provider, outs, field_groups=[PERSON_DETAILS]))
    assert emulator.calls("PATCH") == 0


def test_field_group_added_outside_shows_on_refresh_and_blocks_its_removal(
    provider: SchemaProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    schema_id, outs = plain_schema
    patch = [{"op": "add", "path": "/allOf/-", "value": {"$ref": PERSON_DETAILS}}]
    requests.patch(
        registry_url(emulator, "schemas", schema_id), json=patch, headers=emulator.headers(), timeout=10
    ).raise_for_status()
    refreshed_outs, inputs = refreshed(provider, schema_id, outs)
    assert inputs["field_groups"] == [PERSON_DETAILS]
    program = program_inputs(provider, outs)  # the program never declared it
    assert provider.diff(schema_id, refreshed_outs, program).changes is True
    failures = provider.check(inputs, program).failures
    assert [f.property for f in failures] == ["field_groups"] and PERSON_DETAILS in failures[0].reason


def test_title_clash_names_the_fix(provider: SchemaProvider, plain_schema: tuple[str, dict]) -> None:
    with pytest.raises(AEPApiError) as caught:
        create(provider, title=plain_schema[1]["title"], class_id=PROFILE_CLASS)
    assert caught.value.code == "XDM-1521-400" and "adopt_id" in str(caught.value)


def test_adopt_by_alt_id_keeps_the_dollar_id(provider: SchemaProvider, plain_schema: tuple[str, dict]) -> None:
    schema_id, outs = plain_schema
    with pytest.raises(AdoptionMismatchError, match="field_groups"):
        create(provider, title=outs["title"], class_id=PROFILE_CLASS, field_groups=[PERSON_DETAILS],
               adopt_id=outs["alt_id"])
    adopted_id, adopted = create(provider, title=outs["title"], class_id=PROFILE_CLASS, adopt_id=outs["alt_id"])
    assert adopted_id == schema_id and adopted["schema_id"] == schema_id


def test_lost_create_answer_does_not_duplicate(provider: SchemaProvider, emulator: EmulatorHandle) -> None:
    emulator.inject_fault(method="POST", route=SCHEMAS, action="drop_after_commit", count=1)
    schema_id, _ = create(provider, title="Once", class_id=PROFILE_CLASS)
    assert [o["id"] for o in emulator.objects("schemaregistry.schemas")] == [schema_id]


def test_delete_read_and_gone(provider: SchemaProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle) -> None:
    schema_id, outs = plain_schema
    provider.delete(schema_id, outs)
    assert registry_object(emulator, "schemas", schema_id) is None
    assert provider.read(schema_id, outs).id is None
    provider.delete(schema_id, outs)  # idempotent


def test_profile_schema_cannot_be_deleted_and_says_what_to_do(
    provider: SchemaProvider, profile_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    schema_id, outs = profile_schema
    with pytest.raises(UnsupportedChangeError, match="retain_on_delete"):
        provider.delete(schema_id, outs)
    assert registry_object(emulator, "schemas", schema_id) is not None


def test_check_refuses_breaking_changes_with_unknowns_elsewhere(provider: SchemaProvider) -> None:
    from pulumi.output import Unknown

    groups = [standard.field_group_id("Demographic Details"), standard.field_group_id("Personal Contact Details")]
    olds = {"title": "T", "class_id": PROFILE_CLASS, "field_groups": groups}
    failures = provider.check(olds, {**olds, "title": Unknown(), "field_groups": groups[:1]}).failures
    assert [f.property for f in failures] == ["field_groups"]
    assert checked(provider, {**olds, "field_groups": Unknown()}, olds)  # unknown: nothing to judge yet
