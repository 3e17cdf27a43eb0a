"""Flow Service connections as the platform documents them: spec names, and what a PATCH may change.

- Connection specs carry the platform's ``name`` (a slug for most: ``amazon-s3``; ``Amazon Kinesis`` as
  help/destinations/api/streaming-destinations.md lists it), which ``property=name==`` filters on.
- A PATCH may change only the documented paths: a base connection's ``/name``, ``/description`` and
  ``/auth/params`` (help/sources/tutorials/api/update.md; ``/auth/params/s3SessionToken`` in the S3 tutorial);
  a source or target connection's ``/name`` and ``/description``. Any other path is ``1365-400``
  (help/sources/errors/sources-errors.md), and the object is left as it was.
"""

from __future__ import annotations

from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from tests.emulator.test_flowservice import (  # noqa: F401 - fixtures
    KINESIS,
    S3,
    World,
    assert_flow_error,
    call,
    patch,
    platform,
    read,
    world,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('name=="amazon-s3"', [S3]),
        ('name=="Amazon Kinesis"', [KINESIS]),
        ('name=="Amazon S3"', []),  # a display label is not the platform's name
    ],
)
def test_specs_are_filtered_by_the_platforms_names(emulator: EmulatorHandle, query: str, expected: list[str]) -> None:
    answer = call(emulator, "GET", "/connectionSpecs", params={"property": query})
    assert answer.status_code == 200, answer.text
    assert [spec["id"] for spec in answer.json()["items"]] == expected


def test_a_spec_shows_its_display_label_beside_its_name(emulator: EmulatorHandle) -> None:
    spec = read(emulator, "connectionSpecs", S3)
    assert (spec["name"], spec["attributes"]["uiAttributes"]["label"]) == ("amazon-s3", "Amazon S3")


def _object(world: World, resource: str) -> str:
    return {"connections": world.s3_base, "sourceConnections": world.s3_source, "targetConnections": world.target}[
        resource
    ]


@pytest.mark.parametrize(
    ("resource", "ops"),
    [
        ("connections", [{"op": "replace", "path": "/auth/specName", "value": "Access Key"}]),
        ("connections", [{"op": "add", "path": "/params", "value": {}}]),
        ("connections", [{"op": "add", "path": "/authentication", "value": {}}]),
        ("sourceConnections", [{"op": "replace", "path": "/params", "value": {"path": "other/folder"}}]),
        ("sourceConnections", [{"op": "replace", "path": "/params/path", "value": "other/folder"}]),
        ("sourceConnections", [{"op": "replace", "path": "/data/format", "value": "json"}]),
        ("sourceConnections", [{"op": "replace", "path": "/baseConnectionId", "value": "another"}]),
        ("targetConnections", [{"op": "replace", "path": "/data/format", "value": "json"}]),
        ("targetConnections", [{"op": "replace", "path": "/params/dataSetId", "value": "another"}]),
        ("targetConnections", [{"op": "remove", "path": "/data/schema"}]),
        # one refused path refuses the whole patch, the documented ones with it
        ("sourceConnections", [{"op": "replace", "path": "/name", "value": "n"}, {"op": "add", "path": "/params/x", "value": 1}]),
    ],
)  # fmt: skip
def test_a_path_the_platform_does_not_document_as_patchable_is_1365(world: World, resource: str, ops: list[Any]) -> None:
    emu, object_id = world.platform.emu, _object(world, resource)
    before = read(emu, resource, object_id)
    body = assert_flow_error(patch(emu, resource, object_id, ops), 400, 1365)
    assert ops[-1]["path"] in str(body)  # the message names the refused path
    assert read(emu, resource, object_id) == before


@pytest.mark.parametrize(
    ("resource", "ops", "pointer", "expected"),
    [
        ("connections", [{"op": "replace", "path": "/name", "value": "Renamed"}], ("name",), "Renamed"),
        ("connections", [{"op": "add", "path": "/description", "value": "d"}], ("description",), "d"),
        ("connections", [{"op": "replace", "path": "/auth/params",
                          "value": {"s3AccessKey": "AKIANEW", "s3SecretKey": "new"}}], ("auth", "params", "s3AccessKey"), "AKIANEW"),
        ("connections", [{"op": "add", "path": "/auth/params/s3SessionToken", "value": "token"}],
         ("auth", "params", "s3SessionToken"), "********"),
        ("sourceConnections", [{"op": "replace", "path": "/name", "value": "Renamed"}], ("name",), "Renamed"),
        ("sourceConnections", [{"op": "add", "path": "/description", "value": "d"}], ("description",), "d"),
        ("targetConnections", [{"op": "replace", "path": "/name", "value": "Renamed"}], ("name",), "Renamed"),
        ("targetConnections", [{"op": "add", "path": "/description", "value": "d"}], ("description",), "d"),
    ],
)  # fmt: skip
def test_the_documented_paths_are_patched(
    world: World, resource: str, ops: list[Any], pointer: tuple[str, ...], expected: Any
) -> None:
    emu, object_id = world.platform.emu, _object(world, resource)
    answer = patch(emu, resource, object_id, ops)
    assert answer.status_code == 200, answer.text
    shown: Any = read(emu, resource, object_id)
    for key in pointer:
        shown = shown[key]
    assert shown == expected


def test_a_missing_field_below_a_patchable_path_is_1455(world: World) -> None:
    emu = world.platform.emu
    ops = [{"op": "remove", "path": "/auth/params/noSuchParam"}]
    assert_flow_error(patch(emu, "connections", world.s3_base, ops), 400, 1455)
