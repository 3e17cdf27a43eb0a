"""Sandbox tooling (``/data/foundation/exim``): packages, their jobs, partnerships and share requests.

Shapes follow the operations of ``sandbox.yaml`` (the Sandbox API spec of AdobeDocs/experience-platform-apis)
and help/sandboxes/sandbox-tooling-api/{packages,jobs,handshake,transfer,tools,appendix}.md: a package is
``DRAFT`` when created, ``PUBLISHED`` once exported (``GET /packages/{id}/export``), and only a published
package can be imported; artifacts are added or removed (``PUT /packages``, action ``ADD``/``DELETE``) only
on a ``PARTIAL`` package; lists page with ``limit`` (default 20) and ``start``
(help/sandboxes/sandbox-tooling-api/appendix.md).

State is stored per org (scope ``(org, "")``): packages, jobs, partnerships and share requests.

Not emulated: an import does not copy any object into the target sandbox (the job is recorded as
``SUCCESS`` at once); permission checks always allow; conflicts and dependent objects are computed from
the package's own artifacts only; partner organizations are not real orgs, so a partnership or share
request stays as created until acted upon through this API.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ..core.context import state
from .exceptions import bad_request, not_found, sandbox_not_found
from .models import Caller, org_scope

PACKAGES = "sandbox.packages"
JOBS = "sandbox.jobs"
PARTNERSHIPS = "sandbox.partnerships"
TRANSFERS = "sandbox.transfers"
DEFAULT_LIMIT = 20  # help/sandboxes/sandbox-tooling-api/appendix.md
DEFAULT_EXPIRY_DAYS = 90  # "The default value is 90 days" (appendix, expiryPeriod)
PACKAGE_TYPES = ("PARTIAL", "FULL")
DAY_MS = 24 * 3600 * 1000
VISIBILITY = "TENANT"  # the visibility every documented export/import answer shows


def _ms() -> int:
    return int(time.time() * 1000)


def _hex_id() -> str:
    return uuid.uuid4().hex  # documented package and job ids are 32 hex digits


def _store():
    return state().store


def _get(caller: Caller, kind: str, object_id: str, what: str) -> dict[str, Any]:
    found = _store().get(org_scope(caller.org_id), kind, object_id)
    if found is None:
        raise not_found(f"{what} with ID: {object_id} was not found")
    return found


def _put(caller: Caller, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    _store().put(org_scope(caller.org_id), kind, obj["id"], obj)
    return obj


def _required(body: Mapping[str, Any], key: str) -> Any:
    value = body.get(key)
    if value in (None, "", []):
        raise bad_request(f"'{key}' is required")
    return value


def _choice(value: Any, allowed: tuple[str, ...], key: str) -> str:
    if value not in allowed:
        raise bad_request(f"'{key}' must be one of {', '.join(allowed)}, got {value!r}")
    return value


def page(items: list[dict[str, Any]], limit: int | None, start: int | None, *, sized: bool = False) -> dict[str, Any]:
    """The tooling API's list envelope (ListPackagesResponse, ListJobsResponse, ...)."""
    limit = DEFAULT_LIMIT if limit is None else limit
    start = start or 0
    if limit < 1 or start < 0:
        raise bad_request("'limit' must be 1 or more and 'start' 0 or more")
    chunk = items[start : start + limit]
    total_pages = -(-len(items) // limit)
    current = start // limit
    answer: dict[str, Any] = {
        "totalElements": len(items), "currentPage": current, "totalPages": total_pages,
        "hasPreviousPage": start > 0, "hasNextPage": start + limit < len(items),
    }  # fmt: skip
    if sized:  # the partnership and share lists also carry nextPage/pageSize (null when absent)
        answer["nextPage"] = current + 1 if answer["hasNextPage"] else None
        answer["pageSize"] = limit
    answer["data"] = chunk
    return answer


def ordered(items: list[dict[str, Any]], order_by: str | None, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    if not order_by:
        return items
    field = order_by.lstrip("+-").strip()
    if field not in fields:
        raise bad_request(f"orderBy must be one of {', '.join(fields)} (optionally prefixed by - or +)")
    return sorted(items, key=lambda item: item.get(field) or 0, reverse=order_by.startswith("-"))


# --- packages --------------------------------------------------------------------------------------


def _sandbox_ref(value: Any, default: str, org: str) -> dict[str, Any]:
    if value is None:
        return {"name": default, "imsOrgId": org}
    if not isinstance(value, Mapping) or not isinstance(value.get("name"), str):
        raise bad_request("'sourceSandbox' must be an object with a 'name'")
    return {"name": value["name"], "imsOrgId": value.get("imsOrgId") or org}


def _artifacts(caller: Caller, sandbox: str, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(a, Mapping) and a.get("id") and a.get("type") for a in raw):
        raise bad_request("'artifacts' must be a list of objects with 'id' and 'type'")
    held = {obj["id"] for obj in _store().dump() if obj["org"] == caller.org_id and obj["sandbox"] == sandbox}
    return [
        {"id": a["id"], "type": a["type"], "found": a["id"] in held, "count": int(a["id"] in held),
         **({"title": a["title"]} if a.get("title") else {})}
        for a in raw
    ]  # fmt: skip


def _expiry_ms(raw: Any, days: int = DEFAULT_EXPIRY_DAYS) -> int:
    if raw is None:
        return _ms() + days * DAY_MS
    if isinstance(raw, int):
        return raw
    try:
        return int(time.mktime(time.strptime(str(raw), "%Y-%m-%dT%H:%M:%SZ")) * 1000)
    except ValueError:
        raise bad_request(f"'expiry' must be a timestamp such as 2023-05-20T20:05:10Z, got {raw!r}") from None


def create_package(caller: Caller, sandbox: str, body: Mapping[str, Any]) -> dict[str, Any]:
    name = _required(body, "name")
    package_type = _choice(body.get("packageType"), PACKAGE_TYPES, "packageType")
    if package_type == "FULL" and body.get("artifacts"):
        raise bad_request("A FULL package exports the whole sandbox: 'artifacts' must be empty")
    source = _sandbox_ref(body.get("sourceSandbox"), sandbox, caller.org_id)
    now = _ms()
    package = {
        "id": _hex_id(), "version": 0, "createdDate": now, "modifiedDate": now,
        "createdBy": caller.user_id, "modifiedBy": caller.user_id, "tenantId": state().config.tenant_id,
        "requestId": _hex_id(), "userId": caller.user_id, "name": name, "description": body.get("description") or "",
        "imsOrgId": caller.org_id, "sourceSandbox": source, "packageType": package_type,
        "expiry": _expiry_ms(body.get("expiry")), "status": "DRAFT", "packageVisibility": "private",
        "artifactsList": _artifacts(caller, source["name"], body.get("artifacts")), "schemaMapping": {},
    }  # fmt: skip
    return _put(caller, PACKAGES, package)


def get_package(caller: Caller, package_id: str) -> dict[str, Any]:
    return _get(caller, PACKAGES, package_id, "Package")


def list_packages(caller: Caller, status: str | None, order_by: str | None) -> list[dict[str, Any]]:
    found = [p for p in _store().list(org_scope(caller.org_id), PACKAGES) if status is None or p["status"] == status]
    return ordered(found, order_by, ("createdDate", "modifiedDate", "name"))


def _changed(caller: Caller, package: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return _put(caller, PACKAGES, {**package, **changes, "version": package["version"] + 1,
                                   "modifiedDate": _ms(), "modifiedBy": caller.user_id})  # fmt: skip


def update_package(caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    package = get_package(caller, _required(body, "id"))
    action = _choice(body.get("action"), ("ADD", "DELETE", "UPDATE"), "action")
    if action == "UPDATE":
        return _update_metadata(caller, package, body)
    if package["packageType"] != "PARTIAL":
        raise bad_request(f"Action {action} is only supported for PARTIAL packages")
    given = _artifacts(caller, package["sourceSandbox"]["name"], body.get("artifacts"))
    kept = [a for a in package["artifactsList"] if all(a["id"] != g["id"] for g in given)]
    artifacts = kept + given if action == "ADD" else kept
    expiry = _expiry_ms(body["expiry"]) if body.get("expiry") else package["expiry"]
    return _changed(caller, package, artifactsList=artifacts, expiry=expiry)


def _update_metadata(caller: Caller, package: dict[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    name = _required(body, "name")
    clash = [p for p in _store().list(org_scope(caller.org_id), PACKAGES) if p["name"] == name and p["id"] != package["id"]]
    if clash:
        raise bad_request(f"A package named '{name}' already exists: duplicate package names are not allowed")
    source = _sandbox_ref(_required(body, "sourceSandbox"), package["sourceSandbox"]["name"], caller.org_id)
    description = body.get("description", package["description"])
    return _changed(caller, package, name=name, description=description, sourceSandbox=source)


def delete_package(caller: Caller, package_id: str) -> dict[str, Any]:
    get_package(caller, package_id)
    _store().delete(org_scope(caller.org_id), PACKAGES, package_id)
    return {"reason": f"Package {package_id} deleted"}


def make_public(caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    package = get_package(caller, _required(body, "id"))
    _choice(body.get("action"), ("UPDATE",), "action")
    _choice(body.get("packageVisibility"), ("PUBLIC",), "packageVisibility")
    return _changed(caller, package, packageVisibility="PUBLIC")


def _job(caller: Caller, package: Mapping[str, Any], request_type: str, target: Mapping[str, Any] | None) -> dict[str, Any]:
    now = _ms()
    job = {
        "id": _hex_id(), "name": package["name"], "description": package["description"], "visibility": VISIBILITY,
        "requestType": request_type, "expiry": 0, "snapshotId": _hex_id(), "createdTimestamp": now,
        "modifiedTimestamp": now, "type": package["packageType"], "jobStatus": "SUCCESS", "jobType": "NEW",
        "counter": 0, "imsOrgId": caller.org_id, "jobHash": _hex_id(), "packageId": package["id"],
        "sourceSandbox": {**package["sourceSandbox"], "empty": False},
        "destinationSandbox": {**(target or package["sourceSandbox"]), "empty": False},
        "completedTasks": [], "importReplacementMap": {}, "sourceParentArtifactMap": {}, "createdBy": caller.user_id,
    }  # fmt: skip
    return _put(caller, JOBS, job)


def _job_answer(package: Mapping[str, Any], job: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": package["name"], "description": package["description"], "visibility": VISIBILITY,
        "sourceSandbox": package["sourceSandbox"], **extra, "type": package["packageType"],
        "correlationId": str(uuid.uuid4()), "jobId": job["id"],
    }  # fmt: skip


def publish(caller: Caller, package_id: str, expiry_days: int | None) -> dict[str, Any]:
    package = get_package(caller, package_id)
    if package["status"] not in ("DRAFT", "PUBLISH_FAILED"):
        raise bad_request(f"Package {package_id} is {package['status']}: only a DRAFT or PUBLISH_FAILED package is published")
    if package["packageType"] == "PARTIAL" and not package["artifactsList"]:
        raise bad_request(f"Package {package_id} is PARTIAL and holds no artifact: add artifacts before publishing")
    if expiry_days is not None and expiry_days < 0:
        raise bad_request("'expiryPeriod' must not be negative")
    now = _ms()
    package = _changed(caller, package, status="PUBLISHED", publishDate=now,
                       expiry=now + (DEFAULT_EXPIRY_DAYS if expiry_days is None else expiry_days) * DAY_MS)  # fmt: skip
    return _job_answer(package, _job(caller, package, "EXPORT", None))


def _published(caller: Caller, package_id: str) -> dict[str, Any]:
    package = get_package(caller, package_id)
    if package["status"] != "PUBLISHED":
        raise bad_request(f"Package {package_id} is {package['status']}: only a PUBLISHED package can be imported")
    return package


def conflicts(caller: Caller, package_id: str, target: str, target_exists: Callable[[str], bool]) -> list[dict[str, Any]]:
    package = _published(caller, package_id)
    _require_target(target, target_exists)
    source = package["sourceSandbox"]["name"]
    return [
        {"artifact": {**{k: a[k] for k in ("id", "type", "found", "count")}, "messages": []}, "suggestionList": [],
         "parentID": f"{caller.org_id}::{source}::{a['type']}::{a['id']}"}
        for a in package["artifactsList"]
    ]  # fmt: skip


def _require_target(target: str, target_exists: Callable[[str], bool]) -> None:
    if not target_exists(target):
        raise sandbox_not_found(target)


def submit_import(caller: Caller, body: Mapping[str, Any], target_exists: Callable[[str], bool]) -> dict[str, Any]:
    package = _published(caller, _required(body, "id"))
    destination = _required(body, "destinationSandbox")
    if not isinstance(destination, Mapping) or not destination.get("name"):
        raise bad_request("'destinationSandbox' must be an object with 'name' and 'imsOrgId'")
    _require_target(destination["name"], target_exists)
    target = {"name": destination["name"], "imsOrgId": destination.get("imsOrgId") or caller.org_id}
    named = {**package, "name": body.get("name") or package["name"],
             "description": body.get("description") or package["description"]}  # fmt: skip
    job = _job(caller, named, "IMPORT", target)
    return _job_answer(named, job, destinationSandbox=target)


def dependents(caller: Caller, package_id: str, body: Any) -> list[dict[str, Any]]:
    package = get_package(caller, package_id)
    if package["status"] == "DRAFT":
        raise bad_request(f"Package {package_id} is DRAFT: dependent objects are listed for published packages")
    if not isinstance(body, list) or not all(isinstance(o, Mapping) and o.get("id") and o.get("type") for o in body):
        raise bad_request("The body must be a list of objects with 'id' and 'type'")
    return [{"id": o["id"], "title": o.get("title") or o["id"], "type": o["type"], "children": []} for o in body]


def permissions(caller: Caller, package_id: str, target: str, target_exists: Callable[[str], bool]) -> dict[str, Any]:
    package = get_package(caller, package_id)
    _require_target(target, target_exists)
    return {
        "packageID": package_id, "targetSandboxName": target,
        "permissionResponse": [
            {"artifactID": a["id"], "requiredPermissions": {"resources": []}, "missingPermissions": {"resources": []},
             "artifactType": a["type"], "creationAllowed": True}
            for a in package["artifactsList"]
        ],
    }  # fmt: skip


def payload(caller: Caller, package_id: str) -> dict[str, Any]:
    get_package(caller, package_id)
    return {"imsOrgId": caller.org_id, "packageId": package_id}


def list_jobs(caller: Caller, filters: Mapping[str, str | None], order_by: str | None) -> list[dict[str, Any]]:
    jobs = _store().list(org_scope(caller.org_id), JOBS)
    wanted = {"jobType": filters.get("jobType"), "jobStatus": filters.get("jobStatus"),
              "requestType": filters.get("requestType")}  # fmt: skip
    jobs = [j for j in jobs if all(v is None or j.get(k) == v for k, v in wanted.items())]
    return [_job_row(j) for j in ordered(jobs, order_by, ("createdTimestamp", "modifiedTimestamp", "name"))]


def _job_row(job: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": job["id"], "name": job["name"], "updated": job["modifiedTimestamp"], "created": job["createdTimestamp"],
        "jobType": job["jobType"], "packageType": job["type"], "description": job["description"],
        "jobStatus": job["jobStatus"], "visibility": job["visibility"], "sourceSandBox": job["sourceSandbox"]["name"],
        "targetSandbox": job["destinationSandbox"]["name"], "createdBy": job["createdBy"], "requestType": job["requestType"],
    }  # fmt: skip


def get_job(caller: Caller, job_id: str) -> dict[str, Any]:
    job = _get(caller, JOBS, job_id, "Job")
    fields = {k: v for k, v in job.items() if k not in ("packageId", "createdBy")}
    return {"status": "OK", "type": "SUCCESS", "message": f"Job with ID: {job_id} found", "object": fields}


# --- partnerships and share requests -------------------------------------------------------------


def _history(caller: Caller, action: str, reason: str | None) -> dict[str, Any]:
    return {"actionTakenBy": caller.user_id, "actionTakenByName": caller.user_id, "actionTakenByImsOrgID": caller.org_id,
            "action": action, "actionTimeStamp": _ms(), "reason": reason}  # fmt: skip


def request_partnerships(caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    targets = _required(body, "targetIMSOrgIds")
    source = _required(body, "sourceIMSDetails")
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise bad_request("'targetIMSOrgIds' must be a list of organization ids")
    if not isinstance(source, Mapping) or not source.get("id") or not source.get("name"):
        raise bad_request("'sourceIMSDetails' must be an object with 'id' and 'name'")
    made = {}
    for target in targets:
        now = _ms()
        made[target] = _put(caller, PARTNERSHIPS, {
            "id": _hex_id(), "version": 0, "createdDate": now, "modifiedDate": now, "createdBy": caller.user_id,
            "modifiedBy": caller.user_id, "sourceIMSOrgId": source["id"], "targetIMSOrgId": target,
            "sourceRegion": "va7", "targetRegion": "va7", "sourceIMSOrgName": source["name"],
            "sourceOrgName": source["name"], "targetOrgName": target, "status": "APPROVAL_PENDING",
            "createdByName": caller.user_id, "modifiedByName": caller.user_id, "modifiedByIMSOrgId": caller.org_id,
            "statusHistory": json.dumps([_history(caller, "INITIATED", None)]), "linkingId": _hex_id(),
        })  # fmt: skip
    return {"successfulRequests": made, "failedRequests": {}}


def act_on_partnership(caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    linking_id = _required(body, "linkingID")
    status = _choice(body.get("status"), ("APPROVED", "REJECTED"), "status")
    details = _required(body, "targetIMSOrgDetails")
    if not isinstance(details, Mapping) or not all(details.get(k) for k in ("id", "name", "region")):
        raise bad_request("'targetIMSOrgDetails' must be an object with 'id', 'name' and 'region'")
    found = [p for p in _store().list(org_scope(caller.org_id), PARTNERSHIPS) if p["linkingId"] == linking_id]
    if not found:
        raise not_found(f"No partnership request with linking ID {linking_id}")
    partnership = found[0]
    history = [*json.loads(partnership["statusHistory"]), _history(caller, status, body.get("reason"))]
    return _put(caller, PARTNERSHIPS, {
        **partnership, "status": status, "version": partnership["version"] + 1, "modifiedDate": _ms(),
        "modifiedBy": caller.user_id, "targetOrgName": details["name"], "targetRegion": details["region"],
        "statusHistory": json.dumps(history),
    })  # fmt: skip


def list_partnerships(caller: Caller, request_type: str, order_by: str | None) -> list[dict[str, Any]]:
    _choice(request_type, ("INCOMING", "OUTGOING"), "requestType")
    every = _store().list(org_scope(caller.org_id), PARTNERSHIPS)
    mine = [p for p in every if (p["targetIMSOrgId"] == caller.org_id) == (request_type == "INCOMING")]
    return ordered(mine, order_by, ("createdDate",))  # "ordering is only supported with createdDate"


def _transfer(caller: Caller, package_id: str, target: str, request_type: str, **extra: Any) -> dict[str, Any]:
    package = get_package(caller, package_id)
    return _put(caller, TRANSFERS, {
        "id": _hex_id(), "version": 0, "createdDate": _ms(), "modifiedDate": _ms(), "createdBy": caller.user_id,
        "modifiedBy": caller.user_id, "sourceIMSOrgId": package["imsOrgId"], "sourceOrgName": package["imsOrgId"],
        "targetIMSOrgId": target, "targetOrgName": target, "packageId": package_id, "packageName": package["name"],
        "status": "PENDING", "initiatedBy": caller.user_id, "requestType": request_type, **extra,
    })  # fmt: skip


def share(caller: Caller, body: Mapping[str, Any]) -> list[dict[str, Any]]:
    package_id = _required(body, "packageId")
    targets = _required(body, "targets")
    if not isinstance(targets, list) or not all(isinstance(t, Mapping) and t.get("imsOrgId") for t in targets):
        raise bad_request("'targets' must be a list of objects with 'imsOrgId'")
    return [_transfer(caller, package_id, t["imsOrgId"], "PRIVATE") for t in targets]


def pull_public(caller: Caller, body: Mapping[str, Any]) -> dict[str, Any]:
    package_id = _required(body, "packageId")
    source_org = _required(body, "imsOrgId")
    package = get_package(caller, package_id)
    if package["packageVisibility"] != "PUBLIC" or package["imsOrgId"] != source_org:
        raise bad_request(f"Package {package_id} is not a public package of {source_org}")
    return _transfer(caller, package_id, caller.org_id, "PUBLIC", pipelineMessageId=_hex_id())


def get_transfer(caller: Caller, transfer_id: str) -> dict[str, Any]:
    return _get(caller, TRANSFERS, transfer_id, "Share request")


def list_transfers(caller: Caller, request_type: str, order_by: str | None) -> list[dict[str, Any]]:
    _choice(request_type, ("PUBLIC", "PRIVATE"), "requestType")
    found = [t for t in _store().list(org_scope(caller.org_id), TRANSFERS) if t["requestType"] == request_type]
    return ordered(found, order_by, ("createdDate",))
