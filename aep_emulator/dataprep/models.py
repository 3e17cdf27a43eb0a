"""The Data Prep backend: versioned mapping sets, one canonical form, both dialects on read.

A mapping set is stored once (kind ``dataprep.mappingSets``) with every version it ever had, so old
versions stay readable after a PUT. Each version keeps one canonical form: the output schema as its
``$id`` and mappings as ``sourceType``/``source``/``destination`` plus the identity fields. Reading
renders the platform's shape, which shows both the current and the legacy names.

Cross-service contract: ``get_mapping_set`` and ``mapping_sets_using_schema``.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, ValidationError

from ..core.context import state
from ..core.store import Scope
from ..core.wire import WireModel, body_problem
from . import expressions
from .exceptions import DataPrepError, DataPrepProblem, invalid_expression, invalid_mapping_set, malformed, not_found

MAPPING_SETS = "dataprep.mappingSets"
MAX_EXPRESSION_LENGTH = 4096  # Data Prep's limit for a calculated field
DEFAULT_CONTENT_TYPE = "application/vnd.adobe.xed-full+json;version=1"
DEFAULT_XDM_VERSION = "1.0"
SUPPORT_VERSION = "1.1"

SourceType = Literal["ATTRIBUTE", "EXPRESSION", "STATIC"]
# On read the platform names source types by media type (text/x.aep-xl and text/plain for
# expressions and constants follow Adobe's Destination SDK vocabulary; only text/x.schema-path is
# shown in Data Prep's own guide).
SOURCE_MEDIA_TYPES: dict[str, str] = {
    "ATTRIBUTE": "text/x.schema-path",
    "EXPRESSION": "text/x.aep-xl",
    "STATIC": "text/plain",
}

# Read-only fields a client may send back from a GET (or the legacy body's `"id": null`); ignored.
_SERVER_SET_FIELDS = frozenset(
    {"id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy", "supportVersion", "status",
     "strictMapping", "schemaRef"}
)  # fmt: skip
_SERVER_MAPPING_FIELDS = frozenset(
    {"id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy", "matchScore"}
)
_SERVER_OUTPUT_SCHEMA_FIELDS = frozenset({"id", "version", "jsonSchema", "createdDate", "modifiedDate", "createdBy",
                                          "modifiedBy"})  # fmt: skip
_ARRAY_INDEX = re.compile(r"\[[^\]]*\]")
_OPEN_TYPES = frozenset({"map", "object", "array"})


# --- request bodies -----------------------------------------------------------------------------


class MappingBody(WireModel):
    """One mapping in either dialect: current (source/destination) or legacy (sourceAttribute/...)."""

    source_type: SourceType | None = None
    source: str | None = None
    destination: str | None = None
    name: str | None = None
    description: str | None = None
    expression_attributes: list[str] | None = None
    function_version: int | None = None
    source_attribute: str | None = None
    destination_xdm_path: str | None = None
    identity: bool | None = None
    identity_group: str | None = None
    namespace_code: str | None = None
    primary_identity: bool | None = None


class SchemaRefBody(WireModel):
    id: str = Field(min_length=1)
    content_type: str | None = None


class OutputSchemaBody(WireModel):
    schema_ref: SchemaRefBody


class TagBody(WireModel):
    name: str
    values: list[str] = []


class MappingSetBody(WireModel):
    """A mapping set in either dialect: ``outputSchema.schemaRef`` (current) or ``xdmSchema`` (legacy)."""

    output_schema: OutputSchemaBody | None = None
    xdm_schema: str | None = Field(default=None, min_length=1)
    xdm_version: str | None = None
    mappings: list[MappingBody]
    name: str | None = None
    tags: list[TagBody] | None = None
    allow_null_values: bool | None = None
    input_schema: dict[str, Any] | None = None


def _without(obj: Any, names: frozenset[str]) -> Any:
    return {k: v for k, v in obj.items() if k not in names} if isinstance(obj, dict) else obj


def _strip_server_fields(body: dict[str, Any]) -> dict[str, Any]:
    cleaned = _without(body, _SERVER_SET_FIELDS)
    if "outputSchema" in cleaned:
        cleaned["outputSchema"] = _without(cleaned["outputSchema"], _SERVER_OUTPUT_SCHEMA_FIELDS)
    if isinstance(cleaned.get("mappings"), list):
        cleaned["mappings"] = [_without(m, _SERVER_MAPPING_FIELDS) for m in cleaned["mappings"]]
    return cleaned


# --- parsing into the canonical form ------------------------------------------------------------


@dataclass
class MappingSetDraft:
    """A mapping-set body reduced to one canonical form, its output schema resolved in the registry."""

    schema_id: str
    content_type: str
    xdm_version: str
    mappings: list[dict[str, Any]]
    name: str | None
    tags: list[dict[str, Any]] | None
    allow_null_values: bool
    input_schema: dict[str, Any] | None


def _one_of(index: int, current: Any, legacy: Any, current_name: str, legacy_name: str) -> Any:
    """The value given under either dialect's name; both given must agree."""
    if current is not None and legacy is not None and current != legacy:
        raise invalid_mapping_set(f"mappings[{index}]: '{current_name}' and '{legacy_name}' disagree")
    return current if current is not None else legacy


