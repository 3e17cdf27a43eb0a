"""``FieldGroup``: a tenant field group (formerly "mixin") holding custom fields.

Fields are declared as a typed tree relative to the tenant namespace: ``{"loyaltyId": {"type":
"string"}}`` becomes ``_<tenant>.loyaltyId`` (the tenant id comes from ``GET /stats``). Everything
changes in place with ``PUT`` (the Registry refuses breaking changes once a schema using the group
is locked; that answer is surfaced as it is).

Supported field types: string, number, integer, long, int, short, byte, boolean, date, date-time,
object (with nested ``fields``). Arrays and maps are not supported yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TYPE_CHECKING, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from .base import AEPArgs, AEPResource
from .errors import AEPApiError
from .marker import with_marker, without_marker
from .client import AEPClient
from .schema import is_union

ACCEPT_FULL_LIST = "application/vnd.adobe.xed+json"  # a list of whole resources (help/xdm/api/schemas.md, "Retrieve a list")
from .schema_registry import (
    SchemaRegistryProvider,
    explain_title_clash,
    find_by_title,
    resource_path,
    tenant_id,
)

if TYPE_CHECKING:  # names in the typed constructor's signatures only
    from collections.abc import Sequence
    from .input_types import FieldSpecDict

FieldType = Literal[
    "string", "number", "integer", "long", "int", "short", "byte", "boolean", "date", "date-time", "object"
]
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _field_name(name: str) -> str:
    if not _FIELD_NAME.match(name):
        raise ValueError(f"field name {name!r} must start with a letter and hold only letters, digits and '_'")
    return name


FieldName = Annotated[str, AfterValidator(_field_name)]
# XDM's sized integers are JSON-schema integers with these bounds (and meta:xdmType).
INTEGER_BOUNDS: dict[str, tuple[int, int]] = {
    "long": (-(2**53), 2**53),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
}
DATE_FORMATS = ("date", "date-time")
DEFINITION = "customFields"


class FieldSpec(BaseModel):
    """One custom field; ``object`` fields hold their children in ``fields``."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    type: FieldType
    """XDM type of the field."""

    title: str | None = None
    """Display name."""

    description: str | None = None
    """Free-text description."""

    fields: dict[FieldName, FieldSpec] | None = None
    """Child fields; required for (and only allowed on) ``object`` fields."""

    @model_serializer(mode="wrap")
    def _without_unset_parts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Keeps state and previews readable: {"type": "string"}, not four keys with nulls.
        return {key: value for key, value in handler(self).items() if value is not None}

    @model_validator(mode="after")
    def _children_only_on_objects(self) -> FieldSpec:
        if self.type == "object" and not self.fields:
            raise ValueError("an object field needs at least one child in 'fields'")
        if self.type != "object" and self.fields:
            raise ValueError(f"a {self.type} field cannot have 'fields'; use type 'object'")
        return self


FieldSpec.model_rebuild()  # resolve the self-reference in ``fields``


def _sorted_unique(values: list[str]) -> list[str]:
    return sorted(set(values))


ClassIds = Annotated[list[str], Field(min_length=1), AfterValidator(_sorted_unique)]


class FieldGroupArgs(AEPArgs):
    title: str = Field(min_length=1)
    """Title, unique among all schemas, field groups and classes of the sandbox."""

    description: str | None = None
    """Free-text description."""

    intended_classes: ClassIds
    """``$id``s of the classes the group may be used with, e.g. ``https://ns.adobe.com/xdm/context/profile``."""

    fields: dict[FieldName, FieldSpec] = Field(min_length=1)
    """Custom fields, name -> spec, placed under the tenant namespace ``_<tenant>``."""


def encode_field(spec: FieldSpec) -> dict[str, Any]:
    """A field as the JSON-schema node the Registry stores."""
    node: dict[str, Any] = {}
    if spec.title is not None:
        node["title"] = spec.title
    if spec.description is not None:
        node["description"] = spec.description
    if spec.type in DATE_FORMATS:
        node.update({"type": "string", "format": spec.type})
    elif spec.type in INTEGER_BOUNDS:
        low, high = INTEGER_BOUNDS[spec.type]
        node.update({"type": "integer", "minimum": low, "maximum": high, "meta:xdmType": spec.type})
    elif spec.type == "object":
        node.update({"type": "object", "properties": {n: encode_field(c) for n, c in (spec.fields or {}).items()}})
    else:
        node["type"] = spec.type
    return node


