"""Reading a sandbox: every object ``aep-provider export`` turns into code, as AEP's own API shows it.

Read-only: only GETs, one listing per collection (paged) rather than one call per object, so a sandbox of
hundreds of objects reads in a few seconds. Where each listing and its paging come from:

- Schema Registry (help/xdm/api/schemas.md "List schemas", help/xdm/api/field-groups.md "List field
  groups", help/xdm/api/appendix.md "Paging"): ``GET /tenant/schemas`` and ``/tenant/fieldgroups`` with
  ``Accept: application/vnd.adobe.xed+json`` (no version) answer whole resources in ``results``; the next page is
  ``_links.next.href``. Identity descriptors: ``GET /tenant/descriptors`` with ``Accept:
  application/vnd.adobe.xdm+json`` answers whole descriptors grouped by ``@type``
  (help/xdm/api/descriptors.md "List descriptors"). The tenant id comes from ``GET /stats``.
- Catalog (help/catalog/api/filter-data.md "Limit returned objects", "Offset starting index of response
  list", "Sort by property"): ``GET /dataSets`` answers an object keyed by dataset id, at most ``limit``
  (1..100) per page from the zero-based offset ``start``, in the order of ``orderBy``.
- Flow Service (help/sources/tutorials/api/filter.md; flow-service.yaml): ``{"items": [...]}`` pages
  chained by ``_links.next.href`` (``continuationToken``), read with ``flow_service.list_objects``.
- Data Prep (data-prep.yaml ``GET /mappingSets``, help/data-prep/api/mapping-set.md "List mapping
  sets"): ``limit`` and ``start`` are required; each item is the newest version of a mapping set.
- Identity Service (help/identity-service/api/list-namespaces.md): ``GET /idnamespace/identities``
  lists the standard and the custom namespaces of the sandbox; ``custom`` tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..client import CATALOG, AEPClient
from ..errors import AEPApiError
from ..flow_service import CONNECTIONS, FLOWS, SOURCE_CONNECTIONS, TARGET_CONNECTIONS, list_objects, spec_id_of
from ..identity_descriptor import IDENTITY_TYPE
from ..identity_namespace import NAMESPACES
from ..mapping_set import MAPPING_SETS
from ..schema import PRIMARY_DESCRIPTOR
from ..schema_registry import ACCEPT_DESCRIPTOR, resource_path, tenant_id
from ..sandbox import ACTIVE, SANDBOXES
from ..specs import connection_spec
from .errors import ExportError

# A listing's Accept names no version (help/xdm/api/getting-started.md, "Accept header"): whole resources.
ACCEPT_FULL_LIST = "application/vnd.adobe.xed+json"
CATALOG_PAGE = 100  # Catalog's largest page (help/catalog/api/filter-data.md)
DATA_PREP_PAGE = 100
_MAX_PAGES = 1000  # a bound on any paging loop, far above a real sandbox

Progress = Callable[[str, int], None]
"""Told after each step: what was read and how many objects it held."""


@dataclass
class Inventory:
    """The objects of one sandbox, as AEP answers them (each list in the order AEP gave it)."""

    sandbox: str
    tenant: str = ""
    namespaces: list[dict[str, Any]] = field(default_factory=list)
    field_groups: list[dict[str, Any]] = field(default_factory=list)
    schemas: list[dict[str, Any]] = field(default_factory=list)
    descriptors: list[dict[str, Any]] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    base_connections: list[dict[str, Any]] = field(default_factory=list)
    source_connections: list[dict[str, Any]] = field(default_factory=list)
    target_connections: list[dict[str, Any]] = field(default_factory=list)
    mapping_sets: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    connection_specs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def object_count(self) -> int:
        return sum(
            len(getattr(self, name))
            for name in ("namespaces", "field_groups", "schemas", "descriptors", "datasets", "base_connections",
                         "source_connections", "target_connections", "mapping_sets", "flows")
        )  # fmt: skip


READ_STEPS = (
    "tenant", "identity namespaces", "field groups", "schemas", "descriptors", "datasets",
    "base connections", "source connections", "target connections", "mapping sets", "dataflows",
    "connection specs",
)  # fmt: skip
"""The steps of ``read_inventory`` in order (a progress bar's total)."""


def check_sandbox(client: AEPClient, sandbox: str) -> None:
    """Fail clearly when the sandbox does not exist or is not usable (help/sandboxes/api/sandboxes.md,
    "Look up a sandbox": its ``state``); credentials without Sandbox Management rights skip the check."""
    try:
        found = client.get(f"{SANDBOXES}/{sandbox}", sandbox=sandbox)
    except AEPApiError as exc:
        if exc.status in (401, 403):
            return
        raise
    if found is None:
        raise ExportError(f"sandbox {sandbox!r} does not exist in the org; give --sandbox the name of an existing one")
    if isinstance(found, Mapping) and found.get("state") not in (None, ACTIVE):
        raise ExportError(f"sandbox {sandbox!r} is {found.get('state')}, not active: export it once it is active")


def read_inventory(client: AEPClient, sandbox: str, progress: Progress | None = None) -> Inventory:
    """Every object of ``sandbox`` that the exporter knows, read with listings."""
    told = progress or (lambda _step, _count: None)
    check_sandbox(client, sandbox)
    found = Inventory(sandbox=sandbox, tenant=tenant_id(client, sandbox))
    told("tenant", 0)
    found.namespaces = custom_namespaces(client, sandbox)
    told("identity namespaces", len(found.namespaces))
    found.field_groups = registry_resources(client, "fieldgroups", sandbox)
    told("field groups", len(found.field_groups))
    found.schemas = registry_resources(client, "schemas", sandbox)
    told("schemas", len(found.schemas))
    found.descriptors = descriptors(client, sandbox)
    attach_primary_descriptors(found.schemas, found.descriptors)
    told("descriptors", len(found.descriptors))
    found.datasets = datasets(client, sandbox)
    told("datasets", len(found.datasets))
    for attribute, collection, step in (
        ("base_connections", CONNECTIONS, "base connections"),
        ("source_connections", SOURCE_CONNECTIONS, "source connections"),
        ("target_connections", TARGET_CONNECTIONS, "target connections"),
    ):
        setattr(found, attribute, list_objects(client, collection, sandbox))
        told(step, len(getattr(found, attribute)))
    found.mapping_sets = mapping_sets(client, sandbox)
    told("mapping sets", len(found.mapping_sets))
    found.flows = list_objects(client, FLOWS, sandbox)
    told("dataflows", len(found.flows))
    for spec_id in sorted({spec_id_of(c) or "" for c in found.base_connections} - {""}):
        spec = connection_spec(client, spec_id, sandbox)
        if spec is not None:
            found.connection_specs[spec_id] = spec
    told("connection specs", len(found.connection_specs))
    return found


def _next_query(body: Any) -> dict[str, str] | None:
    """The query of ``_links.next.href``, or None on the last page."""
    links = body.get("_links") if isinstance(body, Mapping) else None
    href = ((links or {}).get("next") or {}).get("href") if isinstance(links, Mapping) else None
    return dict(parse_qsl(urlsplit(href).query)) if href else None


def registry_resources(client: AEPClient, kind: str, sandbox: str) -> list[dict[str, Any]]:
    """Every tenant resource of ``kind`` (``schemas``, ``fieldgroups``), whole."""
    found: list[dict[str, Any]] = []
    query: dict[str, str] | None = {}
    for _ in range(_MAX_PAGES):
        body = client.get(resource_path(kind), sandbox=sandbox, accept=ACCEPT_FULL_LIST, params=query or None)
        found += [dict(item) for item in (body or {}).get("results") or [] if isinstance(item, Mapping)]
        query = _next_query(body)
        if not query:
            break
    return found


def descriptors(client: AEPClient, sandbox: str) -> list[dict[str, Any]]:
    """Every tenant descriptor, of every type (the answer groups them by ``@type``)."""
    body = client.get(resource_path("descriptors"), sandbox=sandbox, accept=ACCEPT_DESCRIPTOR)
    found: list[dict[str, Any]] = []
    for kind, group in (body or {}).items() if isinstance(body, Mapping) else ():
        for item in group if isinstance(group, list) else ():
            if isinstance(item, Mapping):
                found.append({"@type": kind, **item})
    return found


def attach_primary_descriptors(schemas: list[dict[str, Any]], found: list[dict[str, Any]]) -> None:
    """Give each schema its primary identity descriptor the way ``SchemaProvider.read_object`` does,
    so the schema's ``inputs_from_server`` sees the same object as on a refresh."""
    primaries = {
        str(d.get("xdm:sourceSchema")): d
        for d in found
        if d.get("@type") == IDENTITY_TYPE and d.get("xdm:isPrimary")
    }
    for schema in schemas:
        schema[PRIMARY_DESCRIPTOR] = primaries.get(str(schema.get("$id")))


def datasets(client: AEPClient, sandbox: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in range(_MAX_PAGES):
        params = {"limit": CATALOG_PAGE, "start": page * CATALOG_PAGE, "orderBy": "asc:created"}
        body = client.get(f"{CATALOG}/dataSets", sandbox=sandbox, params=params) or {}
        objects = [(key, value) for key, value in body.items() if isinstance(value, Mapping)]
        found += [{**value, "id": key} for key, value in objects]  # Catalog keys each dataset by its id
        if len(objects) < CATALOG_PAGE:
            break
    return found


def mapping_sets(client: AEPClient, sandbox: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in range(_MAX_PAGES):
        params = {"limit": DATA_PREP_PAGE, "start": page * DATA_PREP_PAGE, "orderBy": "+createdDate"}
        body = client.get(MAPPING_SETS, sandbox=sandbox, params=params) or {}
        items = [dict(item) for item in body.get("data") or [] if isinstance(item, Mapping)]
        found += items
        if len(items) < DATA_PREP_PAGE or not _next_query(body):
            break
    return found


def custom_namespaces(client: AEPClient, sandbox: str) -> list[dict[str, Any]]:
    listing = client.get(NAMESPACES, sandbox=sandbox) or []
    return [dict(ns) for ns in listing if isinstance(ns, Mapping) and ns.get("custom") is True]
