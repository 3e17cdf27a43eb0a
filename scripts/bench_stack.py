"""Deploy the example stack (``stacks/``, ``local`` config) to a fresh emulator and measure the engine.

    .venv/bin/python scripts/bench_stack.py [--keep DIR]

What it does, all on 127.0.0.1 and in a temporary directory (the repository's ``.state`` and
``Pulumi.local.yaml`` are never touched):

1. a moto server plays AWS (the Kinesis stream and the parquet bucket of the local config, as
   ``./dev demo`` seeds them) and a fresh in-memory emulator (``python -m aep_emulator --port 0``)
   checks connections against it;
2. a copy of the project (``Pulumi.yaml``, ``Pulumi.local.yaml``, ``stacks/``) gets a temporary file
   backend and the emulator's URL as ``aep:endpoint``;
3. the phases run through the real CLI: preview from empty, up, the converged preview, refresh, an
   in-place update (schedule interval and a rotated Kinesis secret), destroy.

For each phase it prints the wall time, the resource operations the engine reported and the API calls the
emulator counted (its ``/__emulator/stats``; IMS token requests shown apart), with calls per resource
operation; then the calls of the create phase per route.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from aep_emulator.testing import spawn_emulator  # noqa: E402
from devtools.pulumi_cli import PulumiCLI  # noqa: E402
from stacks.demo import DEFAULT_S3_PATH, DEFAULT_STREAM, moto_server, seed_aws, stack_values  # noqa: E402

STACK = "local"
PROJECT_FILES = ("Pulumi.yaml", f"Pulumi.{STACK}.yaml")
IMS_PREFIX = "/ims/"
# "+ 17 created", "~ 2 updated", "- 17 deleted", "+-3 replaced", "17 unchanged", "+ 17 to create"
OPERATION = re.compile(
    r"^\s*[-+~]*\s*(\d+) (to create|to update|to delete|to replace|created|updated|deleted|replaced)\s*$"
)


@dataclass
class Phase:
    """One CLI run: how long it took, what the engine did, which calls the emulator answered."""

    name: str
    seconds: float
    operations: dict[str, int]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def api_calls(self) -> Counter[str]:
        """Calls to the platform by method (IMS token requests left out)."""
        counts: Counter[str] = Counter()
        for row in self.calls:
            if not row["route"].startswith(IMS_PREFIX):
                counts[row["method"]] += row["count"]
        return counts

    def token_calls(self) -> int:
        return sum(row["count"] for row in self.calls if row["route"].startswith(IMS_PREFIX))


def resource_operations(output: str) -> dict[str, int]:
    """The engine's summary ("Resources:" block) as operation -> count."""
    found: dict[str, int] = {}
    for line in output.splitlines():
        match = OPERATION.match(line)
        if match:
            operation = match.group(2).removeprefix("to ")
            found[operation] = found.get(operation, 0) + int(match.group(1))
    return found


def copy_project(destination: Path) -> Path:
    """The stack program and its local config, with the venv made absolute (the copy lives elsewhere)."""
    destination.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy2(REPO_ROOT / name, destination / name)
    shutil.copytree(REPO_ROOT / "stacks", destination / "stacks", ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    project = yaml.safe_load((destination / "Pulumi.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = str(REPO_ROOT / ".venv")
    (destination / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    return destination


class Emulator:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _hook(self, method: str, path: str) -> Any:
        answer = requests.request(method, f"{self.base_url}/__emulator{path}", timeout=30)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def clear_stats(self) -> None:
        self._hook("DELETE", "/stats")

    def calls(self) -> list[dict[str, Any]]:
        return self._hook("GET", "/stats")["calls"]


def measure(name: str, emulator: Emulator, run: Callable[[], str]) -> Phase:
    emulator.clear_stats()
    started = time.monotonic()
    output = run()
    phase = Phase(name, time.monotonic() - started, resource_operations(output))
    phase.calls = emulator.calls()
    return phase


def run_phases(cli: PulumiCLI, emulator: Emulator) -> list[Phase]:
    phases = [
        measure("preview (empty stack)", emulator, lambda: cli.preview().stdout),
        measure("up (create)", emulator, lambda: cli.up().stdout),
        measure("preview (converged)", emulator, lambda: cli.preview(expect_no_changes=True).stdout),
        measure("refresh", emulator, lambda: cli.refresh(expect_no_changes=True).stdout),
    ]
    cli.config_set("aep-provider:scheduleInterval", "30")
    cli.config_set("aep-provider:kinesisSecretKey", "bench-rotated-kinesis-secret", secret=True)
    phases.append(measure("up (2 in-place updates)", emulator, lambda: cli.up().stdout))
    phases.append(measure("destroy", emulator, lambda: cli.destroy().stdout))
    return phases


ROW = "{:<26}{:>8}  {:<26}{:>10}{:>8}  {}"


def report(phases: list[Phase]) -> str:
    header = ROW.format("phase", "wall s", "resource operations", "API calls", "per op", "by method (+ IMS tokens)")
    lines = [header, "-" * len(header)]
    for phase in phases:
        api = phase.api_calls()
        total = sum(api.values())
        done = sum(phase.operations.values())
        operations = ", ".join(f"{count} {op}" for op, count in sorted(phase.operations.items())) or "none"
        per_op = f"{total / done:.1f}" if done else "-"
        methods = " ".join(f"{method} {count}" for method, count in sorted(api.items())) or "-"
        tokens = f"(+{phase.token_calls()})"
        lines.append(ROW.format(phase.name, f"{phase.seconds:.1f}", operations, total, per_op, f"{methods} {tokens}"))
    create = next(p for p in phases if p.name.startswith("up (create"))
    lines += ["", "calls during 'up (create)' by route:"]
    for row in sorted(create.calls, key=lambda r: (-r["count"], r["route"], r["method"])):
        lines.append(f"  {row['count']:>4}  {row['method']:<6} {row['status']}  {row['route']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept afterwards) instead of a temporary directory")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-stack-"))
    try:
        project = copy_project(work / "project")
        cli = PulumiCLI(
            project_dir=project,
            stack=STACK,
            backend_url=(work / "backend").as_uri(),
            pulumi_home=work / "pulumi-home",
            log_path=work / "pulumi-cli.log",
        )
        (work / "backend").mkdir()
        cli.stack_init()
        config = stack_values(cli)
        with moto_server() as aws_endpoint:
            seed_aws(
                aws_endpoint,
                config.get("aep-provider:kinesisStream", DEFAULT_STREAM),
                config.get("aep-provider:s3Path", DEFAULT_S3_PATH),
            )
            with spawn_emulator("--aws-endpoint", aws_endpoint) as process:
                cli.config_set("aep:endpoint", process.base_url)
                cli.config_set("aep:imsEndpoint", process.base_url)
                phases = run_phases(cli, Emulator(process.base_url))
        print(report(phases))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
