"""The contract corpus: request and response bodies taken from Adobe's own documentation.

Each file in ``examples/`` holds one documented exchange and names where it comes from, so a reader can
check it against the page. The platform is the reference: when the emulator or the provider disagrees
with an example, the code changes, never the example (unless the example was copied wrongly).

File format (JSON)::

    {
      "source": "help/catalog/api/look-up-object.md @ 23df35d7 (AdobeDocs/experience-platform.en)",
      "url": "https://experienceleague.adobe.com/en/docs/experience-platform/catalog/api/look-up-object",
      "service": "catalog",                 # schemaregistry | catalog | flowservice | dataprep | ims | sandbox | identity
      "description": "a dataset GET with platform tags",
      "request": {"method": "GET", "path": "/data/foundation/catalog/dataSets/{DATASET_ID}",
                  "accept": "...", "params": {...}, "body": ...},      # as documented, placeholders kept
      "response": {"status": 200, "body": ...},                       # as documented
      "shape": {                                                      # optional, how to compare shapes
        "id_keyed": true,          # the body is {"<id>": {...}} (Catalog): compare the values
        "open": ["$.tags"],        # objects whose keys are data, not fields: compare only their value types
        "ignore": {"$.x": "why"}   # documented keys the emulator leaves out on purpose, each with the reason
      }
    }

Only values are trimmed from Adobe's examples where the page itself elides them (``...``); keys are kept
as documented, so the shape comparison sees every field the platform sends.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests

EXAMPLES = Path(__file__).resolve().parent / "examples"
SERVICES = frozenset({"schemaregistry", "catalog", "flowservice", "dataprep", "ims", "sandbox", "identity"})


@dataclass(frozen=True)
class Example:
    name: str
    source: str
    service: str
    description: str
    request: Mapping[str, Any]
    response: Mapping[str, Any]
    url: str | None = None
    id_keyed: bool = False
    open_paths: frozenset[str] = frozenset()
    ignored: Mapping[str, str] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return int(self.response["status"])

    @property
    def body(self) -> Any:
        """The documented response body (a fresh copy: callers may change it)."""
        return json.loads(json.dumps(self.response.get("body")))

    @property
    def request_body(self) -> Any:
        return json.loads(json.dumps(self.request.get("body")))

    def __str__(self) -> str:  # the pytest id
        return self.name


def _load(path: Path) -> Example:
    raw = json.loads(path.read_text())
    missing = [key for key in ("source", "service", "description", "request", "response") if key not in raw]
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    if raw["service"] not in SERVICES:
        raise ValueError(f"{path.name}: service {raw['service']!r} is not one of {sorted(SERVICES)}")
    shape = raw.get("shape", {})
    return Example(
        name=path.stem,
        source=raw["source"],
        url=raw.get("url"),
        service=raw["service"],
        description=raw["description"],
        request=raw["request"],
        response=raw["response"],
        id_keyed=bool(shape.get("id_keyed")),
        open_paths=frozenset(shape.get("open", ())),
        ignored=dict(shape.get("ignore", {})),
    )


@cache
def all_examples() -> tuple[Example, ...]:
    return tuple(_load(path) for path in sorted(EXAMPLES.glob("*.json")))


def examples(service: str | None = None) -> list[Example]:
    return [e for e in all_examples() if service is None or e.service == service]


def example(name: str) -> Example:
    for candidate in all_examples():
        if candidate.name == name:
            return candidate
    raise KeyError(f"no contract example named {name!r} in {EXAMPLES}")


# --- shape comparison ----------------------------------------------------------------------------


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {value!r}")


def shape_differences(documented: Any, actual: Any, example: Example | None = None) -> list[str]:
    """Every documented key missing from ``actual`` or holding another JSON type, as readable lines.

    Extra keys in ``actual`` are fine (the docs trim their examples). A documented ``null`` matches any
    type (the docs show null where a value is optional). Arrays: each documented element is compared with
    the actual element at the same index, or with the first one when the actual array is shorter; an
    empty actual array matches. With ``id_keyed`` the top level is ``{"<id>": object}`` on both sides and
    the first values are compared.
    """
    open_paths = example.open_paths if example else frozenset()
    ignored = example.ignored if example else {}
    if example is not None and example.id_keyed:
        if not isinstance(documented, dict) or not isinstance(actual, dict) or not documented or not actual:
            return [f"$: expected an object keyed by id, got {json_type(actual)} {actual!r:.200}"]
        documented, actual = next(iter(documented.values())), next(iter(actual.values()))
    problems: list[str] = []
    _compare(documented, actual, "$", open_paths, ignored, problems)
    return problems


def assert_documented_answer(answer: requests.Response, example: Example) -> None:
    """``answer`` has the example's status and every documented key with its documented JSON type."""
    assert answer.status_code == example.status, answer.text
    assert shape_differences(example.body, answer.json(), example) == []


def _compare(
    documented: Any, actual: Any, path: str, open_paths: frozenset[str], ignored: Mapping[str, str], out: list[str]
) -> None:
    if path in ignored or documented is None:
        return
    want, got = json_type(documented), json_type(actual)
    if want != got:
        out.append(f"{path}: documented {want}, emulator sent {got} ({actual!r:.120})")
        return
    if want == "object":
        if path in open_paths:
            for key, value in actual.items():
                sample = next(iter(documented.values()), None)
                if sample is not None and json_type(value) != json_type(sample):
                    out.append(f"{path}.{key}: documented values are {json_type(sample)}, got {json_type(value)}")
            return
        for key, value in documented.items():
            child = f"{path}.{key}"
            if child in ignored:
                continue
            if key not in actual:
                out.append(f"{child}: documented key missing")
                continue
            _compare(value, actual[key], child, open_paths, ignored, out)
    elif want == "array" and actual:
        for index, value in enumerate(documented):
            _compare(value, actual[min(index, len(actual) - 1)], f"{path}[{index}]", open_paths, ignored, out)


def iter_keys(value: Any, path: str = "$") -> Iterator[str]:
    """Every key path of a JSON value (used to show what a documented example holds)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield f"{path}.{key}"
            yield from iter_keys(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from iter_keys(child, f"{path}[{index}]")
