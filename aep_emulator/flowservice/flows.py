"""Rules of flows (dataflows) and their runs: flow spec, connections, transformations, schedule, states.

Flow states (help/sources/errors/flow-service-errors.md; flow-service.yaml lists the states of source and
target connections: inProgress, updating, enabling, disabling, enabled, disabled). Every write starts an
operation that takes ``EmulatorConfig.flow_transition_seconds``: while it runs the flow shows a
transitional state and ``lastOperation.status.value`` is ``inProgress`` (the value error 1407-400 names),
with ``percentCompleted`` below 100 (1408-400: 100 only when completed); then the settled state and
``completed``. The transitional state of a create is ``inProgress``, of a PATCH ``updating``, of the
actions ``enabling``/``disabling``. Meanwhile:

- PATCH in ``disabling`` is 1420-400 ("The current state disabling cannot be updated"), in ``updating``
  1421-400 ("The current state updating cannot be transitioned"), in any other transitional state 1416-400
  ("Delete or Update can only be applied on ... enabled, disabled or initializing state");
- DELETE in a transitional state is 1416-400;
- an action is 1422-400 ("The action disable cannot be applied on the current state {state}").

Flow specs' ``attributes.uiAttributes.apiFeatures`` are honoured: ``updateSupported: false`` refuses PATCH
and ``deleteSupported: false`` refuses DELETE. The platform's code for those refusals is not documented:
the emulator answers the generic FLOW-1100-400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.store import Scope
from . import schedule
from .connections import target_dataset_id
from .exceptions import FlowError, invalid
from .objects import CONNECTIONS, RUNS, SOURCE_CONNECTIONS, TARGET_CONNECTIONS, kind, now_ms, store
from .other_services import dataset_schema, mapping_set, require_dataset, same_schema
from .payloads import FlowPayload, parse
from .specs import DATA_LAKE_SPEC_ID, FlowSpec, flow_spec, validate_params

STATE_ENABLED = "enabled"
STATE_DISABLED = "disabled"


def validate_flow(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    payload = parse(FlowPayload, document)
    spec = flow_spec(payload.flowSpec.id)
    if spec is None:
        raise FlowError(
            1413, f"The spec ID {payload.flowSpec.id} provided is invalid. Provide a valid spec ID and try again."
        )
    if previous and previous["flowSpec"]["id"] != spec.id:
        raise FlowError(1414, "The flow spec of a flow cannot be updated.")
    _flow_connections(scope, spec, SOURCE_CONNECTIONS, payload.sourceConnectionIds, spec.source_spec_ids)
    targets = _flow_connections(scope, spec, TARGET_CONNECTIONS, payload.targetConnectionIds, spec.target_spec_ids)
    datasets = {
        target_dataset_id(t): require_dataset(scope, target_dataset_id(t))
        for t in targets
        if t["connectionSpec"]["id"] == DATA_LAKE_SPEC_ID
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
        raise FlowError(
            1338, f"The {role} connection ID can't be null in flowRequest. Provide a valid {role} connection ID."
        )
    connections = []
    for conn_id in ids:
        conn = store().get(scope, kind(resource), conn_id)
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
    # The spec says mappingVersion is a string, yet the docs' POST /flows examples send 0 and succeed:
    # the number is taken as its text (and kept as text).
    checked = dict(params) if isinstance(params, Mapping) else params
    if isinstance(checked, dict) and isinstance(checked.get("mappingVersion"), int):
        checked["mappingVersion"] = str(checked["mappingVersion"])
    validate_params(spec.transformations[name], checked, f"transformations.{index}.params")
    if name == "Mapping":
        _check_mapping(scope, params, datasets)


def _check_mapping(scope: Scope, params: Mapping[str, Any], datasets: dict[str, dict[str, Any]]) -> None:
    """The mapping set version exists and writes the schema of every target dataset (1419/1412/1425)."""
    mapping_id = params["mappingId"]
    latest = mapping_set(scope, mapping_id)
    if latest is None:
        raise FlowError(1419, f"Error while validating mapping with id {mapping_id}: the mapping set does not exist.")
    mapping = latest
    if params.get("mappingVersion") is not None:
        version = schedule.whole_number(params["mappingVersion"])
        mapping = mapping_set(scope, mapping_id, version) if version is not None else None
        if mapping is None:
            raise FlowError(
                1412, f"Invalid Mapping Version {params['mappingVersion']!r} in request for mapping {mapping_id}."
            )
    output_schema = ((mapping.get("outputSchema") or {}).get("schemaRef") or {}).get("id") or mapping.get("xdmSchema")
    for dataset_id, dataset in datasets.items():
        if not same_schema(scope, output_schema, dataset_schema(dataset)):
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


# ---------------------------------------------------------------- states and operations

# Where the stored flow keeps its running operation: {"state": transitional state, "until": epoch ms}.
TRANSITION_FIELD = "_transition"
TRANSITIONAL_STATES = {"create": "inProgress", "update": "updating", "enable": "enabling", "disable": "disabling"}
_IN_PROGRESS, _COMPLETED = "inProgress", "completed"


def start_operation(
    flow: dict[str, Any], operation: str, operations: list[dict[str, Any]], settled_state: str, seconds: float
) -> dict[str, Any]:
    """``flow`` (stored form) running ``operation``: it settles in ``settled_state`` after ``seconds``."""
    at = now_ms()
    until = at + int(seconds * 1000)
    flow["state"] = settled_state
    flow["lastOperation"] = {"started": at, "ops": operations, "operation": operation}
    flow[TRANSITION_FIELD] = {"state": TRANSITIONAL_STATES[operation], "until": until}
    return flow


def current_state(flow: Mapping[str, Any], at: int | None = None) -> str:
    """The state the platform shows now: the transitional one while an operation runs."""
    transition = flow.get(TRANSITION_FIELD)
    if transition and (now_ms() if at is None else at) < transition["until"]:
        return str(transition["state"])
    return str(flow["state"])


def last_operation(flow: Mapping[str, Any], at: int) -> dict[str, Any] | None:
    """``lastOperation`` as the platform shows it (flow-service.yaml FlowItemDTO; update-dataflows.md)."""
    record = flow.get("lastOperation")
    if record is None:
        return None
    until = (flow.get(TRANSITION_FIELD) or {}).get("until", record["started"])
    running = at < until
    span = max(until - record["started"], 1)
    done = 100.0 if not running else round(min(99.0, 100.0 * (at - record["started"]) / span), 1)
    return {
        "started": record["started"],
        "updated": at if running else until,
        "percentCompleted": done,
        "status": {"value": _IN_PROGRESS if running else _COMPLETED, "errors": []},
        "ops": record["ops"],
        "operation": record["operation"],
    }


def check_update_allowed(flow: Mapping[str, Any]) -> None:
    """PATCH refusals while an operation runs (1420/1421/1416) and for specs that refuse updates."""
    state = current_state(flow)
    if state == "disabling":
        raise FlowError(1420, "The current state disabling cannot be updated.")
    if state == "updating":
        raise FlowError(1421, "The current state updating cannot be transitioned.")
    if state != flow["state"]:
        raise FlowError(1416, _ONLY_SETTLED + f" The flow {flow['id']} is in state {state}.")
    spec = flow_spec(flow["flowSpec"]["id"])
    if spec is not None and not spec.api_features.get("updateSupported", True):
        raise invalid(f"Flows of flow spec {spec.id} ({spec.name}) cannot be updated (apiFeatures.updateSupported).")


def check_delete_allowed(flow: Mapping[str, Any]) -> None:
    state = current_state(flow)
    if state != flow["state"]:
        raise FlowError(1416, _ONLY_SETTLED + f" The flow {flow['id']} is in state {state}.")
    spec = flow_spec(flow["flowSpec"]["id"])
    if spec is not None and not spec.api_features.get("deleteSupported", True):
        raise invalid(f"Flows of flow spec {spec.id} ({spec.name}) cannot be deleted (apiFeatures.deleteSupported).")


def check_action_allowed(flow: Mapping[str, Any], action: str) -> None:
    state = current_state(flow)
    if state != flow["state"]:
        raise FlowError(
            1422, f"The action {action} cannot be applied on the current state {state}. "
            "Please update the action and try again.",
        )  # fmt: skip


_ONLY_SETTLED = "Delete or Update can only be applied on connection with enabled, disabled or initializing state."


def render_flow(scope: Scope, obj: dict[str, Any]) -> dict[str, Any]:
    at = now_ms()
    rendered = {k: v for k, v in obj.items() if k != TRANSITION_FIELD}
    rendered["state"] = current_state(obj, at)
    operation = last_operation(obj, at)
    if operation is not None:
        rendered["lastOperation"] = operation
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
        conn = store().get(scope, kind(resource), conn_id)
        if conn is None:
            continue
        entry: dict[str, Any] = {"id": conn_id, "connectionSpec": conn["connectionSpec"]}
        base = store().get(scope, kind(CONNECTIONS), conn["baseConnectionId"]) if conn.get("baseConnectionId") else None
        if base:
            entry["baseConnection"] = {"id": base["id"], "connectionSpec": base["connectionSpec"]}
        entries.append(entry)
    return entries


def _last_run(scope: Scope, flow_id: str) -> dict[str, Any] | None:
    runs = [r for r in store().list(scope, kind(RUNS)) if r["flowId"] == flow_id]
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


def check_run_allowed(flow: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """An ad hoc run needs a run-capable flow spec, a one-time schedule, an enabled flow, a sane window."""
    spec = flow_spec(flow["flowSpec"]["id"])
    if spec is None or not spec.runs_supported:
        raise FlowError(1385, f"Flows of flow spec {flow['flowSpec']['id']} do not support creating flow runs.")
    frequency = schedule.normalized(flow.get("scheduleParams") or {}).get("frequency")
    if frequency != "once":
        raise FlowError(
            1386,
            f"The flowId={flow['id']} with scheduleParams frequency={frequency} is not supported for "
            "creating flow runs: ad hoc runs are for one-time (frequency once) flows.",
        )
    if current_state(flow) != STATE_ENABLED:
        raise FlowError(1388, f"The flow={flow['id']} is in state={current_state(flow)} and cannot be triggered.")
    start = schedule.whole_number(params.get("windowStartTime"))
    end = schedule.whole_number(params.get("windowEndTime"))
    if start is not None and end is not None and end < start:
        raise FlowError(1381, f"WindowEndTime={end} cannot be before WindowStartTime={start}.")
