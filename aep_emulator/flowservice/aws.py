"""Amazon S3 and Kinesis behind the connections, reached with boto3 at ``EmulatorConfig.aws_endpoint``.

The platform checks a connection's credentials against the real service; the emulator does the same
against whatever answers at ``aws_endpoint`` (a moto server in tests). The calls are the ones a
least-privilege IAM user can make: S3 ``ListObjectsV2`` on the configured bucket (``ListBuckets`` when
no bucket is given), Kinesis ``ListStreams`` and ``DescribeStreamSummary``. Whether a wrong secret is
refused is up to that endpoint: moto accepts any key unless its IAM check is on (see
tests/emulator/conftest.py).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gzip
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .exceptions import FlowError

DEFAULT_REGION = "us-east-1"
PREVIEW_BYTES = 1024 * 1024
PREVIEW_ROWS = 10
_CREDENTIAL_ERRORS = frozenset(
    {
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AccessDenied",
        "AccessDeniedException",
        "ExpiredToken",
        "ExpiredTokenException",
        "403",
    }
)
_NOT_FOUND_ERRORS = frozenset({"NoSuchBucket", "NoSuchKey", "ResourceNotFoundException", "404"})


@dataclass(frozen=True)
class AwsAccess:
    """Where and as whom to call AWS for one base connection."""

    endpoint: str
    access_key: str
    secret_key: str
    session_token: str | None
    region: str
    bucket: str | None = None
    folder: str | None = None

    @classmethod
    def for_s3(cls, endpoint: str, params: dict[str, Any]) -> "AwsAccess":
        return cls(
            endpoint=endpoint,
            access_key=params["s3AccessKey"],
            secret_key=params["s3SecretKey"],
            session_token=params.get("s3SessionToken"),
            region=DEFAULT_REGION,
            bucket=params.get("bucketName"),
            folder=params.get("folderPath"),
        )

    @classmethod
    def for_kinesis(cls, endpoint: str, params: dict[str, Any]) -> "AwsAccess":
        return cls(
            endpoint=endpoint,
            access_key=params["accessKeyId"],
            secret_key=params["secretKey"],
            session_token=None,
            region=params.get("region") or DEFAULT_REGION,
        )

    def client(self, service: str) -> Any:
        return _client(service, self.endpoint, self.region, self.access_key, self.secret_key, self.session_token)


_CLIENT_LOCK = threading.Lock()


def _client(service: str, endpoint: str, region: str, access_key: str, secret_key: str, token: str | None) -> Any:
    # Building a boto3 client costs tenths of a second; clients are thread-safe to call but not to build.
    with _CLIENT_LOCK:
        return _cached_client(service, endpoint, region, access_key, secret_key, token)


@functools.lru_cache(maxsize=32)
def _cached_client(
    service: str, endpoint: str, region: str, access_key: str, secret_key: str, token: str | None
) -> Any:
    from botocore.config import Config

    return _session().client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=token,
        config=Config(
            retries={"max_attempts": 1},
            connect_timeout=5,
            read_timeout=15,
            s3={"addressing_style": "path"},
        ),
    )


@functools.cache
def _session() -> Any:
    import boto3  # imported on first use: the emulator starts fast without AWS

    return boto3.session.Session()


def verify_s3(access: AwsAccess) -> None:
    """The credentials work (and reach the restricted bucket, when one is set)."""
    with _translated("Amazon S3", access.bucket or "the account"):
        s3 = access.client("s3")
        if access.bucket:
            s3.list_objects_v2(Bucket=access.bucket, Prefix=access.folder or "", MaxKeys=1)
        else:
            s3.list_buckets()


def verify_kinesis(access: AwsAccess) -> None:
    with _translated("Amazon Kinesis", "the account"):
        access.client("kinesis").list_streams(Limit=1)


def require_stream(access: AwsAccess, stream: str) -> None:
    """The stream exists in the connection's region and the credentials may describe it."""
    with _translated("Amazon Kinesis", f"stream {stream}"):
        access.client("kinesis").describe_stream_summary(StreamName=stream)


