"""List queries of the Schema Registry: ``property`` filters, ``orderby``, ``limit`` and ``start``.

- ``property=field==value`` (also ``!=``, ``<``, ``>``, ``<=``, ``>=``, ``~`` for a regular expression,
  and a bare ``property=field`` for "present"); repeated parameters are ANDed. An array attribute
  (``meta:immutableTags``, ``meta:intendedToExtend``) matches when one of its elements does.
- ``orderby=title,-version``: ``-`` sorts descending. ``limit`` (0-500) and ``start`` only act together
  with ``orderby``; ``start`` is the primary sort value to continue after (a cursor, not an offset).
- A page never holds more than 300 results. Without ``orderby`` results are sorted by ``$id`` (the
  emulator's choice) so the next page can still be reached by cursor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .exceptions import InvalidQuery

PAGE_CAP = 300
MAX_LIMIT = 500
DEFAULT_ORDER = "$id"
_OPERATORS = ("==", "!=", "<=", ">=", "~", "<", ">")


@dataclass(frozen=True)
class Filter:
    field: str
    operator: str | None  # None: the attribute must be present
    value: str = ""

    def matches(self, item: Mapping[str, Any]) -> bool:
        actual = lookup(item, self.field)
        if self.operator is None:
            return actual is not None
        values = actual if isinstance(actual, list) else [actual]
        if self.operator == "!=":
            return all(not _equal(v, self.value) for v in values)
        return any(v is not None and _COMPARE[self.operator](v, self.value) for v in values)


@dataclass(frozen=True)
class ListQuery:
    filters: tuple[Filter, ...] = ()
    orderby: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    limit: int | None = None
    start: str | None = None
    orderby_text: str | None = None


@dataclass(frozen=True)
class Page:
    results: list[dict[str, Any]]
    next_start: str | None
    orderby: str


def lookup(item: Mapping[str, Any], path: str) -> Any:
    """Attribute by name, or by dotted path into nested objects (``meta:registryMetadata.eTag``)."""
    if path in item:
        return item[path]
    value: Any = item
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool) or value is None:
        return (0, str(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value).lower() if isinstance(value, str) else str(value))


def _coerce(actual: Any, wanted: str) -> tuple[Any, Any]:
    if isinstance(actual, (int, float)) and not isinstance(actual, bool):
        try:
            return actual, float(wanted)
        except ValueError:
            return str(actual), wanted
    if isinstance(actual, bool):
        return str(actual).lower(), wanted.lower()
    return str(actual), wanted


def _equal(actual: Any, wanted: str) -> bool:
    left, right = _coerce(actual, wanted)
    return left == right


def _regex(actual: Any, pattern: str) -> bool:
    return re.search(pattern, str(actual)) is not None


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, str], bool]:
    def compare(actual: Any, wanted: str) -> bool:
        left, right = _coerce(actual, wanted)
        return type(left) is type(right) and op(left, right)

    return compare


_COMPARE: dict[str, Callable[[Any, str], bool]] = {
    "==": _equal,
    "~": _regex,
    "<": _ordered(lambda a, b: a < b),
    ">": _ordered(lambda a, b: a > b),
    "<=": _ordered(lambda a, b: a <= b),
    ">=": _ordered(lambda a, b: a >= b),
}


def parse_filter(text: str) -> Filter:
    """``meta:class==https://...`` -> Filter; the earliest operator wins, two-character ones first."""
    best: tuple[int, str] | None = None
    for op in _OPERATORS:
        index = text.find(op)
        if index != -1 and (best is None or index < best[0]):
            best = (index, op)
    if best is None:
        name = text.strip()
        if not name:
            raise InvalidQuery("The property parameter needs an attribute name, e.g. property=title==Name.")
        return Filter(name, None)
    index, op = best
    name, value = text[:index].strip(), text[index + len(op):]
    if not name:
        raise InvalidQuery(f"The property filter '{text}' has no attribute name before '{op}'.")
    if op == "~":
        try:
            re.compile(value)
        except re.error as exc:
            raise InvalidQuery(f"The property filter '{text}' is not a valid regular expression: {exc}") from None
    return Filter(name, op, value)


