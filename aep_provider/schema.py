"""``Schema``: a tenant XDM schema (one class plus field groups), optionally enabled for Profile.

Evolution is additive only, as on AEP once a schema is in use: title and description change in
place, field groups can be added (JSON Patch), Profile can be switched on. Removing a field group,
changing the class or switching Profile off are refused by ``check`` with the reason.

Profile enablement and the order of operations
----------------------------------------------
AEP enables a schema for Profile (``meta:immutableTags: ["union"]``) only when it has an
``identityMap`` field or a *primary identity descriptor*. A descriptor needs the schema's ``$id``, so
a separate ``IdentityDescriptor`` resource is created *after* the schema and the schema's own create
could never see it. Hence a Schema manages its primary identity itself when ``primary_identity`` is
set, and creates in this order: schema -> primary identity descriptor -> union tag. So a single
``pulumi up`` works::

    Schema("loyalty", title="Loyalty members", class_id=PROFILE_CLASS,
           field_groups=[loyalty_fields.field_group_id],
           primary_identity={"field_path": "_tenant.loyaltyId", "namespace": "Email"},
           profile_enabled=True)

Without ``primary_identity``, ``profile_enabled=True`` needs an ``identityMap`` field (e.g. from the
standard Identity Map field group). A schema made Profile-ready by a separate primary
``IdentityDescriptor`` is enabled in a second step: create it with ``profile_enabled=False``, then set
``True`` (an in-place update). Profile enablement is irreversible and AEP refuses to delete such a
schema, so ``delete`` fails with the fix (``retain_on_delete`` or ``pulumi state delete``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TYPE_CHECKING, overload

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult
from pydantic import AfterValidator, Field

from .base import AEPArgs, AEPResource, contains_unknown
from .errors import AEPApiError, AEPProviderError, UnsupportedChangeError
from .identity_descriptor import (
    Identity,
    create_descriptor,
    identity_descriptors,
    identity_of,
    replace_descriptor,
)
from .marker import marker_in, with_marker, without_marker
from .schema_registry import SchemaRegistryProvider, explain_title_clash, get_resource, resource_path
from .xdm_checks import dotted, field_paths, missing_field_text, namespace_problem, resolved

if TYPE_CHECKING:  # names in the typed constructor's signatures only
    from collections.abc import Sequence
    from .field_group import FieldGroup
    from .input_types import IdentityDict

log = logging.getLogger(__name__)

UNION_TAG = "union"
# help/xdm/troubleshooting-guide.md, "The schema must include an identityMap or primary identity".
UNION_IDENTITY_MISSING = "XDM-1528-400"
# Key under which ``read_object`` attaches the schema's primary identity descriptor (or None).
PRIMARY_DESCRIPTOR = "__primaryIdentityDescriptor"


def _sorted_unique(values: list[str]) -> list[str]:
    return sorted(set(values))  # the order of field groups in allOf carries no meaning


FieldGroupIds = Annotated[list[str], AfterValidator(_sorted_unique)]


class SchemaArgs(AEPArgs):
    title: str = Field(min_length=1)
    """Title, unique among all schemas, field groups and classes of the sandbox."""

    description: str | None = None
    """Free-text description."""

    class_id: str = Field(min_length=1)
    """``$id`` of the schema's class, e.g. ``https://ns.adobe.com/xdm/context/profile``. Cannot change."""

    field_groups: FieldGroupIds = Field(default_factory=list)
    """``$id``s of the field groups to include (standard, or ``FieldGroup.field_group_id``). Can only grow."""

    profile_enabled: bool = False
    """Enable for Real-Time Customer Profile (union). Irreversible; needs ``primary_identity`` or an identityMap field."""

    primary_identity: Identity | None = None
    """The schema's primary identity (``{"field_path": ..., "namespace": ...}``), created before Profile enablement."""

    field_group_versions: list[str] | None = None
    """``FieldGroup.version`` of the tenant field groups, only to tell ``check`` when one changes in the same
    deployment (then the identity's field is checked at create/update, before any write). Not sent to AEP
    and never a reason to update. ``Schema(field_groups=[group, ...])`` with FieldGroup resources wires it."""


