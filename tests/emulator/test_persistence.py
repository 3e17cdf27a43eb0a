"""``--data DIR``: every acknowledged write survives ``kill -9`` and clean restarts.

The CLI runs as a child process (``spawn_emulator``) so it can really be killed. Writes are real
write paths (IMS token issuance, Catalog dataset creation), sent in a burst from a thread pool; the
process is killed while the burst is still running, then restarted on the same directory.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.core.hooks import secret_fingerprint
from aep_emulator.testing import EmulatorProcess, aep_headers, fetch_token, spawn_emulator

CONFIG = EmulatorConfig()
WRITERS = 8
WRITES_PER_WRITER = 250  # the burst is far from done when the kill comes
KILL_AFTER_ACKS = 120
DB_FILE = "aep-emulator.sqlite3"
CATALOG = "/data/foundation/catalog"


def token_form() -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": CONFIG.client_id, "client_secret": CONFIG.client_secret}


def dump(base_url: str, kind: str) -> list[dict]:
    answer = requests.get(f"{base_url}/__emulator/objects", params={"kind": kind}, timeout=10)
    answer.raise_for_status()
    return answer.json()["objects"]


@dataclass
class Burst:
    """Concurrent writes; ``acknowledged`` holds what the server answered 2xx for."""

    write: Callable[[requests.Session], str]
    acknowledged: list[str] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _writer(self) -> None:
        with requests.Session() as session:
            for _ in range(WRITES_PER_WRITER):
                try:
                    object_id = self.write(session)
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                    with self._lock:  # the server died under us; any other error fails the test
                        self.failures.append(exc)
                    return
                with self._lock:
                    self.acknowledged.append(object_id)

    def run_and_kill(self, process: EmulatorProcess) -> None:
        with ThreadPoolExecutor(WRITERS) as pool:
            writers = [pool.submit(self._writer) for _ in range(WRITERS)]
            deadline = time.monotonic() + 60
            while len(self.acknowledged) < KILL_AFTER_ACKS and time.monotonic() < deadline:
                time.sleep(0.005)
            process.kill()
        for writer in writers:
            writer.result()  # re-raises an unexpected error answer (a 4xx/5xx is not a crash)


def issue_token(base_url: str) -> Callable[[requests.Session], str]:
    def write(session: requests.Session) -> str:
        answer = session.post(f"{base_url}/ims/token/v3", data=token_form(), timeout=10)
        answer.raise_for_status()
        return answer.json()["access_token"]

    return write


def verify_tokens(base_url: str, acknowledged: list[str]) -> None:
    stored = {o["id"]: o["object"] for o in dump(base_url, "ims.tokens")}  # tokens shown as fingerprints
    missing = {secret_fingerprint(token) for token in acknowledged} - set(stored)
    assert not missing, f"{len(missing)} acknowledged tokens lost"
    now = time.time()
    for token, record in stored.items():
        assert record == {"token": token, "expiresAt": record["expiresAt"]}
        assert record["expiresAt"] > now
    for token in acknowledged[:: max(1, len(acknowledged) // 10)]:
        answer = requests.get(f"{base_url}{CATALOG}/dataSets", headers=aep_headers(CONFIG, token), timeout=10)
        assert answer.status_code != 401, answer.text  # the gateway still knows the token


def create_datasets(base_url: str) -> Callable[[requests.Session], str]:
    headers = aep_headers(CONFIG, fetch_token(base_url, CONFIG))
    schema = requests.post(
        f"{base_url}/data/foundation/schemaregistry/tenant/schemas",
        json={
            "type": "object",
            "title": "Persistence burst",
            "description": "Schema of the datasets written during the kill test",
            "allOf": [{"$ref": "https://ns.adobe.com/xdm/context/profile"}],
        },
        headers={**headers, "Accept": "application/vnd.adobe.xed+json"},
        timeout=10,
    )
    assert schema.status_code == 201, schema.text
    schema_ref = {"id": schema.json()["$id"], "contentType": "application/vnd.adobe.xed-full+json;version=1"}

    def write(session: requests.Session) -> str:
        body = {"name": f"burst {time.monotonic_ns()}", "schemaRef": schema_ref}
        answer = session.post(f"{base_url}{CATALOG}/dataSets", json=body, headers=headers, timeout=10)
        answer.raise_for_status()
        return answer.json()[0].rsplit("/", 1)[-1]

    return write


def verify_datasets(base_url: str, acknowledged: list[str]) -> None:
    headers = aep_headers(CONFIG, fetch_token(base_url, CONFIG))
    with requests.Session() as session:
        for dataset_id in acknowledged:
            answer = session.get(f"{base_url}{CATALOG}/dataSets/{dataset_id}", headers=headers, timeout=10)
            assert answer.status_code == 200, f"acknowledged dataset {dataset_id} lost: {answer.text}"
            dataset = answer.json()[dataset_id]
            assert dataset["name"].startswith("burst ")
            assert dataset["schemaRef"]["id"].startswith("https://ns.adobe.com/")
            assert dataset["version"] and dataset["created"]


def assert_database_is_sound(data_dir: Path) -> None:
    """SQLite's own check, and every stored body is complete JSON."""
    with contextlib.closing(sqlite3.connect(data_dir / DB_FILE)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for (body,) in db.execute("SELECT body FROM objects"):
            assert isinstance(json.loads(body), dict)


@dataclass(frozen=True)
class WritePath:
    prepare: Callable[[str], Callable[[requests.Session], str]]  # base URL -> one write, returning the new id
    verify: Callable[[str, list[str]], None]  # after the restart: every acknowledged id is there, whole


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(WritePath(issue_token, verify_tokens), id="ims-tokens"),
        pytest.param(WritePath(create_datasets, verify_datasets), id="catalog-datasets"),
    ],
)
def test_acknowledged_writes_survive_kill_9(tmp_path: Path, path: WritePath) -> None:
    with spawn_emulator("--data", str(tmp_path)) as first:
        burst = Burst(path.prepare(first.base_url))
        burst.run_and_kill(first)
    assert len(burst.acknowledged) >= KILL_AFTER_ACKS
    assert burst.failures, "the kill must land mid-burst"
    assert len(burst.acknowledged) < WRITERS * WRITES_PER_WRITER

    assert_database_is_sound(tmp_path)
    with spawn_emulator("--data", str(tmp_path)) as second:
        path.verify(second.base_url, burst.acknowledged)


