"""The CLI contract: the first line printed is the base URL; options; refusals; clean exit."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.testing import aep_headers, fetch_token, spawn_emulator

DEFAULTS = EmulatorConfig()


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The CLI expected to exit on its own (refused options)."""
    return subprocess.run(
        [sys.executable, "-m", "aep_emulator", *args], capture_output=True, text=True, timeout=30, check=False
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_first_line_is_the_base_url_then_a_banner() -> None:
    with spawn_emulator() as process:
        assert re.fullmatch(r"http://127\.0\.0\.1:[1-9]\d*\n", process.first_line)
        token = fetch_token(process.base_url, DEFAULTS)
        assert token
        deadline = time.monotonic() + 5
        while DEFAULTS.client_secret not in process.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        banner = process.output()
        for value in (DEFAULTS.client_id, DEFAULTS.client_secret, DEFAULTS.org_id, "prod, dev, stage"):
            assert value in banner
        assert process.terminate() == 0


def test_explicit_port_and_custom_identity() -> None:
    port = free_port()
    args = ["--port", str(port), "--client-id", "my-client", "--client-secret", "s3cret"]
    args += ["--org-id", "ABCDEF0123456789ABCDEF01@AdobeOrg", "--sandboxes", "prod,qa", "--tenant-id", "acme"]
    with spawn_emulator(*args) as process:
        assert process.base_url == f"http://127.0.0.1:{port}"
        config = EmulatorConfig(
            client_id="my-client", client_secret="s3cret", org_id="ABCDEF0123456789ABCDEF01@AdobeOrg"
        )
        token = fetch_token(process.base_url, config)
        catalog = f"{process.base_url}/data/foundation/catalog/dataSets"
        assert requests.get(catalog, headers=aep_headers(config, token), timeout=10).status_code != 401
        wrong_org = aep_headers(config, token, **{"x-gw-ims-org-id": DEFAULTS.org_id})
        assert requests.get(catalog, headers=wrong_org, timeout=10).json()["error_code"] == "403025"
        with pytest.raises(requests.HTTPError):
            fetch_token(process.base_url, DEFAULTS)  # the demo credentials are not these


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--org-id", "ABCDEF0123456789ABCDEF01"], "@AdobeOrg"),
        (["--org-id", "@AdobeOrg"], "@AdobeOrg"),
        (["--sandboxes", ""], "sandbox"),
        (["--sandboxes", "Prod"], "lowercase"),
        (["--port", "70000"], "port"),
        (["--port", "http"], "port"),
        (["--threads", "0"], "at least 1"),
    ],
)
def test_bad_options_are_refused(args: list[str], complaint: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert complaint in result.stderr


def test_a_busy_port_is_reported() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_cli("--port", str(busy.getsockname()[1]))
    assert result.returncode == 1
    assert "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("verbose", [False, True])
def test_access_log_only_when_verbose(verbose: bool) -> None:
    with spawn_emulator(*(["--verbose"] if verbose else [])) as process:
        fetch_token(process.base_url, DEFAULTS)
        assert process.terminate() == 0
        logged = "POST /ims/token/v3 200" in process.stderr()
    assert logged is verbose


def test_sandbox_transition_seconds_option() -> None:
    """--sandbox-transition-seconds sets how long a new sandbox stays ``creating`` (AEP: about 30 s)."""
    with spawn_emulator("--sandbox-transition-seconds", "1.5") as process:
        token = fetch_token(process.base_url, DEFAULTS)
        sandboxes = f"{process.base_url}/data/foundation/sandbox-management/sandboxes"
        body = {"name": "slow-dev", "title": "Slow", "type": "development"}
        assert requests.post(sandboxes, json=body, headers=aep_headers(DEFAULTS, token), timeout=10).status_code == 202
        time.sleep(0.8)  # past the 0.5 s default, before the 1.5 s asked for
        state = requests.get(f"{sandboxes}/slow-dev", headers=aep_headers(DEFAULTS, token), timeout=10).json()["state"]
        assert state == "creating"
    assert "--sandbox-transition-seconds" in run_cli("--help").stdout
    assert run_cli("--sandbox-transition-seconds", "-1").returncode == 2
