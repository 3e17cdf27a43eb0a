"""Catalog Service emulation over real HTTP: datasets (create, read, list/filter, update, delete) and
read-only batches, with AEP's answers and error cases (aep-api.md §4, §10 items 21-30)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
import yaml

from aep_emulator.catalog import models as catalog
from aep_emulator.core.context import sandbox_id
from aep_emulator.testing import EmulatorHandle
from tests.emulator.helpers import assert_problem_error, in_app
from tests.emulator.xdm_schemas import SchemaFactory, xdm_schemas  # noqa: F401 (fixture)
from tests.shared_refs import require_shared

BASE = "/data/foundation/catalog"
REGISTRY = "/data/foundation/schemaregistry"
EXPERIENCE_EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
# Tags Catalog adds to every new dataset (platform-learn.en module5.1/ex8.md shows them on a dataset GET).
PLATFORM_TAGS = {
    "adobe/siphon/table/format": ["delta"],
    "aep/siphon/partitions": ["_ACP_DATE", "_ACP_BATCHID"],
    "acp_validationContext": ["enabled"],
    "acp_granular_validation_flags": ["requiredFieldCheck:enabled"],
}
ENABLED_AT = re.compile(r"^enabledAt:\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATASET_REF = re.compile(r"^@/dataSets/([0-9a-f]{24})$")
JSON_PATCH = "application/json-patch+json"
XED = "application/vnd.adobe.xed+json;version=1"


# --- helpers ------------------------------------------------------------------------------------


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    return emu.request(method, BASE + path, **kwargs)


def dataset_body(schema: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": fields.pop("name", "Loyalty members")}
    if schema is not None:
        body["schemaRef"] = {"id": schema["$id"], "contentType": XED}
    body.update(fields)
    return body


def create(emu: EmulatorHandle, body: Any, sandbox: str = "prod", **kwargs: Any) -> str:
    answer = call(emu, "POST", "/dataSets", sandbox=sandbox, json=body, **kwargs)
    assert answer.status_code == 201, answer.text
    return DATASET_REF.match(answer.json()[0]).group(1)


def read(emu: EmulatorHandle, dataset_id: str, sandbox: str = "prod") -> dict[str, Any]:
    answer = call(emu, "GET", f"/dataSets/{dataset_id}", sandbox=sandbox)
    assert answer.status_code == 200, answer.text
    return answer.json()[dataset_id]


def client_tags(dataset: dict[str, Any]) -> dict[str, list[str]]:
    """The dataset's tags without the ones Catalog adds by itself."""
    return {k: v for k, v in dataset["tags"].items() if k not in PLATFORM_TAGS and k != "adobe/pqs/table"}


def without_enabled_at(tags: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: [v for v in values if not ENABLED_AT.match(v)] for k, values in tags.items()}


def assert_catalog_error(answer: requests.Response, status: int, title: str | None = None) -> dict[str, Any]:
    """Catalog's error body: the generic problem shape, with no trace of the CAT-<n> codes it once had."""
    body = assert_problem_error(answer, status, title)
    assert "CAT-" not in answer.text
    return body


@pytest.fixture
def schema(xdm_schemas: SchemaFactory) -> dict[str, Any]:  # noqa: F811
    return xdm_schemas.create("prod")


@pytest.fixture
def union_schema(xdm_schemas: SchemaFactory) -> dict[str, Any]:  # noqa: F811
    return xdm_schemas.create("prod", union=True)


# --- create -------------------------------------------------------------------------------------


def test_create_answers_201_with_reference_and_location(emulator: EmulatorHandle, schema: dict) -> None:
    answer = call(emulator, "POST", "/dataSets", params={"requestDataSource": "true"}, json=dataset_body(schema))
    assert answer.status_code == 201
    [reference] = answer.json()
    dataset_id = DATASET_REF.match(reference).group(1)
    assert answer.headers["Location"].endswith(f"{BASE}/dataSets/{dataset_id}")


def test_read_shows_every_catalog_field_and_the_version_headers(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema, description="Members", tags={"team": ["crm"]}))
    answer = call(emulator, "GET", f"/dataSets/{dataset_id}")
    assert answer.status_code == 200
    assert list(answer.json()) == [dataset_id]
    dataset = answer.json()[dataset_id]
    cfg = emulator.config
    assert dataset["name"] == "Loyalty members" and dataset["description"] == "Members"
    assert dataset["imsOrg"] == cfg.org_id
    assert dataset["tags"] == {"team": ["crm"], "adobe/pqs/table": ["loyalty_members"], **PLATFORM_TAGS}
    assert dataset["classification"] == {"dataBehavior": "record", "managedBy": "CUSTOMER"}
    assert dataset["sandboxId"] == in_app(emulator, sandbox_id, (cfg.org_id, "prod"))
    assert dataset["version"] == "1.0.0"
    assert isinstance(dataset["created"], int) and dataset["created"] == dataset["updated"] > 1_600_000_000_000
    assert dataset["createdClient"] == cfg.client_id
    assert dataset["createdUser"] == dataset["updatedUser"] == f"{cfg.client_id}@AdobeID"
    assert re.fullmatch(r"[0-9a-f]{24}", dataset["viewId"])
    assert dataset["files"] == f"@/dataSetFiles?dataSetId={dataset_id}"
    assert dataset["schemaRef"] == {"id": schema["$id"], "contentType": XED}
    assert dataset["state"] == "DRAFT"
    assert dataset["fileDescription"] == {"persisted": True, "containerFormat": "parquet", "format": "parquet"}
    # help/catalog/api/appendix.md names the one header, E-Tag, holding the version.
    assert answer.headers["E-Tag"] == "1.0.0" and "ETag" not in answer.headers


