"""How long ``aep-provider export`` takes on a large sandbox of the emulator (the goal: 500 objects in 10 s).

    .venv/bin/python scripts/bench_export.py [--objects 500] [--runs 3]

Starts an in-process emulator on 127.0.0.1, fills sandbox ``dev`` through AEP's raw API with copies of
both seed workflows (``tests/export/seed.py``, 20 objects each, under distinct prefixes) until it holds at
least ``--objects`` objects, then exports it ``--runs`` times (reading, translating, wiring, rendering and
formatting with black, writing the files) and prints the time of each step and the total. Nothing is
timed by a test: run it when the exporter or the emulator changes. Traffic stays on the loopback address;
the loops are bounded by ``--objects`` and ``--runs``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from aep_emulator.testing import running_emulator  # noqa: E402
from aep_provider.client import AEPClient  # noqa: E402
from aep_provider.export import build_program, write_program  # noqa: E402
from aep_provider.export.reader import read_inventory  # noqa: E402
from aep_provider.settings import Settings  # noqa: E402
from tests.export.seed import seed_workflows  # noqa: E402

GOAL_SECONDS = 10.0
SANDBOX = "dev"


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--objects", type=int, default=500, help="objects in the sandbox, at least (default 500)")
    options.add_argument("--runs", type=int, default=3, help="exports to time (default 3)")
    args = options.parse_args()
    with running_emulator() as emulator:
        started = time.perf_counter()
        objects, copies = 0, 0
        while objects < args.objects:
            made = seed_workflows(emulator, SANDBOX, prefix=f"Copy {copies:03d}")
            objects += sum(len(ids) for ids in made.values())
            copies += 1
        print(f"seeded {objects} objects ({copies} copies of both workflows) in {time.perf_counter() - started:.1f}s")
        cfg = emulator.config
        client = AEPClient(Settings(endpoint=emulator.base_url, ims_endpoint=emulator.base_url,
                                    client_id=cfg.client_id, client_secret=cfg.client_secret, org_id=cfg.org_id))
        totals = []
        for run in range(1, args.runs + 1):
            with tempfile.TemporaryDirectory() as out:
                t0 = time.perf_counter()
                inventory = read_inventory(client, SANDBOX)
                t1 = time.perf_counter()
                program = build_program(inventory)
                t2 = time.perf_counter()
                write_program(program, Path(out), "bench", SANDBOX)
                t3 = time.perf_counter()
            totals.append(t3 - t0)
            print(f"run {run}: read {inventory.object_count()} objects {t1 - t0:.2f}s, program of "
                  f"{len(program.resources)} resources {t2 - t1:.2f}s, write {t3 - t2:.2f}s, total {t3 - t0:.2f}s")
        best = min(totals)
        verdict = "within" if best <= GOAL_SECONDS else "OVER"
        print(f"best {best:.2f}s for {objects} objects: {verdict} the {GOAL_SECONDS:.0f}s goal")
        return 0 if best <= GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
