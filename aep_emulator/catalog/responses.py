import flask

blueprint = flask.Blueprint("catalog", __name__, url_prefix="/data/foundation/catalog")
