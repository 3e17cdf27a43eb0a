"""What ``SourceConnection`` and ``TargetConnection`` share: the check of a connection against its
connector's ``sourceSpec`` or ``targetSpec`` (the data formats it takes, the JSON Schema of ``params``), and
the in-place update, which touches only name and description (the rest is a replacement: see the rule and
its sources in ``source_connection.py`` and ``target_connection.py``).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, ClassVar

from pulumi.dynamic import CheckFailure

from .base import AEPArgs, ArgsT
from .flow_service import FlowServiceProvider, converge, description_change, patch_object
from .specs import SpecRole, connection_spec, describe, params_schema, schema_problems, supported_formats


class DataConnectionProvider(FlowServiceProvider[ArgsT]):
    """What source and target connections share: a connector whose spec's ``sourceSpec`` or
    ``targetSpec`` lists the data formats it takes and the JSON Schema of the connection's ``params``."""

    role: ClassVar[SpecRole]  # the side of the connector's spec this connection uses
    params_input: ClassVar[str]  # the input the connection's ``params`` are made of, named in failures
    unknown_spec_hint: ClassVar[str]  # the fix when AEP does not know ``connection_spec_id``
    wrong_role_hint: ClassVar[str]  # the fix when the connector has no ``role``

    def spec_failures(
        self, args: AEPArgs, spec_id: str, data_format: str | None, params: Mapping[str, Any] | None
    ) -> Generator[CheckFailure, None, bool]:
        """Yields what connector ``spec_id`` (looked up in the sandbox of ``args``) refuses in the data
        format and params (None while unknown); returns whether the spec could be checked at all (AEP
        answered, and the spec has this side)."""
        spec = self.lookup(
            "connection_spec_id",
            lambda client: connection_spec(client, spec_id, self.sandbox_of(args)),
            f"unknown connection spec {spec_id!r}; {self.unknown_spec_hint}",
        )
        if isinstance(spec, CheckFailure):
            yield spec
            return False
        if spec is None:
            return False
        schema = params_schema(spec, self.role)
        if schema is None:
            yield CheckFailure(
                "connection_spec_id",
                f"{describe(spec)} is not a {self.role.removesuffix('Spec')} connector "
                f"(its spec has no {self.role}); {self.wrong_role_hint}",
            )
            return False
        formats = supported_formats(spec, self.role)
        if data_format is not None and formats and data_format not in formats:
            verb = "reads" if self.role == "sourceSpec" else "writes"
            yield CheckFailure("data_format", f"{describe(spec)} {verb} {', '.join(formats)}; got {data_format!r}")
        if params is not None:
            for problem in schema_problems(schema, params, "params"):
                yield CheckFailure(self.params_input, f"{problem} ({self.role} of {describe(spec)})")
        return True

    def update_object(
        self, object_id: str, old: ArgsT, new: ArgsT, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        def operations(current: dict[str, Any]) -> list[dict[str, Any]]:
            description = description_change(current, getattr(new, "description"), new.resource_marker)
            return converge(current, {"/name": getattr(new, "name"), **description})

        patch_object(self.client, self.collection, object_id, sandbox, operations)
