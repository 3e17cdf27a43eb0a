"""Test hooks under ``/__emulator/`` (to be completed: stats, faults, dump)."""

from __future__ import annotations

import flask

from .context import state

blueprint = flask.Blueprint("emulator_hooks", __name__, url_prefix="/__emulator")


@blueprint.post("/reset")
def reset():
    store = state().store
    with store.transaction():
        tokens = [o for o in store.dump() if o["kind"] == "ims.tokens"]
        store.reset()
        for t in tokens:
            store.put((t["org"], t["sandbox"]), t["kind"], t["id"], t["object"])
    return flask.jsonify({"reset": True})


def install(app: flask.Flask) -> None:
    app.register_blueprint(blueprint)
