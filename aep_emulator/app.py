"""The WSGI application: gateway, one blueprint per AEP service, test hooks, one error renderer."""

from __future__ import annotations

import importlib
import logging
import uuid

import flask
from werkzeug.exceptions import HTTPException

from .core import hooks
from .core.context import EmulatorConfig, EmulatorState
from .core.errors import AEPError, ProblemError
from .core.gateway import AEP_PREFIX, authenticate
from .core.store import Store

# Each package has a ``responses.py`` exposing ``blueprint`` (its routes, under the platform's path).
SERVICES = ("ims", "schemaregistry", "catalog", "flowservice", "dataprep")

log = logging.getLogger("aep_emulator")
# One line per request at INFO; the CLI enables it with --verbose only.
access_log = logging.getLogger("aep_emulator.access")


def create_app(config: EmulatorConfig | None = None, store: Store | None = None) -> flask.Flask:
    config = config or EmulatorConfig()
    app = flask.Flask("aep_emulator")
    app.json.sort_keys = False  # keep AEP's field order
    app.json.compact = True
    app.extensions["aep_emulator"] = EmulatorState(config=config, store=store or Store(config.data_dir))

    for name in SERVICES:
        module = importlib.import_module(f"aep_emulator.{name}.responses")
        app.register_blueprint(module.blueprint)
    hooks.install(app)  # first before_request: injected faults come before the gateway
    app.before_request(_gateway)
    app.after_request(_finish_response)
    app.register_error_handler(AEPError, _render_aep_error)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(Exception, _render_unexpected_error)
    return app


def _gateway() -> None:
    if flask.request.path.startswith(AEP_PREFIX):
        authenticate()


def _request_id() -> str:
    ctx = getattr(flask.g, "aep", None)
    if ctx is None:
        flask.g.aep_request_id = getattr(flask.g, "aep_request_id", None) or str(uuid.uuid4())
        return flask.g.aep_request_id
    return ctx.request_id


def _finish_response(response: flask.Response) -> flask.Response:
    if getattr(flask.g, "aep", None) is not None:
        # The platform echoes (or assigns) a request id on every answer; clients quote it in errors.
        response.headers.setdefault("x-request-id", _request_id())
    if access_log.isEnabledFor(logging.INFO):
        request = flask.request
        access_log.info("%s %s %s", request.method, request.full_path.rstrip("?"), response.status_code)
    return response


def _render_aep_error(err: AEPError) -> flask.Response:
    response = flask.jsonify(err.body)
    response.status_code = err.status
    response.headers.update(err.headers)
    return response


def _render_http_error(err: HTTPException) -> flask.Response:
    # Unknown paths and methods (and Werkzeug's own 4xx) still answer in a JSON envelope, never HTML.
    status = err.code or 500
    response = _render_aep_error(ProblemError(status, err.name, err.description or err.name))
    allow = dict(err.get_headers()).get("Allow")  # 405 tells the allowed methods
    if allow:
        response.headers["Allow"] = allow
    return response


def _render_unexpected_error(err: Exception) -> flask.Response:
    """A bug in a handler: 500 in the platform's generic envelope, the traceback only in the log."""
    request_id = _request_id()
    request = flask.request
    log.error("unhandled error on %s %s (request id %s)", request.method, request.path, request_id, exc_info=err)
    response = _render_aep_error(
        ProblemError(500, "InternalServerError", f"An unexpected error occurred (request id {request_id}).")
    )
    response.headers["x-request-id"] = request_id
    return response