def _canonical_mapping(index: int, mapping: MappingBody) -> dict[str, Any]:
    source_type = mapping.source_type or "ATTRIBUTE"  # legacy mappings name source attributes
    source = _one_of(index, mapping.source, mapping.source_attribute, "source", "sourceAttribute")
    destination = _one_of(index, mapping.destination, mapping.destination_xdm_path, "destination",
                          "destinationXdmPath")  # fmt: skip
    if not destination:
        raise invalid_mapping_set(f"mappings[{index}]: a destination (or destinationXdmPath) is required")
    if source is None or (source_type != "STATIC" and not source):
        raise invalid_mapping_set(f"mappings[{index}]: a source (or sourceAttribute) is required")
    canonical: dict[str, Any] = {
        "sourceType": source_type,
        "source": source,
        "destination": destination,
        "identity": bool(mapping.identity),
        "identityGroup": mapping.identity_group,
        "namespaceCode": mapping.namespace_code,
        "primaryIdentity": bool(mapping.primary_identity),
        "functionVersion": mapping.function_version or 0,
    }
    for key, value in (("name", mapping.name), ("description", mapping.description),
                       ("expressionAttributes", mapping.expression_attributes)):  # fmt: skip
        if value is not None:
            canonical[key] = value
    return canonical


def _resolve_output_schema(scope: Scope, body: MappingSetBody) -> tuple[str, str]:
    """The output schema's ``$id`` and content type; the schema must exist in this sandbox."""
    from ..schemaregistry.models import find_schema

    current = body.output_schema.schema_ref if body.output_schema else None
    refs = [ref for ref in (current.id if current else None, body.xdm_schema) if ref]
    if not refs:
        raise invalid_mapping_set("outputSchema.schemaRef.id (or the legacy xdmSchema) is required")
    schemas = []
    for ref in refs:
        schema = find_schema(scope, ref)
        if schema is None:
            detail = f"Schema '{ref}' does not exist in sandbox '{scope[1]}'"
            raise DataPrepError(DataPrepProblem.SCHEMA_NOT_FOUND, detail)
        schemas.append(schema["$id"])
    if len(set(schemas)) > 1:
        raise invalid_mapping_set("outputSchema.schemaRef.id and xdmSchema name different schemas")
    return schemas[0], (current.content_type if current and current.content_type else DEFAULT_CONTENT_TYPE)


def parse_mapping_set(scope: Scope, body: Any) -> MappingSetDraft:
    """Validate a body's shape and resolve its schema; 400 for anything structurally wrong."""
    if not isinstance(body, dict):
        raise malformed("A mapping set must be a JSON object")
    try:
        parsed = MappingSetBody.model_validate(_strip_server_fields(body))
    except ValidationError as exc:
        raise invalid_mapping_set(body_problem(exc).detail) from None
    schema_id, content_type = _resolve_output_schema(scope, parsed)
    return MappingSetDraft(
        schema_id=schema_id,
        content_type=content_type,
        xdm_version=parsed.xdm_version or DEFAULT_XDM_VERSION,
        mappings=[_canonical_mapping(i, m) for i, m in enumerate(parsed.mappings)],
        name=parsed.name,
        tags=[t.model_dump() for t in parsed.tags] if parsed.tags is not None else None,
        allow_null_values=bool(parsed.allow_null_values),
        input_schema=parsed.input_schema,
    )


