"""The WSGI application: gateway, one blueprint per AEP service, test hooks, one error renderer."""

from __future__ import annotations

import importlib

import flask
from werkzeug.exceptions import HTTPException

from .core.context import EmulatorConfig, EmulatorState
from .core.errors import AEPError
from .core.gateway import AEP_PREFIX, authenticate
from .core.store import Store

# Each package has a ``responses.py`` exposing ``blueprint`` (its routes, under the platform's path).
SERVICES = ("ims", "schemaregistry", "catalog", "flowservice", "dataprep")
HOOKS_PREFIX = "/__emulator/"


def create_app(config: EmulatorConfig | None = None, store: Store | None = None) -> flask.Flask:
    config = config or EmulatorConfig()
    app = flask.Flask("aep_emulator")
    app.json.sort_keys = False  # keep AEP's field order
    app.json.compact = True
    app.extensions["aep_emulator"] = EmulatorState(config=config, store=store or Store(config.data_dir))

    for name in SERVICES:
        module = importlib.import_module(f"aep_emulator.{name}.responses")
        app.register_blueprint(module.blueprint)
    hooks = importlib.import_module("aep_emulator.core.hooks")
    hooks.install(app)

    @app.before_request
    def _gateway() -> None:
        if flask.request.path.startswith(AEP_PREFIX):
            authenticate()

    @app.errorhandler(AEPError)
    def _aep_error(err: AEPError):
        response = flask.jsonify(err.body)
        response.status_code = err.status
        response.headers.update(err.headers)
        return response

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        # Unknown paths and methods still answer in a JSON envelope, never an HTML page.
        body = {"type": "/placeholder/type/uri", "status": err.code, "title": err.name, "detail": err.description}
        response = flask.jsonify(body)
        response.status_code = err.code or 500
        return response

    return app
