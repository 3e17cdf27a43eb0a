"""MappingSet over real HTTP against the emulator: versions, checks against the schema, drift, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
import requests
from pulumi.runtime.rpc import UNKNOWN

from aep_emulator.testing import EmulatorHandle
from aep_provider.errors import AdoptionMismatchError, AEPApiError, AEPProviderError
from aep_provider.mapping_set import (
    MappingSetProvider,
    destination_in_schema,
    schema_field_paths,
)
from tests.provider.conftest import program_inputs, refreshed, update
from tests.provider.flow_helpers import Made, assert_check_failures, failed_input, failures_of, writes

pytest_plugins = ["tests.provider.flow_fixtures"]  # the flow-side fixtures

MAPPING_SETS = "/data/foundation/conversion/mappingSets"
FIRST = {"source": "firstName", "destination": "person.name.firstName"}
LAST = {"source": "lastName", "destination": "person.name.lastName"}


def server_mapping_set(emulator: EmulatorHandle, mapping_set_id: str, version: int | None = None) -> dict[str, Any]:
    params = {"version": version} if version is not None else None
    answer = requests.get(emulator.url(f"{MAPPING_SETS}/{mapping_set_id}"), headers=emulator.headers(), params=params, timeout=10)
    answer.raise_for_status()
    return answer.json()


def test_create_is_version_zero_and_every_change_a_new_version(
    emulator: EmulatorHandle, configured: Callable[..., Any], mapping_set: Made
) -> None:
    mapping_set_id, outs = mapping_set
    assert outs["mapping_set_id"] == mapping_set_id and outs["mapping_version"] == 0
    provider = configured(MappingSetProvider)
    emulator.clear_stats()
    full_name = {"source": "concat(firstName, ' ', lastName)", "destination": "person.name.fullName", "source_type": "EXPRESSION"}
    new_outs = update(provider, mapping_set_id, outs, mappings=[FIRST, LAST, full_name])
    assert new_outs["mapping_version"] == 1 and new_outs["mapping_set_id"] == mapping_set_id
    assert emulator.calls("PUT", "/mappingSets/") == 1
    assert len(server_mapping_set(emulator, mapping_set_id, version=0)["mappings"]) == 2  # the old version stays
    latest = server_mapping_set(emulator, mapping_set_id)
    assert [m["destination"] for m in latest["mappings"]][-1] == "person.name.fullName"


def test_read_maps_the_server_dialect_back_to_inputs(configured: Callable[..., Any], make: Callable[..., Made], schema: Made) -> None:
    mappings = [
        {**FIRST, "name": "first", "description": "given name"},
        {"source": "upper(lastName)", "destination": "person.name.lastName", "source_type": "EXPRESSION"},
        {"source": "Gold", "destination": "person.name.courtesyTitle", "source_type": "STATIC"},
    ]
    mapping_set_id, outs = make(MappingSetProvider, schema_id=schema[0], mappings=mappings)
    provider = configured(MappingSetProvider)
    new_outs, inputs = refreshed(provider, mapping_set_id, outs)
    assert [m["source_type"] for m in inputs["mappings"]] == ["ATTRIBUTE", "EXPRESSION", "STATIC"]
    assert inputs["mappings"][0]["name"] == "first"
    diff = provider.diff(mapping_set_id, new_outs, program_inputs(provider, outs))
    assert diff.changes is False


def test_read_shows_a_version_made_outside_pulumi(
    emulator: EmulatorHandle, configured: Callable[..., Any], mapping_set: Made, schema: Made
) -> None:
    mapping_set_id, outs = mapping_set
    body = {"outputSchema": {"schemaRef": {"id": schema[0]}}, "mappings": [{"sourceType": "ATTRIBUTE", **FIRST}]}
    requests.put(emulator.url(f"{MAPPING_SETS}/{mapping_set_id}"), headers=emulator.headers(), json=body, timeout=10).raise_for_status()
    provider = configured(MappingSetProvider)
    new_outs, inputs = refreshed(provider, mapping_set_id, outs)
    assert new_outs["mapping_version"] == 1
    assert [m["destination"] for m in inputs["mappings"]] == ["person.name.firstName"]
    diff = provider.diff(mapping_set_id, new_outs, program_inputs(provider, outs))
    assert diff.changes and not diff.replaces  # up writes version 2 with the declared mappings


def test_a_lost_create_answer_does_not_make_a_second_mapping_set(
    emulator: EmulatorHandle, make: Callable[..., Made], schema: Made
) -> None:
    emulator.inject_fault(method="POST", route=MAPPING_SETS, action="drop_after_commit", count=1)
    mapping_set_id, _ = make(MappingSetProvider, schema_id=schema[0], mappings=[FIRST])
    assert [o["id"] for o in emulator.objects("dataprep.mappingSets")] == [mapping_set_id]


def test_delete_is_idempotent_and_gone_reads_as_gone(configured: Callable[..., Any], mapping_set: Made) -> None:
    provider = configured(MappingSetProvider)
    provider.delete(*mapping_set)
    provider.delete(*mapping_set)
    assert provider.read(*mapping_set).outs == {}


def record_warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the provider sends to the CLI's warning channel (``pulumi.log.warn``)."""
    warnings: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *_args, **_kwargs: warnings.append(message))
    return warnings


