"""The serving layer: keep-alive connections, concurrent workers, a clean stop."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from aep_emulator.server import EmulatorServer
from aep_emulator.testing import EmulatorHandle, running_emulator


def test_keep_alive_serves_many_requests_on_one_connection(emulator: EmulatorHandle) -> None:
    url = urlsplit(emulator.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = emulator.headers()
    try:
        for _ in range(3):
            connection.request("GET", "/data/foundation/catalog/dataSets", headers=headers)
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
            assert answer.getheader("Connection", "").lower() != "close"
        first_socket = connection.sock
        connection.request("GET", "/data/foundation/catalog/dataSets", headers=headers)
        connection.getresponse().read()
        assert connection.sock is first_socket  # not reconnected
    finally:
        connection.close()


def test_a_slow_call_does_not_hold_up_the_others(emulator: EmulatorHandle) -> None:
    emulator.inject_fault(method="POST", route="/ims/token/v3", action="latency", latencyMs=1500, count=4)
    with ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(emulator.token, True) for _ in range(4)]
        time.sleep(0.2)  # the four slow calls are parked in workers
        started = time.monotonic()
        answer = requests.get(emulator.url("/data/foundation/catalog/dataSets"), headers=emulator.headers(), timeout=10)
        assert answer.status_code == 200
        assert time.monotonic() - started < 1.0
        assert all(future.result() for future in slow)


def test_stop_releases_the_port_and_the_store() -> None:
    with running_emulator() as emu:
        port = urlsplit(emu.base_url).port
        emu.token()
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))  # free again
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/__emulator/stats", timeout=2)


def test_a_server_that_never_started_can_be_stopped() -> None:
    server = EmulatorServer()
    server.stop()
    server.stop()  # idempotent


def test_many_keep_alive_connections_stay_open(emulator: EmulatorHandle) -> None:
    # Pulumi runs up to 10 operations at once per provider process, each with its own pool.
    url = urlsplit(emulator.base_url)
    headers = emulator.headers()
    connections = [http.client.HTTPConnection(url.hostname, url.port, timeout=10) for _ in range(24)]
    try:
        for round_ in range(2):
            for connection in connections:
                connection.request("GET", "/data/foundation/catalog/dataSets", headers=headers)
                answer = connection.getresponse()
                answer.read()
                assert answer.status == 200
                assert answer.getheader("Connection", "").lower() != "close", f"closed in round {round_}"
    finally:
        for connection in connections:
            connection.close()


def test_an_encoded_slash_reaches_the_route_decoded(emulator: EmulatorHandle) -> None:
    # The Schema Registry takes a URL-encoded $id as one path segment, as on the platform.
    profile = "https%3A%2F%2Fns.adobe.com%2Fxdm%2Fcontext%2Fprofile"
    answer = requests.get(
        emulator.url(f"/data/foundation/schemaregistry/global/classes/{profile}"),
        headers=emulator.headers(Accept="application/vnd.adobe.xed+json;version=1"),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["$id"] == "https://ns.adobe.com/xdm/context/profile"


def test_a_raw_answer_has_one_date_a_server_and_its_whole_body(emulator: EmulatorHandle) -> None:
    # The head is written with the body (one send) and the Date header is cached per second:
    # neither may lose or duplicate anything a client reads off the socket.
    url = urlsplit(emulator.base_url)
    headers = "".join(f"{k}: {v}\r\n" for k, v in emulator.headers().items())
    request = f"GET /data/foundation/catalog/dataSets HTTP/1.1\r\nHost: {url.netloc}\r\n{headers}\r\n".encode()
    with socket.create_connection((url.hostname, url.port), timeout=10) as raw:
        raw.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.endswith(b"\n"):
            chunk = raw.recv(65536)
            assert chunk, f"connection closed after {answer!r}"
            answer += chunk
    head, body = answer.split(b"\r\n\r\n", 1)
    status, *lines = head.decode().split("\r\n")
    names = [line.split(":", 1)[0].lower() for line in lines]
    assert status.startswith("HTTP/1.1 200 ")
    assert names.count("date") == 1 and names.count("server") == 1
    assert body == b"{}\n"


def test_a_process_that_never_stops_its_emulator_still_exits() -> None:
    # Workers are daemon threads: an interrupted test run must not hang on them at interpreter exit.
    program = "from aep_emulator.server import EmulatorServer; EmulatorServer().start()"
    finished = subprocess.run([sys.executable, "-c", program], timeout=30, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
