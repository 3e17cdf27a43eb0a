"""What every preview checks before an input: the stack settings, the endpoint, the org and the sandbox.

``check`` of every resource runs these before its own rules, so a mistake in the stack configuration
fails the preview once, naming the config key and the fix, instead of surfacing at ``up`` (or as some
unrelated input's failure):

- settings without an API call (``settings.settings_problems``): a sandbox with capitals, an org id
  without ``@AdobeOrg``, half-configured credentials. No credentials at all is an offline preview:
  nothing is looked up and nothing fails.
- the sandbox, with one read per (endpoint, org, sandbox) and process: Sandbox Management's
  ``GET /sandboxes/{name}`` (help/sandboxes/api/sandboxes.md, "Look up a sandbox"; sandbox.yaml). A 404,
  or a sandbox that is not active, names the sandbox and lists the org's sandboxes
  (``GET /sandboxes``, "List sandboxes"). That read is also the first call of the run, so an
  unreachable ``aep:endpoint`` and an org the credentials do not belong to surface here, named.
- ``lookup_failure_text`` turns any failed look-up into what to fix: the config key for a transport or
  gateway failure (help/landing/troubleshooting.md lists the gateway's 403025 "Profile is not valid"
  and 403027 "User region is missing"), and "the platform failed" for a 5xx (never "the input is wrong").

A caller without the permission to read sandboxes (any other 403) is not refused: the check is skipped
and AEP itself judges the sandbox at ``up`` (docs/platform-assumptions.md, "Preview checks").
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from .client import AEPClient
from .errors import AEPApiError
from .ims import TOKEN_PATH
from .settings import Settings

SANDBOXES = "/data/foundation/sandbox-management/sandboxes"
ACTIVE = "active"
# help/landing/troubleshooting.md: the gateway refuses an org the token does not belong to (403025) and
# a malformed org id or one without an AEP product profile (403027).
ORG_REFUSED = frozenset({"403025", "403027"})
API_KEY_REFUSED = frozenset({"403003"})  # same page: "Api Key is invalid"

_lock = threading.Lock()
_sandbox_verdicts: dict[tuple[str, str, str], str | None] = {}


def lookup_failure_text(exc: AEPApiError, settings: Settings) -> str | None:
    """What a failed look-up means for the user, when it is not about the input itself; else None."""
    if exc.status == 0 and exc.path == TOKEN_PATH:
        return (
            f"aep:imsEndpoint: cannot reach {settings.ims_endpoint} ({exc.detail}): check the URL "
            "(`pulumi config set aep:imsEndpoint <url>`) and the network"
        )
    if exc.status == 0:
        return (
            f"aep:endpoint: cannot reach {settings.endpoint} ({exc.detail}): check the URL "
            "(`pulumi config set aep:endpoint <url>`, e.g. https://platform.adobe.io) and the network"
        )
    if exc.path == TOKEN_PATH:
        return f"aep:clientId / aep:clientSecret: IMS refused the credentials ({exc}); check both"
    if exc.has_code(ORG_REFUSED):
        return (
            f"aep:orgId: the platform refuses {settings.org_id!r} for client {settings.client_id!r} ({exc}): set "
            "aep:orgId to the organization id of these credentials, as the Developer Console shows it"
        )
    if exc.has_code(API_KEY_REFUSED):
        return f"aep:clientId: the platform refuses {settings.client_id!r} as an API key ({exc}); check it"
    if exc.status >= 500:
        return (
            f"the platform failed while this preview checked it ({exc}); that says nothing about the inputs: "
            "run the preview again later"
        )
    return None


def _permission_denied(exc: AEPApiError) -> bool:
    return exc.status == 403 and not exc.has_code(ORG_REFUSED | API_KEY_REFUSED)


def sandbox_problem(client: AEPClient, sandbox: str, where: str) -> str | None:
    """Why ``sandbox`` cannot be used (``where`` names the input or config key it came from), or None.

    Judged once per (endpoint, org, sandbox) and process; the verdict is kept either way.
    """
    key = (client.settings.endpoint, client.settings.org_id, sandbox)
    with _lock:
        if key in _sandbox_verdicts:
            return _sandbox_verdicts[key]
    try:
        verdict = _judge_sandbox(client, sandbox, where)
    except AEPApiError as exc:
        if _permission_denied(exc):
            verdict = None  # not allowed to read sandboxes: AEP judges the sandbox at up
        else:
            verdict = lookup_failure_text(exc, client.settings) or f"{where}: cannot be checked against AEP: {exc}"
    with _lock:
        _sandbox_verdicts[key] = verdict
    return verdict


def clear_sandbox_verdicts() -> None:
    with _lock:
        _sandbox_verdicts.clear()


def _judge_sandbox(client: AEPClient, sandbox: str, where: str) -> str | None:
    found = client.get(f"{SANDBOXES}/{sandbox}", sandbox=sandbox)
    state = found.get("state") if isinstance(found, Mapping) else None
    if state == ACTIVE:
        return None
    what = "does not exist" if state in (None, "deleted") else f"is {state}, not active"
    usable = ", ".join(_active_sandboxes(client, sandbox)) or "none"
    return (
        f"{where}: sandbox {sandbox!r} {what} in org {client.settings.org_id}; active sandboxes: {usable}. "
        "Use one of them, or create the sandbox first (a Sandbox resource, or the Sandboxes UI)"
    )


def _active_sandboxes(client: AEPClient, sandbox: str) -> list[str]:
    try:
        listing: Any = client.get(SANDBOXES, sandbox=sandbox)  # the first page (50): limit needs offset too
    except AEPApiError:
        return []  # the list only helps; the verdict stands without it
    records = listing.get("sandboxes") if isinstance(listing, Mapping) else None
    return sorted(
        str(r["name"]) for r in records or [] if isinstance(r, Mapping) and r.get("state") == ACTIVE and r.get("name")
    )
