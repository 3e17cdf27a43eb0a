"""Spec look-ups (``aep_provider.specs``) against the emulator's catalogue, and validation against spec schemas."""

from __future__ import annotations

from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider import specs
from aep_provider.base import clear_metadata_cache
from aep_provider.settings import Settings

WELL_KNOWN_CONNECTION_SPECS = [
    specs.AMAZON_S3, specs.AMAZON_KINESIS, specs.AZURE_EVENT_HUBS, specs.GOOGLE_PUBSUB, specs.HTTP_API,
    specs.AZURE_BLOB, specs.ADLS_GEN2, specs.GOOGLE_CLOUD_STORAGE, specs.SFTP, specs.DATA_LANDING_ZONE, specs.DATA_LAKE,
]  # fmt: skip
WELL_KNOWN_FLOW_SPECS = [
    specs.STREAMING_FLOW, specs.CLOUD_STORAGE_FLOW, specs.CRM_FLOW, specs.HTTP_API_XDM_FLOW, specs.HTTP_API_RAW_FLOW,
]  # fmt: skip


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    clear_metadata_cache()


def test_the_well_known_ids_are_in_the_platform_catalogue(client: Any) -> None:
    for spec_id in WELL_KNOWN_CONNECTION_SPECS:
        assert (specs.connection_spec(client, spec_id, "prod") or {}).get("id") == spec_id
    for spec_id in WELL_KNOWN_FLOW_SPECS:
        assert (specs.flow_spec(client, spec_id, "prod") or {}).get("id") == spec_id
    assert specs.connection_spec(client, "00000000-0000-0000-0000-000000000000", "prod") is None


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (specs.AMAZON_S3, specs.DATA_LAKE, specs.CLOUD_STORAGE_FLOW),
        (specs.AMAZON_KINESIS, specs.DATA_LAKE, specs.STREAMING_FLOW),
        (specs.AZURE_EVENT_HUBS, specs.DATA_LAKE, specs.STREAMING_FLOW),
        (specs.SFTP, specs.DATA_LAKE, specs.CLOUD_STORAGE_FLOW),
    ],
)
def test_flow_spec_for_finds_the_one_spec_joining_two_connectors(
    settings: Settings, source: str, target: str, expected: str
) -> None:
    assert specs.flow_spec_for(source, target, settings)["id"] == expected


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        (specs.HTTP_API, specs.DATA_LAKE, "several flow specs"),  # raw, XDM and the generic streaming spec
        (specs.AMAZON_S3, specs.AMAZON_S3, "no flow spec accepts"),
    ],
)
def test_flow_spec_for_refuses_none_or_several(settings: Settings, source: str, target: str, message: str) -> None:
    with pytest.raises(specs.SpecLookupError, match=message) as raised:
        specs.flow_spec_for(source, target, settings)
    if "several" in message:
        assert specs.HTTP_API_RAW_FLOW in str(raised.value) and "set flow_spec_id" in str(raised.value)


SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"


@pytest.mark.parametrize(
    ("lookup", "name", "expected_id"),
    [
        # the platform's own names (slugs for most connectors: specs module docstring)
        (specs.connection_spec_by_name, "amazon-s3", specs.AMAZON_S3),
        (specs.connection_spec_by_name, "Amazon Kinesis", specs.AMAZON_KINESIS),
        (specs.connection_spec_by_name, "salesforce", SALESFORCE),
        (specs.connection_spec_by_name, "google-cloud", specs.GOOGLE_CLOUD_STORAGE),
        # display labels, compared ignoring case and punctuation
        (specs.connection_spec_by_name, "Amazon S3", specs.AMAZON_S3),
        (specs.connection_spec_by_name, "AMAZON_S3", specs.AMAZON_S3),
        (specs.connection_spec_by_name, "amazon kinesis", specs.AMAZON_KINESIS),
        (specs.connection_spec_by_name, "Google Cloud Storage", specs.GOOGLE_CLOUD_STORAGE),
        (specs.connection_spec_by_name, "Data Lake", specs.DATA_LAKE),
        (specs.flow_spec_by_name, "CloudStorageToAEP", specs.CLOUD_STORAGE_FLOW),
        (specs.flow_spec_by_name, "CRMToAEP", specs.CRM_FLOW),
        (specs.flow_spec_by_name, "crm-to-aep", specs.CRM_FLOW),
    ],
)
def test_lookups_by_name_or_label(settings: Settings, lookup: Any, name: str, expected_id: str) -> None:
    assert lookup(name, settings)["id"] == expected_id


@pytest.mark.parametrize(
    ("name", "nearest"),
    [("Amazon S4", "'amazon-s3' (Amazon S3)"), ("kinesis stream", "'Amazon Kinesis'"), ("sales-force-crm", "'salesforce'")],
)
def test_an_unmatched_name_lists_the_nearest_real_names(settings: Settings, name: str, nearest: str) -> None:
    with pytest.raises(specs.SpecLookupError) as raised:
        specs.connection_spec_by_name(name, settings)
    message = str(raised.value)
    assert f"no connection spec is called {name!r}; the nearest are " in message
    assert nearest in message.split("the nearest are ")[1].split(", ")[:3], message


