"""Schema Registry against Adobe's documented examples (help/xdm/api/*.md, help/xdm/troubleshooting-guide.md).

(a) The provider's refresh and preview on each documented GET find no spurious change: ``read`` (with
``read_object`` answering the documented body) and then ``diff`` against inputs that describe that
same object. (b) The emulator, asked the documented request for objects made through its own API,
answers with every documented key in the documented JSON type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider.base import AEPProvider
from aep_provider.client import AEPClient
from aep_provider.field_group import FieldGroupProvider
from aep_provider.identity_descriptor import IdentityDescriptorProvider
from aep_provider.mapping_set import MappingSetProvider
from aep_provider.schema import SchemaProvider
from tests.provider.conftest import (  # noqa: F401 (fixtures)
    configured,
    fresh_tokens,
    no_aep_environment,
    stack_config,
)
from tests.provider.flow_helpers import failed_input

from .corpus import Example, example, examples, shape_differences

PROFILE = "https://ns.adobe.com/xdm/context/profile"
STANDARD_PROFILE_GROUPS = (
    "https://ns.adobe.com/xdm/context/identitymap",
    "https://ns.adobe.com/xdm/context/profile-person-details",
    "https://ns.adobe.com/xdm/context/profile-personal-details",
)
TENANT = "/data/foundation/schemaregistry/tenant"
DOC_TENANT = "{TENANT_ID}"  # the docs' placeholder for the tenant id

# --- (a) the provider's refresh and preview on documented answers --------------------------------------


def _doc_group_id() -> str:
    return example("schemaregistry_schema_get_xed").body["allOf"][1]["$ref"]


PROVIDER_CASES: list[tuple[str, type[AEPProvider[Any]], dict[str, Any]]] = [
    (
        "schemaregistry_schema_get_xed",
        SchemaProvider,
        {"title": "Example schema", "description": "An example schema created within the tenant container.",
         "class_id": PROFILE, "field_groups": [_doc_group_id()], "profile_enabled": False},
    ),
    (
        "schemaregistry_fieldgroup_get",
        FieldGroupProvider,
        {"title": "Favorite Hotel", "intended_classes": [PROFILE],
         "fields": {"favoriteHotel": {"type": "string", "title": "Favorite Hotel",
                                      "description": "Reference field for hotel schema."}}},
    ),
    (
        "schemaregistry_descriptor_get",
        IdentityDescriptorProvider,
        {"schema_id": "https://ns.adobe.com/{TENANT_ID}/schemas/fbc52b243d04b5d4f41eaa72a8ba58be",
         "field_path": "/personalEmail/address", "namespace": "Email", "primary": False},
    ),
]  # fmt: skip


def _object_id(ex: Example) -> str:
    body = ex.body
    return str(body.get("$id") or body.get("@id"))


@pytest.mark.parametrize(("name", "provider_class", "inputs"), PROVIDER_CASES, ids=[c[0] for c in PROVIDER_CASES])
def test_refresh_then_preview_of_a_documented_answer_shows_no_change(
    configured: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    name: str, provider_class: type[AEPProvider[Any]], inputs: dict[str, Any],
) -> None:
    ex = example(name)
    provider = configured(provider_class)
    object_id = _object_id(ex)
    monkeypatch.setattr(provider, "read_object", lambda _id, _sandbox: ex.body)
    state = {**inputs, "sandbox": "prod"}
    read = provider.read(object_id, state)
    assert read.id == object_id
    for key, value in inputs.items():  # refresh reads back what the program declares
        assert provider._normal(key, read.outs[key]) == provider._normal(key, value), key
    diff = provider.diff(object_id, read.outs, {**inputs, "__provider": "stub"})
    assert not diff.changes, diff


def test_the_mapping_set_check_reads_the_documented_xed_full_schema(
    configured: Callable[..., Any], monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """A resolved (``xed-full``) schema is what MappingSet's preview reads to check destinations: on the
    documented Loyalty Members answer, fields of the tenant data type and of the (minimized) standard
    field groups are accepted and a misspelt one is refused with the closest field."""
    ex = example("schemaregistry_schema_get_xed_full")
    body = json.loads(json.dumps(ex.body).replace(DOC_TENANT, "acme"))  # a tenant id a destination can name
    provider = configured(MappingSetProvider)
    original = AEPClient.get

    def documented_schema(client: AEPClient, path: str, **kwargs: Any) -> Any:
        return body if "/schemaregistry/" in path else original(client, path, **kwargs)

    monkeypatch.setattr(AEPClient, "get", documented_schema)  # every client the check uses
    tenant = "_acme"
    good = [
        {"source": "id", "destination": f"{tenant}.loyalty.loyaltyId"},
        {"source": "points", "destination": f"{tenant}.loyalty.loyaltyPoints"},
        {"source": "first", "destination": "person.name.firstName"},  # below a minimized standard field
    ]
    news = {"schema_id": body["$id"], "sandbox": "prod", "mappings": good}
    assert [f.reason for f in provider.check({}, news).failures] == []
    misspelt = {"source": "since", "destination": f"{tenant}.loyalty.memberSnce"}
    failures = provider.check({}, {**news, "mappings": [*good, misspelt]}).failures
    assert [failed_input(provider, f) for f in failures] == ["mappings"]  # named in the reason for a list of maps
    assert f"did you mean '{tenant}.loyalty.memberSince'" in failures[0].reason


# --- (b) the emulator answers the documented requests with the documented shape -------------------------


def _call(emulator: EmulatorHandle, method: str, path: str, accept: str | None = None, **kwargs: Any) -> requests.Response:
    headers = emulator.headers(**({"Accept": accept} if accept else {}))
    if accept is None:
        headers.pop("Accept", None)
    return requests.request(method, emulator.url(path), headers=headers, timeout=10, **kwargs)


def _created(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    return answer.json()


def _field_group(emulator: EmulatorHandle) -> dict[str, Any]:
    tenant = f"_{emulator.config.tenant_id}"
    body = {
        "title": "Favorite Hotel", "description": "", "type": "object", "meta:intendedToExtend": [PROFILE],
        "definitions": {"customFields": {"type": "object", "properties": {tenant: {"type": "object", "properties": {
            "favoriteHotel": {"title": "Favorite Hotel", "description": "Reference field for hotel schema.",
                              "type": "string"}}}}}},
        "allOf": [{"$ref": "#/definitions/customFields"}],
    }  # fmt: skip
    return _created(_call(emulator, "POST", f"{TENANT}/fieldgroups", json=body))


def _schema(emulator: EmulatorHandle) -> dict[str, Any]:
    group = _field_group(emulator)
    body = {"title": "Example schema", "type": "object",
            "description": "An example schema created within the tenant container.",
            "allOf": [{"$ref": PROFILE}, {"$ref": group["$id"]}]}  # fmt: skip
    return _created(_call(emulator, "POST", f"{TENANT}/schemas", json=body))


def _descriptor(emulator: EmulatorHandle) -> dict[str, Any]:
    person_email = "https://ns.adobe.com/xdm/context/profile-personal-details"
    body = {"title": "Descriptor target", "type": "object", "description": "",
            "allOf": [{"$ref": PROFILE}, {"$ref": person_email}]}  # fmt: skip
    schema = _created(_call(emulator, "POST", f"{TENANT}/schemas", json=body))
    descriptor = {
        "@type": "xdm:descriptorIdentity", "xdm:sourceSchema": schema["$id"], "xdm:sourceVersion": 1,
        "xdm:sourceProperty": "/personalEmail/address", "xdm:namespace": "Email", "xdm:property": "xdm:code",
        "xdm:isPrimary": False,
    }  # fmt: skip
    return _created(_call(emulator, "POST", f"{TENANT}/descriptors", json=descriptor))


def _loyalty_members(emulator: EmulatorHandle) -> dict[str, Any]:
    """The Loyalty Members schema of help/catalog/datasets/create.md: the Profile class, the identity map
    and person/personal details field groups, and a tenant field group whose ``loyalty`` object is a
    tenant data type; enabled for Profile."""
    tenant = f"_{emulator.config.tenant_id}"
    loyalty_fields = {
        "loyaltyId": {"title": "Loyalty Identifier", "type": "string", "description": "Loyalty Identifier."},
        "loyaltyLevel": {"title": "Loyalty Level", "type": "string"},
        "loyaltyPoints": {"title": "Loyalty Points", "type": "integer", "description": "Loyalty points total."},
        "memberSince": {"title": "Member Since", "type": "string", "format": "date-time",
                        "description": "Date the member joined the Loyalty Program."},
    }  # fmt: skip
    datatype = _created(_call(emulator, "POST", f"{TENANT}/datatypes", json={
        "title": "Loyalty", "type": "object", "description": "",
        "definitions": {"loyalty": {"properties": loyalty_fields}}, "allOf": [{"$ref": "#/definitions/loyalty"}]}))
    group = _created(_call(emulator, "POST", f"{TENANT}/fieldgroups", json={
        "title": "Loyalty details", "type": "object", "description": "", "meta:intendedToExtend": [PROFILE],
        "definitions": {"loyalty": {"properties": {tenant: {"type": "object", "properties": {
            "loyalty": {"title": "Loyalty", "description": "Loyalty Info", "$ref": datatype["$id"]}}}}}},
        "allOf": [{"$ref": "#/definitions/loyalty"}]}))
    parts = (PROFILE, *STANDARD_PROFILE_GROUPS, group["$id"])
    return _created(_call(emulator, "POST", f"{TENANT}/schemas", json={
        "title": "Loyalty Members", "type": "object", "description": "Information for all members of the loyalty program",
        "allOf": [{"$ref": ref} for ref in parts], "meta:immutableTags": ["union"]}))  # fmt: skip


def _path(ex: Example, **ids: str) -> str:
    path = str(ex.request["path"])
    for placeholder, value in ids.items():
        path = path.replace("{" + placeholder + "}", quote(value, safe=""))
    return path


def _answer(emulator: EmulatorHandle, ex: Example) -> requests.Response:
    """The documented request, sent for objects this test made through the emulator's own API."""
    accept = ex.request.get("accept")
    if ex.name == "schemaregistry_schema_get_xed":
        path = _path(ex, SCHEMA_ID=_schema(emulator)["meta:altId"])
    elif ex.name == "schemaregistry_schema_get_xed_full":
        path = _path(ex, SCHEMA_ID=_loyalty_members(emulator)["meta:altId"])
    elif ex.name == "schemaregistry_fieldgroup_get":
        path = _path(ex, FIELD_GROUP_ID=_field_group(emulator)["meta:altId"])
    elif ex.name == "schemaregistry_descriptor_get":
        path = _path(ex, DESCRIPTOR_ID=_descriptor(emulator)["@id"])
    elif ex.name == "schemaregistry_error_not_found":
        path = _path(ex, CLASS_ID=f"_{emulator.config.tenant_id}.classes.11447bb484d4599d2cd9b0aseefff78b463cbbde1527f498")
    else:
        path = _path(ex)
    return _call(emulator, str(ex.request["method"]), path, accept)


