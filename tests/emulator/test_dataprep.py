"""Data Prep emulation over real HTTP: versioned mapping sets in both body dialects, their read shape,
validation against the output schema, listing and errors (aep-api.md §6, §10 items 51-56)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from aep_emulator.dataprep import models as dataprep
from aep_emulator.testing import EmulatorHandle
from tests.emulator.helpers import assert_problem_error, in_app
from tests.emulator.xdm_schemas import SchemaFactory, xdm_schemas  # noqa: F401 (fixture)

BASE = "/data/foundation/conversion"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
XED_FULL = "application/vnd.adobe.xed-full+json;version=1"
SUMMARY_FIELDS = {"id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy"}


# --- helpers ------------------------------------------------------------------------------------


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    return emu.request(method, BASE + path, **kwargs)


def current_body(schema: dict[str, Any], *mappings: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A mapping set in the current dialect (``outputSchema`` + ``sourceType``/``source``/``destination``)."""
    default = (
        {"sourceType": "ATTRIBUTE", "source": "id", "destination": "_id", "name": "id", "description": "Identifier"},
        {"sourceType": "EXPRESSION", "source": "concat(first, ' ', last)", "destination": "person.name.fullName"},
        {"sourceType": "STATIC", "source": "gold", "destination": "_emulator.loyaltyId"},
    )
    return {
        "outputSchema": {"schemaRef": {"id": schema["$id"], "contentType": XED_FULL}},
        "mappings": list(mappings or default),
        **fields,
    }


def legacy_body(schema_ref: str) -> dict[str, Any]:
    """A mapping set in the legacy dialect the sources tutorials still use."""
    return {
        "version": 0,
        "xdmSchema": schema_ref,
        "xdmVersion": "1.0",
        "id": None,
        "mappings": [
            {"destinationXdmPath": "person.name.firstName", "sourceAttribute": "firstName", "identity": False,
             "identityGroup": None, "namespaceCode": None, "version": 0},
            {"destinationXdmPath": "personalEmail.address", "sourceAttribute": "email", "identity": True,
             "identityGroup": "mail", "namespaceCode": "Email", "version": 0},
        ],
    }  # fmt: skip


