import flask

blueprint = flask.Blueprint("schemaregistry", __name__, url_prefix="/data/foundation/schemaregistry")
