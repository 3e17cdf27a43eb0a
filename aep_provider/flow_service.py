"""Flow Service conventions shared by BaseConnection, SourceConnection, TargetConnection and Dataflow.

Paths under ``/data/foundation/flowservice``, the ``{"items": [obj]}`` envelope of a GET, paging by
``_links.next``, creates that are never duplicated, and the PATCH rules (aep-api.md §5.8): a JSON Patch
array sent with ``If-Match`` = the object's current etag. The etag changes on every write, so a PATCH
always starts from a fresh GET; a 412 (someone wrote in between) re-reads and retries once.

Marker of Flow Service objects (``marker.py``): a suffix ``[pulumi-<hex>]`` of the ``description``, the one
free-text field every connection and flow keeps as sent (the create bodies and GET answers of
help/sources/tutorials/api/create/cloud-storage/s3.md and help/sources/tutorials/api/collect/streaming.md;
``description`` of the connection, sourceConnection, targetConnection and flow bodies in
flow-service.yaml). Flow Service filters with ``==`` only (``~`` is refused, 1440-400,
help/sources/errors/flow-service-errors.md), so the lookup before a create is one
listing of the collection per process (every page, following ``_links.next``; flow-service.yaml, the
list operations) whose descriptions are read for markers: a filter cannot match a suffix, and one listing
serves every create of the command (``base.marked_ids``). A lost create answer is still settled by a
``property=name=="<name>"`` listing (help/sources/tutorials/api/filter.md). Read takes the suffix off; an update writes it again only
when the user's description changes (a flow spec that refuses updates never sees a PATCH for it).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qsl, urlsplit

from .base import AEPProvider, ArgsT, cached_get
from .client import FLOW_SERVICE, AEPClient, ApiResponse
from .errors import AEPApiError, AEPProviderError
from .marker import marker_in, with_marker, without_marker

CONNECTIONS = "connections"
SOURCE_CONNECTIONS = "sourceConnections"
TARGET_CONNECTIONS = "targetConnections"
FLOWS = "flows"
CONNECTION_SPECS = "connectionSpecs"
FLOW_SPECS = "flowSpecs"

SPEC_VERSION = "1.0"
SCHEMA_VERSION = "application/vnd.adobe.xed-full+json;version=1"  # data.schema.version of connections
# Answers meaning "flows still use this object" (base connection used by flows; active flows hold the id).
IN_USE_CODES = frozenset({"FLOW-1418-400", "FLOW-1447-400"})
# Refusals while an object is between states (help/sources/errors/flow-service-errors.md): update or delete
# only in the enabled, disabled or initializing state (1416), not while disabling (1420) or updating
# (1421); an action that does not apply to the current state (1422). Waited out, then retried.
TRANSITIONING_CODES = frozenset({"1416-400", "1420-400", "1421-400", "1422-400"})
# ``lastOperation.status.value`` of an operation still running (the value error 1407-400 names); an
# operation is over once ``completed`` or ``failed`` (1408-400: percent-completed 100 for those two).
OPERATION_RUNNING = "inProgress"
SETTLE_TIMEOUT_SECONDS = 180.0
T = TypeVar("T")
VERSION_MISMATCH = 412
# A lost create answer is settled by looking for an object of that name created this recently.
_FIND_WINDOW_MS = 10 * 60 * 1000
_MAX_PAGES = 50
_ABSENT: Any = object()

Operations = list[dict[str, Any]]


def path(resource: str, object_id: str | None = None) -> str:
    return f"{FLOW_SERVICE}/{resource}" if object_id is None else f"{FLOW_SERVICE}/{resource}/{object_id}"


def spec_ref(spec_id: str) -> dict[str, str]:
    return {"id": spec_id, "version": SPEC_VERSION}


def first_item(body: Any) -> dict[str, Any] | None:
    """The object of a GET-by-id answer (``{"items": [obj]}``), or None."""
    items = body.get("items") if isinstance(body, Mapping) else None
    return dict(items[0]) if isinstance(items, list) and items and isinstance(items[0], Mapping) else None


def get_object(client: AEPClient, resource: str, object_id: str, sandbox: str) -> dict[str, Any] | None:
    """The object as AEP shows it, or None when it does not exist (404)."""
    return first_item(client.get(path(resource, object_id), sandbox=sandbox))


def list_objects(
    client: AEPClient, resource: str, sandbox: str, params: Mapping[str, str] | None = None, cache: bool = False
) -> list[dict[str, Any]]:
    """Every object a listing returns, following ``_links.next`` (``?continuationToken=...``).

    ``cache`` keeps the pages for the life of the process (for the spec catalogues, which never change).
    """
    found: list[dict[str, Any]] = []
    query: Mapping[str, str] | None = params
    for _ in range(_MAX_PAGES):
        body = cached_get(client, path(resource), sandbox=sandbox, params=query, cache=cache) or {}
        found += [dict(item) for item in body.get("items") or [] if isinstance(item, Mapping)]
        next_href = ((body.get("_links") or {}).get("next") or {}).get("href")
        if not next_href:
            return found
        query = dict(parse_qsl(urlsplit(next_href).query))
    return found


def created_id(answer: ApiResponse) -> str:
    """The id of a create answer (``201 {"id", "etag"}``)."""
    body = answer.body
    if isinstance(body, Mapping) and isinstance(body.get("id"), str) and body["id"]:
        return body["id"]
    raise AEPProviderError(f"unexpected answer to a Flow Service create: {body!r}")


def create_object(
    client: AEPClient,
    resource: str,
    body: dict[str, Any],
    sandbox: str,
    same_object: Callable[[Mapping[str, Any]], bool],
    refresh: Callable[[dict[str, Any]], None] | None = None,
    marker: str | None = None,
) -> str:
    """POST a new object without ever creating it twice (its description carries ``marker``).

    After an ambiguous failure the newest object with the same name, created since this create began
    and for which ``same_object`` holds, is taken as the one this create made. When there is none the
    POST is sent again: ``refresh(body)`` first brings time-dependent values (a start time) up to date.
    """
    started_ms = int(time.time() * 1000)
    if marker:
        body["description"] = with_marker(body.get("description"), marker)

    def find_existing() -> str | None:
        listing = list_objects(client, resource, sandbox, {"property": f'name=="{body.get("name")}"'})
        candidates = [
            (obj.get("createdAt") or 0, str(obj["id"]))
            for obj in listing
            if obj.get("name") == body.get("name")
            and (obj.get("createdAt") or 0) >= started_ms - _FIND_WINDOW_MS
            and same_object(obj)
        ]
        if candidates:
            return max(candidates)[1]
        if refresh is not None:
            refresh(body)  # the client re-sends this same body next
        return None

    return client.create(path(resource), body, find_existing, sandbox=sandbox, id_of=created_id)


def named(client: AEPClient, resource: str, name: str, sandbox: str) -> list[dict[str, Any]]:
    """The objects of ``resource`` called exactly ``name`` (one filtered listing)."""
    listing = list_objects(client, resource, sandbox, {"property": f'name=="{name}"'})
    return [obj for obj in listing if obj.get("name") == name]


def description_change(current: Mapping[str, Any], description: str | None, marker: str | None) -> dict[str, Any]:
    """``converge``'s wanted ``/description``: only when the user's part changes; the marker rides along."""
    if without_marker(current.get("description")) == (description or None):
        return {}
    return {"/description": with_marker(description, marker or marker_in(current.get("description")))}


def pointer_value(document: Mapping[str, Any], pointer: str) -> Any:
    """The value at a JSON pointer (``/scheduleParams/interval``), or ``_ABSENT``."""
    node: Any = document
    for part in pointer.lstrip("/").split("/"):
        if not isinstance(node, Mapping) or part not in node:
            return _ABSENT
        node = node[part]
    return node


def converge(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> Operations:
    """JSON Patch taking ``current`` to the ``wanted`` values (pointer -> value; None removes it)."""
    operations: Operations = []
    for pointer, value in wanted.items():
        present = pointer_value(current, pointer)
        if value is None:
            if present is not _ABSENT and present is not None:
                operations.append({"op": "remove", "path": pointer})
        elif present is _ABSENT or present is None:
            operations.append({"op": "add", "path": pointer, "value": value})
        elif present != value:
            operations.append({"op": "replace", "path": pointer, "value": value})
    return operations


def patch_object(
    client: AEPClient,
    resource: str,
    object_id: str,
    sandbox: str,
    operations_for: Callable[[dict[str, Any]], Operations],
) -> dict[str, Any] | None:
    """PATCH the object to what ``operations_for(current object)`` says, with ``If-Match``.

    Returns the object as read before the PATCH (None when nothing had to change). A 412 means the
    object changed since it was read: it is read again and the PATCH is retried once. After an
    ambiguous failure the write counts as applied when the etag has moved (``If-Match`` let only one
    write through on the etag it was sent with).
    """
    for attempt in (1, 2):
        current = get_object(client, resource, object_id, sandbox)
        if current is None:
            raise AEPProviderError(f"Flow Service {resource} {object_id} no longer exists in sandbox {sandbox!r}")
        operations = operations_for(current)
        if not operations:
            return None
        etag = current.get("etag")

        def etag_moved(etag: Any = etag) -> bool:
            latest = get_object(client, resource, object_id, sandbox)
            return latest is not None and latest.get("etag") != etag

        try:
            client.write(
                "PATCH", path(resource, object_id), operations,
                sandbox=sandbox, if_match=etag, is_applied=etag_moved,
            )  # fmt: skip
            return current
        except AEPApiError as exc:
            if exc.status != VERSION_MISMATCH or attempt == 2:
                raise
    raise AssertionError("unreachable")


def operation_running(obj: Mapping[str, Any]) -> bool:
    """Whether the object's ``lastOperation`` (create, update, enable, disable) is still running."""
    operation = obj.get("lastOperation")
    status = operation.get("status") if isinstance(operation, Mapping) else None
    return isinstance(status, Mapping) and status.get("value") == OPERATION_RUNNING


