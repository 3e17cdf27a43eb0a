"""Sandbox Management and the sandbox tooling API of the emulator, as help/sandboxes/api/sandboxes.md,
help/sandboxes/api/appendix.md and help/sandboxes/sandbox-tooling-api/*.md describe them; answers are
checked against sandbox.yaml where the spec and the docs agree."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from openapi_core import Config, OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.testing import EmulatorHandle, running_emulator
from tests.emulator.openapi_check import PLATFORM, load_spec

SMS = "/data/foundation/sandbox-management"
EXIM = "/data/foundation/exim"
DATASETS = "/data/foundation/catalog/dataSets"
DELAY = 0.3  # sandbox_transition_seconds of this module's emulator


@pytest.fixture(scope="module")
def sms_server() -> Iterator[EmulatorHandle]:
    with running_emulator(EmulatorConfig(sandbox_transition_seconds=DELAY)) as handle:
        yield handle


@pytest.fixture
def emu(sms_server: EmulatorHandle) -> EmulatorHandle:
    sms_server.reset()
    return sms_server


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    return emu.request(method, path, **kwargs)


def create_sandbox(emu: EmulatorHandle, name: str, kind: str = "development", wait: bool = True) -> dict[str, Any]:
    answer = call(emu, "POST", f"{SMS}/sandboxes", json={"name": name, "title": name.title(), "type": kind})
    assert answer.status_code == 202, answer.text
    if wait:
        time.sleep(DELAY + 0.1)
    return answer.json()


def sandbox(emu: EmulatorHandle, name: str) -> dict[str, Any]:
    answer = call(emu, "GET", f"{SMS}/sandboxes/{name}", sandbox=None)
    assert answer.status_code == 200, answer.text
    return answer.json()


def make_schema(emu: EmulatorHandle, sandbox_name: str) -> dict[str, Any]:
    body = {"title": f"T {time.time()}", "type": "object", "allOf": [{"$ref": "https://ns.adobe.com/xdm/context/profile"}]}
    answer = call(emu, "POST", "/data/foundation/schemaregistry/tenant/schemas", json=body, sandbox=sandbox_name,
                  headers={"Accept": "application/vnd.adobe.xed+json"})  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()


def make_dataset(emu: EmulatorHandle, sandbox_name: str) -> str:
    schema_id = make_schema(emu, sandbox_name)["$id"]
    body = {"name": "d", "schemaRef": {"id": schema_id, "contentType": "application/vnd.adobe.xed+json;version=1"}}
    answer = call(emu, "POST", DATASETS, json=body, sandbox=sandbox_name)
    assert answer.status_code == 201, answer.text
    return answer.json()[0].rsplit("/", 1)[-1]


def dataset_status(emu: EmulatorHandle, sandbox_name: str, dataset_id: str) -> int:
    return call(emu, "GET", f"{DATASETS}/{dataset_id}", sandbox=sandbox_name).status_code


_OPENAPI: OpenAPI | None = None


def assert_matches_spec(answer: requests.Response) -> None:
    """The answer matches sandbox.yaml's documented response for its operation."""
    global _OPENAPI
    if _OPENAPI is None:
        spec = copy.deepcopy(load_spec("sandbox.yaml"))
        for schema in spec["components"]["schemas"].values():
            # Spec defect: the dates are declared date-time, but every documented answer shows
            # "2019-09-04 04:57:24" (help/sandboxes/api/sandboxes.md), which the emulator follows.
            for prop in schema.get("properties", {}).values():
                if prop.get("format") == "date-time":
                    del prop["format"]
        # Spec defect: PUT /exim/packages answers oneOf three identical schemas, which no answer can
        # satisfy (valid under each); the first stands for all three.
        answer_201 = spec["paths"]["/exim/packages"]["put"]["responses"]["201"]["content"]["application/json"]
        answer_201["schema"] = answer_201["schema"]["oneOf"][0]
        # Spec defect: POST /exim/packages/{packageID}/children points at CreatePackageResponse although the
        # spec's own DependentObjectsResponse ("a list of children for the objects") describes that answer.
        children = spec["paths"]["/exim/packages/{packageID}/children"]["post"]["responses"]["201"]
        children["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/DependentObjectsResponse"}
        spec["servers"] = [{"url": PLATFORM + "/data/foundation"}]
        _OPENAPI = OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))
    prepared = answer.request.copy()
    url = urlsplit(prepared.url)
    prepared.url = PLATFORM + url.path + (f"?{url.query}" if url.query else "")
    _OPENAPI.validate_response(RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(answer))


