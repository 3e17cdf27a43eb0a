"""``BaseConnection``: a Flow Service base connection (``/connections``): a connector and its credentials.

One resource for every connector: Amazon S3, Kinesis, Azure Event Hubs, Google Pub/Sub, the HTTP API, and
the *dataset base connection* (the Data Lake spec, no auth) that ingestion target connections may name.

- The connector is ``connection_spec_id`` (e.g. ``specs.AMAZON_S3``) or ``connection_spec_name`` (the
  platform's spec name such as ``"amazon-s3"``, or a display label such as ``"Amazon S3"``; see ``specs``).
  A refresh keeps the declared spelling while it designates the spec the connection uses.
- ``auth_params`` is a secret input: stored encrypted, never read back (AEP masks it). Adopting a
  connection (``adopt_id``) does not send the declared credentials; change them later to rotate.

In place or replace: the platform documents a base connection's name, description and credentials as
patchable (help/sources/tutorials/api/update.md, "Update connection": ``/name``, ``/description``,
``/auth/params``), so those change in place with ``If-Match``; a credential change is one
``replace /auth/params``. The connector cannot change (``FLOW-1414-400``, help/sources/errors/flow-service-errors.md)
and no document patches the auth spec (``/auth/specName`` is not a documented path: ``1365-400``), so changing
either replaces the connection.
- ``check`` validates ``auth_spec_name`` and ``auth_params`` against the connector's own JSON Schema
  (``GET /connectionSpecs/{id}``), naming the parameter and the fix; values never appear in messages.
- Outputs: ``connection_id``, ``etag``, ``state``, ``resolved_connection_spec_id`` and, for the HTTP
  API, ``inlet_url`` (where to POST records).
- Delete waits while flows still use the connection (``FLOW-1418-400``), within a bound.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import Field

from .base import AEPArgs, AEPProvider, AEPResource
from .client import AEPClient
from .flow_service import (
    FlowServiceProvider,
    CONNECTIONS,
    converge,
    create_object,
    description_change,
    get_object,
    patch_object,
    spec_id_of,
    spec_ref,
)
from .marker import without_marker
from .specs import (
    auth_specs,
    connection_spec,
    connection_spec_named,
    describe,
    schema_problems,
    spec_answers_to,
)

SPEC_FIELDS = ("connection_spec_id", "connection_spec_name")


class BaseConnectionArgs(AEPArgs):
    name: str = Field(min_length=1)
    """Connection name shown in the platform UI."""

    description: str | None = None
    """Free-text description."""

    connection_spec_id: str | None = None
    """Id of the connector's connection spec (e.g. ``specs.AMAZON_S3``); or set ``connection_spec_name``. Changing it replaces the connection."""

    connection_spec_name: str | None = None
    """Name of the connector's connection spec (e.g. ``amazon-s3``, or its label ``Amazon S3``), looked up on AEP; or set ``connection_spec_id``."""

    auth_spec_name: str | None = None
    """Which of the connector's auth specs the credentials follow (e.g. ``Access Key`` for S3); none for the Data Lake. Changing it replaces the connection."""

    auth_params: dict[str, Any] | None = None
    """Credentials (secret), as the auth spec names them (S3: ``s3AccessKey``, ``s3SecretKey``). Never read back; a change rotates them in place."""


def base_connection_failures(
    provider: AEPProvider[Any], base_connection_id: str, spec_id: str, sandbox: str
) -> Iterable[CheckFailure]:
    """Check-time rule of source and target connections: the base connection exists and uses their spec."""
    base = provider.lookup(
        "base_connection_id",
        lambda client: get_object(client, CONNECTIONS, base_connection_id, sandbox),
        f"base connection {base_connection_id} does not exist in sandbox {sandbox!r}; "
        "use the connection_id of a BaseConnection",
    )
    if isinstance(base, CheckFailure):
        yield base
    elif base is not None and spec_id_of(base) != spec_id:
        yield CheckFailure(
            "base_connection_id",
            f"base connection {base_connection_id} uses connection spec {spec_id_of(base)}, "
            f"not {spec_id}; use a base connection of the same connector",
        )


