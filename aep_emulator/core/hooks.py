"""Test hooks under the reserved prefix ``/__emulator/``, apart from every AEP path.

- ``GET|DELETE /__emulator/stats``: call counts per (method, route template, status);
- ``POST|GET|DELETE /__emulator/faults``, ``DELETE /__emulator/faults/<id>``: fault injection;
- ``POST /__emulator/reset``: forget objects, statistics and faults (issued tokens stay valid);
- ``GET /__emulator/objects[?kind=K]``: every stored object with its org, sandbox, kind and id, secrets
  replaced by their fingerprint (``secret_fingerprint``): issued tokens, and whatever a service registers
  with ``mask_in_dump`` (Flow Service: the secret auth params of base connections). A test can tell a
  rotated secret from the old one without the dump ever printing either;
- ``POST /__emulator/tokens/expire``: every issued token expires (the next AEP call gets 401013).

Hooks need no credentials and are never counted; faults hit only AEP and IMS paths.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import flask
from pydantic import ValidationError

from .context import state
from .errors import ProblemError
from .faults import ABORT_CONNECTION, FaultAction, FaultSpec, FaultTable
from .gateway import AEP_PREFIX
from .stats import NO_RESPONSE, CallStats, call_stats, route_of

PREFIX = "/__emulator"
IMS_PREFIX = "/ims/"
CORE_PREFIX = "/data/core/"  # Identity Service (/data/core/idnamespace)
PLATFORM_PREFIXES = (AEP_PREFIX, CORE_PREFIX, IMS_PREFIX)
_TOKEN_KIND = "ims.tokens"  # kept across resets, like issued tokens on the real IMS

FINGERPRINT_PREFIX = "sha256:"
FINGERPRINT_HEX_DIGITS = 16

blueprint = flask.Blueprint("emulator_hooks", __name__, url_prefix=PREFIX)

DumpMask = Callable[[dict[str, Any]], dict[str, Any]]
_dump_masks: dict[str, DumpMask] = {}


def secret_fingerprint(value: str) -> str:
    """What the objects dump shows in place of a secret: a short SHA-256 of it, never the value."""
    digest = hashlib.sha256(value.encode()).hexdigest()[:FINGERPRINT_HEX_DIGITS]
    return FINGERPRINT_PREFIX + digest


def mask_in_dump(kind: str, mask: DumpMask) -> None:
    """Register how the objects dump shows a stored object of ``kind``: a copy with its secrets fingerprinted."""
    _dump_masks[kind] = mask


def _masked_token(record: dict[str, Any]) -> dict[str, Any]:
    # The token is the record's id too: both are fingerprinted.
    token = record["object"].get("token")
    shown = {**record["object"], "token": secret_fingerprint(token)} if isinstance(token, str) else record["object"]
    return {**record, "id": secret_fingerprint(str(record["id"])), "object": shown}


def _dumped(record: dict[str, Any]) -> dict[str, Any]:
    if record["kind"] == _TOKEN_KIND:
        return _masked_token(record)
    mask = _dump_masks.get(record["kind"])
    return {**record, "object": mask(record["object"])} if mask else record


def fault_table() -> FaultTable:
    return flask.current_app.extensions["aep_emulator.faults"]


def is_hook_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_platform_path(path: str) -> bool:
    """AEP and IMS paths: the ones faults can hit (Identity Service lives under ``/data/core/``)."""
    return path.startswith(PLATFORM_PREFIXES)


# --- statistics ------------------------------------------------------------------------------


@blueprint.get("/stats")
def get_stats():
    return flask.jsonify(call_stats().snapshot())


@blueprint.delete("/stats")
def clear_stats():
    call_stats().clear()
    return "", 204


# --- faults ----------------------------------------------------------------------------------


@blueprint.post("/faults")
def add_fault():
    try:
        spec = FaultSpec.model_validate_json(flask.request.get_data(cache=True) or b"{}")
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors())
        raise ProblemError(400, "BadRequestError", f"Invalid fault: {details}") from None
    fault = fault_table().add(spec)
    return flask.jsonify({"id": fault.id}), 201


@blueprint.get("/faults")
def list_faults():
    return flask.jsonify({"faults": fault_table().describe()})


@blueprint.delete("/faults")
def clear_faults():
    fault_table().clear()
    return "", 204


@blueprint.delete("/faults/<fault_id>")
def remove_fault(fault_id: str):
    if not fault_table().remove(fault_id):
        raise ProblemError(404, "NotFoundError", f"No fault with id {fault_id}")
    return "", 204


# --- objects, tokens, reset ------------------------------------------------------------------


@blueprint.get("/objects")
def dump_objects():
    kind = flask.request.args.get("kind")
    objects = [_dumped(o) for o in state().store.dump() if kind is None or o["kind"] == kind]
    return flask.jsonify({"objects": objects})


@blueprint.post("/tokens/expire")
def expire_tokens():
    from ..ims.models import expire_all_tokens  # the IMS service owns the token table

    return flask.jsonify({"expired": expire_all_tokens()})


@blueprint.post("/reset")
def reset():
    store = state().store
    with store.transaction():
        tokens = [o for o in store.dump() if o["kind"] == _TOKEN_KIND]
        store.reset()
        for t in tokens:
            store.put((t["org"], t["sandbox"]), t["kind"], t["id"], t["object"])
    call_stats().clear()
    fault_table().clear()
    return flask.jsonify({"reset": True})


# --- request pipeline ------------------------------------------------------------------------


def _apply_faults() -> flask.Response | None:
    """Runs before the gateway and the handler, after routing (so route templates match)."""
    table = fault_table()
    request = flask.request
    if not table or not is_platform_path(request.path):  # no faults: the common, cheap case
        return None
    decision = table.decide(request.method, route_of(request), request.path)
    if decision.delay_seconds:
        time.sleep(decision.delay_seconds)
    fault = decision.fault
    if fault is None:
        return None
    action = fault.spec.action
    if action is FaultAction.STATUS:
        raise fault.error()
    request.environ[ABORT_CONNECTION] = action.value
    if action is FaultAction.RESET:
        return flask.Response(status=204)  # never sent: the handler must not run
    return None  # drop_after_commit: the handler runs, the server withholds its answer


def _record_call(response: flask.Response) -> flask.Response:
    request = flask.request
    if not is_hook_path(request.path):
        aborted_before_handler = request.environ.get(ABORT_CONNECTION) == FaultAction.RESET.value
        status = NO_RESPONSE if aborted_before_handler else response.status_code
        call_stats().record(request.method, route_of(request), status)
    return response


def install(app: flask.Flask) -> None:
    """Register the hooks; call before any other ``before_request`` so faults come first."""
    app.extensions["aep_emulator.stats"] = CallStats()
    app.extensions["aep_emulator.faults"] = FaultTable()
    app.register_blueprint(blueprint)
    app.before_request(_apply_faults)
    app.after_request(_record_call)
