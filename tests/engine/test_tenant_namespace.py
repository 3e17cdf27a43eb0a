"""``tenant_namespace()`` through the real engine: paths under the org's tenant are known in every preview.

The issue measured a field group that grew by one field preview ``~ 6 to update`` where ``up`` made 3:
the tenant was read off ``FieldGroup.alt_id``, unknown while that field group updates, so every input
holding a ``_<tenant>.`` path (a primary identity, a mapping destination) previewed a change. Read from
``GET /stats`` when the program runs (help/xdm/api/getting-started.md, "Know your TENANT_ID"), it stays a
plain value, so the preview lists exactly what ``up`` changes, and the identity namespace is checked in
the very first preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from .aep_stack import AEPStack, declared, ops_by_resource, ref, tenant_path
from .workflows import LOYALTY_FIELDS, PERSON_DETAILS, PROFILE_CLASS, TENANT

pytestmark = pytest.mark.engine


@dataclass(frozen=True)
class TenantPaths:
    """A field group, a Profile schema whose primary identity is a tenant field, and a mapping set onto it,
    every tenant path written with ``tenant_namespace()``."""

    loyalty_fields: dict[str, Any] = field(default_factory=lambda: dict(LOYALTY_FIELDS))
    namespace: str = "Email"

    def resources(self) -> list[dict[str, Any]]:
        return [
            declared(
                "loyalty",
                "FieldGroup",
                {"title": "Tenant loyalty", "intended_classes": [PROFILE_CLASS], "fields": self.loyalty_fields},
            ),
            declared(
                "members",
                "Schema",
                {
                    "title": "Tenant members",
                    "class_id": PROFILE_CLASS,
                    "field_groups": [PERSON_DETAILS, ref("loyalty.field_group_id")],
                    "field_group_versions": [ref("loyalty.version")],  # as Schema(field_groups=[FieldGroup]) wires it
                    "primary_identity": {"field_path": tenant_path(".loyaltyId"), "namespace": self.namespace},
                    "profile_enabled": True,
                },
                options={"retain_on_delete": True},
            ),
            declared(
                "mapping",
                "MappingSet",
                {
                    "schema_id": ref("members.schema_id"),
                    "schema_version": ref("members.version"),
                    "field_group_versions": [ref("loyalty.version")],
                    "mappings": [{"source": "loyaltyId", "destination": tenant_path(".loyaltyId")}],
                },
            ),
        ]


BASELINE = TenantPaths()


def updated_by_up(up_output: str) -> int:
    found = re.search(r"~ (\d+) updated", up_output)
    return int(found.group(1)) if found else 0


def test_the_first_preview_checks_the_identity_namespace(empty_stack: AEPStack) -> None:
    # The tenant is known before anything exists, so the primary identity is known and its namespace checked.
    empty_stack.declare(TenantPaths(namespace="E-mail").resources())
    with empty_stack.api.no_writes():
        failure = empty_stack.preview_failure()
    assert "'E-mail' is not an identity namespace code" in failure and "did you mean 'Email'" in failure


def test_paths_use_the_tenant_of_the_org(stack: AEPStack) -> None:
    schema = stack.api.registry_object("schemas", stack.ids()["members"])
    assert schema is not None
    mapping_set = stack.api.mapping_set(stack.ids()["mapping"])
    assert mapping_set is not None
    assert {m.get("destination") or m.get("destinationXdmPath") for m in mapping_set["mappings"]} == {f"{TENANT}.loyaltyId"}


def test_a_grown_field_group_previews_only_the_update_up_makes(stack: AEPStack) -> None:
    grown = TenantPaths(loyalty_fields={**LOYALTY_FIELDS, "tier": {"type": "string", "title": "Tier"}})
    stack.declare(grown.resources())

    with stack.api.no_writes():
        previewed = ops_by_resource(stack.preview_steps())
    stack.up()

    assert previewed == {"loyalty": {"update"}}
    assert updated_by_up(stack.last_up_output) == 1
    stack.expect_no_changes()