# --- sandboxes ------------------------------------------------------------------------------------


def test_the_configured_sandboxes_are_listed_with_the_documented_fields(emu: EmulatorHandle) -> None:
    answer = call(emu, "GET", f"{SMS}/sandboxes", sandbox=None)
    assert answer.status_code == 200
    listed = {s["name"]: s for s in answer.json()["sandboxes"]}
    assert list(listed) == list(emu.config.sandboxes)
    assert listed["prod"]["type"] == "production" and listed["prod"]["isDefault"] is True
    assert listed["dev"]["type"] == "development" and listed["dev"]["isDefault"] is False
    assert {s["state"] for s in listed.values()} == {"active"}
    assert answer.json()["_page"] == {"limit": 50, "count": 3}  # appendix.md: default limit 50


def test_a_created_sandbox_is_creating_then_active_and_only_then_usable_by_other_services(emu: EmulatorHandle) -> None:
    created = create_sandbox(emu, "acme-dev", wait=False)
    assert created == {"name": "acme-dev", "title": "Acme-Dev", "state": "creating", "type": "development", "region": "VA7"}
    assert call(emu, "GET", DATASETS, sandbox="acme-dev").status_code == 404
    time.sleep(DELAY + 0.1)
    assert sandbox(emu, "acme-dev")["state"] == "active"
    assert call(emu, "GET", DATASETS, sandbox="acme-dev").status_code == 200


def test_a_sandbox_created_as_production_is_reported_as_production_by_the_schema_registry(emu: EmulatorHandle) -> None:
    create_sandbox(emu, "acme", kind="production")
    assert make_schema(emu, "acme")["meta:sandboxType"] == "production"
    assert make_schema(emu, "dev")["meta:sandboxType"] == "development"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "dev", "title": "Again", "type": "development"}, 409),
        ({"title": "No name", "type": "development"}, 400),
        ({"name": "Dev Team", "title": "Spaces", "type": "development"}, 400),
        ({"name": "qa", "title": "Bad type", "type": "sandbox"}, 400),
        ({"name": "qa", "type": "development"}, 400),
    ],
)
def test_create_refusals(emu: EmulatorHandle, body: dict[str, Any], status: int) -> None:
    answer = call(emu, "POST", f"{SMS}/sandboxes", json=body, sandbox=None)
    assert answer.status_code == status, answer.text
    assert answer.json()["status"] == status and answer.json()["title"]
    assert "type" not in answer.json()  # no documented SMS code for these cases


def test_only_the_title_is_updated(emu: EmulatorHandle) -> None:
    before = sandbox(emu, "dev")
    answer = call(emu, "PATCH", f"{SMS}/sandboxes/dev", json={"title": "Dev team"}, sandbox=None)
    assert answer.status_code == 200
    assert answer.json()["title"] == "Dev team" and answer.json()["eTag"] == before["eTag"] + 1
    assert_matches_spec(answer)
    refused = call(emu, "PATCH", f"{SMS}/sandboxes/dev", json={"title": "x", "type": "production"}, sandbox=None)
    assert refused.status_code == 400
    assert sandbox(emu, "dev")["title"] == "Dev team"


