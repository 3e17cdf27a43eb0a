"""Flow Service emulation over real HTTP (aep-api.md §5, §10 items 31-50): spec catalogue, base/source/target
connections, flows, actions, runs, listing and every documented error code, plus both seeds' requests.

Everything a flow references is made through the other services' real APIs: schemas (Schema Registry),
datasets (Catalog), mapping sets (Data Prep).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
import requests

from aep_emulator.core.context import EmulatorConfig
from aep_emulator.flowservice import models
from aep_emulator.testing import EmulatorHandle, running_emulator
from tests.emulator.helpers import wait_until_settled
from tests.emulator.xdm_schemas import SchemaFactory
from tests.shared_refs import require_shared

BASE = "/data/foundation/flowservice"
ETAG = re.compile(r'^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{8}0000"$')
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b"
KINESIS = "86043421-563b-46ec-8e6c-e23184711bf6"
EVENT_HUBS = "bf9f5905-92b7-48bf-bf20-455bc6b60a4e"
PUBSUB = "70116022-a743-464a-bbfe-e226a7f8210c"
HTTP_API = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"
BLOB = "4c10e202-c428-4796-9208-5f1f5732b1cf"
ADLS = "b3ba5556-48be-44b7-8b85-ff2b69b46dc4"
GCS = "32e8f412-cdf7-464c-9885-78184cb113fd"
SFTP = "bf367b0d-3d9b-4060-b67b-0d3d9bd06094"
DLZ = "26f526f2-58f4-4712-961d-e41bf1ccc0e8"
SALESFORCE = "cfc0fee1-7dc0-40ef-b73e-d8b134c436f5"
DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"

CLOUD_STORAGE_FLOW = "9753525b-82c7-4dce-8a9b-5ccfce2b9876"
CRM_FLOW = "14518937-270c-4525-bdec-c2ba7cce3860"
STREAMING_FLOW = "d69717ba-71b4-4313-b654-49f9cf126d7a"
HTTP_XDM_FLOW = "d8a6f005-7eaf-4153-983e-e8574508b877"
HTTP_MAPPED_FLOW = "c1a19761-d2c7-4702-b9fa-fe91f0613e81"

SECRET = "s3cr3t-value-that-must-never-come-back"
XED_FULL = "application/vnd.adobe.xed-full+json;version=1"


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[EmulatorHandle]:
    """This module's own emulator, whose flows settle in 20 ms instead of 200: its tests write flows one
    after the other and wait each write out (``call``), which made the module four times slower. How flows
    pass through their states at the default pace is tested in test_flowservice_flow_states.py."""
    with running_emulator(EmulatorConfig(flow_transition_seconds=0.02)) as handle:
        yield handle


def call(emu: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
    """One request; a flow write that succeeded is waited out (flows pass through transitional states
    and refuse the next write meanwhile: flow-service-errors.md 1416/1420/1421/1422)."""
    answer = emu.request(method, BASE + path, **kwargs)
    if method != "GET" and path.startswith("/flows") and answer.status_code in (200, 201):
        wait_until_settled(emu, answer.json()["id"], kwargs.get("sandbox", "prod"))
    return answer


def created(answer: requests.Response) -> str:
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == {"id", "etag"}
    assert UUID4.match(body["id"]) and ETAG.match(body["etag"]), body
    return body["id"]


def read(emu: EmulatorHandle, resource: str, obj_id: str, sandbox: str = "prod") -> dict[str, Any]:
    answer = call(emu, "GET", f"/{resource}/{obj_id}", sandbox=sandbox)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert len(items) == 1
    return items[0]


def patch(emu: EmulatorHandle, resource: str, obj_id: str, ops: Any, etag: str | None = None) -> requests.Response:
    etag = etag if etag is not None else read(emu, resource, obj_id)["etag"]
    return call(emu, "PATCH", f"/{resource}/{obj_id}", json=ops, headers={"If-Match": etag})


def assert_flow_error(answer: requests.Response, status: int, code: int) -> dict[str, Any]:
    """The FLOW envelope: type URI with code and status, title, report with message and request id."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["type"] == f"https://ns.adobe.com/aep/errors/FLOW-{code}-{status}", body
    assert body["status"] == status and isinstance(body["title"], str) and body["title"]
    message = body["report"]["detailed-message"]
    assert message and body["report"]["request-id"]
    assert body["errorMessage"] == body["errorDetails"] == message
    return body


def s3_connection(**auth_params: Any) -> dict[str, Any]:
    params = {"s3AccessKey": "AKIAEXAMPLE", "s3SecretKey": SECRET, **auth_params}
    return {
        "name": "S3 base connection",
        "description": "Campaign files",
        "auth": {"specName": "Access Key", "params": params},
        "connectionSpec": {"id": S3, "version": "1.0"},
    }


def kinesis_connection() -> dict[str, Any]:
    return {
        "name": "Kinesis base connection",
        "auth": {
            "specName": "Aws Kinesis authentication credentials",
            "params": {"accessKeyId": "AKIAEXAMPLE", "secretKey": SECRET, "region": "us-east-1"},
        },
        "connectionSpec": {"id": KINESIS, "version": "1.0"},
    }


def s3_source(base_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "S3 source connection",
        "baseConnectionId": base_id,
        "data": {"format": "delimited", "properties": {"columnDelimiter": ","}},
        "params": {"path": "/acme/summerCampaign/account.csv", "type": "file"},
        "connectionSpec": {"id": S3, "version": "1.0"},
    }
    body.update(fields)
    return body


def kinesis_source(base_id: str) -> dict[str, Any]:
    return {
        "name": "Kinesis source connection",
        "baseConnectionId": base_id,
        "data": {"format": "json"},
        "params": {"stream": "clickstream", "dataType": "raw", "reset": "latest"},
        "connectionSpec": {"id": KINESIS, "version": "1.0"},
    }


def target(dataset_id: str, schema_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "Data Lake target connection",
        "data": {"format": "parquet_xdm", "schema": {"id": schema_id, "version": XED_FULL}},
        "params": {"dataSetId": dataset_id},
        "connectionSpec": {"id": DATA_LAKE, "version": "1.0"},
    }
    body.update(fields)
    return body


def schedule(frequency: str = "minute", interval: Any = 15, start_offset: int = 3600, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"startTime": int(time.time()) + start_offset, "frequency": frequency}
    if interval is not None:
        params["interval"] = interval
    params.update(extra)
    return params


