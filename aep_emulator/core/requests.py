"""Parsing request bodies the way every service needs: JSON or the service's own 400.

Services call ``json_body`` with a factory for their own error envelope, so a malformed or
wrongly-typed body gets that service's 400, never a traceback or Flask's HTML page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import flask

from .errors import AEPError

_TYPE_NAMES = {dict: "object", list: "array"}


def _reject_constant(name: str) -> Any:
    # NaN/Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise ValueError(f"invalid JSON value {name}")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity. Raises ValueError with a readable reason."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"body is not UTF-8: {exc.reason}") from exc
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("body is nested too deeply") from None


def json_body(
    error_factory: Callable[[str], AEPError],
    expect: type[dict] | type[list] | None = None,
) -> Any:
    """The request body parsed as JSON, checked to be a JSON object or array when ``expect`` says so.

    ``error_factory(detail)`` builds the service's own 400 error for an empty, malformed or
    wrongly-shaped body.
    """
    raw = flask.request.get_data(cache=True)
    if not raw.strip():
        raise error_factory("The request body is empty; a JSON body is required.")
    try:
        value = parse_json(raw)
    except ValueError as exc:
        raise error_factory(f"The request body is not valid JSON: {exc}") from None
    if expect is not None and not isinstance(value, expect):
        raise error_factory(f"The request body must be a JSON {_TYPE_NAMES[expect]}.")
    return value
