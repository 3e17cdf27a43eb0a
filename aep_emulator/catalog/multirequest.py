"""Catalog's multi-request ``POST /`` (help/catalog/api/appendix.md, "Make multiple requests in a single
call"; catalog.yaml ``createBatchedRequest``).

The body is an array of ``{id, resource, method, body?, headers?}`` run in order through the Catalog's
own routes, with the caller's credentials and sandbox. ``<<{REQUEST_ID}.{ATTRIBUTE}>>`` in a later
sub-request's resource or body is replaced by that attribute of an earlier sub-request's answer; an
answer that is only a reference (``["@/dataSets/<id>"]``) is aliased to ``id``. The answer is an
array of ``{id, code, body}``; the sub-request codes are those of the documented example (a create
reports 200). "If these requests are modifications or additions to Catalog and any one of the changes
fails, all changes will revert": a failing write stops the run and every write of the call is rolled
back; a failing GET is only reported (the appendix's 404-inside-200 case). The outer status is 200,
as the appendix says ("the overall request returns 200"), not the spec's 201.
"""

from __future__ import annotations

import json
import re
from typing import Any

import flask
from pydantic import Field, ValidationError

from ..core.context import state
from ..core.wire import WireModel, body_problem
from .exceptions import CatalogError, CatalogProblem, malformed

_TEMPLATE = re.compile(r"<<([^<>.]+)\.([^<>]+)>>")
_METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")
_FORWARDED = ("Authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name", "x-request-id")
_REFERENCE = re.compile(r"^@/[^/]+/(?P<id>[^/?]+)$")


class SubRequest(WireModel):
    """One ``resourceItem`` of the spec."""

    id: str | None = None
    resource: str = Field(pattern=r"^/")
    method: str
    body: Any = None
    headers: dict[str, str] | None = None


class _RollBack(Exception):
    """Raised inside the store transaction so every write of the call is undone."""


def _parse(body: Any) -> list[SubRequest]:
    if not isinstance(body, list) or not body:
        raise malformed("A multi-request body is a non-empty array of {id, resource, method, body}")
    try:
        items = [SubRequest.model_validate(item) for item in body]
    except ValidationError as exc:
        raise CatalogError(CatalogProblem.INVALID_FIELD, body_problem(exc).detail) from None
    for item in items:
        if item.method.upper() not in _METHODS:
            raise malformed(f"Sub-request method must be one of {', '.join(_METHODS)}, got '{item.method}'")
        if item.resource.split("?")[0].rstrip("/") == "":
            raise malformed("A sub-request cannot call the multi-request endpoint itself")
    return items


def _attributes(answer: Any) -> dict[str, Any]:
    """What ``<<id.attr>>`` can name in an answer: the object of a one-object answer (plus ``id``), or
    ``id`` for a bare reference answer."""
    if isinstance(answer, list) and len(answer) == 1 and isinstance(answer[0], str):
        match = _REFERENCE.match(answer[0])
        return {"id": match["id"]} if match else {}
    if isinstance(answer, dict) and len(answer) == 1:
        (object_id, obj), = answer.items()
        if isinstance(obj, dict):
            return {"id": object_id, **obj}
    return answer if isinstance(answer, dict) else {}


def _substitute(value: Any, results: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            request_id, attribute = match[1], match[2]
            if request_id not in results or attribute not in results[request_id]:
                raise malformed(f"'{match[0]}' names no attribute of an earlier sub-request")
            found = results[request_id][attribute]
            return found if isinstance(found, str) else json.dumps(found)

        return _TEMPLATE.sub(replace, value)
    if isinstance(value, list):
        return [_substitute(v, results) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, results) for k, v in value.items()}
    return value


def _dispatch(item: SubRequest, results: dict[str, dict[str, Any]]) -> tuple[int, Any]:
    """Run one sub-request through the app's Catalog routes; (status, JSON body or None)."""
    request = flask.request
    headers = {name: request.headers[name] for name in _FORWARDED if name in request.headers}
    headers.update(item.headers or {})
    kwargs: dict[str, Any] = {"headers": headers}
    if item.body is not None and item.method.upper() != "GET":
        kwargs["json"] = _substitute(item.body, results)
    path = request.script_root + "/data/foundation/catalog" + _substitute(item.resource, results)
    answer = flask.current_app.test_client().open(path, method=item.method.upper(), **kwargs)
    body = answer.get_json(silent=True)
    return (200 if answer.status_code == 201 else answer.status_code), body


def run(body: Any) -> list[dict[str, Any]]:
    items = _parse(body)
    answers: list[dict[str, Any]] = []
    try:
        with state().store.transaction():
            results: dict[str, dict[str, Any]] = {}
            for item in items:
                code, answer = _dispatch(item, results)
                answers.append({"id": item.id, "code": code, "body": answer})
                if item.id is not None:
                    results[item.id] = _attributes(answer)
                if code >= 400 and item.method.upper() != "GET":
                    raise _RollBack
    except _RollBack:
        pass
    return answers