# --- mapping rules against the schema -----------------------------------------------------------


def destination_in_schema(destination: str, field_paths: dict[str, str]) -> bool:
    """Whether a destination path names a field of the schema.

    Array indices (``items[0].sku``) are not part of schema paths. Below a map, or an object/array
    whose children the schema does not list (``identityMap.Email[0].id``), any path is data, not schema.
    """
    path = _ARRAY_INDEX.sub("", destination)
    if path in field_paths:
        return True
    parts = path.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        ancestor = ".".join(parts[:depth])
        if ancestor in field_paths:
            has_children = any(p.startswith(ancestor + ".") for p in field_paths)
            return field_paths[ancestor] == "map" or (field_paths[ancestor] in _OPEN_TYPES and not has_children)
    return False


def _problem(mapping: dict[str, Any], message: str) -> dict[str, Any]:
    """One error in the platform's TransformErrorInfo shape."""
    return {
        "source": mapping["source"],
        "destination": mapping["destination"],
        "exception": message,
        # data-prep.yaml types columnName as a string (not nullable): the source column, or for an
        # expression or constant the expression text itself.
        "columnName": mapping["source"],
        "sourceType": mapping["sourceType"],
    }


def mapping_problems(scope: Scope, draft: MappingSetDraft) -> list[list[dict[str, Any]]]:
    """Per mapping, what is wrong with it: unknown destination, duplicate destination, long expression."""
    from ..schemaregistry.models import schema_field_paths

    field_paths = schema_field_paths(scope, draft.schema_id)
    seen: set[str] = set()
    problems: list[list[dict[str, Any]]] = []
    for mapping in draft.mappings:
        found = []
        destination = mapping["destination"]
        if not destination_in_schema(destination, field_paths):
            found.append(_problem(mapping, f"Destination '{destination}' does not exist in schema '{draft.schema_id}'"))
        if destination in seen:
            found.append(_problem(mapping, f"Destination '{destination}' is mapped more than once"))
        seen.add(destination)
        if mapping["sourceType"] == "EXPRESSION" and len(mapping["source"]) > MAX_EXPRESSION_LENGTH:
            found.append(_problem(mapping, f"Expression is longer than {MAX_EXPRESSION_LENGTH} characters"))
        elif mapping["sourceType"] == "EXPRESSION":
            syntax = expression_problem(mapping["source"])
            if syntax:
                found.append(_problem(mapping, f"Invalid expression: {syntax}"))
        problems.append(found)
    return problems


def _require_valid_mappings(scope: Scope, draft: MappingSetDraft) -> None:
    """Create and update refuse a mapping set with any mapping problem (the emulator always validates)."""
    messages = [
        f"mappings[{index}]: {problem['exception']}"
        for index, found in enumerate(mapping_problems(scope, draft))
        for problem in found
    ]
    if messages:
        raise invalid_mapping_set("; ".join(messages))


def validation_report(scope: Scope, body: Any) -> list[dict[str, Any]]:
    """``POST /mappingSets/validate``: one SUCCESS/FAILED entry per mapping."""
    draft = parse_mapping_set(scope, body)
    return [
        {"status": "FAILED", "errors": found} if found else {"status": "SUCCESS", "errors": None}
        for found in mapping_problems(scope, draft)
    ]


# --- storage and versions -----------------------------------------------------------------------


def now_ms() -> int:
    return int(time.time() * 1000)


def new_id() -> str:
    """Data Prep ids: 32 lowercase hex characters (a UUID without dashes)."""
    return uuid.uuid4().hex


def _version_record(
    draft: MappingSetDraft, version: int, created: tuple[int, str], now: int, by: str
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "version": version,
        "createdDate": created[0],
        "createdBy": created[1],
        "modifiedDate": now,
        "modifiedBy": by,
        "allowNullValues": draft.allow_null_values,
        "inputSchema": draft.input_schema,
        "schemaRef": {"id": draft.schema_id, "contentType": draft.content_type},
        "xdmVersion": draft.xdm_version,
        # Every version gets fresh mapping ids, as on the platform.
        "mappings": [{"id": new_id(), **m} for m in draft.mappings],
    }
    if draft.name is not None:
        record["name"] = draft.name
    if draft.tags is not None:
        record["tags"] = draft.tags
    return record


