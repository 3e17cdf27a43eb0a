"""Check an emulator answer against Adobe's own OpenAPI description of the service.

    from tests.emulator.openapi_check import validate_response
    validate_response(requests.get(...))   # raises OpenAPIMismatch, or returns the spec file used

The spec is chosen from the URL path (``/data/foundation/<service>/...``); the path template and the
method pick the operation; the status must be documented (or be one of the tolerated answers below);
the JSON body must match the documented schema. Catalog, Flow Service and Data Prep are OpenAPI 3.0.1
(validated with openapi-core); the Schema Registry is Swagger 2.0 (its response schema, with
``#/definitions`` refs resolved, is checked with jsonschema). IMS and ``/__emulator/`` answers have
no spec: ``validate_response`` returns None for them.

Adobe's specs have gaps; each tolerance is listed in ``SPEC_DEFECTS`` or ``UNDOCUMENTED_STATUSES``
with the reason, so a reader sees exactly where the check is looser than the spec.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import yaml
from jsonschema import Draft4Validator
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from tests.shared_refs import SHARED

SPEC_DIR = SHARED / "openapi"
PLATFORM = "https://platform.adobe.io"

OPENAPI3 = "openapi3"
SWAGGER2 = "swagger2"


@dataclass(frozen=True)
class ServiceSpec:
    prefix: str  # the service's base path on platform.adobe.io
    file: str
    dialect: str


SERVICES = (
    ServiceSpec("/data/foundation/schemaregistry", "schema-registry.yaml", SWAGGER2),
    ServiceSpec("/data/foundation/catalog", "catalog.yaml", OPENAPI3),
    ServiceSpec("/data/foundation/flowservice", "flow-service.yaml", OPENAPI3),
    ServiceSpec("/data/foundation/conversion", "data-prep.yaml", OPENAPI3),
)

# Spec defects worked around, with where they bite. Keep each entry explained.
SPEC_DEFECTS = {
    "int-status-keys": "All specs write response codes as YAML integers (200:), which OpenAPI requires to be "
    "strings; keys are turned into strings on load.",
    "catalog-duplicate-parameter": "catalog.yaml lists x-api-key twice on GET /tags/{tagNamespace}, which fails "
    "spec validation; specs are loaded without validating them.",
    "empty-error-content": "Most documented error responses have no content (catalog: `content: {}`, Swagger: no "
    "schema); their bodies are not checked.",
    "schema-registry-get-under-container": "schema-registry.yaml documents GET /tenant/schemas/{id} only as "
    "/{CONTAINER_ID}/schemas/{SCHEMA_ID}; the operation is found by the most specific template that has the "
    "method.",
    "data-prep-dates": "data-prep.yaml types createdDate/modifiedDate as date-time strings while its own examples "
    "and the docs show epoch milliseconds (aep-api.md §1.5, §6.1); they are checked as integers.",
    "swagger-nullable": "Swagger 2.0 cannot say nullable: schema-registry.yaml types _page.next and _links.next as "
    "string while describing them as 'Contains `null` if this is the last page'; every property whose description "
    "says it contains `null` also accepts null.",
    "flow-spec-transformation-specs": "flow-service.yaml types FlowSpecItemDTO.transformationSpecs as one object "
    "while the real GET /flowSpecs (streaming seed, aep-api.md §5.3) answers an array of {name, spec}; it is "
    "checked as an array of those objects.",
    "catalog-multi-request-status": "catalog.yaml documents 201 for the multi-request POST /, while "
    "help/catalog/api/appendix.md says the overall request returns 200 (each sub-request has its own code); "
    "OPERATION_STATUSES tolerates 200 there only.",
    "data-prep-validate-answer": "data-prep.yaml types the 200 of POST /languages/el/validate as a boolean, while "
    "help/data-prep/api/functions.md shows {\"validationStatus\": \"succeeded\", \"error\": \"none\"}; it is "
    "checked as that object.",
    "data-prep-preview-answer": "data-prep.yaml types the 200 of POST /mappingSets/preview as one PreviewResponse, "
    "while help/data-prep/api/mapping-set.md shows an array of them (one per sample row) with \"errors\": null; it is "
    "checked as an array whose errors may be null.",
    "no-servers-match": "OpenAPI 3 servers are scheme-relative (//{environment}.adobe.io/...); the request URL is "
    "rewritten to https://platform.adobe.io before matching.",
}

# Statuses the platform answers that a service's spec does not list for an operation.
_GATEWAY = {400: "bad Content-Type problem (aep-api.md §1.3)", 401: "gateway 401013", 403: "gateway 4030xx"}
_TRANSIENT = {429: "throttling (§8.1)", 502: "bad gateway", 503: "unavailable", 504: "gateway timeout"}
UNDOCUMENTED_STATUSES: dict[str, dict[int, str]] = {
    "schema-registry.yaml": {**_GATEWAY, **_TRANSIENT, 404: "XDM-1010..1017-404 on any lookup (§3)"},
    "catalog.yaml": {**_GATEWAY, **_TRANSIENT, 404: "unknown dataset id", 412: "If-Match mismatch (§4.3)"},
    "flow-service.yaml": {
        **_GATEWAY,
        **_TRANSIENT,
        400: "Flow Service 1xxx-400 codes are documented in the error guide, not the spec (§5.12)",
        404: "FLOW-1439-404 and sandbox 210x-404 (§5.12)",
        412: "1404-412 etag mismatch (§5.8)",
    },
    "data-prep.yaml": {**_GATEWAY, **_TRANSIENT, 404: "unknown mapping set or version (§6.2)"},
}


# Statuses one operation answers beyond its spec: (spec file, METHOD, template) -> {status: reason}.
OPERATION_STATUSES: dict[tuple[str, str, str], dict[int, str]] = {
    ("catalog.yaml", "POST", "/"): {200: SPEC_DEFECTS["catalog-multi-request-status"]},
}


class OpenAPIMismatch(AssertionError):
    """The answer does not match what Adobe's spec documents."""


