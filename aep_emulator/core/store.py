"""Object storage of the emulator: JSON documents keyed by (org, sandbox, kind, id).

One SQLite database, on disk under ``--data DIR`` (WAL, synchronous=FULL, so every acknowledged
write survives ``kill -9``) or in memory. A re-entrant lock serialises writers; ``transaction()``
groups a handler's reads-validate-writes so a half-applied change is never visible or persisted.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

Scope = tuple[str, str]  # (IMS org id, sandbox name)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    org TEXT NOT NULL,
    sandbox TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (org, sandbox, kind, id)
);
CREATE INDEX IF NOT EXISTS objects_by_kind ON objects (org, sandbox, kind, seq);
"""


class Store:
    """Thread-safe document store. ``kind`` is a service-chosen name such as ``"flowservice.flows"``."""

    def __init__(self, data_dir: str | None = None) -> None:
        if data_dir:
            os.makedirs(data_dir, exist_ok=True)
            path = os.path.join(data_dir, "aep-emulator.sqlite3")
        else:
            path = ":memory:"
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if data_dir:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM objects").fetchone()
        self._seq = int(row[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Atomic group of reads and writes; nested calls join the outer transaction."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    def get(self, scope: Scope, kind: str, obj_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM objects WHERE org=? AND sandbox=? AND kind=? AND id=?",
                (scope[0], scope[1], kind, obj_id),
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, scope: Scope, kind: str, obj_id: str, obj: dict[str, Any]) -> None:
        """Insert or replace; a replaced object keeps its place in listing order."""
        body = json.dumps(obj, separators=(",", ":"))
        with self.transaction():
            self._seq += 1
            self._db.execute(
                "INSERT INTO objects (org, sandbox, kind, id, seq, body) VALUES (?,?,?,?,?,?) "
                "ON CONFLICT (org, sandbox, kind, id) DO UPDATE SET body=excluded.body",
                (scope[0], scope[1], kind, obj_id, self._seq, body),
            )

    def delete(self, scope: Scope, kind: str, obj_id: str) -> bool:
        with self.transaction():
            cur = self._db.execute(
                "DELETE FROM objects WHERE org=? AND sandbox=? AND kind=? AND id=?",
                (scope[0], scope[1], kind, obj_id),
            )
        return cur.rowcount > 0

    def list(self, scope: Scope, kind: str) -> list[dict[str, Any]]:
        """All objects of a kind in one sandbox, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM objects WHERE org=? AND sandbox=? AND kind=? ORDER BY seq",
                (scope[0], scope[1], kind),
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def dump(self) -> list[dict[str, Any]]:
        """Every stored object with its keys, for the ``/__emulator/objects`` hook."""
        with self._lock:
            rows = self._db.execute(
                "SELECT org, sandbox, kind, id, body FROM objects ORDER BY seq"
            ).fetchall()
        return [
            {"org": o, "sandbox": s, "kind": k, "id": i, "object": json.loads(b)} for o, s, k, i, b in rows
        ]

    def reset(self) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM objects")

    def close(self) -> None:
        with self._lock:
            self._db.close()
