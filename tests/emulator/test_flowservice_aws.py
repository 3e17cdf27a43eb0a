"""Flow Service connections backed by real S3 and Kinesis APIs (a moto server): credentials checked at create
and on PATCH of ``/auth/params``, ``/test``, ``/explore`` (buckets, folders, file previews), Kinesis streams.

Tests that must see a wrong secret refused turn on moto's IAM check (``moto_iam_enforced``): moto otherwise
accepts any key.
"""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import pytest

from aep_emulator.flowservice import models
from aep_emulator.testing import EmulatorHandle
from tests.emulator.conftest import AwsKeys, MotoAws
from tests.emulator.test_flowservice import (
    KINESIS,
    S3,
    assert_flow_error,
    call,
    created,
    patch,
    read,
)

CSV = b"id,firstName,lastName\n1,Ada,Lovelace\n2,Alan,Turing\n"
SEMICOLON_CSV = b"id;city\n1;Paris\n"
JSON_LINES = b'{"id": 1, "vip": true, "score": 9.5, "tags": ["a"]}\n{"id": 2, "vip": false, "score": 7.0, "tags": []}\n'


@pytest.fixture
def bucket(moto_server: MotoAws) -> str:
    """A bucket with files and folders under ``data/``."""
    name = f"acme-{uuid.uuid4().hex[:10]}"
    s3 = moto_server.client("s3")
    s3.create_bucket(Bucket=name)
    objects = {
        "data/customers.csv": CSV,
        "data/cities.csv": SEMICOLON_CSV,
        "data/events.json": JSON_LINES,
        "data/archive/customers.csv.gz": gzip.compress(CSV),
        "data/nested/deeper/file.parquet": b"PAR1",
    }
    for key, body in objects.items():
        s3.put_object(Bucket=name, Key=key, Body=body)
    return name


@pytest.fixture
def reader(moto_server: MotoAws) -> AwsKeys:
    """An IAM user that may read S3 and Kinesis, as a customer would give Experience Platform."""
    return moto_server.create_user(
        ["s3:ListBucket", "s3:ListAllMyBuckets", "s3:GetObject", "kinesis:ListStreams", "kinesis:DescribeStreamSummary"]
    )


def s3_body(keys: AwsKeys, **params: Any) -> dict[str, Any]:
    return {
        "name": "S3",
        "auth": {
            "specName": "Access Key",
            "params": {"s3AccessKey": keys.access_key, "s3SecretKey": keys.secret_key, **params},
        },
        "connectionSpec": {"id": S3, "version": "1.0"},
    }


def kinesis_body(keys: AwsKeys, region: str = "us-east-1") -> dict[str, Any]:
    return {
        "name": "Kinesis",
        "auth": {
            "specName": "Aws Kinesis authentication credentials",
            "params": {"accessKeyId": keys.access_key, "secretKey": keys.secret_key, "region": region},
        },
        "connectionSpec": {"id": KINESIS, "version": "1.0"},
    }


def kinesis_source_body(base_id: str, stream: str) -> dict[str, Any]:
    return {
        "name": "Kinesis source",
        "baseConnectionId": base_id,
        "data": {"format": "json"},
        "params": {"stream": stream, "dataType": "raw", "reset": "latest"},
        "connectionSpec": {"id": KINESIS, "version": "1.0"},
    }


def explore(emu: EmulatorHandle, conn_id: str, **params: str) -> Any:
    return call(emu, "GET", f"/connections/{conn_id}/explore", params=params)


def connection(emu: EmulatorHandle, body: dict[str, Any]) -> str:
    return created(call(emu, "POST", "/connections", json=body))


# --------------------------------------------------------------------------- credentials


