"""Fixtures of the flow-side provider tests (connections, mapping sets, dataflows).

Test modules load them with ``pytest_plugins = ["tests.provider.flow_fixtures"]``; every object is made
through the providers themselves (``check`` then ``create``, as the engine calls them) against the
session's emulator. Helpers live in ``flow_helpers.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

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
from tests.provider.flow_helpers import (
    IDENTITY_MAP,
    KINESIS_AUTH,
    KINESIS_SECRET,
    S3_SECRET,
    Made,
)


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
