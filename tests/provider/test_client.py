"""The HTTP client against the emulator: headers, retries, no duplicate creates, token refresh, errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from aep_emulator.testing import EmulatorHandle
from aep_provider.client import (
    CATALOG,
    MAX_RETRIES,
    MAX_RETRY_AFTER,
    AEPClient,
    AEPRetry,
    ApiResponse,
    ims_retry_policy,
    retry_policy,
)
from aep_provider.dataset import _created_id
from aep_provider.errors import AEPApiError, AmbiguousWriteError, parse_error_body
from aep_provider.ims import TOKENS
from aep_provider.settings import Settings

DATASETS = CATALOG + "/dataSets"
DATASET_ROUTE = "/data/foundation/catalog/dataSets/<dataset_id>"
DATASETS_ROUTE = "/data/foundation/catalog/dataSets"
SCHEMAS = "/data/foundation/schemaregistry/tenant/schemas"
PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"


@pytest.fixture
def schema_id(emulator: EmulatorHandle) -> str:
    """A schema made with plain HTTP, so these tests depend on the client alone."""
    body = {"type": "object", "title": "Client test schema", "description": "", "allOf": [{"$ref": PROFILE_CLASS}]}
    answer = requests.post(emulator.url(SCHEMAS), json=body, headers=emulator.headers(), timeout=10)
    answer.raise_for_status()
    return answer.json()["$id"]


def dataset_body(schema_id: str, name: str = "client-test") -> dict[str, Any]:
    return {"name": name, "schemaRef": {"id": schema_id, "contentType": "application/vnd.adobe.xed+json;version=1"}}


def stored_datasets(emulator: EmulatorHandle) -> list[dict[str, Any]]:
    return emulator.objects("catalog.dataSets")


class Lookup:
    """A ``find_existing`` that records its calls and finds datasets by name."""

    def __init__(self, client: AEPClient, name: str, sandbox: str = "prod") -> None:
        self.client, self.name, self.sandbox, self.calls = client, name, sandbox, 0

    def __call__(self) -> str | None:
        self.calls += 1
        listing = self.client.get(DATASETS, sandbox=self.sandbox, params={"property": f"name=={self.name}"}) or {}
        return next(iter(listing), None)


def create_dataset(client: AEPClient, schema_id: str, name: str = "client-test") -> tuple[str, Lookup]:
    lookup = Lookup(client, name)
    dataset_id = client.create(DATASETS, dataset_body(schema_id, name), lookup, sandbox="prod", id_of=_created_id)
    return dataset_id, lookup


# --- headers and sandboxes -------------------------------------------------------------------


def test_each_call_targets_its_own_sandbox(client: AEPClient, emulator: EmulatorHandle) -> None:
    body = {"type": "object", "title": "Dev schema", "description": "", "allOf": [{"$ref": PROFILE_CLASS}]}
    dev_schema = client.request("POST", SCHEMAS, sandbox="dev", body=body).body["$id"]
    dataset_id = client.create(
        DATASETS, dataset_body(dev_schema), lambda: None, sandbox="dev", id_of=_created_id
    )
    assert client.get(f"{DATASETS}/{dataset_id}", sandbox="dev")
    assert client.get(f"{DATASETS}/{dataset_id}", sandbox="prod") is None
    assert emulator.calls("POST", DATASETS_ROUTE, 201) == 1


# --- retries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "failed_status"),
    [
        ({"action": "status", "status": 429, "retry_after": 1}, 429),
        ({"action": "status", "status": 503}, 503),
        ({"action": "status", "status": 502}, 502),
        ({"action": "status", "status": 504}, 504),
        ({"action": "status", "status": 500}, 500),  # help/landing/troubleshooting.md: a 500 may be a limit
        ({"action": "reset"}, 0),
    ],
    ids=["429-retry-after", "503", "502", "504", "500", "connection-reset"],
)
def test_reads_are_retried(
    client: AEPClient, emulator: EmulatorHandle, schema_id: str, fault: dict[str, Any], failed_status: int
) -> None:
    dataset_id, _ = create_dataset(client, schema_id)
    emulator.inject_fault(method="GET", route=DATASET_ROUTE, count=1, **fault)
    started = time.monotonic()
    assert dataset_id in client.get(f"{DATASETS}/{dataset_id}", sandbox="prod")
    assert emulator.calls("GET", DATASET_ROUTE, failed_status) == 1
    assert emulator.calls("GET", DATASET_ROUTE, 200) == 1
    if "retry_after" in fault:
        assert time.monotonic() - started >= fault["retry_after"]


@pytest.mark.parametrize("status", [429, 503])
def test_creates_are_resent_when_refused_before_processing(
    client: AEPClient, emulator: EmulatorHandle, schema_id: str, status: int
) -> None:
    emulator.inject_fault(method="POST", route=DATASETS_ROUTE, action="status", status=status, retry_after=0, count=1)
    dataset_id, lookup = create_dataset(client, schema_id)
    assert lookup.calls == 0  # nothing ambiguous: the platform refused before doing anything
    assert [d["id"] for d in stored_datasets(emulator)] == [dataset_id]
    assert emulator.calls("POST", DATASETS_ROUTE, 201) == 1


def test_a_500_on_a_write_is_not_resent(client: AEPClient, emulator: EmulatorHandle, schema_id: str) -> None:
    emulator.inject_fault(method="POST", route=DATASETS_ROUTE, action="status", status=500, count=1)
    with pytest.raises(AEPApiError) as caught:
        create_dataset(client, schema_id)
    assert caught.value.status == 500 and not isinstance(caught.value, AmbiguousWriteError)
    assert emulator.calls("POST", DATASETS_ROUTE) == 1


@pytest.mark.parametrize(
    ("fault", "posts"),
    [
        ({"action": "drop_after_commit"}, 1),  # committed, answer lost: found, never re-sent
        ({"action": "status", "status": 502}, 2),  # not processed: not found, re-sent once
        ({"action": "status", "status": 504}, 2),
        ({"action": "reset"}, 2),
    ],
    ids=["drop-after-commit", "502", "504", "connection-reset"],
)
def test_ambiguous_create_never_duplicates(
    client: AEPClient, emulator: EmulatorHandle, schema_id: str, fault: dict[str, Any], posts: int
) -> None:
    emulator.inject_fault(method="POST", route=DATASETS_ROUTE, count=1, **fault)
    dataset_id, lookup = create_dataset(client, schema_id)
    assert lookup.calls == 1
    assert [d["id"] for d in stored_datasets(emulator)] == [dataset_id]
    assert emulator.calls("POST", DATASETS_ROUTE) == posts


def test_ambiguous_create_gives_up_after_bounded_attempts(
    emulator: EmulatorHandle, settings: Settings, schema_id: str
) -> None:
    client = AEPClient(settings, sleep=lambda _: None)
    emulator.inject_fault(method="POST", route=DATASETS_ROUTE, action="status", status=502)
    with pytest.raises(AmbiguousWriteError):
        create_dataset(client, schema_id)
    assert emulator.calls("POST", DATASETS_ROUTE, 502) == 3
    assert stored_datasets(emulator) == []


@pytest.mark.parametrize(
    ("fault", "patches"),
    [({"action": "drop_after_commit"}, 1), ({"action": "status", "status": 502}, 2), ({"action": "reset"}, 2)],
    ids=["drop-after-commit", "502", "connection-reset"],
)
def test_ambiguous_patch_is_settled_by_rereading(
    client: AEPClient, emulator: EmulatorHandle, schema_id: str, fault: dict[str, Any], patches: int
) -> None:
    dataset_id, _ = create_dataset(client, schema_id)
    path = f"{DATASETS}/{dataset_id}"

    def renamed() -> bool:
        return client.get(path, sandbox="prod")[dataset_id]["name"] == "renamed"

    emulator.inject_fault(method="PATCH", route=DATASET_ROUTE, count=1, **fault)
    client.write("PATCH", path, {"name": "renamed"}, sandbox="prod", if_match="1.0.0", is_applied=renamed)
    dataset = client.get(path, sandbox="prod")[dataset_id]
    assert (dataset["name"], dataset["version"]) == ("renamed", "1.0.1")  # applied exactly once
    assert emulator.calls("PATCH", DATASET_ROUTE) == patches


def test_412_after_a_lost_patch_answer_is_settled_by_rereading(
    client: AEPClient, emulator: EmulatorHandle, schema_id: str
) -> None:
    dataset_id, _ = create_dataset(client, schema_id)
    path = f"{DATASETS}/{dataset_id}"
    checks: list[bool] = []

    def renamed() -> bool:
        # First look: pretend the change is not visible yet, so the client re-sends (and meets 412).
        done = bool(checks) and client.get(path, sandbox="prod")[dataset_id]["name"] == "renamed"
        checks.append(done)
        return done

    emulator.inject_fault(method="PATCH", route=DATASET_ROUTE, action="drop_after_commit", count=1)
    assert client.write("PATCH", path, {"name": "renamed"}, sandbox="prod", if_match="1.0.0", is_applied=renamed) is None
    assert emulator.calls("PATCH", DATASET_ROUTE, 412) == 1
    assert checks == [False, True]


# --- tokens ----------------------------------------------------------------------------------


def test_token_is_fetched_once_and_refreshed_once_after_401(
    client: AEPClient, emulator: EmulatorHandle
) -> None:
    client.get(DATASETS, sandbox="prod")
    client.get(DATASETS, sandbox="prod")
    assert emulator.calls("POST", "/ims/token/v3", 200) == 1
    emulator.expire_tokens()
    assert client.get(DATASETS, sandbox="prod") == {}
    assert emulator.calls("POST", "/ims/token/v3", 200) == 2
    assert emulator.calls("GET", DATASETS_ROUTE, 401) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"action": "status", "status": 503, "retry_after": 0},
        {"action": "status", "status": 502},
        {"action": "status", "status": 504},
        {"action": "reset"},
        {"action": "drop_after_commit"},
    ],
    ids=["503", "502", "504", "connection-reset", "answer-lost"],
)
def test_token_fetch_is_retried_when_the_answer_is_lost(
    client: AEPClient, emulator: EmulatorHandle, fault: dict[str, Any]
) -> None:
    emulator.inject_fault(method="POST", route="/ims/token/v3", count=1, **fault)
    assert client.get(DATASETS, sandbox="prod") == {}
    assert emulator.calls("POST", "/ims/token/v3") == 2
    assert emulator.calls("POST", "/ims/token/v3", 200) == (2 if fault["action"] == "drop_after_commit" else 1)


def test_token_fetch_gives_up_after_bounded_attempts(settings: Settings, emulator: EmulatorHandle) -> None:
    session = requests.Session()  # the IMS policy without its pauses, so the bound is quick to see
    session.mount("http://", HTTPAdapter(max_retries=ims_retry_policy().new(backoff_factor=0, backoff_jitter=0)))
    client = AEPClient(settings, ims_session=session)
    emulator.inject_fault(method="POST", route="/ims/token/v3", action="status", status=502)
    with pytest.raises(AEPApiError) as caught:
        client.get(DATASETS, sandbox="prod")
    assert caught.value.status == 502
    assert emulator.calls("POST", "/ims/token/v3") == 1 + MAX_RETRIES
    assert emulator.calls("GET", DATASETS_ROUTE) == 0


def test_token_fetch_is_not_retried_when_refused(stack_config: dict[str, str], emulator: EmulatorHandle) -> None:
    client = AEPClient(Settings.from_config({**stack_config, "aep:clientSecret": "wrong"}.get))
    with pytest.raises(AEPApiError):
        client.get(DATASETS, sandbox="prod")
    assert emulator.calls("POST", "/ims/token/v3", 401) == 1


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "accept", "code", "title"),
    [
        # Catalog documents no error code: its generic body gives title, detail and request id alone.
        (f"{DATASETS}/000000000000000000000000", None, None, "Not found"),
        (f"{SCHEMAS}/_emulator.schemas.0000", "application/vnd.adobe.xed+json; version=1", "XDM-1012-404",
         "Resource not found"),
    ],
    ids=["catalog", "schema-registry"],
)
def test_errors_carry_aep_code_title_detail_request_id_and_no_secret(
    client: AEPClient, emulator: EmulatorHandle, path: str, accept: str | None, code: str | None, title: str
) -> None:
    with pytest.raises(AEPApiError) as caught:
        client.request("GET", path, sandbox="prod", accept=accept)
    error = caught.value
    assert (error.status, error.code, error.title, error.method, error.path) == (404, code, title, "GET", path)
    assert error.detail and error.request_id
    text = f"{error} {error!r} {error.args}"
    for part in (code, title, error.detail, error.request_id, path):
        assert part is None or part in str(error)
    token = TOKENS.get(client.settings, client.ims_session)
    assert token not in text and emulator.config.client_secret not in text


def test_bad_client_secret_names_the_setting_not_the_value(stack_config: dict[str, str]) -> None:
    wrong = "definitely-wrong-secret"
    client = AEPClient(Settings.from_config({**stack_config, "aep:clientSecret": wrong}.get))
    with pytest.raises(AEPApiError) as caught:
        client.get(DATASETS, sandbox="prod")
    assert caught.value.status == 401 and caught.value.code == "invalid_client"
    assert "aep:clientSecret" in str(caught.value) and wrong not in str(caught.value)


# --- units: retry policy, error parsing, transport errors ------------------------------------


@pytest.mark.parametrize(
    ("method", "status", "retried"),
    [
        ("GET", 429, True), ("GET", 502, True), ("GET", 503, True), ("GET", 504, True), ("GET", 500, True),
        ("HEAD", 500, True), ("PUT", 500, False), ("DELETE", 500, False), ("PATCH", 500, False),
        ("POST", 500, False), ("GET", 400, False), ("GET", 404, False), ("GET", 501, False),
        ("PUT", 502, True), ("DELETE", 504, True),
        ("POST", 429, True), ("POST", 503, True), ("POST", 502, False), ("POST", 504, False),
        ("PATCH", 429, True), ("PATCH", 503, True), ("PATCH", 502, False), ("PATCH", 504, False),
    ],
)  # fmt: skip
def test_retry_policy_by_method_and_status(method: str, status: int, retried: bool) -> None:
    assert retry_policy().is_retry(method, status) is retried


@pytest.mark.parametrize(
    ("status", "retried"), [(429, True), (500, False), (502, True), (503, True), (504, True), (400, False), (401, False)]
)
def test_ims_retry_policy_resends_token_posts(status: int, retried: bool) -> None:
    assert ims_retry_policy().is_retry("POST", status) is retried


def test_retry_after_is_capped() -> None:
    answer = SimpleNamespace(headers={"Retry-After": "3600"})
    assert AEPRetry(total=1).get_retry_after(answer) == MAX_RETRY_AFTER


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"type": "http://ns.adobe.com/aep/errors/XDM-1521-400", "title": "Title not unique", "status": 400,
             "report": {"registryRequestId": "r-1", "detailed-message": "dup"}, "detail": "dup"},
            {"code": "XDM-1521-400", "title": "Title not unique", "detail": "dup", "request_id": "r-1"},
        ),
        (
            {"type": "https://ns.adobe.com/aep/errors/FLOW-1439-404", "title": "Resource not found", "status": 404,
             "report": {"detailed-message": "no flow", "request-id": "r-2"}, "errorMessage": "no flow"},
            {"code": "FLOW-1439-404", "title": "Resource not found", "detail": "no flow", "request_id": "r-2"},
        ),
        ({"error_code": "401013", "message": "Oauth token is not valid"},
         {"code": "401013", "detail": "Oauth token is not valid"}),
        ({"error": "invalid_client", "error_description": "bad secret"},
         {"code": "invalid_client", "detail": "bad secret"}),
        ({"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": "bad"},
         {"title": "BadRequestError", "detail": "bad"}),
        ([{"code": "DP-1", "message": "invalid mapping"}], {"code": "DP-1", "detail": "invalid mapping"}),
        ({"code": "1418-400", "message": "in use"}, {"code": "1418-400", "detail": "in use"}),
        ({"errorCode": "FLOW-1418-400", "errorMessage": "in use"}, {"code": "FLOW-1418-400", "detail": "in use"}),
        ({"title": "Bad request", "report": {"code": "1418-400", "detailed-message": "in use", "request-id": "r-3"}},
         {"code": "1418-400", "title": "Bad request", "detail": "in use", "request_id": "r-3"}),
        ({"type": "http://ns.adobe.com/aep/errors/INSGHT-1000-400", "title": "Bad", "status": 400,
          "error-chain": [{"serviceId": "INSGHT", "errorCode": "INSGHT-1000-400"}]},
         {"code": "INSGHT-1000-400", "title": "Bad"}),
        ({"title": "Bad", "error-chain": [{"serviceId": "INSGHT", "errorCode": "INSGHT-1000-400"}]},
         {"code": "INSGHT-1000-400", "title": "Bad"}),
        ("<html>Bad gateway</html>", {"detail": "<html>Bad gateway</html>"}),
        (None, {}),
    ],
    ids=["xdm", "flow", "gateway", "ims", "legacy-problem", "list", "bare-code", "errorCode", "report-code",
         "type-and-chain", "error-chain", "html", "empty"],
)  # fmt: skip
def test_error_bodies_of_every_service_are_understood(body: Any, expected: dict[str, str]) -> None:
    assert parse_error_body(body) == expected


@pytest.mark.parametrize(
    ("body", "codes", "matches"),
    [
        ({"type": "https://ns.adobe.com/aep/errors/FLOW-1418-400"}, {"1418-400"}, True),
        ({"code": "1418-400"}, {"FLOW-1418-400"}, True),
        ({"errorCode": "FLOW-1418-400"}, {"1418-400"}, True),
        ({"report": {"code": "1418-400"}}, {"1418-400"}, True),
        ({"type": "https://ns.adobe.com/aep/errors/FLOW-1447-400"}, {"1418-400", "1447-400"}, True),
        ({"type": "https://ns.adobe.com/aep/errors/FLOW-1418-404"}, {"1418-400"}, False),  # another status
        ({"type": "https://ns.adobe.com/aep/errors/FLOW-11418-400"}, {"1418-400"}, False),  # another number
        ({"code": "1439-404"}, {"1418-400"}, False),
        ({"error_code": "401013"}, {"401013"}, True),
        ({"error": "invalid_client"}, {"1418-400"}, False),
        ({"type": "/placeholder/type/uri", "title": "Resource cannot be deleted"}, {"1418-400"}, False),
        ({}, {"1418-400"}, False),
    ],
)  # fmt: skip
def test_codes_compare_by_number_whatever_the_envelope(body: Any, codes: set[str], matches: bool) -> None:
    error = AEPApiError.from_response(status=400, method="DELETE", path="/x", body=body, headers={})
    assert error.has_code(codes) is matches


@pytest.mark.parametrize(
    ("method", "exc", "ambiguous"),
    [
        ("POST", requests.ConnectionError(ProtocolError("Connection aborted")), True),
        ("PATCH", requests.exceptions.ReadTimeout("read timed out"), True),
        ("POST", requests.ConnectionError(MaxRetryError(None, "/x", NewConnectionError(None, "refused"))), False),
        ("POST", requests.exceptions.ConnectTimeout("connect timed out"), False),
        ("GET", requests.ConnectionError(ProtocolError("Connection aborted")), False),
    ],
    ids=["post-reset", "patch-read-timeout", "post-refused", "post-connect-timeout", "get-reset"],
)
def test_only_writes_that_may_have_happened_are_ambiguous(
    settings: Settings, method: str, exc: requests.RequestException, ambiguous: bool
) -> None:
    error = AEPClient(settings)._transport_error(method, "/data/foundation/x", exc)
    assert isinstance(error, AmbiguousWriteError) is ambiguous
    assert error.status == 0 and settings.endpoint in str(error)


def test_write_without_ambiguity_raises_plain_errors(client: AEPClient, schema_id: str) -> None:
    never: Callable[[], bool] = lambda: pytest.fail("is_applied must not be asked")  # noqa: E731
    with pytest.raises(AEPApiError) as caught:
        client.write("PATCH", f"{DATASETS}/000000000000000000000000", {"name": "x"}, sandbox="prod", is_applied=never)
    assert caught.value.status == 404 and not isinstance(caught.value, AmbiguousWriteError)


def test_created_id_rejects_unexpected_answers() -> None:
    assert _created_id(ApiResponse(201, ["@/dataSets/abc"])) == "abc"
    with pytest.raises(Exception, match="unexpected answer"):
        _created_id(ApiResponse(201, {"id": "abc"}))
