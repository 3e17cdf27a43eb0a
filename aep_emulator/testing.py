"""Helpers for tests: an in-process emulator on a free port and ready-made AEP headers.

    with running_emulator() as emu:
        requests.get(emu.url("/data/foundation/catalog/dataSets"), headers=emu.headers())
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import requests

from .core.context import EmulatorConfig
from .server import EmulatorServer


@dataclass
class EmulatorHandle:
    server: EmulatorServer
    _token: str | None = None

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
            cfg = self.config
            answer = requests.post(
                self.url("/ims/token/v3"),
                data={
                    "grant_type": "client_credentials",
                    "client_id": cfg.client_id,
                    "client_secret": cfg.client_secret,
                    "scope": "openid,AdobeID,read_organizations,additional_info.projectedProductContext",
                },
                timeout=10,
            )
            answer.raise_for_status()
            self._token = answer.json()["access_token"]
        return self._token

    def headers(self, sandbox: str | None = "prod", **extra: str) -> dict[str, str]:
        """The four platform headers (plus Content-Type and any extra), as a real client sends them."""
        cfg = self.config
        headers = {
            "Authorization": f"Bearer {self.token()}",
            "x-api-key": cfg.client_id,
            "x-gw-ims-org-id": cfg.org_id,
            "Content-Type": "application/json",
        }
        if sandbox is not None:
            headers["x-sandbox-name"] = sandbox
        headers.update(extra)
        return headers

    def reset(self) -> None:
        """Forget every object, statistic and fault (tokens are kept)."""
        requests.post(self.url("/__emulator/reset"), timeout=10).raise_for_status()
        self._token = None


@contextlib.contextmanager
def running_emulator(config: EmulatorConfig | None = None) -> Iterator[EmulatorHandle]:
    with EmulatorServer(config) as server:
        yield EmulatorHandle(server)
