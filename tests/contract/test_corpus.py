"""The corpus itself: every example loads, names its source, and the shape comparison can fail."""

from __future__ import annotations

import pytest

from .corpus import Example, all_examples, shape_differences


def test_every_example_loads_and_names_its_source() -> None:
    found = all_examples()
    assert found, "the contract corpus is empty"
    for ex in found:
        assert ex.source.strip(), ex.name
        assert ex.request.get("method") and ex.request.get("path", "").startswith("/"), ex.name
        assert 100 <= ex.status < 600, ex.name


def _example(**shape: object) -> Example:
    return Example(
        name="t", source="s", service="catalog", description="d", request={}, response={"status": 200},
        id_keyed=bool(shape.get("id_keyed")), open_paths=frozenset(shape.get("open", ())),  # type: ignore[arg-type]
        ignored=dict(shape.get("ignore", {})),  # type: ignore[call-overload]
    )


@pytest.mark.parametrize(
    ("documented", "actual", "shape", "expected"),
    [
        ({"a": 1}, {"a": 2, "b": 3}, {}, []),
        ({"a": 1}, {}, {}, ["$.a: documented key missing"]),
        ({"a": 1}, {"a": "1"}, {}, ["$.a: documented number, emulator sent string ('1')"]),
        ({"a": None}, {"a": {"x": 1}}, {}, []),
        ({"a": [{"x": 1}, {"x": 2}]}, {"a": [{"x": 3}]}, {}, []),
        ({"a": [{"x": 1}]}, {"a": [{"y": 3}]}, {}, ["$.a[0].x: documented key missing"]),
        ({"a": [{"x": 1}]}, {"a": []}, {}, []),
        ({"a": True}, {"a": 1}, {}, ["$.a: documented boolean, emulator sent number (1)"]),
        ({"id1": {"n": "x"}}, {"id2": {"n": "y"}}, {"id_keyed": True}, []),
        ({"id1": {"n": "x"}}, {"id2": {}}, {"id_keyed": True}, ["$.n: documented key missing"]),
        ({"tags": {"adobe/pqs/table": ["t"]}}, {"tags": {"other": ["v"]}}, {"open": ["$.tags"]}, []),
        ({"tags": {"adobe/pqs/table": ["t"]}}, {"tags": {"k": "v"}}, {"open": ["$.tags"]},
         ["$.tags.k: documented values are array, got string"]),
        ({"a": 1, "b": 2}, {"a": 1}, {"ignore": {"$.b": "not emulated"}}, []),
    ],
)
def test_shape_differences(documented: object, actual: object, shape: dict[str, object], expected: list[str]) -> None:
    assert shape_differences(documented, actual, _example(**shape)) == expected