def test_s3_connection_is_verified(
    aws_emulator: EmulatorHandle, moto_iam_enforced: MotoAws, reader: AwsKeys, bucket: str
) -> None:
    for body in (s3_body(reader), s3_body(reader, bucketName=bucket, folderPath="data/")):
        conn = read(aws_emulator, "connections", connection(aws_emulator, body))
        assert conn[models.VERIFICATION_FIELD]["status"] == "verified"
        assert conn["auth"]["params"]["s3SecretKey"] == models.SECRET_MASK


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda keys, bucket: {"s3SecretKey": "not-the-secret"}, "SignatureDoesNotMatch"),
        (lambda keys, bucket: {"s3AccessKey": "AKIAUNKNOWNKEY000000"}, "InvalidAccessKeyId"),
        (lambda keys, bucket: {"bucketName": bucket + "-missing"}, "NoSuchBucket"),
    ],
    ids=["wrong-secret", "unknown-key", "missing-bucket"],
)
def test_s3_connection_refused(
    aws_emulator: EmulatorHandle, moto_iam_enforced: MotoAws, reader: AwsKeys, bucket: str, change: Any, message: str
) -> None:
    body = s3_body(reader)
    body["auth"]["params"].update(change(reader, bucket))
    error = assert_flow_error(call(aws_emulator, "POST", "/connections", json=body), 400, 1100)
    assert message in error["report"]["detailed-message"]
    assert reader.secret_key not in json.dumps(error)
    assert call(aws_emulator, "GET", "/connections").json()["items"] == []


def test_wrong_secret_passes_when_aws_does_not_check(aws_emulator: EmulatorHandle, reader: AwsKeys) -> None:
    """Without IAM checks moto (like a permissive endpoint) accepts any key; the emulator only asks AWS."""
    body = s3_body(AwsKeys(reader.access_key, "anything"))
    assert (
        read(aws_emulator, "connections", connection(aws_emulator, body))[models.VERIFICATION_FIELD]["status"]
        == "verified"
    )


def test_rotating_s3_credentials_is_checked(
    aws_emulator: EmulatorHandle, moto_iam_enforced: MotoAws, reader: AwsKeys
) -> None:
    conn_id = connection(aws_emulator, s3_body(reader))
    before = read(aws_emulator, "connections", conn_id)
    bad = [{"op": "replace", "path": "/auth/params", "value": {"s3AccessKey": reader.access_key, "s3SecretKey": "old"}}]
    assert_flow_error(patch(aws_emulator, "connections", conn_id, bad), 400, 1100)
    assert read(aws_emulator, "connections", conn_id) == before
    fresh = moto_iam_enforced.create_user(["s3:*"])
    good = [
        {
            "op": "replace",
            "path": "/auth/params",
            "value": {"s3AccessKey": fresh.access_key, "s3SecretKey": fresh.secret_key},
        }
    ]
    assert patch(aws_emulator, "connections", conn_id, good).status_code == 200
    after = read(aws_emulator, "connections", conn_id)
    assert after["auth"]["params"]["s3AccessKey"] == fresh.access_key
    assert after[models.VERIFICATION_FIELD]["status"] == "verified"
    assert after[models.VERIFICATION_FIELD]["checkedAt"] >= before[models.VERIFICATION_FIELD]["checkedAt"]
    renamed = patch(aws_emulator, "connections", conn_id, [{"op": "replace", "path": "/name", "value": "renamed"}])
    assert renamed.status_code == 200  # no credential change: AWS is not asked again
    assert read(aws_emulator, "connections", conn_id)[models.VERIFICATION_FIELD] == after[models.VERIFICATION_FIELD]


def test_connection_test_endpoint(aws_emulator: EmulatorHandle, moto_iam_enforced: MotoAws, reader: AwsKeys) -> None:
    conn_id = connection(aws_emulator, s3_body(reader))
    answer = call(aws_emulator, "GET", f"/connections/{conn_id}/test")
    assert answer.status_code == 200 and answer.json() == {"result": True}
    moto_iam_enforced.client("iam").delete_access_key(
        UserName=_user_of(moto_iam_enforced, reader), AccessKeyId=reader.access_key
    )
    assert call(aws_emulator, "GET", f"/connections/{conn_id}/test").json() == {"result": False}
    assert_flow_error(call(aws_emulator, "GET", f"/connections/{uuid.uuid4()}/test"), 404, 1101)