def parse_query(args: Mapping[str, Any], getlist: Callable[[str], list[str]]) -> ListQuery:
    filters = tuple(parse_filter(text) for text in getlist("property"))
    orderby_text = args.get("orderby") or None
    orderby: tuple[tuple[str, bool], ...] = ()
    if orderby_text:
        parts = [p.strip() for p in orderby_text.split(",")]
        if any(p in ("", "-", "+") for p in parts):
            raise InvalidQuery(f"The orderby value '{orderby_text}' is not a list of attribute names.")
        orderby = tuple((p.lstrip("+-"), p.startswith("-")) for p in parts)
    limit = None
    raw_limit = args.get("limit")
    if raw_limit not in (None, ""):
        try:
            limit = int(raw_limit)
        except ValueError:
            raise InvalidQuery(f"The limit '{raw_limit}' is not an integer between 0 and {MAX_LIMIT}.") from None
        if not 0 <= limit <= MAX_LIMIT:
            raise InvalidQuery(f"The limit '{raw_limit}' is not an integer between 0 and {MAX_LIMIT}.")
    start = args.get("start")
    return ListQuery(filters, orderby, limit, start if start not in (None, "") else None, orderby_text)


def paginate(items: Iterable[dict[str, Any]], query: ListQuery) -> Page:
    """Filter, sort and cut one page; ``next_start`` is the cursor of the following page (or None)."""
    matching = [item for item in items if all(f.matches(item) for f in query.filters)]
    orderby = query.orderby or ((DEFAULT_ORDER, False),)
    for name, descending in reversed(orderby):
        matching.sort(key=lambda item, n=name: _sort_key(lookup(item, n)), reverse=descending)
    primary, descending = orderby[0]
    if query.orderby and query.start is not None:
        cursor = _sort_key(_coerce_cursor(matching, primary, query.start))
        matching = [
            item for item in matching
            if (_sort_key(lookup(item, primary)) < cursor if descending else _sort_key(lookup(item, primary)) > cursor)
        ]
    size = min(query.limit if (query.orderby and query.limit is not None) else PAGE_CAP, PAGE_CAP)
    page = matching[:size]
    # Keep items sharing the last primary value together, so ``start`` stays a reliable cursor.
    while page and len(page) < len(matching) and lookup(matching[len(page)], primary) == lookup(page[-1], primary):
        page.append(matching[len(page)])
    next_start = None
    if len(page) < len(matching):
        last = lookup(page[-1], primary) if page else None
        next_start = "" if last is None else str(last)
    orderby_text = query.orderby_text or DEFAULT_ORDER
    return Page(page, next_start, orderby_text)


def _coerce_cursor(items: list[dict[str, Any]], field_name: str, start: str) -> Any:
    """The cursor typed like the sort attribute (numbers compare as numbers)."""
    sample = next((lookup(i, field_name) for i in items if lookup(i, field_name) is not None), None)
    if isinstance(sample, (int, float)) and not isinstance(sample, bool):
        try:
            return float(start)
        except ValueError:
            return start
    return start


def next_link(base_url: str, args: Mapping[str, Any], getlist: Callable[[str], list[str]], page: Page) -> str | None:
    """``_links.next.href``: the same query with ``orderby`` made explicit and ``start`` moved on."""
    if page.next_start is None:
        return None
    params: list[tuple[str, str]] = [("property", p) for p in getlist("property")]
    params.append(("orderby", page.orderby))
    if args.get("limit") not in (None, ""):
        params.append(("limit", str(args["limit"])))
    params.append(("start", page.next_start))
    return f"{base_url}?{urlencode(params)}"