def decode_field(node: Mapping[str, Any]) -> dict[str, Any]:
    """The inverse of ``encode_field`` (unknown constructs keep their XDM type name, so they show as drift)."""
    json_type = node.get("type")
    xdm_type = node.get("meta:xdmType")
    spec: dict[str, Any] = {}
    if json_type == "string" and node.get("format") in DATE_FORMATS:
        spec["type"] = node["format"]
    elif json_type == "integer" and xdm_type in INTEGER_BOUNDS:
        spec["type"] = xdm_type
    elif json_type == "object" and isinstance(node.get("properties"), Mapping):
        spec["type"] = "object"
        spec["fields"] = {n: decode_field(c) for n, c in node["properties"].items() if isinstance(c, Mapping)}
    else:
        spec["type"] = xdm_type or json_type
    for key in ("title", "description"):
        if node.get(key) is not None:
            spec[key] = node[key]
    return spec


def field_group_body(args: FieldGroupArgs, tenant: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "object",
        "title": args.title,
        "meta:intendedToExtend": list(args.intended_classes),
        "definitions": {
            DEFINITION: {
                "type": "object",
                "properties": {
                    f"_{tenant}": {
                        "type": "object",
                        "properties": {name: encode_field(spec) for name, spec in args.fields.items()},
                    }
                },
            }
        },
        "allOf": [{"$ref": f"#/definitions/{DEFINITION}"}],
    }
    if args.description is not None or args.resource_marker:
        body["description"] = with_marker(args.description, args.resource_marker) or ""
    return body


def tenant_fields(field_group: Mapping[str, Any]) -> dict[str, Any]:
    """The custom fields (under the tenant namespace) of every definition, decoded."""
    namespace = str(field_group.get("meta:tenantNamespace") or "")
    found: dict[str, Any] = {}
    for definition in (field_group.get("definitions") or {}).values():
        properties = definition.get("properties") if isinstance(definition, Mapping) else None
        tenant_node = (properties or {}).get(namespace) if namespace else None
        if isinstance(tenant_node, Mapping):
            for name, node in (tenant_node.get("properties") or {}).items():
                if isinstance(node, Mapping):
                    found[name] = decode_field(node)
    return found


def flat_types(fields: Mapping[str, FieldSpec], prefix: str = "") -> dict[str, str]:
    """Dotted path -> declared type of every field."""
    found: dict[str, str] = {}
    for name, spec in fields.items():
        path = f"{prefix}{name}"
        found[path] = spec.type
        found.update(flat_types(spec.fields or {}, path + "."))
    return found


def breaking_changes(old: Mapping[str, FieldSpec], new: Mapping[str, FieldSpec]) -> list[str]:
    """The removed and retyped fields between two field trees, as readable lines."""
    before, after = flat_types(old), flat_types(new)
    lines = [f"field {path!r} removed" for path in before if path not in after]
    lines += [f"field {path!r} retyped {before[path]} -> {after[path]}" for path in before if after.get(path, before[path]) != before[path]]
    return lines


def profile_schemas_using(client: AEPClient, title: str, sandbox: str) -> list[str]:
    """Titles of the Profile-enabled tenant schemas that include the field group titled ``title``."""
    group_id = find_by_title(client, "fieldgroups", title, sandbox)
    if group_id is None:
        return []
    listing = client.get(resource_path("schemas"), sandbox=sandbox, accept=ACCEPT_FULL_LIST)
    return sorted(
        str(schema.get("title"))
        for schema in (listing or {}).get("results") or []
        if isinstance(schema, Mapping)
        and is_union(schema)
        and any(isinstance(part, Mapping) and part.get("$ref") == group_id for part in schema.get("allOf") or [])
    )