def _user_of(aws: MotoAws, keys: AwsKeys) -> str:
    return aws.client("iam").get_access_key_last_used(AccessKeyId=keys.access_key)["UserName"]


# --------------------------------------------------------------------------- explore


def test_explore_root_lists_buckets(aws_emulator: EmulatorHandle, reader: AwsKeys, bucket: str) -> None:
    entries = explore(aws_emulator, connection(aws_emulator, s3_body(reader)), objectType="root").json()
    assert {
        "type": "folder",
        "name": bucket,
        "path": f"/{bucket}",
        "canPreview": False,
        "canFetchSchema": False,
    } in entries
    restricted = connection(aws_emulator, s3_body(reader, bucketName=bucket))
    assert [e["name"] for e in explore(aws_emulator, restricted, objectType="ROOT").json()] == [bucket]


@pytest.mark.parametrize("target", ["{bucket}/data", "/{bucket}/data/"])
def test_explore_folder(aws_emulator: EmulatorHandle, reader: AwsKeys, bucket: str, target: str) -> None:
    answer = explore(
        aws_emulator,
        connection(aws_emulator, s3_body(reader)),
        objectType="folder",
        object=target.format(bucket=bucket),
    )
    assert answer.status_code == 200, answer.text
    listed = {(e["type"], e["name"], e["path"], e["canPreview"]) for e in answer.json()}
    assert listed == {
        ("folder", "archive", f"/{bucket}/data/archive/", False),
        ("folder", "nested", f"/{bucket}/data/nested/", False),
        ("file", "cities.csv", f"/{bucket}/data/cities.csv", True),
        ("file", "customers.csv", f"/{bucket}/data/customers.csv", True),
        ("file", "events.json", f"/{bucket}/data/events.json", True),
    }


@pytest.mark.parametrize(
    "key, params, columns, first_row",
    [
        (
            "data/customers.csv",
            {"fileType": "delimited"},
            [("id", "string"), ("firstName", "string"), ("lastName", "string")],
            {"id": "1", "firstName": "Ada", "lastName": "Lovelace"},
        ),
        (
            "data/cities.csv",
            {"fileType": "DELIMITED", "columnDelimiter": ";"},
            [("id", "string"), ("city", "string")],
            {"id": "1", "city": "Paris"},
        ),
        (
            "data/archive/customers.csv.gz",
            {"fileType": "delimited", "compressionType": "gzip"},
            [("id", "string"), ("firstName", "string"), ("lastName", "string")],
            {"id": "1", "firstName": "Ada", "lastName": "Lovelace"},
        ),
        (
            "data/events.json",
            {"fileType": "json"},
            [("id", "integer"), ("vip", "boolean"), ("score", "number"), ("tags", "array")],
            {"id": 1, "vip": True, "score": 9.5, "tags": ["a"]},
        ),
    ],
)
def test_explore_file_preview(
    aws_emulator: EmulatorHandle, reader: AwsKeys, bucket: str, key: str, params: dict, columns: list, first_row: dict
) -> None:
    conn_id = connection(aws_emulator, s3_body(reader))
    answer = explore(aws_emulator, conn_id, objectType="file", object=f"/{bucket}/{key}", preview="true", **params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["format"] == "flat"
    assert [(c["name"], c["type"]) for c in body["schema"]["columns"]] == columns
    assert all(c["xdm"] == {"type": c["type"]} for c in body["schema"]["columns"])
    assert body["data"][0] == first_row
    structure_only = explore(aws_emulator, conn_id, objectType="file", object=f"/{bucket}/{key}", **params).json()
    assert "data" not in structure_only and structure_only["schema"] == body["schema"]


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, 1334),
        ({"objectType": "table"}, 1358),
        ({"objectType": "folder"}, 1337),
        ({"objectType": "file", "object": "/{bucket}/data/customers.csv"}, 1337),
        ({"objectType": "file", "object": "/{bucket}/data/missing.csv", "fileType": "delimited"}, 1100),
        ({"objectType": "file", "object": "/{bucket}/data/nested/deeper/file.parquet", "fileType": "parquet"}, 1100),
        (
            {
                "objectType": "file",
                "object": "/{bucket}/data/customers.csv",
                "fileType": "delimited",
                "columnDelimiter": "::",
            },
            1331,
        ),
        ({"objectType": "folder", "object": "/no-such-bucket-here/x"}, 1100),
    ],
)
def test_explore_refusals(aws_emulator: EmulatorHandle, reader: AwsKeys, bucket: str, params: dict, code: int) -> None:
    conn_id = connection(aws_emulator, s3_body(reader))
    params = {k: v.format(bucket=bucket) for k, v in params.items()}
    assert_flow_error(explore(aws_emulator, conn_id, **params), 400, code)


