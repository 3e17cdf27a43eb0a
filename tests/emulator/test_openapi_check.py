"""The OpenAPI response harness itself, on synthetic answers (no server, no IMS)."""

from __future__ import annotations

import pytest

from tests.shared_refs import require_shared

require_shared("openapi")  # module-level: every case needs Adobe's specs

from tests.emulator.openapi_check import (  # noqa: E402
    OpenAPIMismatch,
    load_spec,
    find_operation,
    synthetic_response,
    validate_response,
)

P = "https://platform.adobe.io/data/foundation"
LOCAL = "http://127.0.0.1:8080/data/foundation"  # the emulator's URLs work the same way
DATASET_ID = "5c8c3c555033b814b69f947f"
DATASET = {
    DATASET_ID: {
        "name": "Loyalty members",
        "version": "1.0.0",
        "imsOrg": "EMULATOR0000000000000000@AdobeOrg",
        "created": 1670284443204,
        "updated": 1670284443204,
        "createdClient": "aep-emulator-client",
        "tags": {"unifiedProfile": ["enabled:true"]},
        "files": f"@/dataSets/{DATASET_ID}/files",
    }
}
FLOW_CREATED = {"id": "3d17a4ff-9e0a-4f7c-94bb-bc0b61a3a76d", "etag": '"7e05b480-0000-0200-0000-638e84a00000"'}
STATS = {"imsOrg": "EMULATOR0000000000000000@AdobeOrg", "tenantId": "emulator", "counts": {"schemas": 1}}
MAPPING_SET = {"id": "e7c80e4c0d8f4a98a7d400b4e178b635", "version": 0, "createdDate": 1, "modifiedDate": 1}
GATEWAY_401 = {"error_code": "401013", "message": "Oauth token is not valid"}
LAST_PAGE = {"results": [], "_page": {"orderby": "title", "next": None, "count": 0}, "_links": {"next": None}}


@pytest.mark.parametrize(
    ("method", "url", "status", "body", "spec"),
    [
        ("GET", f"{P}/catalog/dataSets/{DATASET_ID}", 200, DATASET, "catalog.yaml"),
        ("GET", f"{LOCAL}/catalog/dataSets/{DATASET_ID}?properties=name", 200, DATASET, "catalog.yaml"),
        ("POST", f"{LOCAL}/catalog/dataSets", 201, [f"@/dataSets/{DATASET_ID}"], "catalog.yaml"),
        ("GET", f"{LOCAL}/catalog/dataSets/{DATASET_ID}", 404, {"status": 404, "title": "Not found"}, "catalog.yaml"),
        ("DELETE", f"{LOCAL}/catalog/dataSets/{DATASET_ID}", 200, [], "catalog.yaml"),
        ("POST", f"{LOCAL}/flowservice/flows", 201, FLOW_CREATED, "flow-service.yaml"),
        (
            "GET",
            f"{LOCAL}/flowservice/flows/{FLOW_CREATED['id']}",
            404,
            {"title": "Resource not found"},
            "flow-service.yaml",
        ),
        ("GET", f"{LOCAL}/schemaregistry/stats", 200, STATS, "schema-registry.yaml"),
        ("GET", f"{LOCAL}/schemaregistry/tenant/schemas", 200, LAST_PAGE, "schema-registry.yaml"),
        ("POST", f"{LOCAL}/conversion/mappingSets", 200, MAPPING_SET, "data-prep.yaml"),
        ("GET", f"{LOCAL}/flowservice/flows", 401, GATEWAY_401, "flow-service.yaml"),
        ("GET", f"{LOCAL}/catalog/dataSets", 503, {"status": 503}, "catalog.yaml"),
    ],
)
def test_conforming_answers_pass(method: str, url: str, status: int, body: object, spec: str) -> None:
    assert validate_response(synthetic_response(method, url, status, body)) == spec


