"""Identity namespaces: the standard ones every org has, and custom ones per (org, sandbox).

Standard namespaces are those whose ``code`` and ``id`` a page documents:
- CORE (0), ECID (4), AdCloud (411), all ``COOKIE``: help/identity-service/api/list-namespaces.md, whose
  three objects are reproduced as documented;
- Email (6), Phone (7), WAID (8), TNTID (9), GAID (20914), IDFA (20915): the "Standard identity
  namespaces" table of help/privacy-service/api/appendix.md (``namespace`` and ``namespaceId``);
- AAID (10): the ``code``/``value`` pairs of the identity report in help/profile/api/preview-sample-status.md.
Names follow the standard table of help/identity-service/features/namespaces.md. The types of those not
in list-namespaces.md are assumptions (docs/platform-assumptions.md): EMAIL and PHONE for Email and Phone,
DEVICE for the advertising ids (namespaces.md names IDFA and GAID as device ids), COOKIE for TNTID and
AAID. The standard table also lists hashed email/phone, Apple Push and Firebase namespaces whose ids no
page shows: they are not emulated.

Custom namespaces (kind ``identity.namespaces``) get ids from one counter per org, so an id names one
namespace whatever the sandbox. ``code`` holds letters and digits only and is unique (compared without
case) among the namespaces a sandbox sees; ``code`` and ``idType`` cannot change on update
(identity-service.yaml, PUT 400 "code and idType are non editable fields").
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from ..core.context import state
from ..core.store import Scope
from .exceptions import code_conflict, invalid_create, invalid_update, not_found, standard_not_editable

NAMESPACES = "identity.namespaces"
_SEQUENCE = "identity.sequence"
FIRST_CUSTOM_ID = 10000000  # documented custom ids are 8-digit (10018776, 10093197)
# namespaceCreate.idType of identity-service.yaml; the platform answers them in either case (the list
# example shows COOKIE, the create example echoes Cross_device), so they are compared without case.
ID_TYPES = ("Cookie", "Cross_device", "Device", "Email", "Mobile", "Non_people", "Phone")
_CODE = re.compile(r"^[A-Za-z0-9]+$")  # "May contain only letters and numbers."


def _standard(ns_id: int, code: str, name: str, description: str, id_type: str, at: int) -> dict[str, Any]:
    return {"updateTime": at, "code": code, "status": "ACTIVE", "description": description, "id": ns_id,
            "createTime": at, "idType": id_type, "name": name, "custom": False}  # fmt: skip


STANDARD: tuple[dict[str, Any], ...] = (
    _standard(0, "CORE", "CORE", "CORE Namespace", "COOKIE", 1441122419000),
    _standard(4, "ECID", "ECID", "ECID Namespace", "COOKIE", 1495153678000),
    _standard(6, "Email", "Email", "Email Namespace", "EMAIL", 1441122419000),
    _standard(7, "Phone", "Phone", "Phone Namespace", "PHONE", 1441122419000),
    _standard(8, "WAID", "Windows AID", "Windows Advertising ID Namespace", "DEVICE", 1441122419000),
    _standard(9, "TNTID", "TNTID", "Adobe Target Namespace", "COOKIE", 1441122419000),
    _standard(10, "AAID", "Adobe Analytics (Legacy ID)", "Adobe Analytics Namespace", "COOKIE", 1441122419000),
    _standard(411, "AdCloud", "AdCloud", "Adobe AdCloud - ID Syncing Partner", "COOKIE", 1522783145000),
    _standard(20914, "GAID", "Google Ad ID (GAID)", "Google Advertising ID Namespace", "DEVICE", 1441122419000),
    _standard(20915, "IDFA", "Apple IDFA (ID for Advertisers)", "Apple ID for Advertisers Namespace", "DEVICE",
              1441122419000),
)


def _store():
    return state().store


def namespaces(scope: Scope) -> list[dict[str, Any]]:
    return [dict(ns) for ns in STANDARD] + _store().list(scope, NAMESPACES)


def get(scope: Scope, raw_id: str) -> dict[str, Any]:
    found = next((ns for ns in namespaces(scope) if str(ns["id"]) == raw_id), None)
    if found is None:
        raise not_found(scope[0])
    return found


def _text(body: Mapping[str, Any], key: str, error: Any) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise error(f"Please provide a valid value of {key}; it is required")
    return value


def _id_type(body: Mapping[str, Any], error: Any) -> str:
    value = _text(body, "idType", error)
    if value.upper() not in {t.upper() for t in ID_TYPES}:
        raise error(f"Please provide a valid value of idType. Valid values are: [{', '.join(ID_TYPES)}]")
    return value


def _description(body: Mapping[str, Any], error: Any) -> str | None:
    value = body.get("description")
    if value is not None and not isinstance(value, str):
        raise error("Please provide a valid value of description; it must be a string")
    return value


def _next_id(org: str) -> int:
    scope = (org, "")
    record = _store().get(scope, _SEQUENCE, "next") or {"next": FIRST_CUSTOM_ID}
    _store().put(scope, _SEQUENCE, "next", {"next": record["next"] + 1})
    return record["next"]


def create(scope: Scope, body: Mapping[str, Any]) -> dict[str, Any]:
    name = _text(body, "name", invalid_create)
    code = _text(body, "code", invalid_create)
    id_type = _id_type(body, invalid_create)
    description = _description(body, invalid_create)
    if not _CODE.match(code):
        raise invalid_create(f"Please provide a valid value of code: '{code}' may contain only letters and numbers")
    with _store().transaction():
        if any(ns["code"].lower() == code.lower() for ns in namespaces(scope)):
            raise code_conflict()
        now = int(time.time() * 1000)
        namespace = {"updateTime": now, "code": code, "status": "ACTIVE", "description": description,
                     "id": _next_id(scope[0]), "createTime": now, "idType": id_type, "name": name, "custom": True}  # fmt: skip
        if description is None:
            del namespace["description"]  # a string when present (Namespace of the spec); absent when not given
        _store().put(scope, NAMESPACES, str(namespace["id"]), namespace)
    return namespace


def update(scope: Scope, raw_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    with _store().transaction():
        namespace = get(scope, raw_id)
        name = _text(body, "name", invalid_update)
        code = _text(body, "code", invalid_update)
        id_type = _id_type(body, invalid_update)
        description = _description(body, invalid_update)
        if not namespace["custom"]:
            raise standard_not_editable(namespace["code"])
        if code != namespace["code"] or id_type.upper() != namespace["idType"].upper():
            raise invalid_update("code and idType are non editable fields")
        updated = {**namespace, "name": name, "updateTime": int(time.time() * 1000)}
        updated.pop("description", None)  # PUT replaces the namespace: a description not sent is gone
        if description is not None:
            updated["description"] = description
        _store().put(scope, NAMESPACES, raw_id, updated)
    return updated
