"""Typed query parameters, answered with the calling service's own 400 when malformed.

Each service passes a factory ``invalid(detail) -> AEPError`` so the wording is shared and the
envelope is the service's (the JSON body counterpart is ``core/requests.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import flask

from .errors import AEPError

ErrorFactory = Callable[[str], AEPError]


def query_flag(name: str, invalid: ErrorFactory, default: bool = False) -> bool:
    """A boolean query parameter; ``true``/``false`` in any letter case (Python clients send ``True``)."""
    raw = flask.request.args.get(name)
    if raw is None or not raw.strip():
        return default
    lowered = raw.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    raise invalid(f"Query parameter '{name}' must be true or false, got '{raw}'")


def parse_int(name: str, raw: str, invalid: ErrorFactory) -> int:
    """An integer given as text (a query parameter or a header value)."""
    try:
        return int(raw.strip())
    except ValueError:
        raise invalid(f"Parameter '{name}' must be an integer, got '{raw}'") from None
