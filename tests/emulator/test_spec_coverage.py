"""Every operation of Adobe's specs is routed by the emulator (issue 13).

Walks each spec's paths and methods, fills path parameters with a sample value and asks the app's URL
map whether a route answers that method. Only the services in ``MUST_BE_COMPLETE`` fail the test; the
others are reported (``pytest -s``) until they get there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from aep_emulator.app import create_app
from tests.emulator.openapi_check import load_spec

SPECS = ("sandbox.yaml", "catalog.yaml", "flow-service.yaml", "data-prep.yaml", "schema-registry.yaml")
MUST_BE_COMPLETE = SPECS  # every operation of the five specs is routed (issue 13)
_METHODS = ("get", "post", "put", "patch", "delete")


def base_path(spec: dict) -> str:
    if "basePath" in spec:  # Swagger 2.0 (Schema Registry)
        return spec["basePath"].rstrip("/")
    return urlsplit(spec["servers"][0]["url"].replace("{environment}", "platform")).path.rstrip("/")


def _sample(parameter: str) -> str:
    # Schema Registry paths start with a container, which is "tenant" or "global", never any value.
    return "tenant" if "CONTAINER" in parameter else "sample"


def unrouted(spec: dict) -> list[str]:
    adapter = create_app().url_map.bind("localhost")
    missing = []
    for template, operations in spec["paths"].items():
        path = base_path(spec) + "/".join(
            _sample(part) if part.startswith("{") else part for part in template.split("/")
        ).rstrip("/")  # the emulator normalises a trailing slash away before routing
        for method in (m for m in operations if m in _METHODS):
            try:
                adapter.match(path, method=method.upper())
            except (NotFound, MethodNotAllowed):
                missing.append(f"{method.upper()} {template}")
    return missing


@pytest.mark.parametrize("file", SPECS)
def test_every_operation_is_routed(file: str) -> None:
    missing = unrouted(load_spec(file))
    if file in MUST_BE_COMPLETE:
        assert missing == [], f"{file}: operations the emulator does not route: {missing}"
    elif missing:
        print(f"{file}: {len(missing)} operations not routed yet: {missing}")


def test_the_walk_finds_an_unrouted_operation() -> None:
    spec = {"servers": [{"url": "https://{environment}.adobe.io/data/foundation"}],
            "paths": {"/nowhere/{id}": {"get": {}}, "/sandbox-management/sandboxes": {"get": {}, "put": {}}}}
    assert unrouted(spec) == ["GET /nowhere/{id}", "PUT /sandbox-management/sandboxes"]
