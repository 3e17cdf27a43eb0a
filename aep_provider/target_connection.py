"""``TargetConnection``: where a dataflow writes (``/targetConnections``): a dataset in the Data Lake.

For ingestion the connector is the Data Lake (``specs.DATA_LAKE``, the default); ``params.dataSetId``
names the dataset and ``data.schema`` its XDM schema. ``base_connection_id`` may name a *dataset base
connection* (a ``BaseConnection`` of the Data Lake spec), as the cloud-storage tutorial does.

In place or replace: only name and description change in place (JSON Patch with ``If-Match``); everything
else replaces the connection: the connector, the base connection, the dataset, the schema and the data format.
The platform documents no PATCH of an ingestion target connection: the documented ones change ``/params`` of
a *destination* target connection (help/destinations/api/edit-destination.md), and other paths are refused
``1365-400`` (help/sources/errors/sources-errors.md). Name and description follow the base connection rule
(help/sources/tutorials/api/update.md); that they extend to target connections is an assumption
(docs/platform-assumptions.md).

``check`` validates the dataset id against the connector's ``targetSpec`` JSON Schema, that the dataset
exists and that it follows ``schema_id`` (read-only look-ups).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import Field

from .base import AEPArgs, AEPResource
from .client import CATALOG, AEPClient
from .connection import base_connection_failures
from .data_connection import DataConnectionProvider
from .marker import without_marker
from .flow_service import (
    TARGET_CONNECTIONS,
    create_object,
    data_section,
    same_schema,
    schema_id_of,
    schema_input,
    spec_id_of,
    spec_ref,
)
from .specs import DATA_LAKE

DEFAULT_FORMAT = "parquet_xdm"


class TargetConnectionArgs(AEPArgs):
    name: str = Field(min_length=1)
    """Target connection name shown in the platform UI."""

    description: str | None = None
    """Free-text description."""

    dataset_id: str = Field(min_length=1)
    """Id of the dataset the flow writes to (``Dataset.dataset_id``). Changing it replaces the connection."""

    schema_id: str | None = None
    """``$id`` of the dataset's XDM schema (``Schema.schema_id``). Changing it replaces the connection."""

    data_format: str = DEFAULT_FORMAT
    """Format written to the Data Lake: ``parquet_xdm`` (default), ``json``, ``delimited`` or ``parquet``. Changing it replaces the connection."""

    connection_spec_id: str = Field(DATA_LAKE, min_length=1)
    """Id of the target connector's spec; ingestion writes to the Data Lake (the default). Changing it replaces the connection."""

    base_connection_id: str | None = None
    """``connection_id`` of a dataset base connection (a BaseConnection of the Data Lake spec); optional. Changing it replaces the connection."""


def get_dataset(client: AEPClient, dataset_id: str, sandbox: str) -> dict[str, Any] | None:
    """A Catalog dataset, or None (Catalog answers ``{"<id>": {...}}``)."""
    body = client.get(f"{CATALOG}/dataSets/{dataset_id}", sandbox=sandbox)
    found = body.get(dataset_id) if isinstance(body, Mapping) else None
    return dict(found) if isinstance(found, Mapping) else None