class FieldGroupProvider(SchemaRegistryProvider[FieldGroupArgs]):
    kind = "fieldgroups"
    args_model = FieldGroupArgs
    server_outputs = ("field_group_id", "alt_id", "version", "sandbox")
    id_output = "field_group_id"

    def validate(self, args: FieldGroupArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "intended_classes" in known:
            for class_id in args.intended_classes:
                if not class_id.startswith("https://"):
                    yield CheckFailure("intended_classes", f"{class_id!r} is not a class $id (an https:// URI)")

    def validate_change(self, old: FieldGroupArgs, new: FieldGroupArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        """A field removed or retyped is refused by AEP once a Profile-enabled schema uses the group
        (help/xdm/schema/composition.md, "Schema evolution": only non-destructive changes to a schema in
        use; profile-enablement-planning.md: enablement locks the schema's fields). Said at preview."""
        sandbox = self.known_sandbox(new, known)
        if "fields" not in known or sandbox is None:
            return
        breaking = breaking_changes(old.fields, new.fields)
        if not breaking:
            return
        users = self.lookup("fields", lambda client: profile_schemas_using(client, old.title, sandbox), "")
        if isinstance(users, CheckFailure):
            yield users
        elif users:
            yield CheckFailure(
                "fields",
                f"{'; '.join(breaking)}: AEP refuses it, since Profile-enabled schema(s) {', '.join(map(repr, users))} "
                "use this field group and only additive changes are allowed then. Keep the field (add new ones "
                "beside it), or move to a new field group",
            )

    def create_object(self, args: FieldGroupArgs, sandbox: str) -> str | tuple[str, dict[str, Any]]:
        group_id, created = self.create_resource(
            field_group_body(args, tenant_id(self.client, sandbox)), sandbox, args.resource_marker
        )
        return (group_id, created) if created is not None else group_id  # the answer is the whole group

    def inputs_from_server(self, obj: dict[str, Any], current: FieldGroupArgs) -> dict[str, Any]:
        return {
            "title": obj.get("title"),
            "description": without_marker(obj.get("description")),
            "intended_classes": list(obj.get("meta:intendedToExtend") or []),
            "fields": tenant_fields(obj),
        }

    def update_object(
        self, object_id: str, old: FieldGroupArgs, new: FieldGroupArgs, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        body = field_group_body(new, tenant_id(self.client, sandbox))
        try:
            # PUT replaces the whole group and is idempotent, so the client may re-send it.
            self.client.request("PUT", resource_path(self.kind, object_id), sandbox=sandbox, body=body)
        except AEPApiError as exc:
            raise explain_title_clash(exc, self.kind, new.title) from None


class FieldGroup(AEPResource):
    """A tenant field group of custom fields, to be added to schemas (``Schema.field_groups``)."""

    provider_class = FieldGroupProvider

    field_group_id: pulumi.Output[str]
    """``$id`` of the field group; the resource's id (``Schema(field_groups=[...])``)."""
    alt_id: pulumi.Output[str]
    """``meta:altId``, ``_<tenant>.mixins.<hex>``: its first part is the tenant namespace."""
    version: pulumi.Output[str]
    """The Schema Registry's version of the field group; it changes with each update."""
    title: pulumi.Output[str]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from FieldGroupArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: FieldGroupArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A tenant field group of custom fields, to be added to schemas (``Schema.field_groups``).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param FieldGroupArgs args: The inputs as one object.
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
        intended_classes: pulumi.Input[Sequence[pulumi.Input[str]]],
        fields: pulumi.Input[Mapping[str, pulumi.Input[FieldSpecDict]]],
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A tenant field group of custom fields, to be added to schemas (``Schema.field_groups``).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] title: Title, unique among all schemas, field groups and classes of the sandbox.
        :param pulumi.Input[str] description: Free-text description.
        :param pulumi.Input[Sequence[pulumi.Input[str]]] intended_classes: ``$id``s of the classes the group may be
            used with, e.g. ``https://ns.adobe.com/xdm/context/profile``.
        :param pulumi.Input[Mapping[str, pulumi.Input[FieldSpecDict]]] fields: Custom fields, name -> spec, placed
            under the tenant namespace ``_<tenant>``.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(resource_name, *args, **kwargs)

    # --- end of typed inputs ---