def create(emu: EmulatorHandle, body: Any, sandbox: str = "prod") -> dict[str, Any]:
    answer = call(emu, "POST", "/mappingSets", sandbox=sandbox, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def read(emu: EmulatorHandle, mapping_set_id: str, **params: Any) -> dict[str, Any]:
    answer = call(emu, "GET", f"/mappingSets/{mapping_set_id}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def schema(xdm_schemas: SchemaFactory) -> dict[str, Any]:  # noqa: F811
    return xdm_schemas.create("prod")


# --- create and read ----------------------------------------------------------------------------


def test_create_answers_200_with_the_short_representation(emulator: EmulatorHandle, schema: dict) -> None:
    answer = call(emulator, "POST", "/mappingSets", json=current_body(schema))
    assert answer.status_code == 200
    created = answer.json()
    assert set(created) == SUMMARY_FIELDS
    assert HEX32.match(created["id"]) and created["version"] == 0
    assert isinstance(created["createdDate"], int) and created["createdDate"] == created["modifiedDate"]
    assert created["createdBy"] == created["modifiedBy"] == emulator.config.client_id


def test_read_shows_both_dialects(emulator: EmulatorHandle, schema: dict) -> None:
    created = create(emulator, current_body(schema, name="Loyalty mapping"))
    mapping_set = read(emulator, created["id"])
    assert {k: mapping_set[k] for k in SUMMARY_FIELDS} == created
    assert mapping_set["name"] == "Loyalty mapping"
    fixed = ("status", "supportVersion", "xdmVersion", "strictMapping", "allowNullValues", "inputSchema")
    assert [mapping_set[k] for k in fixed] == ["PUBLISHED", "1.1", "1.0", False, False, None]
    schema_ref = {"id": schema["$id"], "contentType": XED_FULL}
    assert mapping_set["schemaRef"] == schema_ref and mapping_set["xdmSchema"] == schema["$id"]
    output = mapping_set["outputSchema"]
    assert HEX32.match(output["id"]) and output["version"] == 0
    assert (output["schemaRef"], output["jsonSchema"]) == (schema_ref, None)

    attribute, expression, static = mapping_set["mappings"]
    assert [m["sourceType"] for m in (attribute, expression, static)] == [
        "text/x.schema-path", "text/x.aep-xl", "text/plain"
    ]  # fmt: skip
    assert len({m["id"] for m in mapping_set["mappings"]}) == 3
    for mapping in (attribute, expression, static):
        assert HEX32.match(mapping["id"])
        assert mapping["sourceAttribute"] == mapping["source"]
        assert mapping["destinationXdmPath"] == mapping["destination"]
        assert (mapping["identity"], mapping["primaryIdentity"], mapping["matchScore"]) == (False, False, 0.0)
        assert (mapping["identityGroup"], mapping["namespaceCode"]) == (None, None)
        assert mapping["createdDate"] == created["createdDate"]
    assert (attribute["source"], attribute["destination"]) == ("id", "_id")
    assert (attribute["name"], attribute["description"]) == ("id", "Identifier")
    assert "name" not in expression and expression["source"] == "concat(first, ' ', last)"
    assert static["source"] == "gold"


def test_expand_schema_embeds_the_output_schema(emulator: EmulatorHandle, schema: dict) -> None:
    created = create(emulator, current_body(schema))
    for flag in ("true", "True"):
        assert read(emulator, created["id"], expandSchema=flag)["outputSchema"]["jsonSchema"]["$id"] == schema["$id"]
    assert read(emulator, created["id"], expandSchema="false")["outputSchema"]["jsonSchema"] is None
    assert_problem_error(call(emulator, "GET", f"/mappingSets/{created['id']}", params={"expandSchema": "yes"}), 400)


@pytest.mark.parametrize("reference", ["$id", "meta:altId"])
def test_legacy_body_is_stored_in_the_canonical_form(emulator: EmulatorHandle, schema: dict, reference: str) -> None:
    created = create(emulator, legacy_body(schema[reference]))
    assert set(created) == SUMMARY_FIELDS and created["version"] == 0
    mapping_set = read(emulator, created["id"])
    assert mapping_set["xdmSchema"] == mapping_set["outputSchema"]["schemaRef"]["id"] == schema["$id"]
    first, email = mapping_set["mappings"]
    assert (first["sourceType"], first["source"], first["destination"]) == (
        "text/x.schema-path", "firstName", "person.name.firstName"
    )  # fmt: skip
    assert (email["identity"], email["identityGroup"], email["namespaceCode"]) == (True, "mail", "Email")
    assert (email["sourceAttribute"], email["destinationXdmPath"]) == ("email", "personalEmail.address")


@pytest.mark.parametrize(
    "extra",
    [
        {"allowNullValues": True},
        {"tags": [{"name": "team", "values": ["crm"]}]},
        {"inputSchema": {"jsonSchema": {"type": "object"}}},
        {"name": "named"},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_optional_set_fields_are_kept(emulator: EmulatorHandle, schema: dict, extra: dict) -> None:
    mapping_set = read(emulator, create(emulator, current_body(schema, **extra))["id"])
    for key, value in extra.items():
        assert mapping_set[key] == value


def test_a_read_body_can_be_sent_back_with_current_source_types(emulator: EmulatorHandle, schema: dict) -> None:
    """Server-managed fields of a GET are ignored on PUT; source types must be sent in the enum form."""
    created = create(emulator, current_body(schema))
    body = read(emulator, created["id"])
    for mapping, source_type in zip(body["mappings"], ["ATTRIBUTE", "EXPRESSION", "STATIC"]):
        mapping["sourceType"] = source_type
    answer = call(emulator, "PUT", f"/mappingSets/{created['id']}", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 1


# --- validation ---------------------------------------------------------------------------------

# Field paths as the registry's schema_field_paths reports them: array children under the array's own
# path, map keys not listed.
FIELD_PATHS = {
    "_id": "string", "identityMap": "map", "person": "object", "person.name": "object",
    "person.name.firstName": "string", "_emulator": "object", "_emulator.loyaltyId": "string",
    "_emulator.preferences": "object", "_emulator.visits": "array", "_emulator.visits.channel": "string",
}  # fmt: skip
LONGEST_EXPRESSION = "concat(" + "a" * (dataprep.MAX_EXPRESSION_LENGTH - 8) + ")"


@pytest.mark.parametrize(
    "mapping",
    [
        {"sourceType": "ATTRIBUTE", "source": "channel", "destination": "_emulator.visits[0].channel"},
        {"sourceType": "ATTRIBUTE", "source": "mail", "destination": "identityMap.Email[0].id"},
        {"sourceType": "ATTRIBUTE", "source": "tier", "destination": "_emulator.preferences.tier"},
        {"sourceType": "EXPRESSION", "source": LONGEST_EXPRESSION, "destination": "person.name.fullName"},
        {"sourceType": "STATIC", "source": "", "destination": "_emulator.loyaltyId"},
        {"source": "id", "destination": "_id"},
    ],
    ids=["array-index", "map-key", "open-object", "4096-char-expression", "empty-constant", "default-source-type"],
)
def test_create_accepts_mapping(emulator: EmulatorHandle, schema: dict, mapping: dict) -> None:
    created = create(emulator, current_body(schema, mapping))
    assert read(emulator, created["id"])["mappings"][0]["destination"] == mapping["destination"]


@pytest.mark.parametrize(
    ("body_change", "title", "detail_part"),
    [
        ({"mappings": [{"sourceType": "ATTRIBUTE", "source": "x", "destination": "person.nickname"}]},
         "Invalid mapping set", "'person.nickname' does not exist"),
        ({"mappings": [{"sourceType": "ATTRIBUTE", "source": "x", "destination": "person.name.middle.initial"}]},
         "Invalid mapping set", "does not exist"),
        ({"mappings": [{"sourceType": "ATTRIBUTE", "source": "a", "destination": "_id"},
                       {"sourceType": "EXPRESSION", "source": "lower(b)", "destination": "_id"}]},
         "Invalid mapping set", "mapped more than once"),
        ({"mappings": [{"sourceType": "EXPRESSION", "source": "x" * 4097, "destination": "_id"}]},
         "Invalid mapping set", "longer than 4096"),
        ({"mappings": [{"sourceType": "COLUMN", "source": "x", "destination": "_id"}]},
         "Invalid mapping set", "sourceType"),
        ({"mappings": [{"sourceType": "text/x.schema-path", "source": "x", "destination": "_id"}]},
         "Invalid mapping set", "sourceType"),
        ({"mappings": [{"sourceType": "ATTRIBUTE", "source": "x"}]}, "Invalid mapping set", "destination"),
        ({"mappings": [{"sourceType": "ATTRIBUTE", "destination": "_id"}]}, "Invalid mapping set", "source"),
        ({"mappings": [{"sourceType": "ATTRIBUTE", "source": "", "destination": "_id"}]},
         "Invalid mapping set", "source"),
        ({"mappings": [{"source": "a", "sourceAttribute": "b", "destination": "_id"}]},
         "Invalid mapping set", "disagree"),
        ({"mappings": [{"source": "a", "destination": "_id", "colour": "red"}]},
         "Invalid mapping set", "Unknown field 'mappings[0].colour'"),
        ({"mappings": [{"source": 5, "destination": "_id"}]}, "Invalid mapping set", "mappings[0].source"),
        ({"mappings": [{"source": "a", "destination": "_id", "identity": "yes"}]}, "Invalid mapping set", "identity"),
        ({"mappings": "none"}, "Invalid mapping set", "mappings"),
        ({"mappings": None}, "Invalid mapping set", "mappings"),
        ({"drop": "mappings"}, "Invalid mapping set", "'mappings' is required"),
        ({"drop": "outputSchema"}, "Invalid mapping set", "xdmSchema"),
        ({"outputSchema": {"schemaRef": {"id": "https://ns.adobe.com/emulator/schemas/nope"}}},
         "Schema not found", "nope"),
        ({"outputSchema": {"schemaRef": {"contentType": XED_FULL}}},
         "Invalid mapping set", "outputSchema.schemaRef.id"),
        ({"xdmSchema": "{other}"}, "Invalid mapping set", "different schemas"),
        ({"colour": "red"}, "Invalid mapping set", "Unknown field 'colour'"),
        ({"allowNullValues": "true"}, "Invalid mapping set", "allowNullValues"),
    ],
)  # fmt: skip
def test_create_refuses(
    emulator: EmulatorHandle,
    xdm_schemas: SchemaFactory,  # noqa: F811
    schema: dict,
    body_change: dict,
    title: str,
    detail_part: str,
) -> None:
    body = current_body(schema)
    change = dict(body_change)
    if "drop" in change:
        del body[change.pop("drop")]
    if change.get("xdmSchema") == "{other}":
        change["xdmSchema"] = xdm_schemas.create("prod")["$id"]
    body.update(change)
    error = assert_problem_error(call(emulator, "POST", "/mappingSets", json=body), 400, title)
    assert detail_part in error["detail"]
    assert call(emulator, "GET", "/mappingSets", params={"limit": 10, "start": 0}).json()["data"] == []


@pytest.mark.parametrize(
    ("data", "params"),
    [("{oops", None), ("", None), ("[]", None), ("42", None), ('{"mappings": []}', {"validate": "maybe"})],
)
def test_create_refuses_malformed_requests(emulator: EmulatorHandle, data: str, params: dict | None) -> None:
    assert_problem_error(call(emulator, "POST", "/mappingSets", data=data, params=params), 400)


@pytest.mark.parametrize("flag", ["true", "True", "false", "False"])
def test_validate_flag_is_accepted_in_any_case(emulator: EmulatorHandle, schema: dict, flag: str) -> None:
    # aepp sends Python's str(bool); every create is validated either way.
    answer = call(emulator, "POST", "/mappingSets", params={"validate": flag}, json=current_body(schema))
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("destination", "expected"),
    [
        ("person.name.firstName", True),
        ("_id", True),
        ("person", True),
        ("_emulator.visits[3].channel", True),
        ("_emulator.visits[].channel", True),
        ("identityMap.Email[0].id", True),
        ("_emulator.preferences.anything.below", True),
        ("person.name.nick", False),
        ("person.nick.name", False),
        ("_emulator.visits.price", False),
        ("unknown", False),
        ("_emulator.loyaltyId.sub", False),
    ],
)
def test_destination_paths_against_schema_fields(destination: str, expected: bool) -> None:
    assert dataprep.destination_in_schema(destination, FIELD_PATHS) is expected


def test_validate_endpoint_reports_per_mapping(emulator: EmulatorHandle, schema: dict) -> None:
    body = current_body(
        schema,
        {"sourceType": "ATTRIBUTE", "source": "id", "destination": "_id"},
        {"sourceType": "ATTRIBUTE", "source": "x", "destination": "person.nickname"},
        {"sourceType": "EXPRESSION", "source": "y" * 5000, "destination": "_id"},
    )
    answer = call(emulator, "POST", "/mappingSets/validate", json=body)
    assert answer.status_code == 200
    ok, unknown, long_duplicate = answer.json()["validationResponse"]
    assert ok == {"status": "SUCCESS", "errors": None}
    assert unknown["status"] == "FAILED"
    assert unknown["errors"] == [{
        "source": "x", "destination": "person.nickname", "columnName": "x", "sourceType": "ATTRIBUTE",
        "exception": f"Destination 'person.nickname' does not exist in schema '{schema['$id']}'",
    }]  # fmt: skip
    assert long_duplicate["status"] == "FAILED" and len(long_duplicate["errors"]) == 2
    assert call(emulator, "GET", "/mappingSets", params={"limit": 10, "start": 0}).json()["data"] == []
    refused = call(emulator, "POST", "/mappingSets/validate", json={"xdmSchema": "nope", "mappings": []})
    assert_problem_error(refused, 400, "Schema not found")


# --- versions -----------------------------------------------------------------------------------


def test_put_makes_a_new_version_and_keeps_the_old_one(emulator: EmulatorHandle, schema: dict) -> None:
    created = create(emulator, current_body(schema))
    version0 = read(emulator, created["id"])
    new_mappings = [{"sourceType": "ATTRIBUTE", "source": "uid", "destination": "_id"}]
    answer = call(emulator, "PUT", f"/mappingSets/{created['id']}", json=current_body(schema, *new_mappings))
    assert answer.status_code == 200
    version1 = answer.json()
    assert version1 == read(emulator, created["id"])
    assert (version1["id"], version1["version"]) == (created["id"], 1)
    assert (version1["createdDate"], version1["createdBy"]) == (created["createdDate"], created["createdBy"])
    assert version1["modifiedDate"] >= created["modifiedDate"]
    assert [m["source"] for m in version1["mappings"]] == ["uid"]
    assert not {m["id"] for m in version1["mappings"]} & {m["id"] for m in version0["mappings"]}
    assert read(emulator, created["id"], version=0) == version0

    legacy_update = call(emulator, "PUT", f"/mappingSets/{created['id']}", json=legacy_body(schema["meta:altId"]))
    assert legacy_update.json()["version"] == 2
    assert read(emulator, created["id"], version="1") == version1


@pytest.mark.parametrize(
    ("version", "status"), [("0", 200), ("1", 404), ("99", 404), ("-1", 400), ("one", 400), ("1.5", 400)]
)
def test_read_by_version(emulator: EmulatorHandle, schema: dict, version: str, status: int) -> None:
    created = create(emulator, current_body(schema))
    answer = call(emulator, "GET", f"/mappingSets/{created['id']}", params={"version": version})
    if status == 200:
        assert answer.json()["version"] == 0
    else:
        assert_problem_error(answer, status)


def test_a_refused_put_keeps_the_current_version(emulator: EmulatorHandle, schema: dict) -> None:
    created = create(emulator, current_body(schema))
    bad = current_body(schema, {"sourceType": "ATTRIBUTE", "source": "x", "destination": "nowhere"})
    assert_problem_error(call(emulator, "PUT", f"/mappingSets/{created['id']}", json=bad), 400, "Invalid mapping set")
    assert read(emulator, created["id"])["version"] == 0
    unknown = call(emulator, "PUT", f"/mappingSets/{'0' * 32}", json=current_body(schema))
    assert_problem_error(unknown, 404, "Not found")


# --- mappings, list, delete ---------------------------------------------------------------------


def test_mappings_endpoints(emulator: EmulatorHandle, schema: dict) -> None:
    created = create(emulator, current_body(schema))
    mappings = call(emulator, "GET", f"/mappingSets/{created['id']}/mappings").json()
    assert mappings == read(emulator, created["id"])["mappings"]
    first = mappings[0]
    assert call(emulator, "GET", f"/mappingSets/{created['id']}/mappings/{first['id']}").json() == first
    # Ids of an older version still resolve after a PUT regenerated them.
    call(emulator, "PUT", f"/mappingSets/{created['id']}", json=current_body(schema))
    assert call(emulator, "GET", f"/mappingSets/{created['id']}/mappings/{first['id']}").json() == first
    assert_problem_error(call(emulator, "GET", f"/mappingSets/{created['id']}/mappings/{'f' * 32}"), 404)
    assert_problem_error(call(emulator, "GET", f"/mappingSets/{'f' * 32}/mappings"), 404)


def test_list_pages_filters_and_orders(emulator: EmulatorHandle, schema: dict) -> None:
    ids = [create(emulator, current_body(schema, name=name))["id"] for name in ("one", "two", "three")]
    call(emulator, "PUT", f"/mappingSets/{ids[0]}", json=current_body(schema, name="one"))  # most recently updated

    def listed(**params: Any) -> dict[str, Any]:
        answer = call(emulator, "GET", "/mappingSets", params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    page = listed(limit=2, start=0, orderBy="+createdDate")
    assert [m["id"] for m in page["data"]] == ids[:2]
    assert page["_page"] == {"count": 2, "limit": 2}
    assert page["_links"]["next"]["href"].startswith("/mappingSets?")
    assert "start=2" in page["_links"]["next"]["href"]
    last = listed(limit=2, start=2, orderBy="+createdDate")
    assert [m["id"] for m in last["data"]] == ids[2:] and last["_links"] == {}
    assert [m["id"] for m in listed(limit=10, start=0, orderBy="-createdDate")["data"]] == ids[::-1]
    newest_first = listed(limit=10, start=0)["data"]
    assert newest_first[0]["id"] == ids[0] and newest_first[0]["version"] == 1
    dates = [m["modifiedDate"] for m in newest_first]
    assert dates == sorted(dates, reverse=True)
    assert [m["name"] for m in listed(limit=10, start=0, name="two")["data"]] == ["two"]
    expanded = listed(limit=1, start=0, expandSchema="true")["data"][0]
    assert expanded["outputSchema"]["jsonSchema"]["$id"] == schema["$id"]
    # An unencoded plus sign arrives as a space; it still means ascending.
    raw = requests.get(emulator.url(f"{BASE}/mappingSets?limit=10&start=0&orderBy=+createdDate"),
                       headers=emulator.headers(), timeout=10)  # fmt: skip
    assert [m["id"] for m in raw.json()["data"]] == ids


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0, "start": 0},
        {"limit": "ten", "start": 0},
        {"limit": 10, "start": -1},
        {"limit": 10, "start": 0, "orderBy": "name"},
        {"limit": 10, "start": 0, "orderBy": "*createdDate"},
        {"limit": 10, "start": 0, "expandSchema": "maybe"},
    ],
)
def test_list_refuses_bad_parameters(emulator: EmulatorHandle, params: dict) -> None:
    assert_problem_error(call(emulator, "GET", "/mappingSets", params=params), 400, "Invalid query parameter")


@pytest.mark.parametrize(
    ("params", "limit", "first"),
    [({}, 10, 0), ({"limit": 2}, 2, 0), ({"start": 1}, 10, 1), ({"limit": " ", "start": ""}, 10, 0)],
)
def test_list_paging_defaults_to_the_specs_limit_10_and_start_0(
    emulator: EmulatorHandle, schema: dict, params: dict, limit: int, first: int
) -> None:
    """data-prep.yaml, GET /mappingSets: ``limit`` default 10, ``start`` default 0."""
    ids = [create(emulator, current_body(schema, name=name))["id"] for name in ("one", "two", "three")]
    answer = call(emulator, "GET", "/mappingSets", params={**params, "orderBy": "+createdDate"})
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert [m["id"] for m in page["data"]] == ids[first : first + limit]
    assert page["_page"] == {"count": len(ids[first : first + limit]), "limit": limit}


def test_delete_can_be_refused_as_a_platform_without_it(
    emulator: EmulatorHandle, schema: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = create(emulator, current_body(schema))
    monkeypatch.setattr(emulator.config, "mapping_set_delete", False)
    assert_problem_error(call(emulator, "DELETE", f"/mappingSets/{created['id']}"), 405, "Method not allowed")
    assert read(emulator, created["id"])["id"] == created["id"]


def test_delete_is_supported_though_unofficial(emulator: EmulatorHandle, schema: dict) -> None:
    created = create(emulator, current_body(schema))
    answer = call(emulator, "DELETE", f"/mappingSets/{created['id']}")
    assert (answer.status_code, answer.content) == (204, b"")
    assert_problem_error(call(emulator, "GET", f"/mappingSets/{created['id']}"), 404, "Not found")
    assert_problem_error(call(emulator, "DELETE", f"/mappingSets/{created['id']}"), 404, "Not found")


# --- sandboxes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sandbox", "status"), [(None, 400), ("no-such-sandbox", 404)])
def test_sandbox_header_is_required_and_must_exist(emulator: EmulatorHandle, sandbox: str | None, status: int) -> None:
    listing = call(emulator, "GET", "/mappingSets", sandbox=sandbox, params={"limit": 1, "start": 0})
    assert_problem_error(listing, status)
    assert_problem_error(call(emulator, "POST", "/mappingSets", sandbox=sandbox, json={"mappings": []}), status)


def test_sandboxes_are_isolated(emulator: EmulatorHandle, schema: dict) -> None:
    created = create(emulator, current_body(schema))
    assert_problem_error(call(emulator, "GET", f"/mappingSets/{created['id']}", sandbox="dev"), 404)
    assert call(emulator, "GET", "/mappingSets", sandbox="dev", params={"limit": 5, "start": 0}).json()["data"] == []
    refused = call(emulator, "POST", "/mappingSets", sandbox="dev", json=current_body(schema))
    assert_problem_error(refused, 400, "Schema not found")
    assert read(emulator, created["id"])["version"] == 0


# --- cross-service contract ---------------------------------------------------------------------


def test_contract_functions(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    scope = (emulator.config.org_id, "prod")
    first, second = xdm_schemas.create("prod"), xdm_schemas.create("prod")
    moved = create(emulator, current_body(first))["id"]
    call(emulator, "PUT", f"/mappingSets/{moved}", json=current_body(second))
    staying = create(emulator, legacy_body(first["meta:altId"]))["id"]

    assert in_app(emulator, dataprep.get_mapping_set, scope, moved) == read(emulator, moved)
    version0 = in_app(emulator, dataprep.get_mapping_set, scope, moved, 0)
    assert (version0["version"], version0["outputSchema"]["schemaRef"]["id"]) == (0, first["$id"])
    assert in_app(emulator, dataprep.get_mapping_set, scope, moved, 5) is None
    assert in_app(emulator, dataprep.get_mapping_set, (scope[0], "dev"), moved) is None
    for ref in (first["$id"], first["meta:altId"]):  # any version counts: flows pin versions
        assert in_app(emulator, dataprep.mapping_sets_using_schema, scope, ref) == [moved, staying]
    assert in_app(emulator, dataprep.mapping_sets_using_schema, scope, second["$id"]) == [moved]


# --- the seed tutorials -------------------------------------------------------------------------


def test_streaming_seed_mapping_set_request(emulator: EmulatorHandle, xdm_schemas: SchemaFactory) -> None:  # noqa: F811
    """The streaming tutorial's legacy body, sent to the right path (the tutorial omits /conversion)."""
    target = xdm_schemas.create("prod")
    body = {
        "version": 0,
        "xdmSchema": target["meta:altId"],
        "xdmVersion": "1.0",
        "mappings": [
            {"destinationXdmPath": "person.name.firstName", "sourceAttribute": "firstName", "identity": False,
             "version": 0},
            {"destinationXdmPath": "person.name.lastName", "sourceAttribute": "lastName", "identity": False,
             "version": 0},
        ],
    }
    created = create(emulator, body)
    assert set(created) == SUMMARY_FIELDS and HEX32.match(created["id"]) and created["version"] == 0
    mapping_set = read(emulator, created["id"])
    destinations = [m["destinationXdmPath"] for m in mapping_set["mappings"]]
    assert destinations == ["person.name.firstName", "person.name.lastName"]
    # The tutorial's path is not a platform path.
    wrong_path = requests.post(
        emulator.url("/data/foundation/mappingSets"), json=body, headers=emulator.headers(), timeout=10
    )
    assert wrong_path.status_code == 404
