"""Issue 9: the emulator shows credentials as the platform does, and its object dump never prints one.

- AEP GETs of a base connection keep each secret auth param's key with its value hidden and every other
  param in clear: help/sources/tutorials/api/update.md, "Look up connection details" (the contract example
  ``flowservice_connection_get``) shows the Salesforce ``username`` and ``environmentUrl`` but only
  placeholders for ``password`` and ``securityToken``, the two params its auth spec marks
  ``"format": "password"`` (``flowservice_connection_spec_salesforce``); flow-service.yaml's Connections tag
  calls it "a partial view of the credentials". ``test_flowservice.py::test_secrets_are_never_returned``
  covers the listing and the property filter per connector; here: the documented connection, the
  search endpoint and a rotation.
- ``/__emulator/objects`` shows each secret as its fingerprint (``secret_fingerprint``): a test can tell a
  rotated secret from the old one, and nothing the dump prints is a credential, issued tokens included.
"""

from __future__ import annotations

from typing import Any

import pytest

from aep_emulator.core.hooks import secret_fingerprint
from aep_emulator.flowservice import models
from aep_emulator.testing import EmulatorHandle
from tests.contract.corpus import example
from tests.emulator.test_flowservice import KINESIS, S3, SALESFORCE, call, created, patch, read

# Two distinct secrets per connection, so a leak of either is caught.
SECRETS = ("first-secret-5b9e-never-shown", "second-secret-c41d-never-shown")
CASES: dict[str, tuple[str, str, dict[str, Any], set[str]]] = {
    # name: (spec id, auth spec name, params, the params the spec marks as passwords)
    "s3": (S3, "Access Key", {"s3AccessKey": "AKIACLEAR", "s3SecretKey": SECRETS[0], "s3SessionToken": SECRETS[1]},
           {"s3SecretKey", "s3SessionToken"}),
    "kinesis": (KINESIS, "Aws Kinesis authentication credentials",
                {"accessKeyId": "AKIACLEAR", "secretKey": SECRETS[0], "region": "us-east-1"}, {"secretKey"}),
    "salesforce": (SALESFORCE, "Basic Authentication",
                   {"username": "clear-user", "password": SECRETS[0], "securityToken": SECRETS[1],
                    "environmentUrl": "login.salesforce.com"}, {"password", "securityToken"}),
}  # fmt: skip


def make_connection(emulator: EmulatorHandle, case: str) -> str:
    spec_id, auth_name, params, _ = CASES[case]
    body = {"name": f"{case} holder", "auth": {"specName": auth_name, "params": params},
            "connectionSpec": {"id": spec_id, "version": "1.0"}}  # fmt: skip
    return created(call(emulator, "POST", "/connections", json=body))


def dumped_params(emulator: EmulatorHandle, connection_id: str) -> dict[str, Any]:
    (found,) = [o for o in emulator.objects("flowservice.connections") if o["id"] == connection_id]
    return found["object"]["auth"]["params"]


def test_the_documented_connection_get_hides_exactly_the_password_params(emulator: EmulatorHandle) -> None:
    documented = example("flowservice_connection_get").body["items"][0]["auth"]
    placeholders = {k for k, v in documented["params"].items() if v.startswith("{")}
    assert placeholders == {"password", "securityToken"}  # what the page hides, as its spec marks them
    params = {**documented["params"], "password": SECRETS[0], "securityToken": SECRETS[1]}
    body = {"name": "E2E_SF Base_Connection", "auth": {**documented, "params": params},
            "connectionSpec": {"id": SALESFORCE, "version": "1.0"}}  # fmt: skip
    shown = read(emulator, "connections", created(call(emulator, "POST", "/connections", json=body)))["auth"]
    assert set(shown["params"]) == set(documented["params"])  # every key kept
    assert {k for k, v in shown["params"].items() if v == models.SECRET_MASK} == placeholders
    assert {k: v for k, v in shown["params"].items() if k not in placeholders} == {
        k: v for k, v in documented["params"].items() if k not in placeholders
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_objects_dump_never_prints_a_secret(emulator: EmulatorHandle, case: str) -> None:
    connection_id = make_connection(emulator, case)
    _, _, params, secret_names = CASES[case]
    for dump in (emulator._hook("GET", "/objects"), emulator._hook("GET", "/objects", params={"kind": "flowservice.connections"})):
        assert not any(secret in dump.text for secret in SECRETS), dump.text
    stored = dumped_params(emulator, connection_id)
    assert stored == {k: secret_fingerprint(v) if k in secret_names else v for k, v in params.items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_search_endpoint_shows_no_secret(emulator: EmulatorHandle, case: str) -> None:
    make_connection(emulator, case)
    answer = call(emulator, "POST", "/connections/search", json={})
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"] and not any(secret in answer.text for secret in SECRETS)


def test_a_rotated_secret_shows_a_new_fingerprint_and_stays_hidden(emulator: EmulatorHandle) -> None:
    connection_id = make_connection(emulator, "kinesis")
    before = dumped_params(emulator, connection_id)["secretKey"]
    rotated = {**CASES["kinesis"][2], "secretKey": SECRETS[1]}
    answer = patch(emulator, "connections", connection_id, [{"op": "replace", "path": "/auth/params", "value": rotated}])
    assert answer.status_code == 200, answer.text
    after = dumped_params(emulator, connection_id)["secretKey"]
    assert before == secret_fingerprint(SECRETS[0]) and after == secret_fingerprint(SECRETS[1])
    assert read(emulator, "connections", connection_id)["auth"]["params"]["secretKey"] == models.SECRET_MASK


def test_the_objects_dump_never_prints_an_issued_token(emulator: EmulatorHandle) -> None:
    token = emulator.token(fresh=True)
    dump = emulator._hook("GET", "/objects", params={"kind": "ims.tokens"})
    assert token not in dump.text
    assert secret_fingerprint(token) in [o["id"] for o in dump.json()["objects"]]
    assert all(o["object"]["token"] == o["id"] for o in dump.json()["objects"])
