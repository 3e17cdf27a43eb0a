"""The provider against the engine's floor: the same resource graph with a provider that does nothing.

    .venv/bin/python scripts/bench_floor.py                      # README table: example stack, 10 copies, 10 copies + 25 ms
    .venv/bin/python scripts/bench_floor.py --scenario example --rounds 5
    .venv/bin/python scripts/bench_floor.py --scenario copies:44 --rounds 1   # peak RSS at 700 resources

Each scenario deploys the real stack program against a fresh emulator (moto plays AWS, as in
``scripts/bench_stack.py``), records its resource graph from the state, then replays that graph with
``devtools/floor.py``'s ``NoOpProvider`` (same types, names, inputs, dependencies and options; the
provider class importable, so pickled by reference like the real one). Rounds alternate real and floor
(``up``, converged ``preview``, ``refresh``, ``destroy``, the emulator reset between rounds) and the
table shows medians and their ratio. With latency every emulator answer waits ``--latency-ms`` first;
the bound is then floor + calls x latency / 4 (the dynamic provider serves 4 calls at once; for
``preview`` and ``refresh`` only their GETs count, IMS token requests included in ``calls``).
Scenarios: ``example`` (the stack as ``./dev demo`` deploys it), ``copies:N`` (N copies of both
workflows, each with its own name prefix and identity namespace), ``copies:N@MS`` (with MS ms latency).

Besides times it reports API calls per created resource (the ``up``'s calls over the resources it
created, IMS token requests apart), GETs per resource of ``preview`` and ``refresh``, the provider
process's peak RSS (``VmHWM`` of the ``pulumi.dynamic`` process, polled) and the size of ``__provider``
in the state.

Where the time went (profiled with pyinstrument and ``python -X importtime`` of the provider process and
the program, 16-17 resources, before this work):

- ``import aep_provider`` cost about 0.35 s over ``pulumi.dynamic`` alone, paid by the program and by the
  provider process: ``requests``/``urllib3`` (about 90 ms) and ``jsonschema`` (about 60 ms) imported up
  front although the program never calls AEP and only some checks validate JSON Schemas, and pydantic's
  attribute docstrings (about 75 ms: the source of every module is read and parsed to fill field
  descriptions). Now ``requests``, ``urllib3`` and ``jsonschema`` are imported on first use and
  argument models defer building their validators to first use.
- ``up`` made 96 API calls for 17 creates (5.6 per resource): a marker look-up before every create
  (one filtered listing each), a read-back after every POST even where the answer or an earlier wait
  already held the object, check-time reads of objects this same process had just created (a dataset's
  schema, a target's dataset, a flow's connections), the same reads again inside ``create`` (a
  dataflow's connections, a dataset's and a mapping set's schema), and a flow spec read by id after the
  catalogue listing had already returned it. Objects this process wrote or read are now kept for the
  run and shared by check-time look-ups, the settled flow is the create's answer, and each marker
  look-up is one listing per collection and process.
- The converged ``preview`` made 28 GETs for 17 resources: every check looked its references up again.
  A check whose inputs all equal those in state now makes no look-up (they ran at that deployment).
- Profiling the program after the lazy imports showed most of its own time in ``inspect.getsource``:
  the first ``model_fields`` access filled descriptions; the base now reads fields without them.

What is left (py-spy of both processes, quiet machine): each command imports ``pulumi`` and then
``pydantic`` (about 50 ms) and ``aep_provider`` in two processes, validators are built at the first
check of each type, the example's program itself asks the Schema Registry for the tenant id, and an
``up`` waits for every new flow to settle (polled with backoff) and reads back what Catalog, Flow Service
and Data Prep answer a create with only an id (2.6 calls per created resource at 160 and 700 resources).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stack import REPO_ROOT, STACK, Emulator, copy_project, resource_operations  # noqa: E402

sys.path.insert(0, str(REPO_ROOT))
from aep_emulator.testing import spawn_emulator  # noqa: E402
from devtools.floor import record  # noqa: E402
from devtools.pulumi_cli import PulumiCLI  # noqa: E402
from stacks.demo import DEFAULT_S3_PATH, DEFAULT_STREAM, moto_server, seed_aws, stack_values  # noqa: E402

PHASES = ("up", "preview", "refresh", "destroy")
CONCURRENCY = 4  # calls the dynamic provider serves at once
IMS_PREFIX = "/ims/"

COPIES_PROGRAM = '''"""Bench program: N copies of both workflows (config bench:copies), each with its own prefix and names."""
import dataclasses
import sys
from pathlib import Path

import pulumi

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stacks"))
import workflows  # noqa: E402
from aep_provider.base import AEPResource  # noqa: E402

suffix = [""]
_original = AEPResource.__init__


def _renamed(self, resource_name, *args, **kwargs):
    _original(self, f"{resource_name}{suffix[0]}", *args, **kwargs)


AEPResource.__init__ = _renamed
config = pulumi.Config()
base = workflows.StackConfig.from_stack(config)
standard = getattr(workflows, "STANDARD_NAMESPACES", frozenset())
for copy in range(int(pulumi.Config("bench").require("copies"))):
    suffix[0] = f"-{copy}"
    changes = {"name_prefix": f"{base.name_prefix}{copy}"}
    namespace = getattr(base, "identity_namespace", None)
    if namespace and namespace not in standard:
        changes["identity_namespace"] = f"{namespace}{copy}"
    cfg = dataclasses.replace(base, **changes)
    workflows.streaming_workflow(cfg, config)
    workflows.parquet_workflow(cfg, config)
'''

FLOOR_PROGRAM = '''"""Bench floor: the recorded graph with a provider that does nothing (devtools/floor.py)."""
from pathlib import Path

from devtools.floor import deploy

deploy(Path(__file__).resolve().parent / "graph.json")
'''


@dataclasses.dataclass
class Run:
    """One CLI command of one mode."""

    seconds: float
    operations: dict[str, int]
    calls: list[dict[str, Any]]
    peak_rss_mb: float

    def count(self, method: str | None = None, ims: bool = False) -> int:
        return sum(
            row["count"]
            for row in self.calls
            if (method is None or row["method"] == method) and row["route"].startswith(IMS_PREFIX) == ims
        )


@contextmanager
def provider_peak_rss() -> Iterator[Callable[[], float]]:
    """Polls every ``pulumi.dynamic`` process's peak RSS (VmHWM) while the block runs; yields a reader (MB)."""
    peak = [0.0]
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    if b"pulumi.dynamic" not in (proc / "cmdline").read_bytes():
                        continue
                    for line in (proc / "status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]) / 1024)
                except OSError:
                    continue
            done.wait(0.05)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield lambda: peak[0]
    finally:
        done.set()
        thread.join()


def timed(emulator: Emulator, command: Callable[[], str]) -> Run:
    emulator.clear_stats()
    with provider_peak_rss() as peak:
        started = time.monotonic()
        output = command()
        seconds = time.monotonic() - started
    return Run(seconds, resource_operations(output), emulator.calls(), peak())


def phases(cli: PulumiCLI, emulator: Emulator) -> dict[str, Run]:
    return {
        "up": timed(emulator, lambda: cli.up().stdout),
        "preview": timed(emulator, lambda: cli.preview(expect_no_changes=True).stdout),
        "refresh": timed(emulator, lambda: cli.refresh(expect_no_changes=True).stdout),
        "destroy": timed(emulator, lambda: cli.destroy().stdout),
    }


def provider_bytes(deployment: dict[str, Any]) -> int:
    """The largest ``__provider`` of the state (inputs or outputs)."""
    sizes = [
        len(str(state.get(part, {}).get("__provider", "")))
        for state in deployment["deployment"].get("resources") or []
        for part in ("inputs", "outputs")
    ]
    return max(sizes, default=0)


class Bench:
    def __init__(self, work: Path, base_url: str, aws_endpoint: str) -> None:
        self.work = work
        self.emulator = Emulator(base_url)
        env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
        self.real_dir = copy_project(work / "real")
        (self.real_dir / "bench_copies").mkdir()
        (self.real_dir / "bench_copies" / "__main__.py").write_text(COPIES_PROGRAM)
        self.real = self._cli(self.real_dir, "real", env)
        self.real.stack_init()
        stack_values(self.real)
        for key in ("aep:endpoint", "aep:imsEndpoint"):
            self.real.config_set(key, base_url)
        config = stack_values(self.real)
        seed_aws(
            aws_endpoint,
            config.get("aep-provider:kinesisStream", DEFAULT_STREAM),
            config.get("aep-provider:s3Path", DEFAULT_S3_PATH),
        )  # moto keeps them: the emulator's resets leave AWS alone
        self.floor_dir = work / "floor"
        (self.floor_dir / "floor").mkdir(parents=True)
        project = yaml.safe_load((self.real_dir / "Pulumi.yaml").read_text())
        project.update(name="aep-provider-floor", main="floor/")
        (self.floor_dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        (self.floor_dir / "floor" / "__main__.py").write_text(FLOOR_PROGRAM)
        self.floor = self._cli(self.floor_dir, "floor", env)
        self.floor.stack_init()

    def _cli(self, project: Path, name: str, env: dict[str, str]) -> PulumiCLI:
        (self.work / f"backend-{name}").mkdir()
        return PulumiCLI(
            project_dir=project, stack=STACK, backend_url=(self.work / f"backend-{name}").as_uri(),
            pulumi_home=self.work / "pulumi-home", log_path=self.work / f"pulumi-{name}.log", extra_env=env,
        )  # fmt: skip

    def program(self, copies: int) -> None:
        project = yaml.safe_load((self.real_dir / "Pulumi.yaml").read_text())
        project["main"] = "bench_copies/" if copies else "stacks/"
        (self.real_dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        if copies:
            self.real.config_set("bench:copies", str(copies))

    def fresh_platform(self, latency_ms: int) -> None:
        answer = requests.post(f"{self.emulator.base_url}/__emulator/reset", timeout=30)
        answer.raise_for_status()
        if latency_ms:
            fault = {"action": "latency", "latencyMs": latency_ms}
            requests.post(f"{self.emulator.base_url}/__emulator/faults", json=fault, timeout=30).raise_for_status()

    def round(self, latency_ms: int, first: bool) -> tuple[dict[str, Run], dict[str, Run], int]:
        self.fresh_platform(latency_ms)
        real: dict[str, Run] = {"up": timed(self.emulator, lambda: self.real.up().stdout)}
        deployment = json.loads(self.real.run("stack", "export", "--show-secrets", log_stdout=False).stdout)
        if first:
            (self.floor_dir / "floor" / "graph.json").write_text(json.dumps(record(deployment)))
        for phase, command in (
            ("preview", lambda: self.real.preview(expect_no_changes=True).stdout),
            ("refresh", lambda: self.real.refresh(expect_no_changes=True).stdout),
            ("destroy", lambda: self.real.destroy().stdout),
        ):
            real[phase] = timed(self.emulator, command)
        floor = phases(self.floor, self.emulator)
        return real, floor, provider_bytes(deployment)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def scenario_rows(name: str, latency_ms: int, rounds: list[tuple[dict[str, Run], dict[str, Run], int]]) -> list[str]:
    rows = []
    created = median([r["up"].operations.get("created", 0) for r, _, _ in rounds])
    for phase in PHASES:
        real = median([r[phase].seconds for r, _, _ in rounds])
        floor = median([f[phase].seconds for _, f, _ in rounds])
        calls = median([r[phase].count() + r[phase].count(ims=True) for r, _, _ in rounds])
        if phase in ("preview", "refresh"):
            calls = median([r[phase].count("GET") + r[phase].count(ims=True) for r, _, _ in rounds])
        api = median([r[phase].count() for r, _, _ in rounds])
        per = f"{api / created:.2f}" if created else "-"
        if latency_ms:
            bound = floor + calls * latency_ms / 1000 / CONCURRENCY
            against = f"{bound:.2f} s bound, {real / bound:.2f}"
        else:
            against = f"{real / floor:.2f}"
        rows.append(f"| {name} | `{phase}` | {floor:.2f} s | {real:.2f} s | {against} | {api:.0f} ({per}) |")
    return rows


def scenario_notes(name: str, rounds: list[tuple[dict[str, Run], dict[str, Run], int]]) -> str:
    rss = max(max(r.peak_rss_mb for r in real.values()) for real, _, _ in rounds)
    floor_rss = max(max(r.peak_rss_mb for r in floor.values()) for _, floor, _ in rounds)
    provider = max(size for _, _, size in rounds)
    created = median([r["up"].operations.get("created", 0) for r, _, _ in rounds])
    return (
        f"- {name}: {created:.0f} resources; provider process peak RSS {rss:.0f} MB (floor {floor_rss:.0f} MB); "
        f"`__provider` {provider} bytes per resource"
    )


def parse_scenario(text: str) -> tuple[str, int, int]:
    """``example`` | ``copies:N`` | ``copies:N@MS`` -> (label, copies, latency ms)."""
    if text == "example":
        return "example stack", 0, 0
    copies, _, latency = text.removeprefix("copies:").partition("@")
    label = f"{copies} copies" + (f", {latency} ms latency" if latency else "")
    return label, int(copies), int(latency or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", help="example | copies:N | copies:N@MS (repeatable)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scenario (medians); default 3")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept) instead of a temporary directory")
    args = parser.parse_args()
    scenarios = args.scenario or ["example", "copies:10", "copies:10@25"]
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-floor-"))
    # Users' interpreters keep bytecode: so do both programs and providers here (cached under the work dir).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.setdefault("PYTHONPYCACHEPREFIX", str(work / "pycache"))
    rows = [
        "| scenario | phase | floor | aep-provider | ratio (or bound, ratio) | API calls (per created) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    notes = []
    try:
        with moto_server() as aws_endpoint, spawn_emulator("--aws-endpoint", aws_endpoint) as process:
            bench = Bench(work, process.base_url, aws_endpoint)
            for text in scenarios:
                label, copies, latency_ms = parse_scenario(text)
                bench.program(copies)
                results = [bench.round(latency_ms, first=(i == 0)) for i in range(args.rounds)]
                rows += scenario_rows(label, latency_ms, results)
                notes.append(scenario_notes(label, results))
                print("\n".join(rows[-len(PHASES):]), file=sys.stderr, flush=True)
        print("\n".join(rows + [""] + notes))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