def _refs(schema: Mapping[str, Any]) -> list[str]:
    return [part["$ref"] for part in schema.get("allOf") or [] if isinstance(part, Mapping) and "$ref" in part]


def field_groups_of(schema: Mapping[str, Any]) -> list[str]:
    return [ref for ref in _refs(schema) if ref != schema.get("meta:class")]


def is_union(schema: Mapping[str, Any]) -> bool:
    return UNION_TAG in (schema.get("meta:immutableTags") or [])


def patch_operations(current: Mapping[str, Any], new: SchemaArgs) -> list[dict[str, Any]]:
    """JSON Patch for the in-place changes (title, description, added field groups); the description keeps
    its marker (schema_registry.py)."""
    ops: list[dict[str, Any]] = []
    if current.get("title") != new.title:
        ops.append({"op": "replace", "path": "/title", "value": new.title})
    if without_marker(current.get("description")) != (new.description or None):
        marker = new.resource_marker or marker_in(current.get("description"))
        ops.append({"op": "add", "path": "/description", "value": with_marker(new.description, marker) or ""})
    present = set(_refs(current))
    ops += [{"op": "add", "path": "/allOf/-", "value": {"$ref": ref}} for ref in new.field_groups if ref not in present]
    return ops


def _paths_of(parts: Iterable[Mapping[str, Any]]) -> set[str]:
    return set().union(*(field_paths(part) for part in parts))


