"""An emulator with one extra, tiny service under the AEP prefix, for testing the machinery alone.

The probe routes go through the same gateway, hooks, faults, statistics and error rendering as the
real services, so infrastructure tests do not depend on any service being finished:

- ``POST /data/foundation/probe/items`` stores the JSON object body (``core.requests.json_body``) -> 201;
- ``GET /data/foundation/probe/items/<item_id>`` -> 200 with the object, or 404;
- ``GET /data/foundation/probe/boom`` raises an unexpected exception (a handler bug).

Tests reach it through the ``emu`` fixture (``conftest.py``).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import flask

from aep_emulator.core.context import EmulatorConfig, request_context, state
from aep_emulator.core.errors import ProblemError
from aep_emulator.core.gateway import require_sandbox
from aep_emulator.core.requests import json_body
from aep_emulator.server import EmulatorServer
from aep_emulator.testing import EmulatorHandle

PROBE = "/data/foundation/probe"
ITEMS_KIND = "probe.items"
SECRET_IN_BUG = "do-not-leak-this-secret"


def _bad_request(detail: str) -> ProblemError:
    return ProblemError(400, "BadRequestError", detail)


def _probe_blueprint() -> flask.Blueprint:
    probe = flask.Blueprint("probe", __name__, url_prefix=PROBE)

    @probe.before_request
    def _sandbox() -> None:
        require_sandbox(
            missing=lambda: _bad_request("x-sandbox-name is missing"),
            unknown=lambda name: ProblemError(404, "NotFoundError", f"sandbox {name} not found"),
        )

    @probe.post("/items")
    def create_item():
        body = json_body(_bad_request, expect=dict)
        item_id = uuid.uuid4().hex
        store = state().store
        with store.transaction():
            store.put(request_context().scope, ITEMS_KIND, item_id, {"id": item_id, **body})
        return flask.jsonify({"id": item_id}), 201

    @probe.get("/items/<item_id>")
    def get_item(item_id: str):
        item = state().store.get(request_context().scope, ITEMS_KIND, item_id)
        if item is None:
            raise ProblemError(404, "NotFoundError", f"item {item_id} not found")
        return flask.jsonify(item)

    @probe.get("/boom")
    def boom():
        raise RuntimeError(f"handler bug holding {SECRET_IN_BUG}")

    return probe


@contextlib.contextmanager
def probe_emulator(config: EmulatorConfig | None = None) -> Iterator[EmulatorHandle]:
    server = EmulatorServer(config)
    server.app.register_blueprint(_probe_blueprint())
    with server:
        yield EmulatorHandle(server)