@pytest.mark.parametrize(
    ("properties", "expected_keys"),
    [
        ("name,schemaRef", {"name", "schemaRef"}),
        ("name, version ,nothing", {"name", "version"}),
        ("nothing", set()),
    ],
)
def test_read_projects_properties(emulator: EmulatorHandle, schema: dict, properties: str, expected_keys: set) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    answer = call(emulator, "GET", f"/dataSets/{dataset_id}", params={"properties": properties})
    assert set(answer.json()[dataset_id]) == expected_keys
    assert answer.headers["E-Tag"] == "1.0.0"  # the version header does not depend on the projection


@pytest.mark.parametrize(
    "variant",
    [
        {"schemaRef": {"contentType": "application/vnd.adobe.xed-full+json;version=1"}},
        {"schemaRef": {"contentType": "application/vnd.adobe.xed-full-notext+json; version=1"}},
        {"tags": {"unifiedProfile": ["enabled:true"], "unifiedIdentity": ["enabled:true"]}, "union": True},
        {"tags": {"unifiedProfile": ["enabled: true", "isUpsert: true"]}, "union": True},
        {"tags": {"unifiedProfile": ["enabled:false"]}},
        # Legacy tags of the streaming tutorial: ordinary tags, no Profile rule.
        {"tags": {"identity": ["enabled:true"], "profile": ["enabled:true"]}},
        {"fileDescription": {"format": "csv", "delimiters": [","], "header": True, "charset": "UTF-8"}},
        {"fileDescription": {"format": "json"}},
        {"enableErrorDiagnostics": True, "observableSchema": {}, "dataSourceId": 7},
        {"description": "@ a description may start with an at sign"},
        {"noSchemaRef": True},
        {"legacySchemaUri": True},
    ],
    ids=lambda v: ",".join(sorted(v)),
)
def test_create_accepts(emulator: EmulatorHandle, xdm_schemas: SchemaFactory, variant: dict) -> None:  # noqa: F811
    variant = dict(variant)
    chosen = xdm_schemas.create("prod", union=variant.pop("union", False))
    body = dataset_body(chosen)
    if variant.pop("noSchemaRef", False):
        del body["schemaRef"]
    if variant.pop("legacySchemaUri", False):
        body["schema"] = body.pop("schemaRef")["id"]
    if "schemaRef" in variant:
        body["schemaRef"].update(variant.pop("schemaRef"))
    body.update(variant)
    dataset = read(emulator, create(emulator, body))
    for field, value in variant.items():
        if field == "tags":  # beside Catalog's own tags, and its enabledAt beside enabled:true
            assert without_enabled_at(client_tags(dataset)) == value
        else:
            assert dataset[field] == value
    if "schema" in body:  # the spec derives schemaRef from the legacy schema URI
        assert dataset["schemaRef"]["id"] == chosen["$id"]


def experience_event_schema(emulator: EmulatorHandle) -> dict[str, Any]:
    """A schema of the time-series ExperienceEvent class."""
    answer = emulator.request("POST", f"{REGISTRY}/tenant/schemas", json={
        "type": "object", "title": "Website events", "meta:class": EXPERIENCE_EVENT,
        "allOf": [{"$ref": EXPERIENCE_EVENT}],
    })  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.mark.parametrize(("time_series", "behavior"), [(False, "record"), (True, "time-series")])
def test_catalog_adds_its_own_tags_and_classification(
    emulator: EmulatorHandle, schema: dict, time_series: bool, behavior: str
) -> None:
    """platform-learn.en module5.1/ex8.md: a dataset GET carries Catalog's own tags, the table name
    derived from the dataset name, and ``classification`` (``time-series`` for an ExperienceEvent one)."""
    chosen = experience_event_schema(emulator) if time_series else schema
    name = "Demo System - Event Dataset for Website (Global v1.1)"
    dataset = read(emulator, create(emulator, dataset_body(chosen, name=name)))
    assert dataset["tags"] == {"adobe/pqs/table": ["demo_system_event_dataset_for_website_global_v1_1"], **PLATFORM_TAGS}
    assert dataset["classification"] == {"dataBehavior": behavior, "managedBy": "CUSTOMER"}