@pytest.mark.parametrize(
    ("method", "url", "status", "body", "complaint"),
    [
        pytest.param(
            "GET",
            f"{LOCAL}/catalog/dataSets/{DATASET_ID}",
            200,
            {DATASET_ID: "not an object"},
            "is not of type 'object'",
            id="catalog-dataset-not-an-object",
        ),
        pytest.param(
            "GET",
            f"{LOCAL}/catalog/dataSets/{DATASET_ID}",
            200,
            {DATASET_ID: {**DATASET[DATASET_ID], "created": "yesterday"}},
            "is not of type 'integer'",
            id="catalog-created-not-ms",
        ),
        pytest.param(
            "POST",
            f"{LOCAL}/catalog/dataSets",
            201,
            {"id": DATASET_ID},
            "is not of type 'array'",
            id="catalog-create-not-a-list",
        ),
        pytest.param(
            "GET",
            f"{LOCAL}/catalog/dataSets/{DATASET_ID}",
            201,
            DATASET,
            "documented",
            id="catalog-undocumented-success-status",
        ),
        pytest.param(
            "POST",
            f"{LOCAL}/flowservice/flows",
            201,
            {"id": 12, "etag": "x"},
            "is not of type 'string'",
            id="flow-id-not-a-string",
        ),
        pytest.param(
            "POST",
            f"{LOCAL}/flowservice/flows",
            200,
            FLOW_CREATED,
            "documented",
            id="flow-create-200-not-201",
        ),
        pytest.param(
            "POST",
            f"{LOCAL}/flowservice/flows",
            409,
            {"title": "conflict"},
            "documented",
            id="flow-undocumented-409",
        ),
        pytest.param(
            "GET",
            f"{LOCAL}/schemaregistry/stats",
            200,
            {**STATS, "tenantId": 7},
            "is not of type 'string'",
            id="swagger-stats-tenant-not-a-string",
        ),
        pytest.param(
            "GET",
            f"{LOCAL}/schemaregistry/stats",
            200,
            {**STATS, "counts": []},
            "is not of type 'object'",
            id="swagger-stats-counts-not-an-object",
        ),
        pytest.param(
            "GET",
            f"{LOCAL}/schemaregistry/tenant/schemas",
            200,
            {**LAST_PAGE, "_page": {"next": 5}},
            "is not of type 'string', 'null'",
            id="swagger-next-page-neither-string-nor-null",
        ),
        pytest.param(
            "POST",
            f"{LOCAL}/conversion/mappingSets",
            200,
            {**MAPPING_SET, "version": "zero"},
            "version",
            id="mapping-set-version-not-an-integer",
        ),
        pytest.param(
            "POST",
            f"{LOCAL}/conversion/mappingSets",
            200,
            {**MAPPING_SET, "createdDate": "2021-03-05T00:00:00Z"},
            "createdDate|is not of type 'integer'",
            id="mapping-set-date-not-epoch-ms",
        ),
        pytest.param(
            "GET",
            f"{LOCAL}/catalog/noSuchCollection",
            200,
            {},
            "matches no documented path",
            id="unknown-path",
        ),
        pytest.param(
            "DELETE",
            f"{LOCAL}/schemaregistry/stats",
            200,
            {},
            "not documented",
            id="undocumented-method",
        ),
    ],
)
def test_wrong_answers_are_caught(method: str, url: str, status: int, body: object, complaint: str) -> None:
    with pytest.raises(OpenAPIMismatch, match=complaint):
        validate_response(synthetic_response(method, url, status, body))


def test_body_that_is_not_json_is_caught() -> None:
    resp = synthetic_response("GET", f"{LOCAL}/schemaregistry/stats", 200, None)
    resp._content = b"<html>oops</html>"
    with pytest.raises(OpenAPIMismatch, match="not JSON"):
        validate_response(resp)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/ims/token/v3", "http://127.0.0.1:8080/__emulator/stats"])
def test_paths_without_a_spec_are_not_checked(url: str) -> None:
    assert validate_response(synthetic_response("POST", url, 200, {})) is None


@pytest.mark.parametrize(
    ("spec", "path", "method", "template"),
    [
        ("schema-registry.yaml", "/tenant/schemas/_emulator.schemas.abc", "GET", "/{CONTAINER_ID}/schemas/{SCHEMA_ID}"),
        ("schema-registry.yaml", "/tenant/schemas/_emulator.schemas.abc", "PATCH", "/tenant/schemas/{SCHEMA_ID}"),
        (
            "schema-registry.yaml",
            "/tenant/schemas/https%3A%2F%2Fns.adobe.com%2Fx",
            "DELETE",
            "/tenant/schemas/{SCHEMA_ID}",
        ),
        ("flow-service.yaml", "/connections/search", "POST", "/connections/search"),
        ("flow-service.yaml", "/connections/search", "GET", "/connections/{BASE_CONNECTION_ID}"),
        ("flow-service.yaml", "/flows/abc/action", "POST", "/flows/{FLOW_ID}/action"),
    ],
)
def test_most_specific_template_with_the_method_wins(spec: str, path: str, method: str, template: str) -> None:
    assert find_operation(load_spec(spec), path, method).template == template