def _settle_pause(attempt: int) -> float:
    return min(5.0, 0.1 * 2 ** (attempt - 1)) * random.uniform(1.0, 1.5)


def wait_until_settled(
    client: AEPClient, resource: str, object_id: str, sandbox: str, timeout: float = SETTLE_TIMEOUT_SECONDS
) -> dict[str, Any] | None:
    """The object once its last operation is over (None when it does not exist), polling with backoff.

    Flow Service refuses a PATCH, a delete or an action while an object is between states (1416, 1420,
    1421, 1422): a client waits for ``lastOperation`` to complete before the next write. Raises after
    ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        obj = get_object(client, resource, object_id, sandbox)
        if obj is None or not operation_running(obj):
            return obj
        attempt += 1
        if time.monotonic() > deadline:
            raise AEPProviderError(
                f"Flow Service {resource} {object_id}: its last operation "
                f"({obj['lastOperation'].get('operation')}) is still running after {timeout:.0f}s; run the "
                "command again later"
            )
        time.sleep(_settle_pause(attempt))


def retry_while_transitioning(call: Callable[[], T], timeout: float = SETTLE_TIMEOUT_SECONDS) -> T:
    """``call()``, again with backoff while Flow Service refuses it because the object is between states."""
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        try:
            return call()
        except AEPApiError as exc:
            attempt += 1
            if not exc.has_code(TRANSITIONING_CODES) or time.monotonic() > deadline:
                raise
            time.sleep(_settle_pause(attempt))


def schema_id_of(data: Mapping[str, Any] | None) -> str | None:
    """``data.schema.id`` of a source/target connection (reads may name it ``schemaId``)."""
    schema = (data or {}).get("schema")
    if not isinstance(schema, Mapping):
        return None
    found = schema.get("id") or schema.get("schemaId")
    return str(found) if found else None


def spec_id_of(obj: Mapping[str, Any], key: str = "connectionSpec") -> str | None:
    ref = obj.get(key)
    return str(ref["id"]) if isinstance(ref, Mapping) and ref.get("id") else None


def _schema_key(ref: str) -> tuple[str, str] | None:
    """(tenant, hex) of a tenant schema reference in either form: ``$id`` or ``meta:altId``."""
    text = ref.strip()
    if text.startswith("https://ns.adobe.com/"):
        parts = text.removeprefix("https://ns.adobe.com/").split("/")
        return (parts[0], parts[2]) if len(parts) == 3 and parts[1] == "schemas" else None
    if text.startswith("_"):
        parts = text[1:].split(".")
        return (parts[0], parts[2]) if len(parts) == 3 and parts[1] == "schemas" else None
    return None


def same_schema(first: str | None, second: str | None) -> bool:
    """Whether two references name the same schema (``https://ns.adobe.com/t/schemas/x`` = ``_t.schemas.x``)."""
    if not first or not second:
        return False
    if first == second:
        return True
    key = _schema_key(first)
    return key is not None and key == _schema_key(second)


def schema_input(server_schema: str | None, current: str | None) -> str | None:
    """The schema as an input: the declared reference when it names the server's schema in the other form."""
    return current if same_schema(server_schema, current) else server_schema


def data_section(
    data_format: str, schema_id: str | None, properties: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ``data`` object of a source or target connection."""
    data: dict[str, Any] = {"format": data_format}
    if schema_id:
        data["schema"] = {"id": schema_id, "version": SCHEMA_VERSION}
    if properties:
        data["properties"] = dict(properties)
    return data


class FlowServiceProvider(AEPProvider[ArgsT]):
    """What the four Flow Service resources share: where their objects live, how they are read and
    deleted, and the outputs every Flow Service object has (its id, etag and state)."""

    collection: ClassVar[str]  # e.g. SOURCE_CONNECTIONS
    in_use_codes = IN_USE_CODES

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        return get_object(self.client, self.collection, object_id, sandbox)

    @property
    def marker_collection(self) -> str:  # type: ignore[override]  # per subclass, from ``collection``
        return path(self.collection)

    def list_marked(self, sandbox: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for obj in list_objects(self.client, self.collection, sandbox):
            marker = marker_in(obj.get("description"))
            if marker and obj.get("id"):
                found.setdefault(marker, []).append(str(obj["id"]))
        return found

    def outputs_from_server(self, obj: dict[str, Any], args: ArgsT) -> dict[str, Any]:
        assert self.id_output is not None
        return {self.id_output: obj.get("id"), "etag": obj.get("etag"), "state": obj.get("state")}

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        self.client.request("DELETE", path(self.collection, object_id), sandbox=sandbox)
