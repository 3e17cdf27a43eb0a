"""Call statistics for tests: how many times each (method, route template, status) was answered.

Tests use them to prove what a client did on the wire ("one POST, no retry"), so every AEP and IMS
request is counted; the ``/__emulator/`` hooks are not. The route is Flask's rule template
(``/data/foundation/flowservice/flows/<flow_id>``) so counts do not depend on generated ids, or the
raw path when no rule matched.
"""

from __future__ import annotations

import threading
from collections import Counter

import flask

# Status recorded when the connection was aborted before any handler ran (``reset`` fault).
NO_RESPONSE = 0


class CallStats:
    """Thread-safe counters, one per (method, route, status)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, int]] = Counter()

    def record(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self._counts[(method, route, status)] += 1

    def snapshot(self) -> dict:
        """The ``GET /__emulator/stats`` body: a total and one row per key, first seen first."""
        with self._lock:
            rows = [
                {"method": method, "route": route, "status": status, "count": count}
                for (method, route, status), count in self._counts.items()
            ]
        return {"total": sum(row["count"] for row in rows), "calls": rows}

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


def route_of(request: flask.Request) -> str:
    """The route template that matched, or the raw path when none did."""
    return request.url_rule.rule if request.url_rule is not None else request.path


def call_stats(app: flask.Flask | None = None) -> CallStats:
    """The statistics of this emulator instance (created by ``hooks.install``)."""
    return (app or flask.current_app).extensions["aep_emulator.stats"]
