"""The shared provider machinery: diff and check rules, pickling, offline previews, resource classes."""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any, ClassVar

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_ON_THE_WIRE

from aep_emulator.testing import EmulatorHandle
from aep_provider import Dataset, DatasetArgs, FieldGroup, IdentityDescriptor, Schema
from aep_provider.base import AEPArgs, AEPProvider, AEPResource, clear_metadata_cache, contains_unknown
from aep_provider.dataset import DatasetProvider
from aep_provider.errors import AEPApiError
from aep_provider.field_group import FieldGroupProvider
from aep_provider.identity_descriptor import IdentityDescriptorProvider
from aep_provider.schema import SchemaProvider
from tests.provider.flow_helpers import failed_input
from tests.provider.conftest import configure

PROVIDERS = [DatasetProvider, SchemaProvider, FieldGroupProvider, IdentityDescriptorProvider]
RESOURCES = [Dataset, Schema, FieldGroup, IdentityDescriptor]
PROFILE = "https://ns.adobe.com/xdm/context/profile"
FG_A, FG_B = "https://ns.adobe.com/emulator/mixins/a", "https://ns.adobe.com/emulator/mixins/b"

DATASET_OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "name": "members", "description": None, "schema_id": "s1",
    "profile_enabled": False, "identity_enabled": False, "file_format": "parquet", "tags": {"team": ["a", "b"]},
    "dataset_id": "d1", "version": "1.0.3",
}  # fmt: skip
SCHEMA_OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "title": "Members", "description": None, "class_id": PROFILE,
    "field_groups": [FG_A, FG_B], "profile_enabled": False,
    "primary_identity": {"field_path": "/_emulator/loyaltyId", "namespace": "Email"},
    "schema_id": "https://ns.adobe.com/emulator/schemas/1", "alt_id": "_emulator.schemas.1", "version": "1.2",
    "primary_identity_descriptor_id": "abc",
}  # fmt: skip
DESCRIPTOR_OUTPUTS = {
    "sandbox": "prod", "adopt_id": None, "schema_id": "s1", "field_path": "/_emulator/loyaltyId",
    "namespace": "Email", "primary": True, "descriptor_id": "d1",
}  # fmt: skip

# What check/diff receive for a value not known yet (the rpc layer turns the wire string into this).
UNKNOWN = Unknown()


def inputs_of(outputs: dict[str, Any], provider: type[AEPProvider[Any]], **changes: Any) -> dict[str, Any]:
    """The inputs a program would send: the outputs' input names, with changes applied."""
    fields = provider.args_model.model_fields
    news = {k: v for k, v in outputs.items() if k in fields and v is not None}
    news.update(changes)
    return {k: v for k, v in news.items() if v is not None} | {"__provider": "stub"}


# --- diff ----------------------------------------------------------------------------------------

