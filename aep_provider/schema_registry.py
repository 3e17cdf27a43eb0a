"""Schema Registry conventions shared by ``Schema``, ``FieldGroup`` and ``IdentityDescriptor``.

Paths under ``/data/foundation/schemaregistry/tenant``, the ``Accept`` values every GET must carry,
lookups by title (titles are unique across all resource kinds of a sandbox), the tenant id, and the
provider base of the titled resources (schemas and field groups).

Marker of schemas and field groups (``marker.py``): a suffix ``[pulumi-<hex>]`` of the ``description``.
Titles are unique among a sandbox's schemas, field groups and classes (help/xdm/troubleshooting-guide.md,
"Title not unique", XDM-1521-400), and the Registry lists resources by title (``property=title==...``,
help/xdm/api/schemas.md, "List schemas", and the ``property`` parameter of schema-registry.yaml): one
filtered GET before a create finds the resource of that title, and the marker in its description (a
free-text field the Registry stores and returns as sent: the create and lookup examples of
help/xdm/api/schemas.md) tells whether an interrupted create of this resource made it. Read takes the suffix
off, so the declared description never shows it as drift.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, ClassVar

from .base import AEPProvider, ArgsT
from .client import SCHEMA_REGISTRY, AEPClient, ApiResponse, quote_id
from .errors import AEPApiError, AEPProviderError
from .marker import marker_in, with_marker

TENANT = SCHEMA_REGISTRY + "/tenant"
ACCEPT_RESOURCE = "application/vnd.adobe.xed+json; version=1"
ACCEPT_ID_LIST = "application/vnd.adobe.xed-id+json"
ACCEPT_DESCRIPTOR = "application/vnd.adobe.xdm+json"
# AEP documents no code for "this resource is still used" (help/xdm/troubleshooting-guide.md lists
# none; the spec's DELETE operations show only 204/404/500), so no delete waits on one: the refusal
# surfaces at once with the registry's detail (docs/platform-assumptions.md, Schema Registry).
IN_USE_CODES: frozenset[str] = frozenset()
# help/xdm/troubleshooting-guide.md, "Title not unique".
TITLE_NOT_UNIQUE = "XDM-1521-400"


def resource_path(kind: str, resource_id: str | None = None) -> str:
    """``kind`` is ``schemas``, ``fieldgroups`` or ``descriptors``; ids may be ``$id`` URLs or altIds."""
    return f"{TENANT}/{kind}" if resource_id is None else f"{TENANT}/{kind}/{quote_id(resource_id)}"


def get_resource(client: AEPClient, kind: str, resource_id: str, sandbox: str) -> dict[str, Any] | None:
    body = client.get(resource_path(kind, resource_id), sandbox=sandbox, accept=ACCEPT_RESOURCE)
    return dict(body) if isinstance(body, Mapping) else None


def find_by_title(client: AEPClient, kind: str, title: str, sandbox: str) -> str | None:
    """The ``$id`` of the tenant resource of this kind with exactly this title, if any."""
    answer = client.get(
        resource_path(kind), sandbox=sandbox, accept=ACCEPT_ID_LIST, params={"property": f"title=={title}"}
    )
    for item in (answer or {}).get("results") or []:
        if isinstance(item, Mapping) and item.get("title") == title:
            return str(item["$id"])
    return None


def created_id(answer: ApiResponse) -> str:
    """The ``$id`` in a create answer (the Registry answers the whole new resource)."""
    body = answer.body
    if isinstance(body, Mapping) and isinstance(body.get("$id"), str):
        return body["$id"]
    raise AEPProviderError(f"unexpected answer to a Schema Registry create: {body!r}")


def explain_title_clash(error: AEPApiError, kind: str, title: str) -> AEPApiError:
    """Add the fix to AEP's "Title not unique" answer."""
    if error.has_code({TITLE_NOT_UNIQUE}):
        error.args = (
            f"{error}\nAnother Schema Registry resource already has the title {title!r}: choose another "
            f"title, or manage the existing {kind[:-1]} with adopt_id=<its $id>.",
        )
    return error


