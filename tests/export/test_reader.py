"""Reading a sandbox over real HTTP against the emulator: every object the seed made by hand, through the
listings and their paging, only with GETs, and only from the sandbox asked for."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider.client import AEPClient
from aep_provider.export import build_program, reader
from aep_provider.export.errors import ExportError
from aep_provider.export.reader import READ_STEPS, read_inventory
from aep_provider.schema import PRIMARY_DESCRIPTOR
from aep_provider.settings import SOURCES, Settings

from .seed import CATALOG, MAPPING_SETS, XED, XED_FULL, call, seed_workflows


@pytest.fixture(autouse=True)
def no_aep_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for source in SOURCES:
        monkeypatch.delenv(source.env_var, raising=False)


@pytest.fixture
def client(emulator: EmulatorHandle) -> AEPClient:
    cfg = emulator.config
    return AEPClient(Settings(endpoint=emulator.base_url, ims_endpoint=emulator.base_url, client_id=cfg.client_id,
                              client_secret=cfg.client_secret, org_id=cfg.org_id))  # fmt: skip


def ids(objects: list[dict[str, Any]], key: str = "id") -> set[str]:
    return {str(o[key]) for o in objects}


def test_reads_every_object_the_seed_made_with_gets_only(emulator: EmulatorHandle, client: AEPClient) -> None:
    made = seed_workflows(emulator, "dev")
    seed_workflows(emulator, "stage", prefix="Elsewhere")  # another sandbox's objects stay out
    emulator.clear_stats()
    steps: list[tuple[str, int]] = []

    found = read_inventory(client, "dev", lambda step, count: steps.append((step, count)))

    streaming, parquet = made["streaming"], made["parquet"]
    assert ids(found.namespaces) == {made["namespace"]["id"]}
    assert ids(found.field_groups, "$id") == {streaming["field_group"]}
    assert ids(found.schemas, "$id") == {streaming["schema"], parquet["schema"]}
    assert ids(found.descriptors, "@id") == {streaming["primary"], streaming["email_identity"]}
    assert ids(found.datasets) == {streaming["dataset"], parquet["dataset"]}
    assert ids(found.base_connections) == {streaming["kinesis"], parquet["s3"], parquet["dataset_base"]}
    assert ids(found.source_connections) == {streaming["source"], parquet["source"]}
    assert ids(found.target_connections) == {streaming["target"], parquet["target"]}
    assert ids(found.mapping_sets) == {streaming["mapping"]}
    assert ids(found.flows) == {streaming["flow"], parquet["flow"]}
    assert found.tenant == "emulator"
    # The schema carries its primary identity as SchemaProvider.read_object attaches it.
    members = next(s for s in found.schemas if s["$id"] == streaming["schema"])
    assert members[PRIMARY_DESCRIPTOR]["@id"] == streaming["primary"]
    # Every connector's spec, for its auth spec (which params are secrets).
    assert set(found.connection_specs) == {c["connectionSpec"]["id"] for c in found.base_connections}
    assert [step for step, _ in steps] == list(READ_STEPS)
    assert sum(count for _, count in steps) == found.object_count() + len(found.connection_specs)
    assert {row["method"] for row in emulator.stats()["calls"] if not row["route"].startswith("/ims/")} == {"GET"}


def test_listings_are_followed_past_one_page(
    emulator: EmulatorHandle, client: AEPClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = seed_workflows(emulator, "dev")["streaming"]
    for number in range(4):
        call(emulator, "POST", CATALOG, "dev", {"name": f"extra {number}", "schemaRef": {"id": made["schema"],
             "contentType": XED}})  # fmt: skip
        call(emulator, "POST", MAPPING_SETS, "dev", {
            "outputSchema": {"schemaRef": {"id": made["schema"], "contentType": XED_FULL}},
            "mappings": [{"sourceType": "ATTRIBUTE", "source": f"f{number}", "destination": "person.name.firstName"}],
        })  # fmt: skip
    # Pages of 2: Catalog and Data Prep page by start/limit.
    monkeypatch.setattr(reader, "CATALOG_PAGE", 2)
    monkeypatch.setattr(reader, "DATA_PREP_PAGE", 2)
    emulator.clear_stats()

    found = read_inventory(client, "dev")

    assert len(found.datasets) == 6 and len(ids(found.datasets)) == 6  # the seed's two and four more
    assert len(found.mapping_sets) == 5 and len(ids(found.mapping_sets)) == 5
    assert emulator.calls("GET", "/dataSets") == 4  # three full pages, then an empty one ends it
    assert emulator.calls("GET", "/mappingSets") == 3  # the third page is short (and has no next link)


@pytest.fixture
def many_registry_resources(emulator: EmulatorHandle) -> Iterator[int]:
    """More field groups than the Schema Registry's page (300, help/xdm/api/appendix.md): the next page
    is at _links.next.href."""
    count = 305
    for number in range(count):
        call(emulator, "POST", "/data/foundation/schemaregistry/tenant/fieldgroups", "dev", {
            "type": "object", "title": f"Group {number:03d}", "meta:intendedToExtend": ["https://ns.adobe.com/xdm/context/profile"],
            "definitions": {"d": {"type": "object", "properties": {"_emulator": {"type": "object", "properties": {
                f"f{number}": {"type": "string"}}}}}},
            "allOf": [{"$ref": "#/definitions/d"}],
        }, headers={"Accept": XED})  # fmt: skip
    yield count


def test_schema_registry_listing_follows_the_next_link(
    emulator: EmulatorHandle, client: AEPClient, many_registry_resources: int
) -> None:
    emulator.clear_stats()
    found = reader.registry_resources(client, "fieldgroups", "dev")
    assert len(ids(found, "$id")) == many_registry_resources
    assert emulator.calls("GET", "/tenant/") == 2


def test_an_empty_sandbox_exports_an_empty_program(emulator: EmulatorHandle, client: AEPClient) -> None:
    program = build_program(read_inventory(client, "dev"))
    assert program.resources == () and program.unmanaged == () and program.secrets == ()
    compile(program.source, "__main__.py", "exec")


def test_a_sandbox_not_active_yet_is_refused(emulator: EmulatorHandle, client: AEPClient) -> None:
    call(emulator, "POST", "/data/foundation/sandbox-management/sandboxes", "prod",
         {"name": "fresh", "title": "Fresh", "type": "development"})  # fmt: skip
    with pytest.raises(ExportError, match="'fresh' is creating, not active"):
        read_inventory(client, "fresh")
    with pytest.raises(ExportError, match="'nosuch' does not exist"):
        read_inventory(client, "nosuch")