def test_a_platform_without_mapping_set_delete_forgets_it_with_a_warning(
    configured: Callable[..., Any], mapping_set: Made, emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over real HTTP: the emulator answers DELETE as a platform without it (405); destroy succeeds,
    the set stays on AEP, and the CLI's warning channel (``pulumi.log.warn``) says so."""
    monkeypatch.setattr(emulator.config, "mapping_set_delete", False)
    warnings = record_warnings(monkeypatch)
    configured(MappingSetProvider).delete(*mapping_set)
    assert [o["id"] for o in emulator.objects("dataprep.mappingSets")] == [mapping_set[0]]
    assert len(warnings) == 1 and mapping_set[0] in warnings[0] and "HTTP 405" in warnings[0]


@pytest.mark.parametrize(
    ("status", "forgotten"),
    [(400, True), (405, True), (409, True), (422, True), (501, True), (401, False), (403, False), (500, False)],
)
def test_any_refusal_but_credentials_leaves_the_mapping_set_behind(
    configured: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, status: int, forgotten: bool,
) -> None:
    provider = configured(MappingSetProvider)

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AEPApiError(status=status, method="DELETE", path=MAPPING_SETS + "/x", title="Refused")

    monkeypatch.setattr(type(provider.client), "request", refuse)
    warnings = record_warnings(monkeypatch)
    if forgotten:
        provider.delete("x", {"sandbox": "prod"})
        assert len(warnings) == 1 and f"HTTP {status}" in warnings[0]
    else:
        with pytest.raises(AEPApiError):
            provider.delete("x", {"sandbox": "prod"})
        assert warnings == []


def test_adopting_checks_the_mappings(configured: Callable[..., Any], mapping_set: Made, schema: Made) -> None:
    provider = configured(MappingSetProvider)
    adopted = provider.create({"schema_id": schema[0], "mappings": [FIRST, LAST], "adopt_id": mapping_set[0]})
    assert adopted.id == mapping_set[0]
    with pytest.raises(AdoptionMismatchError, match="mappings: declared"):
        provider.create({"schema_id": schema[0], "mappings": [FIRST], "adopt_id": mapping_set[0]})


OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "schema_id": "https://ns.adobe.com/emulator/schemas/abc",
    "mappings": [{**FIRST, "source_type": "ATTRIBUTE", "name": None, "description": None}],
    "mapping_set_id": "m1", "mapping_version": 3,
}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "changed"),
    [
        ({}, False),
        ({"mappings": [FIRST]}, False),  # source_type ATTRIBUTE is the default
        ({"mappings": [{**FIRST, "destination": " person.name.firstName "}]}, False),
        ({"mappings": [LAST]}, True),
        ({"mappings": [FIRST, LAST]}, True),
        ({"mappings": [{**FIRST, "source_type": "EXPRESSION"}]}, True),
        ({"schema_id": "https://ns.adobe.com/emulator/schemas/def"}, True),
        ({"mappings": UNKNOWN}, True),
    ],
)
def test_diff_never_replaces(configured: Callable[..., Any], changes: dict[str, Any], changed: bool) -> None:
    provider = configured(MappingSetProvider)
    result = provider.diff("m1", OUTPUTS, program_inputs(provider, OUTPUTS, **changes))
    assert result.changes is changed and not result.replaces


