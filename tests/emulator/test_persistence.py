"""``--data DIR``: every acknowledged write survives ``kill -9`` and clean restarts.

The CLI runs as a child process (``spawn_emulator``) so it can really be killed. Writes are real AEP
write paths (IMS token issuance; Catalog datasets once a schema can be created), sent in a burst from
a thread pool; the process is killed while the burst is still running.
"""

from __future__ import annotations

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
from aep_emulator.testing import EmulatorProcess, aep_headers, fetch_token, spawn_emulator

CONFIG = EmulatorConfig()
WRITERS = 8
WRITES_PER_WRITER = 250  # the burst is far from done when the kill comes
KILL_AFTER_ACKS = 120
DB_FILE = "aep-emulator.sqlite3"


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
                except requests.RequestException as exc:  # the server died under us
                    with self._lock:
                        self.failures.append(exc)
                    return
                with self._lock:
                    self.acknowledged.append(object_id)

    def run_and_kill(self, process: EmulatorProcess) -> None:
        with ThreadPoolExecutor(WRITERS) as pool:
            for _ in range(WRITERS):
                pool.submit(self._writer)
            deadline = time.monotonic() + 60
            while len(self.acknowledged) < KILL_AFTER_ACKS and time.monotonic() < deadline:
                time.sleep(0.005)
            process.kill()


def issue_token(base_url: str) -> Callable[[requests.Session], str]:
    def write(session: requests.Session) -> str:
        answer = session.post(f"{base_url}/ims/token/v3", data=token_form(), timeout=10)
        answer.raise_for_status()
        return answer.json()["access_token"]

    return write


def assert_database_is_sound(data_dir: Path) -> None:
    """SQLite's own check, and every stored body is complete JSON."""
    with sqlite3.connect(data_dir / DB_FILE) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for (body,) in db.execute("SELECT body FROM objects"):
            assert isinstance(json.loads(body), dict)


def test_acknowledged_tokens_survive_kill_9(tmp_path: Path) -> None:
    with spawn_emulator("--data", str(tmp_path)) as first:
        burst = Burst(issue_token(first.base_url))
        burst.run_and_kill(first)
    assert len(burst.acknowledged) >= KILL_AFTER_ACKS
    assert burst.failures, "the kill must land mid-burst"
    assert len(burst.acknowledged) < WRITERS * WRITES_PER_WRITER

    assert_database_is_sound(tmp_path)
    with spawn_emulator("--data", str(tmp_path)) as second:
        stored = {o["id"]: o["object"] for o in dump(second.base_url, "ims.tokens")}
        missing = set(burst.acknowledged) - set(stored)
        assert not missing, f"{len(missing)} acknowledged tokens lost"
        now = time.time()
        for token, record in stored.items():
            assert record == {"token": token, "expiresAt": record["expiresAt"]}
            assert record["expiresAt"] > now
        for token in burst.acknowledged[:: max(1, len(burst.acknowledged) // 10)]:
            answer = requests.get(
                f"{second.base_url}/data/foundation/catalog/dataSets", headers=aep_headers(CONFIG, token), timeout=10
            )
            assert answer.status_code != 401, answer.text  # the gateway still knows the token


def test_clean_restart_keeps_objects_and_tokens(tmp_path: Path) -> None:
    with spawn_emulator("--data", str(tmp_path)) as first:
        token = fetch_token(first.base_url, CONFIG)
        before = dump(first.base_url, "ims.tokens")
        assert first.terminate() == 0
    with spawn_emulator("--data", str(tmp_path)) as second:
        assert dump(second.base_url, "ims.tokens") == before
        answer = requests.get(
            f"{second.base_url}/data/foundation/catalog/dataSets", headers=aep_headers(CONFIG, token), timeout=10
        )
        assert answer.status_code != 401
        assert second.terminate() == 0


def test_without_data_nothing_outlives_the_process(tmp_path: Path) -> None:
    with spawn_emulator() as first:
        fetch_token(first.base_url, CONFIG)
        assert dump(first.base_url, "ims.tokens")
    with spawn_emulator() as second:
        assert dump(second.base_url, "ims.tokens") == []
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_signals_shut_down_cleanly(tmp_path: Path, signal_name: str) -> None:
    import signal

    with spawn_emulator("--data", str(tmp_path)) as process:
        fetch_token(process.base_url, CONFIG)
        process.process.send_signal(getattr(signal, signal_name))
        assert process.process.wait(timeout=15) == 0
        assert "Traceback" not in process.stderr()
    assert_database_is_sound(tmp_path)
