"""BaseConnection, SourceConnection and TargetConnection over real HTTP against the emulator."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from aep_emulator.core.hooks import secret_fingerprint
from aep_emulator.testing import EmulatorHandle
from aep_provider import flow_service, specs
from aep_provider.base import AEPProvider, clear_metadata_cache
from aep_provider.connection import BaseConnectionProvider
from aep_provider.errors import AdoptionMismatchError, AEPApiError
from aep_provider.source_connection import SourceConnectionProvider
from aep_provider.target_connection import TargetConnectionProvider
from tests.provider.conftest import program_inputs, refreshed, update
from tests.provider.flow_helpers import (
    KINESIS_AUTH,
    KINESIS_SECRET,
    Made,
    assert_checks_write_nothing,
    failures_of,
    patch_out_of_band,
    server_object,
    writes,
)

pytest_plugins = ["tests.provider.flow_fixtures"]  # the flow-side fixtures

MASK = "********"


def stored_auth_params(emulator: EmulatorHandle, connection_id: str) -> dict[str, Any]:
    """What the platform keeps, read through the emulator's test hook (secrets as their fingerprints)."""
    stored = [o for o in emulator.objects("flowservice.connections") if o["id"] == connection_id]
    return stored[0]["object"]["auth"]["params"]


# --- BaseConnection: CRUD and secrets --------------------------------------------------------------------


def test_create_reads_back_server_outputs_and_keeps_secrets_out_of_reads(
    emulator: EmulatorHandle, configured: Callable[..., Any], kinesis_base: Made, kinesis_inputs: dict[str, Any]
) -> None:
    connection_id, outs = kinesis_base
    assert outs["connection_id"] == connection_id
    assert outs["state"] == "enabled"
    assert outs["etag"].startswith('"')
    assert outs["resolved_connection_spec_id"] == specs.AMAZON_KINESIS
    assert outs["inlet_url"] is None
    assert outs["auth_params"] == kinesis_inputs["auth_params"]  # the input echoed, so it stays secret by name
    assert server_object(emulator, "connections", connection_id)["auth"]["params"]["secretKey"] == MASK

    new_outs, new_inputs = refreshed(configured(BaseConnectionProvider), connection_id, outs)
    assert new_outs["auth_params"] == kinesis_inputs["auth_params"]
    assert new_inputs["auth_params"] == kinesis_inputs["auth_params"]
    assert MASK not in json.dumps(new_outs) and MASK not in json.dumps(new_inputs)


def test_the_provider_marks_auth_params_secret() -> None:
    assert BaseConnectionProvider.secret_inputs == frozenset({"auth_params"})


def test_rotating_credentials_is_one_patch_of_auth_params(
    emulator: EmulatorHandle, configured: Callable[..., Any], kinesis_base: Made
) -> None:
    connection_id, outs = kinesis_base
    provider = configured(BaseConnectionProvider)
    rotated = {**outs["auth_params"], "secretKey": "rotated-secret"}
    emulator.clear_stats()
    new_outs = update(provider, connection_id, outs, auth_params=rotated)
    assert emulator.calls("PATCH", "/flowservice/") == 1
    assert writes(emulator) == 1
    assert stored_auth_params(emulator, connection_id)["secretKey"] == secret_fingerprint("rotated-secret")
    assert new_outs["auth_params"] == rotated and new_outs["etag"] != outs["etag"]


def test_name_and_description_change_in_place(configured: Callable[..., Any], emulator: EmulatorHandle, kinesis_base: Made) -> None:
    connection_id, outs = kinesis_base
    new_outs = update(configured(BaseConnectionProvider), connection_id, outs, name="Renamed", description="Orders stream")
    server = server_object(emulator, "connections", connection_id)
    assert (server["name"], server["description"]) == ("Renamed", "Orders stream")
    assert stored_auth_params(emulator, connection_id)["secretKey"] == secret_fingerprint(KINESIS_SECRET)  # not touched
    assert new_outs["description"] == "Orders stream"


