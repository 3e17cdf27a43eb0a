"""A sandbox built by hand: both seed workflows created through AEP's raw API, as a team without the
provider would have made them (the bodies of the platform's own tutorials, not the provider's code).

- Streaming (seed 000): a loyalty field group, a Profile schema with a primary identity in a custom
  namespace and a second identity, a Profile-enabled dataset, a Kinesis base connection, a source
  connection on a stream, a target connection, a mapping set and a streaming flow using it.
- Parquet (seed 004): a schema, a dataset, an S3 base connection, a dataset base connection, a source
  connection of XDM parquet files, a target connection and a flow on a 15-minute schedule.

``seed_workflows(emulator, sandbox, prefix)`` returns the ids by role; a prefix lets a benchmark make many.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.testing import EmulatorHandle
from aep_provider import specs

SCHEMA_REGISTRY = "/data/foundation/schemaregistry/tenant"
CATALOG = "/data/foundation/catalog/dataSets"
FLOW_SERVICE = "/data/foundation/flowservice"
MAPPING_SETS = "/data/foundation/conversion/mappingSets"
NAMESPACES = "/data/core/idnamespace/identities"
SANDBOXES = "/data/foundation/sandbox-management/sandboxes"
XED = "application/vnd.adobe.xed+json; version=1"
XED_FULL = "application/vnd.adobe.xed-full+json;version=1"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"
PERSONAL_DETAILS = "https://ns.adobe.com/xdm/context/profile-personal-details"
TENANT = f"_{EmulatorConfig().tenant_id}"

KINESIS_SECRET = "kinesis-secret-seeded-3f1c"
S3_SECRET = "s3-secret-seeded-77ab"


def call(emulator: EmulatorHandle, method: str, path: str, sandbox: str, body: Any = None, **kwargs: Any) -> Any:
    answer = emulator.request(method, path, sandbox=sandbox, json=body, **kwargs)
    assert answer.ok, f"{method} {path} -> {answer.status_code}: {answer.text}"
    return answer.json() if answer.content else None


def create_sandbox(emulator: EmulatorHandle, name: str) -> None:
    """A development sandbox, waited for until active (help/sandboxes/api/sandboxes.md)."""
    call(emulator, "POST", SANDBOXES, "prod", {"name": name, "title": name.title(), "type": "development"})
    for _ in range(200):
        if call(emulator, "GET", f"{SANDBOXES}/{name}", "prod").get("state") == "active":
            return
        time.sleep(0.05)
    raise AssertionError(f"sandbox {name} never became active")


def _registry(emulator: EmulatorHandle, sandbox: str, kind: str, body: dict[str, Any]) -> str:
    return call(emulator, "POST", f"{SCHEMA_REGISTRY}/{kind}", sandbox, body, headers={"Accept": XED})["$id"]


def _field_group(emulator: EmulatorHandle, sandbox: str, title: str) -> str:
    fields = {
        "loyaltyId": {"title": "Loyalty id", "type": "string"},
        "points": {"title": "Points", "type": "integer", "minimum": -(2**53), "maximum": 2**53, "meta:xdmType": "long"},
        "email": {"title": "Email", "type": "string"},
    }
    return _registry(emulator, sandbox, "fieldgroups", {
        "type": "object", "title": title, "description": "Loyalty programme fields",
        "meta:intendedToExtend": [PROFILE],
        "definitions": {"customFields": {"type": "object", "properties": {
            TENANT: {"type": "object", "properties": fields}}}},
        "allOf": [{"$ref": "#/definitions/customFields"}],
    })  # fmt: skip


def _schema(emulator: EmulatorHandle, sandbox: str, title: str, field_groups: list[str]) -> str:
    body = {"type": "object", "title": title, "description": f"{title} (made by hand)",
            "allOf": [{"$ref": ref} for ref in (PROFILE, *field_groups)]}  # fmt: skip
    return _registry(emulator, sandbox, "schemas", body)


def _identity(emulator: EmulatorHandle, sandbox: str, schema_id: str, field: str, namespace: str, primary: bool) -> str:
    body = {"@type": "xdm:descriptorIdentity", "xdm:sourceSchema": schema_id, "xdm:sourceVersion": 1,
            "xdm:sourceProperty": f"/{TENANT}/{field}", "xdm:namespace": namespace, "xdm:property": "xdm:code",
            "xdm:isPrimary": primary}  # fmt: skip
    return call(emulator, "POST", f"{SCHEMA_REGISTRY}/descriptors", sandbox, body)["@id"]


def _dataset(emulator: EmulatorHandle, sandbox: str, name: str, schema_id: str, profile: bool) -> str:
    tags: dict[str, list[str]] = {"team": ["loyalty"]}
    if profile:
        tags["unifiedProfile"] = ["enabled:true"]
    body = {"name": name, "description": f"{name} (made by hand)", "schemaRef": {"id": schema_id, "contentType": XED},
            "tags": tags, "fileDescription": {"persisted": True, "format": "parquet"}}  # fmt: skip
    return call(emulator, "POST", CATALOG, sandbox, body)[0].rsplit("/", 1)[-1]


def _flow_object(emulator: EmulatorHandle, sandbox: str, collection: str, body: dict[str, Any]) -> str:
    return call(emulator, "POST", f"{FLOW_SERVICE}/{collection}", sandbox, body)["id"]


def _spec(spec_id: str) -> dict[str, str]:
    return {"id": spec_id, "version": "1.0"}


def _target(emulator: EmulatorHandle, sandbox: str, name: str, dataset_id: str, schema_id: str,
            base_id: str | None = None) -> str:  # fmt: skip
    body: dict[str, Any] = {"name": name, "connectionSpec": _spec(specs.DATA_LAKE),
                            "data": {"format": "parquet_xdm", "schema": {"id": schema_id, "version": XED_FULL}},
                            "params": {"dataSetId": dataset_id}}  # fmt: skip
    if base_id:
        body["baseConnectionId"] = base_id
    return _flow_object(emulator, sandbox, "targetConnections", body)


def streaming(emulator: EmulatorHandle, sandbox: str, prefix: str, namespace: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["field_group"] = _field_group(emulator, sandbox, f"{prefix} loyalty")
    ids["schema"] = schema = _schema(emulator, sandbox, f"{prefix} members", [PERSON_DETAILS, ids["field_group"]])
    ids["primary"] = _identity(emulator, sandbox, schema, "loyaltyId", namespace, True)
    ids["email_identity"] = _identity(emulator, sandbox, schema, "email", "Email", False)
    call(emulator, "PATCH", f"{SCHEMA_REGISTRY}/schemas/{quote(schema, safe='')}", sandbox,
         [{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}])  # fmt: skip
    ids["dataset"] = _dataset(emulator, sandbox, f"{prefix} members", schema, profile=True)
    ids["kinesis"] = _flow_object(emulator, sandbox, "connections", {
        "name": f"{prefix} Kinesis", "connectionSpec": _spec(specs.AMAZON_KINESIS),
        "auth": {"specName": "Aws Kinesis authentication credentials",
                 "params": {"accessKeyId": "AKIASEEDED", "secretKey": KINESIS_SECRET, "region": "us-east-1"}},
    })  # fmt: skip
    ids["source"] = _flow_object(emulator, sandbox, "sourceConnections", {
        "name": f"{prefix} Kinesis source", "baseConnectionId": ids["kinesis"],
        "connectionSpec": _spec(specs.AMAZON_KINESIS), "data": {"format": "json"},
        "params": {"stream": "orders", "dataType": "raw", "reset": "latest"},
    })  # fmt: skip
    ids["target"] = _target(emulator, sandbox, f"{prefix} members target", ids["dataset"], schema)
    ids["mapping"] = call(emulator, "POST", MAPPING_SETS, sandbox, {
        "outputSchema": {"schemaRef": {"id": schema, "contentType": XED_FULL}},
        "mappings": [
            {"sourceType": "ATTRIBUTE", "source": "firstName", "destination": "person.name.firstName"},
            {"sourceType": "ATTRIBUTE", "source": "loyaltyId", "destination": f"{TENANT}.loyaltyId"},
        ],
    })["id"]  # fmt: skip
    ids["flow"] = _flow_object(emulator, sandbox, "flows", {
        "name": f"{prefix} streaming dataflow", "flowSpec": _spec(specs.STREAMING_FLOW),
        "sourceConnectionIds": [ids["source"]], "targetConnectionIds": [ids["target"]],
        "transformations": [{"name": "Mapping", "params": {"mappingId": ids["mapping"], "mappingVersion": 0}}],
    })  # fmt: skip
    return ids


def parquet(emulator: EmulatorHandle, sandbox: str, prefix: str, field_group: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["schema"] = schema = _schema(emulator, sandbox, f"{prefix} purchases", [PERSONAL_DETAILS, field_group])
    ids["dataset"] = _dataset(emulator, sandbox, f"{prefix} purchases", schema, profile=False)
    ids["s3"] = _flow_object(emulator, sandbox, "connections", {
        "name": f"{prefix} S3", "connectionSpec": _spec(specs.AMAZON_S3),
        "auth": {"specName": "Access Key", "params": {"s3AccessKey": "AKIASEEDEDS3", "s3SecretKey": S3_SECRET}},
    })  # fmt: skip
    ids["dataset_base"] = _flow_object(emulator, sandbox, "connections", {
        "name": f"{prefix} dataset base connection", "connectionSpec": _spec(specs.DATA_LAKE)})
    ids["source"] = _flow_object(emulator, sandbox, "sourceConnections", {
        "name": f"{prefix} parquet files", "baseConnectionId": ids["s3"], "connectionSpec": _spec(specs.AMAZON_S3),
        "data": {"format": "parquet_xdm", "schema": {"id": schema, "version": XED_FULL}},
        "params": {"path": "seeded-bucket/parquet", "type": "folder", "recursive": True},
    })  # fmt: skip
    ids["target"] = _target(emulator, sandbox, f"{prefix} purchases target", ids["dataset"], schema,
                            ids["dataset_base"])  # fmt: skip
    ids["flow"] = _flow_object(emulator, sandbox, "flows", {
        "name": f"{prefix} parquet dataflow", "flowSpec": _spec(specs.CLOUD_STORAGE_FLOW),
        "sourceConnectionIds": [ids["source"]], "targetConnectionIds": [ids["target"]],
        "scheduleParams": {"startTime": int(time.time()) + 600, "frequency": "minute", "interval": 15,
                           "backfill": True},
    })  # fmt: skip
    return ids


def seed_workflows(emulator: EmulatorHandle, sandbox: str, prefix: str = "Seeded") -> dict[str, dict[str, str]]:
    """Both workflows in ``sandbox``; a custom namespace holds the streaming schema's primary identity."""
    code = "".join(ch for ch in f"{prefix}Loyalty" if ch.isalnum())
    namespace = call(emulator, "POST", NAMESPACES, sandbox, {
        "name": f"{prefix} loyalty member", "code": code, "idType": "Cross_device",
        "description": "Loyalty programme member number",
    })  # fmt: skip
    made = streaming(emulator, sandbox, prefix, code)
    return {"namespace": {"id": str(namespace["id"])}, "streaming": made,
            "parquet": parquet(emulator, sandbox, prefix, made["field_group"])}  # fmt: skip
