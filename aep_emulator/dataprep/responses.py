import flask

blueprint = flask.Blueprint("dataprep", __name__, url_prefix="/data/foundation/conversion")
