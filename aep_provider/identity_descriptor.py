"""``IdentityDescriptor``: marks a schema field as an identity (``xdm:descriptorIdentity``).

In place (``PUT /tenant/descriptors/{@id}``): field path, namespace, primary flag. Replaced: the
schema. A Schema can also manage its *primary* identity itself (``Schema.primary_identity``), which
is what makes ``profile_enabled=True`` work in a single ``pulumi up`` (see ``schema.py``); use this
resource for other identities, or for the primary one of a schema that is not Profile-enabled at
creation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .base import AEPArgs, AEPProvider, AEPResource
from .client import AEPClient
from .errors import AEPProviderError
from .schema_registry import ACCEPT_DESCRIPTOR, resource_path
from .xdm_checks import ACCEPT_FULL, dotted, field_paths, missing_field_text, namespace_problem

IDENTITY_TYPE = "xdm:descriptorIdentity"


def to_json_pointer(path: str) -> str:
    """``personalEmail.address`` or ``/personalEmail/address`` -> ``/personalEmail/address``."""
    text = path.strip()
    parts = text[1:].split("/") if text.startswith("/") else text.split(".")
    if not text or any(not part for part in parts):
        raise ValueError(f"not a field path: {path!r}; write it dotted (a.b) or as a JSON pointer (/a/b)")
    return "/" + "/".join(parts)


FieldPath = Annotated[str, AfterValidator(to_json_pointer)]


class Identity(BaseModel):
    """A field and the identity namespace of its values."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    field_path: FieldPath
    """Field holding the identity, dotted (``_tenant.loyaltyId``) or as a JSON pointer (``/_tenant/loyaltyId``)."""

    namespace: str = Field(min_length=1)
    """Identity namespace code, e.g. ``Email``, ``ECID``, ``Phone`` or a custom namespace's code."""


def descriptor_body(schema_id: str, identity: Identity, primary: bool) -> dict[str, Any]:
    return {
        "@type": IDENTITY_TYPE,
        "xdm:sourceSchema": schema_id,
        "xdm:sourceVersion": 1,
        "xdm:sourceProperty": identity.field_path,
        "xdm:namespace": identity.namespace,
        "xdm:property": "xdm:code",
        "xdm:isPrimary": primary,
    }


def identity_of(descriptor: Mapping[str, Any]) -> Identity:
    return Identity(field_path=descriptor["xdm:sourceProperty"], namespace=descriptor["xdm:namespace"])


def get_descriptor(client: AEPClient, descriptor_id: str, sandbox: str) -> dict[str, Any] | None:
    body = client.get(resource_path("descriptors", descriptor_id), sandbox=sandbox, accept=ACCEPT_DESCRIPTOR)
    return dict(body) if isinstance(body, Mapping) else None


def identity_descriptors(client: AEPClient, schema_id: str, sandbox: str) -> list[dict[str, Any]]:
    """Every identity descriptor whose source is this schema."""
    answer = client.get(
        resource_path("descriptors"),
        sandbox=sandbox,
        accept=ACCEPT_DESCRIPTOR,
        params={"property": f"xdm:sourceSchema=={schema_id}"},
    )
    found = (answer or {}).get(IDENTITY_TYPE) if isinstance(answer, Mapping) else None
    return [dict(d) for d in found or [] if isinstance(d, Mapping) and d.get("xdm:sourceSchema") == schema_id]


def create_descriptor(client: AEPClient, schema_id: str, identity: Identity, primary: bool, sandbox: str) -> str:
    """POST an identity descriptor; a lost answer is settled by looking for the same descriptor."""

    def find_existing() -> str | None:
        for descriptor in identity_descriptors(client, schema_id, sandbox):
            if descriptor.get("xdm:sourceProperty") == identity.field_path:
                return str(descriptor["@id"])
        return None

    return client.create(
        resource_path("descriptors"),
        descriptor_body(schema_id, identity, primary),
        find_existing,
        sandbox=sandbox,
        id_of=lambda answer: _descriptor_id(answer.body),
    )


def replace_descriptor(
    client: AEPClient, descriptor_id: str, schema_id: str, identity: Identity, primary: bool, sandbox: str
) -> None:
    # PUT replaces the whole descriptor and is idempotent, so the client may re-send it.
    body = {**descriptor_body(schema_id, identity, primary), "@id": descriptor_id}
    client.request("PUT", resource_path("descriptors", descriptor_id), sandbox=sandbox, body=body)


def _descriptor_id(body: Any) -> str:
    if isinstance(body, Mapping) and isinstance(body.get("@id"), str):
        return body["@id"]
    raise AEPProviderError(f"unexpected answer to a descriptor create: {body!r}")


class IdentityDescriptorArgs(AEPArgs):
    schema_id: str = Field(min_length=1)
    """``$id`` of the schema holding the field (e.g. ``schema.schema_id``). Changing it replaces the descriptor."""

    field_path: FieldPath
    """Field holding the identity, dotted (``_tenant.loyaltyId``) or as a JSON pointer (``/_tenant/loyaltyId``)."""

    namespace: str = Field(min_length=1)
    """Identity namespace code, e.g. ``Email``, ``ECID``, ``Phone`` or a custom namespace's code."""

    primary: bool = False
    """Whether this is the schema's primary identity (at most one per schema)."""


