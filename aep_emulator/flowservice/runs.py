"""Flow runs beyond create and read: ``PUT /runs/{RUN_ID}`` and ``POST /runs/{RUN_ID}/action?op=RE_TRIGGER``.

flow-service.yaml ``updateFlowRun`` (body ``UpdateFlowRunRequest``, header ``If-Match``, answer the
``FlowRunItemDTO``) and ``flowRunAction`` (``op`` one of ``RE_TRIGGER``). An update replaces the fields
it sends (``metrics``, ``activities``, ``params``, ``recordTypes``, ...; ``flowId`` and ``flowSpec``
must stay those of the run) and takes a new etag; a re-trigger puts the run back to ``scheduled``
with its errors cleared, as a new attempt starts. If-Match is checked as on every Flow Service
update (missing: 1403-400, stale: 1404-412, help/sources/errors/flow-service-errors.md); the action
checks it when sent.
"""

from __future__ import annotations

from typing import Any

import flask

from ..core.context import RequestContext, request_context
from .exceptions import FlowError, invalid
from .models import RUNS, _check_if_match, _touched, _versioned, get_object, new_etag
from .objects import get_stored, kind, store
from .payloads import _Payload, parse
from .responses import _request_json, blueprint

_RUN_FIELDS = ("activities", "childFlowRunIds", "metrics", "params", "parentFlowRunId", "predecessors",
               "providerRefId", "recordTypes")  # fmt: skip


class UpdateRunPayload(_Payload):
    """flow-service.yaml ``UpdateFlowRunRequest``."""

    activities: list[dict[str, Any]] | None = None
    childFlowRunIds: list[str] | None = None
    flowId: str | None = None
    flowSpec: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    parentFlowRunId: str | None = None
    predecessors: list[dict[str, Any]] | None = None
    providerRefId: str | None = None
    recordTypes: list[str] | None = None


def update_run(ctx: RequestContext, run_id: str, if_match: str | None, body: Any) -> dict[str, Any]:
    payload = parse(UpdateRunPayload, body)
    with store().transaction():
        run = get_stored(ctx.scope, RUNS, run_id)
        _check_if_match(run, if_match)
        if payload.flowId not in (None, run["flowId"]):
            raise invalid(f"The flow of a run cannot change (run {run_id} belongs to flow {run['flowId']}).")
        if payload.flowSpec is not None and payload.flowSpec.get("id") != run["flowSpec"].get("id"):
            raise invalid(f"The flow spec of a run cannot change (it is {run['flowSpec'].get('id')}).")
        changes = {name: getattr(payload, name) for name in _RUN_FIELDS if getattr(payload, name) is not None}
        updated = {**run, **changes, **_touched(run, ctx), **_versioned(new_etag(run["etag"]))}
        store().put(ctx.scope, kind(RUNS), run_id, updated)
    return get_object(ctx.scope, RUNS, run_id)


def retrigger(ctx: RequestContext, run_id: str, op: str | None, if_match: str | None) -> dict[str, Any]:
    if not (op or "").strip():
        raise FlowError(1334, "The query param : op cannot be empty. Provide a valid op and try again.")
    if op.strip().upper() != "RE_TRIGGER":
        raise FlowError(1398, f"The provided operation : {op} is unsupported.")
    with store().transaction():
        run = get_stored(ctx.scope, RUNS, run_id)
        if if_match is not None:
            _check_if_match(run, if_match)
        metrics = dict(run.get("metrics") or {})
        metrics["statusSummary"] = {**(metrics.get("statusSummary") or {}), "status": "scheduled", "errors": []}
        updated = {**run, "metrics": metrics, **_touched(run, ctx), **_versioned(new_etag(run["etag"]))}
        store().put(ctx.scope, kind(RUNS), run_id, updated)
    return get_object(ctx.scope, RUNS, run_id)


@blueprint.put("/runs/<run_id>")
def put_run(run_id: str):
    return flask.jsonify(update_run(request_context(), run_id, flask.request.headers.get("If-Match"), _request_json()))


@blueprint.post("/runs/<run_id>/action")
def run_action(run_id: str):
    ctx = request_context()
    return flask.jsonify(retrigger(ctx, run_id, flask.request.args.get("op"), flask.request.headers.get("If-Match")))
