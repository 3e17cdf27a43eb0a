"""``POST /connections/search``, ``POST /flows/search`` and ``POST /flowSpecs/search`` (flow-service.yaml
``ConnectionFilterRequest`` / ``FlowFilterRequest`` / ``FlowSpecFilterRequest``: ``queryString``,
``limit`` (at most 1000), ``orderby``, ``count``, ``projectionFields``).

No page documents the ``queryString`` grammar; the emulator reads it as the ``property`` filters of
the GET listings (aep-api.md §5.11) joined by ``&`` (``name==x&state==enabled``), so a search finds
exactly what the matching listing does. ``projectionFields`` (comma-separated top-level fields)
keeps ``id`` and those fields. The answers are the spec's ``ConnectionListResponse`` /
``FlowListResponse`` (``items``, and ``count`` when asked) / ``FlowSpecResponse``.
"""

from __future__ import annotations

from typing import Any

import flask

from ..core.context import request_context
from . import models
from .payloads import _Payload, parse
from .query import ListQuery, _limit, parse_condition, parse_orderby
from .responses import _request_json, blueprint
from .specs import catalogue


class SearchPayload(_Payload):
    count: bool | None = None
    limit: int | None = None
    orderby: str | None = None
    queryString: str | None = None
    projectionFields: str | None = None
    groupByProperty: str | None = None


def _search(objects: list[dict[str, Any]], resource: str, body: Any) -> dict[str, Any]:
    payload = parse(SearchPayload, body if body is not None else {})
    query = ListQuery(
        conditions=[parse_condition(part) for part in (payload.queryString or "").split("&") if part.strip()],
        order=parse_orderby(payload.orderby),
        limit=_limit(str(payload.limit)) if payload.limit is not None else None,
        count=bool(payload.count),
    )
    answer = query.apply(objects, resource)
    if payload.count:
        return answer
    fields = [f.strip() for f in (payload.projectionFields or "").split(",") if f.strip()]
    if fields:
        answer["items"] = [{k: v for k, v in item.items() if k == "id" or k in fields} for item in answer["items"]]
    return answer


def _body() -> Any:
    return _request_json() if flask.request.get_data(cache=True).strip() else None


@blueprint.post("/connections/search")
def search_connections():
    found = _search(models.list_objects(request_context().scope, models.CONNECTIONS), models.CONNECTIONS, _body())
    found.pop("_links", None)  # ConnectionListResponse has items only
    return flask.jsonify(found)


@blueprint.post("/flows/search")
def search_flows():
    return flask.jsonify(_search(models.list_objects(request_context().scope, models.FLOWS), models.FLOWS, _body()))


@blueprint.post("/flowSpecs/search")
def search_flow_specs():
    specs = [spec.document for spec in catalogue().flow_specs.values()]
    found = _search(specs, "flowSpecs", _body())
    found.pop("_links", None)  # FlowSpecResponse has items only
    return flask.jsonify(found)