class IdentityDescriptorProvider(AEPProvider[IdentityDescriptorArgs]):
    args_model = IdentityDescriptorArgs
    replace_on = frozenset({"schema_id"})
    server_outputs = ("descriptor_id", "sandbox")
    id_output = "descriptor_id"

    def validate(self, args: IdentityDescriptorArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        """The namespace exists, the field is one of the schema's, and a primary one is the schema's only
        primary (help/xdm/api/descriptors.md: one primary identity per schema). Read-only look-ups."""
        sandbox = self.known_sandbox(args, known)
        if sandbox is None:
            return
        if "namespace" in known:
            problem = self.lookup("namespace", lambda client: namespace_problem(client, args.namespace, sandbox) or True, "")
            if isinstance(problem, (str, CheckFailure)):
                yield problem if isinstance(problem, CheckFailure) else CheckFailure("namespace", problem)
        if "schema_id" not in known:
            return
        schema = self.lookup(
            "schema_id",
            lambda client: client.get(resource_path("schemas", args.schema_id), sandbox=sandbox, accept=ACCEPT_FULL),
            f"schema {args.schema_id} does not exist in sandbox {sandbox!r}; use the schema_id of a Schema",
        )
        if isinstance(schema, CheckFailure):
            yield schema
            return
        if not isinstance(schema, Mapping):
            return
        title = schema.get("title") or args.schema_id
        if "field_path" in known:
            missing = missing_field_text(dotted(args.field_path), field_paths(schema), f"schema {title!r}")
            if missing:
                yield CheckFailure("field_path", missing)
        if "primary" in known and args.primary:
            others = self.lookup("primary", lambda client: identity_descriptors(client, args.schema_id, sandbox), "")
            for other in others if isinstance(others, list) else []:
                if other.get("xdm:isPrimary") and other.get("xdm:sourceProperty") != args.field_path:
                    yield CheckFailure(
                        "primary",
                        f"schema {title!r} already has a primary identity ({other.get('xdm:sourceProperty')}, "
                        f"namespace {other.get('xdm:namespace')}); a schema has one: set primary=False, or change "
                        "the other one (Schema.primary_identity or another IdentityDescriptor)",
                    )

    def create_object(self, args: IdentityDescriptorArgs, sandbox: str) -> str:
        return create_descriptor(self.client, args.schema_id, _identity(args), args.primary, sandbox)

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        descriptor = get_descriptor(self.client, object_id, sandbox)
        if descriptor is not None and descriptor.get("@type") != IDENTITY_TYPE:
            raise AEPProviderError(f"descriptor {object_id} is a {descriptor.get('@type')}, not an identity descriptor")
        return descriptor

    def outputs_from_server(self, obj: dict[str, Any], args: IdentityDescriptorArgs) -> dict[str, Any]:
        return {"descriptor_id": obj.get("@id")}

    def inputs_from_server(self, obj: dict[str, Any], current: IdentityDescriptorArgs) -> dict[str, Any]:
        return {
            "schema_id": obj.get("xdm:sourceSchema"),
            "field_path": obj.get("xdm:sourceProperty"),
            "namespace": obj.get("xdm:namespace"),
            "primary": bool(obj.get("xdm:isPrimary")),
        }

    def update_object(
        self,
        object_id: str,
        old: IdentityDescriptorArgs,
        new: IdentityDescriptorArgs,
        sandbox: str,
        old_outputs: Mapping[str, Any],
    ) -> None:
        replace_descriptor(self.client, object_id, new.schema_id, _identity(new), new.primary, sandbox)

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        self.client.delete(resource_path("descriptors", object_id), sandbox=sandbox)


def _identity(args: IdentityDescriptorArgs) -> Identity:
    return Identity(field_path=args.field_path, namespace=args.namespace)


class IdentityDescriptor(AEPResource):
    """An identity descriptor on a schema field (namespace, primary or not)."""

    provider_class = IdentityDescriptorProvider

    descriptor_id: pulumi.Output[str]
    """``@id`` of the descriptor; the resource's id."""
    schema_id: pulumi.Output[str]
    field_path: pulumi.Output[str]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from IdentityDescriptorArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: IdentityDescriptorArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """An identity descriptor on a schema field (namespace, primary or not).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param IdentityDescriptorArgs args: The inputs as one object.
        :param pulumi.ResourceOptions opts: Options for the resource.
        """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        schema_id: pulumi.Input[str],
        field_path: pulumi.Input[str],
        namespace: pulumi.Input[str],
        primary: pulumi.Input[bool] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """An identity descriptor on a schema field (namespace, primary or not).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] schema_id: ``$id`` of the schema holding the field (e.g. ``schema.schema_id``).
            Changing it replaces the descriptor.
        :param pulumi.Input[str] field_path: Field holding the identity, dotted (``_tenant.loyaltyId``) or as a JSON
            pointer (``/_tenant/loyaltyId``).
        :param pulumi.Input[str] namespace: Identity namespace code, e.g. ``Email``, ``ECID``, ``Phone`` or a custom
            namespace's code.
        :param pulumi.Input[bool] primary: Whether this is the schema's primary identity (at most one per schema).
            Default: ``False``.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(resource_name, *args, **kwargs)

    # --- end of typed inputs ---
