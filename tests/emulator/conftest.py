"""Fixtures for emulator tests that need AWS (a moto server) or another service's contract.

- ``moto_server``: a real moto server (``ThreadedMotoServer``) on a free local port, with an IAM admin
  user whose keys every helper call uses, so the same helpers keep working once IAM checks are on.
- ``aws_emulator``: an emulator whose ``aws_endpoint`` is that moto server, emptied before each test.
- ``moto_iam_enforced``: turns on moto's IAM check for one test, so a wrong secret is refused.
- ``dataprep_contract_stub``: TEMPORARY stand-in for ``aep_emulator.dataprep.models.get_mapping_set``
  (being written in parallel); tests register mapping sets on it. Once the Data Prep module has the
  contract, tests should create mapping sets through its HTTP API and this fixture can go.

Why IAM this way: moto accepts any credentials by default. Its server exposes ``/moto-api/reset-auth``
(the mechanism behind ``moto.core.set_initial_no_auth_action_count``): after ``reset-auth 0`` every
request must be signed with keys of an IAM user that exists in moto and whose policies allow the
action. The setting is process-wide (the server runs in this process), so the fixture restores it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
import types
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import requests

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.core.store import Scope
from aep_emulator.testing import EmulatorHandle, running_emulator

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
    _users: list[str] = field(default_factory=list)

    def client(self, service: str, keys: AwsKeys | None = None) -> Any:
        access, secret = (keys.access_key, keys.secret_key) if keys else (
            (self.admin.access_key, self.admin.secret_key) if self.admin else _BOOTSTRAP_KEYS
        )
        return boto3.session.Session().client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=access,
            aws_secret_access_key=secret,
        )

    def create_user(self, actions: list[str], name: str | None = None) -> AwsKeys:
        """An IAM user allowed ``actions`` on every resource, and its access key."""
        name = name or f"user-{uuid.uuid4().hex[:8]}"
        iam = self.client("iam")
        iam.create_user(UserName=name)
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        self._users.append(name)
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


# --------------------------------------------------------------------------- Data Prep contract stub

DATAPREP_MODULE = "aep_emulator.dataprep.models"


class MappingSetStub:
    """Mapping sets per (org, sandbox) as ``get_mapping_set`` returns them: id, version, output schema."""

    def __init__(self) -> None:
        self._versions: dict[tuple[Scope, str], list[dict[str, Any]]] = {}

    def add(self, scope: Scope, schema_id: str, mapping_set_id: str | None = None) -> dict[str, Any]:
        """A new mapping set, or a new version of ``mapping_set_id``, whose output is ``schema_id``."""
        mapping_set_id = mapping_set_id or uuid.uuid4().hex
        versions = self._versions.setdefault((scope, mapping_set_id), [])
        record = {
            "id": mapping_set_id,
            "version": len(versions),
            "outputSchema": {"schemaRef": {"id": schema_id, "contentType": "application/vnd.adobe.xed-full+json;version=1"}},
            "mappings": [],
        }
        versions.append(record)
        return dict(record)

    def get_mapping_set(self, scope: Scope, mapping_set_id: str, version: int | None = None) -> dict[str, Any] | None:
        versions = self._versions.get((scope, mapping_set_id))
        if not versions:
            return None
        if version is None:
            return dict(versions[-1])
        return dict(versions[version]) if 0 <= version < len(versions) else None

    def mapping_sets_using_schema(self, scope: Scope, schema_id: str) -> list[str]:
        return [
            set_id
            for (set_scope, set_id), versions in self._versions.items()
            if set_scope == scope and versions[-1]["outputSchema"]["schemaRef"]["id"] == schema_id
        ]


@pytest.fixture
def dataprep_contract_stub(monkeypatch: pytest.MonkeyPatch) -> MappingSetStub:
    stub = MappingSetStub()
    try:
        module = importlib.import_module(DATAPREP_MODULE)
    except ModuleNotFoundError:
        module = types.ModuleType(DATAPREP_MODULE)
        monkeypatch.setitem(sys.modules, DATAPREP_MODULE, module)
    for name in ("get_mapping_set", "mapping_sets_using_schema"):
        monkeypatch.setattr(module, name, getattr(stub, name), raising=False)
    return stub
