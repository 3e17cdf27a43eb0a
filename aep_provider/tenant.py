"""``tenant_namespace()``: ``_<tenant>``, where the org's custom XDM fields live, known when a program runs.

A stack program writes paths such as ``_<tenant>.loyaltyId`` (a primary identity, a mapping
destination). Read off a ``FieldGroup``'s ``alt_id`` (``_<tenant>.mixins.<hex>``), the tenant is unknown
in a preview whenever that field group changes (a dynamic provider's outputs are unknown during an
update's preview), so every resource using such a path previews an update ``up`` never makes. The
tenant id belongs to the org (help/xdm/api/getting-started.md, "Know your TENANT_ID": the Schema
Registry's ``GET /stats`` answers it as ``tenantId``), so the program can ask for it once, read-only,
before any resource is declared: then it is a plain known value in every preview.

Without credentials (an offline preview) nothing is asked: the ``fallback`` field group's ``alt_id``
gives the tenant instead (unknown until that field group exists).
"""

from __future__ import annotations

import pulumi

from .client import lookup_client
from .errors import AEPApiError, AEPProviderError
from .preflight import lookup_failure_text
from .schema_registry import tenant_id
from .settings import Settings
from .specs import stack_settings


def tenant_of(settings: Settings, sandbox: str | None = None) -> str:
    """``_<tenant>`` of the org of ``settings`` (one cached ``GET /stats`` per process); fails naming the fix."""
    try:
        return f"_{tenant_id(lookup_client(settings), sandbox or settings.sandbox)}"
    except AEPApiError as exc:
        raise AEPProviderError(f"tenant_namespace(): {lookup_failure_text(exc, settings) or exc}") from None


def tenant_namespace(fallback: pulumi.Resource | None = None, sandbox: str | None = None) -> pulumi.Output[str]:
    """``_<tenant>`` of the stack's org and sandbox (``aep:*`` config, else ``AEP_*``), known in previews.

    ``fallback``: a ``FieldGroup`` whose ``alt_id`` gives the tenant when the platform cannot be asked
    (no credentials: an offline preview; or a failed look-up, which the resources' own checks then report
    by config key). Without a fallback such a failure stops the program with the reason.
    """
    try:
        return pulumi.Output.from_input(tenant_of(stack_settings(), sandbox))
    except AEPProviderError as exc:  # ConfigurationError included
        if fallback is None:
            raise pulumi.RunError(str(exc)) from None
        # Said by the resources' own checks, named by config key (preflight.py): not repeated here.
        alt_id: pulumi.Output[str] = getattr(fallback, "alt_id")
        return alt_id.apply(lambda value: value.split(".", 1)[0])
