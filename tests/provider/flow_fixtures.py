"""Fixtures and helpers of the flow-side provider tests (connections, mapping sets, dataflows).

Test modules import what they use from here; every object is made through the providers themselves
(``check`` then ``create``, as the engine calls them) against the session's emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider import specs
from aep_provider.base import AEPProvider
from aep_provider.connection import BaseConnectionProvider
from aep_provider.dataflow import DataflowProvider
from aep_provider.dataset import DatasetProvider
from aep_provider.mapping_set import MappingSetProvider
from aep_provider.schema import SchemaProvider
from aep_provider.source_connection import SourceConnectionProvider
from aep_provider.target_connection import TargetConnectionProvider
from tests.provider.conftest import PERSON_DETAILS, PROFILE_CLASS, create

FLOW_SERVICE = "/data/foundation/flowservice"
IDENTITY_MAP = "https://ns.adobe.com/xdm/context/identitymap"
KINESIS_AUTH = "Aws Kinesis authentication credentials"
KINESIS_SECRET = "kinesis-secret-do-not-leak"
S3_SECRET = "s3-secret-do-not-leak"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

Made = tuple[str, dict[str, Any]]


def writes(emulator: EmulatorHandle) -> int:
    """AEP writes the emulator answered since its statistics were cleared (IMS token calls excluded)."""
    total = sum(emulator.calls(method) for method in WRITE_METHODS)
    return total - emulator.calls("POST", "/ims/")


def failures_of(provider: AEPProvider[Any], news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, str]:
    """``check``'s failures as {property: reasons joined}."""
    found: dict[str, str] = {}
    for failure in provider.check(olds or {}, news).failures:
        found[failure.property] = (found.get(failure.property, "") + " | " + failure.reason).strip(" |")
    return found


def server_object(emulator: EmulatorHandle, resource: str, object_id: str, sandbox: str = "prod") -> dict[str, Any]:
    """A Flow Service object as AEP's GET shows it (raw HTTP, not through the provider)."""
    answer = requests.get(emulator.url(f"{FLOW_SERVICE}/{resource}/{object_id}"), headers=emulator.headers(sandbox), timeout=10)
    answer.raise_for_status()
    return answer.json()["items"][0]


def patch_out_of_band(emulator: EmulatorHandle, resource: str, object_id: str, operations: list[dict[str, Any]]) -> None:
    """Someone else's change (the UI, another tool): a PATCH with the current etag."""
    current = server_object(emulator, resource, object_id)
    answer = requests.patch(
        emulator.url(f"{FLOW_SERVICE}/{resource}/{object_id}"),
        headers=emulator.headers(**{"If-Match": current["etag"]}),
        json=operations,
        timeout=10,
    )
    answer.raise_for_status()


@pytest.fixture
def make(configured: Callable[..., Any]) -> Callable[..., Made]:
    """``make(ProviderClass, **inputs)`` -> (id, outputs), through check and create."""

    def build(provider_class: type[AEPProvider[Any]], **inputs: Any) -> Made:
        return create(configured(provider_class), **inputs)

    return build


@pytest.fixture
def schema(make: Callable[..., Made]) -> Made:
    """A Profile schema with person details and an identity map (the fields mappings write)."""
    return make(SchemaProvider, title="Flow test people", class_id=PROFILE_CLASS, field_groups=[PERSON_DETAILS, IDENTITY_MAP])


@pytest.fixture
def dataset(make: Callable[..., Made], schema: Made) -> Made:
    return make(DatasetProvider, name="Flow test people", schema_id=schema[0])


@pytest.fixture
def kinesis_inputs() -> dict[str, Any]:
    return {
        "name": "Kinesis",
        "connection_spec_id": specs.AMAZON_KINESIS,
        "auth_spec_name": KINESIS_AUTH,
        "auth_params": {"accessKeyId": "AKIDEXAMPLE", "secretKey": KINESIS_SECRET, "region": "us-east-1"},
    }


@pytest.fixture
def kinesis_base(make: Callable[..., Made], kinesis_inputs: dict[str, Any]) -> Made:
    return make(BaseConnectionProvider, **kinesis_inputs)


@pytest.fixture
def kinesis_source(make: Callable[..., Made], kinesis_base: Made) -> Made:
    return make(
        SourceConnectionProvider,
        name="Kinesis source",
        connection_spec_id=specs.AMAZON_KINESIS,
        base_connection_id=kinesis_base[0],
        data_format="json",
        params={"stream": "orders", "dataType": "raw"},
    )


@pytest.fixture
def target(make: Callable[..., Made], dataset: Made, schema: Made) -> Made:
    return make(TargetConnectionProvider, name="People in the lake", dataset_id=dataset[0], schema_id=schema[0])


@pytest.fixture
def mapping_set(make: Callable[..., Made], schema: Made) -> Made:
    return make(
        MappingSetProvider,
        schema_id=schema[0],
        mappings=[
            {"source": "firstName", "destination": "person.name.firstName"},
            {"source": "lastName", "destination": "person.name.lastName"},
        ],
    )


@pytest.fixture
def streaming_flow(make: Callable[..., Made], kinesis_source: Made, target: Made, mapping_set: Made) -> Made:
    return make(
        DataflowProvider,
        name="Streaming people",
        flow_spec_id=specs.STREAMING_FLOW,
        source_connection_ids=[kinesis_source[0]],
        target_connection_ids=[target[0]],
        mapping_set_id=mapping_set[0],
        mapping_version=0,
    )


@pytest.fixture
def s3_base(make: Callable[..., Made]) -> Made:
    return make(
        BaseConnectionProvider,
        name="S3",
        connection_spec_name="Amazon S3",
        auth_spec_name="Access Key",
        auth_params={"s3AccessKey": "AKIDEXAMPLE", "s3SecretKey": S3_SECRET},
    )


@pytest.fixture
def s3_source(make: Callable[..., Made], s3_base: Made, schema: Made) -> Made:
    return make(
        SourceConnectionProvider,
        name="Parquet files",
        connection_spec_id=specs.AMAZON_S3,
        base_connection_id=s3_base[0],
        data_format="parquet_xdm",
        schema_id=schema[0],
        params={"path": "demo-bucket/samples", "recursive": True},
    )
