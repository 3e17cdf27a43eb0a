"""``IdentityNamespace``: a custom identity namespace (Identity Service, ``/data/core/idnamespace/identities``).

A custom identity (an ``IdentityDescriptor`` on a CRM id, a loyalty number...) needs a namespace whose
``code`` the descriptor names. From identity-service.yaml (AdobeDocs/experience-platform-apis) and
help/identity-service/api/create-custom-namespace.md:
- ``code`` ("identity symbol") may contain only letters and numbers and is unique; ``idType`` is one of
  Cookie, Cross_device, Device, Email, Mobile, Non_people, Phone (both checked at preview);
- ``name`` and ``description`` change in place (PUT of the whole namespace); ``code`` and ``idType``
  cannot change ("code and idType are non editable fields"), and since a namespace cannot be deleted a
  change of either fails at preview instead of leaving a namespace behind;
- "once a namespace has been created, it cannot be deleted": destroy forgets it with a warning.

The id is the namespace's numeric ``id``; ``adopt_id`` takes it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import AfterValidator, Field

from .base import AEPArgs, AEPProvider, AEPResource
from .client import ApiResponse
from .errors import AEPProviderError

NAMESPACES = "/data/core/idnamespace/identities"
ID_TYPES = ("Cookie", "Cross_device", "Device", "Email", "Mobile", "Non_people", "Phone")
_BY_UPPER = {t.upper(): t for t in ID_TYPES}
_CODE = re.compile(r"^[A-Za-z0-9]+$")
_FIXED = ("code", "id_type")


def _id_type(value: str) -> str:
    # The platform answers types in either case (COOKIE in the list example, Cross_device on create).
    canonical = _BY_UPPER.get(value.upper())
    if canonical is None:
        raise ValueError(f"must be one of {', '.join(ID_TYPES)}, got {value!r}")
    return canonical


def _code(value: str) -> str:
    if not _CODE.match(value):
        raise ValueError(f"may contain only letters and numbers (e.g. 'Loyalty', 'crmId2'), got {value!r}")
    return value


class IdentityNamespaceArgs(AEPArgs):
    name: str = Field(min_length=1)
    """Display name of the namespace (e.g. 'Loyalty Member'); changed in place."""

    code: Annotated[str, AfterValidator(_code)]
    """Identity symbol that descriptors and mappings name (letters and digits only). Cannot change once created."""

    id_type: Annotated[str, AfterValidator(_id_type)]
    """Identity type: Cookie, Cross_device, Device, Email, Mobile, Non_people or Phone. Cannot change once created."""

    description: str | None = None
    """Free-text description; changed in place."""


class IdentityNamespaceProvider(AEPProvider[IdentityNamespaceArgs]):
    args_model = IdentityNamespaceArgs
    replace_on = frozenset(_FIXED)
    server_outputs = ("namespace_id", "custom")
    id_output = "namespace_id"

    def validate_change(
        self, old: IdentityNamespaceArgs, new: IdentityNamespaceArgs, known: frozenset[str]
    ) -> Iterable[CheckFailure]:
        for field in _FIXED:
            if field in known and getattr(old, field) != getattr(new, field):
                yield CheckFailure(
                    field,
                    f"cannot change from {getattr(old, field)!r}: AEP can neither change nor delete a namespace's "
                    "code and type. Keep this resource as it is and declare a new IdentityNamespace for the new one",
                )

    def _body(self, args: IdentityNamespaceArgs) -> dict[str, Any]:
        body = {"name": args.name, "code": args.code, "idType": args.id_type}
        if args.description is not None:
            body["description"] = args.description
        return body

    def create_object(self, args: IdentityNamespaceArgs, sandbox: str) -> str:
        return self.client.create(
            NAMESPACES, self._body(args), lambda: self._find_by_code(args.code, sandbox), sandbox=sandbox, id_of=_created_id
        )

    def _find_by_code(self, code: str, sandbox: str) -> str | None:
        listing = self.client.get(NAMESPACES, sandbox=sandbox) or []
        return next((str(ns["id"]) for ns in listing if isinstance(ns, Mapping) and ns.get("code") == code), None)

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        found = self.client.get(f"{NAMESPACES}/{object_id}", sandbox=sandbox)
        return dict(found) if isinstance(found, Mapping) else None

    def outputs_from_server(self, obj: dict[str, Any], args: IdentityNamespaceArgs) -> dict[str, Any]:
        return {"namespace_id": str(obj.get("id")), "custom": obj.get("custom")}

    def inputs_from_server(self, obj: dict[str, Any], current: IdentityNamespaceArgs) -> dict[str, Any]:
        return {"name": obj.get("name"), "code": obj.get("code"), "id_type": obj.get("idType"),
                "description": obj.get("description")}  # fmt: skip

    def update_object(
        self,
        object_id: str,
        old: IdentityNamespaceArgs,
        new: IdentityNamespaceArgs,
        sandbox: str,
        old_outputs: Mapping[str, Any],
    ) -> None:
        self.client.write(
            "PUT", f"{NAMESPACES}/{object_id}", self._body(new), sandbox=sandbox,
            is_applied=lambda: not self.differences(new, self.read_existing(object_id, sandbox)),
        )  # fmt: skip

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        pulumi.log.warn(
            f"identity namespace {old_outputs.get('code')!r} (id {object_id}) stays in sandbox {sandbox!r}: AEP "
            "cannot delete a namespace (help/identity-service/api/create-custom-namespace.md); it is only "
            "removed from this stack's state"
        )


def _created_id(answer: ApiResponse) -> str:
    body = answer.body
    if isinstance(body, Mapping) and body.get("id") is not None:
        return str(body["id"])
    raise AEPProviderError(f"unexpected answer to an identity namespace create: {body!r}")


class IdentityNamespace(AEPResource):
    """A custom identity namespace in one sandbox; destroy leaves it in AEP (namespaces cannot be deleted)."""

    provider_class = IdentityNamespaceProvider

    namespace_id: pulumi.Output[str]
    """Identity Service's id of the namespace; the resource's id."""
    code: pulumi.Output[str]
    name: pulumi.Output[str]
    custom: pulumi.Output[bool]
    """Whether Identity Service lists the namespace as custom (not one of the standard ones)."""

    # --- typed inputs: generated by scripts/build_typed_inputs.py from IdentityNamespaceArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: IdentityNamespaceArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A custom identity namespace in one sandbox; destroy leaves it in AEP (namespaces cannot be deleted).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param IdentityNamespaceArgs args: The inputs as one object.
        :param pulumi.ResourceOptions opts: Options for the resource.
        """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str],
        code: pulumi.Input[str],
        id_type: pulumi.Input[str],
        description: pulumi.Input[str] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A custom identity namespace in one sandbox; destroy leaves it in AEP (namespaces cannot be deleted).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: Display name of the namespace (e.g. 'Loyalty Member'); changed in place.
        :param pulumi.Input[str] code: Identity symbol that descriptors and mappings name (letters and digits only).
            Cannot change once created.
        :param pulumi.Input[str] id_type: Identity type: Cookie, Cross_device, Device, Email, Mobile, Non_people or
            Phone. Cannot change once created.
        :param pulumi.Input[str] description: Free-text description; changed in place.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(resource_name, *args, **kwargs)

    # --- end of typed inputs ---