@dataclass
class Platform:
    """Makes what flows reference through the real APIs of the emulator's other services."""

    emu: EmulatorHandle

    def schema(self, sandbox: str = "prod") -> dict[str, Any]:
        return SchemaFactory(self.emu).create(sandbox)

    def dataset(self, schema: dict[str, Any], sandbox: str = "prod") -> str:
        answer = self.emu.request(
            "POST",
            "/data/foundation/catalog/dataSets?requestDataSource=true",
            sandbox=sandbox,
            json={
                "name": f"Dataset {uuid.uuid4().hex[:6]}",
                "schemaRef": {"id": schema["$id"], "contentType": XED_FULL},
            },
        )
        assert answer.status_code == 201, answer.text
        return answer.json()[0].split("/")[-1]

    def mapping_set(
        self, schema: dict[str, Any], sandbox: str = "prod", mapping_set_id: str | None = None
    ) -> dict[str, Any]:
        """A mapping set in the seed's legacy form (``xdmSchema`` is the altId); a new version of an existing id."""
        body = {
            "version": 0,
            "xdmSchema": schema["meta:altId"],
            "xdmVersion": "1.0",
            "mappings": [
                {
                    "destinationXdmPath": "person.name.firstName",
                    "sourceAttribute": "firstName",
                    "identity": False,
                    "version": 0,
                },
                {
                    "destinationXdmPath": "person.name.lastName",
                    "sourceAttribute": "lastName",
                    "identity": False,
                    "version": 0,
                },
            ],
        }
        path = "/data/foundation/conversion/mappingSets" + (f"/{mapping_set_id}" if mapping_set_id else "")
        answer = self.emu.request("PUT" if mapping_set_id else "POST", path, sandbox=sandbox, json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def create(self, resource: str, body: dict[str, Any], sandbox: str = "prod") -> str:
        return created(call(self.emu, "POST", f"/{resource}", json=body, sandbox=sandbox))


@dataclass
class World:
    """A batch (S3 → Data Lake) and a streaming (Kinesis → Data Lake) setup, ready for flows."""

    platform: Platform
    schema: dict[str, Any]
    dataset_id: str
    s3_base: str
    s3_source: str
    kinesis_base: str
    kinesis_source: str
    target: str
    mapping: dict[str, Any]

    def batch_flow(self, **fields: Any) -> dict[str, Any]:
        body = {
            "name": "S3 dataflow",
            "flowSpec": {"id": CLOUD_STORAGE_FLOW, "version": "1.0"},
            "sourceConnectionIds": [self.s3_source],
            "targetConnectionIds": [self.target],
            "scheduleParams": schedule(),
        }
        return with_fields(body, **fields)

    def streaming_flow(self, **fields: Any) -> dict[str, Any]:
        body = {
            "name": "Streaming dataflow",
            "flowSpec": {"id": STREAMING_FLOW, "version": "1.0"},
            "sourceConnectionIds": [self.kinesis_source],
            "targetConnectionIds": [self.target],
            "transformations": [{"name": "Mapping", "params": {"mappingId": self.mapping["id"], "mappingVersion": 0}}],
        }
        return with_fields(body, **fields)


@pytest.fixture
def platform(emulator: EmulatorHandle) -> Platform:
    return Platform(emulator)


@pytest.fixture
def world(platform: Platform) -> World:
    schema = platform.schema()
    dataset_id = platform.dataset(schema)
    s3_base = platform.create("connections", s3_connection())
    kinesis_base = platform.create("connections", kinesis_connection())
    return World(
        platform=platform,
        schema=schema,
        dataset_id=dataset_id,
        s3_base=s3_base,
        s3_source=platform.create("sourceConnections", s3_source(s3_base)),
        kinesis_base=kinesis_base,
        kinesis_source=platform.create("sourceConnections", kinesis_source(kinesis_base)),
        target=platform.create("targetConnections", target(dataset_id, schema["$id"])),
        mapping=platform.mapping_set(schema),
    )


def with_fields(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of ``body``; a value of ``...`` removes the field."""
    result = {k: v for k, v in body.items() if changes.get(k, None) is not ...}
    result.update({k: v for k, v in changes.items() if v is not ...})
    return result


# --------------------------------------------------------------------------- spec catalogue


@pytest.mark.parametrize(
    "spec_id, name, auth_names",
    [  # the platform's spec names (docs/platform-assumptions.md, "connection specs and connections")
        (S3, "amazon-s3", ["Access Key"]),
        (KINESIS, "Amazon Kinesis", ["Aws Kinesis authentication credentials"]),
        (EVENT_HUBS, "Azure Event Hubs", ["Azure EventHub authentication credentials"]),
        (PUBSUB, "google-pubsub", ["Project Based Authentication", "Topic & Subscription Based Authentication"]),
        (HTTP_API, "http-api", ["Streaming Connection"]),
        (BLOB, "azure-blob", ["ConnectionString"]),
        (ADLS, "adls-gen2", ["Basic Authentication for adls-gen2"]),
        (GCS, "google-cloud", ["Basic Authentication for google-cloud"]),
        (SFTP, "sftp", ["Basic Authentication for sftp", "SSH PublicKey Authentication for sftp"]),
        (DLZ, "data-landing-zone", []),
        (DATA_LAKE, "data-lake", []),
    ],
)
def test_connection_spec_catalogue(emulator: EmulatorHandle, spec_id: str, name: str, auth_names: list[str]) -> None:
    listed = {s["id"]: s for s in call(emulator, "GET", "/connectionSpecs").json()["items"]}
    spec = read(emulator, "connectionSpecs", spec_id)
    assert listed[spec_id] == spec
    assert spec["name"] == name and spec["version"] == "1.0" and spec["providerId"]
    assert [a["name"] for a in spec["authSpec"]] == auth_names
    for auth in spec["authSpec"]:
        jsonschema.Draft7Validator.check_schema(auth["spec"])
        assert auth["spec"]["required"], auth
    assert ("sourceSpec" in spec) == (spec_id != DATA_LAKE)
    assert ("targetSpec" in spec) == (spec_id == DATA_LAKE)


@pytest.mark.parametrize(
    "spec_id, auth_name, secrets",
    [
        (S3, "Access Key", {"s3SecretKey", "s3SessionToken"}),
        (KINESIS, "Aws Kinesis authentication credentials", {"secretKey"}),
        (EVENT_HUBS, "Azure EventHub authentication credentials", {"sasKey"}),
        (BLOB, "ConnectionString", {"connectionString"}),
        (SFTP, "SSH PublicKey Authentication for sftp", {"privateKeyContent", "passPhrase"}),
    ],
)
def test_secret_auth_params_are_marked_as_passwords(
    emulator: EmulatorHandle, spec_id: str, auth_name: str, secrets: set[str]
) -> None:
    spec = read(emulator, "connectionSpecs", spec_id)
    schema = next(a["spec"] for a in spec["authSpec"] if a["name"] == auth_name)
    marked = {name for name, prop in schema["properties"].items() if prop.get("format") == "password"}
    assert marked == secrets


@pytest.mark.parametrize(
    "spec_id, valid, invalid_params",
    [
        (S3, {"path": "/bucket/file.csv", "type": "file", "recursive": "true"}, {"path": "/b", "type": "blob"}),
        (KINESIS, {"stream": "s", "dataType": "xdm", "reset": "earliest"}, {"stream": "s", "reset": "now"}),
        (EVENT_HUBS, {"eventHubName": "hub", "dataType": "raw", "consumerGroup": "cg"}, {"dataType": "raw"}),
        (PUBSUB, {"topicName": "t", "subscriptionName": "s", "dataType": "raw"}, {"dataType": "csv"}),
    ],
)
def test_source_spec_param_schemas(emulator: EmulatorHandle, spec_id: str, valid: dict, invalid_params: dict) -> None:
    schema = read(emulator, "connectionSpecs", spec_id)["sourceSpec"]["spec"]
    jsonschema.validate(valid, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(invalid_params, schema)


def test_data_lake_target_spec_requires_a_dataset(emulator: EmulatorHandle) -> None:
    schema = read(emulator, "connectionSpecs", DATA_LAKE)["targetSpec"]["spec"]
    assert schema["required"] == ["dataSetId"]


@pytest.mark.parametrize(
    "query",
    [
        'name=="CloudStorageToAEP"',
        "name==CloudStorageToAEP",
        "name%3D%3D%22CloudStorageToAEP%22",
        "name=='CloudStorageToAEP'",
    ],
)
def test_flow_spec_lookup_by_name(emulator: EmulatorHandle, query: str) -> None:
    answer = call(emulator, "GET", f"/flowSpecs?property={query}")
    assert answer.status_code == 200, answer.text
    assert [s["id"] for s in answer.json()["items"]] == [CLOUD_STORAGE_FLOW]


def test_streaming_flow_spec_as_the_streaming_seed_lists_it(emulator: EmulatorHandle) -> None:
    specs = {s["id"]: s for s in call(emulator, "GET", "/flowSpecs").json()["items"]}
    spec = specs[STREAMING_FLOW]
    assert spec["name"] == "Stream data with optional transformation"
    assert spec["providerId"] == "521eee4d-8cbe-4906-bb48-fb6bd4450033"
    assert spec["version"] == "1.0"
    assert set(spec["sourceConnectionSpecIds"]) == {HTTP_API, EVENT_HUBS, KINESIS, PUBSUB}
    assert DATA_LAKE in spec["targetConnectionSpecIds"]
    assert [t["name"] for t in spec["transformationSpecs"]] == ["Mapping"]
    assert spec["attributes"]["uiAttributes"]["apiFeatures"]["flowRunsSupported"] is False
    assert spec["permissionsInfo"]["view"][0]["name"] == "StreamingSource"
    assert "scheduleSpec" not in spec
    assert {CLOUD_STORAGE_FLOW, CRM_FLOW, HTTP_XDM_FLOW, HTTP_MAPPED_FLOW} <= set(specs)


def test_flow_specs_filtered_by_accepted_source(emulator: EmulatorHandle) -> None:
    answer = call(emulator, "GET", f"/flowSpecs?property=sourceConnectionSpecIds[]=={HTTP_API}&orderby=name")
    assert [s["id"] for s in answer.json()["items"]] == [
        HTTP_XDM_FLOW,
        HTTP_MAPPED_FLOW,
        STREAMING_FLOW,
    ]  # "HTTP API ..." < "Steam data ..." (the platform's name, typo included) < "Stream data ..."


@pytest.mark.parametrize(
    "params, valid",
    [
        ({"startTime": 1, "frequency": "once"}, True),
        ({"startTime": 1, "frequency": "once", "interval": 1}, False),
        ({"startTime": 1, "frequency": "once", "backfill": True}, False),
        ({"startTime": 1, "frequency": "minute", "interval": 15}, True),
        ({"startTime": 1, "frequency": "minute", "interval": 14}, False),
        ({"startTime": 1, "frequency": "hour", "interval": 1}, True),
        ({"startTime": 1, "frequency": "day", "interval": 0}, False),
        ({"startTime": 1, "frequency": "week"}, False),
        ({"frequency": "day", "interval": 1}, False),
        ({"startTime": 1, "frequency": "month", "interval": 1}, False),
    ],
)
def test_cloud_storage_schedule_spec(emulator: EmulatorHandle, params: dict, valid: bool) -> None:
    schema = read(emulator, "flowSpecs", CLOUD_STORAGE_FLOW)["scheduleSpec"]["spec"]
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(params))
    assert (not errors) == valid, errors


@pytest.mark.parametrize("resource", ["connectionSpecs", "flowSpecs"])
def test_unknown_spec_is_404(emulator: EmulatorHandle, resource: str) -> None:
    body = assert_flow_error(call(emulator, "GET", f"/{resource}/{uuid.uuid4()}"), 404, 1101)
    assert body["report"]["type"] == resource


# --------------------------------------------------------------------------- sandbox headers and isolation


def test_missing_sandbox_header(emulator: EmulatorHandle) -> None:
    assert_flow_error(call(emulator, "GET", "/connections", sandbox=None), 400, 2105)


def test_unknown_sandbox(emulator: EmulatorHandle) -> None:
    body = assert_flow_error(call(emulator, "GET", "/flows", sandbox="nosuchsandbox"), 404, 2100)
    assert "nosuchsandbox" in body["report"]["detailed-message"]


def test_objects_are_isolated_per_sandbox(emulator: EmulatorHandle) -> None:
    conn_id = created(call(emulator, "POST", "/connections", json=s3_connection()))
    assert_flow_error(call(emulator, "GET", f"/connections/{conn_id}", sandbox="dev"), 404, 1101)
    assert call(emulator, "GET", "/connections", sandbox="dev").json()["items"] == []
    assert_flow_error(call(emulator, "DELETE", f"/connections/{conn_id}", sandbox="dev"), 404, 1101)
    assert read(emulator, "connections", conn_id)["sandboxName"] == "prod"
    dev = read(
        emulator,
        "connections",
        created(call(emulator, "POST", "/connections", json=s3_connection(), sandbox="dev")),
        "dev",
    )
    assert dev["sandboxName"] == "dev" and dev["sandboxId"] != read(emulator, "connections", conn_id)["sandboxId"]


# --------------------------------------------------------------------------- base connections


def test_create_and_read_base_connection(emulator: EmulatorHandle) -> None:
    before = int(time.time() * 1000)
    answer = call(emulator, "POST", "/connections", json=s3_connection())
    conn_id = created(answer)
    assert answer.headers["Location"] == f"{BASE}/connections/{conn_id}"
    conn = read(emulator, "connections", conn_id)
    assert conn["id"] == conn_id and conn["name"] == "S3 base connection"
    assert conn["version"] == conn["etag"] == answer.json()["etag"]
    assert conn["state"] == "enabled"
    assert before <= conn["createdAt"] == conn["updatedAt"] <= int(time.time() * 1000)
    cfg = emulator.config
    assert conn["createdBy"] == conn["updatedBy"] == f"{cfg.client_id}@AdobeID"
    assert conn["createdClient"] == conn["updatedClient"] == cfg.client_id
    assert conn["imsOrgId"] == cfg.org_id and conn["sandboxName"] == "prod" and conn["sandboxId"]
    assert conn["connectionSpec"] == {"id": S3, "version": "1.0"}
    assert conn["auth"]["params"] == {"s3AccessKey": "AKIAEXAMPLE", "s3SecretKey": models.SECRET_MASK}
    assert conn[models.VERIFICATION_FIELD]["status"] == "skipped"


@pytest.mark.parametrize(
    "spec_id, auth_name, params",
    [
        (S3, "Access Key", {"s3AccessKey": "AK", "s3SecretKey": SECRET, "s3SessionToken": SECRET + "-token"}),
        (
            KINESIS,
            "Aws Kinesis authentication credentials",
            {"accessKeyId": "AK", "secretKey": SECRET, "region": "eu-west-1"},
        ),
        (
            EVENT_HUBS,
            "Azure EventHub authentication credentials",
            {"sasKeyName": "k", "sasKey": SECRET, "namespace": "ns"},
        ),
        (PUBSUB, "Project Based Authentication", {"projectId": "p", "credentials": SECRET}),
        (BLOB, "ConnectionString", {"connectionString": f"DefaultEndpointsProtocol=https;AccountKey={SECRET}"}),
        (
            ADLS,
            "Basic Authentication for adls-gen2",
            {"url": "u", "servicePrincipalId": "i", "servicePrincipalKey": SECRET, "tenant": "t"},
        ),
        (GCS, "Basic Authentication for google-cloud", {"accessKeyId": "AK", "secretAccessKey": SECRET}),
        (SFTP, "Basic Authentication for sftp", {"host": "h", "port": 22, "userName": "u", "password": SECRET}),
        (SALESFORCE, "Basic Authentication", {"username": "u", "password": SECRET, "securityToken": SECRET + "t"}),
    ],
)
def test_secrets_are_never_returned(emulator: EmulatorHandle, spec_id: str, auth_name: str, params: dict) -> None:
    body = {
        "name": "secret holder",
        "auth": {"specName": auth_name, "params": params},
        "connectionSpec": {"id": spec_id, "version": "1.0"},
    }
    conn_id = created(call(emulator, "POST", "/connections", json=body))
    answers = [
        call(emulator, "GET", f"/connections/{conn_id}"),
        call(emulator, "GET", "/connections"),
        call(emulator, "GET", f"/connections?property=auth.params.{next(iter(params))}=={next(iter(params.values()))}"),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert SECRET not in answer.text
    shown = read(emulator, "connections", conn_id)["auth"]["params"]
    assert models.SECRET_MASK in shown.values()
    assert set(shown) == set(params)


def test_http_api_connection_gets_a_streaming_inlet(emulator: EmulatorHandle) -> None:
    body = {
        "name": "HTTP API",
        "auth": {"specName": "Streaming Connection", "params": {"dataType": "xdm"}},
        "connectionSpec": {"id": HTTP_API, "version": "1.0"},
    }
    conn_id = created(call(emulator, "POST", "/connections", json=body))
    params = read(emulator, "connections", conn_id)["auth"]["params"]
    assert re.fullmatch(r"[0-9a-f]{64}", params["inletId"])
    assert params["inletUrl"] == f"https://dcs.adobedc.net/collection/{params['inletId']}"
    assert params["authenticationRequired"] is False
    answer = patch(
        emulator, "connections", conn_id, [{"op": "replace", "path": "/auth/params", "value": {"dataType": "raw"}}]
    )
    assert answer.status_code == 200, answer.text
    after = read(emulator, "connections", conn_id)["auth"]["params"]
    assert after["inletId"] == params["inletId"] and after["dataType"] == "raw"


def test_data_lake_base_connection_needs_no_auth(emulator: EmulatorHandle) -> None:
    body = {"name": "Dataset base connection", "connectionSpec": {"id": DATA_LAKE, "version": "1.0"}}
    conn = read(emulator, "connections", created(call(emulator, "POST", "/connections", json=body)))
    assert "auth" not in conn and models.VERIFICATION_FIELD not in conn


@pytest.mark.parametrize(
    "body, status, code",
    [
        (with_fields(s3_connection(), connectionSpec={"id": str(uuid.uuid4()), "version": "1.0"}), 400, 1413),
        (with_fields(s3_connection(), auth={"specName": "Basic Authentication", "params": {}}), 400, 1415),
        (with_fields(s3_connection(), auth={"specName": "Access Key", "params": {"s3AccessKey": "AK"}}), 400, 1304),
        (
            with_fields(
                s3_connection(), auth={"specName": "Access Key", "params": {"s3AccessKey": 7, "s3SecretKey": "x"}}
            ),
            400,
            1312,
        ),
        (with_fields(s3_connection(), auth=...), 400, 1304),
        (with_fields(s3_connection(), state="enabled"), 400, 1410),
        (with_fields(s3_connection(), connectionSpec=...), 400, 1304),
        (with_fields(s3_connection(), connectionSpec={"id": 42}), 400, 1100),
        (with_fields(s3_connection(), name=["not", "a", "string"]), 400, 1100),
        (with_fields(s3_connection(), auth={"params": {}}), 400, 1304),
        ({"name": "DLZ", "connectionSpec": {"id": DLZ, "version": "1.0"}}, 400, 1305),
        ({"name": "lake", "auth": {"specName": "x", "params": {}}, "connectionSpec": {"id": DATA_LAKE}}, 400, 1415),
        (["not", "an", "object"], 400, 1100),
    ],
    ids=[
        "unknown-spec",
        "unknown-auth-spec",
        "missing-secret",
        "wrong-param-type",
        "no-auth",
        "state",
        "no-connection-spec",
        "spec-id-type",
        "name-type",
        "no-spec-name",
        "dlz-base",
        "lake-with-auth",
        "array-body",
    ],
)
def test_base_connection_validation(emulator: EmulatorHandle, body: Any, status: int, code: int) -> None:
    assert_flow_error(call(emulator, "POST", "/connections", json=body), status, code)
    assert call(emulator, "GET", "/connections").json()["items"] == []


def test_validation_errors_name_the_field(emulator: EmulatorHandle) -> None:
    body = with_fields(s3_connection(), auth={"specName": "Access Key", "params": {"s3AccessKey": "AK"}})
    answer = assert_flow_error(call(emulator, "POST", "/connections", json=body), 400, 1304)
    assert "auth.params.s3SecretKey" in answer["report"]["detailed-message"]


@pytest.mark.parametrize(
    "data, code",
    [(b"{not json", 1100), (b"", 1405), (b"   ", 1405), (b'{"name": NaN}', 1100), (b"\xff\xfe", 1100)],
)
def test_malformed_bodies(emulator: EmulatorHandle, data: bytes, code: int) -> None:
    for resource in ("connections", "sourceConnections", "targetConnections", "flows"):
        assert_flow_error(call(emulator, "POST", f"/{resource}", data=data), 400, code)


# --------------------------------------------------------------------------- source connections


def test_source_connection_with_inherited_base(platform: Platform) -> None:
    base = platform.create("connections", s3_connection())
    source_id = platform.create("sourceConnections", s3_source(base))
    source = read(platform.emu, "sourceConnections", source_id)
    assert source["baseConnectionId"] == base and source["state"] == "enabled"
    assert source["inheritedAttributes"] == {
        "baseConnection": {"id": base, "connectionSpec": {"id": S3, "version": "1.0"}}
    }
    assert source["params"] == {"path": "/acme/summerCampaign/account.csv", "type": "file"}
    assert source["version"] == source["etag"]


def test_data_landing_zone_source_has_no_base_connection(platform: Platform) -> None:
    body = {
        "name": "DLZ source",
        "data": {"format": "delimited"},
        "params": {"path": "dlz-user-container/data8.csv"},
        "connectionSpec": {"id": DLZ, "version": "1.0"},
    }
    source = read(platform.emu, "sourceConnections", platform.create("sourceConnections", body))
    assert "baseConnectionId" not in source and "inheritedAttributes" not in source


@pytest.mark.parametrize(
    "change, code",
    [
        ({"connectionSpec": {"id": str(uuid.uuid4()), "version": "1.0"}}, 1413),
        ({"connectionSpec": {"id": DATA_LAKE, "version": "1.0"}}, 1413),
        ({"baseConnectionId": ...}, 1304),
        ({"baseConnectionId": str(uuid.uuid4())}, 1100),
        ({"data": {"format": "xml"}}, 1327),
        ({"data": ...}, 1304),
        ({"name": ...}, 1304),
        ({"params": {"type": "file"}}, 1304),
        ({"params": {"path": "/a", "type": "blob"}}, 1312),
        ({"params": {"path": "/a", "recursive": "maybe"}}, 1312),
        ({"params": "path=/a"}, 1100),
        ({"state": "disabled"}, 1410),
    ],
    ids=[
        "unknown-spec",
        "target-spec",
        "no-base",
        "unknown-base",
        "format",
        "no-data",
        "no-name",
        "no-path",
        "bad-type",
        "bad-recursive",
        "params-type",
        "state",
    ],
)
def test_source_connection_validation(platform: Platform, change: dict, code: int) -> None:
    base = platform.create("connections", s3_connection())
    answer = call(platform.emu, "POST", "/sourceConnections", json=with_fields(s3_source(base), **change))
    assert_flow_error(answer, 400, code)


def test_source_connection_base_of_another_connector(platform: Platform) -> None:
    kinesis_base = platform.create("connections", kinesis_connection())
    body = assert_flow_error(call(platform.emu, "POST", "/sourceConnections", json=s3_source(kinesis_base)), 400, 1413)
    assert kinesis_base in body["report"]["detailed-message"]


def test_base_connection_refused_where_the_spec_forbids_it(platform: Platform) -> None:
    base = platform.create("connections", s3_connection())
    body = {
        "name": "DLZ",
        "baseConnectionId": base,
        "data": {"format": "delimited"},
        "params": {"path": "dlz-user-container/a.csv"},
        "connectionSpec": {"id": DLZ, "version": "1.0"},
    }
    assert_flow_error(call(platform.emu, "POST", "/sourceConnections", json=body), 400, 1332)


# --------------------------------------------------------------------------- target connections


def test_target_connection(platform: Platform) -> None:
    schema = platform.schema()
    dataset_id = platform.dataset(schema)
    target_id = platform.create("targetConnections", target(dataset_id, schema["$id"]))
    shown = read(platform.emu, "targetConnections", target_id)
    assert shown["params"] == {"dataSetId": dataset_id}
    assert shown["data"]["schema"] == {"id": schema["$id"], "version": XED_FULL}
    # The altId names the same schema.
    platform.create("targetConnections", target(dataset_id, schema["meta:altId"]))


@pytest.mark.parametrize(
    "change, code",
    [
        ({"connectionSpec": {"id": S3, "version": "1.0"}}, 1307),
        ({"connectionSpec": {"id": str(uuid.uuid4()), "version": "1.0"}}, 1413),
        ({"params": ...}, 1324),
        ({"params": {}}, 1324),
        ({"params": {"dataSetId": None}}, 1324),
        ({"params": {"dataSetId": ""}}, 1325),
        ({"params": {"dataSetId": "5f7187bac6d00f194fb937c0"}}, 1100),
        ({"params": {"dataSetId": 12}}, 1312),
        ({"data": {"format": "avro"}}, 1396),
        ({"data": ...}, 1304),
        ({"baseConnectionId": str(uuid.uuid4())}, 1100),
        ({"state": "enabled"}, 1410),
    ],
    ids=[
        "source-spec",
        "unknown-spec",
        "no-params",
        "empty-params",
        "null-dataset",
        "empty-dataset",
        "unknown-dataset",
        "dataset-type",
        "format",
        "no-data",
        "unknown-base",
        "state",
    ],
)
def test_target_connection_validation(platform: Platform, change: dict, code: int) -> None:
    schema = platform.schema()
    body = with_fields(target(platform.dataset(schema), schema["$id"]), **change)
    assert_flow_error(call(platform.emu, "POST", "/targetConnections", json=body), 400, code)


def test_target_schema_must_be_the_dataset_schema(platform: Platform) -> None:
    schema, other = platform.schema(), platform.schema()
    answer = call(platform.emu, "POST", "/targetConnections", json=target(platform.dataset(schema), other["$id"]))
    body = assert_flow_error(answer, 400, 1100)
    assert other["$id"] in body["report"]["detailed-message"]


def test_target_base_connection_must_be_a_data_lake_connection(platform: Platform) -> None:
    schema = platform.schema()
    s3_base = platform.create("connections", s3_connection())
    body = target(platform.dataset(schema), schema["$id"], baseConnectionId=s3_base)
    assert_flow_error(call(platform.emu, "POST", "/targetConnections", json=body), 400, 1413)


def test_dataset_of_another_sandbox_is_unknown(platform: Platform) -> None:
    schema = platform.schema("dev")
    body = target(platform.dataset(schema, "dev"), schema["$id"])
    assert_flow_error(call(platform.emu, "POST", "/targetConnections", json=body), 400, 1100)


# --------------------------------------------------------------------------- flows


def test_batch_flow(world: World) -> None:
    body = world.batch_flow(
        scheduleParams={
            "startTime": str(int(time.time()) + 60),
            "frequency": "minute",
            "interval": "15",
            "backfill": "true",
        }
    )
    flow_id = world.platform.create("flows", body)
    flow = read(world.platform.emu, "flows", flow_id)
    assert flow["state"] == "enabled" and flow["version"] == flow["etag"]
    assert flow["flowSpec"] == {"id": CLOUD_STORAGE_FLOW, "version": "1.0"}
    # Kept in the types of flow-service.yaml's ScheduleSpecDTO, whatever the request sent.
    assert flow["scheduleParams"] == {
        **body["scheduleParams"],
        "startTime": int(body["scheduleParams"]["startTime"]),
        "backfill": True,
    }
    assert flow["runs"] == f"/runs?property=flowId=={flow_id}"
    assert flow["lastOperation"]["operation"] == "create"
    assert flow["lastOperation"]["status"] == {"value": "completed", "errors": []}
    assert flow["inheritedAttributes"] == {
        "sourceConnections": [
            {
                "id": world.s3_source,
                "connectionSpec": {"id": S3, "version": "1.0"},
                "baseConnection": {"id": world.s3_base, "connectionSpec": {"id": S3, "version": "1.0"}},
            }
        ],
        "targetConnections": [{"id": world.target, "connectionSpec": {"id": DATA_LAKE, "version": "1.0"}}],
        "properties": {"isSourceFlow": True},
    }
    assert "lastRunDetails" not in flow


def test_streaming_flow_with_mapping(world: World) -> None:
    flow = read(world.platform.emu, "flows", world.platform.create("flows", world.streaming_flow()))
    assert flow["transformations"][0]["params"] == {"mappingId": world.mapping["id"], "mappingVersion": "0"}
    assert "scheduleParams" not in flow


@pytest.mark.parametrize(
    "build, code",
    [
        (lambda w: w.batch_flow(state="enabled"), 1410),
        (lambda w: w.batch_flow(flowSpec={"id": str(uuid.uuid4()), "version": "1.0"}), 1413),
        (lambda w: w.batch_flow(flowSpec=...), 1304),
        (lambda w: w.batch_flow(sourceConnectionIds=...), 1338),
        (lambda w: w.batch_flow(sourceConnectionIds=[]), 1338),
        (lambda w: w.batch_flow(targetConnectionIds=...), 1338),
        (lambda w: w.batch_flow(sourceConnectionIds=[str(uuid.uuid4())]), 1100),
        (lambda w: w.batch_flow(targetConnectionIds=[str(uuid.uuid4())]), 1100),
        (lambda w: w.batch_flow(sourceConnectionIds=[w.kinesis_source]), 1413),
        (lambda w: w.batch_flow(sourceConnectionIds="not-a-list"), 1100),
        (lambda w: w.streaming_flow(sourceConnectionIds=[w.s3_source]), 1413),
        (lambda w: w.batch_flow(scheduleParams=...), 1317),
        (lambda w: w.streaming_flow(scheduleParams=schedule()), 1100),
        (lambda w: w.streaming_flow(flowSpec={"id": HTTP_XDM_FLOW, "version": "1.0"}), 1413),
        (lambda w: w.streaming_flow(transformations=[{"name": "Copy", "params": {}}]), 1100),
        (lambda w: w.streaming_flow(transformations=[{"name": "Mapping", "params": {"mappingVersion": 0}}]), 1304),
        (
            lambda w: w.streaming_flow(
                transformations=[{"name": "Mapping", "params": {"mappingId": uuid.uuid4().hex}}]
            ),
            1419,
        ),
        (
            lambda w: w.streaming_flow(
                transformations=[{"name": "Mapping", "params": {"mappingId": w.mapping["id"], "mappingVersion": 3}}]
            ),
            1412,
        ),
        (
            lambda w: w.streaming_flow(
                transformations=[
                    {"name": "Mapping", "params": {"mappingId": w.mapping["id"], "mappingVersion": "zero"}}
                ]
            ),
            1412,
        ),
        (lambda w: w.streaming_flow(transformations=[{"name": "Mapping"}]), 1304),
    ],
    ids=[
        "state",
        "unknown-flow-spec",
        "no-flow-spec",
        "no-sources",
        "empty-sources",
        "no-targets",
        "unknown-source",
        "unknown-target",
        "source-spec-not-accepted",
        "sources-type",
        "streaming-with-batch-source",
        "no-schedule",
        "schedule-on-streaming",
        "http-spec-for-kinesis",
        "unsupported-transformation",
        "mapping-without-id",
        "unknown-mapping",
        "unknown-mapping-version",
        "non-numeric-version",
        "transformation-without-params",
    ],
)
def test_flow_validation(world: World, build: Any, code: int) -> None:
    assert_flow_error(call(world.platform.emu, "POST", "/flows", json=build(world)), 400, code)
    assert call(world.platform.emu, "GET", "/flows").json()["items"] == []


def test_mapping_must_write_the_target_dataset_schema(world: World) -> None:
    other = world.platform.mapping_set(world.platform.schema())
    body = world.streaming_flow(
        transformations=[{"name": "Mapping", "params": {"mappingId": other["id"], "mappingVersion": "0"}}]
    )
    answer = assert_flow_error(call(world.platform.emu, "POST", "/flows", json=body), 400, 1425)
    assert world.dataset_id in answer["report"]["detailed-message"]


def test_mapping_version_as_string_and_newer_versions(world: World) -> None:
    world.platform.mapping_set(world.schema, mapping_set_id=world.mapping["id"])  # version 1
    for version in ("0", 1, "1"):
        params = {"mappingId": world.mapping["id"], "mappingVersion": version}
        world.platform.create("flows", world.streaming_flow(transformations=[{"name": "Mapping", "params": params}]))


@pytest.mark.parametrize(
    "params, code",
    [
        (schedule(frequency="fortnight"), 1397),
        (schedule(frequency="once", interval=1), 1361),
        (schedule(frequency="once", interval=None, backfill=False), 1364),
        (schedule(frequency="minute", interval=10), 1362),
        (schedule(frequency="hour", interval=0), 1362),
        (schedule(frequency="hour", interval="every"), 1363),
        (schedule(frequency="day", interval=1.5), 1363),
        (schedule(start_offset=-86400), 1360),
        (schedule(frequency="hour", interval=None), 1359),
        ({"frequency": "hour", "interval": 1}, 1359),
        ({"startTime": "tomorrow", "frequency": "hour", "interval": 1}, 1340),
        (schedule(backfill="sometimes"), 1100),
        ("every hour", 1100),
    ],
    ids=[
        "frequency",
        "once-interval",
        "once-backfill",
        "minute-min",
        "hour-min",
        "interval-text",
        "interval-fraction",
        "past-start",
        "no-interval",
        "no-start",
        "start-text",
        "backfill-text",
        "not-an-object",
    ],
)
def test_schedule_rules(world: World, params: Any, code: int) -> None:
    answer = call(world.platform.emu, "POST", "/flows", json=world.batch_flow(scheduleParams=params))
    assert_flow_error(answer, 400, code)


@pytest.mark.parametrize(
    "params",
    [
        schedule(frequency="once", interval=None),
        schedule(frequency="hour", interval=1, backfill=False),
        schedule(frequency="week", interval="2"),
        {"startTime": str(int(time.time())), "frequency": "minute", "interval": "15", "backfill": "true"},
        schedule(start_offset=-60, frequency="day", interval=1),  # "now" sent a moment ago
    ],
    ids=["once", "hour", "week-string", "strings-now", "just-past"],
)
def test_schedules_accepted(world: World, params: dict) -> None:
    flow_id = world.platform.create("flows", world.batch_flow(scheduleParams=params))
    stored = read(world.platform.emu, "flows", flow_id)["scheduleParams"]
    # Kept in the types of flow-service.yaml's ScheduleSpecDTO, whatever the request sent.
    assert stored == {
        k: int(v) if k == "startTime" else (v if isinstance(v, bool) else v == "true") if k == "backfill" else str(v)
        for k, v in params.items()
    }


# --------------------------------------------------------------------------- PATCH


@pytest.fixture
def one_of_each(world: World) -> dict[str, str]:
    return {
        "connections": world.s3_base,
        "sourceConnections": world.s3_source,
        "targetConnections": world.target,
        "flows": world.platform.create("flows", world.batch_flow()),
    }


RESOURCES = ["connections", "sourceConnections", "targetConnections", "flows"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_patch_changes_the_etag_every_time(world: World, one_of_each: dict[str, str], resource: str) -> None:
    emu, obj_id = world.platform.emu, one_of_each[resource]
    etags = [read(emu, resource, obj_id)["etag"]]
    for value in ("First name", "Second name", "Third name"):
        answer = patch(emu, resource, obj_id, [{"op": "replace", "path": "/name", "value": value}])
        assert answer.status_code == 200, answer.text
        assert set(answer.json()) == {"id", "etag"} and answer.json()["id"] == obj_id
        shown = read(emu, resource, obj_id)
        assert shown["name"] == value and shown["etag"] == shown["version"] == answer.json()["etag"]
        assert shown["updatedAt"] >= shown["createdAt"]
        etags.append(shown["etag"])
    assert len(set(etags)) == len(etags) and all(ETAG.match(e) for e in etags)
    stale = patch(emu, resource, obj_id, [{"op": "replace", "path": "/name", "value": "x"}], etag=etags[0])
    assert_flow_error(stale, 412, 1404)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize(
    "ops, headers, status, code",
    [
        ([{"op": "replace", "path": "/name", "value": "x"}], {}, 400, 1403),
        (
            [{"op": "replace", "path": "/name", "value": "x"}],
            {"If-Match": '"00000000-0000-0200-0000-000000000000"'},
            412,
            1404,
        ),
        ([], None, 400, 1405),
        (None, None, 400, 1405),
        ({"op": "replace"}, None, 400, 1100),
        ([{"op": "move", "from": "/name", "path": "/description"}], None, 400, 1434),
        ([{"op": "copy", "from": "/name", "path": "/description"}], None, 400, 1434),
        ([{"op": "remove", "path": "/noSuchField"}], None, 400, 1455),
        ([{"op": "replace", "path": "/params/noSuch/deeper", "value": 1}], None, 400, 1455),
        ([{"op": "replace", "path": "/connectionSpec/id", "value": KINESIS}], None, 400, 1414),
        ([{"op": "replace", "path": "/id", "value": "x"}], None, 400, 1365),
        ([{"op": "replace", "path": "/state", "value": "disabled"}], None, 400, 1365),
        ([{"op": "replace", "path": "name", "value": "x"}], None, 400, 1365),
        ([{"op": "replace", "path": "/name"}], None, 400, 1100),
    ],
    ids=[
        "no-if-match",
        "stale",
        "empty",
        "no-body",
        "not-array",
        "move",
        "copy",
        "missing-field",
        "missing-parent",
        "connection-spec",
        "id",
        "state",
        "relative-path",
        "no-value",
    ],
)
def test_patch_refusals(
    world: World, one_of_each: dict[str, str], resource: str, ops: Any, headers: dict | None, status: int, code: int
) -> None:
    emu, obj_id = world.platform.emu, one_of_each[resource]
    if resource == "flows" and code == 1414:
        ops = [{"op": "replace", "path": "/flowSpec/id", "value": STREAMING_FLOW}]
    if resource != "flows" and code == 1455:
        code = 1365  # outside a connection's documented patchable paths (test_flowservice_connections_platform.py)
    before = read(emu, resource, obj_id)
    if headers is None:
        headers = {"If-Match": before["etag"]}
    kwargs: dict[str, Any] = {"json": ops} if ops is not None else {}
    answer = call(emu, "PATCH", f"/{resource}/{obj_id}", headers=headers, **kwargs)
    assert_flow_error(answer, status, code)
    assert read(emu, resource, obj_id) == before


@pytest.mark.parametrize(
    "if_match",
    ["{etag}", "{bare}", "{etag} "],
    ids=["quoted", "unquoted", "padded"],
)
def test_if_match_with_or_without_quotes(world: World, if_match: str) -> None:
    emu = world.platform.emu
    etag = read(emu, "connections", world.s3_base)["etag"]
    value = if_match.format(etag=etag, bare=etag.strip('"'))
    answer = call(
        emu,
        "PATCH",
        f"/connections/{world.s3_base}",
        json=[{"op": "add", "path": "/description", "value": "d"}],
        headers={"if-match": value},
    )
    assert answer.status_code == 200, answer.text


def test_patch_ops_are_case_insensitive_and_recorded_on_flows(world: World) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow())
    ops = [
        {"op": "REPLACE", "path": "/scheduleParams/frequency", "value": "day"},
        {"op": "Replace", "path": "/scheduleParams/interval", "value": 2},
        {"op": "add", "path": "/description", "value": "daily"},
    ]
    assert patch(emu, "flows", flow_id, ops).status_code == 200
    flow = read(emu, "flows", flow_id)
    assert flow["scheduleParams"]["frequency"] == "day" and flow["description"] == "daily"
    assert flow["lastOperation"]["operation"] == "update"
    assert flow["lastOperation"]["ops"] == [{**op, "op": op["op"].lower()} for op in ops]
    assert patch(emu, "flows", flow_id, [{"op": "remove", "path": "/description"}]).status_code == 200
    assert "description" not in read(emu, "flows", flow_id)


@pytest.mark.parametrize(
    "resource, ops, code",
    [
        ("connections", [{"op": "replace", "path": "/auth/params", "value": {"s3AccessKey": "only"}}], 1304),
        ("flows", [{"op": "replace", "path": "/scheduleParams/frequency", "value": "fortnight"}], 1397),
        ("flows", [{"op": "replace", "path": "/scheduleParams/interval", "value": 5}], 1362),
        ("flows", [{"op": "replace", "path": "/sourceConnectionIds", "value": []}], 1338),
        (
            "flows",
            [
                {
                    "op": "add",
                    "path": "/transformations",
                    "value": [{"name": "Mapping", "params": {"mappingId": "nope"}}],
                }
            ],
            1419,
        ),
    ],
)
def test_patched_objects_are_validated_again(
    world: World, one_of_each: dict[str, str], resource: str, ops: list, code: int
) -> None:
    emu, obj_id = world.platform.emu, one_of_each[resource]
    before = read(emu, resource, obj_id)
    assert_flow_error(patch(emu, resource, obj_id, ops), 400, code)
    assert read(emu, resource, obj_id) == before


def test_patch_mapping_version_of_a_streaming_flow(world: World) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.streaming_flow())
    world.platform.mapping_set(world.schema, mapping_set_id=world.mapping["id"])
    new = {"name": "Mapping", "params": {"mappingId": world.mapping["id"], "mappingVersion": 1}}
    assert (
        patch(emu, "flows", flow_id, [{"op": "replace", "path": "/transformations/0", "value": new}]).status_code == 200
    )
    assert read(emu, "flows", flow_id)["transformations"] == [
        {"name": "Mapping", "params": {"mappingId": world.mapping["id"], "mappingVersion": "1"}}  # kept as text
    ]
    bad = {**new, "params": {**new["params"], "mappingVersion": 7}}
    assert_flow_error(
        patch(emu, "flows", flow_id, [{"op": "replace", "path": "/transformations/0", "value": bad}]), 400, 1412
    )


def test_rotating_credentials_keeps_them_secret(world: World) -> None:
    emu = world.platform.emu
    new_secret = "rotated-" + SECRET
    ops = [{"op": "replace", "path": "/auth/params", "value": {"s3AccessKey": "AKIANEW", "s3SecretKey": new_secret}}]
    assert patch(emu, "connections", world.s3_base, ops).status_code == 200
    answer = call(emu, "GET", f"/connections/{world.s3_base}")
    assert new_secret not in answer.text
    assert answer.json()["items"][0]["auth"]["params"] == {"s3AccessKey": "AKIANEW", "s3SecretKey": models.SECRET_MASK}


@pytest.mark.parametrize(
    "ops, code",
    [
        ([{"op": "replace", "path": "/scheduleParams", "value": {"startTime": 0, "frequency": "once"}}], 1403),
        ([{"op": "replace", "path": "/scheduleParams/backfill", "value": False}], 1404),
        ([{"op": "replace", "path": "/scheduleParams/startTime", "value": int(time.time()) + 7200}], 1366),
    ],
    ids=["switch-to-once", "backfill", "start-time"],
)
def test_schedule_updates_after_the_start_time(world: World, ops: list, code: int) -> None:
    emu = world.platform.emu
    started = schedule(start_offset=-30, frequency="hour", interval=1, backfill=True)
    flow_id = world.platform.create("flows", world.batch_flow(scheduleParams=started))
    if code == 1403:
        ops[0]["value"]["startTime"] = started["startTime"]
    assert_flow_error(patch(emu, "flows", flow_id, ops), 400, code)
    # What a started flow may still change: its frequency and interval.
    assert (
        patch(emu, "flows", flow_id, [{"op": "replace", "path": "/scheduleParams/interval", "value": 3}]).status_code
        == 200
    )


def test_schedule_updates_before_the_start_time(world: World) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow(scheduleParams=schedule(backfill=True)))
    once = {"startTime": int(time.time()) + 7200, "frequency": "once"}
    assert (
        patch(emu, "flows", flow_id, [{"op": "replace", "path": "/scheduleParams", "value": once}]).status_code == 200
    )
    past = {"startTime": int(time.time()) - 7200, "frequency": "once"}
    assert_flow_error(
        patch(emu, "flows", flow_id, [{"op": "replace", "path": "/scheduleParams", "value": past}]), 400, 1360
    )


# --------------------------------------------------------------------------- enable / disable


def test_enable_disable_actions(world: World) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow())
    etag = read(emu, "flows", flow_id)["etag"]
    answer = call(emu, "POST", f"/flows/{flow_id}/action?op=disable")
    assert answer.status_code == 200 and answer.json()["id"] == flow_id
    disabled = read(emu, "flows", flow_id)
    assert disabled["state"] == "disabled" and disabled["etag"] == answer.json()["etag"] != etag
    assert disabled["lastOperation"]["operation"] == "disable"
    repeat = call(emu, "POST", f"/flows/{flow_id}/action?op=DISABLE")
    assert repeat.status_code == 200 and repeat.json()["etag"] == disabled["etag"]  # no-op: nothing written
    enabled = call(emu, "POST", f"/flows/{flow_id}/action?op=Enable")
    assert enabled.status_code == 200 and enabled.json()["etag"] != disabled["etag"]
    assert read(emu, "flows", flow_id)["state"] == "enabled"


@pytest.mark.parametrize(
    "query, status, code",
    [("", 400, 1334), ("?op=", 400, 1334), ("?op=pause", 400, 1398), ("?op=FINALIZE", 400, 1402)],
)
def test_action_refusals(world: World, query: str, status: int, code: int) -> None:
    flow_id = world.platform.create("flows", world.batch_flow())
    assert_flow_error(call(world.platform.emu, "POST", f"/flows/{flow_id}/action{query}"), status, code)


def test_action_on_unknown_flow(emulator: EmulatorHandle) -> None:
    assert_flow_error(call(emulator, "POST", f"/flows/{uuid.uuid4()}/action?op=enable"), 404, 1439)


# --------------------------------------------------------------------------- delete and referential rules


def test_delete_flow_then_404_envelope(world: World) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow())
    answer = call(emu, "DELETE", f"/flows/{flow_id}")
    assert answer.status_code == 204 and answer.content == b""
    body = assert_flow_error(call(emu, "GET", f"/flows/{flow_id}"), 404, 1439)
    assert body["title"] == "Resource not found"
    assert body["report"]["id"] == flow_id and body["report"]["type"] == "flows"
    assert flow_id in body["report"]["detailed-message"]
    assert_flow_error(call(emu, "DELETE", f"/flows/{flow_id}"), 404, 1439)


@pytest.mark.parametrize("resource", ["connections", "sourceConnections", "targetConnections", "runs"])
def test_unknown_ids_are_404(emulator: EmulatorHandle, resource: str) -> None:
    body = assert_flow_error(call(emulator, "GET", f"/{resource}/{uuid.uuid4()}"), 404, 1101)
    assert body["report"]["type"] == resource


@pytest.mark.parametrize(
    "resource, attribute, code",
    [("connections", "s3_base", 1418), ("sourceConnections", "s3_source", 1447), ("targetConnections", "target", 1447)],
)
def test_connections_used_by_flows_cannot_be_deleted(world: World, resource: str, attribute: str, code: int) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow())
    obj_id = getattr(world, attribute)
    body = assert_flow_error(call(emu, "DELETE", f"/{resource}/{obj_id}"), 400, code)
    assert flow_id in body["report"]["detailed-message"]
    read(emu, resource, obj_id)
    assert call(emu, "DELETE", f"/flows/{flow_id}").status_code == 204
    assert call(emu, "DELETE", f"/{resource}/{obj_id}").status_code == 204


def test_teardown_in_dependency_order(world: World) -> None:
    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow())
    for resource, obj_id in (
        ("flows", flow_id),
        ("sourceConnections", world.s3_source),
        ("targetConnections", world.target),
        ("connections", world.s3_base),
    ):
        assert call(emu, "DELETE", f"/{resource}/{obj_id}").status_code == 204


def test_flows_using_contract(world: World) -> None:
    emu = world.platform.emu
    batch = world.platform.create("flows", world.batch_flow())
    streaming = world.platform.create("flows", world.streaming_flow())
    scope = (emu.config.org_id, "prod")
    with emu.server.app.app_context():
        assert models.flows_using(scope, "connections", world.s3_base) == [batch]
        assert models.flows_using(scope, "connections", world.kinesis_base) == [streaming]
        assert models.flows_using(scope, "sourceConnections", world.s3_source) == [batch]
        assert models.flows_using(scope, "targetConnections", world.target) == [batch, streaming]
        assert models.flows_using((emu.config.org_id, "dev"), "targetConnections", world.target) == []
        with pytest.raises(ValueError):
            models.flows_using(scope, "flows", batch)


# --------------------------------------------------------------------------- listing


@pytest.fixture
def named_connections(emulator: EmulatorHandle) -> dict[str, str]:
    ids = {}
    for name in ("delta", "alpha", "charlie", "bravo"):
        ids[name] = created(call(emulator, "POST", "/connections", json=with_fields(s3_connection(), name=name)))
    ids["kinesis"] = created(call(emulator, "POST", "/connections", json=kinesis_connection()))
    return ids


def names(answer: requests.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["name"] for item in answer.json()["items"]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["delta", "alpha", "charlie", "bravo", "Kinesis base connection"]),  # creation order
        ("?property=name==alpha", ["alpha"]),
        ('?property=name=="alpha","bravo"', ["alpha", "bravo"]),
        ("?property=name!=alpha,bravo&property=connectionSpec.id==" + S3, ["delta", "charlie"]),
        (f"?property=connectionSpec.id=={KINESIS}", ["Kinesis base connection"]),
        ("?property=name>charlie", ["delta"]),  # ordinal, case-sensitive comparison: "K" < "c"
        ("?property=name<=bravo", ["alpha", "bravo", "Kinesis base connection"]),
        ("?property=state==enabled&orderby=name", ["Kinesis base connection", "alpha", "bravo", "charlie", "delta"]),
        ("?orderby=-name", ["delta", "charlie", "bravo", "alpha", "Kinesis base connection"]),
        ("?orderby=%2Bname", ["Kinesis base connection", "alpha", "bravo", "charlie", "delta"]),
        ("?orderby=+name", ["Kinesis base connection", "alpha", "bravo", "charlie", "delta"]),
        ("?property=createdAt>0&orderby=-createdAt", ["Kinesis base connection", "bravo", "charlie", "alpha", "delta"]),
        ("?property=auth.params.s3AccessKey==AKIAEXAMPLE&property=name==delta", ["delta"]),
        ("?property=noSuchField==1", []),
    ],
)
def test_connection_filters(emulator: EmulatorHandle, named_connections: dict, query: str, expected: list[str]) -> None:
    assert names(call(emulator, "GET", "/connections" + query)) == expected


@pytest.mark.parametrize(
    "query, code",
    [
        ("?property=name~alp", 1440),
        ("?property=createdAt<=1,2", 1443),
        ("?property=name!>a", 1450),
        ("?property=createdAt==yesterday", 1452),
        ("?property=name", 1453),
        ("?property=name==", 1453),
        ("?orderby=%23id", 1432),
        ("?orderby=na%20me", 1433),
        ("?limit=0", 1451),
        ("?limit=ten", 1451),
        ("?count=maybe", 1451),
        ("?count=true&limit=2", 1401),
        ("?continuationToken=garbage", 1451),
    ],
)
def test_listing_refusals(emulator: EmulatorHandle, named_connections: dict, query: str, code: int) -> None:
    assert_flow_error(call(emulator, "GET", "/connections" + query), 400, code)


def test_count(emulator: EmulatorHandle, named_connections: dict) -> None:
    assert call(emulator, "GET", "/connections?count=true").json() == {"count": 5}
    assert call(emulator, "GET", f"/connections?count=True&property=connectionSpec.id=={S3}").json() == {"count": 4}


def test_paging_with_continuation_tokens(emulator: EmulatorHandle, named_connections: dict) -> None:
    seen: list[str] = []
    answer = call(emulator, "GET", f"/connections?limit=2&orderby=name&property=connectionSpec.id=={S3}")
    pages = 0
    while True:
        body = answer.json()
        seen += [item["name"] for item in body["items"]]
        pages += 1
        if "next" not in body["_links"]:
            break
        href = body["_links"]["next"]["href"]
        assert href.startswith("/connections?continuationToken=")
        answer = requests.get(emulator.url(BASE + href), headers=emulator.headers(), timeout=10)
    assert seen == ["alpha", "bravo", "charlie", "delta"] and pages == 2


def test_flow_filters_on_arrays_and_inherited_attributes(world: World) -> None:
    emu = world.platform.emu
    batch = world.platform.create("flows", world.batch_flow(name="batch"))
    streaming = world.platform.create("flows", world.streaming_flow(name="streaming"))
    call(emu, "POST", f"/flows/{streaming}/action?op=disable")
    cases = {
        f"property=sourceConnectionIds[]=={world.kinesis_source}": ["streaming"],
        f"property=inheritedAttributes.sourceConnections[].baseConnection.id=={world.s3_base}": ["batch"],
        f"property=inheritedAttributes.targetConnections[].connectionSpec.id=={DATA_LAKE}": ["batch", "streaming"],
        "property=inheritedAttributes.properties.isSourceFlow==true": ["batch", "streaming"],
        "property=state==disabled": ["streaming"],
        f"property=flowSpec.id=={CLOUD_STORAGE_FLOW}": ["batch"],
        f"property=id=={batch},{streaming}&orderby=-name": ["streaming", "batch"],
    }
    for query, expected in cases.items():
        assert names(call(emu, "GET", "/flows?" + query)) == expected, query
    assert call(emu, "GET", "/flows?property=state==enabled&count=true").json() == {"count": 1}


def test_source_and_target_connection_filters(world: World) -> None:
    emu = world.platform.emu
    assert [
        i["id"]
        for i in call(emu, "GET", f"/sourceConnections?property=baseConnectionId=={world.s3_base}").json()["items"]
    ] == [world.s3_source]
    assert [
        i["id"]
        for i in call(emu, "GET", f"/targetConnections?property=params.dataSetId=={world.dataset_id}").json()["items"]
    ] == [world.target]


# --------------------------------------------------------------------------- runs


@pytest.fixture
def once_flow(world: World) -> str:
    return world.platform.create("flows", world.batch_flow(scheduleParams=schedule(frequency="once", interval=None)))


def test_ad_hoc_run_of_a_one_time_flow(world: World, once_flow: str) -> None:
    emu = world.platform.emu
    params = {"windowStartTime": "1651584991", "windowEndTime": "1651585991"}
    answer = call(emu, "POST", "/runs", json={"flowId": once_flow, "params": params})
    run_id = created(answer)
    assert answer.headers["Location"] == f"{BASE}/runs/{run_id}"
    run = read(emu, "runs", run_id)
    assert run["flowId"] == once_flow and run["params"] == params
    assert run["flowSpec"] == {"id": CLOUD_STORAGE_FLOW, "version": "1.0"}
    assert run["metrics"]["statusSummary"]["status"] == "scheduled"
    assert set(run["metrics"]) >= {"durationSummary", "sizeSummary", "recordSummary", "fileSummary", "statusSummary"}
    assert run["activities"] == [] and ETAG.match(run["etag"])
    listed = call(emu, "GET", f"/runs?property=flowId=={once_flow}").json()["items"]
    assert [r["id"] for r in listed] == [run_id]
    assert call(emu, "GET", f"/runs?property=flowId=={uuid.uuid4()}").json()["items"] == []
    flow = read(emu, "flows", once_flow)
    assert flow["lastRunDetails"] == {"id": run_id, "state": "scheduled"}
    assert (
        requests.get(emu.url(BASE + flow["runs"]), headers=emu.headers(), timeout=10).json()["items"][0]["id"] == run_id
    )


@pytest.mark.parametrize(
    "body, code",
    [
        ({}, 1446),
        ({"flowId": ""}, 1446),
        ({"flowId": "{missing}"}, 1430),
        ({"flowId": "{batch}"}, 1386),
        ({"flowId": "{streaming}"}, 1385),
        ({"flowId": "{disabled}"}, 1388),
        ({"flowId": "{once}", "params": {"windowStartTime": "1651585991", "windowEndTime": "1651584991"}}, 1381),
        ({"flowId": 7}, 1100),
    ],
)
def test_run_refusals(world: World, once_flow: str, body: dict, code: int) -> None:
    emu = world.platform.emu
    disabled = world.platform.create(
        "flows", world.batch_flow(scheduleParams=schedule(frequency="once", interval=None))
    )
    call(emu, "POST", f"/flows/{disabled}/action?op=disable")
    flows = {
        "missing": str(uuid.uuid4()),
        "batch": world.platform.create("flows", world.batch_flow()),
        "streaming": world.platform.create("flows", world.streaming_flow()),
        "disabled": disabled,
        "once": once_flow,
    }
    if isinstance(body.get("flowId"), str):
        body = {**body, "flowId": body["flowId"].format(**flows)}
    assert_flow_error(call(emu, "POST", "/runs", json=body), 400, code)


# --------------------------------------------------------------------------- the seeds' Flow Service requests


def test_streaming_seed_requests(platform: Platform) -> None:
    """000_d9adb91ab8dc80eb: flowSpecs list, Data Lake target connection, dataflow with a Mapping."""
    emu = platform.emu
    schema = platform.schema()
    dataset_id = platform.dataset(schema)
    kinesis_base = platform.create("connections", kinesis_connection())
    source_id = platform.create("sourceConnections", kinesis_source(kinesis_base))
    target_answer = call(
        emu,
        "POST",
        "/targetConnections",
        json={
            "name": "Streaming target connection",
            "description": "Streaming target connection",
            "connectionSpec": {"id": DATA_LAKE, "version": "1.0"},
            "data": {
                "format": "parquet_xdm",
                "schema": {"id": schema["$id"], "version": "application/vnd.adobe.xed-full+json;version=1"},
            },
            "params": {"dataSetId": dataset_id},
        },
    )
    target_id = created(target_answer)
    mapping = platform.mapping_set(schema)
    specs = call(emu, "GET", "/flowSpecs").json()["items"]
    streaming_spec = next(s for s in specs if s["id"] == STREAMING_FLOW)
    assert streaming_spec["name"] == "Stream data with optional transformation"
    flow_answer = call(
        emu,
        "POST",
        "/flows",
        json={
            "name": "Streaming dataflow",
            "description": "Streaming dataflow",
            "flowSpec": {"id": STREAMING_FLOW, "version": "1.0"},
            "sourceConnectionIds": [source_id],
            "targetConnectionIds": [target_id],
            "transformations": [{"name": "Mapping", "params": {"mappingId": mapping["id"], "mappingVersion": 0}}],
        },
    )
    flow = read(emu, "flows", created(flow_answer))
    assert flow["state"] == "enabled" and flow["name"] == "Streaming dataflow"


def test_cloud_storage_seed_requests(platform: Platform) -> None:
    """004_446ba81049904896: source connection on a base connection, dataset base connection, target
    connection, scheduled dataflow (duplicated "id" and doubled quotes corrected, https)."""
    emu = platform.emu
    schema = platform.schema()
    s3_base = platform.create("connections", s3_connection())
    source_id = created(
        call(
            emu,
            "POST",
            "/sourceConnections",
            json={
                "name": f"Source Connection S3 {uuid.uuid4()}",
                "baseConnectionId": s3_base,
                "connectionSpec": {"id": S3, "version": 1},
                "data": {
                    "format": "parquet_xdm",
                    "schema": {"id": schema["$id"], "version": "application/vnd.adobe.xed-full+json;version=1.0"},
                },
                "params": {"path": "partners-demo/samples", "recursive": "true"},
            },
        )
    )
    assert read(emu, "sourceConnections", source_id)["connectionSpec"] == {"id": S3, "version": "1"}  # kept as text
    dataset_base = platform.create(
        "connections",
        {
            "name": "Dataset base connection",
            "description": "base connection for datasets",
            "connectionSpec": {"id": DATA_LAKE, "version": "1.0"},
        },
    )
    dataset_id = platform.dataset(schema)
    target_id = created(
        call(
            emu,
            "POST",
            "/targetConnections",
            json={
                "baseConnectionId": dataset_base,
                "connectionSpec": {"id": DATA_LAKE, "version": "1.0"},
                "name": f"Target Connection {uuid.uuid4()}",
                "data": {
                    "format": "parquet_xdm",
                    "schema": {"id": schema["$id"], "version": "application/vnd.adobe.xed-full+json;version=1.0"},
                },
                "params": {"dataSetId": dataset_id},
            },
        )
    )
    flow_id = created(
        call(
            emu,
            "POST",
            "/flows",
            json={
                "name": f"Demo Parquet Ingestion Flow {uuid.uuid4()}",
                "flowSpec": {"id": CLOUD_STORAGE_FLOW, "version": "1.0"},
                "sourceConnectionIds": [source_id],
                "targetConnectionIds": [target_id],
                "scheduleParams": {
                    "startTime": int(time.time()),
                    "frequency": "minute",
                    "interval": 1000,
                    "backfill": True,
                },
            },
        )
    )
    flow = read(emu, "flows", flow_id)
    assert flow["inheritedAttributes"]["targetConnections"][0]["baseConnection"]["id"] == dataset_base
    assert flow["scheduleParams"]["interval"] == "1000"  # ScheduleSpecDTO keeps it as a string


# --------------------------------------------------------------------------- conformance with Adobe's OpenAPI


def test_answers_match_the_flow_service_openapi(world: World) -> None:
    require_shared("openapi", "flow-service.yaml")
    from tests.emulator.openapi_check import validate_response

    emu = world.platform.emu
    flow_id = world.platform.create("flows", world.batch_flow(scheduleParams=schedule(frequency="once", interval=None)))
    answers = [
        call(emu, "GET", "/connectionSpecs"),
        call(emu, "GET", f"/connectionSpecs/{S3}"),
        call(emu, "GET", "/flowSpecs"),
        call(emu, "GET", f"/flowSpecs/{CLOUD_STORAGE_FLOW}"),
        call(emu, "POST", "/connections", json=s3_connection()),
        call(emu, "GET", f"/connections/{world.s3_base}"),
        call(emu, "GET", "/connections?limit=1"),
        call(emu, "GET", "/connections?count=true"),
        call(emu, "GET", f"/connections/{world.s3_base}/test"),
        call(emu, "POST", "/sourceConnections", json=s3_source(world.s3_base)),
        call(emu, "GET", f"/sourceConnections/{world.s3_source}"),
        call(emu, "GET", "/sourceConnections"),
        call(emu, "GET", f"/targetConnections/{world.target}"),
        call(emu, "GET", "/targetConnections"),
        call(emu, "GET", f"/flows/{flow_id}"),
        call(emu, "GET", "/flows"),
        patch(emu, "flows", flow_id, [{"op": "replace", "path": "/name", "value": "renamed"}]),
        call(emu, "POST", f"/flows/{flow_id}/action?op=disable"),
        call(emu, "POST", f"/flows/{flow_id}/action?op=enable"),
        call(emu, "POST", "/runs", json={"flowId": flow_id}),
        call(emu, "GET", f"/runs?property=flowId=={flow_id}"),
        call(emu, "GET", f"/flows/{uuid.uuid4()}"),
        call(emu, "POST", "/flows", json={}),
        patch(emu, "flows", flow_id, [{"op": "replace", "path": "/name", "value": "x"}], etag='"stale"'),
        call(emu, "DELETE", f"/flows/{flow_id}"),
    ]
    for answer in answers:
        assert answer.status_code < 500, answer.text
        assert validate_response(answer) == "flow-service.yaml"
