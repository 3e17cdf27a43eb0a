"""Helpers for tests: an emulator on a free port, ready-made AEP headers and the test hooks.

    with running_emulator() as emu:
        requests.get(emu.url("/data/foundation/catalog/dataSets"), headers=emu.headers())
        assert emu.calls("GET", "/dataSets", status=200) == 1

``running_emulator`` serves in-process (a background thread); ``spawn_emulator`` starts the CLI as a
separate process, for tests that must kill or restart it.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from .core.context import EmulatorConfig
from .server import EmulatorServer

HOOKS = "/__emulator"
_TIMEOUT = 10


def fetch_token(base_url: str, config: EmulatorConfig, session: requests.Session | None = None) -> str:
    """A fresh IMS access token, asked for as a real client does (form-encoded client credentials)."""
    answer = (session or requests).post(
        base_url + "/ims/token/v3",
        data={
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "scope": "openid,AdobeID,read_organizations,additional_info.projectedProductContext",
        },
        timeout=_TIMEOUT,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def aep_headers(config: EmulatorConfig, token: str, sandbox: str | None = "prod", **extra: str) -> dict[str, str]:
    """The four platform headers (plus Content-Type and any extra), as a real client sends them."""
    headers = {
        "Authorization": f"Bearer {token}",
        "x-api-key": config.client_id,
        "x-gw-ims-org-id": config.org_id,
        "Content-Type": "application/json",
    }
    if sandbox is not None:
        headers["x-sandbox-name"] = sandbox
    headers.update(extra)
    return headers


@dataclass
class EmulatorHandle:
    """A running emulator as tests see it: URLs, credentials and the ``/__emulator/`` hooks."""

    server: EmulatorServer
    _token: str | None = None
    _hooks: requests.Session = field(default_factory=requests.Session, repr=False)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def config(self) -> EmulatorConfig:
        return self.server.config

    def url(self, path: str) -> str:
        return self.base_url + path

    def token(self, fresh: bool = False) -> str:
        if fresh or self._token is None:
            self._token = fetch_token(self.base_url, self.config)
        return self._token

    def headers(self, sandbox: str | None = "prod", **extra: str) -> dict[str, str]:
        return aep_headers(self.config, self.token(), sandbox, **extra)

    def request(
        self,
        method: str,
        path: str,
        *,
        sandbox: str | None = "prod",
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One AEP call as a real client sends it: the platform headers (plus ``headers``) and a timeout."""
        kwargs.setdefault("timeout", _TIMEOUT)
        return requests.request(method, self.url(path), headers=self.headers(sandbox, **(headers or {})), **kwargs)

    # --- hooks ---------------------------------------------------------------------------------

    def _hook(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        answer = self._hooks.request(method, self.url(HOOKS + path), timeout=_TIMEOUT, **kwargs)
        answer.raise_for_status()
        return answer

    def reset(self) -> None:
        """Forget every object, statistic and fault (issued tokens stay valid)."""
        self._hook("POST", "/reset")

    def stats(self) -> dict[str, Any]:
        return self._hook("GET", "/stats").json()

    def calls(self, method: str | None = None, route: str | None = None, status: int | None = None) -> int:
        """How many calls matched; ``route`` is a template or any part of one (``"/flows"``)."""
        return sum(
            row["count"]
            for row in self.stats()["calls"]
            if (method is None or row["method"] == method.upper())
            and (route is None or route in row["route"])
            and (status is None or row["status"] == status)
        )

    def clear_stats(self) -> None:
        self._hook("DELETE", "/stats")

    def inject_fault(self, **spec: Any) -> str:
        """Add a fault (fields as in ``core/faults.FaultSpec``, snake_case or camelCase); returns its id."""
        return self._hook("POST", "/faults", json=spec).json()["id"]

    def faults(self) -> list[dict[str, Any]]:
        return self._hook("GET", "/faults").json()["faults"]

    def remove_fault(self, fault_id: str) -> None:
        self._hook("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self._hook("DELETE", "/faults")

    def objects(self, kind: str | None = None) -> list[dict[str, Any]]:
        params = {"kind": kind} if kind else None
        return self._hook("GET", "/objects", params=params).json()["objects"]

    def expire_tokens(self) -> int:
        """Expire every issued token; the next ``headers()`` asks IMS for a new one."""
        self._token = None
        return self._hook("POST", "/tokens/expire").json()["expired"]


@contextlib.contextmanager
def running_emulator(config: EmulatorConfig | None = None) -> Iterator[EmulatorHandle]:
    with EmulatorServer(config) as server:
        handle = EmulatorHandle(server)
        try:
            yield handle
        finally:
            handle._hooks.close()


class EmulatorProcess:
    """The CLI (``python -m aep_emulator``) running as a child process."""

    def __init__(self, args: list[str], startup_timeout: float = 30) -> None:
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aep_emulator", *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.first_line = self._read_first_line(startup_timeout)
        self.base_url = self.first_line.strip()
        self._rest: list[str] = []
        # Keep draining stdout so the child never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _read_first_line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                self.kill()
                raise RuntimeError(f"emulator printed nothing within {timeout}s: {self.stderr()}")
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=_TIMEOUT)
            raise RuntimeError(f"emulator exited with {self.process.returncode}: {self.stderr()}")
        return line

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._rest.append(line)

    def output(self) -> str:
        """Everything printed on stdout so far."""
        return self.first_line + "".join(self._rest)

    def stderr(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM (a clean shutdown) and the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as after a crash or an OOM kill."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=_TIMEOUT)

    def __enter__(self) -> "EmulatorProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
        self._stderr.close()


def spawn_emulator(*args: str) -> EmulatorProcess:
    """Start the CLI on a free port (unless ``--port`` is given); returns once it printed its URL."""
    argv = list(args)
    if "--port" not in argv:
        argv += ["--port", "0"]
    return EmulatorProcess(argv)
