"""Flow Service backend: base/source/target connections, flows and runs, with the platform's rules.

Objects live in the shared Store under (org, sandbox) and kinds ``flowservice.<resource>``. What is stored
is the object as the platform keeps it (secrets in clear, so AWS can be called); ``render`` gives what a
GET shows (secrets masked, ``inheritedAttributes`` and ``lastRunDetails`` computed from the current
state). Every write happens inside ``Store.transaction()`` and gets a new etag.
"""

from __future__ import annotations

import copy
import importlib
import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.context import RequestContext, state
from ..core.store import Scope
from . import aws, patching, schedule
from .exceptions import FlowError, invalid, not_found
from .payloads import (
    ConnectionPayload,
    FlowPayload,
    RunPayload,
    SourceConnectionPayload,
    TargetConnectionPayload,
    parse,
    user_fields,
)
from .specs import DATA_LAKE_SPEC_ID, ConnectionSpec, FlowSpec, connection_spec, flow_spec, validate_params

CONNECTIONS = "connections"
SOURCE_CONNECTIONS = "sourceConnections"
TARGET_CONNECTIONS = "targetConnections"
FLOWS = "flows"
RUNS = "runs"

# What GET shows in place of a secret auth param (aep-api §11 #10: the real form is UNCONFIRMED).
SECRET_MASK = "********"
INLET_URL_PREFIX = "https://dcs.adobedc.net/collection/"
VERIFICATION_FIELD = "emulatorVerification"  # not an AEP field: says whether AWS was really asked

_AUDIT_FIELDS = (
    "id", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdClient", "updatedClient",
    "sandboxId", "sandboxName", "imsOrgId",
)
SERVER_FIELDS = frozenset(_AUDIT_FIELDS) | {
    "state", "version", "etag", "inheritedAttributes", "lastOperation", "runs", "lastRunDetails",
    "providerRefId", VERIFICATION_FIELD,
}
_STATE_ENABLED = "enabled"
_STATE_DISABLED = "disabled"


def kind(resource: str) -> str:
    return f"flowservice.{resource}"


# ---------------------------------------------------------------- identities, etags, audit fields


def new_etag(previous: str | None = None) -> str:
    """Cosmos-style quoted etag, ``"xxxxxxxx-0000-0200-0000-<epoch hex>0000"`` (aep-api §1.5)."""
    while True:
        etag = f'"{secrets.token_hex(4)}-0000-0200-0000-{int(time.time()):08x}0000"'
        if etag != previous:
            return etag


def etag_value(raw: str) -> str:
    """An etag or If-Match value without surrounding quotes or whitespace (clients send both forms)."""
    return raw.strip().strip('"').strip()


def sandbox_id(scope: Scope) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-emulator:{scope[0]}:{scope[1]}"))


def now_ms() -> int:
    return int(time.time() * 1000)


def _created(ctx: RequestContext) -> dict[str, Any]:
    at = now_ms()
    return {
        "id": str(uuid.uuid4()),
        "createdAt": at,
        "updatedAt": at,
        "createdBy": ctx.user_id,
        "updatedBy": ctx.user_id,
        "createdClient": ctx.client_id,
        "updatedClient": ctx.client_id,
        "sandboxId": sandbox_id(ctx.scope),
        "sandboxName": ctx.scope[1],
        "imsOrgId": ctx.scope[0],
    }


def _touched(current: Mapping[str, Any], ctx: RequestContext) -> dict[str, Any]:
    audit = {name: current[name] for name in _AUDIT_FIELDS}
    audit.update(updatedAt=max(now_ms(), current["createdAt"]), updatedBy=ctx.user_id, updatedClient=ctx.client_id)
    return audit


def _versioned(etag: str) -> dict[str, str]:
    return {"version": etag, "etag": etag}


# ---------------------------------------------------------------- resources


@dataclass(frozen=True)
class Resource:
    """One kind of Flow Service object and the rules that apply to it."""

    name: str
    fields: tuple[str, ...]
    validate: Callable[[Scope, dict[str, Any], dict[str, Any] | None], dict[str, Any]]
    verify_external: Callable[[Scope, dict[str, Any], dict[str, Any] | None], dict[str, Any]]
    render: Callable[[Scope, dict[str, Any]], dict[str, Any]]

    def user_part(self, document: Mapping[str, Any]) -> dict[str, Any]:
        return {name: document[name] for name in self.fields if name in document}