def _load(scope: Scope, mapping_set_id: str) -> dict[str, Any] | None:
    return state().store.get(scope, MAPPING_SETS, mapping_set_id)


def _require(scope: Scope, mapping_set_id: str) -> dict[str, Any]:
    document = _load(scope, mapping_set_id)
    if document is None:
        raise not_found(f"Mapping set '{mapping_set_id}'")
    return document


def summary(document: dict[str, Any]) -> dict[str, Any]:
    """The short answer of a create: id, version and audit fields."""
    latest = document["versions"][-1]
    return {"id": document["id"], "version": latest["version"], "createdDate": latest["createdDate"],
            "modifiedDate": latest["modifiedDate"], "createdBy": latest["createdBy"],
            "modifiedBy": latest["modifiedBy"]}  # fmt: skip


def create_mapping_set(scope: Scope, body: Any, client_id: str) -> dict[str, Any]:
    """Validate and store version 0 of a new mapping set; the create answer."""
    with state().store.transaction():
        draft = parse_mapping_set(scope, body)
        _require_valid_mappings(scope, draft)
        now = now_ms()
        document = {
            "id": new_id(),
            "outputSchemaId": new_id(),
            "versions": [_version_record(draft, 0, (now, client_id), now, client_id)],
        }
        state().store.put(scope, MAPPING_SETS, document["id"], document)
    return summary(document)


def replace_mapping_set(scope: Scope, mapping_set_id: str, body: Any, client_id: str) -> dict[str, Any]:
    """``PUT``: store the body as the next version (older versions stay readable); the new version."""
    store = state().store
    with store.transaction():
        document = _require(scope, mapping_set_id)
        draft = parse_mapping_set(scope, body)
        _require_valid_mappings(scope, draft)
        first = document["versions"][0]
        record = _version_record(
            draft, len(document["versions"]), (first["createdDate"], first["createdBy"]), now_ms(), client_id
        )
        document["versions"].append(record)
        store.put(scope, MAPPING_SETS, mapping_set_id, document)
    return render(document, record)


def delete_mapping_set(scope: Scope, mapping_set_id: str) -> bool:
    return state().store.delete(scope, MAPPING_SETS, mapping_set_id)


def _version_of(document: dict[str, Any], version: int | None) -> dict[str, Any] | None:
    versions = document["versions"]
    if version is None:
        return versions[-1]
    return versions[version] if 0 <= version < len(versions) else None


# --- rendering ----------------------------------------------------------------------------------


