"""The benchmark script's reading of wrk output (the figures in the README come from it)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_emulator.py"
_spec = importlib.util.spec_from_file_location("bench_emulator", SCRIPT)
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["bench_emulator"] = bench  # dataclasses look their module up there
_spec.loader.exec_module(bench)

WRK_OK = """Running 4s test @ http://127.0.0.1:41365/data/foundation/catalog/dataSets/6b04
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.84ms    1.11ms  15.82ms   72.31%
    Req/Sec   652.11     40.12   730.00     70.00%
  Latency Distribution
     50%    2.65ms
     75%    3.20ms
     90%    4.01ms
     99%  812.00us
  5220 requests in 4.00s, 1.02MB read
Requests/sec:   1304.97
Transfer/sec:    261.10KB
"""

WRK_ERRORS = """Running 1s test @ http://127.0.0.1:1/x
  1 threads and 1 connections
  Latency Distribution
     50%  619.00us
     99%    1.50s
  1609 requests in 1.00m, 304.83KB read
  Socket errors: connect 0, read 2, write 1, timeout 3
  Non-2xx or 3xx responses: 1609
Requests/sec:   1607.34
"""


@pytest.mark.parametrize(
    ("output", "requests", "seconds", "errors", "p50_ms", "p99_ms"),
    [
        (WRK_OK, 5220, 4.0, 0, 2.65, 0.812),
        (WRK_ERRORS, 1609, 60.0, 1609 + 6, 0.619, 1500.0),
    ],
    ids=["clean", "errors-and-units"],
)
def test_parse_wrk(output: str, requests: int, seconds: float, errors: int, p50_ms: float, p99_ms: float) -> None:
    result = bench.parse_wrk("GET x", output)
    assert (result.requests, result.seconds, result.errors) == (requests, seconds, errors)
    assert math.isclose(result.p50_ms, p50_ms) and math.isclose(result.p99_ms, p99_ms)


def test_unexpected_wrk_output_is_an_error_not_a_zero() -> None:
    with pytest.raises(RuntimeError, match="unexpected wrk output"):
        bench.parse_wrk("GET x", "wrk: unable to connect")


def test_wrk_script_keeps_host_and_sets_method_body_headers() -> None:
    scenario = bench.Scenario("POST x", "POST", "/p", {"x-api-key": "k"}, lambda: b'{"a": 1}')
    script = bench._wrk_script(scenario)
    assert "wrk.headers = " not in script  # replacing the table would drop Host
    assert 'wrk.headers[ [==[x-api-key]==] ] = [==[k]==]' in script
    assert 'wrk.body = [==[{"a": 1}]==]' in script
    assert "wrk.method = [==[POST]==]" in script
