"""Read-only XDM look-ups for ``check``: classes, field groups, a schema's fields, identity namespaces.

Each answers "is this id / path / code real?" and, when not, the nearest real ones, so a preview names
the input and the fix. Sources:
- classes and field groups: ``GET /global/{classes|fieldgroups}/{id}`` for Adobe's standard resources
  (ids under ``https://ns.adobe.com/xdm/``) and ``GET /tenant/...`` for the org's own, with
  ``Accept: application/vnd.adobe.xed-full+json; version=1`` for resolved fields; listings with
  ``xed-id+json`` for suggestions (help/xdm/api/classes.md, field-groups.md, "Look up", "Retrieve a list");
- identity namespaces: ``GET /data/core/idnamespace/identities`` (help/identity-service/api/list-namespaces.md).

Answers are cached for the run (``cached_get``); when a cached answer does not hold what is looked for,
it is read once more uncached, since an earlier step of the same ``up`` (a new field, a new custom
namespace) may have changed it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from .base import cached_get
from .client import SCHEMA_REGISTRY, AEPClient
from .errors import AEPProviderError
from .mapping_set import schema_field_paths
from .schema_registry import ACCEPT_ID_LIST, resource_path

ACCEPT_FULL = "application/vnd.adobe.xed-full+json; version=1"
NAMESPACES = "/data/core/idnamespace/identities"
STANDARD_PREFIX = "https://ns.adobe.com/xdm/"
KIND_WORDS = {"classes": "class", "fieldgroups": "field group"}


def _path(kind: str, resource_id: str) -> str:
    if resource_id.startswith(STANDARD_PREFIX):
        return resource_path(kind, resource_id).replace("/tenant/", "/global/", 1)
    return resource_path(kind, resource_id)


def _get(client: AEPClient, path: str, sandbox: str, accept: str | None, fresh: bool) -> Any:
    return cached_get(client, path, sandbox=sandbox, accept=accept, cache=not fresh)


def resolved(client: AEPClient, kind: str, resource_id: str, sandbox: str, fresh: bool = False) -> dict[str, Any]:
    """A class or field group with its fields resolved; fails naming the nearest ids when it does not exist."""
    found = _get(client, _path(kind, resource_id), sandbox, ACCEPT_FULL, fresh)
    if isinstance(found, Mapping):
        return dict(found)
    raise AEPProviderError(_unknown_id(client, kind, resource_id, sandbox))


def _unknown_id(client: AEPClient, kind: str, resource_id: str, sandbox: str) -> str:
    known = listed_ids(client, kind, sandbox)
    close = difflib.get_close_matches(resource_id, list(known), n=3, cutoff=0.6)
    hint = (
        "did you mean " + " or ".join(f"{c!r} ({known[c]})" for c in close) + "?"
        if close
        else f"list them with GET {SCHEMA_REGISTRY}/global/{kind} and /tenant/{kind}"
    )
    return f"no {KIND_WORDS[kind]} {resource_id!r} in sandbox {sandbox!r}; {hint}"


def listed_ids(client: AEPClient, kind: str, sandbox: str) -> dict[str, str]:
    """``$id`` -> title of the standard and the tenant resources of this kind."""
    ids: dict[str, str] = {}
    for container in ("global", "tenant"):
        answer = cached_get(
            client, f"{SCHEMA_REGISTRY}/{container}/{kind}", sandbox=sandbox, accept=ACCEPT_ID_LIST,
            cache=container == "global",
        )  # fmt: skip
        for item in (answer or {}).get("results") or [] if isinstance(answer, Mapping) else []:
            if isinstance(item, Mapping) and isinstance(item.get("$id"), str):
                ids[item["$id"]] = str(item.get("title") or "")
    return ids


# --- fields ---------------------------------------------------------------------------------------


def field_paths(node: Mapping[str, Any]) -> set[str]:
    """Dotted paths of every field of a resolved (``xed-full``) class, field group or schema."""
    return set(schema_field_paths(node))


def dotted(pointer: str) -> str:
    """``/_tenant/loyaltyId`` -> ``_tenant.loyaltyId``."""
    return pointer.strip("/").replace("/", ".")


def missing_field_text(path: str, paths: Iterable[str], where: str) -> str | None:
    """None when ``path`` (dotted) is a field; otherwise what is wrong and the nearest fields."""
    known = set(paths)
    if path in known:
        return None
    close = difflib.get_close_matches(path, sorted(known), n=2, cutoff=0.6)
    hint = "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else "add the field to a field group first"
    return f"{path!r} is not a field of {where}; {hint}"


# --- identity namespaces --------------------------------------------------------------------------


def namespace_codes(client: AEPClient, sandbox: str, fresh: bool = False) -> list[str]:
    answer = _get(client, NAMESPACES, sandbox, None, fresh)
    return [str(ns["code"]) for ns in answer or [] if isinstance(ns, Mapping) and ns.get("code")]


def namespace_problem(client: AEPClient, code: str, sandbox: str) -> str | None:
    """None when ``code`` is an identity namespace of the sandbox (standard or custom); else the fix."""
    codes = namespace_codes(client, sandbox)
    if code not in codes:
        codes = namespace_codes(client, sandbox, fresh=True)  # maybe created earlier in this up
    if code in codes:
        return None
    by_case = [c for c in codes if c.casefold() == code.casefold()]
    close = by_case or difflib.get_close_matches(code, codes, n=2, cutoff=0.5)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return (
        f"{code!r} is not an identity namespace code of sandbox {sandbox!r} ({', '.join(sorted(codes))}); {hint}"
        "codes are case-sensitive; for a custom namespace declare an IdentityNamespace and pass its code"
    )
