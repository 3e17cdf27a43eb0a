"""Listing as Flow Service does it: ``property`` filters, ``orderby``, ``limit``, ``continuationToken``, ``count``.

aep-api.md §5.11: ``property=<path><op><values>`` with ``==, !=, <, >, <=, >=``; a comma list is "any of";
repeated ``property`` parameters are ANDed; dotted paths reach nested fields and ``[]`` walks arrays
(``inheritedAttributes.targetConnections[].connectionSpec.id``). Values may be quoted
(``name=="CloudStorageToAEP"``): surrounding quotes are stripped. ``~`` is refused (1440).
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .exceptions import FlowError, bad_query_parameter

# Default page size of instance listings (aep-api §11 #22: the real default is not documented).
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

_COMPARATORS = ("==", "!=", "<=", ">=", "<", ">")
_EXPRESSION = re.compile(r"^(?P<path>[A-Za-z0-9_@$:\[\].-]+)(?P<op>[=!<>~]+)(?P<value>.*)$", re.S)
_SORT_FIELD = re.compile(r"^[A-Za-z_@$][A-Za-z0-9_@$:.\[\]-]*$")


@dataclass(frozen=True)
class Condition:
    path: str
    op: str
    values: tuple[str, ...]

    def matches(self, obj: Mapping[str, Any]) -> bool:
        found = resolve(obj, self.path)
        if self.op == "!=":
            return not any(_equals(self.path, v, wanted) for v in found for wanted in self.values)
        if self.op == "==":
            return any(_equals(self.path, v, wanted) for v in found for wanted in self.values)
        return any(_ordered(self.path, v, self.op, self.values[0]) for v in found)


@dataclass(frozen=True)
class SortKey:
    path: str
    descending: bool


@dataclass
class ListQuery:
    conditions: list[Condition] = field(default_factory=list)
    order: list[SortKey] = field(default_factory=list)
    limit: int | None = None
    offset: int = 0
    count: bool = False

    def apply(self, objects: Iterable[Mapping[str, Any]], resource: str) -> dict[str, Any]:
        """The listing answer: ``{"count": N}`` or ``{"items": [...], "_links": {...}}``."""
        selected = [o for o in objects if all(c.matches(o) for c in self.conditions)]
        if self.count:
            return {"count": len(selected)}
        ordered = _sort(selected, self.order)
        if self.limit is None:
            return {"items": ordered[self.offset :], "_links": {}}
        end = self.offset + self.limit
        links: dict[str, Any] = {}
        if end < len(ordered):
            token = self._token(end)
            links["next"] = {"href": f"/{resource}?continuationToken={token}"}
        return {"items": ordered[self.offset : end], "_links": links}

    def _token(self, offset: int) -> str:
        # The token carries the whole query, so a client that sends only the token gets the next page.
        state = {
            "offset": offset,
            "limit": self.limit,
            "property": [_unparse(c) for c in self.conditions],
            "orderby": ",".join(("-" if k.descending else "+") + k.path for k in self.order),
        }
        return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def parse_query(args: Mapping[str, Any], paged: bool = True) -> ListQuery:
    """Read the listing parameters of a request (``args`` is Flask's MultiDict).

    ``paged=False`` (spec catalogues) returns everything unless the caller asks for a ``limit``.
    """
    token = args.get("continuationToken")
    if token:
        return _from_token(token)
    count = _flag(args.get("count"), "count")
    raw_limit = args.get("limit")
    if count and raw_limit is not None:
        raise FlowError(
            1401,
            "The limit and count parameters cannot be given together in the same request. "
            "Provide either limit or count and try again.",
        )
    limit = _limit(raw_limit) if raw_limit is not None else (DEFAULT_PAGE_SIZE if paged else None)
    return ListQuery(
        conditions=[parse_condition(p) for p in args.getlist("property")],
        order=parse_orderby(args.get("orderby")),
        limit=limit,
        count=count,
    )


def parse_condition(expression: str) -> Condition:
    match = _EXPRESSION.match(expression.strip())
    if not match:
        raise FlowError(1453, f"Invalid query value {expression} provided in query param.")
    path, op, raw_values = match["path"], match["op"], match["value"]
    if "~" in op:
        raise FlowError(1440, "Operator '~' not implemented.")
    if op not in _COMPARATORS:
        raise FlowError(1450, f"Invalid operator {op} in filter params.")
    values = tuple(_split_values(raw_values))
    if not values or any(v == "" for v in values):
        raise FlowError(1453, f"Invalid query value {expression} provided in query param.")
    if op not in ("==", "!=") and len(values) > 1:
        raise FlowError(1443, f"Operator '{op}' is not allowed for multiple values.")
    return Condition(path, op, values)


def parse_orderby(raw: str | None) -> list[SortKey]:
    if raw is None or raw.strip() == "":
        return []
    keys = []
    for part in raw.split(","):
        # An unencoded '+' arrives as a space: it still means ascending.
        text = part.strip() if part.startswith(" ") else part
        descending = text.startswith("-")
        if text[:1] in "+-":
            text = text[1:]
        elif text and not (text[0].isalnum() or text[0] in "_@$"):
            raise FlowError(
                1432,
                "Sort order specified is not correct: prepend + for ascending order and - for "
                "descending order to the field name.",
            )
        if not _SORT_FIELD.match(text):
            raise FlowError(1433, f"Incorrect field={text} passed in orderby; examples are +name, -name, name.")
        keys.append(SortKey(text, descending))
    return keys


def resolve(obj: Any, path: str) -> list[Any]:
    """Every value at a dotted path; ``name[]`` (or any list met on the way) is walked element by element."""
    current = [obj]
    for segment in path.split("."):
        name = segment[:-2] if segment.endswith("[]") else segment
        following: list[Any] = []
        for value in current:
            if isinstance(value, Mapping) and name in value:
                child = value[name]
                following.extend(child if isinstance(child, list) else [child])
        current = following
    return current


def _split_values(raw: str) -> list[str]:
    # csv handles quoted items that contain commas: name=="a,b",c
    try:
        items = next(csv.reader([raw], skipinitialspace=True))
    except (csv.Error, StopIteration):
        items = raw.split(",")
    return [_unquote(item.strip()) for item in items] if items else [""]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _unparse(condition: Condition) -> str:
    quoted = ",".join('"' + v + '"' if "," in v else v for v in condition.values)
    return f"{condition.path}{condition.op}{quoted}"


def _equals(path: str, actual: Any, wanted: str) -> bool:
    if isinstance(actual, bool):
        return wanted.lower() == str(actual).lower()
    if isinstance(actual, (int, float)):
        return actual == _number(path, wanted)
    if isinstance(actual, str):
        return actual == wanted
    return actual is None and wanted == "null"


def _ordered(path: str, actual: Any, op: str, wanted: str) -> bool:
    if isinstance(actual, bool) or actual is None or isinstance(actual, (dict, list)):
        return False
    target: Any = _number(path, wanted) if isinstance(actual, (int, float)) else wanted
    if isinstance(actual, str) and not isinstance(target, str):
        return False
    return {
        "<": actual < target,
        ">": actual > target,
        "<=": actual <= target,
        ">=": actual >= target,
    }[op]


def _number(path: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise FlowError(1452, f"Invalid value {raw} for field {path}.") from None


def _sort(objects: list[Mapping[str, Any]], order: list[SortKey]) -> list[Mapping[str, Any]]:
    result = list(objects)
    # Stable sorts from the last key to the first give a multi-key order; objects without the
    # field always come last.
    for key in reversed(order):
        present = [o for o in result if resolve(o, key.path)]
        missing = [o for o in result if not resolve(o, key.path)]
        present.sort(key=lambda o: _sortable(resolve(o, key.path)[0]), reverse=key.descending)
        result = present + missing
    return result


def _sortable(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)  # ordinal, like the filters
    return (3, json.dumps(value, sort_keys=True))


def _flag(raw: str | None, name: str) -> bool:
    if raw is None or raw == "":
        return False
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise bad_query_parameter(f"Invalid params {name}={raw} provided in query params.")
    return lowered == "true"


def _limit(raw: str) -> int:
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if limit < 1:
        raise bad_query_parameter(f"Invalid params limit={raw} provided in query params.")
    return min(limit, MAX_PAGE_SIZE)


def _from_token(token: str) -> ListQuery:
    try:
        padded = token + "=" * (-len(token) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, limit = int(state["offset"]), int(state["limit"])
        conditions = [parse_condition(p) for p in state["property"]]
        order = parse_orderby(state["orderby"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError, FlowError):
        raise bad_query_parameter(f"Invalid params continuationToken={token} provided in query params.") from None
    return ListQuery(conditions=conditions, order=order, limit=limit, offset=max(offset, 0))
