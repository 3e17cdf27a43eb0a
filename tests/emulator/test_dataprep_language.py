"""Data Prep's expression language and preview (issue 13): ``/languages/el/validate`` checks expression
syntax against the documented function list and operators (help/data-prep/functions.md),
``/languages/el/functions`` and ``/operators`` list them, ``/mappingSets/preview`` maps sample rows,
and ``GET /mappingSets`` takes the spec's ``orderBy`` default. Answers are checked against data-prep.yaml."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from tests.emulator.helpers import assert_problem_error
from tests.emulator.openapi_check import validate_response
from tests.emulator.test_dataprep import create, current_body, schema  # noqa: F401
from tests.emulator.xdm_schemas import xdm_schemas  # noqa: F401 (fixture)

BASE = "/data/foundation/conversion"


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    answer = emu.request(method, BASE + path, **kwargs)
    validate_response(answer)
    return answer


VALID = [
    'concat("Hi", ",", "there", "!")',  # help/data-prep/api/functions.md
    "concat(firstName, ' ', lastName)",
    'iif("s".equalsIgnoreCase("S"), "True", "False")',
    'decode(stateCode, "ca", "California", "pa", "Pennsylvania", "N/A")',
    "to_array(false, 1, null, 2, 3)",
    "add_to_array(['a', 'b'], 'c', 'd')",
    'str_to_object("firstName - John ; lastName - ", "-", ";").get("firstName")',
    "${First Name}",
    "${First\\.Name}",
    "${new}",
    "name.firstName",
    "a > 1 && !b || c eq 'x' and not d",
    "count * 2 + 1 >= 10 ? 'many' : 'few'",
    "-12",
    "~44",
    "7 mod 2 == 1",
    'get_keys({"book1": "Pride and Prejudice", "book2": "1984"})',
    "items[0].sku",
    "now()",
]
INVALID = [
    ("", "empty"),
    ("concat(a, b", "expected ',' or ')' at offset 11"),
    ("nosuchfunction(a)", "unknown function 'nosuchfunction'"),
    ('concat("unterminated)', "unterminated string"),
    ("new", "reserved word"),
    ("a +", "expected a value"),
    ("a b", "unexpected 'b'"),
    ("a.toUpperCase()", "unknown method 'toUpperCase'"),
    ("a # b", "unexpected character '#'"),
    ("x ? y", "expected ':'"),
]


@pytest.mark.parametrize("expression", VALID)
def test_valid_expressions(emulator: EmulatorHandle, expression: str) -> None:
    answer = call(emulator, "POST", "/languages/el/validate", json={"expression": expression})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"validationStatus": "succeeded", "error": "none"}


@pytest.mark.parametrize(("expression", "reason"), INVALID)
def test_invalid_expressions_name_the_problem(emulator: EmulatorHandle, expression: str, reason: str) -> None:
    error = assert_problem_error(
        call(emulator, "POST", "/languages/el/validate", json={"expression": expression}), 400, "Invalid expression"
    )
    assert reason in error["detail"]


def test_validate_refuses_a_body_without_an_expression(emulator: EmulatorHandle) -> None:
    assert_problem_error(call(emulator, "POST", "/languages/el/validate", json={"expr": "a"}), 400)
    too_long = "concat(" + "a" * 4100 + ")"
    assert_problem_error(call(emulator, "POST", "/languages/el/validate", json={"expression": too_long}), 400)


def test_functions_and_operators_lists(emulator: EmulatorHandle) -> None:
    functions = call(emulator, "GET", "/languages/el/functions").json()
    by_name = {f["function"]: f for f in functions}
    # The two entries help/data-prep/api/functions.md shows, with their documented keys and values.
    assert by_name["first"]["params"][0]["dataType"] == "[Ljava.lang.Object;"
    assert by_name["date"]["returnType"] == "java.time.ZonedDateTime"
    assert {"concat", "iif", "to_object", "sha256", "ua_device_class", "upsert_array_append"} <= set(by_name)
    assert all(f.keys() >= {"category", "function", "syntax", "example", "params", "since"} for f in functions)
    operators = call(emulator, "GET", "/languages/el/operators").json()
    assert operators[:2] == [
        {"operatorSymbol": "+", "methodName": "add", "numberOfOperands": 2, "description": "Simple arithmetic addition", "example": "1 + 2"},
        {"operatorSymbol": "/", "methodName": "divide", "numberOfOperands": 2, "description": "Simple arithmetic division", "example": "1 / 2"},
    ]  # fmt: skip


def test_mapping_set_validation_reports_expression_syntax(emulator: EmulatorHandle, schema: dict) -> None:
    body = current_body(schema, {"sourceType": "EXPRESSION", "source": "concat(a, ", "destination": "person.name.fullName"})
    report = call(emulator, "POST", "/mappingSets/validate", json=body).json()["validationResponse"]
    assert report[-1]["status"] == "FAILED" and "Invalid expression" in report[-1]["errors"][0]["exception"]
    assert_problem_error(call(emulator, "POST", "/mappingSets", json=body), 400, "Invalid mapping set")


# --- preview ------------------------------------------------------------------------------------


def test_preview_of_the_documented_request(emulator: EmulatorHandle, schema: dict) -> None:
    """help/data-prep/api/mapping-set.md, "Preview data for mappings": the id turns into the string _id."""
    mapping_set = {
        "outputSchema": {"schemaRef": {"id": schema["$id"], "contentType": "application/vnd.adobe.xed-full+json;version=1"}},
        "mappings": [
            {"sourceType": "ATTRIBUTE", "source": "id", "destination": "_id", "name": "id", "description": "Identifier field"},
            {"sourceType": "ATTRIBUTE", "source": "firstName", "destination": "person.name.firstName"},
            {"sourceType": "ATTRIBUTE", "source": "lastName", "destination": "person.name.lastName"},
        ],
    }  # fmt: skip
    body = {"data": [{"id": 1234, "firstName": "Jim", "lastName": "Seltzer"}], "mappingSet": mapping_set}
    answer = call(emulator, "POST", "/mappingSets/preview", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == [
        {"data": {"_id": "1234", "person": {"name": {"firstName": "Jim", "lastName": "Seltzer"}}}, "errors": None}
    ]


def test_preview_applies_static_values_and_expressions_per_row(emulator: EmulatorHandle, schema: dict) -> None:
    mapping_set = current_body(
        schema,
        {"sourceType": "EXPRESSION", "source": "concat(upper(first), ' ', last)", "destination": "person.name.fullName"},
        {"sourceType": "STATIC", "source": "web", "destination": "person.name.middleName"},
        {"sourceType": "EXPRESSION", "source": "iif(size_of(tags) > 1, 'many', 'few')", "destination": "person.name.courtesyTitle"},
        {"sourceType": "EXPRESSION", "source": "zone_date_to_utc(now())", "destination": "person.name.suffix"},
    )  # fmt: skip
    mapping_set["mappings"] = [m for m in mapping_set["mappings"] if m["destination"] != "_id"] or mapping_set["mappings"]
    rows = [{"first": "ada", "last": "Lovelace", "tags": [1, 2]}, {"first": "al", "last": "T", "tags": []}]
    answer = call(emulator, "POST", "/mappingSets/preview", json={"data": rows, "mappingSet": mapping_set})
    assert answer.status_code == 200, answer.text
    first, second = answer.json()
    assert first["data"]["person"]["name"]["fullName"] == "ADA Lovelace"
    assert first["data"]["person"]["name"]["middleName"] == "web"
    assert first["data"]["person"]["name"]["courtesyTitle"] == "many"
    assert second["data"]["person"]["name"]["courtesyTitle"] == "few"
    # A documented function the emulator does not run is that mapping's transformation error.
    assert "suffix" not in first["data"]["person"]["name"]
    assert first["errors"][0]["destination"] == "person.name.suffix"


@pytest.mark.parametrize(
    "body", [{"data": [1], "mappingSet": {}}, {"data": []}, [], {"data": [{}], "mappingSet": {"mappings": []}}]
)
def test_bad_previews_are_refused(emulator: EmulatorHandle, body: Any) -> None:
    assert_problem_error(call(emulator, "POST", "/mappingSets/preview", json=body), 400)


# --- listing order --------------------------------------------------------------------------------


def test_list_takes_the_specs_order_by_default(emulator: EmulatorHandle, schema: dict) -> None:
    """data-prep.yaml: ``orderBy`` defaults to ``lastUpdateDate``; sending it is the default order."""
    ids = [create(emulator, current_body(schema, name=name))["id"] for name in ("one", "two", "three")]
    # (Full mapping sets follow mapping-set.md's read shape, not the spec's sourceType enum: not spec-checked here.)
    emulator.request("PUT", f"{BASE}/mappingSets/{ids[0]}", json=current_body(schema, name="one again")).raise_for_status()
    expected = [ids[0], ids[2], ids[1]]  # the most recently updated first

    def listed(params: dict[str, Any]) -> requests.Response:
        answer = emulator.request("GET", f"{BASE}/mappingSets", params=params)
        assert answer.status_code == 200, answer.text
        return answer

    for order in ("lastUpdateDate", "-lastUpdateDate", "-updatedDate", None):
        params = {"limit": 10, "start": 0, **({"orderBy": order} if order else {})}
        assert [m["id"] for m in listed(params).json()["data"]] == expected
    ascending = listed({"limit": 10, "start": 0, "orderBy": "+lastUpdateDate"})
    assert [m["id"] for m in ascending.json()["data"]] == expected[::-1]