class SchemaProvider(SchemaRegistryProvider[SchemaArgs]):
    kind = "schemas"
    args_model = SchemaArgs
    check_only_inputs = frozenset({"field_group_versions"})
    server_outputs = ("schema_id", "alt_id", "version", "sandbox", "primary_identity_descriptor_id")
    id_output = "schema_id"

    # --- check ---------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Also looks up the known field groups of a list that holds one not known yet (a FieldGroup created
        in the same deployment): the base treats such a list as unknown as a whole."""
        result = super().check(olds, news)
        groups, sandbox = news.get("field_groups"), news.get("sandbox")
        if result.failures or not isinstance(groups, (list, tuple)) or not contains_unknown(groups) or contains_unknown(sandbox):
            return result
        where = sandbox or self.default_sandbox
        failures = [
            found
            for group in groups
            if isinstance(group, str) and not contains_unknown(group)
            for found in [self.lookup("field_groups", lambda client, i=group: resolved(client, "fieldgroups", i, where), "")]
            if isinstance(found, CheckFailure)
        ]
        return CheckResult(result.inputs, self._secret_safe(failures, news)) if failures else result

    def validate(self, args: SchemaArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "class_id" in known and not args.class_id.startswith("https://"):
            yield CheckFailure("class_id", f"{args.class_id!r} is not a class $id (an https:// URI)")
            return
        if {"class_id", "field_groups"} <= known and args.class_id in args.field_groups:
            yield CheckFailure("field_groups", "lists the class itself; put only field groups here")
            return
        sandbox = self.known_sandbox(args, known)
        if sandbox is not None:
            yield from self._registry_failures(args, known, sandbox)

    def _registry_failures(self, args: SchemaArgs, known: frozenset[str], sandbox: str) -> Iterable[CheckFailure]:
        """The class, field groups and primary identity checked against the Registry and Identity Service."""
        parts: list[Mapping[str, Any]] = []
        complete = {"class_id", "field_groups"} <= known
        for field, kind, ids in (("class_id", "classes", [args.class_id]), ("field_groups", "fieldgroups", args.field_groups)):
            if field not in known:
                continue
            for resource_id in ids:
                found = self.lookup(field, lambda client, i=resource_id, k=kind: resolved(client, k, i, sandbox), "")
                if isinstance(found, CheckFailure):
                    yield found
                if not isinstance(found, Mapping):
                    complete = False
                else:
                    parts.append(found)
        identity = args.primary_identity if "primary_identity" in known else None
        if identity is None:
            return
        problem = self.lookup("primary_identity", lambda client: namespace_problem(client, identity.namespace, sandbox) or True, "")
        if isinstance(problem, str):
            yield CheckFailure("primary_identity", f"namespace: {problem}")
        elif isinstance(problem, CheckFailure):
            yield problem
        # Field group versions are unknown while one changes in this deployment: create/update checks then.
        if complete and "field_group_versions" in known:
            missing = missing_field_text(dotted(identity.field_path), _paths_of(parts), "the class and field groups")
            if missing:
                yield CheckFailure("primary_identity", f"field_path: {missing}")

    def validate_change(self, old: SchemaArgs, new: SchemaArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "class_id" in known and old.class_id != new.class_id:
            yield CheckFailure(
                "class_id",
                f"a schema's class cannot change ({old.class_id} -> {new.class_id}); "
                "declare a new Schema resource (another resource name and title) instead",
            )
        if "field_groups" in known:
            removed = sorted(set(old.field_groups) - set(new.field_groups))
            if removed:
                yield CheckFailure(
                    "field_groups",
                    f"field groups cannot be removed from a schema (additive evolution only): {', '.join(removed)}; "
                    "keep them listed, or declare a new Schema resource",
                )
        if "profile_enabled" in known and old.profile_enabled and not new.profile_enabled:
            yield CheckFailure(
                "profile_enabled", "Profile enablement is irreversible on AEP; keep profile_enabled=True"
            )

    # --- CRUD ----------------------------------------------------------------------------------

    def create_object(self, args: SchemaArgs, sandbox: str) -> str | tuple[str, dict[str, Any]]:
        self._require_identity_field(args, sandbox)
        body = {
            "type": "object",
            "title": args.title,
            "description": args.description or "",
            "allOf": [{"$ref": ref} for ref in (args.class_id, *args.field_groups)],
        }
        schema_id, created = self.create_resource(body, sandbox, args.resource_marker)
        descriptor = None
        try:
            if args.primary_identity is not None:
                descriptor = {"@id": create_descriptor(self.client, schema_id, args.primary_identity, True, sandbox)}
            if args.profile_enabled:
                created = self._enable_profile(schema_id, sandbox, created)
        except AEPApiError as exc:
            # AEP refused the inputs (a 4xx): remove what this create made, as the fix may change the title.
            # Any other failure (AEP unreachable, a 5xx) keeps the schema: a delete would likely fail too,
            # and the next create finds it by its marker and finishes it (no title clash, no orphan).
            if 400 <= exc.status < 500:
                self._discard(schema_id, sandbox)
            raise
        # The answers hold the schema as written (help/xdm/api/schemas.md, "Create a schema" and "Enable a
        # schema for use in Real-time Customer Profile": the whole schema) and the descriptor's id: no read-back.
        return (schema_id, {**created, PRIMARY_DESCRIPTOR: descriptor}) if created is not None else schema_id

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        schema = super().read_object(object_id, sandbox)
        if schema is not None:
            primaries = [
                d for d in identity_descriptors(self.client, str(schema.get("$id") or object_id), sandbox)
                if d.get("xdm:isPrimary")
            ]
            schema[PRIMARY_DESCRIPTOR] = primaries[0] if primaries else None
        return schema

    def outputs_from_server(self, obj: dict[str, Any], args: SchemaArgs) -> dict[str, Any]:
        descriptor = obj.get(PRIMARY_DESCRIPTOR)
        managed = args.primary_identity is not None and descriptor is not None
        return {
            **super().outputs_from_server(obj, args),
            "primary_identity_descriptor_id": descriptor.get("@id") if managed else None,
        }

    def inputs_from_server(self, obj: dict[str, Any], current: SchemaArgs) -> dict[str, Any]:
        descriptor = obj.get(PRIMARY_DESCRIPTOR)
        found: dict[str, Any] = {
            "title": obj.get("title"),
            "description": without_marker(obj.get("description")),
            "class_id": obj.get("meta:class"),
            "field_groups": field_groups_of(obj),
            "profile_enabled": is_union(obj),
        }
        if current.primary_identity is not None:  # a primary managed elsewhere is not this resource's input
            found["primary_identity"] = identity_of(descriptor).model_dump() if descriptor else None
        return found

    def update_object(
        self, object_id: str, old: SchemaArgs, new: SchemaArgs, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        current = self.read_existing(object_id, sandbox)
        self._refuse_breaking(old, new, current)
        if new.primary_identity is not None and new.primary_identity != old.primary_identity:
            self._require_identity_field(new, sandbox)
        path = resource_path("schemas", object_id)
        ops = patch_operations(current, new)
        if ops:
            try:
                self.client.write(
                    "PATCH", path, ops, sandbox=sandbox,
                    is_applied=lambda: not patch_operations(self.read_existing(object_id, sandbox), new),
                )
            except AEPApiError as exc:
                raise explain_title_clash(exc, "schemas", new.title) from None
        self._converge_primary_identity(object_id, new, current.get(PRIMARY_DESCRIPTOR), old_outputs, sandbox)
        if new.profile_enabled and not is_union(current):
            self._enable_profile(object_id, sandbox)

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        current = get_resource(self.client, "schemas", object_id, sandbox)
        if current is None:
            return
        if is_union(current):
            raise UnsupportedChangeError(
                f"schema {object_id} is enabled for Profile, and AEP never deletes such a schema. "
                "To let Pulumi forget it, set opts=pulumi.ResourceOptions(retain_on_delete=True) on the "
                "Schema or run `pulumi state delete <urn>`; to remove it from AEP, reset the sandbox."
            )
        descriptor_id = old_outputs.get("primary_identity_descriptor_id")
        if descriptor_id:
            self.client.delete(resource_path("descriptors", str(descriptor_id)), sandbox=sandbox)
        super().delete_object(object_id, sandbox, old_outputs)

    # --- internals -----------------------------------------------------------------------------

    def _require_identity_field(self, args: SchemaArgs, sandbox: str) -> None:
        """Before a write: the primary identity's field exists in the class and field groups as they are now
        (a preview cannot tell while a field group changes in the same deployment)."""
        if args.primary_identity is None:
            return
        reader = self.reader  # what this process wrote (a field group changed in this deployment) is read again
        parts = [resolved(reader, "classes", args.class_id, sandbox, fresh=True)]
        parts += [resolved(reader, "fieldgroups", group, sandbox, fresh=True) for group in args.field_groups]
        missing = missing_field_text(dotted(args.primary_identity.field_path), _paths_of(parts), "the class and field groups")
        if missing:
            raise UnsupportedChangeError(f"the schema was not written: primary_identity.field_path: {missing}")

    def _enable_profile(
        self, schema_id: str, sandbox: str, current: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Add the ``union`` tag; the schema as the PATCH answered it (None when the answer holds no schema)."""
        current = current if current is not None else self.read_existing(schema_id, sandbox)
        tags = sorted({*(current.get("meta:immutableTags") or []), UNION_TAG})
        try:
            answer = self.client.write(
                "PATCH",
                resource_path("schemas", schema_id),
                [{"op": "add", "path": "/meta:immutableTags", "value": tags}],
                sandbox=sandbox,
                is_applied=lambda: is_union(self.read_existing(schema_id, sandbox)),
            )
        except AEPApiError as exc:
            if exc.has_code({UNION_IDENTITY_MISSING}):
                exc.args = (
                    f"{exc}\nSet primary_identity on the Schema (or include an identityMap field) "
                    "before profile_enabled=True.",
                )
            raise
        body = answer.body if answer is not None else None
        return dict(body) if isinstance(body, Mapping) and body.get("meta:altId") and is_union(body) else None

    def _converge_primary_identity(
        self,
        schema_id: str,
        new: SchemaArgs,
        descriptor: Mapping[str, Any] | None,
        old_outputs: Mapping[str, Any],
        sandbox: str,
    ) -> None:
        managed_id = old_outputs.get("primary_identity_descriptor_id")
        if new.primary_identity is None:
            if managed_id:
                self.client.delete(resource_path("descriptors", str(managed_id)), sandbox=sandbox)
            return
        if descriptor is None:
            create_descriptor(self.client, schema_id, new.primary_identity, True, sandbox)
        elif identity_of(descriptor) != new.primary_identity:
            replace_descriptor(self.client, str(descriptor["@id"]), schema_id, new.primary_identity, True, sandbox)

    def _refuse_breaking(self, old: SchemaArgs, new: SchemaArgs, current: Mapping[str, Any]) -> None:
        # check() refuses these with the old inputs; this guards an update reached some other way.
        problems = list(self.validate_change(old, new, frozenset(SchemaArgs.model_fields)))
        if current.get("meta:class") != new.class_id:
            problems.append(CheckFailure("class_id", f"the schema's class is {current.get('meta:class')}"))
        if is_union(current) and not new.profile_enabled:
            problems.append(CheckFailure("profile_enabled", "the schema is enabled for Profile (irreversible)"))
        if problems:
            raise UnsupportedChangeError("; ".join(f"{p.property}: {p.reason}" for p in problems))


    def _discard(self, schema_id: str, sandbox: str) -> None:
        try:
            for descriptor in identity_descriptors(self.client, schema_id, sandbox):
                self.client.delete(resource_path("descriptors", str(descriptor["@id"])), sandbox=sandbox)
            self.client.delete(resource_path("schemas", schema_id), sandbox=sandbox)
        except AEPProviderError as exc:
            log.warning("could not remove the refused schema %s (%s); the next create adopts it", schema_id, exc)


