"""The connector catalogue: connection specs and flow specs, and validation of params against them.

``data/connection_specs.json`` and ``data/flow_specs.json`` hold the catalogue in a compact form; this
module expands each entry into the shape ``GET /connectionSpecs`` and ``GET /flowSpecs`` answer with
(``authSpec[].spec``, ``sourceSpec.spec``, ``targetSpec.spec``, ``scheduleSpec.spec`` are JSON Schemas;
a spec GET carries at least the documented ``id``, ``name``, ``providerId``, ``version`` and ``authSpec``,
help/sources/tutorials/api/create/crm/salesforce.md) and keeps the rules the backend needs (secret fields,
base-connection policy, accepted formats).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema

from .exceptions import FlowError

DATA_LAKE_SPEC_ID = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
SPEC_VERSION = "1.0"
_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"

# Shorthands of the compact catalogue. "flag" exists because clients send booleans as strings
# (the cloud-storage seed posts "recursive": "true" and gets a 201).
_SHORTHANDS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "secret": {"type": "string", "format": "password"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "flag": {"enum": [True, False, "true", "false"]},
}


@dataclass(frozen=True)
class AuthSpec:
    name: str
    schema: dict[str, Any]
    secrets: frozenset[str]


@dataclass(frozen=True)
class ParamsSpec:
    """What a source or target connection of this connector accepts as ``data.format`` and ``params``."""

    schema: dict[str, Any]
    formats: tuple[str, ...]


@dataclass(frozen=True)
class ConnectionSpec:
    id: str
    name: str
    provider_id: str
    document: dict[str, Any]
    auth_specs: dict[str, AuthSpec]
    source: ParamsSpec | None
    target: ParamsSpec | None
    base_connection: str  # "required" | "optional" | "forbidden" (for source/target connections)
    aws_service: str | None  # "s3" | "kinesis": checked against the configured AWS endpoint
    explorable: bool
    issues_inlet: bool  # HTTP API: the base connection gets a streaming inlet

    def secret_params(self, auth_spec_name: str | None) -> frozenset[str]:
        spec = self.auth_specs.get(auth_spec_name or "")
        return spec.secrets if spec else frozenset()


@dataclass(frozen=True)
class FlowSpec:
    id: str
    name: str
    document: dict[str, Any]
    source_spec_ids: frozenset[str]
    target_spec_ids: frozenset[str]
    transformations: dict[str, dict[str, Any]]  # transformation name -> JSON Schema of its params
    schedule_schema: dict[str, Any] | None  # None: streaming, no scheduleParams
    runs_supported: bool
    api_features: dict[str, bool]  # attributes.uiAttributes.apiFeatures as documented (absent: supported)


@dataclass(frozen=True)
class Catalogue:
    connection_specs: dict[str, ConnectionSpec]
    flow_specs: dict[str, FlowSpec]


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue, loaded once per process (it is static data)."""
    connection_data = _load("connection_specs.json")
    flow_data = _load("flow_specs.json")
    providers = connection_data["providers"]
    connections = {entry["id"]: _connection_spec(entry, connection_data) for entry in connection_data["specs"]}
    flows = {entry["id"]: _flow_spec(entry, flow_data, providers) for entry in flow_data["specs"]}
    return Catalogue(connections, flows)


def connection_spec(spec_id: Any) -> ConnectionSpec | None:
    return catalogue().connection_specs.get(spec_id) if isinstance(spec_id, str) else None


def flow_spec(spec_id: Any) -> FlowSpec | None:
    return catalogue().flow_specs.get(spec_id) if isinstance(spec_id, str) else None


def validate_params(schema: dict[str, Any], value: Any, where: str) -> None:
    """Check ``value`` against a spec's JSON Schema; the error names the field, as AEP's do.

    A missing required field is ``1304-400``; any other mismatch is ``1312-400`` (sources catalogue).
    """
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: (list(e.absolute_path), e.validator))
    if not errors:
        return
    error = errors[0]
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        field = _join(where, *error.absolute_path, missing)
        raise FlowError(1304, f"The mandatory field {field} is not provided. Provide {field} and try again.")
    field = _join(where, *error.absolute_path)
    raise FlowError(
        1312,
        f"The provided value {json.dumps(error.instance)} is not a valid input for property {field}: "
        f"{error.message}.",
    )


def _join(*parts: Any) -> str:
    return ".".join(str(p) for p in parts if p != "")