DIFF_CASES = [
    # (provider, old outputs, new-input changes, expected changed, expected replaces)
    (DatasetProvider, DATASET_OUTPUTS, {}, [], []),
    (DatasetProvider, DATASET_OUTPUTS, {"sandbox": "prod"}, [], []),
    (DatasetProvider, DATASET_OUTPUTS, {"sandbox": None}, [], []),
    (DatasetProvider, DATASET_OUTPUTS, {"tags": {"team": ["b", "a", "a"]}}, [], []),
    (DatasetProvider, DATASET_OUTPUTS, {"file_format": None}, [], []),  # parquet is the default
    (DatasetProvider, DATASET_OUTPUTS, {"name": "renamed"}, ["name"], []),
    (DatasetProvider, DATASET_OUTPUTS, {"profile_enabled": True, "tags": {}}, ["profile_enabled", "tags"], []),
    (DatasetProvider, DATASET_OUTPUTS, {"schema_id": "s2"}, ["schema_id"], ["schema_id"]),
    (DatasetProvider, DATASET_OUTPUTS, {"file_format": "json"}, ["file_format"], ["file_format"]),
    (DatasetProvider, DATASET_OUTPUTS, {"schema_id": UNKNOWN}, ["schema_id"], ["schema_id"]),
    (DatasetProvider, DATASET_OUTPUTS, {"name": UNKNOWN}, ["name"], []),
    (DatasetProvider, DATASET_OUTPUTS, {"tags": {"team": [UNKNOWN]}}, ["tags"], []),
    (DatasetProvider, DATASET_OUTPUTS, {"sandbox": "dev"}, ["sandbox"], ["sandbox"]),
    (DatasetProvider, DATASET_OUTPUTS, {"sandbox": UNKNOWN}, ["sandbox"], ["sandbox"]),
    (DatasetProvider, DATASET_OUTPUTS, {"adopt_id": "d1"}, [], []),
    (DatasetProvider, DATASET_OUTPUTS, {"adopt_id": "d9"}, ["adopt_id"], ["adopt_id"]),
    (DatasetProvider, {**DATASET_OUTPUTS, "version": "9.9.9"}, {}, [], []),  # server outputs never diff
    (DatasetProvider, {k: v for k, v in DATASET_OUTPUTS.items() if k != "identity_enabled"}, {}, [], []),
    (SchemaProvider, SCHEMA_OUTPUTS, {"field_groups": [FG_B, FG_A]}, [], []),
    (SchemaProvider, SCHEMA_OUTPUTS,
     {"primary_identity": {"field_path": "_emulator.loyaltyId", "namespace": "Email"}}, [], []),
    (SchemaProvider, SCHEMA_OUTPUTS, {"field_groups": [FG_A, FG_B, "x"]}, ["field_groups"], []),
    (SchemaProvider, SCHEMA_OUTPUTS, {"profile_enabled": True}, ["profile_enabled"], []),
    (SchemaProvider, SCHEMA_OUTPUTS, {"title": "New title", "description": "d"}, ["title", "description"], []),
    (SchemaProvider, SCHEMA_OUTPUTS, {"primary_identity": UNKNOWN}, ["primary_identity"], []),
    (IdentityDescriptorProvider, DESCRIPTOR_OUTPUTS, {"field_path": "_emulator.loyaltyId"}, [], []),
    (IdentityDescriptorProvider, DESCRIPTOR_OUTPUTS, {"namespace": "Phone"}, ["namespace"], []),
    (IdentityDescriptorProvider, DESCRIPTOR_OUTPUTS, {"schema_id": "s2"}, ["schema_id"], ["schema_id"]),
]  # fmt: skip


@pytest.mark.parametrize(("provider_class", "olds", "changes", "changed", "replaces"), DIFF_CASES)
def test_diff(
    provider_class: type[AEPProvider[Any]], olds: dict, changes: dict, changed: list, replaces: list
) -> None:
    provider = configure(provider_class(), {"aep:sandbox": "prod"})
    result = provider.diff("d1", olds, inputs_of(olds, provider_class, **changes))
    assert result.changes is bool(changed)
    assert sorted(result.replaces or []) == sorted(replaces)


def test_diff_replaces_when_the_default_sandbox_moves() -> None:
    provider = configure(DatasetProvider(), {"aep:sandbox": "dev"})
    result = provider.diff("d1", DATASET_OUTPUTS, inputs_of(DATASET_OUTPUTS, DatasetProvider, sandbox=None))
    assert (result.changes, result.replaces) == (True, ["sandbox"])


# --- check ---------------------------------------------------------------------------------------

DATASET_INPUTS = {"name": "members", "schema_id": "s1"}
SCHEMA_INPUTS = {"title": "Members", "class_id": PROFILE, "field_groups": [FG_A, FG_B]}
FIELD_GROUP_INPUTS = {"title": "Loyalty", "intended_classes": [PROFILE], "fields": {"loyaltyId": {"type": "string"}}}
DESCRIPTOR_INPUTS = {"schema_id": "s1", "field_path": "_emulator.loyaltyId", "namespace": "Email"}