def test_clean_restart_keeps_objects_and_tokens(tmp_path: Path) -> None:
    with spawn_emulator("--data", str(tmp_path)) as first:
        token = fetch_token(first.base_url, CONFIG)
        before = dump(first.base_url, "ims.tokens")
        assert first.terminate() == 0
    with spawn_emulator("--data", str(tmp_path)) as second:
        assert dump(second.base_url, "ims.tokens") == before
        answer = requests.get(f"{second.base_url}{CATALOG}/dataSets", headers=aep_headers(CONFIG, token), timeout=10)
        assert answer.status_code != 401
        assert second.terminate() == 0


def test_without_data_nothing_outlives_the_process() -> None:
    with spawn_emulator() as first:
        fetch_token(first.base_url, CONFIG)
        assert dump(first.base_url, "ims.tokens")
    with spawn_emulator() as second:
        assert dump(second.base_url, "ims.tokens") == []


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_signals_shut_down_cleanly(tmp_path: Path, signal_name: str) -> None:
    import signal

    with spawn_emulator("--data", str(tmp_path)) as process:
        fetch_token(process.base_url, CONFIG)
        process.process.send_signal(getattr(signal, signal_name))
        assert process.process.wait(timeout=15) == 0
        assert "Traceback" not in process.stderr()
    assert_database_is_sound(tmp_path)
