"""Per-request facts (who is calling, in which sandbox) and access to the emulator's state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import flask

from .store import Scope, Store


@dataclass
class EmulatorConfig:
    """What one emulator instance answers as. Demo defaults are documented in README.md."""

    client_id: str = "aep-emulator-client"
    client_secret: str = "aep-emulator-secret"
    org_id: str = "EMULATOR0000000000000000@AdobeOrg"
    tenant_id: str = "emulator"
    # Sandboxes that exist in the org; the first is the default production sandbox.
    sandboxes: tuple[str, ...] = ("prod", "dev", "stage")
    data_dir: str | None = None
    # AWS endpoint (e.g. a moto server) that S3/Kinesis connections are verified against; None skips.
    aws_endpoint: str | None = None
    token_lifetime_seconds: int = 86399
    # Data Prep documents no DELETE for mapping sets (aepp calls one): False answers it 405, as a
    # platform without the method would.
    mapping_set_delete: bool = True
    # How long a sandbox stays `creating`/`resetting` before it is `active` (AEP: about 30 s); short
    # by default so test suites stay fast.
    sandbox_transition_seconds: float = 0.5
    # How long a flow's create, update, enable or disable runs (transitional state, lastOperation
    # inProgress) before it settles; 0 settles at once. Short by default so test suites stay fast.
    flow_transition_seconds: float = 0.2


@dataclass
class RequestContext:
    """Set by the gateway before a service handler runs."""

    org_id: str
    sandbox: str | None
    client_id: str
    user_id: str
    request_id: str

    @property
    def scope(self) -> Scope:
        """(org, sandbox) under which objects are stored; services call it only after require_sandbox."""
        assert self.sandbox is not None, "service must call require_sandbox() first"
        return (self.org_id, self.sandbox)


@dataclass
class EmulatorState:
    """Everything a service needs besides the request: the store and the configuration."""

    config: EmulatorConfig
    store: Store
    extras: dict = field(default_factory=dict)  # per-service caches (e.g. loaded spec catalogues)


def state() -> EmulatorState:
    return flask.current_app.extensions["aep_emulator"]


def request_context() -> RequestContext:
    return flask.g.aep


REQUEST_ID_HEADER = "x-request-id"


def current_request_id() -> str:
    """The id of this request, one per request whatever answers it (gateway, fault, service, 404):
    the caller's ``x-request-id`` when it sent one, else a new UUID. Error bodies quote the same id
    (``report.registryRequestId``, ``report.request-id``) as the header."""
    ctx = getattr(flask.g, "aep", None)
    if ctx is not None:
        return ctx.request_id
    if getattr(flask.g, "aep_request_id", None) is None:
        flask.g.aep_request_id = flask.request.headers.get(REQUEST_ID_HEADER) or str(uuid.uuid4())
    return flask.g.aep_request_id


def sandbox_id(scope: Scope) -> str:
    """A stable id per (org, sandbox), so every service reports the same ``sandboxId``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"aep-emulator:{scope[0]}:{scope[1]}"))


def sandbox_type(sandbox: str) -> str:
    """``production`` or ``development``, as Sandbox Management records it (seeded from ``sandboxes``:
    the first is the org's production sandbox, the others development ones)."""
    from ..sandbox.models import sandbox_type_of  # the Sandbox Management service owns the sandbox table

    return sandbox_type_of(state().config.org_id, sandbox)  # the gateway admits only the configured org
