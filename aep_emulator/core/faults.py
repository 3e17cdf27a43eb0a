"""Fault injection for tests: make the next calls fail the way a real platform sometimes does.

A fault matches calls by method and route template (or ``*``) and fires on the next ``count`` matching
calls, on a random ``rate`` of them (seeded for determinism), or on every one until removed.
Actions:

- ``status``: answer 429/500/502/503/504 (optional ``Retry-After``) without running the handler;
- ``latency``: sleep ``latencyMs`` (+ a random 0..``jitterMs``), then run normally;
- ``reset``: abort the TCP connection (RST) without running the handler;
- ``drop_after_commit``: run the handler (its write commits), then abort the connection instead of
  answering, so the client cannot tell whether its call took effect.

Latency faults add up; of the other actions, the first matching fault (oldest first) wins. The
connection aborts are carried out by the serving layer (``server.py``), which reads
``environ[ABORT_CONNECTION]``; without it (Flask's test client) the answer is sent normally.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PositiveInt, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .errors import ProblemError

# WSGI environ key: set to the fault action when the serving layer must abort the connection
# instead of sending the response.
ABORT_CONNECTION = "aep_emulator.abort_connection"

# Statuses a fault may inject, with the title of the platform's generic error envelope.
INJECTABLE_STATUSES: dict[int, str] = {
    429: "TooManyRequestsError",
    500: "InternalServerError",
    502: "BadGatewayError",
    503: "ServiceUnavailableError",
    504: "GatewayTimeoutError",
}


class FaultAction(str, Enum):
    STATUS = "status"
    LATENCY = "latency"
    RESET = "reset"
    DROP_AFTER_COMMIT = "drop_after_commit"


class FaultSpec(BaseModel):
    """The body of ``POST /__emulator/faults`` (camelCase on the wire, snake_case in Python)."""

    model_config = ConfigDict(extra="forbid", strict=True, alias_generator=to_camel, populate_by_name=True)

    method: str = "*"
    route: str = "*"
    action: FaultAction
    status: int | None = None
    retry_after: NonNegativeInt | None = None
    latency_ms: NonNegativeInt = 0
    jitter_ms: NonNegativeInt = 0
    count: PositiveInt | None = None
    rate: float | None = Field(default=None, ge=0.0, le=1.0)
    seed: int | None = None

    @field_validator("method")
    @classmethod
    def _upper_method(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _consistent(self) -> "FaultSpec":
        if self.action is FaultAction.STATUS:
            if self.status not in INJECTABLE_STATUSES:
                allowed = ", ".join(str(s) for s in INJECTABLE_STATUSES)
                raise ValueError(f"action 'status' needs 'status' in {allowed}")
        elif self.status is not None or self.retry_after is not None:
            raise ValueError("'status' and 'retryAfter' apply only to action 'status'")
        if self.action is FaultAction.LATENCY and not (self.latency_ms or self.jitter_ms):
            raise ValueError("action 'latency' needs 'latencyMs' or 'jitterMs' > 0")
        if self.action is not FaultAction.LATENCY and (self.latency_ms or self.jitter_ms):
            raise ValueError("'latencyMs' and 'jitterMs' apply only to action 'latency'")
        return self


@dataclass
class Fault:
    """One injected fault and how often it has fired."""

    id: str
    spec: FaultSpec
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def matches(self, method: str, route: str, path: str) -> bool:
        spec = self.spec
        return spec.method in ("*", method) and spec.route in ("*", route, path)

    @property
    def exhausted(self) -> bool:
        return self.spec.count is not None and self.fired >= self.spec.count

    def roll(self) -> bool:
        """Whether this matching call is hit (always, unless a rate is set)."""
        return self.spec.rate is None or self.rng.random() < self.spec.rate

    def delay_seconds(self) -> float:
        jitter = self.rng.uniform(0, self.spec.jitter_ms) if self.spec.jitter_ms else 0.0
        return (self.spec.latency_ms + jitter) / 1000.0

    def describe(self) -> dict[str, Any]:
        remaining = None if self.spec.count is None else max(self.spec.count - self.fired, 0)
        return {
            "id": self.id,
            **self.spec.model_dump(mode="json", by_alias=True, exclude_none=True),
            "fired": self.fired,
            "remaining": remaining,
        }

    def error(self) -> ProblemError:
        """The answer of a ``status`` fault, in the platform's generic envelope."""
        status = self.spec.status
        assert status is not None  # FaultSpec guarantees it for action 'status'
        err = ProblemError(status, INJECTABLE_STATUSES[status], f"Fault injected by the emulator (fault {self.id})")
        if self.spec.retry_after is not None:
            err.headers["Retry-After"] = str(self.spec.retry_after)
        return err


@dataclass
class Decision:
    """What to do with one call: sleep first, then maybe a terminal fault."""

    delay_seconds: float = 0.0
    fault: Fault | None = None


class FaultTable:
    """The faults of one emulator instance, oldest first. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}

    def add(self, spec: FaultSpec) -> Fault:
        fault = Fault(id=uuid.uuid4().hex[:12], spec=spec, rng=random.Random(spec.seed))
        with self._lock:
            self._faults[fault.id] = fault
        return fault

    def remove(self, fault_id: str) -> bool:
        with self._lock:
            return self._faults.pop(fault_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.describe() for fault in self._faults.values()]

    def __bool__(self) -> bool:
        return bool(self._faults)

    def decide(self, method: str, route: str, path: str) -> Decision:
        decision = Decision()
        with self._lock:
            for fault in self._faults.values():
                # Every matching fault rolls, so a seeded fault sees the same sequence whatever else fires.
                if not fault.matches(method, route, path) or fault.exhausted or not fault.roll():
                    continue
                if fault.spec.action is FaultAction.LATENCY:
                    decision.delay_seconds += fault.delay_seconds()
                    fault.fired += 1
                elif decision.fault is None:
                    decision.fault = fault
                    fault.fired += 1
        return decision