def test_reset_empties_the_sandbox_only_and_it_is_active_again(emu: EmulatorHandle) -> None:
    in_dev, in_stage = make_dataset(emu, "dev"), make_dataset(emu, "stage")
    answer = call(emu, "PUT", f"{SMS}/sandboxes/dev", json={"action": "reset"}, sandbox=None)
    assert answer.status_code == 202
    assert answer.json()["state"] == "resetting" and answer.json()["id"]
    assert_matches_spec(answer)
    assert call(emu, "GET", DATASETS, sandbox="dev").status_code == 404  # resetting: not usable
    time.sleep(DELAY + 0.1)
    assert dataset_status(emu, "dev", in_dev) == 404
    assert dataset_status(emu, "stage", in_stage) == 200


@pytest.mark.parametrize(
    ("query", "body", "status", "kept"),
    [
        ("?validationOnly=true", {"action": "reset"}, 202, True),
        ("", {"action": "restart"}, 400, True),
        ("", {"action": "reset"}, 202, False),
    ],
)
def test_reset_validation_only_and_bad_action_keep_the_objects(
    emu: EmulatorHandle, query: str, body: dict[str, Any], status: int, kept: bool
) -> None:
    dataset_id = make_dataset(emu, "dev")
    assert call(emu, "PUT", f"{SMS}/sandboxes/dev{query}", json=body, sandbox=None).status_code == status
    time.sleep(DELAY + 0.1)
    assert (dataset_status(emu, "dev", dataset_id) == 200) is kept


def test_delete_empties_the_sandbox_and_leaves_it_deleted_and_readable(emu: EmulatorHandle) -> None:
    dataset_id = make_dataset(emu, "stage")
    answer = call(emu, "DELETE", f"{SMS}/sandboxes/stage", sandbox=None)
    assert answer.status_code == 202 and answer.json()["state"] == "deleted"
    assert_matches_spec(answer)
    assert sandbox(emu, "stage")["state"] == "deleted"
    assert call(emu, "GET", DATASETS, sandbox="stage").status_code == 404
    create_sandbox(emu, "stage")  # the name can be used again
    assert dataset_status(emu, "stage", dataset_id) == 404


def test_the_default_production_sandbox_cannot_be_deleted(emu: EmulatorHandle) -> None:
    answer = call(emu, "DELETE", f"{SMS}/sandboxes/prod", sandbox=None)
    assert answer.status_code == 400
    assert sandbox(emu, "prod")["state"] == "active"


def test_an_unknown_sandbox_is_not_found(emu: EmulatorHandle) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        answer = call(emu, method, f"{SMS}/sandboxes/qa", json={"title": "x"}, sandbox=None)
        assert answer.status_code == 404, (method, answer.text)


@pytest.mark.parametrize(
    ("query", "status", "names"),
    [
        ("?limit=2&offset=1", 200, ["dev", "stage"]),
        ("?limit=2", 400, None),
        ("?offset=1", 400, None),
        ("?property=type==production", 200, ["prod"]),
        ("?property=name!=prod", 200, ["dev", "stage"]),
        ("?property=color==red", 400, None),
        ("?orderBy=-name", 200, ["stage", "prod", "dev"]),
    ],
)
def test_list_paging_filters_and_order(emu: EmulatorHandle, query: str, status: int, names: list[str] | None) -> None:
    answer = call(emu, "GET", f"{SMS}/sandboxes{query}", sandbox=None)
    assert answer.status_code == status, answer.text
    if names is not None:
        assert [s["name"] for s in answer.json()["sandboxes"]] == names


def test_available_sandboxes_are_the_active_ones_and_types_are_listed(emu: EmulatorHandle) -> None:
    create_sandbox(emu, "acme-dev", wait=False)
    answer = call(emu, "GET", f"{SMS}/", sandbox=None)
    assert [s["name"] for s in answer.json()["sandboxes"]] == ["prod", "dev", "stage"]
    types = call(emu, "GET", f"{SMS}/sandboxTypes", sandbox=None)
    assert types.json() == {"sandboxTypes": ["production", "development"]}  # help/sandboxes/api/types.md