def test_a_client_value_of_a_platform_tag_wins(emulator: EmulatorHandle, schema: dict) -> None:
    """help/identity-service: an identity dataset is created with ``acp_validationContext: ["disabled"]``."""
    dataset = read(emulator, create(emulator, dataset_body(schema, tags={"acp_validationContext": ["disabled"]})))
    assert dataset["tags"]["acp_validationContext"] == ["disabled"]
    assert dataset["tags"]["acp_granular_validation_flags"] == ["requiredFieldCheck:enabled"]


def test_profile_enablement_is_stamped_once(emulator: EmulatorHandle, union_schema: dict) -> None:
    """``enabledAt:<time>`` beside ``enabled:true`` (ex8.md); later writes keep it, a re-enable re-stamps."""
    dataset_id = create(emulator, dataset_body(union_schema, tags={"unifiedProfile": ["enabled:true"]}))
    values = read(emulator, dataset_id)["tags"]["unifiedProfile"]
    assert values[0] == "enabled:true" and ENABLED_AT.match(values[1]) and len(values) == 2

    def patch(*operations: dict[str, Any]) -> list[str]:
        answer = call(emulator, "PATCH", f"/dataSets/{dataset_id}", json=list(operations),
                      headers={"Content-Type": JSON_PATCH})  # fmt: skip
        assert answer.status_code == 200, answer.text
        return read(emulator, dataset_id)["tags"].get("unifiedProfile", [])

    assert patch({"op": "add", "path": "/tags/team", "value": ["crm"]}) == values
    assert patch({"op": "add", "path": "/tags/unifiedProfile", "value": ["enabled:false"]}) == ["enabled:false"]
    again = patch({"op": "add", "path": "/tags/unifiedProfile", "value": ["enabled:true"]})
    assert again[0] == "enabled:true" and ENABLED_AT.match(again[1])


PROFILE_REFUSED = "To enable profile datasets the schema should be valid"


@pytest.mark.parametrize(
    ("change", "title", "detail_part"),
    [
        ({"name": None}, "Invalid field value", "name"),
        ({"name": 123}, "Invalid field value", "name"),
        ({"name": ""}, "Invalid field value", "name"),
        ({"drop": "name"}, "Invalid field value", "'name' is required"),
        ({"description": ["x"]}, "Invalid field value", "description"),
        ({"schemaRef": {"id": "https://ns.adobe.com/emulator/schemas/unknown", "contentType": XED}},
         "Schema not found", "unknown"),
        ({"schemaRef": "https://ns.adobe.com/emulator/schemas/x"}, "Invalid field value", "schemaRef"),
        ({"schemaRef": {"contentType": XED}}, "Invalid field value", "schemaRef.id"),
        ({"schemaRef": {"id": "{schema}", "contentType": "application/json"}}, "Invalid field value", "contentType"),
        ({"schemaRef": {"id": "{schema}", "contentType": "application/vnd.adobe.xed+json;version=2"}},
         "Invalid field value", "version=1"),
        ({"schemaRef": {"id": "{schema}"}}, "Invalid field value", "contentType"),
        ({"tags": {"team": "crm"}}, "Invalid field value", "tags.team"),
        ({"tags": {"team": [1]}}, "Invalid field value", "tags.team"),
        ({"tags": ["team"]}, "Invalid field value", "tags"),
        ({"tags": {"unifiedProfile": ["enabled:true"]}}, "Invalid schema for Profile", PROFILE_REFUSED),
        ({"tags": {"unifiedProfile": ["enabled: true"]}}, "Invalid schema for Profile", PROFILE_REFUSED),
        ({"fileDescription": {"format": "xml"}}, "Invalid field value", "fileDescription.format"),
        ({"fileDescription": {"delimiters": [";;"]}}, "Invalid field value", "delimiters"),
        ({"fileDescription": {"colour": "red"}}, "Unknown field", "fileDescription.colour"),
        ({"enableErrorDiagnostics": "yes"}, "Invalid field value", "enableErrorDiagnostics"),
        ({"dataSourceId": "7"}, "Invalid field value", "dataSourceId"),
        ({"colour": "red"}, "Unknown field", "colour"),
        ({"version": "1.0.0"}, "Read-only field", "version"),
        ({"created": 1}, "Read-only field", "created"),
        ({"files": "@/dataSetFiles?dataSetId=x"}, "Expandable field cannot be modified", "files"),
        ({"related": "@/batches/x"}, "Expandable field cannot be modified", "related"),
    ],
)  # fmt: skip
def test_create_refuses(emulator: EmulatorHandle, schema: dict, change: dict, title: str, detail_part: str) -> None:
    body = dataset_body(schema)
    change = dict(change)
    if "drop" in change:
        del body[change.pop("drop")]
    for key, value in change.items():
        if isinstance(value, dict) and value.get("id") == "{schema}":
            value = {**value, "id": schema["$id"]}
        body[key] = value
    error = assert_catalog_error(call(emulator, "POST", "/dataSets", json=body), 400, title)
    assert detail_part in error["detail"]
    assert call(emulator, "GET", "/dataSets").json() == {}


