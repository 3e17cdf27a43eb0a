"""The WSGI application: gateway, one blueprint per AEP service, test hooks, one error renderer."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import flask
from werkzeug.exceptions import HTTPException

from .core import hooks
from .core.context import REQUEST_ID_HEADER, EmulatorConfig, EmulatorState, current_request_id
from .core.errors import AEPError, ProblemError
from .core.gateway import AEP_PREFIX, authenticate
from .core.store import Store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Each package has a ``responses.py`` exposing ``blueprint`` (its routes, under the platform's path).
SERVICES = ("ims", "schemaregistry", "catalog", "flowservice", "dataprep", "sandbox", "identity")

log = logging.getLogger("aep_emulator")
# One line per request at INFO; the CLI enables it with --verbose only.
access_log = logging.getLogger("aep_emulator.access")


def create_app(config: EmulatorConfig | None = None, store: Store | None = None) -> flask.Flask:
    config = config or EmulatorConfig()
    app = flask.Flask("aep_emulator")
    # Clients send paths with a trailing slash (``/tenant/schemas/``, ``/dataSets/``) and the platform
    # answers them: the path loses it before routing, here in one place for every service (and for
    # ``<path:...>`` ids, which a routing rule alone would hand the slash).
    app.wsgi_app = _without_trailing_slash(app.wsgi_app)  # type: ignore[method-assign]
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


def _without_trailing_slash(wsgi_app: WSGIApplication) -> WSGIApplication:
    def normalised(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if len(path) > 1 and path.endswith("/"):
            environ["PATH_INFO"] = path.rstrip("/") or "/"
        return wsgi_app(environ, start_response)

    return normalised


def _gateway() -> None:
    if flask.request.path.startswith(AEP_PREFIX):
        authenticate()


def _finish_response(response: flask.Response) -> flask.Response:
    # Every answer carries the request id (service answers, gateway refusals, injected faults, unknown
    # routes), as clients quote it in errors; error bodies that report one quote the same id.
    response.headers.setdefault(REQUEST_ID_HEADER, current_request_id())
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
    request_id = current_request_id()
    request = flask.request
    log.error("unhandled error on %s %s (request id %s)", request.method, request.path, request_id, exc_info=err)
    response = _render_aep_error(
        ProblemError(500, "InternalServerError", f"An unexpected error occurred (request id {request_id}).")
    )
    response.headers[REQUEST_ID_HEADER] = request_id
    return response