def test_configured_sandboxes_seed_the_table_and_created_ones_survive_a_restart(tmp_path: Any) -> None:
    config = EmulatorConfig(sandboxes=("main", "qa"), data_dir=str(tmp_path), sandbox_transition_seconds=0)
    with running_emulator(config) as first:
        assert call(first, "GET", f"{SMS}/sandboxes/main", sandbox=None).json()["type"] == "production"
        assert call(first, "POST", f"{SMS}/sandboxes", sandbox=None,
                    json={"name": "extra", "title": "Extra", "type": "development"}).status_code == 202  # fmt: skip
    with running_emulator(config) as second:
        names = [s["name"] for s in call(second, "GET", f"{SMS}/sandboxes", sandbox=None).json()["sandboxes"]]
        assert names == ["main", "qa", "extra"]
        assert call(second, "GET", DATASETS, sandbox="extra").status_code == 200


def test_the_reset_hook_brings_back_the_configured_sandboxes(emu: EmulatorHandle) -> None:
    call(emu, "DELETE", f"{SMS}/sandboxes/stage", sandbox=None)
    emu.reset()
    assert sandbox(emu, "stage")["state"] == "active"


# --- sandbox tooling --------------------------------------------------------------------------------


def exim(emu: EmulatorHandle, method: str, path: str, status: int, **kwargs: Any) -> Any:
    answer = call(emu, method, EXIM + path, **kwargs)
    assert answer.status_code == status, (method, path, answer.text)
    assert_matches_spec(answer)
    return answer.json()


def test_a_package_goes_from_draft_to_published_to_imported(emu: EmulatorHandle) -> None:
    dataset_id = make_dataset(emu, "prod")
    package = exim(emu, "POST", "/packages", 201, json={"name": "acme", "packageType": "PARTIAL"})
    assert package["status"] == "DRAFT" and package["version"] == 0 and package["artifactsList"] == []
    pid = package["id"]
    assert call(emu, "GET", f"{EXIM}/packages/{pid}/export").status_code == 400  # PARTIAL without artifacts
    added = exim(emu, "PUT", "/packages", 201,
                 json={"id": pid, "action": "ADD", "artifacts": [{"id": dataset_id, "type": "DATASET"}]})  # fmt: skip
    assert added["version"] == 1 and added["artifactsList"][0]["found"] is True
    assert call(emu, "GET", f"{EXIM}/packages/{pid}/import?targetSandbox=dev").status_code == 400  # not published
    published = exim(emu, "GET", f"/packages/{pid}/export", 200)
    assert exim(emu, "GET", f"/packages/{pid}", 200)["status"] == "PUBLISHED"
    conflicts = exim(emu, "GET", f"/packages/{pid}/import?targetSandbox=dev", 200)
    assert conflicts[0]["artifact"]["id"] == dataset_id
    imported = exim(emu, "PUT", "/packages/import", 202,
                    json={"id": pid, "destinationSandbox": {"name": "dev", "imsOrgId": emu.config.org_id}})  # fmt: skip
    jobs = exim(emu, "GET", "/packages/jobs", 200)
    assert {j["id"] for j in jobs["data"]} == {published["jobId"], imported["jobId"]}
    assert exim(emu, "GET", "/packages/jobs?requestType=IMPORT", 200)["data"][0]["targetSandbox"] == "dev"
    assert exim(emu, "GET", f"/tools/job/{imported['jobId']}", 200)["object"]["requestType"] == "IMPORT"
    assert exim(emu, "GET", f"/packages/payload/{pid}", 200) == {"imsOrgId": emu.config.org_id, "packageId": pid}
    assert exim(emu, "GET", f"/packages/preflight/{pid}/export?targetSandbox=dev", 200)["packageID"] == pid
    assert exim(emu, "POST", f"/packages/{pid}/children", 201, json=[{"id": dataset_id, "type": "DATASET"}])
    assert exim(emu, "GET", "/packages?status=PUBLISHED", 200)["totalElements"] == 1
    assert exim(emu, "DELETE", f"/packages/{pid}", 200) == {"reason": f"Package {pid} deleted"}
    assert call(emu, "GET", f"{EXIM}/packages/{pid}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/packages", {"name": "x", "packageType": "SOME"}),
        ("POST", "/packages", {"name": "x", "packageType": "FULL", "artifacts": [{"id": "a", "type": "DATASET"}]}),
        ("PUT", "/packages/import", {"id": "nope", "destinationSandbox": {"name": "dev"}}),
        ("GET", "/handshake/list", None),
        ("GET", "/transfer/list?requestType=SOMETIMES", None),
    ],
)
def test_tooling_refusals(emu: EmulatorHandle, method: str, path: str, body: Any) -> None:
    answer = call(emu, method, EXIM + path, json=body)
    assert answer.status_code in (400, 404), answer.text