@pytest.mark.parametrize(
    ("data", "params"),
    [
        ("{not json", None),
        ("", None),
        ("[]", None),
        ('"a string"', None),
        ('{"name": NaN}', None),
        ('{"name": "x"}', {"requestDataSource": "maybe"}),
    ],
)
def test_create_refuses_malformed_requests(emulator: EmulatorHandle, data: str, params: dict | None) -> None:
    answer = call(emulator, "POST", "/dataSets", data=data, params=params)
    assert_catalog_error(answer, 400)


def test_validate_only_checks_without_saving(emulator: EmulatorHandle, schema: dict) -> None:
    pragma = {"Pragma": "validate-only"}
    answer = call(emulator, "POST", "/dataSets", json=dataset_body(schema), headers=pragma)
    assert (answer.status_code, answer.json()) == (200, [])
    assert call(emulator, "GET", "/dataSets").json() == {}
    refused = call(emulator, "POST", "/dataSets", json=dataset_body(schema, colour="red"), headers=pragma)
    assert_catalog_error(refused, 400, "Unknown field")

    dataset_id = create(emulator, dataset_body(schema))
    answer = call(emulator, "PATCH", f"/dataSets/{dataset_id}", json={"name": "renamed"}, headers=pragma)
    assert (answer.status_code, answer.json()) == (200, [])
    assert read(emulator, dataset_id)["name"] == "Loyalty members"
    assert read(emulator, dataset_id)["version"] == "1.0.0"


# --- sandboxes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sandbox", "status"), [(None, 400), ("no-such-sandbox", 404)])
def test_sandbox_header_is_required_and_must_exist(emulator: EmulatorHandle, sandbox: str | None, status: int) -> None:
    for method, path in [("GET", "/dataSets"), ("POST", "/dataSets"), ("GET", "/batches")]:
        answer = call(emulator, method, path, sandbox=sandbox, json={"name": "x"} if method == "POST" else None)
        assert_catalog_error(answer, status)


def test_sandboxes_are_isolated(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    prod_schema = xdm_schemas.create("prod")
    dataset_id = create(emulator, dataset_body(prod_schema))
    assert_catalog_error(call(emulator, "GET", f"/dataSets/{dataset_id}", sandbox="dev"), 404)
    assert call(emulator, "GET", "/dataSets", sandbox="dev").json() == {}
    assert call(emulator, "PATCH", f"/dataSets/{dataset_id}", sandbox="dev", json={"name": "x"}).status_code == 404
    assert call(emulator, "DELETE", f"/dataSets/{dataset_id}", sandbox="dev").json() == []
    # A schema of another sandbox does not exist here.
    refused = call(emulator, "POST", "/dataSets", sandbox="dev", json=dataset_body(prod_schema))
    assert_catalog_error(refused, 400, "Schema not found")
    assert read(emulator, dataset_id)["name"] == "Loyalty members"


# --- update -------------------------------------------------------------------------------------


def test_patch_json_merges_top_level_fields_and_bumps_the_version(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema, description="old", tags={"team": ["crm"]}))
    before = read(emulator, dataset_id)
    answer = call(emulator, "PATCH", f"/dataSets/{dataset_id}", json={"name": "renamed", "tags": {"owner": ["me"]}})
    assert (answer.status_code, answer.json()) == (200, [f"@/dataSets/{dataset_id}"])
    after = read(emulator, dataset_id)
    assert after["name"] == "renamed" and after["description"] == "old"
    assert after["tags"] == {"owner": ["me"]}  # nested objects are replaced whole
    assert after["version"] == "1.0.1"
    assert after["updated"] >= before["updated"] and after["created"] == before["created"]
    assert after["viewId"] == before["viewId"] and after["files"] == before["files"]
    call(emulator, "PATCH", f"/dataSets/{dataset_id}", json={"description": "new"})
    assert read(emulator, dataset_id)["version"] == "1.0.2"


def test_patch_json_patch_applies_rfc6902_operations(emulator: EmulatorHandle, union_schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(union_schema, description="old"))
    operations = [
        {"op": "add", "path": "/tags/unifiedProfile", "value": ["enabled:true", "isUpsert:true"]},
        {"op": "add", "path": "/tags/unifiedIdentity", "value": ["enabled:true"]},
        {"op": "remove", "path": "/description"},
    ]
    answer = call(emulator, "PATCH", f"/dataSets/{dataset_id}", json=operations, headers={"Content-Type": JSON_PATCH})
    assert (answer.status_code, answer.json()) == (200, [f"@/dataSets/{dataset_id}"])
    dataset = read(emulator, dataset_id)
    profile, enabled_at = dataset["tags"]["unifiedProfile"][:2], dataset["tags"]["unifiedProfile"][2]
    assert profile == ["enabled:true", "isUpsert:true"] and ENABLED_AT.match(enabled_at)
    assert dataset["tags"]["unifiedIdentity"] == ["enabled:true"]
    assert "description" not in dataset
    assert dataset["version"] == "1.0.1"