def s3_entries(access: AwsAccess, object_type: str, target: str | None) -> list[dict[str, Any]]:
    """``explore`` listing: buckets at the root, folders and files below a ``bucket/prefix``."""
    with _translated("Amazon S3", target or "the account"):
        s3 = access.client("s3")
        if object_type == "root":
            buckets = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
            if access.bucket:
                buckets = [b for b in buckets if b == access.bucket]
            return [_entry("folder", name, f"/{name}") for name in buckets]
        bucket, prefix = _split_object(target or "")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        answer = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, Delimiter="/")
    folders = [
        _entry("folder", p["Prefix"][len(prefix) :].rstrip("/"), f"/{bucket}/{p['Prefix']}")
        for p in answer.get("CommonPrefixes", [])
    ]
    files = [
        _entry("file", o["Key"][len(prefix) :], f"/{bucket}/{o['Key']}")
        for o in answer.get("Contents", [])
        if o["Key"] != prefix
    ]
    return folders + files


def s3_preview(
    access: AwsAccess, target: str, file_type: str, options: dict[str, str], with_data: bool
) -> dict[str, Any]:
    """``explore?objectType=file``: the file's columns and, with ``preview=true``, its first rows."""
    bucket, key = _split_object(target)
    with _translated("Amazon S3", target):
        body = (
            access.client("s3").get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{PREVIEW_BYTES - 1}")["Body"].read()
        )
    if options.get("compressionType", "").lower() == "gzip" or key.endswith(".gz"):
        try:
            body = gzip.GzipFile(fileobj=io.BytesIO(body)).read()
        except (OSError, EOFError):
            raise FlowError(1100, f"The file {target} is not a readable gzip file.") from None
    rows = _rows(body.decode("utf-8", errors="replace"), file_type, options.get("columnDelimiter") or ",", target)
    answer: dict[str, Any] = {"format": "flat", "schema": {"columns": _columns(rows)}}
    if with_data:
        answer["data"] = rows
    return answer


def _rows(text: str, file_type: str, delimiter: str, target: str) -> list[dict[str, Any]]:
    if file_type == "delimited":
        if len(delimiter) != 1:
            raise FlowError(1331, "Column delimiter cannot be more than one character.")
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        return [dict(row) for _, row in zip(range(PREVIEW_ROWS), reader)]
    if file_type == "json":
        return _json_rows(text, target)
    raise FlowError(1100, f"Previewing {file_type} files is not supported by the emulator (only delimited and json).")


def _json_rows(text: str, target: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(text)
        records = document if isinstance(document, list) else [document]
    except ValueError:
        try:  # JSON lines
            records = [json.loads(line) for line in text.splitlines()[:PREVIEW_ROWS] if line.strip()]
        except ValueError:
            raise FlowError(1100, f"The file {target} is not valid JSON.") from None
    return [r for r in records[:PREVIEW_ROWS] if isinstance(r, dict)]


def _columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    columns: dict[str, str] = {}
    for row in rows:
        for name, value in row.items():
            columns.setdefault(name, _xdm_type(value))
    return [{"name": n, "type": t, "xdm": {"type": t}} for n, t in columns.items()]


def _xdm_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def _entry(kind: str, name: str, path: str) -> dict[str, Any]:
    is_file = kind == "file"
    return {"type": kind, "name": name, "path": path, "canPreview": is_file, "canFetchSchema": is_file}


def _split_object(target: str) -> tuple[str, str]:
    bucket, _, rest = target.lstrip("/").partition("/")
    if not bucket:
        raise FlowError(1337, "The object cannot be empty: give a bucket and an optional path.")
    return bucket, rest


@contextlib.contextmanager
def _translated(service: str, what: str) -> Iterator[None]:
    """Turns boto3/botocore failures into the Flow Service 400 a client can act on."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        raise _client_error(service, what, code) from None
    except BotoCoreError as exc:
        raise FlowError(1100, f"{service} could not be reached: {exc}.") from None


def _client_error(service: str, what: str, code: str) -> FlowError:
    if code in _CREDENTIAL_ERRORS:
        return FlowError(
            1100, f"{service} refused the connection's credentials ({code}). Check the access key and secret."
        )
    if code in _NOT_FOUND_ERRORS:
        return FlowError(1100, f"{service} could not find {what} ({code}).")
    return FlowError(1100, f"{service} answered {code} for {what}.")
