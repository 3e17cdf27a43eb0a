"""``SourceConnection``: where a dataflow reads (``/sourceConnections``): a stream, a bucket path, a table.

- ``connection_spec_id`` is the connector (``specs.AMAZON_KINESIS``, ``specs.AMAZON_S3``, ...);
  ``base_connection_id`` the ``BaseConnection`` holding the credentials (optional: some specs take
  none, e.g. the Data Landing Zone; the connector's rules are AEP's).
- ``data_format`` (``json`` for streams; ``delimited``, ``json``, ``parquet`` or ``parquet_xdm`` for
  files), ``data_properties`` (``columnDelimiter``, ``encoding``, ``compressionType`` for delimited files)
  and ``schema_id`` (the XDM schema of XDM-shaped data) describe the data.
- ``params`` are the connector's own (Kinesis: ``stream``, ``dataType``, ``reset``; files: ``path``,
  ``type``, ``recursive``); ``check`` validates them against the connector's ``sourceSpec`` JSON Schema.

In place or replace: only name and description change in place (JSON Patch with ``If-Match``); everything
else replaces the connection: the connector, the base connection, the data format, its properties, the schema
and ``params``. The platform documents no PATCH of an ingestion source connection's params: the only
documented one adds ``/params/filters`` to a *draft* source connection before it is published
(help/sources/tutorials/api/filter.md, "Update your source connection with filtering conditions"), and other
paths are refused ``1365-400`` (help/sources/errors/sources-errors.md). Name and description follow the base
connection rule (help/sources/tutorials/api/update.md); that they extend to source connections is an
assumption (docs/platform-assumptions.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import Field

from .base import AEPArgs, AEPResource
from .connection import base_connection_failures
from .data_connection import DataConnectionProvider
from .marker import without_marker
from .flow_service import (
    SOURCE_CONNECTIONS,
    create_object,
    data_section,
    schema_id_of,
    schema_input,
    spec_id_of,
    spec_ref,
)


class SourceConnectionArgs(AEPArgs):
    name: str = Field(min_length=1)
    """Source connection name shown in the platform UI."""

    description: str | None = None
    """Free-text description."""

    connection_spec_id: str = Field(min_length=1)
    """Id of the connector's connection spec, e.g. ``specs.AMAZON_KINESIS``. Changing it replaces the connection."""

    base_connection_id: str | None = None
    """``connection_id`` of the BaseConnection with the credentials (required by most connectors). Changing it replaces the connection."""

    data_format: str = Field(min_length=1)
    """Format of the source data: ``json`` for streams; ``delimited``, ``json``, ``parquet`` or ``parquet_xdm`` for files. Changing it replaces the connection."""

    data_properties: dict[str, Any] | None = None
    """Properties of the data, e.g. ``{"columnDelimiter": ",", "encoding": "UTF-8", "compressionType": "gzip"}``. Changing them replaces the connection."""

    schema_id: str | None = None
    """``$id`` of the XDM schema the source data already follows (XDM-shaped data such as ``parquet_xdm``). Changing it replaces the connection."""

    params: dict[str, Any] = Field(default_factory=dict)
    """The connector's parameters, e.g. ``{"stream": "orders", "dataType": "raw"}`` (Kinesis) or ``{"path": "bucket/folder", "recursive": True}`` (files). Changing them replaces the connection."""