def test_explore_is_for_s3_connections(aws_emulator: EmulatorHandle, reader: AwsKeys) -> None:
    kinesis_id = connection(aws_emulator, kinesis_body(reader))
    assert_flow_error(explore(aws_emulator, kinesis_id, objectType="root"), 400, 1336)
    assert_flow_error(explore(aws_emulator, str(uuid.uuid4()), objectType="root"), 404, 1101)


def test_explore_needs_an_aws_endpoint(emulator: EmulatorHandle) -> None:
    conn_id = connection(emulator, s3_body(AwsKeys("AKIAEXAMPLE", "secret")))
    assert_flow_error(explore(emulator, conn_id, objectType="root"), 400, 1336)
    assert call(emulator, "GET", f"/connections/{conn_id}/test").json() == {"result": True}


# --------------------------------------------------------------------------- Kinesis


@pytest.fixture
def stream(moto_server: MotoAws) -> str:
    name = f"clicks-{uuid.uuid4().hex[:8]}"
    moto_server.client("kinesis").create_stream(StreamName=name, ShardCount=1)
    return name


def test_kinesis_source_on_an_existing_stream(
    aws_emulator: EmulatorHandle, moto_iam_enforced: MotoAws, reader: AwsKeys, stream: str
) -> None:
    base = read(aws_emulator, "connections", connection(aws_emulator, kinesis_body(reader)))
    assert base[models.VERIFICATION_FIELD]["status"] == "verified"
    source_id = created(call(aws_emulator, "POST", "/sourceConnections", json=kinesis_source_body(base["id"], stream)))
    assert read(aws_emulator, "sourceConnections", source_id)[models.VERIFICATION_FIELD]["status"] == "verified"
    # A source connection's params are not patchable on the platform (1365-400): a new stream is a new connection.
    missing = [{"op": "replace", "path": "/params/stream", "value": stream + "-gone"}]
    assert_flow_error(patch(aws_emulator, "sourceConnections", source_id, missing), 400, 1365)


@pytest.mark.parametrize(
    "region, stream_suffix, keys_change",
    [("us-east-1", "-missing", None), ("eu-west-1", "", None), ("us-east-1", "", "wrong-secret")],
    ids=["missing-stream", "other-region", "wrong-secret"],
)
def test_kinesis_refusals(
    aws_emulator: EmulatorHandle,
    moto_iam_enforced: MotoAws,
    reader: AwsKeys,
    stream: str,
    region: str,
    stream_suffix: str,
    keys_change: str | None,
) -> None:
    if keys_change:
        body = kinesis_body(AwsKeys(reader.access_key, keys_change), region)
        assert_flow_error(call(aws_emulator, "POST", "/connections", json=body), 400, 1100)
        return
    base_id = connection(aws_emulator, kinesis_body(reader, region))
    answer = call(aws_emulator, "POST", "/sourceConnections", json=kinesis_source_body(base_id, stream + stream_suffix))
    error = assert_flow_error(answer, 400, 1100)
    assert stream + stream_suffix in error["report"]["detailed-message"]
    assert call(aws_emulator, "GET", "/sourceConnections").json()["items"] == []
