"""Schema Registry RPCs (issue 13): export a schema with its field group and import it into another
sandbox (help/xdm/api/export.md, import.md), sample data, and the audit log (audit-log.md). Answers
are checked against schema-registry.yaml."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from tests.emulator.openapi_check import validate_response
from tests.emulator.xdm_schemas import SchemaFactory, xdm_schemas  # noqa: F401 (fixture)

BASE = "/data/foundation/schemaregistry"
XED = "application/vnd.adobe.xed+json;version=1"
PLACEHOLDER = "<XDM_TENANTID_PLACEHOLDER>"


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    answer = emu.request(method, BASE + path, **kwargs)
    validate_response(answer)
    return answer


def get(emu: EmulatorHandle, collection: str, resource_id: str, sandbox: str = "prod") -> requests.Response:
    return emu.request("GET", f"{BASE}/tenant/{collection}/{quote(resource_id, safe='')}", sandbox=sandbox,
                       headers={"Accept": XED})  # fmt: skip


def field_group_of(schema: dict[str, Any]) -> str:
    return next(ref["$ref"] for ref in schema["allOf"] if "/mixins/" in ref["$ref"])


def test_export_then_import_copies_a_schema_and_its_field_group(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    schema = xdm_schemas.create("prod")
    group_id = field_group_of(schema)
    exported = call(emulator, "GET", f"/rpc/export/{quote(schema['$id'], safe='')}").json()
    assert [item["meta:resourceType"] for item in exported] == ["mixins", "schemas"]  # dependencies first
    tenant = emulator.config.tenant_id
    assert all(PLACEHOLDER in item["$id"] and f"/{tenant}/" not in str(item) for item in exported)
    assert "meta:registryMetadata" not in exported[0] and exported[1]["meta:class"] == schema["meta:class"]
    assert call(emulator, "GET", f"/rpc/export/{schema['meta:altId']}").json() == exported  # altId works too

    assert get(emulator, "schemas", schema["$id"], sandbox="dev").status_code == 404
    answer = call(emulator, "POST", "/rpc/import", sandbox="dev", json=exported)
    assert answer.status_code == 200, answer.text
    imported = answer.json()
    assert [item["$id"] for item in imported] == [group_id, schema["$id"]]  # same ids, the tenant restored
    copy = get(emulator, "schemas", schema["$id"], sandbox="dev").json()
    assert copy["title"] == schema["title"] and copy["meta:sandboxId"] != schema["meta:sandboxId"]
    assert [r["$ref"] for r in copy["allOf"]] == [r["$ref"] for r in schema["allOf"]]
    assert get(emulator, "fieldgroups", group_id, sandbox="dev").status_code == 200
    # A second import of the same payload changes nothing.
    again = call(emulator, "POST", "/rpc/import", sandbox="dev", json=exported).json()
    assert [i["version"] for i in again] == [i["version"] for i in imported]


def test_an_import_refused_half_way_leaves_nothing(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    schema = xdm_schemas.create("prod")
    exported = call(emulator, "GET", f"/rpc/export/{quote(schema['$id'], safe='')}").json()
    # In dev, another schema already carries the title of the exported one, imported after its field group.
    exported[1]["title"] = xdm_schemas.create("dev")["title"]
    answer = call(emulator, "POST", "/rpc/import", sandbox="dev", json=exported)
    assert answer.status_code == 400
    body = answer.json()
    assert body["type"] == "http://ns.adobe.com/aep/errors/XDM-3005-400" and body["title"] == "Import Resource Failed"
    assert body["detail"].startswith("Failed to import resources. Error: ")
    assert get(emulator, "schemas", schema["$id"], sandbox="dev").status_code == 404
    assert get(emulator, "fieldgroups", field_group_of(schema), sandbox="dev").status_code == 404  # rolled back


@pytest.mark.parametrize("payload", [[], {"a": 1}, [{"meta:resourceType": "nonsense"}], [{"meta:resourceType": "schemas", "$id": "https://ns.adobe.com/other/schemas/1"}]])
def test_bad_import_payloads(emulator: EmulatorHandle, payload: Any) -> None:
    answer = call(emulator, "POST", "/rpc/import", json=payload)
    assert answer.status_code == 400 and answer.json()["title"] == "Import Resource Failed"


def test_export_of_an_unknown_resource_is_404(emulator: EmulatorHandle) -> None:
    answer = call(emulator, "GET", f"/rpc/export/_{emulator.config.tenant_id}.schemas.0123")
    assert answer.status_code == 404


def test_sample_data_follows_the_schema_fields(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    schema = xdm_schemas.create("prod")
    sample = call(emulator, "GET", f"/rpc/sampledata/{quote(schema['$id'], safe='')}").json()
    loyalty = sample[f"_{emulator.config.tenant_id}"]
    assert loyalty["loyaltyId"] == "Sample value" and loyalty["preferences"] == {} and loyalty["visits"] == [{"channel": "Sample value"}]
    assert call(emulator, "GET", f"/rpc/sampledata/_{emulator.config.tenant_id}.schemas.0123").status_code == 404


def test_audit_log_lists_changes_most_recent_first(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    schema = xdm_schemas.create("prod")
    group_id = field_group_of(schema)
    operations = [{"op": "replace", "path": "/description", "value": "Members of the loyalty programme"}]
    patched = emulator.request("PATCH", f"{BASE}/tenant/fieldgroups/{quote(group_id, safe='')}", json=operations)
    assert patched.status_code == 200, patched.text

    log = call(emulator, "GET", f"/rpc/auditlog/{quote(schema['$id'], safe='')}").json()
    newest = log[0]
    assert newest["id"] == group_id  # a change of a resource the schema builds on is in its log
    assert {"action": "replace", "path": "/description", "value": "Members of the loyalty programme"}.items() <= newest["auditTrails"][0].items()
    assert newest.keys() == {"id", "auditTrails", "updatedUser", "imsOrg", "updated", "clientId", "sandBoxId"}
    assert {e["id"] for e in log} == {schema["$id"], group_id}
    assert all(a["updated"] >= b["updated"] for a, b in zip(log, log[1:]))
    own = call(emulator, "GET", f"/rpc/auditlog/{quote(group_id, safe='')}").json()
    assert [e["id"] for e in own] == [group_id, group_id]
    assert call(emulator, "GET", f"/rpc/auditlog/_{emulator.config.tenant_id}.schemas.0123").status_code == 404