class SourceConnectionProvider(DataConnectionProvider[SourceConnectionArgs]):
    collection = SOURCE_CONNECTIONS
    args_model = SourceConnectionArgs
    replace_on = frozenset(
        {"connection_spec_id", "base_connection_id", "data_format", "data_properties", "schema_id", "params"}
    )
    server_outputs = ("source_connection_id", "etag", "state", "sandbox")
    id_output = "source_connection_id"
    role = "sourceSpec"
    params_input = "params"
    unknown_spec_hint = "use one of the ids in aep_provider.specs"
    wrong_role_hint = "use the spec of the system data is read from, e.g. specs.AMAZON_S3"

    def validate(self, args: SourceConnectionArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "connection_spec_id" not in known:
            return
        data_format = args.data_format if "data_format" in known else None
        params = args.params if "params" in known else None
        if not (yield from self.spec_failures(args, args.connection_spec_id, data_format, params)):
            return  # without a checked connector, its base connection is not checked either
        sandbox = self.known_sandbox(args, known)
        if "base_connection_id" in known and args.base_connection_id and sandbox:
            yield from base_connection_failures(self, args.base_connection_id, args.connection_spec_id, sandbox)

    def create_object(self, args: SourceConnectionArgs, sandbox: str) -> str:
        body: dict[str, Any] = {
            "name": args.name,
            "connectionSpec": spec_ref(args.connection_spec_id),
            "data": data_section(args.data_format, args.schema_id, args.data_properties),
            "params": dict(args.params),
        }
        if args.description is not None:
            body["description"] = args.description
        if args.base_connection_id:
            body["baseConnectionId"] = args.base_connection_id
        return create_object(
            self.client, SOURCE_CONNECTIONS, body, sandbox,
            lambda obj: spec_id_of(obj) == args.connection_spec_id
            and obj.get("baseConnectionId") == args.base_connection_id,
            marker=args.resource_marker,
        )  # fmt: skip

    def inputs_from_server(self, obj: dict[str, Any], current: SourceConnectionArgs) -> dict[str, Any]:
        data = obj.get("data") if isinstance(obj.get("data"), Mapping) else {}
        return {
            "name": obj.get("name"),
            "description": without_marker(obj.get("description")),
            "connection_spec_id": spec_id_of(obj),
            "base_connection_id": obj.get("baseConnectionId"),
            "data_format": data.get("format"),
            "data_properties": data.get("properties") or None,
            "schema_id": schema_input(schema_id_of(data), current.schema_id),
            "params": obj.get("params") or {},
        }


class SourceConnection(AEPResource):
    """A source connection: the data a dataflow reads (a Kinesis stream, an S3 path, ...)."""

    provider_class = SourceConnectionProvider

    source_connection_id: pulumi.Output[str]
    """Flow Service id of the source connection; the resource's id (``Dataflow(source_connection_ids=[...])``)."""
    etag: pulumi.Output[str]
    """The connection's ``etag``, sent back as ``If-Match`` by each update."""
    state: pulumi.Output[str]
    """The connection's ``state`` as Flow Service reports it."""
    name: pulumi.Output[str]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from SourceConnectionArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: SourceConnectionArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A source connection: the data a dataflow reads (a Kinesis stream, an S3 path, ...).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param SourceConnectionArgs args: The inputs as one object.
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
        connection_spec_id: pulumi.Input[str],
        base_connection_id: pulumi.Input[str] | None = None,
        data_format: pulumi.Input[str],
        data_properties: pulumi.Input[Mapping[str, Any]] | None = None,
        schema_id: pulumi.Input[str] | None = None,
        params: pulumi.Input[Mapping[str, Any]] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A source connection: the data a dataflow reads (a Kinesis stream, an S3 path, ...).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: Source connection name shown in the platform UI.
        :param pulumi.Input[str] description: Free-text description.
        :param pulumi.Input[str] connection_spec_id: Id of the connector's connection spec, e.g.
            ``specs.AMAZON_KINESIS``. Changing it replaces the connection.
        :param pulumi.Input[str] base_connection_id: ``connection_id`` of the BaseConnection with the credentials
            (required by most connectors). Changing it replaces the connection.
        :param pulumi.Input[str] data_format: Format of the source data: ``json`` for streams; ``delimited``,
            ``json``, ``parquet`` or ``parquet_xdm`` for files. Changing it replaces the connection.
        :param pulumi.Input[Mapping[str, Any]] data_properties: Properties of the data, e.g. ``{"columnDelimiter":
            ",", "encoding": "UTF-8", "compressionType": "gzip"}``. Changing them replaces the connection.
        :param pulumi.Input[str] schema_id: ``$id`` of the XDM schema the source data already follows (XDM-shaped data
            such as ``parquet_xdm``). Changing it replaces the connection.
        :param pulumi.Input[Mapping[str, Any]] params: The connector's parameters, e.g. ``{"stream": "orders",
            "dataType": "raw"}`` (Kinesis) or ``{"path": "bucket/folder", "recursive": True}`` (files). Changing them
            replaces the connection. Default: empty.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(resource_name, *args, **kwargs)

    # --- end of typed inputs ---
