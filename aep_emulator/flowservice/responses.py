import flask

blueprint = flask.Blueprint("flowservice", __name__, url_prefix="/data/foundation/flowservice")
