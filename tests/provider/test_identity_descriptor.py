"""IdentityDescriptor: create, read, in-place PUT, replace on schema change, one primary per schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider.errors import AEPApiError
from aep_provider.identity_descriptor import IdentityDescriptorProvider, to_json_pointer
from aep_provider.schema import SchemaProvider
from tests.provider.conftest import PERSON_DETAILS, PROFILE_CLASS, create, program_inputs, refreshed, update

DESCRIPTORS = "/data/foundation/schemaregistry/tenant/descriptors"


@pytest.fixture
def provider(configured: Callable[..., Any]) -> IdentityDescriptorProvider:
    return configured(IdentityDescriptorProvider)


@pytest.fixture
def person_schema(configured: Callable[..., Any]) -> tuple[str, dict[str, Any]]:
    """A schema with ``person.name.*`` fields (from the person-details field group)."""
    return create(configured(SchemaProvider), title="People", class_id=PROFILE_CLASS, field_groups=[PERSON_DETAILS])


@pytest.mark.parametrize(
    ("path", "pointer"),
    [("a.b", "/a/b"), ("/a/b", "/a/b"), (" _emulator.loyaltyId ", "/_emulator/loyaltyId"), ("a", "/a")],
)
def test_field_paths_are_normalised_to_json_pointers(path: str, pointer: str) -> None:
    assert to_json_pointer(path) == pointer


@pytest.mark.parametrize("path", ["", "/", "a..b", "/a//b", "a."])
def test_malformed_field_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="not a field path"):
        to_json_pointer(path)


def test_create_read_update_delete(
    provider: IdentityDescriptorProvider, person_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    schema_id = person_schema[0]
    descriptor_id, outs = create(provider, schema_id=schema_id, field_path="person.name.firstName", namespace="Email")
    assert outs["descriptor_id"] == descriptor_id and outs["field_path"] == "/person/name/firstName"
    assert refreshed(provider, descriptor_id, outs)[0] == outs

    outs = update(provider, descriptor_id, outs, namespace="Phone", primary=True)
    (stored,) = [o["object"] for o in emulator.objects() if o["id"] == descriptor_id]
    assert (stored["xdm:namespace"], stored["xdm:isPrimary"]) == ("Phone", True)
    assert refreshed(provider, descriptor_id, outs)[1]["namespace"] == "Phone"

    diff = provider.diff(descriptor_id, outs, program_inputs(provider, outs, schema_id="https://ns.adobe.com/x"))
    assert diff.replaces == ["schema_id"]

    provider.delete(descriptor_id, outs)
    assert provider.read(descriptor_id, outs).id is None
    provider.delete(descriptor_id, outs)  # idempotent


def test_second_primary_identity_fails_check_and_is_refused_by_aep(
    provider: IdentityDescriptorProvider, person_schema: tuple[str, dict]
) -> None:
    schema_id = person_schema[0]
    create(provider, schema_id=schema_id, field_path="person.name.firstName", namespace="Email", primary=True)
    second = {"schema_id": schema_id, "field_path": "person.name.lastName", "namespace": "Email", "primary": True}
    failures = provider.check({}, second).failures
    assert [f.property for f in failures] == ["primary"] and "already has a primary identity" in failures[0].reason
    with pytest.raises(AEPApiError) as caught:
        provider.create(second)  # past check (e.g. both declared in one deployment), AEP refuses it
    # AEP documents no code for this refusal: the status, the detail and the request id tell it.
    assert caught.value.status == 400 and caught.value.detail and caught.value.request_id


@pytest.mark.parametrize(
    ("inputs", "field", "says"),
    [
        ({"field_path": "person.name.fristName", "namespace": "Email"}, "field_path", "did you mean 'person.name.firstName'"),
        ({"field_path": "person.name.firstName", "namespace": "E-mail"}, "namespace", "did you mean 'Email'"),
        ({"field_path": "person.name.firstName", "namespace": "email"}, "namespace", "did you mean 'Email'"),
    ],
)
def test_check_names_a_missing_field_or_namespace_and_the_nearest(
    provider: IdentityDescriptorProvider, person_schema: tuple[str, dict], inputs: dict, field: str, says: str
) -> None:
    failures = provider.check({}, {"schema_id": person_schema[0], **inputs}).failures
    assert [f.property for f in failures] == [field] and says in failures[0].reason, failures


def test_lost_create_answer_does_not_duplicate(
    provider: IdentityDescriptorProvider, person_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    emulator.inject_fault(method="POST", route=DESCRIPTORS, action="drop_after_commit", count=1)
    descriptor_id, _ = create(provider, schema_id=person_schema[0], field_path="person.name.firstName", namespace="Email")
    found = [o["id"] for o in emulator.objects() if o["object"].get("@type") == "xdm:descriptorIdentity"]
    assert found == [descriptor_id]


def test_descriptor_deleted_outside_is_gone_on_refresh(
    provider: IdentityDescriptorProvider, person_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    descriptor_id, outs = create(provider, schema_id=person_schema[0], field_path="person.name.firstName", namespace="Email")
    requests.delete(emulator.url(f"{DESCRIPTORS}/{descriptor_id}"), headers=emulator.headers(), timeout=10)
    assert provider.read(descriptor_id, outs).outs == {}
