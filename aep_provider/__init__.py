"""Adobe Experience Platform as code: Pulumi dynamic resources for XDM schemas, datasets and dataflows.

Configure the provider with stack config (``aep:clientId``, ``aep:clientSecret`` (secret),
``aep:orgId``, ``aep:sandbox``, ``aep:endpoint``, ``aep:imsEndpoint``, ``aep:scopes``) or the matching
``AEP_*`` environment variables, then declare resources::

    from aep_provider import Dataset, FieldGroup, Schema
    from aep_provider import BaseConnection, SourceConnection, TargetConnection, MappingSet, Dataflow, specs

Importing this package has no side effects (the provider process imports it to unpickle providers).
"""

from . import specs, standard
from .base import AEPArgs, AEPProvider, AEPResource
from .client import AEPClient
from .connection import BaseConnection, BaseConnectionArgs
from .dataflow import Dataflow, DataflowArgs, Schedule
from .dataset import Dataset, DatasetArgs
from .errors import (
    AdoptionMismatchError,
    AEPApiError,
    AEPProviderError,
    AmbiguousWriteError,
    ConfigurationError,
    UnsupportedChangeError,
)
from .field_group import FieldGroup, FieldGroupArgs, FieldSpec
from .identity_descriptor import Identity, IdentityDescriptor, IdentityDescriptorArgs
from .identity_namespace import IdentityNamespace, IdentityNamespaceArgs
from .mapping_set import FieldMapping, MappingSet, MappingSetArgs
from .sandbox import Sandbox, SandboxArgs
from .schema import Schema, SchemaArgs
from .settings import Settings
from .source_connection import SourceConnection, SourceConnectionArgs
from .specs import (
    SpecLookupError,
    connection_spec_by_name,
    flow_spec_by_name,
    flow_spec_for,
    stack_settings,
)
from .target_connection import TargetConnection, TargetConnectionArgs
from .tenant import tenant_namespace

__all__ = [
    "AEPApiError",
    "AEPArgs",
    "AEPClient",
    "AEPProvider",
    "AEPProviderError",
    "AEPResource",
    "AdoptionMismatchError",
    "AmbiguousWriteError",
    "ConfigurationError",
    "Dataset",
    "DatasetArgs",
    "FieldGroup",
    "FieldGroupArgs",
    "FieldSpec",
    "Identity",
    "IdentityDescriptor",
    "IdentityDescriptorArgs",
    "IdentityNamespace",
    "IdentityNamespaceArgs",
    "Sandbox",
    "SandboxArgs",
    "Schema",
    "SchemaArgs",
    "Settings",
    "UnsupportedChangeError",
    # flow side: connections, mapping sets, dataflows and spec look-ups
    "BaseConnection",
    "BaseConnectionArgs",
    "Dataflow",
    "DataflowArgs",
    "Schedule",
    "FieldMapping",
    "MappingSet",
    "MappingSetArgs",
    "SourceConnection",
    "SourceConnectionArgs",
    "SpecLookupError",
    "TargetConnection",
    "TargetConnectionArgs",
    "connection_spec_by_name",
    "flow_spec_by_name",
    "flow_spec_for",
    "specs",
    "standard",
    "stack_settings",
    "tenant_namespace",
]