def _render_mapping(mapping: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    rendered = {
        "id": mapping["id"],
        "version": 0,
        "createdDate": record["modifiedDate"],
        "modifiedDate": record["modifiedDate"],
        "createdBy": record["modifiedBy"],
        "modifiedBy": record["modifiedBy"],
        "sourceType": SOURCE_MEDIA_TYPES[mapping["sourceType"]],
        "source": mapping["source"],
        "destination": mapping["destination"],
        "identity": mapping["identity"],
        "primaryIdentity": mapping["primaryIdentity"],
        "matchScore": 0.0,
        "functionVersion": mapping["functionVersion"],
        "sourceAttribute": mapping["source"],
        "destinationXdmPath": mapping["destination"],
        "identityGroup": mapping["identityGroup"],
        "namespaceCode": mapping["namespaceCode"],
    }
    rendered.update((k, mapping[k]) for k in ("name", "description", "expressionAttributes") if k in mapping)
    return rendered


def render(
    document: dict[str, Any], record: dict[str, Any], expanded_schema: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One version as GET shows it: both dialects, media-type source types, generated ids."""
    rendered: dict[str, Any] = {
        "id": document["id"],
        "version": record["version"],
        "createdDate": record["createdDate"],
        "modifiedDate": record["modifiedDate"],
        "createdBy": record["createdBy"],
        "modifiedBy": record["modifiedBy"],
    }
    if "name" in record:
        rendered["name"] = record["name"]
    rendered.update(
        supportVersion=SUPPORT_VERSION,
        inputSchema=record["inputSchema"],
        outputSchema={"id": document["outputSchemaId"], "version": 0, "schemaRef": dict(record["schemaRef"]),
                      "jsonSchema": expanded_schema},  # fmt: skip
        mappings=[_render_mapping(m, record) for m in record["mappings"]],
        status="PUBLISHED",
        strictMapping=False,
        allowNullValues=record["allowNullValues"],
        xdmVersion=record["xdmVersion"],
        schemaRef=dict(record["schemaRef"]),
        xdmSchema=record["schemaRef"]["id"],
    )
    if "tags" in record:
        rendered["tags"] = record["tags"]
    return rendered


def _expanded_schema(scope: Scope, record: dict[str, Any]) -> dict[str, Any] | None:
    from ..schemaregistry.models import find_schema

    return find_schema(scope, record["schemaRef"]["id"])


def read_mapping_set(
    scope: Scope, mapping_set_id: str, version: int | None = None, expand_schema: bool = False
) -> dict[str, Any]:
    """``GET /mappingSets/{id}``: the newest or the given version; 404 when either is unknown."""
    document = _require(scope, mapping_set_id)
    record = _version_of(document, version)
    if record is None:
        raise not_found(f"Version {version} of mapping set '{mapping_set_id}'")
    return render(document, record, _expanded_schema(scope, record) if expand_schema else None)


def get_mapping_set(scope: Scope, mapping_set_id: str, version: int | None = None) -> dict[str, Any] | None:
    """Contract: the mapping set (a given version or the newest) as GET shows it, or None."""
    document = _load(scope, mapping_set_id)
    record = _version_of(document, version) if document else None
    return render(document, record) if record else None


def mappings_of(scope: Scope, mapping_set_id: str) -> list[dict[str, Any]]:
    """The newest version's mappings."""
    document = _require(scope, mapping_set_id)
    latest = document["versions"][-1]
    return [_render_mapping(m, latest) for m in latest["mappings"]]


def find_mapping(scope: Scope, mapping_set_id: str, mapping_id: str) -> dict[str, Any]:
    """One mapping by id, in whichever version holds it (ids change with each version)."""
    document = _require(scope, mapping_set_id)
    for record in reversed(document["versions"]):
        for mapping in record["mappings"]:
            if mapping["id"] == mapping_id:
                return _render_mapping(mapping, record)
    raise not_found(f"Mapping '{mapping_id}' of mapping set '{mapping_set_id}'")


# --- listing ------------------------------------------------------------------------------------

# data-prep.yaml: "Supported fields are: `createdDate` and `updatedDate`", and the parameter's default
# is `lastUpdateDate`, so that name is the update date too.
ORDER_FIELDS = {"createdDate": "createdDate", "updatedDate": "modifiedDate", "lastUpdateDate": "modifiedDate"}
DEFAULT_ORDER = "lastUpdateDate"


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int


def list_mapping_sets(
    scope: Scope,
    limit: int,
    start: int,
    name: str | None = None,
    order_by: str = "updatedDate",
    descending: bool = True,
    expand_schema: bool = False,
) -> Page:
    """The newest version of each mapping set, filtered by name, sorted, one page of it."""
    newest = [(document, document["versions"][-1]) for document in state().store.list(scope, MAPPING_SETS)]
    if name is not None:
        newest = [(d, r) for d, r in newest if r.get("name") == name]
    newest.sort(key=lambda pair: pair[1][ORDER_FIELDS[order_by]], reverse=descending)
    page = newest[start : start + limit]
    items = [render(d, r, _expanded_schema(scope, r) if expand_schema else None) for d, r in page]
    return Page(items=items, total=len(newest))


def mapping_sets_using_schema(scope: Scope, schema_id: str) -> list[str]:
    """Contract: ids of the mapping sets any version of which outputs to the schema ($id or altId)."""
    from ..schemaregistry.models import find_schema

    schema = find_schema(scope, schema_id)
    target = schema["$id"] if schema else schema_id  # versions store the resolved $id
    return [
        document["id"]
        for document in state().store.list(scope, MAPPING_SETS)
        if any(record["schemaRef"]["id"] == target for record in document["versions"])
    ]


# --- the expression language and previews (expressions.py) -------------------------------------


def expression_problem(expression: str) -> str | None:
    """What is syntactically wrong with an expression, or None."""
    try:
        expressions.parse(expression)
    except expressions.ExpressionError as exc:
        return str(exc)
    return None


class ValidationRequestBody(WireModel):
    """data-prep.yaml ``ValidationRequest``."""

    expression: str
    mapping_set_id: str | None = None
    sample_data: str | None = None
    sample_data_type: str | None = None


def validate_expression(body: Any) -> dict[str, str]:
    """``POST /languages/el/validate``: the answer of help/data-prep/api/functions.md for a valid
    expression; a syntax error is the spec's 400 "Invalid expression error" naming the problem."""
    try:
        request = ValidationRequestBody.model_validate(body)
    except ValidationError as exc:
        raise malformed(body_problem(exc).detail) from None
    if len(request.expression) > MAX_EXPRESSION_LENGTH:
        raise invalid_expression(f"An expression is at most {MAX_EXPRESSION_LENGTH} characters")
    problem = expression_problem(request.expression)
    if problem:
        raise invalid_expression(problem)
    return {"validationStatus": "succeeded", "error": "none"}


_INDEXED = re.compile(r"^(?P<name>[^\[]+)\[(?P<index>\d+)\]$")
_CASTS: dict[str, Any] = {
    "string": expressions._text, "integer": lambda v: int(expressions._number(v)),
    "number": lambda v: float(expressions._number(v)), "boolean": lambda v: v if isinstance(v, bool) else str(v).lower() == "true",
}  # fmt: skip


def _place(target: dict[str, Any], destination: str, value: Any) -> None:
    """Set ``value`` at a destination path (``person.name.firstName``, ``items[0].sku``)."""
    node: Any = target
    parts = destination.split(".")
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        match = _INDEXED.match(part)
        if match:
            array = node.setdefault(match["name"], [])
            index = int(match["index"])
            array.extend({} for _ in range(index + 1 - len(array)))
            if last:
                array[index] = value
            node = array[index]
        elif last:
            node[part] = value
        else:
            node = node.setdefault(part, {})


def _source_value(mapping: dict[str, Any], row: Any) -> Any:
    if mapping["sourceType"] == "STATIC":
        return mapping["source"]
    if mapping["sourceType"] == "ATTRIBUTE":
        return expressions._field(row, mapping["source"].split("."))
    return expressions.evaluate(expressions.parse(mapping["source"]), row)


def _preview_row(draft: MappingSetDraft, field_types: dict[str, str], row: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    errors = []
    for mapping in draft.mappings:
        try:
            value = _source_value(mapping, row)
            cast = _CASTS.get(field_types.get(_ARRAY_INDEX.sub("", mapping["destination"]), ""))
            if value is not None and cast is not None:
                value = cast(value)
        except (expressions.ExpressionError, ValueError, TypeError, ZeroDivisionError) as exc:
            errors.append(_problem(mapping, str(exc)))
            continue
        if value is not None or draft.allow_null_values:
            _place(data, mapping["destination"], value)
    return {"data": data, "errors": errors or None}


def preview(scope: Scope, body: Any) -> list[dict[str, Any]]:
    """``POST /mappingSets/preview`` (help/data-prep/api/mapping-set.md, "Preview data for mappings"):
    each sample row mapped by the mapping set, ``{"data": <XDM>, "errors": null|[...]}`` per row.
    ATTRIBUTE copies the source field, STATIC the constant, EXPRESSION is evaluated
    (``expressions.evaluate``); values take the destination field's XDM type (the documented answer
    turns ``"id": 1234`` into ``"_id": "1234"``). A mapping that fails leaves its field out and
    records a TransformErrorInfo, as a failed transformation does."""
    from ..schemaregistry.models import schema_field_paths

    if not isinstance(body, dict) or "mappingSet" not in body:
        raise malformed("A preview body is {\"data\": [sample rows], \"mappingSet\": {...}}")
    rows = body.get("data")
    rows = [rows] if isinstance(rows, dict) else rows  # the spec's example sends one row as an object
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise malformed("data must be an array of sample rows (JSON objects)")
    draft = parse_mapping_set(scope, body["mappingSet"])
    _require_valid_mappings(scope, draft)
    field_types = schema_field_paths(scope, draft.schema_id)
    return [_preview_row(draft, field_types, row) for row in rows]