class BaseConnectionProvider(FlowServiceProvider[BaseConnectionArgs]):
    collection = CONNECTIONS
    args_model = BaseConnectionArgs
    replace_on = frozenset({*SPEC_FIELDS, "auth_spec_name"})
    secret_inputs = frozenset({"auth_params"})
    server_outputs = ("connection_id", "etag", "state", "inlet_url", "resolved_connection_spec_id", "sandbox")
    id_output = "connection_id"

    # --- check -----------------------------------------------------------------------------------

    def validate(self, args: BaseConnectionArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if not set(SPEC_FIELDS) <= known:
            return
        if args.connection_spec_id and args.connection_spec_name:
            yield CheckFailure("connection_spec_id", "set connection_spec_id or connection_spec_name, not both")
            return
        if not (args.connection_spec_id or args.connection_spec_name):
            yield CheckFailure(
                "connection_spec_id",
                "required: set connection_spec_id (e.g. specs.AMAZON_S3) or connection_spec_name (e.g. 'amazon-s3')",
            )
            return
        field = "connection_spec_id" if args.connection_spec_id else "connection_spec_name"
        sandbox = self.sandbox_of(args)
        spec = self.lookup(
            field,
            lambda client: self._spec(client, args, sandbox),
            f"unknown connection spec {args.connection_spec_id!r}; use one of the ids in aep_provider.specs "
            "or set connection_spec_name",
        )
        if isinstance(spec, CheckFailure):
            yield spec
        elif spec is not None:
            yield from self._auth_failures(args, known, spec)

    def _auth_failures(
        self, args: BaseConnectionArgs, known: frozenset[str], spec: Mapping[str, Any]
    ) -> Iterable[CheckFailure]:
        if not {"auth_spec_name", "auth_params"} <= known:
            return
        choices = auth_specs(spec)
        if not choices:
            if args.auth_spec_name is not None or args.auth_params is not None:
                yield CheckFailure(
                    "auth_spec_name",
                    f"connection spec {describe(spec)} takes no credentials; remove auth_spec_name and auth_params",
                )
            return
        names = ", ".join(repr(name) for name in choices)
        if args.auth_spec_name is None:
            yield CheckFailure("auth_spec_name", f"required by connection spec {describe(spec)}: one of {names}")
            return
        auth = choices.get(args.auth_spec_name)
        if auth is None:
            close = difflib.get_close_matches(args.auth_spec_name, list(choices), n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}? " if close else ""
            yield CheckFailure(
                "auth_spec_name",
                f"{args.auth_spec_name!r} is not an auth spec of {describe(spec)}; {hint}use one of {names}",
            )
            return
        schema = auth.get("spec")
        if isinstance(schema, Mapping):
            for problem in schema_problems(schema, args.auth_params or {}, "auth_params", reveal_values=False):
                yield CheckFailure("auth_params", f"{problem} (auth spec {args.auth_spec_name!r})")

    # --- CRUD ------------------------------------------------------------------------------------

    def create_object(self, args: BaseConnectionArgs, sandbox: str) -> str:
        spec_id = self._spec_id(args, sandbox)
        body: dict[str, Any] = {"name": args.name, "connectionSpec": spec_ref(spec_id)}
        if args.description is not None:
            body["description"] = args.description
        if args.auth_spec_name is not None:
            body["auth"] = {"specName": args.auth_spec_name, "params": dict(args.auth_params or {})}
        return create_object(
            self.client, CONNECTIONS, body, sandbox, lambda obj: spec_id_of(obj) == spec_id, marker=args.resource_marker
        )

    def outputs_from_server(self, obj: dict[str, Any], args: BaseConnectionArgs) -> dict[str, Any]:
        params = (obj.get("auth") or {}).get("params") or {}
        return {
            **super().outputs_from_server(obj, args),
            "inlet_url": params.get("inletUrl"),  # HTTP API only: server-made, not a credential
            "resolved_connection_spec_id": spec_id_of(obj),
        }

    def inputs_from_server(self, obj: dict[str, Any], current: BaseConnectionArgs) -> dict[str, Any]:
        found: dict[str, Any] = {
            "name": obj.get("name"),
            "description": without_marker(obj.get("description")),
            "auth_spec_name": (obj.get("auth") or {}).get("specName"),
        }
        server_spec = spec_id_of(obj)
        if current.connection_spec_name and not current.connection_spec_id:
            # Declared by name: the declared spelling while it designates the spec in use, else that spec's name.
            sandbox = str(obj.get("sandboxName") or self.sandbox_of(current))
            spec = (connection_spec(self.client, server_spec, sandbox) if server_spec else None) or {}
            declared = current.connection_spec_name
            found["connection_spec_name"] = (
                declared if spec_answers_to(spec, declared) else spec.get("name") or server_spec
            )
        else:
            found["connection_spec_id"] = server_spec
        return found

    def update_object(
        self,
        object_id: str,
        old: BaseConnectionArgs,
        new: BaseConnectionArgs,
        sandbox: str,
        old_outputs: Mapping[str, Any],
    ) -> None:
        rotate = new.auth_spec_name is not None and (new.auth_params or {}) != (old.auth_params or {})

        def operations(current: dict[str, Any]) -> list[dict[str, Any]]:
            ops = converge(current, {"/name": new.name, **description_change(current, new.description, new.resource_marker)})
            if rotate:  # AEP masks the stored secrets, so the change is known from the inputs alone
                ops.append({"op": "replace", "path": "/auth/params", "value": dict(new.auth_params or {})})
            return ops

        patch_object(self.client, CONNECTIONS, object_id, sandbox, operations)

    # --- internals -------------------------------------------------------------------------------

    def _spec(self, client: AEPClient, args: BaseConnectionArgs, sandbox: str) -> dict[str, Any] | None:
        if args.connection_spec_id:
            return connection_spec(client, args.connection_spec_id, sandbox)
        return connection_spec_named(client, str(args.connection_spec_name), sandbox)

    def _spec_id(self, args: BaseConnectionArgs, sandbox: str) -> str:
        if args.connection_spec_id:
            return args.connection_spec_id
        return str(connection_spec_named(self.client, str(args.connection_spec_name), sandbox)["id"])


class BaseConnection(AEPResource):
    """A base connection: a connector (by spec id or name) and its credentials (a secret input)."""

    provider_class = BaseConnectionProvider

    connection_id: pulumi.Output[str]
    """Flow Service id of the base connection; the resource's id (``base_connection_id=``)."""
    etag: pulumi.Output[str]
    """The connection's ``etag``, sent back as ``If-Match`` by each update."""
    state: pulumi.Output[str]
    """The connection's ``state`` as Flow Service reports it (e.g. ``enabled``)."""
    inlet_url: pulumi.Output[str | None]
    """HTTP API connections only: the URL to POST records to; None for other connectors."""
    resolved_connection_spec_id: pulumi.Output[str]
    """Id of the connection spec in use (also when it was given by name)."""
    name: pulumi.Output[str]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from BaseConnectionArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: BaseConnectionArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A base connection: a connector (by spec id or name) and its credentials (a secret input).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param BaseConnectionArgs args: The inputs as one object.
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
        connection_spec_id: pulumi.Input[str] | None = None,
        connection_spec_name: pulumi.Input[str] | None = None,
        auth_spec_name: pulumi.Input[str] | None = None,
        auth_params: pulumi.Input[Mapping[str, Any]] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A base connection: a connector (by spec id or name) and its credentials (a secret input).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: Connection name shown in the platform UI.
        :param pulumi.Input[str] description: Free-text description.
        :param pulumi.Input[str] connection_spec_id: Id of the connector's connection spec (e.g. ``specs.AMAZON_S3``);
            or set ``connection_spec_name``. Changing it replaces the connection.
        :param pulumi.Input[str] connection_spec_name: Name of the connector's connection spec (e.g. ``amazon-s3``, or
            its label ``Amazon S3``), looked up on AEP; or set ``connection_spec_id``.
        :param pulumi.Input[str] auth_spec_name: Which of the connector's auth specs the credentials follow (e.g.
            ``Access Key`` for S3); none for the Data Lake. Changing it replaces the connection.
        :param pulumi.Input[Mapping[str, Any]] auth_params: Credentials (secret), as the auth spec names them (S3:
            ``s3AccessKey``, ``s3SecretKey``). Never read back; a change rotates them in place. Secret: stored
            encrypted in the state.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(resource_name, *args, **kwargs)

    # --- end of typed inputs ---
