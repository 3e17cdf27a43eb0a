"""Catalog's list query language, shared by every collection (``/dataSets``, ``/batches``).

Supported, as documented in Catalog's "filter data" guide (aep-api.md §4.5):

- ``limit`` (default 20, 1..100) and ``start`` (0-based offset); both may also come as headers, the
  query string wins;
- ``properties=a,b``: keep only those top-level fields (an object holding none of them becomes ``{}``);
- ``orderBy=asc:created,desc:updated`` (direction defaults to ascending; later keys break ties);
- ``property=<expr>`` (repeatable, ANDed): ``f==v``, ``f!=v``, ``f<v``, ``f<=v``, ``f>v``, ``f>=v``,
  ``f~regex``, bare ``f`` (exists) and ``!f`` (does not exist);
- simple filters ``<field>=a,b`` (any of), ``<field>=!a,b`` (none of), ``*`` wildcards that also match
  nothing, ``**`` for a literal ``*``;
- ``tags=name:value,name2:*`` (ANDed; ``*`` alone means the tag is present, a trailing ``*`` a prefix);
- ``createdAfter`` / ``createdBefore`` (epoch ms, exclusive).

Values are compared sensibly: numbers numerically, dotted versions (``1.0.10``) part by part,
booleans as ``true``/``false``, everything else as text. Fields may be dotted paths (a superset of the
documented top-level filters).
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from ..core.query_params import parse_int
from .exceptions import invalid_parameter

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

# Query parameters with a meaning of their own; every other one is a simple field filter.
RESERVED_PARAMETERS = frozenset(
    {"limit", "start", "orderBy", "properties", "property", "tags", "createdAfter", "createdBefore",
     "requestDataSource"}
)  # fmt: skip

Predicate = Callable[[dict[str, Any]], bool]
# Derived fields a collection can be filtered on without storing them (e.g. a batch's ``dataSet``).
VirtualFields = Mapping[str, Callable[[dict[str, Any]], list[Any]]]

_VERSION = re.compile(r"^\d+(?:\.\d+)+$")
_PROPERTY_EXPRESSION = re.compile(r"^(?P<negated>!)?(?P<field>[^=!<>~]+)(?:(?P<op>==|!=|<=|>=|<|>|~)(?P<value>.*))?$")
_ORDERINGS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@dataclass
class ListQuery:
    """A parsed list request: which objects, in which order, which page, which fields."""

    limit: int = DEFAULT_LIMIT
    start: int = 0
    properties: list[str] | None = None
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    predicates: list[Predicate] = field(default_factory=list)


# --- values -------------------------------------------------------------------------------------


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, sort_keys=True)


def _version_parts(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _sort_key(value: Any) -> tuple:
    """Orders values of one field: numbers, then versions, then text (types never compared directly)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    text = _as_text(value)
    if _VERSION.match(text):
        return (1, _version_parts(text))
    return (2, text)


def _comparable_pair(actual: Any, wanted: str) -> tuple[Any, Any]:
    """The stored value and the query's text, converted so that comparing them makes sense."""
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            return actual, float(wanted)
        except ValueError:
            return _as_text(actual), wanted
    text = _as_text(actual)
    if _VERSION.match(text) and _VERSION.match(wanted):
        return _version_parts(text), _version_parts(wanted)
    if isinstance(actual, bool):
        return text, wanted.lower()
    return text, wanted


def _lookup(obj: dict[str, Any], path: str, virtual: VirtualFields) -> list[Any]:
    """Every value at ``path`` (a list field yields its elements); empty when the field is absent."""
    if path in virtual:
        return virtual[path](obj)
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return []
        current = current[part]
    return list(current) if isinstance(current, list) else [current]


def _wildcard(pattern: str) -> re.Pattern[str]:
    """Catalog wildcards: ``*`` matches any run of characters (also none); ``**`` is a literal star."""
    pieces = [".*".join(re.escape(chunk) for chunk in literal.split("*")) for literal in pattern.split("**")]
    return re.compile(re.escape("*").join(pieces), re.DOTALL)


# --- predicates ---------------------------------------------------------------------------------


def _property_predicate(expression: str, virtual: VirtualFields) -> Predicate:
    match = _PROPERTY_EXPRESSION.match(expression.strip())
    if not match or (match["negated"] and match["op"]):
        raise invalid_parameter(f"Invalid property expression '{expression}'")
    path, op, wanted = match["field"].strip(), match["op"], match["value"]
    if not op:
        exists = not match["negated"]
        return lambda obj: bool(_lookup(obj, path, virtual)) == exists
    if op == "~":
        try:
            regex = re.compile(wanted)
        except re.error as exc:
            raise invalid_parameter(f"Invalid regular expression in '{expression}': {exc}") from None
        return lambda obj: any(regex.search(_as_text(v)) for v in _lookup(obj, path, virtual))

    def equal(value: Any) -> bool:
        left, right = _comparable_pair(value, wanted)
        return left == right

    if op == "==":
        return lambda obj: any(equal(v) for v in _lookup(obj, path, virtual))
    if op == "!=":
        return lambda obj: not any(equal(v) for v in _lookup(obj, path, virtual))
    compare = _ORDERINGS[op]

    def ordered(value: Any) -> bool:
        left, right = _comparable_pair(value, wanted)
        try:
            return compare(left, right)
        except TypeError:  # e.g. a version tuple against plain text
            return compare(_as_text(value), wanted)

    return lambda obj: any(ordered(v) for v in _lookup(obj, path, virtual))


