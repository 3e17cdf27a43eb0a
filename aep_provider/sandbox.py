"""``Sandbox``: a sandbox of the org (Sandbox Management, ``/data/foundation/sandbox-management/sandboxes``).

For the stack that owns an org: it creates the ``dev`` and ``stage`` sandboxes the other stacks deploy
into (they read the ``sandbox_name`` output through a stack reference, see ``stacks/org``).

Behaviour, from help/sandboxes/api/sandboxes.md:
- create answers ``creating``; the provider waits until the sandbox is ``active`` ("Sandboxes take
  roughly 30 seconds to be provisioned") and fails if it becomes ``failed``; a sandbox found
  ``resetting`` is waited out the same way before an update;
- only ``title`` changes in place ("Currently only a sandbox's `title` property can be updated");
  ``name`` and ``type`` replace the sandbox;
- deleting a sandbox deletes everything in it, so a sandbox is protected twice: the resource is
  created with ``protect=True`` unless its options say otherwise, and the provider refuses to delete
  it (destroy or replacement) unless ``allow_delete`` was already true in the deployed state. A change
  that replaces it fails at preview naming the input and this opt-in;
- the default production sandbox cannot be deleted (the platform refuses it);
- ``adopt_id`` is the name of an existing sandbox to manage.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any, Literal, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import Field

from .base import AEPArgs, AEPProvider, AEPResource, SandboxName
from .client import backoff_pause
from .errors import AEPApiError, AEPProviderError

SANDBOXES = "/data/foundation/sandbox-management/sandboxes"
ACTIVE, FAILED, DELETED = "active", "failed", "deleted"
_SETTLING = frozenset({"creating", "resetting", "provisioning"})


class SandboxArgs(AEPArgs):
    name: SandboxName
    """Name of the sandbox, what other stacks put in ``aep:sandbox`` (lowercase letters, digits, '-'). Changing it replaces the sandbox."""

    title: str = Field(min_length=1)
    """Display name shown in the platform UI; changed in place."""

    type: Literal["development", "production"] = "development"
    """Sandbox type: 'development' or 'production'. Changing it replaces the sandbox."""

    allow_delete: bool = False
    """Allow destroy or replacement to delete this sandbox and everything in it. Deploy it as True first
    (and set protect=False in the resource options), then destroy or make the replacing change."""


def _replace_refused(field: str, name: str) -> str:
    return (
        f"changing {field} replaces sandbox {name!r}, deleting it and everything in it. To allow it, set "
        "allow_delete=True and protect=False (resource options) and run pulumi up, then make this change"
    )


class SandboxProvider(AEPProvider[SandboxArgs]):
    args_model = SandboxArgs
    replace_on = frozenset({"name", "type"})
    server_outputs = ("sandbox_name", "state", "etag")
    id_output = "sandbox_name"
    delete_before_replace = True  # a new type under the same name can only exist once the old is gone
    checks_sandbox = False  # it makes a sandbox; its own ``sandbox`` input plays no part
    provisioning_timeout_seconds = 600.0  # AEP needs about 30 s; leave room for a slow day

    def validate_change(self, old: SandboxArgs, new: SandboxArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        for field in ("name", "type"):
            if field in known and getattr(old, field) != getattr(new, field) and not old.allow_delete:
                yield CheckFailure(field, _replace_refused(field, old.name))

    def create_object(self, args: SandboxArgs, sandbox: str) -> str:
        body = {"name": args.name, "title": args.title, "type": args.type}
        try:
            name = self.client.create(
                SANDBOXES, body, lambda: self._existing_name(args.name), sandbox=sandbox, id_of=lambda _: args.name
            )
        except AEPApiError as exc:
            if exc.status == 409:
                raise AEPProviderError(
                    f"a sandbox named {args.name!r} already exists in the org: set adopt_id={args.name!r} to manage "
                    f"it, or choose another name ({exc})"
                ) from None
            raise
        self.wait_until_active(name, sandbox)
        return name

    def _existing_name(self, name: str) -> str | None:
        return name if self.read_object(name, self.default_sandbox) is not None else None

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        found = self.client.get(f"{SANDBOXES}/{object_id}", sandbox=sandbox)
        if not isinstance(found, Mapping) or found.get("state") == DELETED:
            return None  # a deleted sandbox stays readable for a while; it is gone all the same
        return dict(found)

    def wait_until_active(self, name: str, sandbox: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.provisioning_timeout_seconds
        attempt = 0
        while True:
            found = self.read_existing(name, sandbox)
            state = found.get("state")
            if state == ACTIVE:
                return found
            if state == FAILED or state not in _SETTLING:
                raise AEPProviderError(f"sandbox {name!r} is {state!r}, not active: see it in the platform UI")
            if time.monotonic() > deadline:
                raise AEPProviderError(
                    f"sandbox {name!r} is still {state!r} after {self.provisioning_timeout_seconds:.0f}s; "
                    "run pulumi up again later"
                )
            attempt += 1
            time.sleep(min(backoff_pause(attempt), 5.0))

    def outputs_from_server(self, obj: dict[str, Any], args: SandboxArgs) -> dict[str, Any]:
        return {"sandbox_name": obj.get("name"), "state": obj.get("state"), "etag": obj.get("eTag", obj.get("etag"))}

    def inputs_from_server(self, obj: dict[str, Any], current: SandboxArgs) -> dict[str, Any]:
        # allow_delete is the provider's own switch: the platform knows nothing of it.
        return {"name": obj.get("name"), "title": obj.get("title"), "type": obj.get("type"),
                "allow_delete": current.allow_delete}  # fmt: skip

    def update_object(
        self, object_id: str, old: SandboxArgs, new: SandboxArgs, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        current = self.wait_until_active(object_id, sandbox)  # a reset in progress refuses changes
        if current.get("title") == new.title:
            return
        self.client.write(
            "PATCH", f"{SANDBOXES}/{object_id}", {"title": new.title}, sandbox=sandbox,
            is_applied=lambda: (self.read_object(object_id, sandbox) or {}).get("title") == new.title,
        )  # fmt: skip

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        if not old_outputs.get("allow_delete"):
            raise AEPProviderError(
                f"refusing to delete sandbox {object_id!r}: deleting a sandbox deletes everything in it. To delete "
                "it, set allow_delete=True (and protect=False in the resource options), run pulumi up, then run "
                "this command again"
            )
        self.client.delete(f"{SANDBOXES}/{object_id}", sandbox=sandbox)


class Sandbox(AEPResource):
    """A sandbox of the org; protected by default (``protect=True`` unless the options say otherwise)."""

    provider_class = SandboxProvider

    sandbox_name: pulumi.Output[str]
    """The sandbox's name; the resource's id (what ``aep:sandbox`` and ``sandbox=`` take)."""
    name: pulumi.Output[str]
    title: pulumi.Output[str]
    state: pulumi.Output[str]
    """The sandbox's state (``active`` once ready; the create waits for it)."""
    etag: pulumi.Output[str]
    """The sandbox's ``etag`` as Sandbox Management reports it."""

    # --- typed inputs: generated by scripts/build_typed_inputs.py from SandboxArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: SandboxArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A sandbox of the org; protected by default (``protect=True`` unless the options say otherwise).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param SandboxArgs args: The inputs as one object.
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
        title: pulumi.Input[str],
        type: pulumi.Input[Literal["development", "production"] | str] | None = None,
        allow_delete: pulumi.Input[bool] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A sandbox of the org; protected by default (``protect=True`` unless the options say otherwise).

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: Name of the sandbox, what other stacks put in ``aep:sandbox`` (lowercase
            letters, digits, '-'). Changing it replaces the sandbox.
        :param pulumi.Input[str] title: Display name shown in the platform UI; changed in place.
        :param pulumi.Input[Literal["development", "production"] | str] type: Sandbox type: 'development' or
            'production'. Changing it replaces the sandbox. Default: ``development``.
        :param pulumi.Input[bool] allow_delete: Allow destroy or replacement to delete this sandbox and everything in
            it. Deploy it as True first (and set protect=False in the resource options), then destroy or make the
            replacing change. Default: ``False``.
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
        args: SandboxArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **inputs: Any,
    ) -> None:
        if opts is None or opts.protect is None:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True))
        super().__init__(resource_name, args, opts, **inputs)