def test_a_spec_given_by_name_is_looked_up_and_read_back_by_name(configured: Callable[..., Any], s3_base: Made) -> None:
    connection_id, outs = s3_base  # declared with the label "Amazon S3"; the platform's name is "amazon-s3"
    assert outs["resolved_connection_spec_id"] == specs.AMAZON_S3
    provider = configured(BaseConnectionProvider)
    new_outs, inputs = refreshed(provider, connection_id, outs)
    assert inputs["connection_spec_name"] == "Amazon S3" and "connection_spec_id" not in inputs
    assert not provider.diff(connection_id, new_outs, program_inputs(provider, outs)).changes


@pytest.mark.parametrize(("declared", "read_back"), [("amazon-s3", "amazon-s3"), ("amazon s3", "amazon s3"),
                                                     ("Amazon Kinesis", "amazon-s3")])  # fmt: skip
def test_a_spec_name_reads_back_as_declared_only_while_it_names_the_spec_in_use(
    configured: Callable[..., Any], s3_base: Made, declared: str, read_back: str
) -> None:
    connection_id, outs = s3_base
    _, inputs = refreshed(configured(BaseConnectionProvider), connection_id, {**outs, "connection_spec_name": declared})
    assert inputs["connection_spec_name"] == read_back


def test_http_api_connections_output_their_inlet(make: Callable[..., Made]) -> None:
    _, outs = make(
        BaseConnectionProvider, name="Web events", connection_spec_id=specs.HTTP_API,
        auth_spec_name="Streaming Connection", auth_params={"dataType": "raw"},
    )  # fmt: skip
    assert outs["inlet_url"].startswith("https://dcs.adobedc.net/collection/")


def test_a_dataset_base_connection_has_no_credentials(emulator: EmulatorHandle, make: Callable[..., Made]) -> None:
    connection_id, outs = make(BaseConnectionProvider, name="Datasets", connection_spec_id=specs.DATA_LAKE)
    assert outs["auth_spec_name"] is None and outs["auth_params"] is None
    assert "auth" not in server_object(emulator, "connections", connection_id)


def test_a_lost_create_answer_does_not_make_a_second_connection(
    emulator: EmulatorHandle, make: Callable[..., Made], kinesis_inputs: dict[str, Any]
) -> None:
    emulator.inject_fault(method="POST", route="/data/foundation/flowservice/connections", action="drop_after_commit", count=1)
    connection_id, _ = make(BaseConnectionProvider, **kinesis_inputs)
    stored = [o["id"] for o in emulator.objects("flowservice.connections")]
    assert stored == [connection_id]