def _no_external_check(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    return {}


def _store():
    return state().store


def _get_stored(scope: Scope, resource: str, obj_id: str) -> dict[str, Any]:
    obj = _store().get(scope, kind(resource), obj_id)
    if obj is None:
        raise not_found(resource, obj_id)
    return obj


# ---------------------------------------------------------------- public operations


def list_objects(scope: Scope, resource: str) -> list[dict[str, Any]]:
    """Every object of a kind in the sandbox, as GET shows them, oldest first."""
    render = _renderer(resource)
    return [render(scope, obj) for obj in _store().list(scope, kind(resource))]


def get_object(scope: Scope, resource: str, obj_id: str) -> dict[str, Any]:
    return _renderer(resource)(scope, _get_stored(scope, resource, obj_id))


def _renderer(resource: str) -> Callable[[Scope, dict[str, Any]], dict[str, Any]]:
    # Runs are written by the run endpoint only and shown as stored.
    return RESOURCES[resource].render if resource in RESOURCES else (lambda scope, obj: obj)


def create_object(ctx: RequestContext, resource_name: str, body: Any) -> dict[str, Any]:
    """Validate and store a new object; returns the stored object (the caller answers ``{id, etag}``)."""
    resource = RESOURCES[resource_name]
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    if "state" in body:
        raise FlowError(1410, f"State is not allowed in the create {resource_name} request.")
    scope = ctx.scope
    document = resource.user_part(body)
    extras = resource.verify_external(scope, document, None)
    with _store().transaction():
        user = resource.validate(scope, document, None)
        audit = _created(ctx)
        obj = {**audit, **user, "state": _STATE_ENABLED, **_versioned(new_etag()), **extras}
        if resource_name == FLOWS:
            obj["runs"] = f"/runs?property=flowId=={audit['id']}"
            obj["lastOperation"] = _operation_record("create", [])
        _store().put(scope, kind(resource_name), obj["id"], obj)
    return obj


def patch_object(
    ctx: RequestContext, resource_name: str, obj_id: str, if_match: str | None, body: Any
) -> dict[str, Any]:
    """Apply a JSON Patch under ``If-Match``; the patched object is validated like a new one."""
    resource = RESOURCES[resource_name]
    scope = ctx.scope
    current = _get_stored(scope, resource_name, obj_id)
    _check_if_match(current, if_match)
    operations = patching.parse_operations(body)
    patching.check_paths(operations, SERVER_FIELDS)
    document = resource.user_part(patching.apply(current, operations))
    extras = resource.verify_external(scope, document, current)
    with _store().transaction():
        latest = _get_stored(scope, resource_name, obj_id)
        _check_if_match(latest, current["etag"])  # someone wrote in between: the caller's etag is stale
        user = resource.validate(scope, document, latest)
        obj = {**_touched(latest, ctx), **user, "state": latest["state"], **_versioned(new_etag(latest["etag"]))}
        obj.update({k: v for k, v in latest.items() if k in SERVER_FIELDS and k not in obj})
        obj.update(extras)
        if resource_name == FLOWS:
            obj["lastOperation"] = _operation_record("update", operations)
        _store().put(scope, kind(resource_name), obj_id, obj)
    return obj


def delete_object(scope: Scope, resource_name: str, obj_id: str) -> None:
    with _store().transaction():
        _get_stored(scope, resource_name, obj_id)
        users = flows_using(scope, resource_name, obj_id) if resource_name != FLOWS else []
        if users and resource_name == CONNECTIONS:
            raise FlowError(
                1418,
                f"The base connection with the ID {obj_id} cannot be deleted because it is used in flows "
                f"{', '.join(users)}. Delete those flows first.",
            )
        if users:
            raise FlowError(1447, f"Found active flows containing id {obj_id}: {', '.join(users)}.")
        _store().delete(scope, kind(resource_name), obj_id)


def flow_action(ctx: RequestContext, flow_id: str, op: str | None) -> dict[str, Any]:
    """``POST /flows/{id}/action?op=enable|disable``. Repeating the current state is a no-op (same etag)."""
    action = (op or "").strip().lower()
    if not action:
        raise FlowError(1334, "The query param : op cannot be empty. Provide a valid op and try again.")
    if action in ("finalize", "finalize_update", "publish"):
        raise FlowError(1402, f"The action '{action}' is supported for provider requests only.")
    if action not in ("enable", "disable"):
        raise FlowError(1398, f"The provided operation : {op} is unsupported.")
    wanted = _STATE_ENABLED if action == "enable" else _STATE_DISABLED
    scope = ctx.scope
    with _store().transaction():
        flow = _get_stored(scope, FLOWS, flow_id)
        if flow["state"] == wanted:
            return flow
        updated = {**flow, **_touched(flow, ctx), "state": wanted, **_versioned(new_etag(flow["etag"]))}
        updated["lastOperation"] = _operation_record(action, [])
        _store().put(scope, kind(FLOWS), flow_id, updated)
    return updated


def flows_using(scope: Scope, kind_name: str, object_id: str) -> list[str]:
    """Ids of the flows that reference a connection (contract used by other services and by deletes).

    ``kind_name``: ``"connections"`` (a base connection, through the flow's source or target
    connections), ``"sourceConnections"`` or ``"targetConnections"``.
    """
    store = _store()
    flows = store.list(scope, kind(FLOWS))
    if kind_name == SOURCE_CONNECTIONS:
        return [f["id"] for f in flows if object_id in (f.get("sourceConnectionIds") or [])]
    if kind_name == TARGET_CONNECTIONS:
        return [f["id"] for f in flows if object_id in (f.get("targetConnectionIds") or [])]
    if kind_name != CONNECTIONS:
        raise ValueError(f"flows_using: unknown kind {kind_name!r}")

    def uses_base(flow: Mapping[str, Any]) -> bool:
        for resource, ids in ((SOURCE_CONNECTIONS, flow.get("sourceConnectionIds")),
                              (TARGET_CONNECTIONS, flow.get("targetConnectionIds"))):
            for conn_id in ids or []:
                conn = store.get(scope, kind(resource), conn_id)
                if conn and conn.get("baseConnectionId") == object_id:
                    return True
        return False

    return [f["id"] for f in flows if uses_base(f)]


# ---------------------------------------------------------------- runs


def create_run(ctx: RequestContext, body: Any) -> dict[str, Any]:
    """Ad hoc run of a one-time (``frequency: once``) flow; it starts ``scheduled`` (aep-api §5.10)."""
    payload = parse(RunPayload, body)
    if not payload.flowId:
        raise FlowError(1446, "The flow ID cannot be null or empty. Provide a flow ID and try again.")
    scope = ctx.scope
    with _store().transaction():
        flow = _store().get(scope, kind(FLOWS), payload.flowId)
        if flow is None:
            raise FlowError(1430, f"Flow not found with id {payload.flowId}.")
        _check_run_allowed(flow, payload.params or {})
        run = {
            **_created(ctx),
            "flowId": flow["id"],
            "flowSpec": flow["flowSpec"],
            "params": payload.params or {},
            "etag": new_etag(),
            "metrics": {
                "durationSummary": {},
                "sizeSummary": {"inputBytes": 0, "outputBytes": 0},
                "recordSummary": {"inputRecordCount": 0, "outputRecordCount": 0, "failedRecordCount": 0},
                "fileSummary": {"inputFileCount": 0, "outputFileCount": 0},
                "statusSummary": {"status": "scheduled"},
            },
            "activities": [],
        }
        _store().put(scope, kind(RUNS), run["id"], run)
    return run


def _check_run_allowed(flow: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    spec = flow_spec(flow["flowSpec"]["id"])
    if spec is None or not spec.runs_supported:
        raise FlowError(1385, f"Flows of flow spec {flow['flowSpec']['id']} do not support creating flow runs.")
    frequency = schedule.normalized(flow.get("scheduleParams") or {}).get("frequency")
    if frequency != "once":
        raise FlowError(
            1386, f"The flowId={flow['id']} with scheduleParams frequency={frequency} is not supported for creating flow runs."
        )
    if flow["state"] != _STATE_ENABLED:
        raise FlowError(1388, f"The flow={flow['id']} is in state={flow['state']} and cannot be triggered.")
    start = schedule.whole_number(params.get("windowStartTime"))
    end = schedule.whole_number(params.get("windowEndTime"))
    if start is not None and end is not None and end < start:
        raise FlowError(1381, f"WindowEndTime={end} cannot be before WindowStartTime={start}.")


# ---------------------------------------------------------------- connection tools (test / explore)


def connection_test_result(scope: Scope, conn_id: str) -> dict[str, bool]:
    """``GET /connections/{id}/test``: ``{"result": bool}``; true when there is nothing to check."""
    conn = _get_stored(scope, CONNECTIONS, conn_id)
    spec = _known_spec(conn["connectionSpec"]["id"])
    try:
        _verify_aws_credentials(spec, conn)
    except FlowError:
        return {"result": False}
    return {"result": True}


def explore_connection(scope: Scope, conn_id: str, args: Mapping[str, str]) -> Any:
    """``GET /connections/{id}/explore``: buckets, folders and file previews of an S3 connection."""
    conn = _get_stored(scope, CONNECTIONS, conn_id)
    spec = _known_spec(conn["connectionSpec"]["id"])
    endpoint = state().config.aws_endpoint
    if spec.aws_service != "s3" or not endpoint:
        raise FlowError(
            1336,
            f"Explore connection is not supported for connection spec ID: {spec.id} "
            "(the emulator explores Amazon S3 connections when an AWS endpoint is configured).",
        )
    object_type = (args.get("objectType") or "").lower()
    if not object_type:
        raise FlowError(1334, "The query param : objectType cannot be empty.")
    if object_type not in ("root", "folder", "file"):
        raise FlowError(1358, f"The provided param 'objectType' ({object_type}) is invalid.")
    target = args.get("object")
    if object_type != "root" and not target:
        raise FlowError(1337, f"The object cannot be empty for objectType={object_type}.")
    access = aws.AwsAccess.for_s3(endpoint, conn["auth"]["params"])
    if object_type != "file":
        return aws.s3_entries(access, object_type, target)
    file_type = (args.get("fileType") or args.get("FileType") or "").lower()
    if not file_type:
        raise FlowError(1337, "The fileType cannot be empty for objectType=file.")
    options = {
        "columnDelimiter": args.get("columnDelimiter", ""),
        "compressionType": args.get("compressionType") or args.get("CompressionType") or "",
    }
    with_data = (args.get("preview") or "").lower() == "true"
    return aws.s3_preview(access, target or "", file_type, options, with_data)


# ---------------------------------------------------------------- base connections


def _known_spec(spec_id: Any) -> ConnectionSpec:
    spec = connection_spec(spec_id)
    if spec is None:
        raise FlowError(1413, f"The spec ID {spec_id} provided is invalid. Provide a valid spec ID and try again.")
    return spec


def _check_auth(spec: ConnectionSpec, document: Mapping[str, Any]) -> None:
    auth = document.get("auth")
    if not spec.auth_specs:
        if auth is not None:
            raise FlowError(1415, f"The auth spec could not be found: connection spec {spec.id} takes no auth.")
        return
    if auth is None:
        raise FlowError(1304, "The mandatory field auth is not provided. Provide auth and try again.")
    auth_spec = spec.auth_specs.get(auth["specName"])
    if auth_spec is None:
        raise FlowError(
            1415, f"The auth spec '{auth['specName']}' could not be found for the connection spec ID {spec.id}."
        )
    validate_params(auth_spec.schema, auth.get("params") or {}, "auth.params")


def _validate_connection(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    parse(ConnectionPayload, document)
    spec = _known_spec(document["connectionSpec"]["id"])
    _reject_spec_change(document, previous)
    if spec.base_connection == "forbidden":
        raise FlowError(1305, f"The provided connector type = {spec.name} is not supported for this operation.")
    _check_auth(spec, document)
    if previous and previous.get("auth") and document.get("auth"):
        if previous["auth"]["specName"] != document["auth"]["specName"]:
            raise invalid("The auth spec of a connection cannot be changed; create a new connection instead.")
    if spec.issues_inlet:
        document = _with_inlet(document, previous)
    return document


def _with_inlet(document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """HTTP API connections get a streaming inlet; it is server-owned and survives updates."""
    params = dict(document["auth"].get("params") or {})
    old_params = (previous or {}).get("auth", {}).get("params", {})
    inlet_id = old_params.get("inletId") or secrets.token_hex(32)
    params.update(inletId=inlet_id, inletUrl=INLET_URL_PREFIX + inlet_id)
    params.setdefault("authenticationRequired", False)
    return {**document, "auth": {**document["auth"], "params": params}}


def _verify_connection(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    parse(ConnectionPayload, document)
    spec = _known_spec(document["connectionSpec"]["id"])
    if spec.aws_service is None:
        return {}
    _check_auth(spec, document)
    if previous is not None and previous.get("auth") == document.get("auth"):
        return {}
    return _verification(lambda: _verify_aws_credentials(spec, document))


def _verify_aws_credentials(spec: ConnectionSpec, connection: Mapping[str, Any]) -> None:
    endpoint = state().config.aws_endpoint
    if not endpoint or spec.aws_service is None:
        return
    params = connection["auth"]["params"]
    if spec.aws_service == "s3":
        aws.verify_s3(aws.AwsAccess.for_s3(endpoint, params))
    else:
        aws.verify_kinesis(aws.AwsAccess.for_kinesis(endpoint, params))


def _verification(check: Callable[[], None]) -> dict[str, Any]:
    """Run an AWS check when an endpoint is configured and record the outcome on the object."""
    if not state().config.aws_endpoint:
        detail = "No AWS endpoint is configured in the emulator; the check against AWS was skipped."
        return {VERIFICATION_FIELD: {"status": "skipped", "checkedAt": now_ms(), "detail": detail}}
    check()
    return {VERIFICATION_FIELD: {"status": "verified", "checkedAt": now_ms()}}


def _render_connection(scope: Scope, obj: dict[str, Any]) -> dict[str, Any]:
    rendered = copy.deepcopy(obj)
    auth = rendered.get("auth")
    spec = connection_spec(rendered["connectionSpec"]["id"])
    if auth and spec and isinstance(auth.get("params"), dict):
        for name in spec.secret_params(auth.get("specName")):
            if name in auth["params"]:
                auth["params"][name] = SECRET_MASK
    return rendered


# ---------------------------------------------------------------- source and target connections


def _reject_spec_change(document: Mapping[str, Any], previous: Mapping[str, Any] | None) -> None:
    if previous and previous["connectionSpec"]["id"] != document["connectionSpec"]["id"]:
        raise FlowError(1414, "The connection spec of a connection cannot be updated.")


def _base_connection(scope: Scope, spec: ConnectionSpec, base_id: str | None) -> dict[str, Any] | None:
    """The base connection a source/target connection points at, checked against the spec's policy."""
    if base_id is None:
        if spec.base_connection == "required":
            raise FlowError(1304, "The mandatory field baseConnectionId is not provided. Provide it and try again.")
        return None
    if spec.base_connection == "forbidden":
        raise FlowError(
            1332,
            f"The source connection request with the connectionSpecId: {spec.id} cannot have a baseConnectionId. "
            "Remove the baseConnectionId and try again.",
        )
    base = _store().get(scope, kind(CONNECTIONS), base_id)
    if base is None:
        raise invalid(f"The base connection {base_id} does not exist in this sandbox.")
    if base["connectionSpec"]["id"] != spec.id:
        raise FlowError(
            1413,
            f"The base connection {base_id} uses connection spec {base['connectionSpec']['id']}, not {spec.id}.",
        )
    return base


def _validate_source_connection(
    scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any]:
    parse(SourceConnectionPayload, document)
    spec = _known_spec(document["connectionSpec"]["id"])
    _reject_spec_change(document, previous)
    if spec.source is None:
        raise FlowError(1413, f"The spec ID {spec.id} is not a source connection spec.")
    _base_connection(scope, spec, document.get("baseConnectionId"))
    data_format = document["data"].get("format")
    if data_format not in spec.source.formats:
        raise FlowError(
            1327,
            f"The format of source data supplied={data_format} in SourceConnection is not supported. "
            f"The allowed values are: {', '.join(spec.source.formats)}.",
        )
    validate_params(spec.source.schema, document.get("params") or {}, "params")
    return document


def _verify_source_connection(
    scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any]:
    parse(SourceConnectionPayload, document)
    spec = _known_spec(document["connectionSpec"]["id"])
    if spec.aws_service != "kinesis" or spec.source is None:
        return {}
    base = _base_connection(scope, spec, document.get("baseConnectionId"))
    params = document.get("params") or {}
    validate_params(spec.source.schema, params, "params")
    unchanged = previous is not None and all(
        previous.get(name) == document.get(name) for name in ("params", "baseConnectionId")
    )
    if unchanged or base is None:
        return {}
    endpoint = state().config.aws_endpoint or ""
    return _verification(
        lambda: aws.require_stream(aws.AwsAccess.for_kinesis(endpoint, base["auth"]["params"]), params["stream"])
    )


def _dataset_id(document: Mapping[str, Any]) -> str:
    params = document.get("params")
    dataset_id = params.get("dataSetId") if isinstance(params, dict) else None
    if dataset_id is None:
        raise FlowError(
            1324, "The target connection has no params.dataSetId. Provide a valid dataSetId and try again."
        )
    if isinstance(dataset_id, str) and not dataset_id.strip():
        raise FlowError(1325, "The dataSetId param cannot be null or empty in the target connection.")
    return dataset_id


def _validate_target_connection(
    scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any]:
    parse(TargetConnectionPayload, document)
    spec = _known_spec(document["connectionSpec"]["id"])
    _reject_spec_change(document, previous)
    if spec.id != DATA_LAKE_SPEC_ID or spec.target is None:
        raise FlowError(
            1307, f"The target connection spec ID is not valid={spec.id}. The allowed value is: {DATA_LAKE_SPEC_ID}."
        )
    _base_connection(scope, spec, document.get("baseConnectionId"))
    dataset_id = _dataset_id(document)
    validate_params(spec.target.schema, document["params"], "params")
    data_format = document["data"].get("format")
    if data_format not in spec.target.formats:
        raise FlowError(1396, f"The target data format {data_format} is not supported: use one of {', '.join(spec.target.formats)}.")
    dataset = _dataset(scope, dataset_id)
    schema = document["data"].get("schema") or {}
    schema_ref = schema.get("id") or schema.get("schemaId")
    if schema_ref and not _same_schema(scope, schema_ref, _dataset_schema(dataset)):
        raise invalid(
            f"The schema {schema_ref} of the target connection is not the schema "
            f"{_dataset_schema(dataset)} of dataset {dataset_id}."
        )
    return document


def _render_with_base(scope: Scope, obj: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(obj)
    spec = connection_spec(obj["connectionSpec"]["id"])
    if spec:
        rendered["providerRefId"] = spec.provider_id
    base = _store().get(scope, kind(CONNECTIONS), obj["baseConnectionId"]) if obj.get("baseConnectionId") else None
    if base:
        rendered["inheritedAttributes"] = {
            "baseConnection": {"id": base["id"], "connectionSpec": base["connectionSpec"]}
        }
    return rendered


# ---------------------------------------------------------------- other services (contract functions)


def _contract(service: str, function: str) -> Callable[..., Any]:
    """A function another emulator service exposes; imported late to avoid import cycles."""
    codes = {"catalog": (2200, "Catalog"), "dataprep": (2250, "Data Prep"), "schemaregistry": (2200, "Schema Registry")}
    try:
        return getattr(importlib.import_module(f"aep_emulator.{service}.models"), function)
    except (ImportError, AttributeError):
        code, name = codes[service]
        raise FlowError(code, f"There was a problem while calling the {name} service.", 500) from None


def _dataset(scope: Scope, dataset_id: str) -> dict[str, Any]:
    dataset = _contract("catalog", "get_dataset")(scope, dataset_id)
    if dataset is None:
        # Emulator choice (aep-api §11 #7): an unknown dataset is refused when it is referenced.
        raise invalid(f"The dataset {dataset_id} does not exist in this sandbox. Provide a valid dataSetId.")
    return dataset


def _dataset_schema(dataset: Mapping[str, Any]) -> str | None:
    return (dataset.get("schemaRef") or {}).get("id")


def _same_schema(scope: Scope, first: str | None, second: str | None) -> bool:
    """Schema references are equal, comparing ``$id`` and ``meta:altId`` forms alike."""
    if first is None or second is None:
        return False
    if first == second:
        return True
    find_schema = _contract("schemaregistry", "find_schema")
    resolved = [find_schema(scope, ref) for ref in (first, second)]
    return all(resolved) and resolved[0]["$id"] == resolved[1]["$id"]


# ---------------------------------------------------------------- flows


def _validate_flow(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    payload = parse(FlowPayload, document)
    spec = flow_spec(payload.flowSpec.id)
    if spec is None:
        raise FlowError(1413, f"The spec ID {payload.flowSpec.id} provided is invalid. Provide a valid spec ID and try again.")
    if previous and previous["flowSpec"]["id"] != spec.id:
        raise FlowError(1414, "The flow spec of a flow cannot be updated.")
    _flow_connections(scope, spec, SOURCE_CONNECTIONS, payload.sourceConnectionIds, spec.source_spec_ids)
    targets = _flow_connections(scope, spec, TARGET_CONNECTIONS, payload.targetConnectionIds, spec.target_spec_ids)
    datasets = {
        _dataset_id(t): _dataset(scope, _dataset_id(t)) for t in targets if t["connectionSpec"]["id"] == DATA_LAKE_SPEC_ID
    }
    for index, transformation in enumerate(document.get("transformations") or []):
        _check_transformation(scope, spec, index, transformation, datasets)
    _check_schedule(spec, document.get("scheduleParams"), previous)
    return document


def _flow_connections(
    scope: Scope, spec: FlowSpec, resource: str, ids: list[str] | None, accepted: frozenset[str]
) -> list[dict[str, Any]]:
    role = "source" if resource == SOURCE_CONNECTIONS else "target"
    if not ids:
        raise FlowError(1338, f"The {role} connection ID can't be null in flowRequest. Provide a valid {role} connection ID.")
    connections = []
    for conn_id in ids:
        conn = _store().get(scope, kind(resource), conn_id)
        if conn is None:
            raise invalid(f"The {role} connection {conn_id} does not exist in this sandbox.")
        if conn["connectionSpec"]["id"] not in accepted:
            raise FlowError(
                1413,
                f"The {role} connection {conn_id} uses connection spec {conn['connectionSpec']['id']}, "
                f"which flow spec {spec.id} ({spec.name}) does not accept.",
            )
        connections.append(conn)
    return connections


def _check_transformation(
    scope: Scope, spec: FlowSpec, index: int, transformation: Mapping[str, Any], datasets: dict[str, dict[str, Any]]
) -> None:
    name = transformation["name"]
    if name not in spec.transformations:
        raise invalid(f"The transformation {name} is not supported by flow spec {spec.id} ({spec.name}).")
    params = transformation["params"]
    validate_params(spec.transformations[name], params, f"transformations.{index}.params")
    if name == "Mapping":
        _check_mapping(scope, params, datasets)


def _check_mapping(scope: Scope, params: Mapping[str, Any], datasets: dict[str, dict[str, Any]]) -> None:
    """The mapping set version exists and writes the schema of every target dataset (1419/1412/1425)."""
    get_mapping_set = _contract("dataprep", "get_mapping_set")
    mapping_id = params["mappingId"]
    latest = get_mapping_set(scope, mapping_id)
    if latest is None:
        raise FlowError(1419, f"Error while validating mapping with id {mapping_id}: the mapping set does not exist.")
    mapping = latest
    if params.get("mappingVersion") is not None:
        version = schedule.whole_number(params["mappingVersion"])
        mapping = get_mapping_set(scope, mapping_id, version) if version is not None else None
        if mapping is None:
            raise FlowError(1412, f"Invalid Mapping Version {params['mappingVersion']!r} in request for mapping {mapping_id}.")
    output_schema = ((mapping.get("outputSchema") or {}).get("schemaRef") or {}).get("id") or mapping.get("xdmSchema")
    for dataset_id, dataset in datasets.items():
        if not _same_schema(scope, output_schema, _dataset_schema(dataset)):
            raise FlowError(
                1425,
                f"Error while matching schema in target dataset {dataset_id} with schema in mapping "
                f"{mapping_id}. Schema with same id and version must be used in both mapping and target dataset.",
            )


def _check_schedule(spec: FlowSpec, params: Any, previous: Mapping[str, Any] | None) -> None:
    if spec.schedule_schema is None:
        if params is not None:
            raise invalid(f"Flow spec {spec.id} ({spec.name}) runs continuously and takes no scheduleParams.")
        return
    if params is None:
        raise FlowError(1317, "The provided schedule params are empty but should not be empty.")
    old = (previous or {}).get("scheduleParams")
    if old:
        schedule.validate_update(spec.schedule_schema, old, params)
    else:
        schedule.validate_new(spec.schedule_schema, params)


def _operation_record(operation: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    at = now_ms()
    return {
        "started": at,
        "updated": at,
        "percentCompleted": 100.0,
        "status": {"value": "completed", "errors": []},
        "ops": operations,
        "operation": operation,
    }


def _render_flow(scope: Scope, obj: dict[str, Any]) -> dict[str, Any]:
    rendered = dict(obj)
    rendered["inheritedAttributes"] = {
        "sourceConnections": _inherited(scope, SOURCE_CONNECTIONS, obj.get("sourceConnectionIds") or []),
        "targetConnections": _inherited(scope, TARGET_CONNECTIONS, obj.get("targetConnectionIds") or []),
        "properties": {"isSourceFlow": True},
    }
    last_run = _last_run(scope, obj["id"])
    if last_run:
        rendered["lastRunDetails"] = last_run
    return _bookkeeping_last(rendered)


def _inherited(scope: Scope, resource: str, ids: list[str]) -> list[dict[str, Any]]:
    entries = []
    for conn_id in ids:
        conn = _store().get(scope, kind(resource), conn_id)
        if conn is None:
            continue
        entry: dict[str, Any] = {"id": conn_id, "connectionSpec": conn["connectionSpec"]}
        base = _store().get(scope, kind(CONNECTIONS), conn["baseConnectionId"]) if conn.get("baseConnectionId") else None
        if base:
            entry["baseConnection"] = {"id": base["id"], "connectionSpec": base["connectionSpec"]}
        entries.append(entry)
    return entries


def _last_run(scope: Scope, flow_id: str) -> dict[str, Any] | None:
    runs = [r for r in _store().list(scope, kind(RUNS)) if r["flowId"] == flow_id]
    if not runs:
        return None
    run = max(runs, key=lambda r: r["createdAt"])
    details = {"id": run["id"], "state": run["metrics"]["statusSummary"]["status"]}
    details.update(run["metrics"].get("durationSummary") or {})
    return details


def _bookkeeping_last(rendered: dict[str, Any]) -> dict[str, Any]:
    # Computed fields go after the user's fields, before the bookkeeping ones, as the platform shows them.
    tail = ("state", "version", "etag", "runs", "lastOperation", "lastRunDetails")
    head = {k: v for k, v in rendered.items() if k not in tail}
    return {**head, **{k: rendered[k] for k in tail if k in rendered}}


RESOURCES: dict[str, Resource] = {
    CONNECTIONS: Resource(
        CONNECTIONS, user_fields(ConnectionPayload), _validate_connection, _verify_connection, _render_connection
    ),
    SOURCE_CONNECTIONS: Resource(
        SOURCE_CONNECTIONS,
        user_fields(SourceConnectionPayload),
        _validate_source_connection,
        _verify_source_connection,
        _render_with_base,
    ),
    TARGET_CONNECTIONS: Resource(
        TARGET_CONNECTIONS,
        user_fields(TargetConnectionPayload),
        _validate_target_connection,
        _no_external_check,
        _render_with_base,
    ),
    FLOWS: Resource(FLOWS, user_fields(FlowPayload), _validate_flow, _no_external_check, _render_flow),
}


def _check_if_match(current: Mapping[str, Any], if_match: str | None) -> None:
    if if_match is None or not if_match.strip():
        raise FlowError(1403, "The header 'If-Match' is missing in the request. Provide the header and try again.")
    if etag_value(if_match) != etag_value(current["etag"]):
        raise FlowError(
            1404,
            f"The supplied version '{if_match}' does not match the current version on entity "
            f"'{current['etag']}'. Get the current etag and try again.",
            412,
        )
