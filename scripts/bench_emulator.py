"""Throughput and latency of the emulator, served by its CLI, under concurrent keep-alive clients.

    .venv/bin/python scripts/bench_emulator.py [--requests 4000] [--clients 8] [--storage memory,disk]
    .venv/bin/python scripts/bench_emulator.py --wrk [--connections 1,4,8] [--seconds 5]

For each storage mode (in memory, and SQLite under a temporary ``--data`` directory) it starts
``python -m aep_emulator --port 0``, prepares what the scenarios need, then sends a fixed number of
requests per scenario from ``--clients`` threads, each on its own keep-alive connection, and prints
requests/s, p50/p99 latency and the emulator's CPU time per request.

Python clients share the two cores and the figures with the server (each costs about as much CPU per
request as the emulator does). ``--wrk`` drives the same scenarios with wrk (a C load generator, Debian
package ``wrk``) instead, for ``--seconds`` per scenario and connection count, which measures the
emulator rather than its clients. Scenarios:

- ``GET`` the cheapest real read available: a Catalog dataset by id, else the Flow Service
  connection-spec list, else the Schema Registry stats, else an authenticated 404 (gateway only);
- ``POST`` an IMS token (always a real write);
- ``POST`` a Catalog dataset, when a tenant schema can be created.

Traffic goes to 127.0.0.1 only; the loops are bounded by ``--requests``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from aep_emulator.core.context import EmulatorConfig  # noqa: E402
from aep_emulator.testing import aep_headers, fetch_token, spawn_emulator  # noqa: E402

CONFIG = EmulatorConfig()
FOUNDATION = "/data/foundation"


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    headers: dict[str, str]
    body: Callable[[], bytes] | None = None
    ok: tuple[int, ...] = (200,)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux), to report a cost that other load does not skew."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    scenario: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    server_cpu: float | None = None  # seconds the emulator process spent on the CPU

    @classmethod
    def from_latencies(cls, scenario: str, errors: int, seconds: float, latencies: list[float]) -> "Result":
        ordered = sorted(latencies)
        p50 = statistics.median(ordered) * 1000 if ordered else float("nan")
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else float("nan")
        return cls(scenario, len(ordered), errors, seconds, p50, p99)

    def line(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        cost = f"{self.server_cpu / self.requests * 1e6:5.0f} us" if self.server_cpu and self.requests else "  n/a"
        return (
            f"  {self.scenario:<40} {rate:>6.0f} req/s  p50 {self.p50_ms:6.2f} ms  p99 {self.p99_ms:6.2f} ms"
            f"  server CPU/request {cost}  ({self.requests} requests, {self.errors} errors)"
        )


class Client:
    """One keep-alive connection, reopened if the server closes it."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._conn = http.client.HTTPConnection(self._host, self._port, timeout=30)

    def call(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self._conn.request(method, path, body=body, headers=headers)
                answer = self._conn.getresponse()
                return answer.status, answer.read()
            except (http.client.HTTPException, ConnectionError):
                self._conn.close()
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._conn.close()


def run(base_url: str, scenario: Scenario, total: int, clients: int) -> Result:
    share = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)

    def worker(index: int) -> None:
        client = Client(base_url)
        client.call(scenario.method, scenario.path, scenario.headers, scenario.body() if scenario.body else None)
        start.wait()
        for _ in range(share[index]):
            body = scenario.body() if scenario.body else None
            began = time.perf_counter()
            try:
                status, _ = client.call(scenario.method, scenario.path, scenario.headers, body)
            except OSError:
                status = -1
            latencies[index].append(time.perf_counter() - began)
            if status not in scenario.ok:
                errors[index] += 1
        client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return Result.from_latencies(scenario.name, sum(errors), elapsed, [x for part in latencies for x in part])


_WRK_SCRIPT = """
wrk.method = {method}
{body}
{headers}
"""  # wrk.headers already holds Host: add to it, do not replace it


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _wrk_script(scenario: Scenario) -> str:
    body = f"wrk.body = {_lua_string(scenario.body().decode())}" if scenario.body else ""
    headers = "\n".join(f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in scenario.headers.items())
    return _WRK_SCRIPT.format(method=_lua_string(scenario.method), body=body, headers=headers)


