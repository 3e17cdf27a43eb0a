"""Soak: many pipelines under the platform's everyday failures, through the real CLI, then a summary table.

    .venv/bin/python scripts/soak.py [--copies 10] [--scenario clean --scenario faults] [--keep DIR]

Each scenario gets a fresh emulator process (``python -m aep_emulator``, checking connections against a moto
server that holds the workflows' stream and bucket) and a fresh stack of the engine tests' ``declared``
program holding ``--copies`` copies of both workflows (Kinesis streaming and S3 parquet: 2 pipelines a copy,
so the default 10 copies are 20 pipelines, 180 resources). As the example stack does for its loyalty field
group, every field group is kept on ``destroy`` (``retain_on_delete``), so the last step has something the
program retains. Then, with the scenario's faults on every route (IMS included):

1. ``pulumi up``, again (at most ``--max-runs`` in all) until it passes: a converged soak needs one run, after
   which the state holds every declared resource;
2. the platform's objects against the state: duplicates (more objects of a kind than the program declares)
   and orphans (objects the state does not track);
3. ``pulumi preview --expect-no-changes``;
4. ``pulumi destroy``: what is left on the platform must be exactly what the program retains.

Scenarios: ``clean`` (no faults) and ``faults``: 10% 429, 5% 503, 2% connection resets and 2% lost answers
(the write commits, the answer never comes: ``drop_after_commit``) on every route, seeded, from the
emulator's fault hooks (``aep_emulator/core/faults.py``). The table shows, per scenario: pipelines,
resources, up runs, duplicates, orphans, whether the preview was clean, what destroy left against what is
retained, how often each fault fired (the emulator's fault listing) and the wall time of each step.

A soak is a measurement, not a timed test: ``tests/test_soak_summary.py`` checks the counting and the table.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from aep_emulator.testing import EmulatorHandle  # noqa: E402
from devtools.pulumi_cli import PulumiCLI, PulumiCLIError, find_pulumi  # noqa: E402
from stacks.demo import moto_server  # noqa: E402
from tests.engine.aep_stack import AEPStack  # noqa: E402
from tests.engine.conftest import copy_program, engine_emulator_config  # noqa: E402
from tests.engine.test_aep_outage import RestartableEmulator  # noqa: E402
from tests.engine.test_interrupted_updates import SECRETS, copies, prepare_aws  # noqa: E402

# The emulator's store kind of each resource type the workflows declare.
KIND_OF_TYPE = {
    "Schema": "schemaregistry.schemas", "FieldGroup": "schemaregistry.mixins", "Dataset": "catalog.dataSets",
    "BaseConnection": "flowservice.connections", "SourceConnection": "flowservice.sourceConnections",
    "TargetConnection": "flowservice.targetConnections", "Dataflow": "flowservice.flows",
    "MappingSet": "dataprep.mappingSets",
}  # fmt: skip
RETAINED_TYPES = frozenset({"FieldGroup"})  # as stacks/workflows.py keeps its loyalty field group
FAULT_SEED = 9


@dataclass(frozen=True)
class Fault:
    """One fault on every route (fields of ``core/faults.FaultSpec``)."""

    label: str
    spec: Mapping[str, Any]


SCENARIOS: dict[str, tuple[Fault, ...]] = {
    "clean": (),
    "faults": (
        Fault("10% 429", {"action": "status", "status": 429, "rate": 0.10}),
        Fault("5% 503", {"action": "status", "status": 503, "rate": 0.05}),
        Fault("2% reset", {"action": "reset", "rate": 0.02}),
        Fault("2% lost answer", {"action": "drop_after_commit", "rate": 0.02}),
    ),
}


# --- counting (pure, unit-tested) ------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformCount:
    duplicates: int
    orphans: int


def declared_kinds(declared: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """How many objects of each store kind the program declares."""
    return Counter(KIND_OF_TYPE[entry["type"]] for entry in declared)


def count_platform(
    declared: Iterable[Mapping[str, Any]], objects: Iterable[Mapping[str, Any]], tracked: Iterable[str]
) -> PlatformCount:
    """Duplicates: objects of a kind beyond what the program declares of it. Orphans: objects of the
    program's kinds that the state does not track. ``objects`` are ``/__emulator/objects`` records."""
    expected = declared_kinds(declared)
    mine = [o for o in objects if o["kind"] in KIND_OF_TYPE.values()]
    found = Counter(o["kind"] for o in mine)
    duplicates = sum(max(0, found[kind] - expected[kind]) for kind in found)
    tracked_ids = set(tracked)
    return PlatformCount(duplicates=duplicates, orphans=sum(1 for o in mine if str(o["id"]) not in tracked_ids))


