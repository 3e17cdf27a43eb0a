"""Engine test program: the AEP resources listed in the stack config key ``resources`` (JSON).

Each entry is ``{"name": "members", "type": "Schema", "inputs": {...}, "options": {...}}``:
``type`` names a resource class exported by ``aep_provider``. Input values (at any depth) may be
``{"__ref__": "<resource name>.<output>"}``: that output of an earlier entry, so ids flow between
resources as in a real stack (unknown during the first preview); or ``{"__secret__": "<config key>"}``:
that stack config secret (``pulumi config set --secret``), so credentials never sit in plain config;
or ``{"__tenant__": ".loyaltyId"}``: ``aep_provider.tenant_namespace()`` followed by that text (a path
under the org's tenant, known in every preview).
``options`` holds ``retain_on_delete``, ``delete_before_replace`` and ``depends_on`` (names of earlier
entries). Every resource's ``id`` and listed ``exports`` are exported as ``<name>.<output>``.

Tests change a stack by ``pulumi config set resources <json>`` and run the CLI again: no file edits.
"""

from __future__ import annotations

from typing import Any

import pulumi

import aep_provider

REF = "__ref__"
SECRET = "__secret__"
TENANT = "__tenant__"


def resolve(value: Any, made: dict[str, pulumi.Resource]) -> Any:
    """``value`` with every reference to an output or a config secret replaced by its ``Output``."""
    if isinstance(value, dict) and set(value) == {REF}:
        name, _, output = value[REF].partition(".")
        return getattr(made[name], output)
    if isinstance(value, dict) and set(value) == {SECRET}:
        return pulumi.Config().require_secret(value[SECRET])
    if isinstance(value, dict) and set(value) == {TENANT}:
        return aep_provider.tenant_namespace().apply(lambda tenant, rest=value[TENANT]: tenant + rest)
    if isinstance(value, dict):
        return {key: resolve(item, made) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, made) for item in value]
    return value


def options(declared: dict[str, Any], made: dict[str, pulumi.Resource]) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(
        retain_on_delete=declared.get("retain_on_delete"),
        delete_before_replace=declared.get("delete_before_replace"),
        depends_on=[made[name] for name in declared.get("depends_on", [])],
    )


def main() -> None:
    made: dict[str, pulumi.Resource] = {}
    for entry in pulumi.Config().require_object("resources"):
        resource_class = getattr(aep_provider, entry["type"])
        resource = resource_class(
            entry["name"], opts=options(entry.get("options", {}), made), **resolve(entry.get("inputs", {}), made)
        )
        made[entry["name"]] = resource
        pulumi.export(f"{entry['name']}.id", resource.id)
        for output in entry.get("exports", []):
            pulumi.export(f"{entry['name']}.{output}", getattr(resource, output))


main()