def test_patch_v2_deep_merges_and_creates_missing_parents(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema, tags={"team": ["crm"]}))
    changes = {"tags": {"owner": ["me"]}, "extensions": {"adobe_lakeHouse": {"rowExpiration": {"ttlValue": "P3Y"}}}}
    answer = call(emulator, "PATCH", f"/v2/dataSets/{dataset_id}", json=changes)
    assert (answer.status_code, answer.json()) == (200, [f"@/dataSets/{dataset_id}"])
    dataset = read(emulator, dataset_id)
    assert client_tags(dataset) == {"team": ["crm"], "owner": ["me"]}
    assert dataset["extensions"] == changes["extensions"]
    assert dataset["version"] == "1.0.1"


def test_put_replaces_every_writable_field(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema, description="old", tags={"team": ["crm"]}))
    before = read(emulator, dataset_id)
    answer = call(emulator, "PUT", f"/dataSets/{dataset_id}", json=dataset_body(schema, name="replaced"))
    assert (answer.status_code, answer.json()) == (200, [f"@/dataSets/{dataset_id}"])
    after = read(emulator, dataset_id)
    assert after["name"] == "replaced"
    assert "description" not in after and after["tags"] == {}
    assert (after["created"], after["viewId"], after["version"]) == (before["created"], before["viewId"], "1.0.1")