CHECK_CASES = [
    # (provider, old inputs, new inputs, expected failures as {property: text in the reason})
    (DatasetProvider, {}, DATASET_INPUTS, {}),
    (DatasetProvider, {}, {"name": UNKNOWN, "schema_id": UNKNOWN}, {}),
    (DatasetProvider, {}, {**DATASET_INPUTS, "tags": {"team": [UNKNOWN]}, "sandbox": UNKNOWN}, {}),
    (DatasetProvider, {}, {"schema_id": "s1"}, {"name": "required"}),
    (DatasetProvider, {}, {**DATASET_INPUTS, "nmae": "x"}, {"nmae": "valid inputs are"}),
    (DatasetProvider, {}, {**DATASET_INPUTS, "file_format": "avro"}, {"file_format": "parquet"}),
    (DatasetProvider, {}, {**DATASET_INPUTS, "sandbox": "Prod"}, {"sandbox": "lowercase"}),
    (DatasetProvider, {}, {**DATASET_INPUTS, "tags": {"unifiedProfile": ["enabled:true"]}},
     {"tags": "profile_enabled=True"}),
    (DatasetProvider, {}, {**DATASET_INPUTS, "tags": {"adobe/pqs/table": ["x"]}}, {"tags": "platform"}),
    (DatasetProvider, {}, {**DATASET_INPUTS, "tags": {"team": "a"}}, {"tags": "team"}),
    (SchemaProvider, {}, SCHEMA_INPUTS, {}),
    (SchemaProvider, {}, {**SCHEMA_INPUTS, "class_id": "profile"}, {"class_id": "https://"}),
    (SchemaProvider, {}, {**SCHEMA_INPUTS, "field_groups": [PROFILE]}, {"field_groups": "class itself"}),
    (SchemaProvider, SCHEMA_INPUTS, {**SCHEMA_INPUTS, "field_groups": [FG_A]}, {"field_groups": "cannot be removed"}),
    (SchemaProvider, SCHEMA_INPUTS, {**SCHEMA_INPUTS, "field_groups": [FG_B, FG_A, "c"]}, {}),
    (SchemaProvider, SCHEMA_INPUTS, {**SCHEMA_INPUTS, "field_groups": UNKNOWN}, {}),
    (SchemaProvider, SCHEMA_INPUTS, {**SCHEMA_INPUTS, "class_id": PROFILE + "x"}, {"class_id": "cannot change"}),
    (SchemaProvider, {**SCHEMA_INPUTS, "profile_enabled": True}, SCHEMA_INPUTS, {"profile_enabled": "irreversible"}),
    (SchemaProvider, {}, {**SCHEMA_INPUTS, "primary_identity": {"field_path": "a..b", "namespace": "Email"}},
     {"primary_identity": "field_path"}),
    (FieldGroupProvider, {}, FIELD_GROUP_INPUTS, {}),
    (FieldGroupProvider, {}, {**FIELD_GROUP_INPUTS, "fields": {"tier": {"type": "object"}}}, {"fields": "tier"}),
    (FieldGroupProvider, {}, {**FIELD_GROUP_INPUTS, "fields": {"bad name": {"type": "string"}}},
     {"fields": "bad name"}),
    (FieldGroupProvider, {}, {**FIELD_GROUP_INPUTS, "fields": {"n": {"type": "text"}}}, {"fields": "n.type"}),
    (FieldGroupProvider, {}, {**FIELD_GROUP_INPUTS, "fields": {}}, {"fields": "at least 1"}),
    (FieldGroupProvider, {}, {**FIELD_GROUP_INPUTS, "intended_classes": ["profile"]}, {"intended_classes": "https"}),
    (IdentityDescriptorProvider, {}, DESCRIPTOR_INPUTS, {}),
    (IdentityDescriptorProvider, {}, {**DESCRIPTOR_INPUTS, "field_path": "a..b"}, {"field_path": "JSON pointer"}),
    (IdentityDescriptorProvider, {}, {**DESCRIPTOR_INPUTS, "schema_id": UNKNOWN, "primary": UNKNOWN}, {}),
]  # fmt: skip


@pytest.mark.parametrize(("provider_class", "olds", "news", "expected"), CHECK_CASES)
def test_check(provider_class: type[AEPProvider[Any]], olds: dict, news: dict, expected: dict[str, str]) -> None:
    provider = configure(provider_class(), {})
    old_inputs = {**olds, "__provider": "stub"} if olds else {}
    result = provider.check(old_inputs, {**news, "__provider": "stub"})
    failures = {failed_input(provider, f): f.reason for f in result.failures}
    assert set(failures) == set(expected), failures
    for prop, text in expected.items():
        assert text in failures[prop], failures[prop]
    assert result.inputs["__provider"] == "stub"  # inputs pass through, unknowns included


