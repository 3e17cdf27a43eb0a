"""Adobe Experience Platform as code: Pulumi dynamic resources for XDM schemas, datasets and dataflows.

Configure the provider with stack config (``aep:clientId``, ``aep:clientSecret`` (secret),
``aep:orgId``, ``aep:sandbox``, ``aep:endpoint``, ``aep:imsEndpoint``, ``aep:scopes``) or the matching
``AEP_*`` environment variables, then declare resources::

    from aep_provider import Dataset, FieldGroup, Schema

Importing this package has no side effects (the provider process imports it to unpickle providers).
"""

from .base import AEPArgs, AEPProvider, AEPResource
from .client import AEPClient
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
from .schema import Schema, SchemaArgs
from .settings import Settings

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
    "Schema",
    "SchemaArgs",
    "Settings",
    "UnsupportedChangeError",
]