def left_after_destroy(objects: Iterable[Mapping[str, Any]], retained_ids: Iterable[str]) -> tuple[int, int]:
    """(objects of the program's kinds still on the platform that it does not retain, retained ones found)."""
    retained = set(retained_ids)
    mine = [str(o["id"]) for o in objects if o["kind"] in KIND_OF_TYPE.values()]
    return sum(1 for i in mine if i not in retained), sum(1 for i in mine if i in retained)


def faults_fired(described: Iterable[Mapping[str, Any]], labels: Mapping[str, str]) -> Counter[str]:
    """How often each injected fault fired, by its label, from ``/__emulator/faults`` (``labels``: fault id ->
    label). The emulator counts a fault when it hits a call; a lost answer looks like a success in its call
    statistics, so these counts are the ones to read."""
    return Counter({labels[f["id"]]: int(f["fired"]) for f in described if f["id"] in labels})


# --- the table ---------------------------------------------------------------------------------------


@dataclass
class ScenarioResult:
    name: str
    faults: tuple[str, ...]
    pipelines: int
    resources: int
    up_runs: int = 0
    converged: bool = False
    duplicates: int = 0
    orphans: int = 0
    in_state: int = 0  # declared resources the state holds after the ups
    preview_clean: bool = False
    left_over: int = 0  # not retained, yet still there after destroy
    retained_left: int = 0
    retained_expected: int = 0
    fired: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    failure: str = ""

    @property
    def passed(self) -> bool:
        return (
            self.converged and self.up_runs == 1 and self.in_state == self.resources
            and self.duplicates == 0 and self.orphans == 0
            and self.preview_clean and self.left_over == 0 and self.retained_left == self.retained_expected
        )  # fmt: skip


COLUMNS = ("scenario", "pipelines", "resources", "up runs", "in state", "dups", "orphans", "preview", "after destroy",
           "faults fired", "up s", "preview s", "destroy s", "total s", "result")  # fmt: skip