def _string_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _string_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_string_keys(value) for value in node]
    return node


def _dates_as_epoch_ms(spec: dict[str, Any]) -> None:
    for schema in spec["components"]["schemas"].values():
        for name, prop in schema.get("properties", {}).items():
            if name in ("createdDate", "modifiedDate") and prop.get("type") == "string":
                schema["properties"][name] = {"type": "integer", "format": "int64"}


def _nullable_where_described(node: Any) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("type"), str) and "`null`" in str(node.get("description", "")):
            node["type"] = [node["type"], "null"]
        for value in node.values():
            _nullable_where_described(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_where_described(value)


def _data_prep_documented_answers(spec: dict[str, Any]) -> None:
    json_200 = lambda path: spec["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]  # noqa: E731
    json_200("/languages/el/validate")["schema"] = {
        "type": "object", "required": ["validationStatus", "error"],
        "properties": {"validationStatus": {"type": "string"}, "error": {"type": "string"}},
    }  # fmt: skip
    json_200("/languages/el/validate").pop("example", None)
    json_200("/mappingSets/preview")["schema"] = {"type": "array", "items": {"$ref": "#/components/schemas/PreviewResponse"}}
    spec["components"]["schemas"]["PreviewResponse"]["properties"]["errors"]["nullable"] = True


def _transformation_specs_as_array(spec: dict[str, Any]) -> None:
    flow_spec = spec["components"]["schemas"]["FlowSpecItemDTO"]["properties"]
    flow_spec["transformationSpecs"] = {"type": "array", "items": flow_spec["transformationSpecs"]}


# Corrections applied on load (see SPEC_DEFECTS for why).
SPEC_PATCHES = {
    "data-prep.yaml": [_dates_as_epoch_ms, _data_prep_documented_answers],
    "flow-service.yaml": [_transformation_specs_as_array],
    "schema-registry.yaml": [lambda spec: _nullable_where_described(spec["definitions"])],
}


@functools.cache
def load_spec(file: str) -> dict[str, Any]:
    with open(SPEC_DIR / file, encoding="utf-8") as handle:
        spec = _string_keys(yaml.safe_load(handle))
    for patch in SPEC_PATCHES.get(file, []):
        patch(spec)
    return spec


@functools.cache
def _openapi(service: ServiceSpec) -> OpenAPI:
    spec = dict(load_spec(service.file))
    spec["servers"] = [{"url": PLATFORM + service.prefix}]
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def service_for(path: str) -> ServiceSpec | None:
    for service in SERVICES:
        if path == service.prefix or path.startswith(service.prefix + "/"):
            return service
    return None


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    responses: dict[str, Any]


def _segments(path: str) -> list[str]:
    return path.split("/")


def _template_matches(template: str, path: str) -> bool:
    parts, actual = _segments(template), _segments(path)
    return len(parts) == len(actual) and all(
        (re.fullmatch(r"\{[^}]+\}", p) and a) or p == a for p, a in zip(parts, actual)
    )


def find_operation(spec: dict[str, Any], service_path: str, method: str) -> Operation:
    """The most specific documented template matching the path that has this method."""
    matching = [t for t in spec["paths"] if _template_matches(t, service_path)]
    if not matching:
        raise OpenAPIMismatch(f"{service_path} matches no documented path")
    with_method = [t for t in matching if method.lower() in spec["paths"][t]]
    if not with_method:
        raise OpenAPIMismatch(f"{method} is not documented on {matching}")
    template = max(with_method, key=lambda t: sum(not p.startswith("{") for p in _segments(t)))
    return Operation(template, method.upper(), spec["paths"][template][method.lower()]["responses"])


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented_response(spec: dict[str, Any], service: ServiceSpec, operation: Operation, status: int) -> dict | None:
    """The documented response for a status; None when tolerated as undocumented; raises otherwise."""
    responses = operation.responses
    if str(status) in responses:
        return _resolve(spec, responses[str(status)])
    if status in UNDOCUMENTED_STATUSES.get(service.file, {}):
        return None
    if status in OPERATION_STATUSES.get((service.file, operation.method, operation.template), {}):
        return None
    if status >= 300 and "default" in responses:
        return _resolve(spec, responses["default"])
    documented = sorted(responses)
    raise OpenAPIMismatch(f"{operation.method} {operation.template} answered {status}; documented: {documented}")


def _has_body_schema(service: ServiceSpec, response: dict[str, Any]) -> bool:
    if service.dialect == SWAGGER2:
        return "schema" in response
    return bool(response.get("content"))


def _json_body(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError as exc:
        raise OpenAPIMismatch(f"body is not JSON: {resp.text[:200]!r}") from exc


def _check_swagger_body(spec: dict[str, Any], response: dict[str, Any], body: Any, where: str) -> None:
    # The schema is checked inside the whole document so "#/definitions/..." refs resolve.
    root = {"definitions": spec.get("definitions", {}), **_resolve(spec, response["schema"])}
    errors = sorted(Draft4Validator(root).iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        detail = "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
        raise OpenAPIMismatch(f"{where}: {detail}")


def _check_openapi3_body(service: ServiceSpec, resp: requests.Response, where: str) -> None:
    prepared = resp.request.copy()
    original = urlsplit(prepared.url)
    path = original.path + ("/" if original.path == service.prefix else "")  # the root operation is "/"
    prepared.url = PLATFORM + path + (f"?{original.query}" if original.query else "")
    try:
        _openapi(service).validate_response(RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(resp))
    except Exception as exc:  # openapi-core raises many types; all mean "does not match"
        raise OpenAPIMismatch(f"{where}: {_explain(exc)}") from exc


def _explain(exc: BaseException) -> str:
    """openapi-core's messages start with the whole value; show the schema errors instead."""
    cause: BaseException | None = exc
    while cause is not None:
        errors = list(getattr(cause, "schema_errors", []) or [])
        if errors:
            return "; ".join(_schema_error_text(e) for e in errors[:5])
        cause = cause.__cause__
    return f"{type(exc).__name__}: {exc.__cause__ or exc}"


def _schema_error_text(error: Any) -> str:
    where = "/" + "/".join(map(str, getattr(error, "absolute_path", [])))
    return f"{where}: {getattr(error, 'message', error)}"


def validate_response(resp: requests.Response) -> str | None:
    """Raise OpenAPIMismatch unless ``resp`` matches its service's spec; returns the spec file used."""
    request = resp.request
    path = urlsplit(request.url or resp.url).path
    service = service_for(path)
    if service is None:
        return None
    spec = load_spec(service.file)
    service_path = path[len(service.prefix) :] or "/"
    operation = find_operation(spec, service_path, request.method or "GET")
    response = documented_response(spec, service, operation, resp.status_code)
    where = f"{operation.method} {operation.template} -> {resp.status_code}"
    if response is None or not _has_body_schema(service, response):
        return service.file  # SPEC_DEFECTS["empty-error-content"] / tolerated status
    if service.dialect == SWAGGER2:
        _check_swagger_body(spec, response, _json_body(resp), where)
    else:
        _json_body(resp)
        _check_openapi3_body(service, resp, where)
    return service.file


def synthetic_response(
    method: str, url: str, status: int, body: Any, content_type: str = "application/json"
) -> requests.Response:
    """A requests.Response as if the server had answered, for checks without a server."""
    resp = requests.Response()
    resp.status_code = status
    resp._content = json.dumps(body).encode() if body is not None else b""
    resp.headers["Content-Type"] = content_type
    resp.request = requests.Request(method, url).prepare()
    resp.url = url
    return resp