@pytest.mark.parametrize(
    ("value", "unknown"),
    [
        (UNKNOWN, True), ({"a": [1, {"b": UNKNOWN}]}, True), ([UNKNOWN], True),
        (UNKNOWN_ON_THE_WIRE, True), ({"a": [UNKNOWN_ON_THE_WIRE]}, True),
        ({"a": ["x"]}, False), (None, False), ("text", False),
    ],
)  # fmt: skip
def test_contains_unknown_looks_at_any_depth(value: Any, unknown: bool) -> None:
    assert contains_unknown(value) is unknown


def test_check_and_diff_only_read_and_read_each_object_once(configured: Any, emulator: EmulatorHandle) -> None:
    clear_metadata_cache()
    emulator.clear_stats()
    for provider_class, olds, news, _ in CHECK_CASES:
        configured(provider_class).check(olds, news)
    for provider_class, olds, changes, _, _ in DIFF_CASES:
        configured(provider_class).diff("d1", olds, inputs_of(olds, provider_class, **changes))
    calls = [row for row in emulator.stats()["calls"] if not row["route"].startswith("/ims/")]
    assert {row["method"] for row in calls} <= {"GET"}, calls
    sandbox_reads = [row for row in calls if "sandbox-management" in row["route"]]
    assert len(sandbox_reads) == 1, sandbox_reads  # the sandbox is judged once per process


def test_args_models_keep_normalisation_in_field_types() -> None:
    # diff normalises one field at a time, which only works when no @field_validator is needed.
    for provider_class in PROVIDERS:
        assert not provider_class.args_model.__pydantic_decorators__.field_validators, provider_class


def test_every_input_is_documented() -> None:
    for provider_class in PROVIDERS:
        for name, info in provider_class.args_model.model_fields.items():
            assert info.description, f"{provider_class.args_model.__name__}.{name} has no docstring"


# --- pickling --------------------------------------------------------------------------------------


def serialized(provider_class: type[AEPProvider[Any]], stack_config: dict[str, str]) -> str:
    provider = configure(provider_class(), stack_config)
    provider.settings  # noqa: B018 - build settings (with the secret) before pickling
    return serialize_provider(provider)


@pytest.mark.parametrize("provider_class", PROVIDERS)
def test_provider_pickles_as_a_small_stub_without_secrets(provider_class: type, stack_config: dict) -> None:
    encoded = serialized(provider_class, stack_config)
    raw = base64.b64decode(encoded)
    assert len(encoded) < 300, len(encoded)
    for value in stack_config.values():
        assert value.encode() not in raw
    assert provider_class.__module__.encode() in raw  # by reference, not by value


def test_pickled_providers_load_in_a_fresh_process(stack_config: dict) -> None:
    # The provider process unpickles them with only the installed package available.
    code = (
        "import base64, sys, dill\n"
        "for arg in sys.argv[1:]:\n"
        "    p = dill.loads(base64.b64decode(arg)); print(type(p).__name__, p.default_sandbox)"
    )
    encoded = [serialized(p, stack_config) for p in PROVIDERS]
    result = subprocess.run([sys.executable, "-c", code, *encoded], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:-1] == [f"{p.__name__} prod" for p in PROVIDERS]


def test_providers_opt_out_of_secret_serialisation_because_nothing_secret_is_pickled() -> None:
    assert all(p.serialize_as_secret_always is False for p in PROVIDERS)