def _simple_predicate(path: str, raw: str, virtual: VirtualFields) -> Predicate:
    negated = raw.startswith("!")
    patterns = [_wildcard(choice) for choice in (raw[1:] if negated else raw).split(",")]

    def matches(obj: dict[str, Any]) -> bool:
        values = [_as_text(v) for v in _lookup(obj, path, virtual)]
        return any(p.fullmatch(v) for p in patterns for v in values)

    return (lambda obj: not matches(obj)) if negated else matches


def _tags_predicate(raw: str) -> Predicate:
    wanted: list[tuple[str, re.Pattern[str] | None]] = []
    for pair in raw.split(","):
        name, _, value = pair.partition(":")
        if not name:
            raise invalid_parameter(f"Invalid tags filter '{raw}': expected name:value pairs")
        wanted.append((name, None if value in ("", "*") else _wildcard(value)))

    def matches(obj: dict[str, Any]) -> bool:
        tags = obj.get("tags") if isinstance(obj.get("tags"), dict) else {}
        for name, pattern in wanted:
            if name not in tags:
                return False
            if pattern and not any(pattern.fullmatch(_as_text(v)) for v in tags[name]):
                return False
        return True

    return matches


def _created_predicate(name: str, raw: str) -> Predicate:
    bound = parse_int(name, raw, invalid_parameter)
    compare = operator.gt if name == "createdAfter" else operator.lt
    return lambda obj: isinstance(obj.get("created"), int) and compare(obj["created"], bound)


# --- parsing and applying -----------------------------------------------------------------------


def _paging_value(name: str, args: MultiDict, headers: Mapping[str, str]) -> str | None:
    raw = args.get(name)
    return raw if raw is not None else headers.get(name)


def _parse_order(raw: str) -> list[tuple[str, bool]]:
    order = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        direction, sep, name = item.partition(":")
        if not sep:
            direction, name = "asc", item
        if direction not in ("asc", "desc") or not name:
            raise invalid_parameter(f"Invalid orderBy '{raw}': use [asc:|desc:]field, comma separated")
        order.append((name, direction == "desc"))
    return order


def parse_list_query(args: MultiDict, headers: Mapping[str, str], virtual: VirtualFields | None = None) -> ListQuery:
    """Turn a list request's parameters into a ListQuery; a bad parameter is a 400 naming it."""
    virtual = virtual or {}
    query = ListQuery()
    raw_limit = _paging_value("limit", args, headers)
    if raw_limit is not None:
        query.limit = parse_int("limit", raw_limit, invalid_parameter)
        if not 1 <= query.limit <= MAX_LIMIT:
            raise invalid_parameter(f"limit must be between 1 and {MAX_LIMIT}, got {query.limit}")
    raw_start = _paging_value("start", args, headers)
    if raw_start is not None:
        query.start = parse_int("start", raw_start, invalid_parameter)
        if query.start < 0:
            raise invalid_parameter(f"start must be 0 or more, got {query.start}")
    if "properties" in args:
        query.properties = [p.strip() for p in args["properties"].split(",") if p.strip()]
    if args.get("orderBy"):
        query.order = _parse_order(args["orderBy"])
    query.predicates += [_property_predicate(e, virtual) for e in args.getlist("property")]
    query.predicates += [_tags_predicate(t) for t in args.getlist("tags")]
    for name in ("createdAfter", "createdBefore"):
        query.predicates += [_created_predicate(name, raw) for raw in args.getlist(name)]
    for name, values in args.lists():
        if name not in RESERVED_PARAMETERS:
            query.predicates += [_simple_predicate(name, raw, virtual) for raw in values]
    return query


def project(obj: dict[str, Any], properties: list[str] | None) -> dict[str, Any]:
    """Keep only the requested top-level fields (all of them when no projection was asked)."""
    if properties is None:
        return obj
    return {name: obj[name] for name in properties if name in obj}


def _sorted(items: list[tuple[str, dict[str, Any]]], order: list[tuple[str, bool]]) -> list[tuple[str, dict[str, Any]]]:
    # One stable sort per key, least significant first; objects lacking the key always go last.
    for name, descending in reversed(order):
        present = [item for item in items if name in item[1]]
        missing = [item for item in items if name not in item[1]]
        present.sort(key=lambda item: _sort_key(item[1][name]), reverse=descending)
        items = present + missing
    return items


def apply_list_query(query: ListQuery, items: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The page of ``(id, object)`` items the query selects, as Catalog's id-keyed object."""
    selected = [item for item in items if all(p(item[1]) for p in query.predicates)]
    page = _sorted(selected, query.order)[query.start : query.start + query.limit]
    return {object_id: project(obj, query.properties) for object_id, obj in page}
