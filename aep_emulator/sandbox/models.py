"""The org's sandboxes: the one table every service asks whether a sandbox exists.

Sandboxes are org-level records (scope ``(org, "")``, kind ``sandbox.sandboxes``, keyed by name),
seeded from ``EmulatorConfig.sandboxes`` (the first is the default production sandbox) the first time
the org is looked at, and again after ``/__emulator/reset``. Behaviour, from
help/sandboxes/api/sandboxes.md:

- create answers ``creating``; the sandbox is ``active`` after ``sandbox_transition_seconds`` (AEP:
  "roughly 30 seconds"). A transition is stored as ``pending`` and applied when the record is read,
  so nothing runs in the background and a restart keeps the schedule;
- reset empties the sandbox at once (every object of every service in ``(org, name)``) and answers
  ``resetting``, ``active`` again after the same delay;
- delete empties it and leaves the record ``deleted`` (still readable by GET, "GET requests can still
  retrieve sandbox's details after it has been deleted"); the default production sandbox cannot be
  deleted;
- only ``title`` can be changed ("Currently only a sandbox's `title` property can be updated").

Only an ``active`` sandbox is usable by the other services (``sandbox_is_usable``, called by the
gateway's ``require_sandbox``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..core.context import state
from ..core.store import Scope
from .exceptions import bad_request, conflict, not_found

SANDBOXES = "sandbox.sandboxes"
_SEEDED = "sandbox.seeded"
REGION = "VA7"  # every documented answer shows VA7
TYPES = ("production", "development")  # help/sandboxes/api/types.md
ACTIVE, CREATING, RESETTING, DELETED = "active", "creating", "resetting", "deleted"
# Titles of the documented list (help/sandboxes/api/sandboxes.md, "Retrieve a list of sandboxes").
_SEED_TITLES = {"prod": "Production", "dev": "Development", "stage": "Staging"}
# "cannot contain any spaces or special characters"; x-sandbox-name values are all-lowercase.
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PATCHABLE = frozenset({"title"})


def org_scope(org: str) -> Scope:
    return (org, "")


def _store():
    return state().store


def _now_text() -> str:
    # The documented dates are "2019-09-04 04:57:24" strings, not epoch numbers.
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Caller:
    org_id: str
    user_id: str


# --- the table ------------------------------------------------------------------------------------


def _new_record(name: str, title: str, sandbox_type: str, user: str, *, default: bool = False) -> dict[str, Any]:
    now = _now_text()
    return {
        "name": name, "title": title, "state": ACTIVE, "type": sandbox_type, "region": REGION,
        "isDefault": default, "eTag": 1, "createdDate": now, "lastModifiedDate": now,
        "createdBy": user, "modifiedBy": user, "pending": None,
    }  # fmt: skip


def _seed(org: str) -> None:
    """Add the configured sandboxes the table does not hold yet (first use, after a reset, a new --sandboxes)."""
    store = _store()
    configured = list(state().config.sandboxes)
    with store.transaction():
        marker = store.get(org_scope(org), _SEEDED, "config")
        if marker is not None and marker.get("sandboxes") == configured:
            return
        for index, name in enumerate(configured):
            if store.get(org_scope(org), SANDBOXES, name) is None:
                kind = TYPES[0] if index == 0 else TYPES[1]
                record = _new_record(name, _SEED_TITLES.get(name, name), kind, "emulator", default=index == 0)
                store.put(org_scope(org), SANDBOXES, name, record)
        store.put(org_scope(org), _SEEDED, "config", {"sandboxes": configured})


def current(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as of now: a pending transition whose time has come is applied."""
    pending = record.get("pending")
    if pending and time.time() >= pending["at"]:
        return {**record, "state": pending["state"], "pending": None}
    return dict(record)


def find(org: str, name: str) -> dict[str, Any] | None:
    record = _store().get(org_scope(org), SANDBOXES, name)
    if record is None:
        _seed(org)
        record = _store().get(org_scope(org), SANDBOXES, name)
    return current(record) if record is not None else None


def require(org: str, name: str) -> dict[str, Any]:
    record = find(org, name)
    if record is None:
        raise not_found(f"Sandbox '{name}' was not found in this organization")
    return record


def all_sandboxes(org: str) -> list[dict[str, Any]]:
    _seed(org)
    return [current(r) for r in _store().list(org_scope(org), SANDBOXES)]


def sandbox_is_usable(org: str, name: str) -> bool:
    """Whether services answer in this sandbox: it exists and is ``active``."""
    record = find(org, name)
    return record is not None and record["state"] == ACTIVE


