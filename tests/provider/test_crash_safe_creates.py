"""Issue 9: a create never duplicates nor orphans an AEP object.

An interrupted create (``kill -9`` of the CLI, a failure after the POST) leaves an object Pulumi does not
record; the next ``up`` creates that resource again. Each object carries its resource's marker
(``aep_provider/marker.py``; where per type: the module docstrings), and a second create of the same
resource adopts it. Every case here starts from a first create whose result was "lost" (as the engine
loses it) and checks what the second one does, over real HTTP against the emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider import specs
from aep_provider.base import AEPProvider
from aep_provider.client import AEPClient
from aep_provider.connection import BaseConnectionProvider
from aep_provider.dataflow import DataflowProvider
from aep_provider.dataset import MARKER_TAG, DatasetProvider
from aep_provider.errors import AEPApiError
from aep_provider.field_group import FieldGroupProvider
from aep_provider.mapping_set import MappingSetProvider
from aep_provider.marker import marker_in, resource_marker, with_marker, without_marker
from aep_provider.schema import SchemaProvider
from aep_provider.settings import Settings
from aep_provider.source_connection import SourceConnectionProvider
from aep_provider.target_connection import TargetConnectionProvider
from tests.provider.conftest import PROFILE_CLASS, checked, refreshed
from tests.provider.flow_helpers import Made

pytest_plugins = ["tests.provider.flow_fixtures"]  # the flow-side fixtures

DATASET_ROUTE = "/data/foundation/catalog/dataSets/<dataset_id>"
DESCRIPTORS_ROUTE = "/data/foundation/schemaregistry/tenant/descriptors"


def marker(name: str) -> str:
    return resource_marker("", "crash-tests", "dev", "pulumi-python:dynamic/aep:Test", name)


Inputs = Callable[[dict[str, Made]], dict[str, Any]]

# (provider, the emulator's object kind, inputs from the fixtures' objects)
CASES: dict[str, tuple[type[AEPProvider[Any]], str, Inputs]] = {
    "dataset": (DatasetProvider, "catalog.dataSets",
                lambda made: {"name": "Crash people", "schema_id": made["schema"][0], "tags": {"team": ["a"]}}),
    "field-group": (FieldGroupProvider, "schemaregistry.mixins",
                    lambda made: {"title": "Crash fields", "intended_classes": [PROFILE_CLASS],
                                  "fields": {"memberId": {"type": "string"}}}),
    "schema": (SchemaProvider, "schemaregistry.schemas",
               lambda made: {"title": "Crash schema", "description": "kept", "class_id": PROFILE_CLASS}),
    "base-connection": (BaseConnectionProvider, "flowservice.connections",
                        lambda made: {"name": "Crash lake", "description": "dataset base",
                                      "connection_spec_id": specs.DATA_LAKE}),
    "source-connection": (SourceConnectionProvider, "flowservice.sourceConnections",
                          lambda made: {"name": "Crash source", "connection_spec_id": specs.AMAZON_KINESIS,
                                        "base_connection_id": made["kinesis_base"][0], "data_format": "json",
                                        "params": {"stream": "orders", "dataType": "raw"}}),
    "target-connection": (TargetConnectionProvider, "flowservice.targetConnections",
                          lambda made: {"name": "Crash target", "dataset_id": made["dataset"][0],
                                        "schema_id": made["schema"][0]}),
    "mapping-set": (MappingSetProvider, "dataprep.mappingSets",
                    lambda made: {"schema_id": made["schema"][0],
                                  "mappings": [{"source": "first", "destination": "person.name.firstName"}]}),
    "dataflow": (DataflowProvider, "flowservice.flows",
                 lambda made: {"name": "Crash flow", "flow_spec_id": specs.STREAMING_FLOW,
                               "source_connection_ids": [made["kinesis_source"][0]],
                               "target_connection_ids": [made["target"][0]]}),
}


@pytest.fixture
def made(schema: Made, dataset: Made, kinesis_base: Made, kinesis_source: Made, target: Made) -> dict[str, Made]:
    return {"schema": schema, "dataset": dataset, "kinesis_base": kinesis_base,
            "kinesis_source": kinesis_source, "target": target}  # fmt: skip


def kind_count(emulator: EmulatorHandle, kind: str) -> int:
    return len(emulator.objects(kind))


def stored(emulator: EmulatorHandle, kind: str, object_id: str) -> dict[str, Any]:
    """An object as the emulator stores it (Catalog rows wrap the dataset in ``object``)."""
    (found,) = [o["object"] for o in emulator.objects(kind) if o["id"] == object_id]
    return found["object"] if kind == "catalog.dataSets" else found


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_second_create_of_a_resource_adopts_what_the_first_made(
    case: str, configured: Callable[..., Any], made: dict[str, Made], emulator: EmulatorHandle
) -> None:
    provider_class, kind, inputs = CASES[case]
    provider = configured(provider_class)
    news = checked(provider, {**inputs(made), "resource_marker": marker(case)})
    before = kind_count(emulator, kind)
    first = provider.create(news)  # its answer is "lost": Pulumi never records it
    second = provider.create(news)
    assert second.id == first.id
    assert kind_count(emulator, kind) == before + 1, "a second object was made"
    assert second.outs["resource_marker"] == marker(case)


@pytest.mark.parametrize("case", ["dataset", "base-connection", "mapping-set"])
def test_without_a_marker_a_second_create_makes_a_duplicate(
    case: str, configured: Callable[..., Any], made: dict[str, Made], emulator: EmulatorHandle
) -> None:
    """What the marker prevents (and what a provider before it did)."""
    provider_class, kind, inputs = CASES[case]
    provider = configured(provider_class)
    news = checked(provider, inputs(made))
    before = kind_count(emulator, kind)
    assert provider.create(news).id != provider.create(news).id
    assert kind_count(emulator, kind) == before + 2


@pytest.mark.parametrize("case", ["dataset", "base-connection", "mapping-set"])
def test_an_object_of_another_resource_is_never_adopted(
    case: str, configured: Callable[..., Any], made: dict[str, Made]
) -> None:
    provider_class, _, inputs = CASES[case]
    provider = configured(provider_class)
    first = provider.create(checked(provider, {**inputs(made), "resource_marker": marker("one")}))
    other = provider.create(checked(provider, {**inputs(made), "resource_marker": marker("two")}))
    assert other.id != first.id


def test_a_marked_object_that_differs_in_what_replaces_it_is_left_alone(
    configured: Callable[..., Any], made: dict[str, Made]
) -> None:
    """The original of a create-before-delete replacement carries the same marker: it must not become
    the replacement (the engine deletes the original next)."""
    provider = configured(DatasetProvider)
    base = {**CASES["dataset"][2](made), "resource_marker": marker("replaced")}
    original = provider.create(checked(provider, {**base, "file_format": "parquet"}))
    replacement = provider.create(checked(provider, {**base, "file_format": "json"}))
    assert replacement.id != original.id


def test_a_marked_object_that_differs_in_place_is_adopted_and_updated(
    configured: Callable[..., Any], made: dict[str, Made], emulator: EmulatorHandle
) -> None:
    provider = configured(DatasetProvider)
    base = {**CASES["dataset"][2](made), "resource_marker": marker("edited")}
    first = provider.create(checked(provider, base))
    second = provider.create(checked(provider, {**base, "description": "changed before the retry"}))
    assert second.id == first.id
    assert second.outs["description"] == "changed before the retry"
    assert stored(emulator, "catalog.dataSets", first.id)["description"] == "changed before the retry"


def test_a_schema_left_half_made_by_a_server_failure_is_finished_by_the_next_create(
    configured: Callable[..., Any], emulator: EmulatorHandle
) -> None:
    """The descriptor POST fails (a 500: the platform's failure, not the input's); the schema stays, and the
    next create adopts it by title and marker and finishes it (descriptor, Profile), no title clash."""
    group = configured(FieldGroupProvider).create(checked(configured(FieldGroupProvider), {
        "title": "Half fields", "intended_classes": [PROFILE_CLASS], "fields": {"memberId": {"type": "string"}},
    }))  # fmt: skip
    provider = configured(SchemaProvider)
    news = checked(provider, {
        "title": "Half made", "class_id": PROFILE_CLASS, "field_groups": [group.id], "profile_enabled": True,
        "primary_identity": {"field_path": "_emulator.memberId", "namespace": "Email"},
        "resource_marker": marker("half"),
    })  # fmt: skip
    emulator.inject_fault(method="POST", route=DESCRIPTORS_ROUTE, action="status", status=500, count=1)
    with pytest.raises(AEPApiError) as failed:
        provider.create(news)
    assert failed.value.status == 500
    assert len(emulator.objects("schemaregistry.schemas")) == 1  # kept for the next create
    finished = provider.create(news)
    (schema,) = emulator.objects("schemaregistry.schemas")
    assert finished.id == schema["id"]
    assert "union" in schema["object"].get("meta:immutableTags", [])
    assert finished.outs["primary_identity_descriptor_id"]


def test_a_failed_read_back_keeps_the_id(
    configured: Callable[..., Any], made: dict[str, Made], emulator: EmulatorHandle
) -> None:
    """The POST succeeded: a failing GET after it must not fail the create (the dataset would stay
    untracked and the next up would make a duplicate)."""
    provider = configured(DatasetProvider)
    provider.read_after_write_seconds = 0.0
    news = checked(provider, {**CASES["dataset"][2](made), "resource_marker": marker("read-back")})
    before = {o["id"] for o in emulator.objects("catalog.dataSets")}
    emulator.inject_fault(method="GET", route=DATASET_ROUTE, action="status", status=500, count=20)
    result = provider.create(news)
    emulator.clear_faults()
    created = {o["id"] for o in emulator.objects("catalog.dataSets")} - before
    assert created == {result.id} and result.outs["dataset_id"] == result.id
    outputs, _ = refreshed(provider, result.id, result.outs)  # the next read completes the outputs
    assert outputs["version"]


def test_markers_are_stored_where_the_module_docstrings_say(
    configured: Callable[..., Any], made: dict[str, Made], emulator: EmulatorHandle
) -> None:
    m = marker("stored")
    dataset = configured(DatasetProvider).create(
        checked(configured(DatasetProvider), {**CASES["dataset"][2](made), "resource_marker": m})
    )
    assert stored(emulator, "catalog.dataSets", dataset.id)["tags"][MARKER_TAG] == [m]
    base = configured(BaseConnectionProvider).create(
        checked(configured(BaseConnectionProvider), {**CASES["base-connection"][2](made), "resource_marker": m})
    )
    assert marker_in(stored(emulator, "flowservice.connections", base.id)["description"]) == m
    mapping = configured(MappingSetProvider).create(
        checked(configured(MappingSetProvider), {**CASES["mapping-set"][2](made), "resource_marker": m})
    )
    answer = emulator.request("GET", f"/data/foundation/conversion/mappingSets/{mapping.id}").json()
    assert answer["name"] == m


@pytest.mark.parametrize("case", ["dataset", "schema", "base-connection", "target-connection", "dataflow"])
def test_the_marker_never_shows_as_drift(case: str, configured: Callable[..., Any], made: dict[str, Made]) -> None:
    provider_class, _, inputs = CASES[case]
    provider = configured(provider_class)
    news = checked(provider, {**inputs(made), "resource_marker": marker(f"drift-{case}")})
    result = provider.create(news)
    outputs, read_inputs = refreshed(provider, result.id, result.outs)
    assert not provider.diff(result.id, outputs, news).changes
    assert read_inputs.get("description") == news.get("description")


@pytest.mark.parametrize("case", ["dataset", "schema", "base-connection", "dataflow"])
def test_state_written_without_a_marker_previews_clean(
    case: str, configured: Callable[..., Any], made: dict[str, Made]
) -> None:
    """A stack deployed by the previous release has no resource_marker in state; the program now sends one."""
    provider_class, _, inputs = CASES[case]
    provider = configured(provider_class)
    old = provider.create(checked(provider, inputs(made)))
    old_outputs = {k: v for k, v in old.outs.items() if k != "resource_marker"}
    news = checked(provider, {**inputs(made), "resource_marker": marker(f"old-{case}")})
    assert not provider.diff(old.id, old_outputs, news).changes


def test_an_in_place_update_keeps_the_description_marker(
    configured: Callable[..., Any], made: dict[str, Made], emulator: EmulatorHandle
) -> None:
    provider = configured(BaseConnectionProvider)
    m = marker("update")
    news = checked(provider, {**CASES["base-connection"][2](made), "resource_marker": m})
    created = provider.create(news)
    changed = checked(provider, {**news, "description": "renamed"}, news)
    provider.update(created.id, created.outs, changed)
    description = stored(emulator, "flowservice.connections", created.id)["description"]
    assert description == with_marker("renamed", m) and without_marker(description) == "renamed"


# --- request ids ------------------------------------------------------------------------------------


def test_every_call_sends_its_own_request_id_and_errors_name_it(settings: Settings, emulator: EmulatorHandle) -> None:
    client = AEPClient(settings)
    with pytest.raises(AEPApiError) as caught:
        client.request("GET", "/data/foundation/catalog/dataSets/nope-not-here", sandbox="prod")
    request_id = caught.value.request_id
    assert request_id and request_id in str(caught.value)
    emulator.inject_fault(method="GET", route=DATASET_ROUTE, action="status", status=500, count=20)
    with pytest.raises(AEPApiError) as again:
        client.request("GET", "/data/foundation/catalog/dataSets/other", sandbox="prod")
    emulator.clear_faults()
    assert again.value.request_id and again.value.request_id != request_id


def test_an_unreachable_endpoint_says_so_and_names_the_request(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = settings.model_copy(update={"endpoint": "http://127.0.0.1:9"})
    client = AEPClient(dead, session=requests.Session())  # no retries: the answer comes at once
    monkeypatch.setattr(client, "_tokens", type("T", (), {"get": lambda *a: "token", "invalidate": lambda *a: None})())
    with pytest.raises(AEPApiError) as caught:
        client.request("GET", "/data/foundation/catalog/dataSets", sandbox="prod")
    assert "AEP is unreachable" in str(caught.value) and caught.value.request_id
    assert caught.value.request_id in str(caught.value)
