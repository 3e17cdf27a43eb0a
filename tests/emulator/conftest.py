"""Fixtures for emulator tests: the probe emulator, and for tests that need AWS a moto server and an
emulator pointed at it.

- ``emu``: an emulator with the probe service (``probe.py``), one per test module, emptied before each test.
- ``moto_server``: a real moto server (``ThreadedMotoServer``) on a free local port, with an IAM admin
  user whose keys every helper call uses, so the same helpers keep working once IAM checks are on.
- ``aws_emulator``: an emulator whose ``aws_endpoint`` is that moto server, emptied before each test.
- ``moto_iam_enforced``: turns on moto's IAM check for one test, so a wrong secret is refused.

Why IAM this way: moto accepts any credentials by default. Its server exposes ``/moto-api/reset-auth``
(the mechanism behind ``moto.core.set_initial_no_auth_action_count``): after ``reset-auth 0`` every
request must be signed with keys of an IAM user that exists in moto and whose policies allow the
action. The setting is process-wide (the server runs in this process), so the fixture restores it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.testing import EmulatorHandle, running_emulator
from tests.emulator.probe import probe_emulator

REGION = "us-east-1"
_BOOTSTRAP_KEYS = ("testing", "testing")  # any key works while moto's IAM check is off


@dataclass(frozen=True)
class AwsKeys:
    access_key: str
    secret_key: str


@dataclass
class MotoAws:
    """A running moto server and the IAM identities created on it."""

    endpoint: str
    admin: AwsKeys | None = None

    def client(self, service: str, keys: AwsKeys | None = None) -> Any:
        keys = keys or self.admin or AwsKeys(*_BOOTSTRAP_KEYS)
        return _client(self.endpoint, service, keys)

    def create_user(self, actions: list[str], name: str | None = None) -> AwsKeys:
        """An IAM user allowed ``actions`` on every resource, and its access key."""
        name = name or f"user-{uuid.uuid4().hex[:8]}"
        iam = self.client("iam")
        iam.create_user(UserName=name)
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return AwsKeys(key["AccessKeyId"], key["SecretAccessKey"])

    def set_auth_threshold(self, value: str) -> str:
        """Requests moto serves before checking IAM ("0": check every request, "inf": never); the old value."""
        answer = requests.post(f"{self.endpoint}/moto-api/reset-auth", data=value.encode(), timeout=10)
        answer.raise_for_status()
        return answer.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]

    @contextlib.contextmanager
    def iam_enforced(self) -> Iterator[None]:
        previous = self.set_auth_threshold("0")
        try:
            yield
        finally:
            self.set_auth_threshold(previous)


@functools.lru_cache(maxsize=16)
def _client(endpoint: str, service: str, keys: AwsKeys) -> Any:
    import boto3  # only the AWS tests pay for importing it

    # boto3 clients are slow to build and safe to reuse.
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=keys.access_key,
        aws_secret_access_key=keys.secret_key,
    )


@pytest.fixture(scope="module")
def moto_server() -> Iterator[MotoAws]:
    """A moto server for this test module (its state is wiped when the module is done)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    aws = MotoAws(endpoint=f"http://{host}:{port}")
    aws.admin = aws.create_user(["*"], name="emulator-tests-admin")
    try:
        yield aws
    finally:
        requests.post(f"{aws.endpoint}/moto-api/reset", timeout=10)
        server.stop()


@pytest.fixture
def moto_iam_enforced(moto_server: MotoAws) -> Iterator[MotoAws]:
    with moto_server.iam_enforced():
        yield moto_server


@pytest.fixture(scope="module")
def aws_emulator_server(moto_server: MotoAws) -> Iterator[EmulatorHandle]:
    with running_emulator(EmulatorConfig(aws_endpoint=moto_server.endpoint)) as handle:
        yield handle


@pytest.fixture
def aws_emulator(aws_emulator_server: EmulatorHandle) -> EmulatorHandle:
    """An emulator that verifies S3/Kinesis connections against the moto server; emptied per test."""
    aws_emulator_server.reset()
    return aws_emulator_server


@pytest.fixture(scope="module")
def probe_server() -> Iterator[EmulatorHandle]:
    with probe_emulator() as handle:
        yield handle


@pytest.fixture
def emu(probe_server: EmulatorHandle) -> EmulatorHandle:
    """The test module's probe emulator, emptied of objects, statistics and faults."""
    probe_server.reset()
    return probe_server