def test_a_stale_etag_is_read_again_and_the_patch_retried_once(
    emulator: EmulatorHandle, configured: Callable[..., Any], kinesis_base: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection_id, outs = kinesis_base
    stale = server_object(emulator, "connections", connection_id)
    patch_out_of_band(emulator, "connections", connection_id, [{"op": "add", "path": "/description", "value": "UI"}])
    real_get = flow_service.get_object
    reads: list[str] = []

    def first_read_is_stale(client: Any, resource: str, object_id: str, sandbox: str) -> Any:
        reads.append(object_id)
        return stale if len(reads) == 1 else real_get(client, resource, object_id, sandbox)

    monkeypatch.setattr(flow_service, "get_object", first_read_is_stale)
    emulator.clear_stats()
    update(configured(BaseConnectionProvider), connection_id, outs, name="Renamed")
    assert emulator.calls("PATCH", "/flowservice/", status=412) == 1
    assert emulator.calls("PATCH", "/flowservice/", status=200) == 1
    assert server_object(emulator, "connections", connection_id)["name"] == "Renamed"


# --- read, adopt, delete ----------------------------------------------------------------------------------


def test_read_shows_drift_made_outside_pulumi(emulator: EmulatorHandle, configured: Callable[..., Any], kinesis_base: Made) -> None:
    connection_id, outs = kinesis_base
    patch_out_of_band(emulator, "connections", connection_id, [{"op": "replace", "path": "/name", "value": "Renamed in UI"}])
    provider = configured(BaseConnectionProvider)
    new_outs, inputs = refreshed(provider, connection_id, outs)
    assert inputs["name"] == "Renamed in UI"
    diff = provider.diff(connection_id, new_outs, program_inputs(provider, outs))
    assert diff.changes and not diff.replaces  # the next up renames it back in place


@pytest.mark.parametrize(
    ("provider_class", "fixture"),
    [(BaseConnectionProvider, "kinesis_base"), (SourceConnectionProvider, "kinesis_source"), (TargetConnectionProvider, "target")],
)
def test_gone_objects_read_as_gone_and_delete_twice(
    request: pytest.FixtureRequest, configured: Callable[..., Any], provider_class: type[AEPProvider[Any]], fixture: str
) -> None:
    object_id, outs = request.getfixturevalue(fixture)
    provider = configured(provider_class)
    provider.delete(object_id, outs)
    provider.delete(object_id, outs)  # already gone: still a success
    result = provider.read(object_id, outs)
    assert (result.id, result.outs) in ((None, {}), ("", {}))


def test_adopting_a_matching_connection_takes_it_over(
    configured: Callable[..., Any], emulator: EmulatorHandle, kinesis_base: Made, kinesis_inputs: dict[str, Any]
) -> None:
    connection_id, _ = kinesis_base
    emulator.clear_stats()
    result = configured(BaseConnectionProvider).create({**kinesis_inputs, "adopt_id": connection_id})
    assert result.id == connection_id and writes(emulator) == 0


def test_adopting_a_different_connection_fails_naming_what_differs(
    configured: Callable[..., Any], kinesis_base: Made, kinesis_inputs: dict[str, Any]
) -> None:
    with pytest.raises(AdoptionMismatchError, match="name: declared 'Other'"):
        configured(BaseConnectionProvider).create({**kinesis_inputs, "name": "Other", "adopt_id": kinesis_base[0]})


def test_delete_waits_while_a_flow_still_uses_the_connection(
    configured: Callable[..., Any], kinesis_base: Made, streaming_flow: Made
) -> None:
    provider = configured(BaseConnectionProvider)
    provider.delete_timeout_seconds = 0.5  # type: ignore[misc]
    with pytest.raises(AEPApiError) as in_use:
        provider.delete(kinesis_base[0], kinesis_base[1])
    assert in_use.value.code == "FLOW-1418-400"

    from aep_provider.dataflow import DataflowProvider

    provider.delete_timeout_seconds = 30  # type: ignore[misc]
    flow_gone = threading.Timer(1.0, lambda: configured(DataflowProvider).delete(*streaming_flow))
    flow_gone.start()
    try:
        provider.delete(kinesis_base[0], kinesis_base[1])  # succeeds once the flow is deleted
    finally:
        flow_gone.join()
    assert provider.read(kinesis_base[0], kinesis_base[1]).outs == {}


# --- source and target connections ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider_class", "fixture", "resource"),
    [(SourceConnectionProvider, "s3_source", "sourceConnections"), (TargetConnectionProvider, "target", "targetConnections")],
)
def test_source_and_target_connections_patch_only_name_and_description(
    request: pytest.FixtureRequest, emulator: EmulatorHandle, configured: Callable[..., Any],
    provider_class: type[AEPProvider[Any]], fixture: str, resource: str,
) -> None:  # fmt: skip
    object_id, outs = request.getfixturevalue(fixture)
    before = server_object(emulator, resource, object_id)
    emulator.clear_stats()
    new_outs = update(configured(provider_class), object_id, outs, name="Renamed", description="Described")
    assert emulator.calls("PATCH", "/flowservice/", status=200) == 1
    after = server_object(emulator, resource, object_id)
    assert (after["name"], after["description"]) == ("Renamed", "Described")
    assert {k: v for k, v in after.items() if k not in ("name", "description", "etag", "version", "updatedAt")} == {
        k: v for k, v in before.items() if k not in ("name", "etag", "version", "updatedAt")
    }
    assert new_outs["etag"] != outs["etag"]


