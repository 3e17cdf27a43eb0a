"""The Adobe I/O gateway in front of every AEP path, and the IMS token endpoint (aep-api.md §1.3, §2)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.testing import EmulatorHandle, aep_headers, fetch_token, running_emulator
from tests.emulator.probe import PROBE

Headers = dict[str, str]


def without(name: str) -> Callable[[Headers], Headers]:
    return lambda headers: {k: v for k, v in headers.items() if k != name}


def replacing(name: str, value: str) -> Callable[[Headers], Headers]:
    return lambda headers: {**headers, name: value}


def gateway_error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"error_code": code, "message": message}


MISSING_TOKEN = gateway_error(403, "403010", "Oauth token is missing.")
BAD_TOKEN = gateway_error(401, "401013", "Oauth token is not valid")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(without("Authorization"), MISSING_TOKEN, id="missing-token"),
        pytest.param(replacing("Authorization", ""), MISSING_TOKEN, id="empty-token"),
        pytest.param(replacing("Authorization", "Bearer not-a-token"), BAD_TOKEN, id="unknown-token"),
        pytest.param(replacing("Authorization", "Basic dXNlcjpwYXNz"), BAD_TOKEN, id="not-bearer"),
        pytest.param(replacing("Authorization", "Bearer "), BAD_TOKEN, id="bearer-nothing"),
        pytest.param(without("x-api-key"), gateway_error(403, "403000", "Api Key is required"), id="missing-api-key"),
        pytest.param(
            replacing("x-api-key", "someone-else"), gateway_error(403, "403003", "Api Key is invalid"), id="bad-api-key"
        ),
        pytest.param(without("x-gw-ims-org-id"), gateway_error(400, "400003", "Missing header"), id="missing-org"),
        pytest.param(
            replacing("x-gw-ims-org-id", "EMULATOR0000000000000000"),
            gateway_error(403, "403027", "User region is missing"),
            id="malformed-org",
        ),
        pytest.param(
            replacing("x-gw-ims-org-id", "5C1328435BF324E90A49402A@AdobeOrg"),
            gateway_error(403, "403025", "Profile is not valid"),
            id="foreign-org",
        ),
        pytest.param(
            lambda h: without("x-api-key")(without("Authorization")(h)), MISSING_TOKEN, id="token-checked-first"
        ),
        pytest.param(
            lambda h: without("x-gw-ims-org-id")(replacing("x-api-key", "x")(h)),
            gateway_error(403, "403003", "Api Key is invalid"),
            id="api-key-before-org",
        ),
    ],
)
def test_gateway_refusals(emu: EmulatorHandle, change: Callable[[Headers], Headers], expected: tuple) -> None:
    status, body = expected
    answer = requests.get(emu.url(f"{PROBE}/items/x"), headers=change(emu.headers()), timeout=10)
    assert (answer.status_code, answer.json()) == (status, body)


def test_expired_token_is_401013(emu: EmulatorHandle) -> None:
    stale = emu.headers()
    emu.expire_tokens()
    answer = requests.get(emu.url(f"{PROBE}/items/x"), headers=stale, timeout=10)
    assert (answer.status_code, answer.json()) == BAD_TOKEN


def test_token_expires_after_its_lifetime() -> None:
    with running_emulator(EmulatorConfig(token_lifetime_seconds=1)) as short:
        token = fetch_token(short.base_url, short.config)
        path = short.url("/data/foundation/catalog/dataSets")
        assert requests.get(path, headers=aep_headers(short.config, token), timeout=10).status_code != 401
        time.sleep(1.2)
        answer = requests.get(path, headers=aep_headers(short.config, token), timeout=10)
        assert (answer.status_code, answer.json()) == BAD_TOKEN


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_body_without_a_json_content_type_is_a_problem_400(emu: EmulatorHandle, method: str, content_type: str) -> None:
    headers = emu.headers(**{"Content-Type": content_type})
    answer = requests.request(method, emu.url(f"{PROBE}/items"), data=b'{"a": 1}', headers=headers, timeout=10)
    assert answer.status_code == 400
    assert answer.json() == {
        "type": "/placeholder/type/uri",
        "status": 400,
        "title": "BadRequestError",
        "detail": "A valid content-type must be specified",
    }


def test_missing_content_type_on_a_body_is_refused(emu: EmulatorHandle) -> None:
    headers = without("Content-Type")(emu.headers())
    answer = requests.post(emu.url(f"{PROBE}/items"), data=b'{"a": 1}', headers=headers, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["detail"] == "A valid content-type must be specified"


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/json-patch+json"]
)
def test_json_content_types_pass_the_gateway(emu: EmulatorHandle, content_type: str) -> None:
    headers = emu.headers(**{"Content-Type": content_type})
    answer = requests.post(emu.url(f"{PROBE}/items"), data=b'{"a": 1}', headers=headers, timeout=10)
    assert answer.status_code == 201


def test_valid_headers_reach_the_service(emu: EmulatorHandle) -> None:
    answer = requests.get(emu.url(f"{PROBE}/items/nothing"), headers=emu.headers(), timeout=10)
    assert answer.status_code == 404
    assert answer.json()["title"] == "NotFoundError"  # the service answered, not the gateway


@pytest.mark.parametrize("service", ["schemaregistry", "catalog", "flowservice", "conversion"])
def test_every_service_sits_behind_the_gateway(emulator: EmulatorHandle, service: str) -> None:
    answer = requests.get(emulator.url(f"/data/foundation/{service}/anything"), timeout=10)
    assert (answer.status_code, answer.json()) == MISSING_TOKEN


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/data/foundation/schemaregistry/tenant/schemas", "application/vnd.adobe.xed-id+json"),
        ("/data/foundation/schemaregistry/global/classes", "application/vnd.adobe.xed-id+json"),
        ("/data/foundation/catalog/dataSets", None),
        ("/data/foundation/flowservice/connectionSpecs", None),
        ("/data/foundation/flowservice/flows", None),
        ("/data/foundation/conversion/mappingSets", None),
    ],
)
def test_a_trailing_slash_is_accepted_on_every_service(emulator: EmulatorHandle, path: str, accept: str | None) -> None:
    """Clients send ``/tenant/schemas/``, ``/dataSets/``, ``/connectionSpecs/``; the platform answers them
    as without the slash (aep-api.md, corrections)."""
    headers = emulator.headers(**({"Accept": accept} if accept else {}))
    plain = requests.get(emulator.url(path), headers=headers, timeout=10)
    slashed = requests.get(emulator.url(path + "/"), headers=headers, timeout=10, allow_redirects=False)
    assert (plain.status_code, slashed.status_code) == (200, 200), slashed.text
    assert slashed.json() == plain.json()


def test_a_trailing_slash_is_accepted_on_a_lookup_and_a_write(emulator: EmulatorHandle) -> None:
    schemas = "/data/foundation/schemaregistry/tenant/schemas/"
    body = {"type": "object", "title": "Slashed", "description": "", "allOf": [{"$ref": "https://ns.adobe.com/xdm/context/profile"}]}
    created = requests.post(emulator.url(schemas), json=body, headers=emulator.headers(), timeout=10, allow_redirects=False)
    assert created.status_code == 201, created.text
    alt_id = created.json()["meta:altId"]
    accept = {"Accept": "application/vnd.adobe.xed+json; version=1"}
    found = requests.get(emulator.url(f"{schemas}{alt_id}/"), headers=emulator.headers(**accept), timeout=10,
                         allow_redirects=False)
    assert (found.status_code, found.json()["$id"]) == (200, created.json()["$id"])


# --- IMS ----------------------------------------------------------------------------------------


def ims_form(config: EmulatorConfig, **changes: str | None) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "scope": "openid,AdobeID,read_organizations",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_ims_token_success_shape(emulator: EmulatorHandle) -> None:
    answer = requests.post(emulator.url("/ims/token/v3"), data=ims_form(emulator.config), timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert list(body) == ["access_token", "token_type", "expires_in"]
    assert isinstance(body["access_token"], str) and len(body["access_token"]) > 20
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399  # seconds, about 24 h


def test_ims_accepts_parameters_in_the_query_string(emulator: EmulatorHandle) -> None:
    answer = requests.post(emulator.url("/ims/token/v3"), params=ims_form(emulator.config), timeout=10)
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_secret": None}, 401, "invalid_client"),
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"client_id": None}, 400, "invalid_request"),
        ({"grant_type": None}, 400, "unsupported_grant_type"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_ims_refusals(emulator: EmulatorHandle, changes: dict, status: int, error: str) -> None:
    answer = requests.post(emulator.url("/ims/token/v3"), data=ims_form(emulator.config, **changes), timeout=10)
    assert answer.status_code == status
    assert answer.json()["error"] == error
    assert "access_token" not in answer.json()


def test_a_refused_token_request_issues_nothing(emulator: EmulatorHandle) -> None:
    before = len(emulator.objects("ims.tokens"))
    requests.post(emulator.url("/ims/token/v3"), data=ims_form(emulator.config, client_secret="x"), timeout=10)
    assert len(emulator.objects("ims.tokens")) == before


@pytest.mark.parametrize(
    "how",
    ["query", "form", "client_id_in_query", "multipart"],
)
def test_ims_token_v2_as_adobes_samples_send_it(emulator: EmulatorHandle, how: str) -> None:
    """``/ims/token/v2`` (aep-api.md §2: Adobe's Postman IMS collection and API samples still call it):
    parameters in the query string, client_id there and the rest form-encoded, or a multipart form
    (aio-lib-ims)."""
    form = ims_form(emulator.config)
    url = emulator.url("/ims/token/v2")
    if how == "query":
        answer = requests.post(url, params=form, timeout=10)
    elif how == "form":
        answer = requests.post(url, data=form, timeout=10)
    elif how == "client_id_in_query":
        rest = {k: v for k, v in form.items() if k != "client_id"}
        answer = requests.post(url, params={"client_id": form["client_id"]}, data=rest, timeout=10)
    else:
        answer = requests.post(url, files={k: (None, v) for k, v in form.items()}, timeout=10)
    assert answer.status_code == 200, answer.text
    token = answer.json()["access_token"]
    assert emulator.request("GET", "/data/foundation/catalog/dataSets", headers={"Authorization": f"Bearer {token}"}).ok
    refused = requests.post(url, params={**form, "client_secret": "wrong"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