def test_tooling_needs_a_usable_sandbox_header(emu: EmulatorHandle) -> None:
    assert call(emu, "GET", f"{EXIM}/packages", sandbox=None).status_code == 400
    assert call(emu, "GET", f"{EXIM}/packages", sandbox="qa").status_code == 404


def test_full_packages_sharing_and_partnerships(emu: EmulatorHandle) -> None:
    org = emu.config.org_id
    package = exim(emu, "POST", "/packages", 201, json={"name": "whole", "packageType": "FULL"})
    pid = package["id"]
    renamed = exim(emu, "PUT", "/packages", 201,
                   json={"id": pid, "action": "UPDATE", "name": "whole sandbox", "sourceSandbox": {"name": "prod"}})  # fmt: skip
    assert renamed["name"] == "whole sandbox"
    refused = call(emu, "PUT", f"{EXIM}/packages", json={"id": pid, "action": "ADD", "artifacts": []})
    assert refused.status_code == 400  # ADD/DELETE only for PARTIAL packages
    exim(emu, "GET", f"/packages/{pid}/export", 200)
    public = exim(emu, "PUT", "/packages/update", 202, json={"id": pid, "action": "UPDATE", "packageVisibility": "PUBLIC"})
    assert public["packageVisibility"] == "PUBLIC"
    pulled = exim(emu, "POST", "/transfer/pullRequest", 201, json={"imsOrgId": org, "packageId": pid})
    assert pulled["requestType"] == "PUBLIC" and pulled["status"] == "PENDING"
    shared = exim(emu, "POST", "/transfer", 201, json={"packageId": pid, "targets": [{"imsOrgId": "OTHER@AdobeOrg"}]})
    assert exim(emu, "GET", f"/transfer/{shared[0]['id']}", 200)["targetIMSOrgId"] == "OTHER@AdobeOrg"
    assert exim(emu, "GET", "/transfer/list?requestType=PRIVATE", 200)["totalElements"] == 1
    made = exim(emu, "POST", "/handshake/bulkCreate", 201,
                json={"targetIMSOrgIds": ["OTHER@AdobeOrg"], "sourceIMSDetails": {"id": org, "name": "acme"}})  # fmt: skip
    partnership = made["successfulRequests"]["OTHER@AdobeOrg"]
    assert partnership["status"] == "APPROVAL_PENDING"
    approved = exim(emu, "POST", "/handshake/action", 201, json={
        "linkingID": partnership["linkingId"], "status": "APPROVED", "reason": "Done",
        "targetIMSOrgDetails": {"id": "OTHER@AdobeOrg", "name": "other", "region": "va7"}})  # fmt: skip
    assert approved["status"] == "APPROVED" and approved["version"] == 1
    assert exim(emu, "GET", "/handshake/list?requestType=OUTGOING", 200)["data"][0]["status"] == "APPROVED"
    assert exim(emu, "GET", "/handshake/list?requestType=INCOMING", 200)["totalElements"] == 0
