"""Real tenant schemas for the Catalog and Data Prep tests, made through the Schema Registry HTTP API.

Every schema is an XDM Individual Profile with person details, personal details, the identity map
and a tenant field group (``_emulator.loyaltyId``, an open ``_emulator.preferences`` object and a
``_emulator.visits`` array of objects), so mappings have leaf, map, open-object and array paths to aim at.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import pytest

from aep_emulator.testing import EmulatorHandle

REGISTRY = "/data/foundation/schemaregistry"
PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
STANDARD_FIELD_GROUPS = (
    "https://ns.adobe.com/xdm/context/profile-person-details",
    "https://ns.adobe.com/xdm/context/profile-personal-details",
    "https://ns.adobe.com/xdm/context/identitymap",
)


def _loyalty_field_group(tenant: str) -> dict[str, Any]:
    fields = {
        "loyaltyId": {"type": "string", "title": "Loyalty ID"},
        "preferences": {"type": "object", "title": "Preferences"},
        "visits": {
            "type": "array",
            "title": "Visits",
            "items": {"type": "object", "properties": {"channel": {"type": "string", "title": "Channel"}}},
        },
    }
    return {
        "title": f"Loyalty {uuid.uuid4().hex[:8]}",
        "type": "object",
        "meta:intendedToExtend": [PROFILE_CLASS],
        "definitions": {"loyalty": {"properties": {f"_{tenant}": {"type": "object", "properties": fields}}}},
        "allOf": [{"$ref": "#/definitions/loyalty"}],
    }


class SchemaFactory:
    """Creates Profile schemas in a sandbox of the test's emulator."""

    def __init__(self, emulator: EmulatorHandle) -> None:
        self.emulator = emulator

    def _post(self, sandbox: str, path: str, body: Any, method: str = "POST") -> dict[str, Any]:
        answer = self.emulator.request(method, REGISTRY + path, sandbox=sandbox, json=body)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def create(self, sandbox: str = "prod", union: bool = False) -> dict[str, Any]:
        """A new schema (as the registry answered its creation); ``union`` enables it for Profile."""
        field_group = self._post(sandbox, "/tenant/fieldgroups", _loyalty_field_group(self.emulator.config.tenant_id))
        schema = self._post(sandbox, "/tenant/schemas", {
            "type": "object",
            "title": f"Loyalty members {uuid.uuid4().hex[:8]}",
            "meta:class": PROFILE_CLASS,
            "allOf": [{"$ref": ref} for ref in (PROFILE_CLASS, *STANDARD_FIELD_GROUPS, field_group["$id"])],
        })  # fmt: skip
        if union:
            operations = [{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}]
            schema = self._post(sandbox, f"/tenant/schemas/{quote(schema['$id'], safe='')}", operations, "PATCH")
        return schema


@pytest.fixture
def xdm_schemas(emulator: EmulatorHandle) -> SchemaFactory:
    return SchemaFactory(emulator)