EMULATOR_CASES = [ex.name for ex in examples("schemaregistry")]


@pytest.mark.parametrize("name", EMULATOR_CASES)
def test_the_emulator_answers_the_documented_request_with_the_documented_shape(
    emulator: EmulatorHandle, name: str
) -> None:
    ex = example(name)
    answer = _answer(emulator, ex)
    assert answer.status_code == ex.status, answer.text
    # The docs write the tenant namespace as a placeholder key; the emulator's tenant fills it.
    documented = json.loads(json.dumps(ex.body).replace('"_{TENANT_ID}"', f'"_{emulator.config.tenant_id}"'))
    assert shape_differences(documented, answer.json(), ex) == []
    if ex.status >= 400:  # the documented code, and the request id the header carries
        body = answer.json()
        assert body["type"] == ex.body["type"]
        assert body["report"]["registryRequestId"] == answer.headers["x-request-id"]


def test_the_documented_errors_are_understood_by_the_provider() -> None:
    from aep_provider.errors import AEPApiError

    for ex in examples("schemaregistry"):
        if ex.status < 400:
            continue
        error = AEPApiError.from_response(status=ex.status, method="GET", path="/x", body=ex.body, headers={})
        assert error.code == ex.body["type"].rsplit("/", 1)[1]
        assert error.request_id == ex.body["report"]["registryRequestId"] and error.detail == ex.body["detail"]


def test_every_schema_registry_example_is_covered() -> None:
    covered = {name for name, _, _ in PROVIDER_CASES} | set(EMULATOR_CASES)
    assert {ex.name for ex in examples("schemaregistry")} <= covered
    assert {ex.name for ex in examples("schemaregistry")} == set(EMULATOR_CASES)
    assert all(ex.service == "schemaregistry" for ex in map(example, [c[0] for c in PROVIDER_CASES]))
    assert DOC_TENANT in example("schemaregistry_schema_get_xed").body["$id"]
    assert "xed-full" in example("schemaregistry_schema_get_xed_full").request["accept"]  # read by MappingSet