_WRK_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_WRK_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(scenario: str, output: str) -> Result:
    """Requests, errors and p50/p99 from ``wrk --latency`` output."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    if not done:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    seconds = float(done.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    percentiles = {int(p): float(v) * _WRK_UNIT_MS[unit] for p, v, unit in _WRK_LATENCY.findall(output)}
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    failed = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if failed:
        errors += sum(int(n) for n in failed.groups())
    nan = float("nan")
    return Result(scenario, int(done.group(1)), errors, seconds, percentiles.get(50, nan), percentiles.get(99, nan))


def run_wrk(base_url: str, scenario: Scenario, connections: int, seconds: int) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_wrk_script(scenario))
    try:
        command = [
            "wrk", "--latency", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
            "-s", script.name, base_url + scenario.path,
        ]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    finally:
        os.unlink(script.name)
    return parse_wrk(f"{scenario.name} [{connections} conn]", output)


def _json_call(
    base_url: str, method: str, path: str, headers: dict[str, str], body: object = None
) -> tuple[int, object]:
    client = Client(base_url)
    try:
        data = json.dumps(body).encode() if body is not None else None
        status, raw = client.call(method, path, headers, data)
    finally:
        client.close()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw


def create_schema(base_url: str, headers: dict[str, str]) -> str | None:
    """A tenant profile schema for the dataset scenarios, or None when the registry cannot make one."""
    body = {
        "type": "object",
        "title": f"Bench profile {uuid.uuid4().hex[:8]}",
        "description": "Schema for the emulator benchmark",
        "allOf": [{"$ref": "https://ns.adobe.com/xdm/context/profile"}],
    }
    status, answer = _json_call(
        base_url,
        "POST",
        f"{FOUNDATION}/schemaregistry/tenant/schemas",
        {**headers, "Accept": "application/vnd.adobe.xed+json"},
        body,
    )
    if status == 201 and isinstance(answer, dict):
        return answer.get("$id")
    return None


def dataset_body(schema_id: str) -> Callable[[], bytes]:
    def body() -> bytes:
        return json.dumps(
            {
                "name": f"bench {uuid.uuid4().hex[:12]}",
                "schemaRef": {"id": schema_id, "contentType": "application/vnd.adobe.xed-full+json;version=1"},
            }
        ).encode()

    return body


def plan(base_url: str) -> list[Scenario]:
    headers = aep_headers(CONFIG, fetch_token(base_url, CONFIG))
    scenarios: list[Scenario] = []
    schema_id = create_schema(base_url, headers)
    dataset_id = None
    if schema_id:
        status, answer = _json_call(
            base_url, "POST", f"{FOUNDATION}/catalog/dataSets", headers, json.loads(dataset_body(schema_id)())
        )
        if status == 201 and isinstance(answer, list) and answer:
            dataset_id = str(answer[0]).rsplit("/", 1)[-1]
    reads = [f"{FOUNDATION}/flowservice/connectionSpecs", f"{FOUNDATION}/schemaregistry/stats"]
    if dataset_id:
        reads.insert(0, f"{FOUNDATION}/catalog/dataSets/{dataset_id}")
    read_headers = {**headers, "Accept": "application/vnd.adobe.xed+json"}
    for path in reads:
        if _json_call(base_url, "GET", path, read_headers)[0] == 200:
            scenarios.append(Scenario(f"GET {path.split('/', 3)[3][:36]}", "GET", path, read_headers))
            break
    else:
        path = f"{FOUNDATION}/catalog/bench-no-such-path"
        scenarios.append(Scenario("GET authenticated 404 (gateway only)", "GET", path, headers, ok=(404,)))
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": CONFIG.client_id, "client_secret": CONFIG.client_secret}
    ).encode()
    scenarios.append(
        Scenario(
            "POST /ims/token/v3",
            "POST",
            "/ims/token/v3",
            {"Content-Type": "application/x-www-form-urlencoded"},
            lambda: form,
        )
    )
    if dataset_id and schema_id:
        scenarios.append(
            Scenario(
                "POST catalog/dataSets",
                "POST",
                f"{FOUNDATION}/catalog/dataSets",
                headers,
                dataset_body(schema_id),
                (201,),
            )
        )
    else:
        print("  (dataset scenarios skipped: the Schema Registry or Catalog cannot create them yet)")
    return scenarios


def measured(pid: int, load: Callable[..., Result], *args: object) -> Result:
    """Run one load and attach the CPU time the emulator spent meanwhile."""
    cpu_before = cpu_seconds(pid)
    result = load(*args)
    cpu_after = cpu_seconds(pid)
    if cpu_before is not None and cpu_after is not None:
        result.server_cpu = cpu_after - cpu_before
    print(result.line(), flush=True)
    return result


def bench(storage: str, args: argparse.Namespace) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="aep-bench-") as data_dir:
        server_args = ["--data", data_dir] if storage == "disk" else []
        if args.server_threads:
            server_args += ["--threads", str(args.server_threads)]
        with spawn_emulator(*server_args) as process:
            url, pid = process.base_url, process.process.pid
            if args.wrk:
                print(f"\nstorage={storage}  server={url}  wrk connections={args.connections}  {args.seconds} s each")
            else:
                print(f"\nstorage={storage}  server={url}  clients={args.clients}  requests/scenario={args.requests}")
            results = []
            for scenario in plan(url):
                if args.wrk:
                    for connections in args.connections:
                        results.append(measured(pid, run_wrk, url, scenario, connections, args.seconds))
                else:
                    results.append(measured(pid, run, url, scenario, args.requests, args.clients))
            process.terminate()
    return results


def connection_counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or any(not 1 <= n <= 256 for n in counts):
        raise argparse.ArgumentTypeError("--connections takes a comma-separated list of 1..256")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests per scenario (bounded)")
    parser.add_argument("--clients", type=int, default=8, help="client threads, one keep-alive connection each")
    parser.add_argument("--storage", default="memory,disk", help="memory, disk or both (comma-separated)")
    parser.add_argument("--server-threads", type=int, help="emulator worker threads (default: the CLI's)")
    parser.add_argument("--wrk", action="store_true", help="load with wrk instead of Python clients")
    parser.add_argument("--connections", type=connection_counts, default=[1, 4, 8], help="wrk connections, e.g. 1,4,8")
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per scenario and connection count")
    args = parser.parse_args()
    if not 1 <= args.requests <= 200_000 or not 1 <= args.clients <= 64:
        parser.error("--requests must be 1..200000 and --clients 1..64")
    if not 1 <= args.seconds <= 300:
        parser.error("--seconds must be 1..300")
    if args.wrk and not shutil.which("wrk"):
        parser.error("--wrk needs wrk on PATH (Debian: apt-get install wrk)")
    failed = False
    for storage in [s.strip() for s in args.storage.split(",") if s.strip()]:
        for result in bench(storage, args):
            failed |= result.errors > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
