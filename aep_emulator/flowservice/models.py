"""Flow Service backend: the operations the routes call, over base/source/target connections, flows and runs.

Objects live in the shared Store under (org, sandbox) and kinds ``flowservice.<resource>``. What is stored
is the object as the platform keeps it (secrets in clear, so AWS can be called); ``render`` gives what a
GET shows (secrets masked, ``inheritedAttributes`` and ``lastRunDetails`` computed from the current
state). Every write happens inside ``Store.transaction()`` and gets a new etag. The rules of each kind
of object are in ``connections.py`` and ``flows.py``.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.context import RequestContext, sandbox_id, state
from ..core.store import Scope
from . import aws, connections, flows, patching, schedule
from .connections import SECRET_MASK, known_spec, verify_aws_credentials
from .exceptions import FlowError, invalid
from .flows import STATE_DISABLED, STATE_ENABLED, TRANSITION_FIELD, check_run_allowed, start_operation
from .objects import (
    CONNECTIONS,
    FLOWS,
    RUNS,
    SOURCE_CONNECTIONS,
    TARGET_CONNECTIONS,
    VERIFICATION_FIELD,
    get_stored,
    kind,
    now_ms,
    store,
)
from .payloads import (
    ConnectionPayload,
    FlowPayload,
    RunPayload,
    SourceConnectionPayload,
    TargetConnectionPayload,
    parse,
    user_fields,
)

__all__ = [
    "CONNECTIONS",
    "FLOWS",
    "RUNS",
    "SECRET_MASK",
    "SOURCE_CONNECTIONS",
    "TARGET_CONNECTIONS",
    "VERIFICATION_FIELD",
    "connection_test_result",
    "create_object",
    "create_run",
    "delete_object",
    "explore_connection",
    "flow_action",
    "flows_using",
    "get_object",
    "list_objects",
    "patch_object",
]

_AUDIT_FIELDS = (
    "id",
    "createdAt",
    "updatedAt",
    "createdBy",
    "updatedBy",
    "createdClient",
    "updatedClient",
    "sandboxId",
    "sandboxName",
    "imsOrgId",
)
SERVER_FIELDS = frozenset(_AUDIT_FIELDS) | {
    "state",
    "version",
    "etag",
    "inheritedAttributes",
    "lastOperation",
    "runs",
    "lastRunDetails",
    "providerRefId",
    VERIFICATION_FIELD,
    TRANSITION_FIELD,
}


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

    fields: tuple[str, ...]  # what a client owns (kept from a request); the rest is the server's
    validate: Callable[[Scope, dict[str, Any], dict[str, Any] | None], dict[str, Any]]
    verify_external: Callable[[Scope, dict[str, Any], dict[str, Any] | None], dict[str, Any]]
    render: Callable[[Scope, dict[str, Any]], dict[str, Any]]
    patchable: tuple[str, ...] | None = None  # JSON pointers a PATCH may touch (and below); None: any

    def user_part(self, document: Mapping[str, Any]) -> dict[str, Any]:
        return {name: document[name] for name in self.fields if name in document}


def _no_external_check(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    return {}


RESOURCES: dict[str, Resource] = {
    CONNECTIONS: Resource(
        user_fields(ConnectionPayload),
        connections.validate_connection,
        connections.verify_connection,
        connections.render_connection,
        connections.CONNECTION_PATCHABLE,
    ),
    SOURCE_CONNECTIONS: Resource(
        user_fields(SourceConnectionPayload),
        connections.validate_source_connection,
        connections.verify_source_connection,
        connections.render_with_base,
        connections.DATA_CONNECTION_PATCHABLE,
    ),
    TARGET_CONNECTIONS: Resource(
        user_fields(TargetConnectionPayload),
        connections.validate_target_connection,
        _no_external_check,
        connections.render_with_base,
        connections.DATA_CONNECTION_PATCHABLE,
    ),
    FLOWS: Resource(user_fields(FlowPayload), flows.validate_flow, _no_external_check, flows.render_flow),
}


# ---------------------------------------------------------------- public operations


def list_objects(scope: Scope, resource: str) -> list[dict[str, Any]]:
    """Every object of a kind in the sandbox, as GET shows them, oldest first."""
    render = _renderer(resource)
    return [render(scope, obj) for obj in store().list(scope, kind(resource))]


def get_object(scope: Scope, resource: str, obj_id: str) -> dict[str, Any]:
    return _renderer(resource)(scope, get_stored(scope, resource, obj_id))


def _renderer(resource: str) -> Callable[[Scope, dict[str, Any]], dict[str, Any]]:
    # Runs are written by the run endpoint only and shown as stored.
    return RESOURCES[resource].render if resource in RESOURCES else (lambda scope, obj: obj)


def _as_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


# flow-service.yaml ScheduleSpecDTO: how the platform keeps each schedule value, whatever JSON type the
# request used (the docs' examples send strings; the seed sends numbers and booleans).
_SCHEDULE_TYPES: dict[str, Callable[[Any], Any]] = {
    "startTime": lambda v: int(schedule.whole_number(v)),
    "frequency": str,
    "interval": _as_text,
    "backfill": lambda v: v if isinstance(v, bool) else str(v).lower() == "true",
}


def stored_form(document: dict[str, Any]) -> dict[str, Any]:
    """Values in the types of the platform's DTOs (spec versions and ``mappingVersion`` are strings,
    ``scheduleParams`` as ScheduleSpecDTO), so clients must read both forms, as against AEP."""
    for key in ("connectionSpec", "flowSpec"):
        if isinstance(document.get(key), dict) and document[key].get("version") is not None:
            document[key]["version"] = _as_text(document[key]["version"])
    if isinstance(document.get("scheduleParams"), dict):
        document["scheduleParams"] = {
            k: _SCHEDULE_TYPES.get(k, lambda v: v)(v) for k, v in document["scheduleParams"].items() if v is not None
        }
    for transformation in document.get("transformations") or []:
        params = transformation.get("params") if isinstance(transformation, dict) else None
        if isinstance(params, dict) and params.get("mappingVersion") is not None:
            params["mappingVersion"] = _as_text(params["mappingVersion"])
    return document


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
    with store().transaction():
        user = stored_form(resource.validate(scope, document, None))
        audit = _created(ctx)
        obj = {**audit, **user, "state": STATE_ENABLED, **_versioned(new_etag()), **extras}
        if resource_name == FLOWS:
            obj["runs"] = f"/runs?property=flowId=={audit['id']}"
            start_operation(obj, "create", [], STATE_ENABLED, _transition_seconds())
        store().put(scope, kind(resource_name), obj["id"], obj)
    return obj


def patch_object(
    ctx: RequestContext, resource_name: str, obj_id: str, if_match: str | None, body: Any
) -> dict[str, Any]:
    """Apply a JSON Patch under ``If-Match``; the patched object is validated like a new one."""
    resource = RESOURCES[resource_name]
    scope = ctx.scope
    current = get_stored(scope, resource_name, obj_id)
    _check_if_match(current, if_match)
    operations = patching.parse_operations(body)
    patching.check_paths(operations, SERVER_FIELDS, resource.patchable)
    document = resource.user_part(patching.apply(current, operations))
    extras = resource.verify_external(scope, document, current)
    with store().transaction():
        latest = get_stored(scope, resource_name, obj_id)
        _check_if_match(latest, current["etag"])  # someone wrote in between: the caller's etag is stale
        if resource_name == FLOWS:
            flows.check_update_allowed(latest)
        user = stored_form(resource.validate(scope, document, latest))
        obj = {**_touched(latest, ctx), **user, "state": latest["state"], **_versioned(new_etag(latest["etag"]))}
        obj.update({k: v for k, v in latest.items() if k in SERVER_FIELDS and k not in obj})
        obj.update(extras)
        if resource_name == FLOWS:
            start_operation(obj, "update", operations, latest["state"], _transition_seconds())
        store().put(scope, kind(resource_name), obj_id, obj)
    return obj


def _transition_seconds() -> float:
    """How long a flow operation runs before the flow settles (``EmulatorConfig.flow_transition_seconds``)."""
    return max(0.0, float(state().config.flow_transition_seconds))


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


def delete_object(scope: Scope, resource_name: str, obj_id: str) -> None:
    with store().transaction():
        stored = get_stored(scope, resource_name, obj_id)
        if resource_name == FLOWS:
            flows.check_delete_allowed(stored)
        users = flows_using(scope, resource_name, obj_id) if resource_name != FLOWS else []
        if users and resource_name == CONNECTIONS:
            raise FlowError(
                1418,
                f"The base connection with the ID {obj_id} cannot be deleted because it is used in flows "
                f"{', '.join(users)}. Delete those flows first.",
            )
        if users:
            raise FlowError(1447, f"Found active flows containing id {obj_id}: {', '.join(users)}.")
        store().delete(scope, kind(resource_name), obj_id)


def flow_action(ctx: RequestContext, flow_id: str, op: str | None) -> dict[str, Any]:
    """``POST /flows/{id}/action?op=enable|disable``. Repeating the current state is a no-op (same etag)."""
    action = (op or "").strip().lower()
    if not action:
        raise FlowError(1334, "The query param : op cannot be empty. Provide a valid op and try again.")
    if action in ("finalize", "finalize_update", "publish"):
        raise FlowError(1402, f"The action '{action}' is supported for provider requests only.")
    if action not in ("enable", "disable"):
        raise FlowError(1398, f"The provided operation : {op} is unsupported.")
    wanted = STATE_ENABLED if action == "enable" else STATE_DISABLED
    scope = ctx.scope
    with store().transaction():
        flow = get_stored(scope, FLOWS, flow_id)
        flows.check_action_allowed(flow, action)
        if flow["state"] == wanted:
            return flow
        updated = {**flow, **_touched(flow, ctx), "state": wanted, **_versioned(new_etag(flow["etag"]))}
        start_operation(updated, action, [], wanted, _transition_seconds())
        store().put(scope, kind(FLOWS), flow_id, updated)
    return updated


def flows_using(scope: Scope, kind_name: str, object_id: str) -> list[str]:
    """Ids of the flows that reference a connection (contract used by other services and by deletes).

    ``kind_name``: ``"connections"`` (a base connection, through the flow's source or target
    connections), ``"sourceConnections"`` or ``"targetConnections"``.
    """
    every_flow = store().list(scope, kind(FLOWS))
    if kind_name == SOURCE_CONNECTIONS:
        return [f["id"] for f in every_flow if object_id in (f.get("sourceConnectionIds") or [])]
    if kind_name == TARGET_CONNECTIONS:
        return [f["id"] for f in every_flow if object_id in (f.get("targetConnectionIds") or [])]
    if kind_name != CONNECTIONS:
        raise ValueError(f"flows_using: unknown kind {kind_name!r}")

    def uses_base(flow: Mapping[str, Any]) -> bool:
        for resource, ids in (
            (SOURCE_CONNECTIONS, flow.get("sourceConnectionIds")),
            (TARGET_CONNECTIONS, flow.get("targetConnectionIds")),
        ):
            for conn_id in ids or []:
                conn = store().get(scope, kind(resource), conn_id)
                if conn and conn.get("baseConnectionId") == object_id:
                    return True
        return False

    return [f["id"] for f in every_flow if uses_base(f)]


# ---------------------------------------------------------------- runs


def create_run(ctx: RequestContext, body: Any) -> dict[str, Any]:
    """Ad hoc run of a one-time (``frequency: once``) flow; it starts ``scheduled`` (aep-api §5.10)."""
    payload = parse(RunPayload, body)
    if not payload.flowId:
        raise FlowError(1446, "The flow ID cannot be null or empty. Provide a flow ID and try again.")
    scope = ctx.scope
    with store().transaction():
        flow = store().get(scope, kind(FLOWS), payload.flowId)
        if flow is None:
            raise FlowError(1430, f"Flow not found with id {payload.flowId}.")
        check_run_allowed(flow, payload.params or {})
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
                "fileSummary": {"inputFileCount": 0, "outputFileCount": 0, "activityRefs": []},
                "statusSummary": {"status": "scheduled", "errors": [], "activityRefs": []},  # monitor.md
            },
            "activities": [],
        }
        store().put(scope, kind(RUNS), run["id"], run)
    return run


# ---------------------------------------------------------------- connection tools (test / explore)


def connection_test_result(scope: Scope, conn_id: str) -> dict[str, bool]:
    """``GET /connections/{id}/test``: ``{"result": bool}``; true when there is nothing to check."""
    conn = get_stored(scope, CONNECTIONS, conn_id)
    spec = known_spec(conn["connectionSpec"]["id"])
    try:
        verify_aws_credentials(spec, conn)
    except FlowError:
        return {"result": False}
    return {"result": True}


def explore_connection(scope: Scope, conn_id: str, args: Mapping[str, str]) -> Any:
    """``GET /connections/{id}/explore``: buckets, folders and file previews of an S3 connection."""
    conn = get_stored(scope, CONNECTIONS, conn_id)
    spec = known_spec(conn["connectionSpec"]["id"])
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