def test_a_name_two_specs_answer_to_is_refused_naming_both() -> None:
    catalogue = [{"id": "a", "name": "amazon-s3"}, {"id": "b", "name": "Amazon S3"}]
    assert specs._named(catalogue, "connection spec", "Amazon S3")["id"] == "b"  # the exact name wins
    with pytest.raises(specs.SpecLookupError, match=r"several connection specs are called 'amazon s3'.*\(a\).*\(b\)"):
        specs._named(catalogue, "connection spec", "amazon s3")


def test_lookups_read_the_catalogue_once_and_match_locally(settings: Settings, emulator: EmulatorHandle) -> None:
    emulator.clear_stats()
    specs.connection_spec_by_name("Amazon S3", settings)
    assert emulator.calls("GET", "/connectionSpecs") == 1
    for name in ("amazon-s3", "Amazon Kinesis", "Data Lake", "Amazon S4"):
        try:
            specs.connection_spec_by_name(name, settings)
        except specs.SpecLookupError:
            pass
    assert emulator.calls("GET", "/connectionSpecs") == 1


def test_lookups_are_cached_per_process(settings: Settings, emulator: EmulatorHandle) -> None:
    specs.flow_spec_for(specs.AMAZON_S3, specs.DATA_LAKE, settings)
    specs.connection_spec_by_name("Amazon S3", settings)
    emulator.clear_stats()
    specs.flow_spec_for(specs.AMAZON_S3, specs.DATA_LAKE, settings)
    specs.connection_spec_by_name("Amazon S3", settings)
    assert emulator.calls("GET") == 0


def test_stack_settings_fall_back_to_the_environment(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = emulator.config
    for name, value in {
        "AEP_ENDPOINT": emulator.base_url, "AEP_IMS_ENDPOINT": emulator.base_url, "AEP_CLIENT_ID": cfg.client_id,
        "AEP_CLIENT_SECRET": cfg.client_secret, "AEP_ORG_ID": cfg.org_id, "AEP_SANDBOX": "dev",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert specs.stack_settings().sandbox == "dev"
    assert specs.flow_spec_by_name("CloudStorageToAEP")["id"] == specs.CLOUD_STORAGE_FLOW


# --- validation against a spec's JSON Schema ---------------------------------------------------------------

AUTH_SCHEMA = {
    "type": "object",
    "properties": {"accessKeyId": {"type": "string"}, "secretKey": {"type": "string"}, "region": {"type": "string"}},
    "required": ["accessKeyId", "secretKey"],
}
PARAMS_SCHEMA = {
    "type": "object",
    "properties": {
        "stream": {"type": "string"},
        "dataType": {"enum": ["raw", "xdm"]},
        "options": {"type": "object", "properties": {"size": {"type": "integer", "minimum": 1}}, "additionalProperties": False},
    },
    "required": ["stream"],
}


@pytest.mark.parametrize(
    ("schema", "value", "reveal", "expected"),
    [
        (AUTH_SCHEMA, {"accessKeyId": "a", "secretKey": "b"}, False, []),
        (AUTH_SCHEMA, {"accessKeyId": "a"}, False, ["missing required 'secretKey'"]),
        (AUTH_SCHEMA, {"accessKeyId": "a", "secretkey": "TOPSECRET"}, False,
         ["missing required 'secretKey' (did you mean it instead of 'secretkey'?)"]),
        (AUTH_SCHEMA, {"accessKeyId": "a", "secretKey": 42}, False, ["p.secretKey: must be of type string"]),
        (AUTH_SCHEMA, {"accessKeyId": "a", "secretKey": 42}, True, ["p.secretKey: must be of type string (got 42)"]),
        (PARAMS_SCHEMA, {"stream": "s", "dataType": "csv"}, True, ["p.dataType: must be one of 'raw', 'xdm' (got 'csv')"]),
        (PARAMS_SCHEMA, {"stream": "s", "options": {"size": 0}}, True, ["p.options.size: must satisfy minimum 1 (got 0)"]),
        (PARAMS_SCHEMA, {"stream": "s", "options": {"sise": 1}}, True, ["p.options: unknown 'sise'; valid names are size"]),
        ({"type": "object", "not": {"required": ["interval"]}}, {"interval": 1}, True, ["'interval' not allowed here; remove it"]),
    ],
)  # fmt: skip
def test_schema_problems_name_the_field_and_hide_values_when_asked(
    schema: dict[str, Any], value: Any, reveal: bool, expected: list[str]
) -> None:
    problems = specs.schema_problems(schema, value, "p", reveal_values=reveal)
    assert problems == expected
    if not reveal:
        assert not any("TOPSECRET" in p or "42" in p for p in problems)


def test_an_unreadable_schema_checks_nothing() -> None:
    assert specs.schema_problems({"type": "no-such-type"}, {"a": 1}, "p") == []