def table_rows(results: Iterable[ScenarioResult]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        fired = ", ".join(f"{what}: {count}" for what, count in sorted(r.fired.items())) or "-"
        seconds = [f"{r.seconds[step]:.0f}" if step in r.seconds else "-" for step in ("up", "preview", "destroy")]
        rows.append((
            r.name, str(r.pipelines), str(r.resources), str(r.up_runs), str(r.in_state), str(r.duplicates), str(r.orphans),
            "no changes" if r.preview_clean else "CHANGES",
            f"{r.left_over} + {r.retained_left}/{r.retained_expected} kept", fired, *seconds,
            f"{sum(r.seconds.values()):.0f}", "PASS" if r.passed else "FAIL",
        ))  # fmt: skip
    return rows


def render_table(results: Iterable[ScenarioResult]) -> str:
    rows = [COLUMNS, *table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def parse_table(text: str) -> list[dict[str, str]]:
    """The rows of a rendered table as column -> cell (what CI or a later run compares)."""
    lines = [line for line in text.splitlines() if line.strip() and not set(line.strip()) <= {"-"}]
    header, *body = lines
    starts = [header.index(column) for column in COLUMNS]
    ends = [*starts[1:], None]
    return [{c: line[s:e].strip() for c, s, e in zip(COLUMNS, starts, ends, strict=True)} for line in body]


# --- running a scenario --------------------------------------------------------------------------------


def soak_declared(copy_count: int) -> list[dict[str, Any]]:
    declared = copies(copy_count)
    for entry in declared:
        if entry["type"] in RETAINED_TYPES:
            entry["options"] = {**entry.get("options", {}), "retain_on_delete": True}
    return declared


def timed(result: ScenarioResult, step: str, run: Callable[[], Any]) -> Any:
    started = time.monotonic()
    try:
        return run()
    finally:
        result.seconds[step] = result.seconds.get(step, 0.0) + time.monotonic() - started


def run_scenario(name: str, copy_count: int, max_runs: int, work: Path, aws_endpoint: str) -> ScenarioResult:
    declared = soak_declared(copy_count)
    faults = SCENARIOS[name]
    result = ScenarioResult(name, tuple(f.label for f in faults), pipelines=2 * copy_count, resources=len(declared))
    emulator_process = RestartableEmulator(engine_emulator_config(aws_endpoint))
    emulator = emulator_process.start()
    try:
        stack = new_stack(name, work, emulator)
        for key, value in SECRETS.items():
            stack.set_secret(key, value)
        stack.declare(declared)
        # One seed per fault: faults with the same seed roll the same numbers, so the rarer ones would
        # only ever hit calls the first one already took.
        labels = {emulator.inject_fault(**fault.spec, seed=FAULT_SEED + n): fault.label for n, fault in enumerate(faults)}
        result.converged = timed(result, "up", lambda: up_until_it_passes(stack, result, max_runs))
        ids = stack.ids()
        result.in_state = sum(1 for entry in declared if entry["name"] in ids)
        count = count_platform(declared, emulator.objects(), ids.values())
        result.duplicates, result.orphans = count.duplicates, count.orphans
        result.preview_clean = timed(result, "preview", lambda: preview_is_clean(stack, result))
        retained_ids = [ids[e["name"]] for e in declared if e["type"] in RETAINED_TYPES and e["name"] in ids]
        result.retained_expected = len(retained_ids)
        timed(result, "destroy", lambda: destroy(stack, result))
        result.left_over, result.retained_left = left_after_destroy(emulator.objects(), retained_ids)
        result.fired = faults_fired(emulator.faults(), labels)
    finally:
        emulator_process.kill()
    return result


def new_stack(name: str, work: Path, emulator: EmulatorHandle) -> AEPStack:
    root = work / name
    (root / "backend").mkdir(parents=True)
    cli = PulumiCLI(
        project_dir=copy_program("declared", root / "declared"), stack=f"soak-{name}",
        backend_url=(root / "backend").as_uri(), pulumi_home=root / "pulumi-home", log_path=root / "pulumi-cli.log",
        pulumi=find_pulumi(),
    )  # fmt: skip
    return AEPStack(cli=cli, emulator=emulator, backend_dir=root / "backend").init()


def up_until_it_passes(stack: AEPStack, result: ScenarioResult, max_runs: int) -> bool:
    for _ in range(max_runs):
        result.up_runs += 1
        try:
            stack.cli.up()
            return True
        except PulumiCLIError as failed:
            result.failure = last_error(failed)
    return False


def preview_is_clean(stack: AEPStack, result: ScenarioResult) -> bool:
    try:
        stack.cli.preview(expect_no_changes=True)
        return True
    except PulumiCLIError as failed:
        result.failure = result.failure or last_error(failed)
        return False


def destroy(stack: AEPStack, result: ScenarioResult) -> None:
    try:
        stack.cli.destroy()
    except PulumiCLIError as failed:
        result.failure = result.failure or last_error(failed)


def last_error(failed: PulumiCLIError) -> str:
    lines = [line.strip() for line in (failed.result.stdout + failed.result.stderr).splitlines() if "error" in line]
    return lines[-1] if lines else f"exit {failed.result.returncode}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10, help="copies of both workflows (2 pipelines each)")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: all")
    parser.add_argument("--max-runs", type=int, default=3, help="ups tried before a scenario counts as not converged")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept: CLI logs, state) instead of a temporary one")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="soak-"))
    results = []
    try:
        with moto_server() as aws_endpoint:
            prepare_aws(aws_endpoint)
            for name in args.scenario or list(SCENARIOS):
                results.append(run_scenario(name, args.copies, args.max_runs, work, aws_endpoint))
                print(f"{name}: done in {sum(results[-1].seconds.values()):.0f} s", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(render_table(results))
    for r in results:
        if r.failure:
            print(f"{r.name}: last error: {r.failure}")
        if r.faults:
            print(f"{r.name}: faults on every route: {', '.join(r.faults)} (seeds from {FAULT_SEED})")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