class TargetConnectionProvider(DataConnectionProvider[TargetConnectionArgs]):
    collection = TARGET_CONNECTIONS
    args_model = TargetConnectionArgs
    replace_on = frozenset({"connection_spec_id", "base_connection_id", "dataset_id", "schema_id", "data_format"})
    server_outputs = ("target_connection_id", "etag", "state", "sandbox")
    id_output = "target_connection_id"
    role = "targetSpec"
    params_input = "dataset_id"
    unknown_spec_hint = f"ingestion writes to the Data Lake ({DATA_LAKE})"
    wrong_role_hint = unknown_spec_hint

    def validate(self, args: TargetConnectionArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "connection_spec_id" in known:
            data_format = args.data_format if "data_format" in known else None
            params = {"dataSetId": args.dataset_id} if "dataset_id" in known else None
            yield from self.spec_failures(args, args.connection_spec_id, data_format, params)
        sandbox = self.known_sandbox(args, known)
        if sandbox is None:
            return
        if "dataset_id" in known:
            yield from self._dataset_failures(args, known, sandbox)
        if {"base_connection_id", "connection_spec_id"} <= known and args.base_connection_id:
            yield from base_connection_failures(self, args.base_connection_id, args.connection_spec_id, sandbox)

    def _dataset_failures(
        self, args: TargetConnectionArgs, known: frozenset[str], sandbox: str
    ) -> Iterable[CheckFailure]:
        dataset = self.lookup(
            "dataset_id",
            lambda client: get_dataset(client, args.dataset_id, sandbox),
            f"dataset {args.dataset_id} does not exist in sandbox {sandbox!r}; use the dataset_id of a Dataset",
        )
        if isinstance(dataset, CheckFailure):
            yield dataset
            return
        dataset_schema = (dataset or {}).get("schemaRef", {}).get("id")
        declared = args.schema_id if "schema_id" in known else None
        if declared and dataset_schema and not same_schema(declared, dataset_schema):
            yield CheckFailure(
                "schema_id",
                f"dataset {args.dataset_id} follows schema {dataset_schema}, not {args.schema_id}; "
                "give the dataset's schema (e.g. the Dataset's schema_id)",
            )

    def create_object(self, args: TargetConnectionArgs, sandbox: str) -> str:
        body: dict[str, Any] = {
            "name": args.name,
            "connectionSpec": spec_ref(args.connection_spec_id),
            "data": data_section(args.data_format, args.schema_id),
            "params": {"dataSetId": args.dataset_id},
        }
        if args.description is not None:
            body["description"] = args.description
        if args.base_connection_id:
            body["baseConnectionId"] = args.base_connection_id
        return create_object(
            self.client, TARGET_CONNECTIONS, body, sandbox,
            lambda obj: (obj.get("params") or {}).get("dataSetId") == args.dataset_id,
            marker=args.resource_marker,
        )  # fmt: skip

    def inputs_from_server(self, obj: dict[str, Any], current: TargetConnectionArgs) -> dict[str, Any]:
        data = obj.get("data") if isinstance(obj.get("data"), Mapping) else {}
        return {
            "name": obj.get("name"),
            "description": without_marker(obj.get("description")),
            "dataset_id": (obj.get("params") or {}).get("dataSetId"),
            "schema_id": schema_input(schema_id_of(data), current.schema_id),
            "data_format": data.get("format"),
            "connection_spec_id": spec_id_of(obj),
            "base_connection_id": obj.get("baseConnectionId"),
        }


class TargetConnection(AEPResource):
    """A target connection: the dataset (in the Data Lake) a dataflow writes to."""

    provider_class = TargetConnectionProvider

    target_connection_id: pulumi.Output[str]
    """Flow Service id of the target connection; the resource's id (``Dataflow(target_connection_ids=[...])``)."""
    etag: pulumi.Output[str]
    """The connection's ``etag``, sent back as ``If-Match`` by each update."""
    state: pulumi.Output[str]
    """The connection's ``state`` as Flow Service reports it."""
    name: pulumi.Output[str]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from TargetConnectionArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: TargetConnectionArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A target connection: the dataset (in the Data Lake) a dataflow writes to.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param TargetConnectionArgs args: The inputs as one object.
        :param pulumi.ResourceOptions opts: Options for the resource.
        """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        dataset_id: pulumi.Input[str],
        schema_id: pulumi.Input[str] | None = None,
        data_format: pulumi.Input[str] | None = None,
        connection_spec_id: pulumi.Input[str] | None = None,
        base_connection_id: pulumi.Input[str] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A target connection: the dataset (in the Data Lake) a dataflow writes to.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: Target connection name shown in the platform UI.
        :param pulumi.Input[str] description: Free-text description.
        :param pulumi.Input[str] dataset_id: Id of the dataset the flow writes to (``Dataset.dataset_id``). Changing
            it replaces the connection.
        :param pulumi.Input[str] schema_id: ``$id`` of the dataset's XDM schema (``Schema.schema_id``). Changing it
            replaces the connection.
        :param pulumi.Input[str] data_format: Format written to the Data Lake: ``parquet_xdm`` (default), ``json``,
            ``delimited`` or ``parquet``. Changing it replaces the connection. Default: ``parquet_xdm``.
        :param pulumi.Input[str] connection_spec_id: Id of the target connector's spec; ingestion writes to the Data
            Lake (the default). Changing it replaces the connection. Default:
            ``c604ff05-7f1a-43c0-8e18-33bf874cb11c``.
        :param pulumi.Input[str] base_connection_id: ``connection_id`` of a dataset base connection (a BaseConnection
            of the Data Lake spec); optional. Changing it replaces the connection.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(resource_name, *args, **kwargs)

    # --- end of typed inputs ---
