"""Identity Service namespaces of the emulator, as identity-service.yaml (AdobeDocs/experience-platform-apis)
and help/identity-service/api/{list-namespaces,create-custom-namespace}.md describe them."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle

NAMESPACES = "/data/core/idnamespace/identities"
LOYALTY = {"name": "Loyalty Member", "code": "Loyalty", "description": "Loyalty Program Member ID", "idType": "Cross_device"}


def call(emu: EmulatorHandle, method: str, path: str = NAMESPACES, **kwargs: Any) -> requests.Response:
    return emu.request(method, path, **kwargs)


# help/privacy-service/api/appendix.md, "Standard identity namespaces": `namespace` -> `namespaceId`;
# AAID 10 from help/profile/api/preview-sample-status.md.
DOCUMENTED_STANDARD = {"Email": 6, "Phone": 7, "AdCloud": 411, "CORE": 0, "ECID": 4, "TNTID": 9, "IDFA": 20915,
                       "GAID": 20914, "WAID": 8, "AAID": 10}  # fmt: skip


def test_standard_namespaces_are_listed_in_every_sandbox(emulator: EmulatorHandle) -> None:
    for sandbox in ("prod", "dev", None):
        listed = {ns["code"]: ns for ns in call(emulator, "GET", sandbox=sandbox).json()}
        assert {code: listed[code]["id"] for code in DOCUMENTED_STANDARD if code in listed} == DOCUMENTED_STANDARD
        assert all(listed[code]["custom"] is False for code in DOCUMENTED_STANDARD)
        assert listed["ECID"]["idType"] == "COOKIE"  # list-namespaces.md
        assert "CRMID" not in listed  # a CRM id is a custom namespace (namespaces.md's standard table has none)


def test_a_custom_namespace_is_created_read_and_listed_in_its_sandbox_only(emulator: EmulatorHandle) -> None:
    created = call(emulator, "POST", json=LOYALTY, sandbox="dev")
    assert created.status_code == 200, created.text
    body = created.json()
    assert {k: body[k] for k in LOYALTY} == LOYALTY and body["custom"] is True and body["status"] == "ACTIVE"
    assert call(emulator, "GET", f"{NAMESPACES}/{body['id']}", sandbox="dev").json() == body
    assert call(emulator, "GET", f"{NAMESPACES}/{body['id']}", sandbox="prod").status_code == 404
    assert "Loyalty" not in {ns["code"] for ns in call(emulator, "GET", sandbox="prod").json()}


def test_without_a_sandbox_header_the_default_production_sandbox_is_used(emulator: EmulatorHandle) -> None:
    made = call(emulator, "POST", json=LOYALTY, sandbox=None).json()
    assert call(emulator, "GET", f"{NAMESPACES}/{made['id']}", sandbox="prod").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "report_code"),
    [
        ({**LOYALTY, "code": "Loyalty"}, 409, "INTEGRATION_CODE_EXISTS"),
        ({**LOYALTY, "code": "ecid"}, 409, "INTEGRATION_CODE_EXISTS"),
        ({**LOYALTY, "code": "Loyalty-ID"}, 400, "INVALID_REQUEST_PARAMS"),
        ({**LOYALTY, "code": "Other", "idType": "Person"}, 400, "INVALID_REQUEST_PARAMS"),
        ({"code": "Other", "idType": "Email"}, 400, "INVALID_REQUEST_PARAMS"),
    ],
)
def test_create_refusals_carry_the_documented_codes(
    emulator: EmulatorHandle, body: dict[str, Any], status: int, report_code: str
) -> None:
    assert call(emulator, "POST", json=LOYALTY).status_code == 200
    answer = call(emulator, "POST", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["report"]["code"] == report_code
    assert answer.json()["type"] == "http://ns.adobe.com/adobecloud/problem/namespacevalidation"


def test_update_changes_name_and_description_only(emulator: EmulatorHandle) -> None:
    made = call(emulator, "POST", json=LOYALTY).json()
    path = f"{NAMESPACES}/{made['id']}"
    answer = call(emulator, "PUT", path, json={**LOYALTY, "name": "Members", "idType": "CROSS_DEVICE"})
    assert answer.status_code == 200 and answer.json()[0]["name"] == "Members"  # the spec answers an array
    for change in ({"code": "Members"}, {"idType": "Email"}):
        refused = call(emulator, "PUT", path, json={**LOYALTY, **change})
        assert refused.status_code == 400
        assert refused.json()["description"] == "code and idType are non editable fields"
    assert call(emulator, "GET", path).json()["name"] == "Members"


@pytest.mark.parametrize(("method", "path"), [("GET", f"{NAMESPACES}/99"), ("PUT", f"{NAMESPACES}/99"), ("GET", f"{NAMESPACES}/x")])
def test_unknown_namespaces_are_not_found(emulator: EmulatorHandle, method: str, path: str) -> None:
    answer = call(emulator, method, path, json=LOYALTY)
    assert answer.status_code == 404 and answer.json()["error"] == "NAMESPACE_NOT_FOUND"


def test_standard_namespaces_cannot_be_updated_and_unknown_sandboxes_are_refused(emulator: EmulatorHandle) -> None:
    answer = call(emulator, "PUT", f"{NAMESPACES}/4", json={"name": "x", "code": "ECID", "idType": "COOKIE"})
    assert answer.status_code == 400
    assert call(emulator, "GET", sandbox="qa").status_code == 404


def test_the_gateway_checks_apply(emulator: EmulatorHandle) -> None:
    answer = requests.get(emulator.url(NAMESPACES), headers={"x-api-key": emulator.config.client_id}, timeout=10)
    assert answer.status_code == 403