def test_a_target_read_back_with_the_schema_alt_id_shows_no_drift(
    configured: Callable[..., Any], make: Callable[..., Made], dataset: Made, schema: Made
) -> None:
    alt_id = schema[1]["alt_id"]
    target_id, outs = make(TargetConnectionProvider, name="By alt id", dataset_id=dataset[0], schema_id=alt_id)
    _, inputs = refreshed(configured(TargetConnectionProvider), target_id, outs)
    assert inputs["schema_id"] == alt_id


BASE_OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "name": "Kinesis", "description": None,
    "connection_spec_id": specs.AMAZON_KINESIS, "connection_spec_name": None, "auth_spec_name": KINESIS_AUTH,
    "auth_params": {"accessKeyId": "a", "secretKey": "s", "region": "us-east-1"},
    "connection_id": "c1", "etag": '"e1"', "state": "enabled", "inlet_url": None,
    "resolved_connection_spec_id": specs.AMAZON_KINESIS,
}  # fmt: skip
SOURCE_OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "name": "Files", "description": None, "connection_spec_id": specs.AMAZON_S3,
    "base_connection_id": "b1", "data_format": "parquet_xdm", "data_properties": None, "schema_id": "s1",
    "params": {"path": "bucket/x", "recursive": True}, "source_connection_id": "sc1", "etag": '"e1"', "state": "enabled",
}  # fmt: skip
TARGET_OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "name": "Lake", "description": None, "dataset_id": "d1", "schema_id": "s1",
    "data_format": "parquet_xdm", "connection_spec_id": specs.DATA_LAKE, "base_connection_id": None,
    "target_connection_id": "t1", "etag": '"e1"', "state": "enabled",
}  # fmt: skip

DIFF_CASES = [
    # (provider, old outputs, new-input changes, expected changed, expected replaces)
    (BaseConnectionProvider, BASE_OUTPUTS, {}, False, []),
    (BaseConnectionProvider, {**BASE_OUTPUTS, "etag": '"e9"', "state": "disabled"}, {}, False, []),
    (BaseConnectionProvider, BASE_OUTPUTS, {"name": "n"}, True, []),
    (BaseConnectionProvider, BASE_OUTPUTS, {"auth_params": {**BASE_OUTPUTS["auth_params"], "secretKey": "t"}}, True, []),
    (BaseConnectionProvider, BASE_OUTPUTS, {"auth_params": UNKNOWN}, True, []),
    (BaseConnectionProvider, BASE_OUTPUTS, {"auth_spec_name": "Other"}, True, ["auth_spec_name"]),
    (BaseConnectionProvider, BASE_OUTPUTS, {"connection_spec_id": specs.AZURE_EVENT_HUBS}, True, ["connection_spec_id"]),
    (BaseConnectionProvider, BASE_OUTPUTS, {"connection_spec_id": UNKNOWN}, True, ["connection_spec_id"]),
    (BaseConnectionProvider, BASE_OUTPUTS, {"connection_spec_id": None, "connection_spec_name": "Amazon Kinesis"},
     True, ["connection_spec_id", "connection_spec_name"]),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {}, False, []),
    # params and the target's data format are not patchable on the platform: a replacement (module docstrings)
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"params": {"path": "bucket/y", "recursive": True}}, True, ["params"]),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"params": {"recursive": True, "path": "bucket/x"}}, False, []),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"name": "n"}, True, []),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"description": "d"}, True, []),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"data_format": "json"}, True, ["data_format"]),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"base_connection_id": "b2"}, True, ["base_connection_id"]),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"schema_id": "s2"}, True, ["schema_id"]),
    (SourceConnectionProvider, SOURCE_OUTPUTS, {"sandbox": "dev"}, True, ["sandbox"]),
    (TargetConnectionProvider, TARGET_OUTPUTS, {}, False, []),
    (TargetConnectionProvider, TARGET_OUTPUTS, {"connection_spec_id": None}, False, []),  # Data Lake is the default
    (TargetConnectionProvider, TARGET_OUTPUTS, {"data_format": "json"}, True, ["data_format"]),
    (TargetConnectionProvider, TARGET_OUTPUTS, {"name": "n", "description": "d"}, True, []),
    (TargetConnectionProvider, TARGET_OUTPUTS, {"dataset_id": "d2"}, True, ["dataset_id"]),
    (TargetConnectionProvider, TARGET_OUTPUTS, {"dataset_id": UNKNOWN}, True, ["dataset_id"]),
    (TargetConnectionProvider, TARGET_OUTPUTS, {"schema_id": "s2"}, True, ["schema_id"]),
    (TargetConnectionProvider, TARGET_OUTPUTS, {"base_connection_id": "b1"}, True, ["base_connection_id"]),
]  # fmt: skip