def _load(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


def _object_schema(params: dict[str, Any], required: list[str], description: str) -> dict[str, Any]:
    properties = {name: dict(_SHORTHANDS[p]) if isinstance(p, str) else dict(p) for name, p in params.items()}
    return {
        "$schema": _SCHEMA_DIALECT,
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(required),
    }


def _category_key(category: str) -> str:
    words = category.split()
    return words[0].lower() + "".join(w.capitalize() for w in words[1:])


def _permissions(name: str) -> dict[str, Any]:
    return {
        "view": [{"@type": "lowLevel", "name": name, "permissions": ["read"]}],
        "manage": [{"@type": "lowLevel", "name": name, "permissions": ["write"]}],
    }


def _params_spec(section: dict[str, Any], data: dict[str, Any], role: str) -> ParamsSpec:
    if section.get("kind") == "files":
        section = {**data["fileSource"], **section}
    schema = _object_schema(
        section["params"], section["required"], f"Params of this connector used as the {role} of a flow."
    )
    return ParamsSpec(schema=schema, formats=tuple(section["formats"]))


def _connection_spec(entry: dict[str, Any], data: dict[str, Any]) -> ConnectionSpec:
    provider_id = data["providers"][entry["provider"]]
    auth_specs = {
        auth["name"]: AuthSpec(
            name=auth["name"],
            schema=_object_schema(auth["params"], auth["required"], f"Credentials for {entry['label']}."),
            secrets=frozenset(n for n, p in auth["params"].items() if _is_secret(p)),
        )
        for auth in entry["auth"]
    }
    source = _params_spec(entry["source"], data, "source") if "source" in entry else None
    target = _params_spec(entry["target"], data, "target") if "target" in entry else None
    return ConnectionSpec(
        id=entry["id"],
        name=entry["name"],
        provider_id=provider_id,
        document=_connection_document(entry, provider_id, auth_specs, source, target),
        auth_specs=auth_specs,
        source=source,
        target=target,
        base_connection=entry["baseConnection"],
        aws_service=entry.get("aws"),
        explorable="explore" in entry,
        issues_inlet=bool(entry.get("inlet")),
    )


def _is_secret(param: str | dict[str, Any]) -> bool:
    return param == "secret" or (isinstance(param, dict) and param.get("format") == "password")


def _connection_document(
    entry: dict[str, Any],
    provider_id: str,
    auth_specs: dict[str, AuthSpec],
    source: ParamsSpec | None,
    target: ParamsSpec | None,
) -> dict[str, Any]:
    category_key = _category_key(entry["category"])
    permission = "StreamingSource" if entry["provider"] == "streaming" else "EnterpriseSource"
    label = entry["label"]  # the display label; ``name`` is the platform's spec name (a slug for most)
    ui = {"category": category_key, "label": label}
    document: dict[str, Any] = {
        "id": entry["id"],
        "name": entry["name"],
        "providerId": provider_id,
        "version": SPEC_VERSION,
        "authSpec": [
            {"name": auth["name"], "type": auth["type"], "spec": auth_specs[auth["name"]].schema}
            for auth in entry["auth"]
        ],
    }
    if source:
        document["sourceSpec"] = _params_document(entry["category"], category_key, source, {"isSource": True, **ui})
    if target:
        document["targetSpec"] = _params_document(label, category_key, target, {"isDestination": False, **ui})
    if "explore" in entry:
        document["exploreSpec"] = {"name": entry["explore"], "type": entry["explore"]}
    document["attributes"] = {
        "category": entry["category"],
        "connectorName": label,
        "isSource": source is not None,
        "uiAttributes": {"isSource": source is not None, **ui, "apiFeatures": {"explorePaginationSupported": False}},
    }
    document["permissionsInfo"] = _permissions(permission)
    return document


def _params_document(name: str, type_: str, params: ParamsSpec, ui_attributes: dict[str, Any]) -> dict[str, Any]:
    """A connection spec's ``sourceSpec`` or ``targetSpec``."""
    return {
        "name": name,
        "type": type_,
        "spec": params.schema,
        "attributes": {"uiAttributes": ui_attributes},
        "supportedFormats": list(params.formats),
    }


def _flow_spec(entry: dict[str, Any], data: dict[str, Any], providers: dict[str, str]) -> FlowSpec:
    transformations = {name: data["transformations"][name] for name in entry["transformations"]}
    schedule_name = entry["schedule"]
    schedule_schema = data["schedules"][schedule_name] if schedule_name else None
    document: dict[str, Any] = {
        "id": entry["id"],
        "name": entry["name"],
        "providerId": providers[entry["provider"]],
        "version": SPEC_VERSION,
        "sourceConnectionSpecIds": list(entry["sources"]),
        "targetConnectionSpecIds": list(entry["targets"]),
        "transformationSpecs": [{"name": n, "spec": s} for n, s in transformations.items()],
    }
    if schedule_schema:
        document["scheduleSpec"] = {"name": schedule_name, "type": "Periodic", "spec": schedule_schema}
    # Attributes as the flow spec GET examples show them (a batch spec carries no apiFeatures there).
    document["attributes"] = {"isSourceFlow": True, **entry.get("attributes", {}), "frequency": entry["frequency"]}
    api_features = dict(entry.get("apiFeatures", {}))
    if api_features:
        document["attributes"]["uiAttributes"] = {"apiFeatures": api_features}
    document["permissionsInfo"] = _permissions(entry["permission"])
    return FlowSpec(
        id=entry["id"],
        name=entry["name"],
        document=document,
        source_spec_ids=frozenset(entry["sources"]),
        target_spec_ids=frozenset(entry["targets"]),
        transformations=transformations,
        schedule_schema=schedule_schema,
        runs_supported=api_features.get("flowRunsSupported", True),
        api_features=api_features,
    )