def test_a_read_body_can_be_written_back_unchanged(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    dataset = read(emulator, dataset_id)
    for method in ("PUT", "PATCH"):
        answer = call(emulator, method, f"/dataSets/{dataset_id}", json=read(emulator, dataset_id))
        assert answer.status_code == 200, answer.text
    assert read(emulator, dataset_id)["version"] == "1.0.2"
    assert read(emulator, dataset_id)["name"] == dataset["name"]


@pytest.mark.parametrize(
    ("method", "path_prefix", "body", "content_type", "status", "title"),
    [
        ("PATCH", "/dataSets", {"version": "9.9.9"}, None, 400, "Read-only field"),
        ("PATCH", "/dataSets", {"imsOrg": "OTHER@AdobeOrg"}, None, 400, "Read-only field"),
        ("PATCH", "/dataSets", {"files": "@/elsewhere"}, None, 400, "Expandable field cannot be modified"),
        ("PATCH", "/dataSets", [{"op": "replace", "path": "/files", "value": "x"}], JSON_PATCH, 400,
         "Expandable field cannot be modified"),
        ("PATCH", "/dataSets", [{"op": "remove", "path": "/name"}], JSON_PATCH, 400, "Invalid field value"),
        ("PATCH", "/dataSets", [{"op": "remove", "path": "/nothing"}], JSON_PATCH, 400, "Invalid JSON Patch"),
        ("PATCH", "/dataSets", [{"op": "jump", "path": "/name"}], JSON_PATCH, 400, "Invalid JSON Patch"),
        ("PATCH", "/dataSets", {"name": "x"}, JSON_PATCH, 400, "Invalid JSON Patch"),
        ("PATCH", "/dataSets", [{"op": "add", "path": "/tags/unifiedProfile", "value": ["enabled:true"]}],
         JSON_PATCH, 400, "Invalid schema for Profile"),
        ("PATCH", "/dataSets", {"tags": {"unifiedProfile": ["enabled: true"]}}, None, 400,
         "Invalid schema for Profile"),
        ("PATCH", "/dataSets", {"schemaRef": {"id": "https://ns.adobe.com/emulator/schemas/nope", "contentType": XED}},
         None, 400, "Schema not found"),
        ("PATCH", "/dataSets", {"colour": "red"}, None, 400, "Unknown field"),
        ("PATCH", "/dataSets", ["not", "an", "object"], None, 400, "Malformed request body"),
        ("PATCH", "/v2/dataSets", {"tags": {"team": "crm"}}, None, 400, "Invalid field value"),
        ("PATCH", "/v2/dataSets", [{"op": "remove", "path": "/name"}], JSON_PATCH, 400, "Malformed request body"),
        ("PUT", "/dataSets", {"description": "no name"}, None, 400, "Invalid field value"),
        ("PUT", "/dataSets", {"name": "x", "created": 5}, None, 400, "Read-only field"),
    ],
)  # fmt: skip
def test_updates_refuse(
    emulator: EmulatorHandle,
    schema: dict,
    method: str,
    path_prefix: str,
    body: Any,
    content_type: str | None,
    status: int,
    title: str,
) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    headers = {"Content-Type": content_type} if content_type else None
    answer = call(emulator, method, f"{path_prefix}/{dataset_id}", json=body, headers=headers)
    assert_catalog_error(answer, status, title)
    assert read(emulator, dataset_id)["version"] == "1.0.0"


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
@pytest.mark.parametrize(("if_match", "status"), [("1.0.0", 200), ('"1.0.0"', 200), ("1.0.7", 412), ('"2.0.0"', 412)])
def test_if_match_guards_updates(
    emulator: EmulatorHandle, schema: dict, method: str, if_match: str, status: int
) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    answer = call(emulator, method, f"/dataSets/{dataset_id}", json=dataset_body(schema, name="v2"),
                  headers={"If-Match": if_match})  # fmt: skip
    if status == 412:
        assert_catalog_error(answer, 412, "Precondition failed")
        assert read(emulator, dataset_id)["version"] == "1.0.0"
    else:
        assert answer.status_code == 200
        assert read(emulator, dataset_id)["version"] == "1.0.1"


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_updating_an_unknown_dataset_is_404(emulator: EmulatorHandle, method: str) -> None:
    assert_catalog_error(call(emulator, method, "/dataSets/0123456789abcdef01234567", json={"name": "x"}), 404)


# --- delete -------------------------------------------------------------------------------------


def test_delete_answers_the_reference_then_an_empty_list(emulator: EmulatorHandle, schema: dict) -> None:
    dataset_id = create(emulator, dataset_body(schema))
    first = call(emulator, "DELETE", f"/dataSets/{dataset_id}")
    assert (first.status_code, first.json()) == (200, [f"@/dataSets/{dataset_id}"])
    assert_catalog_error(call(emulator, "GET", f"/dataSets/{dataset_id}"), 404, "Not found")
    again = call(emulator, "DELETE", f"/dataSets/{dataset_id}")
    assert (again.status_code, again.json()) == (200, [])


# --- list and filters ---------------------------------------------------------------------------

LISTED = [
    dict(name="alpha", description="first", tags={"team": ["red"], "unifiedIdentity": ["enabled:true"]}),
    dict(name="beta", tags={"team": ["blue"]}),
    dict(name="gamma*star", description="third"),
    dict(name="Delta", description="fourth", enableErrorDiagnostics=True),
]


@pytest.fixture
def listed(emulator: EmulatorHandle, schema: dict) -> dict[str, str]:
    """Four datasets (name -> id); ``beta`` was patched once, so it is at version 1.0.1."""
    ids = {fields["name"]: create(emulator, dataset_body(schema, **fields)) for fields in LISTED}
    assert call(emulator, "PATCH", f"/dataSets/{ids['beta']}", json={"description": "second"}).status_code == 200
    return ids


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["alpha", "beta", "gamma*star", "Delta"]),
        ({"orderBy": "name"}, ["Delta", "alpha", "beta", "gamma*star"]),
        ({"orderBy": "asc:name"}, ["Delta", "alpha", "beta", "gamma*star"]),
        ({"orderBy": "desc:name"}, ["gamma*star", "beta", "alpha", "Delta"]),
        ({"orderBy": "desc:version,name"}, ["beta", "Delta", "alpha", "gamma*star"]),
        ({"orderBy": "enableErrorDiagnostics,desc:name"}, ["Delta", "gamma*star", "beta", "alpha"]),
        ({"limit": "2"}, ["alpha", "beta"]),
        ({"limit": "2", "start": "2"}, ["gamma*star", "Delta"]),
        ({"start": "4"}, []),
        ({"property": "name==beta"}, ["beta"]),
        ({"property": "name!=beta"}, ["alpha", "gamma*star", "Delta"]),
        ({"property": "name~^[a-c]"}, ["alpha", "beta"]),
        ({"property": "description"}, ["alpha", "beta", "gamma*star", "Delta"]),
        ({"property": "enableErrorDiagnostics"}, ["Delta"]),
        ({"property": "!enableErrorDiagnostics"}, ["alpha", "beta", "gamma*star"]),
        ({"property": "version>1.0.0"}, ["beta"]),
        ({"property": "version>=1.0.0"}, ["alpha", "beta", "gamma*star", "Delta"]),
        ({"property": "version<1.0.1"}, ["alpha", "gamma*star", "Delta"]),
        ({"property": "version<=1.0.1"}, ["alpha", "beta", "gamma*star", "Delta"]),
        ({"property": "created>0"}, ["alpha", "beta", "gamma*star", "Delta"]),
        ({"property": "enableErrorDiagnostics==true"}, ["Delta"]),
        ({"property": ["description", "name~a$"]}, ["alpha", "beta", "Delta"]),
        ({"property": ["description", "version==1.0.0", "name!=alpha"]}, ["gamma*star", "Delta"]),
        ({"name": "alpha"}, ["alpha"]),
        ({"name": "alpha,beta"}, ["alpha", "beta"]),
        ({"name": "!alpha"}, ["beta", "gamma*star", "Delta"]),
        ({"name": "!alpha,beta"}, ["gamma*star", "Delta"]),
        ({"name": "al*"}, ["alpha"]),
        ({"name": "b*eta"}, ["beta"]),  # a wildcard also matches nothing
        ({"name": "gamma**star"}, ["gamma*star"]),  # ** is a literal star
        ({"name": "gamma**"}, []),
        ({"description": "f*"}, ["alpha", "Delta"]),
        ({"version": "1.0.1"}, ["beta"]),
        ({"tags": "team:red"}, ["alpha"]),
        ({"tags": "team:*"}, ["alpha", "beta"]),
        ({"tags": "team:b*"}, ["beta"]),
        ({"tags": "team:*,unifiedIdentity:enabled:true"}, ["alpha"]),
        ({"tags": ["team:*", "team:blue"]}, ["beta"]),
        ({"tags": "owner:*"}, []),
        ({"createdAfter": "0"}, ["alpha", "beta", "gamma*star", "Delta"]),
        ({"createdBefore": "0"}, []),
        ({"name": "!beta", "orderBy": "desc:name", "limit": "2"}, ["gamma*star", "alpha"]),
    ],
)
def test_list_filters_orders_and_pages(
    emulator: EmulatorHandle, listed: dict[str, str], params: dict, expected: list
) -> None:
    answer = call(emulator, "GET", "/dataSets", params=params)
    assert answer.status_code == 200, answer.text
    by_id = {dataset_id: name for name, dataset_id in listed.items()}
    assert [by_id[dataset_id] for dataset_id in answer.json()] == expected
    for dataset_id, dataset in answer.json().items():
        assert dataset == read(emulator, dataset_id)