@pytest.mark.parametrize(("provider_class", "olds", "changes", "changed", "replaces"), DIFF_CASES)
def test_diff(
    configured: Callable[..., Any],
    provider_class: type[AEPProvider[Any]],
    olds: dict[str, Any],
    changes: dict[str, Any],
    changed: bool,
    replaces: list[str],
) -> None:
    provider = configured(provider_class)
    result = provider.diff("id-1", olds, program_inputs(provider, olds, **changes))
    assert result.changes is changed
    assert sorted(result.replaces or []) == sorted(replaces)


# --- check: the server's own metadata, no writes ----------------------------------------------------------

KINESIS = {"name": "k", "connection_spec_id": specs.AMAZON_KINESIS, "auth_spec_name": KINESIS_AUTH}

BASE_CHECK_CASES = [
    # (inputs, {property: text expected in its reason})
    ({**KINESIS, "auth_params": {"accessKeyId": "a", "secretKey": "s", "region": "r"}}, {}),
    # failures on a secret input carry no property: the engine would print the property's value beside them
    ({**KINESIS, "auth_params": {"accessKeyId": "a", "region": "r"}}, {"": "auth_params: missing required 'secretKey'"}),
    ({**KINESIS, "auth_params": {"accessKeyId": "a", "secretkey": "TOPSECRET", "region": "r"}},
     {"": "auth_params: missing required 'secretKey' (did you mean it instead of 'secretkey'?)"}),
    ({**KINESIS, "auth_params": {"accessKeyId": "a", "secretKey": 7, "region": "r"}},
     {"": "auth_params: auth_params.secretKey: must be of type string"}),
    ({**KINESIS, "auth_params": ["TOPSECRET"]}, {"": "auth_params: "}),
    ({**KINESIS, "auth_spec_name": "Access Key", "auth_params": {}}, {"auth_spec_name": "one of 'Aws Kinesis"}),
    ({**KINESIS, "auth_spec_name": None, "auth_params": {"accessKeyId": "a"}}, {"auth_spec_name": "required"}),
    ({"name": "k", "connection_spec_id": "00000000-0000-0000-0000-000000000000"}, {"connection_spec_id": "unknown connection spec"}),
    ({"name": "k", "connection_spec_name": "Amazon S4"},
     {"connection_spec_name": "no connection spec is called 'Amazon S4'; the nearest are 'amazon-s3' (Amazon S3)"}),
    ({"name": "k", "connection_spec_name": "amazon-s3", "auth_spec_name": "Access Key",
      "auth_params": {"s3AccessKey": "a", "s3SecretKey": "s"}}, {}),
    ({"name": "k", "connection_spec_name": "Amazon S3", "connection_spec_id": specs.AMAZON_S3}, {"connection_spec_id": "not both"}),
    ({"name": "k"}, {"connection_spec_id": "required"}),
    ({"name": "k", "connection_spec_id": specs.DATA_LAKE, "auth_spec_name": "Access Key", "auth_params": {}},
     {"auth_spec_name": "takes no credentials"}),
    ({**KINESIS, "auth_params": UNKNOWN}, {}),  # preview: the secret comes from another resource
    ({**KINESIS, "connection_spec_id": UNKNOWN, "auth_params": {"accessKeyId": "a"}}, {}),
    ({**KINESIS, "auth_params": {"accessKeyId": "a", "secretKey": "s", "region": "r"}, "nmae": "x"}, {"nmae": "valid inputs"}),
]  # fmt: skip