def version_of(resource: Mapping[str, Any]) -> str | None:
    version = resource.get("version")
    return None if version is None else str(version)


_tenant_lock = threading.Lock()
_tenants: dict[tuple[str, str, str], str] = {}


def tenant_id(client: AEPClient, sandbox: str) -> str:
    """The org's tenant id (``GET /stats``), cached per process; custom fields live under ``_<tenant>``."""
    key = (client.settings.endpoint, client.settings.org_id, sandbox)
    with _tenant_lock:
        if key in _tenants:
            return _tenants[key]
    stats = client.get(SCHEMA_REGISTRY + "/stats", sandbox=sandbox)
    tenant = (stats or {}).get("tenantId") if isinstance(stats, Mapping) else None
    if not isinstance(tenant, str) or not tenant:
        raise AEPProviderError(f"Schema Registry /stats did not report a tenantId: {stats!r}")
    with _tenant_lock:
        _tenants[key] = tenant
    return tenant


class SchemaRegistryProvider(AEPProvider[ArgsT]):
    """What schemas and field groups share: where they live, creates that are never duplicated (a
    lost answer is settled by the title, unique in a sandbox), reads, deletes, and the outputs every
    such resource has (its ``$id``, ``meta:altId`` and version)."""

    kind: ClassVar[str]  # ``schemas`` or ``fieldgroups``
    in_use_codes = IN_USE_CODES
    # Titles are unique per sandbox, so an interrupted create of this resource makes the next one fail
    # with "Title not unique": only then is the marked resource looked for (and adopted).
    exists_codes = frozenset({TITLE_NOT_UNIQUE})

    def create_resource(self, body: dict[str, Any], sandbox: str, marker: str | None) -> tuple[str, dict[str, Any] | None]:
        """POST a new resource of this kind (its description marked) and return its ``$id`` and the created
        resource the Registry answers (help/xdm/api/schemas.md, "Create a schema": the whole new schema),
        or None for the resource when the answer was lost; a title clash names the fix."""
        title = str(body["title"])
        body["description"] = with_marker(body.get("description"), marker) or ""
        answered: list[dict[str, Any]] = []

        def keep(answer: ApiResponse) -> str:
            if isinstance(answer.body, Mapping) and answer.body.get("meta:altId"):
                answered.append(dict(answer.body))
            return created_id(answer)

        try:
            resource_id = self.client.create(
                resource_path(self.kind),
                body,
                lambda: find_by_title(self.client, self.kind, title, sandbox),
                sandbox=sandbox,
                id_of=keep,
            )
        except AEPApiError as exc:
            raise explain_title_clash(exc, self.kind, title) from None
        return resource_id, (answered[0] if answered else None)

    def find_marked(self, args: ArgsT, sandbox: str) -> str | None:
        """The resource titled as declared, when its description carries this resource's marker."""
        found = find_by_title(self.client, self.kind, str(getattr(args, "title")), sandbox)
        resource = get_resource(self.client, self.kind, found, sandbox) if found else None
        if resource is not None and marker_in(resource.get("description")) == args.resource_marker:
            return found
        return None

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        return get_resource(self.client, self.kind, object_id, sandbox)

    def id_from_server(self, obj: dict[str, Any], requested_id: str) -> str:
        return str(obj.get("$id") or requested_id)  # adopt_id may be the meta:altId; state keeps the $id

    def outputs_from_server(self, obj: dict[str, Any], args: ArgsT) -> dict[str, Any]:
        assert self.id_output is not None
        return {self.id_output: obj.get("$id"), "alt_id": obj.get("meta:altId"), "version": version_of(obj)}

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        self.client.request("DELETE", resource_path(self.kind, object_id), sandbox=sandbox)