def test_list_defaults_to_twenty_and_allows_a_hundred(emulator: EmulatorHandle, schema: dict) -> None:
    for number in range(22):
        create(emulator, dataset_body(schema, name=f"dataset {number:02d}"))
    assert len(call(emulator, "GET", "/dataSets").json()) == 20
    assert len(call(emulator, "GET", "/dataSets", params={"limit": "100"}).json()) == 22
    # Paging parameters may also come as headers; the query string wins.
    assert len(call(emulator, "GET", "/dataSets", headers={"limit": "5"}).json()) == 5
    assert len(call(emulator, "GET", "/dataSets", params={"limit": "3"}, headers={"limit": "5"}).json()) == 3


def test_list_projects_properties(emulator: EmulatorHandle, listed: dict[str, str]) -> None:
    answer = call(emulator, "GET", "/dataSets", params={"properties": "name,enableErrorDiagnostics"})
    assert list(answer.json().values()) == [
        {"name": "alpha"}, {"name": "beta"}, {"name": "gamma*star"}, {"name": "Delta", "enableErrorDiagnostics": True}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "detail_part"),
    [
        ({"limit": "0"}, "between 1 and 100"),
        ({"limit": "101"}, "between 1 and 100"),
        ({"limit": "-5"}, "between 1 and 100"),
        ({"limit": "ten"}, "integer"),
        ({"start": "-1"}, "start"),
        ({"start": "x"}, "integer"),
        ({"orderBy": "up:name"}, "orderBy"),
        ({"orderBy": "desc:"}, "orderBy"),
        ({"property": "!name==alpha"}, "property"),
        ({"property": "name~[unclosed"}, "regular expression"),
        ({"tags": ":red"}, "tags"),
        ({"createdAfter": "yesterday"}, "integer"),
    ],
)
def test_list_refuses_bad_parameters(emulator: EmulatorHandle, params: dict, detail_part: str) -> None:
    error = assert_catalog_error(call(emulator, "GET", "/dataSets", params=params), 400, "Invalid query parameter")
    assert detail_part in error["detail"]


# --- batches ------------------------------------------------------------------------------------


def test_batches_written_by_the_emulator(emulator: EmulatorHandle, schema: dict) -> None:
    scope = (emulator.config.org_id, "prod")
    first, second = create(emulator, dataset_body(schema)), create(emulator, dataset_body(schema, name="other"))
    assert call(emulator, "GET", "/batches").json() == {}

    failed = in_app(emulator, catalog.add_batch, scope, first, "failed", record_count=10, failed_record_count=10,
                    errors=[{"code": "CONNECTOR-2001-500", "description": "parse error", "rows": []}])  # fmt: skip
    running = in_app(emulator, catalog.add_batch, scope, first, "processing")
    other = in_app(emulator, catalog.add_batch, scope, second, "success", record_count=3)
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", batch) for batch in (failed, running, other))

    assert list(call(emulator, "GET", "/batches").json()) == [failed, running, other]
    assert list(call(emulator, "GET", "/batches", params={"dataSet": first}).json()) == [failed, running]
    assert list(call(emulator, "GET", "/batches", params={"status": "success"}).json()) == [other]
    assert call(emulator, "GET", "/batches", sandbox="dev").json() == {}

    answer = call(emulator, "GET", f"/batches/{failed}")
    batch = answer.json()[failed]
    assert batch["status"] == "failed" and batch["relatedObjects"] == [{"type": "dataSet", "id": first}]
    assert batch["errors"][0]["code"] == "CONNECTOR-2001-500"
    assert (batch["recordCount"], batch["failedRecordCount"], batch["version"]) == (10, 10, "1.0.0")
    assert batch["completed"] >= batch["created"]
    assert answer.headers["E-Tag"] == "1.0.0"
    assert "completed" not in call(emulator, "GET", f"/batches/{running}").json()[running]
    assert read(emulator, first)["lastBatchId"] == running
    assert read(emulator, first)["lastFailedBatch"] == failed

    in_app(emulator, catalog.set_batch_status, scope, running, "success", record_count=5)
    finished = call(emulator, "GET", f"/batches/{running}").json()[running]
    assert (finished["status"], finished["recordCount"], finished["version"]) == ("success", 5, "1.0.1")
    assert read(emulator, first)["lastSuccessfulBatch"] == running
    assert read(emulator, first)["version"] == "1.0.0"  # ingestion bookkeeping is not a dataset edit

    assert_catalog_error(call(emulator, "GET", "/batches/01NOSUCHBATCH0000000000000"), 404)
    with pytest.raises(ValueError):
        in_app(emulator, catalog.add_batch, scope, first, "exploded")


