"""What the exporter works with: one ``Exported`` per AEP object, and the expressions its inputs may hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Kind:
    """One kind of AEP object: the resource class that manages it and how its variables are named."""

    resource: str  # the aep_provider class, e.g. "Schema"
    suffix: str  # the end of its variable names, e.g. "schema"
    title: str  # plural, for comments and the summary
    id_output: str  # the output that holds its id, what references read


NAMESPACE = Kind("IdentityNamespace", "namespace", "identity namespaces", "namespace_id")
FIELD_GROUP = Kind("FieldGroup", "field_group", "field groups", "field_group_id")
SCHEMA = Kind("Schema", "schema", "schemas", "schema_id")
DESCRIPTOR = Kind("IdentityDescriptor", "identity", "identity descriptors", "descriptor_id")
DATASET = Kind("Dataset", "dataset", "datasets", "dataset_id")
BASE_CONNECTION = Kind("BaseConnection", "connection", "base connections", "connection_id")
SOURCE_CONNECTION = Kind("SourceConnection", "source", "source connections", "source_connection_id")
TARGET_CONNECTION = Kind("TargetConnection", "target", "target connections", "target_connection_id")
MAPPING_SET = Kind("MappingSet", "mapping", "mapping sets", "mapping_set_id")
DATAFLOW = Kind("Dataflow", "flow", "dataflows", "flow_id")

KINDS: tuple[Kind, ...] = (
    NAMESPACE, FIELD_GROUP, SCHEMA, DESCRIPTOR, DATASET,
    BASE_CONNECTION, SOURCE_CONNECTION, TARGET_CONNECTION, MAPPING_SET, DATAFLOW,
)  # fmt: skip
"""In program order: every reference points at a kind declared earlier."""


@dataclass
class Exported:
    """One AEP object and the inputs of the resource that manages it.

    ``inputs`` hold plain JSON values (server ids included) until wiring replaces ids with ``Ref``s;
    ``problem`` says why the provider cannot manage the object (it is then listed in a comment only).
    """

    kind: Kind
    object_id: str
    label: str  # what the object is called on AEP (title, name), the base of its variable name
    inputs: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    var: str = ""  # the Python variable (and Pulumi resource name), set by naming
    keywords: dict[str, Any] = field(default_factory=dict)  # extra constructor keywords (MappingSet schema=)
    aliases: tuple[str, ...] = ()  # other ids AEP may use for it (a schema's meta:altId)
    version: Any = None  # the server's version, where a reference may name it (a mapping set's)

    @property
    def managed(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        return f"{self.kind.resource} {self.label!r} ({self.object_id})"


@dataclass(frozen=True)
class Ref:
    """An output of another exported resource, e.g. ``members_schema.schema_id``; with no attribute,
    the resource itself (``MappingSet(schema=members_schema)``)."""

    target: Exported
    attribute: str

    def __hash__(self) -> int:
        return hash((id(self.target), self.attribute))


@dataclass(frozen=True)
class Symbol:
    """A name from ``aep_provider`` standing for a well-known id, e.g. ``standard.PROFILE``."""

    text: str


@dataclass(frozen=True)
class SecretParam:
    """A credential the platform never shows: read from stack config as a secret."""

    param: str


@dataclass(frozen=True)
class SecretConfig:
    """``config.require_secret(key)``, once the secret's config key is known."""

    key: str