class Schema(AEPResource):
    """A tenant XDM schema: a class plus field groups, optionally enabled for Profile."""

    provider_class = SchemaProvider

    schema_id: pulumi.Output[str]
    """``$id`` of the schema; the resource's id (``Dataset(schema_id=...)``, ``MappingSet``)."""
    alt_id: pulumi.Output[str]
    """``meta:altId`` of the schema (``_<tenant>.schemas.<hex>``)."""
    version: pulumi.Output[str]
    """The Schema Registry's version of the schema; it changes with each update (``Dataset(schema=...)`` wires it)."""
    primary_identity_descriptor_id: pulumi.Output[str | None]
    """``@id`` of the primary identity descriptor the schema manages (``primary_identity``), or None."""
    title: pulumi.Output[str]
    field_group_versions: pulumi.Output[list[str] | None]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from SchemaArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: SchemaArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A tenant XDM schema: a class plus field groups, optionally enabled for Profile.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param SchemaArgs args: The inputs as one object.
        :param pulumi.ResourceOptions opts: Options for the resource.
        """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        title: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        class_id: pulumi.Input[str],
        field_groups: pulumi.Input[Sequence[pulumi.Input[str] | FieldGroup]] | None = None,
        profile_enabled: pulumi.Input[bool] | None = None,
        primary_identity: pulumi.Input[IdentityDict] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A tenant XDM schema: a class plus field groups, optionally enabled for Profile.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] title: Title, unique among all schemas, field groups and classes of the sandbox.
        :param pulumi.Input[str] description: Free-text description.
        :param pulumi.Input[str] class_id: ``$id`` of the schema's class, e.g.
            ``https://ns.adobe.com/xdm/context/profile``. Cannot change.
        :param pulumi.Input[Sequence[pulumi.Input[str] | FieldGroup]] field_groups: ``$id``s of the field groups to
            include (standard, or ``FieldGroup.field_group_id``). Can only grow. Default: empty.
        :param pulumi.Input[bool] profile_enabled: Enable for Real-Time Customer Profile (union). Irreversible; needs
            ``primary_identity`` or an identityMap field. Default: ``False``.
        :param pulumi.Input[IdentityDict] primary_identity: The schema's primary identity (``{"field_path": ...,
            "namespace": ...}``), created before Profile enablement.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    # --- end of typed inputs ---

    def __init__(
        self,
        resource_name: str,
        args: SchemaArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **inputs: Any,
    ) -> None:
        """``field_groups`` may hold ``FieldGroup`` resources beside ``$id``s: their ``field_group_id`` is
        used and their ``version`` wired to ``field_group_versions``, so the primary identity's field is
        checked at preview except while one of them changes in the same deployment."""
        groups = inputs.get("field_groups")
        if isinstance(groups, (list, tuple)) and any(_is_field_group(group) for group in groups):
            inputs["field_groups"] = [group.field_group_id if _is_field_group(group) else group for group in groups]
            inputs.setdefault("field_group_versions", [group.version for group in groups if _is_field_group(group)])
        super().__init__(resource_name, args, opts, **inputs)


def _is_field_group(value: Any) -> bool:
    # A FieldGroup resource (field_group.py imports this module, so it is recognised by its provider).
    return isinstance(value, AEPResource) and value.provider_class.id_output == "field_group_id"