# --- cross-service contract ---------------------------------------------------------------------


def test_contract_functions(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    scope = (emulator.config.org_id, "prod")
    used, unused = xdm_schemas.create("prod"), xdm_schemas.create("prod")
    by_id = create(emulator, dataset_body(used))
    by_alt_id = create(emulator, {"name": "alt", "schemaRef": {"id": used["meta:altId"], "contentType": XED}})
    create(emulator, dataset_body(unused))

    assert in_app(emulator, catalog.get_dataset, scope, by_id) == read(emulator, by_id)
    assert in_app(emulator, catalog.get_dataset, scope, "0123456789abcdef01234567") is None
    assert in_app(emulator, catalog.get_dataset, (scope[0], "dev"), by_id) is None
    for ref in (used["$id"], used["meta:altId"]):
        assert in_app(emulator, catalog.datasets_using_schema, scope, ref) == [by_id, by_alt_id]
    assert in_app(emulator, catalog.datasets_using_schema, (scope[0], "dev"), used["$id"]) == []


# --- the seed tutorials -------------------------------------------------------------------------


def test_streaming_seed_dataset_request(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    """The streaming tutorial's dataset: xed-full-notext content type, legacy identity/profile tags."""
    target = xdm_schemas.create("prod")
    body = {
        "name": "Test streaming dataset",
        "schemaRef": {"id": target["$id"], "contentType": "application/vnd.adobe.xed-full-notext+json; version=1"},
        "tags": {"identity": ["enabled:true"], "profile": ["enabled:true"]},
    }
    answer = call(emulator, "POST", "/dataSets", params={"requestDataSource": "true"}, json=body)
    assert answer.status_code == 201
    dataset_id = DATASET_REF.match(answer.json()[0]).group(1)
    dataset = read(emulator, dataset_id)
    assert dataset["schemaRef"] == body["schemaRef"] and client_tags(dataset) == body["tags"]


def test_batch_seed_dataset_request(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    """The cloud-storage tutorial's dataset, with its doubled quotes around the schema id corrected."""
    target = xdm_schemas.create("prod")
    body = {
        "name": "Leads Dataset 4f0c1a52-2a7e-4a4e-9d43-0b7f0a1c2d3e",
        "schemaRef": {"id": target["$id"], "contentType": "application/vnd.adobe.xed-full-notext+json; version=1"},
        "fileDescription": {"format": "parquet"},
    }
    answer = call(emulator, "POST", "/dataSets", params={"requestDataSource": "true"}, json=body)
    assert answer.status_code == 201
    dataset = read(emulator, DATASET_REF.match(answer.json()[0]).group(1))
    assert dataset["fileDescription"] == {"format": "parquet"}
    # The tutorial's defect as sent (quotes inside the id) names no schema.
    defective = {**body, "schemaRef": {**body["schemaRef"], "id": f'"{target["$id"]}"'}}
    assert_catalog_error(call(emulator, "POST", "/dataSets", json=defective), 400, "Schema not found")


# --- fidelity against Adobe's OpenAPI description -----------------------------------------------


def test_dataset_and_batch_objects_match_the_catalog_spec(emulator: EmulatorHandle, schema: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    spec = yaml.safe_load(require_shared("openapi", "catalog.yaml").read_text())

    def validator(component: str) -> Any:
        # OpenAPI 3.0 schemas are close enough to draft 4; refs resolve against the spec's components.
        return jsonschema.Draft4Validator(
            {"$ref": f"#/components/schemas/{component}", "components": spec["components"]}
        )

    dataset_id = create(emulator, dataset_body(schema, description="d", tags={"a": ["b"]}))
    batch = in_app(emulator, catalog.add_batch, (emulator.config.org_id, "prod"), dataset_id, "success")
    validator("dataSetResponse").validate(read(emulator, dataset_id))
    validator("batchResponse").validate(call(emulator, "GET", f"/batches/{batch}").json()[batch])