# --- resource classes --------------------------------------------------------------------------


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.created.append(args)
        return f"{args.name}-id", {**args.inputs, "dataset_id": f"{args.name}-id"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        return {}


@pytest.fixture
def mocks() -> _Mocks:
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


@pytest.mark.parametrize("resource_class", RESOURCES)
def test_type_tokens_are_stable(resource_class: type[AEPResource]) -> None:
    assert resource_class._resource_type_name == f"dynamic/aep:{resource_class.__name__}"


@pulumi.runtime.test
def test_resource_accepts_keyword_inputs_and_declares_outputs(mocks: _Mocks) -> Any:
    dataset = Dataset("members", name="Members", schema_id=pulumi.Output.from_input("s1"), profile_enabled=True)

    def registered(dataset_id: str) -> None:
        assert dataset_id == "members-id"  # a server output, declared so it is an attribute
        created = mocks.created[-1]
        assert created.typ == "pulumi-python:dynamic/aep:Dataset"
        assert {"name", "schema_id", "profile_enabled", "__provider"} <= set(created.inputs)
        assert "description" not in created.inputs  # unset inputs are not sent

    return dataset.dataset_id.apply(registered)


@pulumi.runtime.test
def test_resource_accepts_an_args_object_with_outputs(mocks: _Mocks) -> Any:
    args = DatasetArgs.model_construct(name=pulumi.Output.from_input("Members"), schema_id="s1")
    dataset = Dataset("members", args)
    return dataset.name.apply(lambda value: assert_equal(value, "Members"))


def test_resource_rejects_unknown_inputs_at_once(mocks: _Mocks) -> None:
    with pytest.raises(TypeError, match="nmae.*valid inputs are"):
        Dataset("members", nmae="Members", schema_id="s1")
    with pytest.raises(TypeError, match="either"):
        Dataset("members", DatasetArgs(name="n", schema_id="s1"), name="n")
    with pytest.raises(TypeError, match="DatasetArgs"):
        Dataset("members", AEPArgs())


class _TokenArgs(AEPArgs):
    label: str
    """A name."""

    token: str
    """A credential."""


class _TokenProvider(AEPProvider[_TokenArgs]):
    """A provider with a secret input, backed by a dict instead of AEP."""

    args_model = _TokenArgs
    secret_inputs = frozenset({"token"})
    server_outputs = ("token_id",)
    server: ClassVar[dict[str, dict[str, Any]]] = {}

    def create_object(self, args: _TokenArgs, sandbox: str) -> str:
        self.server["t1"] = {"id": "t1", "label": args.label, "token": args.token}
        return "t1"

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        found = self.server.get(object_id)
        return None if found is None else {**found, "token": "****"}  # servers mask secrets

    def outputs_from_server(self, obj: dict[str, Any], args: _TokenArgs) -> dict[str, Any]:
        return {"token_id": obj["id"]}

    def inputs_from_server(self, obj: dict[str, Any], current: _TokenArgs) -> dict[str, Any]:
        return {"label": obj["label"], "token": obj["token"]}


class _TokenThing(AEPResource):
    provider_class: ClassVar[type[AEPProvider[Any]]] = _TokenProvider
    token: pulumi.Output[str]
    token_id: pulumi.Output[str]


@pulumi.runtime.test
def test_secret_inputs_are_wrapped_as_secrets(mocks: _Mocks) -> Any:
    thing = _TokenThing("t", label="x", token="hunter2")
    assert _TokenThing._resource_type_name == "dynamic/aep:_TokenThing"
    assert hasattr(thing, "token_id")
    return pulumi.Output.all(thing.token.is_secret(), thing.label.is_secret()).apply(
        lambda flags: assert_equal(flags, [True, False])
    )


def assert_equal(actual: Any, expected: Any) -> None:
    assert actual == expected


def test_secrets_are_never_read_back_but_kept_from_state() -> None:
    provider = configure(_TokenProvider(), {})
    created = provider.create({"label": "x", "token": "hunter2", "__provider": "stub"})
    assert created.outs["token"] == "hunter2"  # same name as the input, so the engine keeps it secret
    _TokenProvider.server["t1"]["label"] = "changed outside"
    result = provider.read("t1", created.outs)
    assert result.outs["token"] == "hunter2" and result.inputs["token"] == "hunter2"
    assert result.inputs["label"] == "changed outside"  # drift in the rest still shows


# --- deletes that wait while the object is in use ------------------------------------------------


class _InUseProvider(DatasetProvider):
    in_use_codes = frozenset({"FLOW-1418-400", "1447-400"})


@pytest.mark.parametrize(
    ("status", "body", "in_use"),
    [
        (400, {"type": "https://ns.adobe.com/aep/errors/FLOW-1418-400", "title": "t"}, True),
        (400, {"code": "1418-400", "message": "m"}, True),
        (400, {"errorCode": "FLOW-1447-400"}, True),
        (400, {"report": {"code": "1447-400"}}, True),
        (400, {"type": "https://ns.adobe.com/aep/errors/FLOW-1416-400"}, False),
        (400, {"type": "/placeholder/type/uri", "title": "Resource cannot be deleted"}, False),
        (409, None, True),
    ],
)  # fmt: skip
def test_in_use_answers_are_recognised_whatever_the_envelope(status: int, body: Any, in_use: bool) -> None:
    error = AEPApiError.from_response(status=status, method="DELETE", path="/x", body=body, headers={})
    assert _InUseProvider().is_in_use(error) is in_use