OFFLINE_CHECK_CASES = [
    # (mappings, {property: text}) - shape rules, no look-up needed (the schema is unknown in these)
    ([FIRST], {}),
    ([], {"mappings": "at least 1"}),
    ([{"source": "a", "destination": "person..name"}], {"mappings": "not a dotted XDM path"}),
    ([{"source": "a", "destination": "/person/name"}], {"mappings": "not a dotted XDM path"}),
    ([{"source": "", "destination": "a.b"}], {"mappings": "needs a source"}),
    ([{"source": "x" * 4097, "destination": "a.b", "source_type": "EXPRESSION"}], {"mappings": "at most 4096"}),
    ([{"source": "a", "destination": "a.b", "source_type": "attribute"}], {"mappings": "ATTRIBUTE"}),
    ([{"source": "a", "destination": "a.b", "sourceType": "STATIC"}], {"mappings": "not a known property"}),
    ([FIRST, {"source": "other", "destination": "person.name.firstName"}], {"mappings": "mappings[1] writes 'person.name.firstName', as mappings[0]"}),
    ([{"source": "a", "destination": "items[0].sku"}, {"source": "b", "destination": "items[1].sku"}], {}),
]  # fmt: skip


@pytest.mark.parametrize(("mappings", "expected"), OFFLINE_CHECK_CASES)
def test_check_shape_rules_without_any_call(
    emulator: EmulatorHandle, configured: Callable[..., Any], mappings: list[Any], expected: dict[str, str]
) -> None:
    emulator.clear_stats()
    assert_check_failures(configured(MappingSetProvider), {"schema_id": UNKNOWN, "mappings": mappings}, expected)
    assert emulator.stats()["total"] == 0


BAD_DESTINATIONS = [
    FIRST,
    {"source": "last", "destination": "person.name.lastname"},
    {"source": "mail", "destination": "identityMap.Email[0].id"},  # below a map: data, not schema
    {"source": "x", "destination": "loyalty.tier"},
]


def test_check_refuses_each_destination_missing_from_the_schema(
    emulator: EmulatorHandle, configured: Callable[..., Any], schema: Made
) -> None:
    emulator.clear_stats()
    provider = configured(MappingSetProvider)
    found = provider.check({}, {"schema_id": schema[0], "mappings": BAD_DESTINATIONS}).failures
    reasons = [f.reason for f in found]
    assert [failed_input(provider, f) for f in found] == ["mappings", "mappings"]
    assert "mappings[1] (last -> person.name.lastname)" in reasons[0]
    assert "did you mean 'person.name.lastName'" in reasons[0]
    assert "mappings[3]" in reasons[1] and "Flow test people" in reasons[1]
    assert writes(emulator) == 0


# What the preview sees while the schema, or a field group it uses, changes in the same deployment.
WHILE_CHANGING = {
    "schema": {"schema_version": UNKNOWN},
    "field group": {"field_group_versions": ["1.0", UNKNOWN]},
}


@pytest.mark.parametrize("changing", WHILE_CHANGING.values(), ids=WHILE_CHANGING.keys())
def test_check_defers_destinations_while_the_schema_changes_in_the_same_deployment(
    emulator: EmulatorHandle, configured: Callable[..., Any], schema: Made, changing: dict[str, Any]
) -> None:
    """An unknown ``schema_version`` or field group version (being updated): no failure yet, and no write."""
    emulator.clear_stats()
    news = {"schema_id": schema[0], "mappings": BAD_DESTINATIONS, **changing}
    assert configured(MappingSetProvider).check({}, news).failures == []
    assert writes(emulator) == 0


