"""The ``/__emulator/`` hooks: statistics, fault injection, reset, object dump, token expiry; and the
shared error handling (unexpected exceptions, malformed bodies, unknown routes)."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from aep_emulator.core.hooks import secret_fingerprint
from aep_emulator.core.stats import NO_RESPONSE
from aep_emulator.testing import EmulatorHandle
from tests.emulator.probe import ITEMS_KIND, PROBE, SECRET_IN_BUG

ITEM_ROUTE = f"{PROBE}/items/<item_id>"


def create_item(emu: EmulatorHandle, **body: object) -> requests.Response:
    return emu.request("POST", f"{PROBE}/items", json=body)


def get_item(emu: EmulatorHandle, item_id: str) -> requests.Response:
    return emu.request("GET", f"{PROBE}/items/{item_id}")


# --- statistics ------------------------------------------------------------------------------


def test_stats_count_per_route_template_and_status(emu: EmulatorHandle) -> None:
    emu.token()  # make sure the token exists before counting
    emu.clear_stats()
    item_id = create_item(emu, name="a").json()["id"]
    assert get_item(emu, item_id).status_code == 200
    assert get_item(emu, "missing-id").status_code == 404
    assert get_item(emu, item_id).status_code == 200
    requests.get(emu.url("/no/such/path"), timeout=10)

    stats = emu.stats()
    rows = {(r["method"], r["route"], r["status"]): r["count"] for r in stats["calls"]}
    assert rows == {
        ("POST", f"{PROBE}/items", 201): 1,
        ("GET", ITEM_ROUTE, 200): 2,
        ("GET", ITEM_ROUTE, 404): 1,
        ("GET", "/no/such/path", 404): 1,
    }
    assert stats["total"] == 5


def test_ims_calls_are_counted_and_hooks_are_not(emu: EmulatorHandle) -> None:
    emu.clear_stats()
    emu.token(fresh=True)
    emu.stats()
    emu.objects()
    assert emu.stats()["calls"] == [{"method": "POST", "route": "/ims/token/v3", "status": 200, "count": 1}]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 4),
        ({"method": "get"}, 3),
        ({"method": "GET", "status": 404}, 1),
        ({"route": "/items/<item_id>"}, 3),
        ({"route": "/probe/items"}, 4),  # a substring of both templates
        ({"route": ITEM_ROUTE, "status": 200}, 2),
        ({"method": "DELETE"}, 0),
    ],
)
def test_calls_filters(emu: EmulatorHandle, query: dict, expected: int) -> None:
    emu.token()
    emu.clear_stats()
    item_id = create_item(emu).json()["id"]
    get_item(emu, item_id)
    get_item(emu, item_id)
    get_item(emu, "nope")
    assert emu.calls(**query) == expected


def test_delete_stats_clears(emu: EmulatorHandle) -> None:
    create_item(emu)
    assert emu.stats()["total"] > 0
    emu.clear_stats()
    assert emu.stats() == {"total": 0, "calls": []}


# --- faults: status, latency ------------------------------------------------------------------


def test_status_fault_answers_without_running_the_handler(emu: EmulatorHandle) -> None:
    emu.inject_fault(method="POST", route=f"{PROBE}/items", action="status", status=503, retryAfter=7, count=2)
    for _ in range(2):
        answer = create_item(emu, name="x")
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "7"
        body = answer.json()
        assert body["status"] == 503 and body["title"] == "ServiceUnavailableError"
        assert set(body) == {"type", "status", "title", "detail"}
    assert emu.objects(ITEMS_KIND) == []  # the handler never ran
    assert create_item(emu, name="x").status_code == 201  # count exhausted
    assert len(emu.objects(ITEMS_KIND)) == 1
    assert emu.calls("POST", "/items", status=503) == 2


@pytest.mark.parametrize(
    ("fault", "hit_post", "hit_get"),
    [
        ({"method": "POST"}, True, False),
        ({"method": "get"}, False, True),
        ({"route": ITEM_ROUTE}, False, True),
        ({"route": f"{PROBE}/items"}, True, False),
        ({"method": "GET", "route": f"{PROBE}/items"}, False, False),
        ({}, True, True),  # method and route default to "*"
    ],
)
def test_fault_matching_by_method_and_route_template(
    emu: EmulatorHandle, fault: dict, hit_post: bool, hit_get: bool
) -> None:
    item_id = create_item(emu).json()["id"]
    emu.inject_fault(action="status", status=502, **fault)
    assert (create_item(emu).status_code == 502) is hit_post
    assert (get_item(emu, item_id).status_code == 502) is hit_get


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_every_injectable_status(emu: EmulatorHandle, status: int) -> None:
    emu.inject_fault(action="status", status=status, count=1)
    answer = get_item(emu, "any")
    assert answer.status_code == status
    assert answer.json()["status"] == status
    assert "Retry-After" not in answer.headers


def test_status_fault_on_ims(emu: EmulatorHandle) -> None:
    emu.inject_fault(method="POST", route="/ims/token/v3", action="status", status=500, count=1)
    with pytest.raises(requests.HTTPError):
        emu.token(fresh=True)
    assert emu.token(fresh=True)


def test_rate_fault_is_deterministic_with_a_seed(emu: EmulatorHandle) -> None:
    def pattern() -> list[bool]:
        emu.clear_faults()
        emu.inject_fault(route=ITEM_ROUTE, action="status", status=503, rate=0.5, seed=42)
        return [get_item(emu, "x").status_code == 503 for _ in range(24)]

    first = pattern()
    assert first == pattern()
    assert 0 < sum(first) < len(first)  # rate 0.5 over 24 calls hits some, not all


@pytest.mark.parametrize(("rate", "expected_hits"), [(0.0, 0), (1.0, 5)])
def test_rate_bounds(emu: EmulatorHandle, rate: float, expected_hits: int) -> None:
    emu.inject_fault(route=ITEM_ROUTE, action="status", status=503, rate=rate)
    hits = sum(get_item(emu, "x").status_code == 503 for _ in range(5))
    assert hits == expected_hits


def test_latency_fault_delays_then_answers(emu: EmulatorHandle) -> None:
    item_id = create_item(emu).json()["id"]
    emu.inject_fault(method="GET", action="latency", latencyMs=250, jitterMs=100, count=1)
    started = time.monotonic()
    assert get_item(emu, item_id).status_code == 200
    slow = time.monotonic() - started
    started = time.monotonic()
    assert get_item(emu, item_id).status_code == 200
    fast = time.monotonic() - started
    assert 0.25 <= slow < 2.0
    assert fast < 0.2


def test_latency_adds_up_with_a_status_fault(emu: EmulatorHandle) -> None:
    emu.inject_fault(action="latency", latencyMs=200, count=1)
    emu.inject_fault(action="status", status=504, count=1)
    started = time.monotonic()
    assert get_item(emu, "x").status_code == 504
    assert time.monotonic() - started >= 0.2


# --- faults: connection aborts ------------------------------------------------------------------


def raw_request(emu: EmulatorHandle, method: str, path: str, body: bytes = b"") -> bytes:
    """Send one request on a plain socket and read until the server stops talking."""
    url = urlsplit(emu.base_url)
    headers = {**emu.headers(), "Host": url.netloc, "Content-Length": str(len(body)), "Connection": "close"}
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_reset_fault_aborts_with_rst_and_skips_the_handler(emu: EmulatorHandle) -> None:
    emu.inject_fault(method="POST", action="reset", count=1)
    with pytest.raises(ConnectionResetError):
        raw_request(emu, "POST", f"{PROBE}/items", b'{"name": "lost"}')
    assert emu.objects(ITEMS_KIND) == []
    assert emu.calls("POST", f"{PROBE}/items", status=NO_RESPONSE) == 1
    assert create_item(emu).status_code == 201  # count exhausted: the next call is served


def test_reset_fault_is_a_connection_error_for_requests(emu: EmulatorHandle) -> None:
    emu.inject_fault(route=ITEM_ROUTE, action="reset", count=1)
    with pytest.raises(requests.ConnectionError):
        get_item(emu, "x")
    assert get_item(emu, "x").status_code == 404


def test_drop_after_commit_runs_the_handler_but_never_answers(emu: EmulatorHandle) -> None:
    emu.inject_fault(method="POST", route=f"{PROBE}/items", action="drop_after_commit", count=1)
    with pytest.raises(requests.ConnectionError):
        create_item(emu, name="committed")
    stored = emu.objects(ITEMS_KIND)
    assert [o["object"]["name"] for o in stored] == ["committed"]  # the write took effect
    assert emu.calls("POST", f"{PROBE}/items", status=201) == 1


def test_drop_after_commit_sends_no_bytes(emu: EmulatorHandle) -> None:
    emu.inject_fault(action="drop_after_commit", count=1)
    try:
        received = raw_request(emu, "POST", f"{PROBE}/items", b"{}")
    except ConnectionResetError:
        received = b""
    assert received == b""


# --- faults: the table ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"action": "explode"},
        {"action": "status"},
        {"action": "status", "status": 418},
        {"action": "status", "status": "503"},
        {"action": "latency"},
        {"action": "latency", "latencyMs": -1},
        {"action": "reset", "latencyMs": 10},
        {"action": "reset", "retryAfter": 3},
        {"action": "status", "status": 503, "count": 0},
        {"action": "status", "status": 503, "rate": 1.5},
        {"action": "status", "status": 503, "colour": "red"},
    ],
)
def test_invalid_fault_specs_are_refused(emu: EmulatorHandle, spec: dict) -> None:
    answer = requests.post(emu.url("/__emulator/faults"), json=spec, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["title"] == "BadRequestError"
    assert emu.faults() == []


def test_malformed_fault_body_is_refused(emu: EmulatorHandle) -> None:
    answer = requests.post(emu.url("/__emulator/faults"), data=b"{not json", timeout=10)
    assert answer.status_code == 400


def test_list_and_delete_faults(emu: EmulatorHandle) -> None:
    first = emu.inject_fault(route=ITEM_ROUTE, action="status", status=503, count=3)
    second = emu.inject_fault(action="latency", latencyMs=1)
    get_item(emu, "x")
    listed = {f["id"]: f for f in emu.faults()}
    assert listed[first]["fired"] == 1 and listed[first]["remaining"] == 2
    assert listed[first]["action"] == "status" and listed[first]["status"] == 503
    assert listed[second]["remaining"] is None  # no count: until removed
    emu.remove_fault(first)
    assert [f["id"] for f in emu.faults()] == [second]
    assert requests.delete(emu.url(f"/__emulator/faults/{first}"), timeout=10).status_code == 404
    emu.clear_faults()
    assert emu.faults() == []


def test_faults_hit_only_aep_and_ims_paths(emu: EmulatorHandle) -> None:
    emu.inject_fault(action="status", status=500)
    emu.inject_fault(action="reset")
    assert emu.stats()["total"] == 0  # the hooks themselves still answer
    assert len(emu.faults()) == 2
    assert requests.get(emu.url("/not-a-platform-path"), timeout=10).status_code == 404
    assert all(f["fired"] == 0 for f in emu.faults())


# --- reset, objects, tokens ---------------------------------------------------------------------


def test_reset_forgets_objects_stats_and_faults_but_keeps_tokens(emu: EmulatorHandle) -> None:
    token = emu.token()
    create_item(emu, name="gone")
    emu.inject_fault(action="status", status=503, route="/nowhere")
    emu.reset()
    assert emu.objects(ITEMS_KIND) == []
    assert emu.stats()["total"] == 0
    assert emu.faults() == []
    assert [o["id"] for o in emu.objects("ims.tokens")].count(secret_fingerprint(token)) == 1  # never the token
    assert create_item(emu).status_code == 201  # the same token still passes the gateway


def test_objects_dump_has_keys_and_filters_by_kind(emu: EmulatorHandle) -> None:
    item_id = create_item(emu, name="dumped").json()["id"]
    requests.post(emu.url(f"{PROBE}/items"), json={"name": "dev"}, headers=emu.headers(sandbox="dev"), timeout=10)
    items = emu.objects(ITEMS_KIND)
    assert {(o["org"], o["sandbox"]) for o in items} == {(emu.config.org_id, "prod"), (emu.config.org_id, "dev")}
    prod = next(o for o in items if o["sandbox"] == "prod")
    assert prod == {
        "org": emu.config.org_id,
        "sandbox": "prod",
        "kind": ITEMS_KIND,
        "id": item_id,
        "object": {"id": item_id, "name": "dumped"},
    }
    assert {o["kind"] for o in emu.objects()} >= {ITEMS_KIND, "ims.tokens"}


def test_expire_tokens_makes_the_next_call_401013(emu: EmulatorHandle) -> None:
    stale = emu.headers()
    assert emu.expire_tokens() >= 1
    answer = requests.get(emu.url(f"{PROBE}/items/x"), headers=stale, timeout=10)
    assert answer.status_code == 401
    assert answer.json() == {"error_code": "401013", "message": "Oauth token is not valid"}
    assert get_item(emu, "x").status_code == 404  # the handle fetched a fresh token


# --- error handling -----------------------------------------------------------------------------


def test_unexpected_exception_is_a_500_envelope_without_traceback(emu: EmulatorHandle) -> None:
    answer = requests.get(emu.url(f"{PROBE}/boom"), headers=emu.headers(**{"x-request-id": "req-123"}), timeout=10)
    assert answer.status_code == 500
    body = answer.json()
    assert body["type"] == "/placeholder/type/uri"
    assert body["status"] == 500 and body["title"] == "InternalServerError"
    assert "req-123" in body["detail"]
    assert answer.headers["x-request-id"] == "req-123"
    assert SECRET_IN_BUG not in answer.text and "Traceback" not in answer.text
    assert emu.calls("GET", "/boom", status=500) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b'{"a": NaN}', "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"text"', "must be a JSON object"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_json_body_refuses_bad_bodies_with_the_service_400(emu: EmulatorHandle, body: bytes, reason: str) -> None:
    answer = requests.post(emu.url(f"{PROBE}/items"), data=body, headers=emu.headers(), timeout=10)
    assert answer.status_code == 400
    assert answer.json()["title"] == "BadRequestError"
    assert reason in answer.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/data/foundation/probe/nothing-here", 404),
        ("DELETE", f"{PROBE}/items", 405),
        ("GET", "/not-aep-at-all", 404),
    ],
)
def test_unknown_routes_answer_json(emu: EmulatorHandle, method: str, path: str, status: int) -> None:
    answer = requests.request(method, emu.url(path), headers=emu.headers(), timeout=10)
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["status"] == status


def test_aep_answers_carry_a_request_id(emu: EmulatorHandle) -> None:
    assert get_item(emu, "x").headers.get("x-request-id")
    echoed = requests.get(emu.url(f"{PROBE}/items/x"), headers=emu.headers(**{"x-request-id": "abc"}), timeout=10)
    assert echoed.headers["x-request-id"] == "abc"


@pytest.mark.parametrize(
    ("fault", "method", "path", "authenticated", "status"),
    [
        (None, "GET", f"{PROBE}/items/x", True, 404),  # a service answer
        (None, "GET", f"{PROBE}/items/x", False, 403),  # a gateway refusal (no token)
        ({"action": "status", "status": 429, "retryAfter": 1}, "GET", f"{PROBE}/items/x", True, 429),
        ({"action": "status", "status": 503}, "GET", f"{PROBE}/items/x", False, 503),  # fault before the gateway
        ({"action": "status", "status": 500}, "POST", "/ims/token/v3", False, 500),
        (None, "GET", "/data/foundation/probe/nothing-here", True, 404),  # unknown AEP route
        (None, "GET", "/not-aep-at-all", False, 404),  # unknown route outside AEP
        (None, "DELETE", f"{PROBE}/items", True, 405),
        (None, "GET", "/__emulator/faults", False, 200),
    ],
    ids=["service", "gateway", "fault-429", "fault-503", "ims-fault", "unknown-aep", "unknown", "405", "hook"],
)
def test_every_answer_carries_a_request_id(
    emu: EmulatorHandle, fault: dict | None, method: str, path: str, authenticated: bool, status: int
) -> None:
    """Whoever answers (service, gateway, injected fault, router), the answer has ``x-request-id``:
    a new id, or the caller's own when it sent one."""
    if fault is not None:
        emu.inject_fault(method=method, route=path, count=2, **{k: v for k, v in fault.items() if k != "retryAfter"},
                         **({"retry_after": fault["retryAfter"]} if "retryAfter" in fault else {}))
    headers = emu.headers() if authenticated else {}
    fresh = requests.request(method, emu.url(path), headers=headers, timeout=10)
    echoed = requests.request(method, emu.url(path), headers={**headers, "x-request-id": "caller-id-1"}, timeout=10)
    assert (fresh.status_code, echoed.status_code) == (status, status), fresh.text
    assert fresh.headers.get("x-request-id") and fresh.headers["x-request-id"] != "caller-id-1"
    assert echoed.headers.get("x-request-id") == "caller-id-1"
