"""Issue 14: what one provider process asks the platform, counted by the emulator over real HTTP.

- a look-up of ``check`` answers from what this process already read (``client.READS``), and reads again
  what this process wrote since;
- the marker look-up before a create is one listing per collection and process (Catalog, Flow Service),
  or none at all where the platform refuses a second object of the same title (Schema Registry);
- answers that already hold the object (a schema's POST and PATCH, the wait for a new flow) stand in for
  a read-back, and a flow spec listed once is not read again by id.

The guarantees of issue 9 (an interrupted create is adopted) stay: ``test_crash_safe_creates.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider import specs
from aep_provider.base import forget_platform_objects
from aep_provider.client import CATALOG, FLOW_SERVICE, READS, SCHEMA_REGISTRY, AEPClient, ApiResponse, lookup_client
from aep_provider.connection import BaseConnectionProvider
from aep_provider.dataflow import DataflowProvider
from aep_provider.dataset import DatasetProvider
from aep_provider.flow_service import get_object
from aep_provider.marker import resource_marker
from aep_provider.schema import SchemaProvider
from aep_provider.schema_registry import get_resource
from aep_provider.settings import Settings
from aep_provider.source_connection import SourceConnectionProvider
from aep_provider.target_connection import TargetConnectionProvider
from tests.provider.conftest import PROFILE_CLASS, checked, program_inputs
from tests.provider.flow_helpers import Made

pytest_plugins = ["tests.provider.flow_fixtures"]

DATASETS = f"{CATALOG}/dataSets"


def marker(name: str) -> str:
    return resource_marker("", "budget-tests", "dev", "pulumi-python:dynamic/aep:Test", name)


def calls_to(emulator: EmulatorHandle, method: str, route: str) -> int:
    """Calls to exactly this route template (``EmulatorHandle.calls`` matches any part of one)."""
    return sum(row["count"] for row in emulator.stats()["calls"] if (row["method"], row["route"]) == (method, route))


# --- look-ups share this process's reads ------------------------------------------------------------


def test_a_look_up_after_a_read_of_the_same_object_costs_no_call(
    settings: Settings, client: AEPClient, schema: Made, emulator: EmulatorHandle
) -> None:
    get_resource(client, "schemas", schema[0], "prod")
    emulator.clear_stats()
    assert get_resource(lookup_client(settings), "schemas", schema[0], "prod")["$id"] == schema[0]
    assert emulator.stats()["total"] == 0


@pytest.mark.parametrize(
    ("method", "written", "read", "forgotten"),
    [
        ("PATCH", "/c/one", "/c/one", True),  # the object itself
        ("PATCH", "/c/one", "/c", True),  # a listing of its collection
        ("PATCH", "/c/one", "/c/two", False),  # another object
        ("DELETE", "/c/one", "/c/one/part", True),  # something under it
        ("POST", "/c", "/c", True),  # a new object: the listings change
        ("POST", "/c", "/c/one", False),  # ... the objects beside it do not
        ("POST", "/c/one/action", "/c/one", True),  # an action on the object
    ],
)
def test_a_write_forgets_the_reads_it_may_change(
    settings: Settings, method: str, written: str, read: str, forgotten: bool
) -> None:
    client = lookup_client(settings)
    key = READS.key(client, read, "prod", None, None)
    READS.put(key, ApiResponse(200, {"kept": True}))
    READS.forget(settings.endpoint, settings.org_id, written, below=method != "POST")
    assert (READS.get(key) is None) is forgotten


def test_a_deleted_object_is_looked_up_again(
    settings: Settings, client: AEPClient, configured: Callable[..., Any], schema: Made, emulator: EmulatorHandle
) -> None:
    provider = configured(DatasetProvider)
    made = provider.create(checked(provider, {"name": "Gone soon", "schema_id": schema[0]}))
    path = f"{DATASETS}/{made.id}"
    assert lookup_client(settings).get(path, sandbox="prod")  # answered by the create's read-back
    client.delete(path, sandbox="prod")
    emulator.clear_stats()
    assert lookup_client(settings).get(path, sandbox="prod") is None
    assert emulator.calls("GET") == 1


def test_check_after_create_reads_nothing_the_create_already_read(
    configured: Callable[..., Any], emulator: EmulatorHandle
) -> None:
    """A source connection's check looks its base connection up: the base's create read it back already."""
    provider = configured(BaseConnectionProvider)
    made = provider.create(checked(provider, {"name": "Lake", "connection_spec_id": specs.DATA_LAKE}))
    emulator.clear_stats()
    assert get_object(lookup_client(provider.settings), "connections", made.id, "prod")["id"] == made.id
    assert emulator.stats()["total"] == 0


# --- marker look-ups ------------------------------------------------------------------------------------


def test_dataset_marker_look_ups_are_one_listing_per_process(
    configured: Callable[..., Any], schema: Made, emulator: EmulatorHandle
) -> None:
    provider = configured(DatasetProvider)
    emulator.clear_stats()
    for name in ("one", "two", "three"):
        provider.create(checked(provider, {"name": name, "schema_id": schema[0], "resource_marker": marker(name)}))
    assert calls_to(emulator, "GET", DATASETS) == 1


def test_a_dataset_left_by_an_earlier_process_is_found_in_the_listing(
    configured: Callable[..., Any], schema: Made, emulator: EmulatorHandle
) -> None:
    provider = configured(DatasetProvider)
    news = checked(provider, {"name": "left", "schema_id": schema[0], "resource_marker": marker("left")})
    first = provider.create(news)  # its answer is lost; the command ends
    forget_platform_objects()  # a new provider process
    provider.create(checked(provider, {"name": "other", "schema_id": schema[0], "resource_marker": marker("o")}))
    assert provider.create(news).id == first.id  # the listing the other create made holds it
    assert len(emulator.objects("catalog.dataSets")) == 2


def test_flow_service_marker_look_ups_are_one_listing_per_collection(
    configured: Callable[..., Any], emulator: EmulatorHandle
) -> None:
    provider = configured(BaseConnectionProvider)
    emulator.clear_stats()
    for name in ("a", "b", "c"):
        provider.create(checked(provider, {
            "name": f"Lake {name}", "connection_spec_id": specs.DATA_LAKE, "resource_marker": marker(name),
        }))  # fmt: skip
    listing = f"{FLOW_SERVICE}/<any(connections, sourceConnections, targetConnections, flows):resource>"
    assert calls_to(emulator, "GET", listing) == 1
    assert calls_to(emulator, "POST", listing) == 3


def test_a_schema_create_with_a_free_title_looks_for_no_marker(
    configured: Callable[..., Any], emulator: EmulatorHandle
) -> None:
    provider = configured(SchemaProvider)
    news = checked(provider, {"title": "Budget people", "class_id": PROFILE_CLASS, "resource_marker": marker("s")})
    emulator.clear_stats()
    made = provider.create(news)
    assert made.outs["schema_id"] and made.outs["version"]
    # One POST and its answer: no title listing before it, no read-back after it (descriptors included).
    assert [(row["method"], row["route"]) for row in emulator.stats()["calls"] if not row["route"].startswith("/ims")] == [
        ("POST", "/data/foundation/schemaregistry/tenant/<any(schemas,fieldgroups,mixins,classes,datatypes):collection>")
    ]
    assert provider.create(news).id == made.id  # the title clash leads to the marked schema


def test_a_profile_schema_with_an_identity_is_not_read_back(
    configured: Callable[..., Any], emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = configured(SchemaProvider)
    news = checked(provider, {
        "title": "Budget profiles", "class_id": PROFILE_CLASS,
        "field_groups": ["https://ns.adobe.com/xdm/context/profile-personal-details"],
        "primary_identity": {"field_path": "personalEmail.address", "namespace": "Email"},
        "profile_enabled": True, "resource_marker": marker("p"),
    })  # fmt: skip
    monkeypatch.setattr(provider, "read_object", lambda *_: pytest.fail("read back"))
    emulator.clear_stats()
    made = provider.create(news)
    assert made.outs["primary_identity_descriptor_id"] and made.outs["profile_enabled"] is True
    assert emulator.calls("POST", "/schemaregistry/") == 2 and emulator.calls("PATCH") == 1
    tenant = f"{SCHEMA_REGISTRY}/tenant/<any(schemas,fieldgroups,mixins,classes,datatypes):collection>"
    assert calls_to(emulator, "GET", f"{tenant}/<path:resource_id>") == 0
    assert emulator.calls("GET", "descriptors") == 0


# --- flows ----------------------------------------------------------------------------------------------


def test_a_new_flow_is_not_read_again_after_its_wait(
    configured: Callable[..., Any], kinesis_source: Made, target: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = configured(DataflowProvider)
    news = checked(provider, {
        "name": "Budget flow", "flow_spec_id": specs.STREAMING_FLOW,
        "source_connection_ids": [kinesis_source[0]], "target_connection_ids": [target[0]],
    })  # fmt: skip
    monkeypatch.setattr(provider, "read_object", lambda *_: pytest.fail("read back after the wait"))
    made = provider.create(news)
    assert made.outs["state"] == "enabled" and made.outs["etag"]


def test_a_flow_spec_listed_once_is_not_read_by_id(client: AEPClient, emulator: EmulatorHandle) -> None:
    (joining,) = specs.flow_specs_joining(client, specs.AMAZON_S3, specs.DATA_LAKE, "prod")
    emulator.clear_stats()
    assert specs.flow_spec(client, joining["id"], "prod") == joining
    assert emulator.stats()["total"] == 0


# --- converged previews -----------------------------------------------------------------------------


@pytest.mark.parametrize("made", ["target", "dataset", "kinesis_source"])
def test_a_check_of_the_inputs_last_deployed_asks_the_platform_nothing(
    made: str, request: pytest.FixtureRequest, configured: Callable[..., Any], emulator: EmulatorHandle
) -> None:
    """A converged preview: every input as in state. Look-ups ran when these inputs were deployed."""
    providers = {"target": TargetConnectionProvider, "dataset": DatasetProvider, "kinesis_source": SourceConnectionProvider}
    provider = configured(providers[made])
    _, outputs = request.getfixturevalue(made)
    inputs = program_inputs(provider, outputs)
    provider.check({}, inputs)  # the sandbox is judged once per process
    forget_platform_objects()  # nothing else read yet
    emulator.clear_stats()
    assert not provider.check(inputs, inputs).failures
    assert emulator.stats()["total"] == 0
    forget_platform_objects()
    provider.check(inputs, {**inputs, "name": "Renamed"})  # a changed input: looked up as before
    assert emulator.calls("GET") > 0