def test_known_field_group_versions_do_not_defer_the_check(configured: Callable[..., Any], schema: Made) -> None:
    news = {"schema_id": schema[0], "schema_version": "1.0", "field_group_versions": ["1.3"], "mappings": BAD_DESTINATIONS}
    provider = configured(MappingSetProvider)
    assert [failed_input(provider, f) for f in provider.check({}, news).failures] == ["mappings", "mappings"]


@pytest.mark.parametrize(("name", "value"), [("schema_version", "1.7"), ("field_group_versions", ["1.1", "1.4"])])
def test_check_only_versions_are_never_a_reason_to_update(
    configured: Callable[..., Any], mapping_set: Made, name: str, value: Any
) -> None:
    mapping_id, outs = mapping_set
    news = {**outs, name: value}
    assert configured(MappingSetProvider).diff(mapping_id, outs, news).changes is False


@pytest.mark.parametrize("operation", ["create", "update"])
def test_writes_refuse_destinations_the_schema_lacks(
    emulator: EmulatorHandle, configured: Callable[..., Any], schema: Made, mapping_set: Made, operation: str
) -> None:
    provider = configured(MappingSetProvider)
    news = {"schema_id": schema[0], "mappings": BAD_DESTINATIONS}
    emulator.clear_stats()
    with pytest.raises(AEPProviderError, match=r"not written: mappings\[1\] \(last -> person.name.lastname\)"):
        if operation == "create":
            provider.create(news)
        else:
            provider.update(mapping_set[0], mapping_set[1], news)
    assert writes(emulator) == 0


def test_a_field_added_in_the_same_deployment_is_mapped(configured: Callable[..., Any], make: Callable[..., Made]) -> None:
    """Preview sees the schema before the deployment adds a field group (its version is then unknown);
    up sees it after."""
    from aep_provider.schema import SchemaProvider
    from tests.provider.conftest import PERSON_DETAILS, PROFILE_CLASS

    schema_id, schema_outs = make(SchemaProvider, title="Growing schema", class_id=PROFILE_CLASS)
    provider = configured(MappingSetProvider)
    news = {"schema_id": schema_id, "mappings": [FIRST]}
    assert provider.check({}, {**news, "schema_version": UNKNOWN}).failures == []  # the preview
    update(configured(SchemaProvider), schema_id, schema_outs, field_groups=[PERSON_DETAILS])  # the deployment
    assert provider.create(news).outs["mapping_version"] == 0


def test_check_refuses_an_unknown_schema(configured: Callable[..., Any]) -> None:
    found = failures_of(configured(MappingSetProvider), {"schema_id": "https://ns.adobe.com/emulator/schemas/nope", "mappings": [FIRST]})
    assert "does not exist in sandbox 'prod'" in found["schema_id"]


RESOLVED = {
    "properties": {
        "person": {"type": "object", "properties": {"name": {"type": "object", "properties": {"firstName": {"type": "string"}}}}},
        "identityMap": {"type": "object", "additionalProperties": {"type": "array"}},
        "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}},
        "extra": {"type": "object", "meta:xdmType": "object"},
    }
}


@pytest.mark.parametrize(
    ("destination", "known"),
    [
        ("person.name.firstName", True),
        ("person.name", True),
        ("person.name.lastName", False),
        ("identityMap.Email[0].id", True),
        ("items[3].sku", True),
        ("items.price", False),
        ("extra.anything.below", True),  # an object whose children the schema leaves open
        ("nothing", False),
    ],
)
def test_destinations_against_a_resolved_schema(destination: str, known: bool) -> None:
    assert destination_in_schema(destination, schema_field_paths(RESOLVED)) is known
