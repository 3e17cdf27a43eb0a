"""Bad inputs fail at ``pulumi preview``, naming the input, and write nothing to the platform.

A module-wide stack holds valid objects (a Profile-enabled schema, a dataset, Kinesis connections, a
target connection, a mapping set) so cases can point at real ids and change deployed resources. Each
case declares that stack plus one bad resource (or one bad change) and runs ONE preview: the engine
stops at the first check failure it meets, so batching cases would report only one of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from aep_provider.specs import AMAZON_KINESIS, AMAZON_S3, CLOUD_STORAGE_FLOW, DATA_LAKE, STREAMING_FLOW

from .aep_stack import AEPStack, aep_config, declared, ref, secret
from .conftest import MakeStack
from .workflows import KINESIS_SECRET, LOYALTY_FIELDS, PERSON_DETAILS, PROFILE_CLASS, TENANT

pytestmark = pytest.mark.engine

UNKNOWN_OBJECT = "0123456789abcdef0123456789abcdef"
KINESIS_AUTH = {
    "auth_spec_name": "Aws Kinesis authentication credentials",
    "auth_params": {"accessKeyId": "AKIAENGINEKINESIS", "secretKey": secret(KINESIS_SECRET), "region": "us-east-1"},
}
KINESIS_SOURCE = {
    "name": "Orders source",
    "connection_spec_id": AMAZON_KINESIS,
    "base_connection_id": ref("kinesis.connection_id"),
    "data_format": "json",
    "params": {"stream": "orders", "dataType": "raw"},
}
FLOW = {
    "name": "Orders flow",
    "flow_spec_id": STREAMING_FLOW,
    "source_connection_ids": [ref("source.source_connection_id")],
    "target_connection_ids": [ref("target.target_connection_id")],
    "mapping_set_id": ref("mapping.mapping_set_id"),
    "mapping_version": ref("mapping.mapping_version"),
}

# The valid objects every case starts from (no dataflow: each flow case declares its own).
BASE = [
    declared(
        "loyalty",
        "FieldGroup",
        {"title": "Checked loyalty", "intended_classes": [PROFILE_CLASS], "fields": LOYALTY_FIELDS},
    ),
    declared(
        "profiles",
        "Schema",
        {
            "title": "Checked profiles",
            "class_id": PROFILE_CLASS,
            "field_groups": [PERSON_DETAILS, ref("loyalty.field_group_id")],
            "primary_identity": {"field_path": f"{TENANT}.loyaltyId", "namespace": "Email"},
            "profile_enabled": True,
        },
        options={"retain_on_delete": True},  # AEP never deletes a Profile-enabled schema
    ),
    declared("dataset", "Dataset", {"name": "Checked dataset", "schema_id": ref("profiles.schema_id")}),
    declared("plain", "Schema", {"title": "Checked plain", "class_id": PROFILE_CLASS, "field_groups": [PERSON_DETAILS]}),
    declared(
        "kinesis", "BaseConnection", {"name": "Checked Kinesis", "connection_spec_id": AMAZON_KINESIS, **KINESIS_AUTH}
    ),
    declared("source", "SourceConnection", KINESIS_SOURCE),
    declared(
        "target",
        "TargetConnection",
        {"name": "Checked target", "dataset_id": ref("dataset.dataset_id"), "schema_id": ref("profiles.schema_id")},
    ),
    declared(
        "mapping",
        "MappingSet",
        {"schema_id": ref("profiles.schema_id"), "mappings": [{"source": "id", "destination": f"{TENANT}.loyaltyId"}]},
    ),
]


def adding(type_: str, inputs: dict[str, Any]) -> Callable[[], list[dict[str, Any]]]:
    """The base plus one new resource ``bad`` with these inputs."""
    return lambda: [*BASE, declared("bad", type_, inputs)]


def changing(name: str, **changes: Any) -> Callable[[], list[dict[str, Any]]]:
    """The base with inputs of the deployed resource ``name`` changed (``None`` removes an input)."""

    def build() -> list[dict[str, Any]]:
        resources = []
        for entry in BASE:
            if entry["name"] == name:
                inputs = {**entry["inputs"], **changes}
                entry = {**entry, "inputs": {k: v for k, v in inputs.items() if v is not None}}
            resources.append(entry)
        return resources

    return build


def dataset(**inputs: Any) -> Callable[[], list[dict[str, Any]]]:
    return adding("Dataset", {"name": "Bad dataset", "schema_id": ref("profiles.schema_id"), **inputs})


def schema(**inputs: Any) -> Callable[[], list[dict[str, Any]]]:
    return adding("Schema", {"title": "Bad schema", "class_id": PROFILE_CLASS, **inputs})


def field_group(**inputs: Any) -> Callable[[], list[dict[str, Any]]]:
    return adding(
        "FieldGroup", {"title": "Bad group", "intended_classes": [PROFILE_CLASS], "fields": LOYALTY_FIELDS, **inputs}
    )


def s3_connection(**inputs: Any) -> Callable[[], list[dict[str, Any]]]:
    auth = {
        "auth_spec_name": "Access Key",
        "auth_params": {"s3AccessKey": "AKIA", "s3SecretKey": secret(KINESIS_SECRET)},
    }
    return adding("BaseConnection", {"name": "Bad S3", "connection_spec_id": AMAZON_S3, **auth, **inputs})


def source(**inputs: Any) -> Callable[[], list[dict[str, Any]]]:
    return adding("SourceConnection", {**KINESIS_SOURCE, "name": "Bad source", **inputs})


def target(**inputs: Any) -> Callable[[], list[dict[str, Any]]]:
    return adding(
        "TargetConnection",
        {
            "name": "Bad target",
            "dataset_id": ref("dataset.dataset_id"),
            "schema_id": ref("profiles.schema_id"),
            **inputs,
        },
    )


def mapping(*mappings: dict[str, Any]) -> Callable[[], list[dict[str, Any]]]:
    return adding("MappingSet", {"schema_id": ref("profiles.schema_id"), "mappings": list(mappings)})


def flow(**inputs: Any) -> Callable[[], list[dict[str, Any]]]:
    return adding("Dataflow", {k: v for k, v in {**FLOW, **inputs}.items() if v is not None})


@dataclass(frozen=True)
class BadInput:
    declaration: Callable[[], list[dict[str, Any]]]
    field: str
    """The input (or ``aep:*`` config key) the CLI output must name."""
    says: str
    """A fragment of the reason the output must contain."""
    config: tuple[tuple[str, str | None], ...] = ()
    """Stack settings changed for this case only (``None`` removes the key); restored afterwards."""

    def named_in(self, output: str) -> bool:
        # A check failure reads "property <input> value {...} has a problem: <reason>" for a plain value, or
        # for a secret input and one holding a map or a list of maps (whose value the engine would print in Go's
        # notation) "has a problem: <input>: <reason>", "<input>.<sub.path>: <reason>" or "<input>[i] ..."; an
        # input name the resource does not have is refused by its constructor, in the program.
        return any(
            form.format(self.field) in output
            for form in ("property {} value", "has a problem: {}:", "has a problem: {}.", "has a problem: {}[",
                         "unknown input(s) {}")
        )


def settings(**config: str | None) -> tuple[tuple[str, str | None], ...]:
    """Stack settings of a case, by config key without the ``aep:`` prefix."""
    return tuple((f"aep:{key}", value) for key, value in config.items())


def base_only() -> list[dict[str, Any]]:
    return list(BASE)


PREVIEW_OVERHEAD_SECONDS = 8.0  # a preview that fails at once still starts the CLI, the program and the provider
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused at once


CASES: dict[str, BadInput] = {
    # Dataset
    "dataset name of the wrong type": BadInput(dataset(name=5), "name", "valid string"),
    "dataset without a schema": BadInput(adding("Dataset", {"name": "No schema"}), "schema_id", "required"),
    "dataset file format unknown": BadInput(dataset(file_format="xml"), "file_format", "parquet"),
    "dataset tag values not a list": BadInput(dataset(tags={"team": "loyalty"}), "tags", "valid list"),
    "dataset tag reserved by the platform": BadInput(
        dataset(tags={"adobe/pqs": ["x"]}), "tags", "belong to the platform"
    ),
    "dataset profile tag set by hand": BadInput(
        dataset(tags={"unifiedProfile": ["enabled:true"]}), "tags", "profile_enabled"
    ),
    "dataset profile flag not a boolean": BadInput(dataset(profile_enabled=[1]), "profile_enabled", "boolean"),
    "sandbox name with capitals": BadInput(dataset(sandbox="Dev_Sandbox"), "sandbox", "lowercase"),
    "input name misspelled": BadInput(dataset(schema_idd="x"), "schema_idd", "unknown input"),
    # Schema
    "schema class not a URI": BadInput(schema(class_id="profile"), "class_id", "https://"),
    "schema title empty": BadInput(schema(title=""), "title", "at least 1"),
    "schema lists its class as a field group": BadInput(
        schema(field_groups=[PROFILE_CLASS]), "field_groups", "the class itself"
    ),
    "schema identity without a namespace": BadInput(
        schema(primary_identity={"field_path": f"{TENANT}.loyaltyId"}), "primary_identity", "namespace"
    ),
    "schema identity path with an empty segment": BadInput(
        schema(primary_identity={"field_path": "a..b", "namespace": "Email"}), "primary_identity", "field path"
    ),
    "profile schema loses a field group": BadInput(
        changing("profiles", field_groups=[ref("loyalty.field_group_id")]), "field_groups", "cannot be removed"
    ),
    "profile schema disabled": BadInput(changing("profiles", profile_enabled=False), "profile_enabled", "irreversible"),
    "schema class changed": BadInput(
        changing("profiles", class_id="https://ns.adobe.com/xdm/context/experienceevent"), "class_id", "cannot change"
    ),
    # FieldGroup
    "field type misspelled": BadInput(field_group(fields={"tier": {"type": "strin"}}), "fields", "tier"),
    "object field without children": BadInput(
        field_group(fields={"address": {"type": "object"}}), "fields", "at least one child"
    ),
    "field name starting with a digit": BadInput(field_group(fields={"1tier": {"type": "string"}}), "fields", "1tier"),
    "field group for no class": BadInput(field_group(intended_classes=[]), "intended_classes", "at least 1"),
    "field group class not a URI": BadInput(field_group(intended_classes=["profile"]), "intended_classes", "https://"),
    # IdentityDescriptor
    "identity descriptor without a namespace": BadInput(
        adding("IdentityDescriptor", {"schema_id": ref("profiles.schema_id"), "field_path": f"{TENANT}.loyaltyId"}),
        "namespace",
        "required",
    ),
    "identity descriptor path empty": BadInput(
        adding("IdentityDescriptor", {"schema_id": ref("profiles.schema_id"), "field_path": "", "namespace": "Email"}),
        "field_path",
        "field path",
    ),
    # BaseConnection
    "connection spec that does not exist": BadInput(
        s3_connection(connection_spec_id=UNKNOWN_OBJECT), "connection_spec_id", "unknown"
    ),
    "auth spec name misspelled": BadInput(
        s3_connection(auth_spec_name="Access Keys"), "auth_spec_name", "did you mean"
    ),
    "S3 credentials without the secret key": BadInput(
        s3_connection(auth_params={"s3AccessKey": "AKIA"}), "auth_params", "s3SecretKey"
    ),
    "connection spec given by id and by name": BadInput(
        s3_connection(connection_spec_name="Amazon S3"), "connection_spec_id", "not both"
    ),
    "credentials for a connector that takes none": BadInput(
        adding("BaseConnection", {"name": "Lake", "connection_spec_id": DATA_LAKE, **KINESIS_AUTH}),
        "auth_spec_name",
        "no credentials",
    ),
    # SourceConnection
    "Kinesis source without a stream": BadInput(source(params={"dataType": "raw"}), "params", "stream"),
    "Kinesis data type outside the enum": BadInput(
        source(params={"stream": "s", "dataType": "binary"}), "params", "dataType"
    ),
    "Kinesis source reading csv": BadInput(source(data_format="csv"), "data_format", "json"),
    "source on a base connection that does not exist": BadInput(
        source(base_connection_id=UNKNOWN_OBJECT), "base_connection_id", "does not exist"
    ),
    "source on the target-only Data Lake spec": BadInput(
        source(connection_spec_id=DATA_LAKE), "connection_spec_id", "not a source"
    ),
    # TargetConnection
    "target dataset that does not exist": BadInput(
        target(dataset_id="5f0000000000000000000000"), "dataset_id", "does not exist"
    ),
    "target schema that is not the dataset's": BadInput(
        target(schema_id="https://ns.adobe.com/emulator/schemas/0000"), "schema_id", "follows schema"
    ),
    # MappingSet
    "mapping destination not in the schema": BadInput(
        mapping({"source": "mail", "destination": "person.name.fristName"}),
        "mappings",
        "is not a field of schema 'Checked profiles'; did you mean 'person.name.firstName'?",
    ),
    "mapping destination not a dotted path": BadInput(
        mapping({"source": "a", "destination": "person..name"}), "mappings", "dotted"
    ),
    "mapping destination written twice": BadInput(
        mapping(
            {"source": "a", "destination": "person.name.firstName"},
            {"source": "b", "destination": "person.name.firstName"},
        ),
        "mappings",
        "as mappings[0] does",
    ),
    "mapping set with no mapping": BadInput(mapping(), "mappings", "at least 1"),
    # Dataflow
    "schedule every 10 minutes": BadInput(
        flow(
            flow_spec_id=CLOUD_STORAGE_FLOW,
            mapping_set_id=None,
            mapping_version=None,
            schedule={"frequency": "minute", "interval": 10},
        ),
        "schedule",
        "at least 15",
    ),
    "schedule once with an interval": BadInput(
        flow(schedule={"frequency": "once", "interval": 1}), "schedule", "not allowed with frequency 'once'"
    ),
    "streaming flow with a schedule": BadInput(
        flow(schedule={"frequency": "hour", "interval": 1}), "schedule", "takes no schedule"
    ),
    "mapping id without its version": BadInput(flow(mapping_version=None), "mapping_version", "together"),
    "mapping version that does not exist": BadInput(flow(mapping_version=99), "mapping_version", "no version 99"),
    "flow on a source connection that does not exist": BadInput(
        flow(source_connection_ids=[UNKNOWN_OBJECT]), "source_connection_ids", "does not exist"
    ),
    "flow spec that does not exist": BadInput(flow(flow_spec_id=UNKNOWN_OBJECT), "flow_spec_id", "unknown flow spec"),
    # Stack settings (issue 10): named by config key, no API call needed for the first four
    "stack sandbox with capitals": BadInput(base_only, "aep:sandbox", "lowercase", settings(sandbox="Dev")),
    "org id without @AdobeOrg": BadInput(base_only, "aep:orgId", "@AdobeOrg", settings(orgId="ABC123")),
    "client id missing": BadInput(base_only, "aep:clientId", "not set", settings(clientId=None)),
    "client secret missing": BadInput(base_only, "aep:clientSecret", "not set", settings(clientSecret=None)),
    "endpoint not a URL": BadInput(base_only, "aep:endpoint", "http(s) URL", settings(endpoint="platform.adobe.io")),
    "sandbox that does not exist": BadInput(base_only, "aep:sandbox", "does not exist in org", settings(sandbox="qa")),
    "resource in a sandbox that does not exist": BadInput(dataset(sandbox="qa"), "sandbox", "does not exist in org"),
    "endpoint unreachable": BadInput(base_only, "aep:endpoint", UNREACHABLE, settings(endpoint=UNREACHABLE)),
    "org id of another org": BadInput(base_only, "aep:orgId", "the platform refuses 'OTHER@AdobeOrg'", settings(orgId="OTHER@AdobeOrg")),
    # Schema Registry look-ups with the nearest real ids
    "standard class URL typo": BadInput(
        schema(class_id="https://ns.adobe.com/xdm/context/profil"), "class_id", "did you mean 'https://ns.adobe.com/xdm/context/profile'"
    ),
    "class that does not exist": BadInput(
        schema(class_id="https://ns.adobe.com/xdm/context/customer"), "class_id", "no class"
    ),
    "field group URL typo beside a field group made in the same deployment": BadInput(
        lambda: [
            *BASE,
            declared("newgroup", "FieldGroup", {"title": "Checked new group", "intended_classes": [PROFILE_CLASS],
                                                "fields": {"memberId": {"type": "string"}}}),
            declared("bad", "Schema", {"title": "Bad schema", "class_id": PROFILE_CLASS, "field_groups": [
                "https://ns.adobe.com/xdm/context/profile-person-detail", ref("newgroup.field_group_id")]}),
        ],  # fmt: skip
        "field_groups",
        "did you mean 'https://ns.adobe.com/xdm/context/profile-person-details'",
    ),
    "standard field group URL typo": BadInput(
        schema(field_groups=["https://ns.adobe.com/xdm/context/profile-person-detail"]),
        "field_groups",
        "did you mean 'https://ns.adobe.com/xdm/context/profile-person-details'",
    ),
    "tenant field group that does not exist": BadInput(
        schema(field_groups=["https://ns.adobe.com/emulator/mixins/0000"]), "field_groups", "no field group"
    ),
    # Identities
    "identity namespace E-mail": BadInput(
        schema(field_groups=[PERSON_DETAILS], primary_identity={"field_path": "person.name.firstName", "namespace": "E-mail"}),
        "primary_identity",
        "did you mean 'Email'",
    ),
    "identity namespace in the wrong case": BadInput(
        adding("IdentityDescriptor", {"schema_id": ref("profiles.schema_id"), "field_path": "person.name.firstName", "namespace": "email"}),
        "namespace",
        "did you mean 'Email'",
    ),
    "identity field path typo": BadInput(
        schema(field_groups=[PERSON_DETAILS], primary_identity={"field_path": "person.name.fristName", "namespace": "Email"}),
        "primary_identity",
        "did you mean 'person.name.firstName'",
    ),
    "descriptor field path typo": BadInput(
        adding("IdentityDescriptor", {"schema_id": ref("profiles.schema_id"), "field_path": f"{TENANT}.loyaltyid", "namespace": "Email"}),
        "field_path",
        f"did you mean '{TENANT}.loyaltyId'",
    ),
    "second primary identity": BadInput(
        adding(
            "IdentityDescriptor",
            {"schema_id": ref("profiles.schema_id"), "field_path": "person.name.firstName", "namespace": "Email", "primary": True},
        ),
        "primary",
        "already has a primary identity",
    ),
    "descriptor on a schema that does not exist": BadInput(
        adding("IdentityDescriptor", {"schema_id": "https://ns.adobe.com/emulator/schemas/0000", "field_path": "a.b", "namespace": "Email"}),
        "schema_id",
        "does not exist",
    ),
    "custom namespace code with a dash": BadInput(
        adding("IdentityNamespace", {"name": "Loyalty", "code": "loyalty-id", "id_type": "Cross_device"}), "code", "letters and numbers"
    ),
    "custom namespace type unknown": BadInput(
        adding("IdentityNamespace", {"name": "Loyalty", "code": "Loyalty", "id_type": "Person"}), "id_type", "Cross_device"
    ),
    # Datasets on schemas
    "dataset on a schema that does not exist": BadInput(
        dataset(schema_id="https://ns.adobe.com/emulator/schemas/0000"), "schema_id", "does not exist in sandbox"
    ),
    "profile dataset on a schema without Profile": BadInput(
        dataset(schema_id=ref("plain.schema_id"), profile_enabled=True),
        "profile_enabled",
        "not enabled for Profile",
    ),
    # Breaking field group changes under a Profile-enabled schema
    "field removed from a group a Profile schema uses": BadInput(
        changing("loyalty", fields={"loyaltyId": LOYALTY_FIELDS["loyaltyId"]}), "fields", "AEP refuses it"
    ),
    "field retyped in a group a Profile schema uses": BadInput(
        changing("loyalty", fields={**LOYALTY_FIELDS, "points": {"type": "string"}}), "fields", "retyped long -> string"
    ),
}


@pytest.fixture(scope="module")
def stack(make_stack: MakeStack) -> AEPStack:
    stack = make_stack()
    stack.set_secret(KINESIS_SECRET, "kinesis-secret-for-checks")
    stack.deploy(BASE)
    return stack


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input_fails_preview_naming_the_input_without_writing(stack: AEPStack, case: BadInput) -> None:
    stack.declare(case.declaration())
    settings_before = {**aep_config(stack.emulator, stack.sandbox), "aep:clientSecret": stack.emulator.config.client_secret}
    for key, value in case.config:
        if value is None:
            stack.cli.run("config", "rm", key)
        else:
            stack.cli.config_set(key, value, secret=key == "aep:clientSecret")
    try:
        started = time.monotonic()
        with stack.api.no_writes():
            output = stack.preview_failure()
        seconds = time.monotonic() - started
    finally:
        for key, _ in case.config:
            stack.cli.config_set(key, settings_before[key], secret=key == "aep:clientSecret")

    assert case.named_in(output), output
    assert case.says in output, output
    assert "Exception calling application" not in output, output
    assert "{map[" not in output, output  # no value in Go's notation
    if case.config == settings(endpoint=UNREACHABLE):
        assert seconds < 5 + PREVIEW_OVERHEAD_SECONDS, seconds


def test_a_failure_at_up_reads_as_the_providers_own_text(stack: AEPStack) -> None:
    # Only the write can tell that a title is taken (help/xdm/troubleshooting-guide.md, XDM-1521): the
    # create's refusal is raised during `up`, and reaches the engine as the provider's own text.
    clash = {"title": "Checked loyalty", "intended_classes": [PROFILE_CLASS], "fields": {"memberId": {"type": "string"}}}
    stack.declare([*BASE, declared("clash", "FieldGroup", clash)])
    try:
        output = stack.up_failure()
    finally:
        stack.deploy(BASE)
    assert "'Checked loyalty'" in output and "XDM-1521" in output, output
    assert "Exception calling application" not in output, output


def test_cases_cover_every_resource_and_forbidden_changes() -> None:
    added = {case.declaration()[-1]["type"] for case in CASES.values() if len(case.declaration()) > len(BASE)}
    changed = [name for name, case in CASES.items() if len(case.declaration()) == len(BASE)]
    assert len(CASES) >= 70
    assert added == {
        "Dataset", "Schema", "FieldGroup", "IdentityDescriptor", "BaseConnection",
        "SourceConnection", "TargetConnection", "MappingSet", "Dataflow", "IdentityNamespace",
    }  # fmt: skip
    assert changed, "some cases must change deployed resources (forbidden evolutions)"
