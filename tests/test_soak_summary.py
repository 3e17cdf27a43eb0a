"""``scripts/soak.py``: how it counts duplicates, orphans, what destroy left and the faults that fired, and
its summary table (rendered and parsed back). The soak itself is a script, not a test."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "soak.py"


@pytest.fixture(scope="module")
def soak() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


DECLARED = [
    {"name": "schema-a", "type": "Schema"}, {"name": "schema-b", "type": "Schema"},
    {"name": "fields", "type": "FieldGroup"}, {"name": "flow", "type": "Dataflow"},
]  # fmt: skip


def record(kind: str, object_id: str) -> dict[str, object]:
    return {"org": "o", "sandbox": "prod", "kind": kind, "id": object_id, "object": {}}


@pytest.mark.parametrize(
    ("objects", "tracked", "duplicates", "orphans"),
    [
        # exactly what is declared, all tracked
        ([record("schemaregistry.schemas", "s1"), record("schemaregistry.schemas", "s2"),
          record("schemaregistry.mixins", "f1"), record("flowservice.flows", "w1")], ["s1", "s2", "f1", "w1"], 0, 0),
        # a second flow nobody tracks: a duplicate and an orphan
        ([record("flowservice.flows", "w1"), record("flowservice.flows", "w2")], ["w1"], 1, 1),
        # a schema the state lost (its create was cut off) but nothing extra: an orphan, no duplicate
        ([record("schemaregistry.schemas", "s1"), record("schemaregistry.schemas", "s2")], ["s1"], 0, 1),
        # kinds the program never makes (tokens, sandboxes) are not counted
        ([record("ims.tokens", "sha256:ab"), record("sandbox.sandboxes", "dev")], [], 0, 0),
    ],
    ids=["converged", "duplicate", "orphan", "other-kinds"],
)  # fmt: skip
def test_count_platform(soak: ModuleType, objects: list, tracked: list, duplicates: int, orphans: int) -> None:
    assert soak.count_platform(DECLARED, objects, tracked) == soak.PlatformCount(duplicates, orphans)


def test_left_after_destroy_tells_retained_from_left_over(soak: ModuleType) -> None:
    objects = [record("schemaregistry.mixins", "f1"), record("flowservice.flows", "w1"), record("ims.tokens", "t")]
    assert soak.left_after_destroy(objects, ["f1"]) == (1, 1)
    assert soak.left_after_destroy(objects[:1], ["f1"]) == (0, 1)


def test_faults_fired_by_label_from_the_fault_listing(soak: ModuleType) -> None:
    described = [
        {"id": "a1", "action": "status", "status": 429, "rate": 0.1, "fired": 9, "remaining": None},
        {"id": "b2", "action": "drop_after_commit", "rate": 0.02, "fired": 4, "remaining": None},
        {"id": "zz", "action": "latency", "latencyMs": 5, "fired": 70, "remaining": None},  # not the scenario's
    ]
    assert soak.faults_fired(described, {"a1": "10% 429", "b2": "2% lost answer"}) == Counter(
        {"10% 429": 9, "2% lost answer": 4}
    )


def test_soak_declares_twenty_pipelines_and_retains_the_field_groups(soak: ModuleType) -> None:
    declared = soak.soak_declared(10)
    assert sum(1 for e in declared if e["type"] == "Dataflow") == 20
    for entry in declared:
        assert bool(entry.get("options", {}).get("retain_on_delete")) is (entry["type"] == "FieldGroup"), entry
    assert set(soak.declared_kinds(declared)) <= set(soak.KIND_OF_TYPE.values())


def result(soak: ModuleType, name: str, **changes: object) -> object:
    passing = dict(up_runs=1, converged=True, in_state=180, preview_clean=True, retained_left=2, retained_expected=2,
                   fired=Counter({"10% 429": 12, "2% lost answer": 3}), seconds={"up": 61.4, "preview": 9.2, "destroy": 30.1})  # fmt: skip
    return soak.ScenarioResult(name, ("10% 429",), pipelines=20, resources=180, **{**passing, **changes})


def test_the_table_renders_and_parses_back(soak: ModuleType) -> None:
    results = [result(soak, "faults"), result(soak, "clean", orphans=1, up_runs=2, fired=Counter())]
    text = soak.render_table(results)
    rows = soak.parse_table(text)
    assert [row["scenario"] for row in rows] == ["faults", "clean"]
    first, second = rows
    assert first == {
        "scenario": "faults", "pipelines": "20", "resources": "180", "up runs": "1", "in state": "180", "dups": "0", "orphans": "0",
        "preview": "no changes", "after destroy": "0 + 2/2 kept", "faults fired": "10% 429: 12, 2% lost answer: 3",
        "up s": "61", "preview s": "9", "destroy s": "30", "total s": "101", "result": "PASS",
    }  # fmt: skip
    assert (second["up runs"], second["orphans"], second["faults fired"], second["result"]) == ("2", "1", "-", "FAIL")


@pytest.mark.parametrize(
    "change",
    [{"up_runs": 2}, {"in_state": 179}, {"duplicates": 1}, {"orphans": 1}, {"preview_clean": False}, {"left_over": 1},
     {"retained_left": 1}, {"converged": False}],
)  # fmt: skip
def test_a_scenario_passes_only_when_every_goal_holds(soak: ModuleType, change: dict[str, object]) -> None:
    assert result(soak, "faults").passed
    assert not result(soak, "faults", **change).passed