@pytest.mark.parametrize(("inputs", "expected"), BASE_CHECK_CASES)
def test_base_connection_check(
    emulator: EmulatorHandle, configured: Callable[..., Any], inputs: dict[str, Any], expected: dict[str, str]
) -> None:
    [found] = assert_checks_write_nothing(emulator, configured(BaseConnectionProvider), [(inputs, expected)])
    assert not any("TOPSECRET" in reason for reason in found.values()), "a credential leaked into a message"


def test_check_without_credentials_skips_the_lookups(emulator: EmulatorHandle) -> None:
    from tests.provider.conftest import configure

    provider = configure(BaseConnectionProvider(), {"aep:sandbox": "prod"})  # an offline preview
    emulator.clear_stats()
    assert failures_of(provider, {**KINESIS, "auth_params": {}}) == {}
    assert emulator.stats()["total"] == 0


def test_check_reports_a_failed_lookup_on_the_field(emulator: EmulatorHandle, configured: Callable[..., Any]) -> None:
    clear_metadata_cache()
    emulator.inject_fault(method="GET", route="/data/foundation/flowservice/connectionSpecs/<spec_id>", action="status", status=500)
    found = failures_of(configured(BaseConnectionProvider), {**KINESIS, "auth_params": {}})
    # a server failure says the platform failed, never that the input is wrong
    assert "the platform failed" in found["connection_spec_id"] and "500" in found["connection_spec_id"]


def source_inputs(base_id: str, **changes: Any) -> dict[str, Any]:
    inputs = {"name": "s", "connection_spec_id": specs.AMAZON_S3, "base_connection_id": base_id, "data_format": "parquet",
              "params": {"path": "bucket/x"}}  # fmt: skip
    return {**inputs, **changes}


def test_source_connection_check(
    emulator: EmulatorHandle, configured: Callable[..., Any], s3_base: Made, kinesis_base: Made
) -> None:
    provider = configured(SourceConnectionProvider)
    cases = [
        (source_inputs(s3_base[0]), {}),
        (source_inputs(s3_base[0], params={"recursive": True}), {"params": "missing required 'path'"}),
        (source_inputs(s3_base[0], params={"path": "p", "type": "bucket"}), {"params": "params.type: must be one of 'file', 'folder'"}),
        (source_inputs(s3_base[0], data_format="avro"), {"data_format": "got 'avro'"}),
        (source_inputs(kinesis_base[0]), {"base_connection_id": f"uses connection spec {specs.AMAZON_KINESIS}"}),
        (source_inputs("no-such-connection"), {"base_connection_id": "does not exist"}),
        (source_inputs(s3_base[0], connection_spec_id=specs.DATA_LAKE), {"connection_spec_id": "not a source connector"}),
        (source_inputs(UNKNOWN), {}),
    ]
    assert_checks_write_nothing(emulator, provider, cases)


def test_target_connection_check(
    emulator: EmulatorHandle, configured: Callable[..., Any], dataset: Made, schema: Made, make: Callable[..., Made]
) -> None:
    from aep_provider.schema import SchemaProvider
    from tests.provider.conftest import PROFILE_CLASS

    other_schema, _ = make(SchemaProvider, title="Another schema", class_id=PROFILE_CLASS)
    provider = configured(TargetConnectionProvider)
    good = {"name": "t", "dataset_id": dataset[0], "schema_id": schema[0]}
    cases = [
        (good, {}),
        ({**good, "schema_id": schema[1]["alt_id"]}, {}),
        ({**good, "schema_id": other_schema}, {"schema_id": f"follows schema {schema[0]}"}),
        ({**good, "dataset_id": "5f0000000000000000000000"}, {"dataset_id": "does not exist"}),
        ({**good, "connection_spec_id": specs.AMAZON_S3}, {"connection_spec_id": "not a target connector"}),
        ({**good, "data_format": "avro"}, {"data_format": "got 'avro'"}),
        ({**good, "dataset_id": UNKNOWN, "schema_id": UNKNOWN}, {}),
    ]
    assert_checks_write_nothing(emulator, provider, cases)