def sandbox_type_of(org: str, name: str) -> str:
    record = find(org, name)
    return record["type"] if record is not None else TYPES[1]


def _save(org: str, record: dict[str, Any]) -> dict[str, Any]:
    _store().put(org_scope(org), SANDBOXES, record["name"], record)
    return record


def _touched(record: dict[str, Any], caller: Caller, **changes: Any) -> dict[str, Any]:
    return {**record, **changes, "eTag": record["eTag"] + 1, "lastModifiedDate": _now_text(),
            "modifiedBy": caller.user_id}  # fmt: skip


def _in_transition(new_state: str) -> dict[str, Any]:
    return {"state": new_state, "at": time.time() + state().config.sandbox_transition_seconds}


# --- operations ------------------------------------------------------------------------------------


def _text_field(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"'{key}' is required and must be a non-empty string")
    return value


def create(caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    name = _text_field(body, "name")
    title = _text_field(body, "title")
    sandbox_type = _text_field(body, "type")
    if not _NAME.match(name):
        raise bad_request(f"Invalid sandbox name '{name}': use lowercase letters, digits and hyphens only")
    if sandbox_type not in TYPES:
        raise bad_request(f"Invalid sandbox type '{sandbox_type}': expected one of {', '.join(TYPES)}")
    store = _store()
    with store.transaction():
        existing = find(caller.org_id, name)
        if existing is not None and existing["state"] != DELETED:
            raise conflict(f"A sandbox named '{name}' already exists in this organization")
        record = _new_record(name, title, sandbox_type, caller.user_id)
        record.update(state=CREATING, pending=_in_transition(ACTIVE))
        return _save(caller.org_id, record)


def update(caller: Caller, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
    extra = sorted(set(body) - _PATCHABLE)
    if extra:
        raise bad_request(f"Only the title of a sandbox can be updated, not: {', '.join(extra)}")
    title = _text_field(body, "title")
    with _store().transaction():
        record = _require_live(caller.org_id, name)
        return _save(caller.org_id, _touched(record, caller, title=title))


def reset(caller: Caller, name: str, body: Mapping[str, Any], *, validation_only: bool) -> dict[str, Any]:
    if body.get("action") != "reset":
        raise bad_request("The request body must be {\"action\": \"reset\"}")
    with _store().transaction():
        record = _require_live(caller.org_id, name)
        if record["state"] != ACTIVE:
            raise bad_request(f"Sandbox '{name}' is {record['state']}; only an active sandbox can be reset")
        resetting = _touched(record, caller, state=RESETTING, pending=_in_transition(ACTIVE))
        if validation_only:
            return {**record, "state": RESETTING}  # the answer a reset would give; nothing changes
        _empty(caller.org_id, name)
        return _save(caller.org_id, resetting)


def delete(caller: Caller, name: str, *, validation_only: bool) -> dict[str, Any]:
    with _store().transaction():
        record = require(caller.org_id, name)
        if record["isDefault"]:
            raise bad_request(f"Sandbox '{name}' is the default production sandbox, which cannot be deleted")
        if record["state"] == DELETED or validation_only:
            return {**record, "state": DELETED}
        _empty(caller.org_id, name)
        return _save(caller.org_id, _touched(record, caller, state=DELETED, pending=None))


def _require_live(org: str, name: str) -> dict[str, Any]:
    record = require(org, name)
    if record["state"] == DELETED:
        raise bad_request(f"Sandbox '{name}' has been deleted")
    return record


def _empty(org: str, name: str) -> None:
    """Delete every object any service keeps in the sandbox (reset and delete)."""
    store = _store()
    for obj in store.dump():
        if obj["org"] == org and obj["sandbox"] == name:
            store.delete((org, name), obj["kind"], obj["id"])


# --- rendering -------------------------------------------------------------------------------------

_BRIEF = ("name", "title", "state", "type", "region")
_FULL = (*_BRIEF, "isDefault", "eTag", "createdDate", "lastModifiedDate", "createdBy", "modifiedBy")


def brief_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """What create, update and delete answer (help/sandboxes/api/sandboxes.md, their responses)."""
    return {key: record[key] for key in _BRIEF}


def full_view(record: Mapping[str, Any]) -> dict[str, Any]:
    """A listed or looked-up sandbox. The docs spell the version ``eTag``, the spec ``etag``: both are sent."""
    view = {key: record[key] for key in _FULL}
    view["etag"] = record["eTag"]
    return view
