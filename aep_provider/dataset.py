"""``Dataset``: a Catalog Service dataset (``/data/foundation/catalog/dataSets``).

In place: name, description, Profile/Identity enablement, the declared tags. Replaced: the schema
(``schema_id``) and the file format, which Catalog cannot change on an existing dataset.

Tags are shared with the platform, which adds its own to every dataset (``adobe/pqs/table``,
``adobe/siphon/...``, ``aep/siphon/...``, ``acp_validationContext``, ``acp_granular_validation_flags``,
and ``enabledAt:<time>`` beside ``enabled:true``: the dataset GET of platform-learn.en
``help/tutorial-comprehensive-technical/modules/datadistiller/module5.1/ex8.md``). So the provider owns
only the tag keys the user declares (in the old or the new inputs) and the two flags:

- read reports only the declared keys: a key the platform added never shows as drift;
- an update is a JSON Patch, one ``add``/``remove`` per owned key (the form of
  ``help/catalog/datasets/enable-for-profile.md``, "Enable the dataset"), so every other key survives;
- ``unifiedProfile``/``unifiedIdentity`` are judged by their ``enabled:true|false`` value alone and
  written only when that value changes; companion values (``enabledAt:...``, ``isUpsert:true``) stay.

Marker (``marker.py``): the Catalog tag ``aep-provider/marker: ["<marker>"]``, written at create. Catalog
keeps any tag name but ``adobe/...`` and the two flags (help/catalog/api/filter-data.md, "Filter by tag":
"avoid the adobe prefix"; tags are lists of strings, help/catalog/api/create-dataset.md), and lists datasets
by tag (``tags=<name>:<value>``, same section; a value of just ``*`` matches any dataset holding the tag):
one listing of every marked dataset per process (``tags=aep-provider/marker:*``, paged by ``start`` and
``limit`` until a page holds fewer than ``limit``, help/catalog/api/filter-data.md) finds a dataset an
interrupted create of this resource made. The tag is no user tag: read and update touch declared keys only.

Every update sends ``If-Match`` with the dataset's version exactly as the platform gave it in the
``E-Tag`` header of the GET (``help/catalog/api/appendix.md``, "If-Match"); a 412 (someone changed the
dataset since) re-reads it and tries once more.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TYPE_CHECKING, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import AfterValidator, Field

from .base import AEPArgs, AEPProvider, AEPResource
from .client import CATALOG, JSON_PATCH, ApiResponse
from .errors import AEPApiError, AEPProviderError
from .schema import is_union
from .schema_registry import get_resource

if TYPE_CHECKING:  # names in the typed constructor's signatures only
    from collections.abc import Sequence
    from .schema import Schema

DATASETS = CATALOG + "/dataSets"
SCHEMA_CONTENT_TYPE = "application/vnd.adobe.xed+json;version=1"
PROFILE_TAG = "unifiedProfile"
IDENTITY_TAG = "unifiedIdentity"
ENABLED = "enabled:true"
DISABLED = "enabled:false"
MARKER_TAG = "aep-provider/marker"  # this resource's marker (marker.py); never a user tag
_MARKED_PAGE = 100  # Catalog's largest page (help/catalog/api/filter-data.md, "Limit the number of results")
_MAX_MARKED = 100_000
ENABLED_AT = "enabledAt:"  # the platform's time of enablement, beside enabled:true
RESERVED_TAG_PREFIX = "adobe/"  # the platform's own tags (help/catalog/api/filter-data.md, "Filter by tag")
# Where Catalog hands out the version to send back as If-Match (help/catalog/api/appendix.md); the
# standard spelling is read too, in case a gateway on the way renames it.
ETAG_HEADERS = ("E-Tag", "ETag")
PRECONDITION_FAILED = 412
# A lost create answer is looked up among datasets created this recently (clock skew included).
_FIND_WINDOW_MS = 10 * 60 * 1000


def _sorted_tag_values(tags: dict[str, list[str]]) -> dict[str, list[str]]:
    # Tag values are a set on the platform; order carries no meaning.
    return {key: sorted(set(values)) for key, values in sorted(tags.items())}


Tags = Annotated[dict[str, list[str]], AfterValidator(_sorted_tag_values)]


class DatasetArgs(AEPArgs):
    name: str = Field(min_length=1)
    """Dataset name shown in the platform UI."""

    description: str | None = None
    """Free-text description."""

    schema_id: str = Field(min_length=1)
    """``$id`` of the XDM schema the dataset follows (e.g. ``schema.schema_id``). Changing it replaces the dataset."""

    profile_enabled: bool = False
    """Send the dataset's records to Real-Time Customer Profile (tag ``unifiedProfile``). The schema must be Profile-enabled."""

    identity_enabled: bool = False
    """Send the dataset's identities to Identity Service (tag ``unifiedIdentity``)."""

    file_format: Literal["parquet", "json", "csv"] = "parquet"
    """Storage format of the dataset's files. Changing it replaces the dataset."""

    tags: Tags = Field(default_factory=dict)
    """Other Catalog tags, name -> values. ``unifiedProfile``/``unifiedIdentity`` are set with the flags above; ``adobe/`` names are the platform's."""

    schema_version: str | None = None
    """``Schema.version`` of the dataset's schema, only to tell ``check`` when that schema changes in the same
    deployment (e.g. is enabled for Profile): it is then checked at create/update, before any write. Not sent
    to AEP and never a reason to update. ``Dataset(..., schema=schema)`` wires it with ``schema_id``."""


def _flag_value(value: Any) -> str:
    # Guides spell it "enabled:true" and "enabled: true" (help/catalog/api/create-dataset.md, the spec).
    return str(value).replace(" ", "").lower()


def _flag_state(tags: Mapping[str, Any], name: str) -> bool | None:
    """True/False when the flag tag says ``enabled:true``/``enabled:false``, None when it says neither."""
    values = {_flag_value(v) for v in tags.get(name) or []}
    if ENABLED in values:
        return True
    return False if DISABLED in values else None


def _enabled(tags: Mapping[str, Any], name: str) -> bool:
    return _flag_state(tags, name) is True


def _flag_companions(values: Iterable[Any]) -> list[str]:
    """A flag's other values kept when the flag flips: not the old state, nor the old enablement time."""
    return [
        str(v) for v in values if _flag_value(v) not in (ENABLED, DISABLED) and not str(v).startswith(ENABLED_AT)
    ]


def declared_tags(server_tags: Mapping[str, Any], declared: Iterable[str]) -> dict[str, list[str]]:
    """The server's values of the tag keys the user declared; every other key belongs to the platform."""
    return {key: list(server_tags[key]) for key in declared if isinstance(server_tags.get(key), list)}


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def desired_tags(args: DatasetArgs) -> dict[str, list[str]]:
    """Every tag the dataset must carry for these inputs (flags included)."""
    tags = {key: list(values) for key, values in args.tags.items()}
    if args.profile_enabled:
        tags[PROFILE_TAG] = [ENABLED]
    if args.identity_enabled:
        tags[IDENTITY_TAG] = [ENABLED]
    return tags


def update_operations(current: Mapping[str, Any], old: DatasetArgs, new: DatasetArgs) -> list[dict[str, Any]]:
    """The JSON Patch taking the dataset ``current`` on the server to the inputs ``new``."""
    ops: list[dict[str, Any]] = []
    if current.get("name") != new.name:
        ops.append({"op": "replace", "path": "/name", "value": new.name})
    if new.description is None and current.get("description") is not None:
        ops.append({"op": "remove", "path": "/description"})
    elif new.description is not None and current.get("description") != new.description:
        ops.append({"op": "add", "path": "/description", "value": new.description})
    server_tags = current.get("tags")
    if not isinstance(server_tags, Mapping):
        ops.append({"op": "add", "path": "/tags", "value": {}})
        server_tags = {}
    for flag, on in ((PROFILE_TAG, new.profile_enabled), (IDENTITY_TAG, new.identity_enabled)):
        state = _flag_state(server_tags, flag)
        if (state is True) != on:  # judged by enabled:true|false alone; absent counts as off
            values = [ENABLED if on else DISABLED, *_flag_companions(server_tags.get(flag) or [])]
            ops.append({"op": "add", "path": _pointer("tags", flag), "value": values})
    for key, values in new.tags.items():
        if sorted(server_tags.get(key) or []) != sorted(values):
            ops.append({"op": "add", "path": _pointer("tags", key), "value": list(values)})
    for key in sorted(set(old.tags or {}) - set(new.tags)):
        if key in server_tags:
            ops.append({"op": "remove", "path": _pointer("tags", key)})
    return ops


def _profile_problem(args: DatasetArgs, schema: Mapping[str, Any]) -> str | None:
    """Why this dataset cannot be enabled for Profile on ``schema``: Catalog refuses a Profile-enabled dataset
    whose schema is not (help/catalog/datasets/enable-for-profile.md, "the dataset's schema must be enabled")."""
    if not args.profile_enabled or is_union(schema):
        return None
    return (
        f"schema {schema.get('title') or args.schema_id!r} is not enabled for Profile: set profile_enabled=True "
        "on the Schema (it needs a primary identity), or leave this dataset's profile_enabled False. If this "
        "deployment enables it, pass Dataset(..., schema=<the Schema>) so the check waits for it"
    )


class DatasetProvider(AEPProvider[DatasetArgs]):
    args_model = DatasetArgs
    check_only_inputs = frozenset({"schema_version"})
    replace_on = frozenset({"schema_id", "file_format"})
    server_outputs = ("dataset_id", "version", "sandbox")
    id_output = "dataset_id"

    def validate(self, args: DatasetArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        yield from self._tag_failures(args, known)
        sandbox = self.known_sandbox(args, known)
        if sandbox is None or "schema_id" not in known:
            return
        schema = self.lookup(
            "schema_id",
            lambda client: get_resource(client, "schemas", args.schema_id, sandbox),
            f"schema {args.schema_id} does not exist in sandbox {sandbox!r}; use the schema_id of a Schema "
            "(schema.schema_id) in the same sandbox",
        )
        if isinstance(schema, CheckFailure):
            yield schema
        elif isinstance(schema, Mapping) and {"profile_enabled", "schema_version"} <= known:
            # schema_version is unknown while the schema changes in this deployment: create/update judge then.
            problem = _profile_problem(args, schema)
            if problem:
                yield CheckFailure("profile_enabled", problem)

    def _require_profile_schema(self, args: DatasetArgs, sandbox: str) -> None:
        """Before a write: a Profile-enabled dataset's schema is enabled for Profile by now."""
        if not args.profile_enabled:
            return
        schema = get_resource(self.reader, "schemas", args.schema_id, sandbox)  # read again if this process wrote it
        problem = _profile_problem(args, schema) if schema is not None else f"schema {args.schema_id} does not exist"
        if problem:
            raise AEPProviderError(f"the dataset was not written: profile_enabled: {problem}")

    def _tag_failures(self, args: DatasetArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "tags" not in known:
            return
        for key in args.tags:
            if key in (PROFILE_TAG, IDENTITY_TAG):
                flag = "profile_enabled" if key == PROFILE_TAG else "identity_enabled"
                yield CheckFailure("tags", f"tag {key!r} is managed by the input {flag}; set {flag}=True instead")
            elif key.startswith(RESERVED_TAG_PREFIX):
                yield CheckFailure("tags", f"tag {key!r}: names starting with {RESERVED_TAG_PREFIX!r} belong to the platform")
            elif key == MARKER_TAG:
                yield CheckFailure(
                    "tags",
                    f"tag {key!r} is reserved: the provider keeps this dataset's marker in it, to find the dataset "
                    "again after an interrupted create; give your tag another name",
                )

    def create_object(self, args: DatasetArgs, sandbox: str) -> str:
        self._require_profile_schema(args, sandbox)
        body: dict[str, Any] = {
            "name": args.name,
            "schemaRef": {"id": args.schema_id, "contentType": SCHEMA_CONTENT_TYPE},
            "tags": {**desired_tags(args), **({MARKER_TAG: [args.resource_marker]} if args.resource_marker else {})},
        }
        if args.description is not None:
            body["description"] = args.description
        body["fileDescription"] = {"persisted": True, "format": args.file_format}
        started_ms = int(time.time() * 1000)
        return self.client.create(
            DATASETS,
            body,
            lambda: self._find_created(args, sandbox, started_ms),
            sandbox=sandbox,
            id_of=_created_id,
            params={"requestDataSource": "true"},
        )

    marker_collection = DATASETS

    def list_marked(self, sandbox: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for start in range(0, _MAX_MARKED, _MARKED_PAGE):
            page = self.client.get(
                DATASETS, sandbox=sandbox,
                params={"tags": f"{MARKER_TAG}:*", "properties": "tags", "limit": _MARKED_PAGE, "start": start},
            )  # fmt: skip
            page = page if isinstance(page, Mapping) else {}
            for dataset_id, obj in page.items():
                tags = obj.get("tags") if isinstance(obj, Mapping) else None
                for marker in (tags.get(MARKER_TAG) or []) if isinstance(tags, Mapping) else []:
                    found.setdefault(str(marker), []).append(str(dataset_id))
            if len(page) < _MARKED_PAGE:
                break
        return found

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        return self._read_with_etag(object_id, sandbox)[0]

    def _read_with_etag(self, object_id: str, sandbox: str) -> tuple[dict[str, Any] | None, str | None]:
        """The dataset (None when gone) and the version to send back as ``If-Match``, as Catalog sent it."""
        try:
            answer = self.client.request("GET", f"{DATASETS}/{object_id}", sandbox=sandbox)
        except AEPApiError as exc:
            if exc.not_found:
                return None, None
            raise
        body = answer.body
        if not isinstance(body, Mapping) or not isinstance(body.get(object_id), Mapping):
            return None, None
        obj = {**body[object_id], "id": object_id}  # Catalog keys the object by its id
        etag = next((answer.headers[h] for h in ETAG_HEADERS if answer.headers.get(h)), None)
        return obj, etag if etag is not None else obj.get("version")

    def outputs_from_server(self, obj: dict[str, Any], args: DatasetArgs) -> dict[str, Any]:
        return {"dataset_id": obj.get("id"), "version": obj.get("version")}

    def inputs_from_server(self, obj: dict[str, Any], current: DatasetArgs) -> dict[str, Any]:
        tags = obj.get("tags") if isinstance(obj.get("tags"), Mapping) else {}
        return {
            "name": obj.get("name"),
            "description": obj.get("description"),
            "schema_id": (obj.get("schemaRef") or {}).get("id"),
            "profile_enabled": _enabled(tags, PROFILE_TAG),
            "identity_enabled": _enabled(tags, IDENTITY_TAG),
            "tags": declared_tags(tags, current.tags or {}),
            "file_format": (obj.get("fileDescription") or {}).get("format"),
        }

    def update_object(
        self, object_id: str, old: DatasetArgs, new: DatasetArgs, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        if new.profile_enabled and not old.profile_enabled:
            self._require_profile_schema(new, sandbox)
        for attempt in (1, 2):
            current, etag = self._read_with_etag(object_id, sandbox)
            if current is None:  # not readable yet after a write: wait for it like any read-back
                current = self.read_existing(object_id, sandbox)
                etag = current.get("version")
            ops = update_operations(current, old, new)
            if not ops:
                return
            try:
                self.client.write(
                    "PATCH",
                    f"{DATASETS}/{object_id}",
                    ops,
                    sandbox=sandbox,
                    content_type=JSON_PATCH,
                    if_match=etag,
                    is_applied=lambda: not update_operations(self.read_existing(object_id, sandbox), old, new),
                )
                return
            except AEPApiError as exc:
                if exc.status != PRECONDITION_FAILED or attempt == 2:
                    raise
                # Changed by someone else since the read: the patch is computed again on the new version.

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        # Catalog answers 200 [] for an id it does not know: already gone is success.
        self.client.delete(f"{DATASETS}/{object_id}", sandbox=sandbox)

    def _find_created(self, args: DatasetArgs, sandbox: str, started_ms: int) -> str | None:
        """A dataset this create already made (same name and schema, created just now), if any."""
        listing = self.client.get(
            DATASETS,
            sandbox=sandbox,
            params={"property": f"name=={args.name}", "properties": "name,schemaRef,created", "limit": 100},
        )
        candidates = [
            (obj.get("created") or 0, dataset_id)
            for dataset_id, obj in (listing or {}).items()
            if isinstance(obj, Mapping)
            and obj.get("name") == args.name
            and (obj.get("schemaRef") or {}).get("id") == args.schema_id
            and (obj.get("created") or 0) >= started_ms - _FIND_WINDOW_MS
        ]
        return max(candidates)[1] if candidates else None


def _created_id(answer: ApiResponse) -> str:
    # Catalog answers ["@/dataSets/<id>"].
    body = answer.body
    if isinstance(body, list) and body and isinstance(body[0], str) and body[0].startswith("@/dataSets/"):
        return body[0].rsplit("/", 1)[-1]
    raise AEPProviderError(f"unexpected answer to a dataset create: {body!r}")


class Dataset(AEPResource):
    """A Catalog dataset following an XDM schema, optionally enabled for Profile and Identity."""

    provider_class = DatasetProvider

    dataset_id: pulumi.Output[str]
    """Catalog id of the dataset; the resource's id (``TargetConnection(dataset_id=...)``)."""
    version: pulumi.Output[str]
    """Catalog's version of the dataset, sent back as ``If-Match`` by each update."""
    name: pulumi.Output[str]
    schema_id: pulumi.Output[str]
    schema_version: pulumi.Output[str | None]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from DatasetArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: DatasetArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A Catalog dataset following an XDM schema, optionally enabled for Profile and Identity.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param DatasetArgs args: The inputs as one object.
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
        description: pulumi.Input[str] | None = None,
        schema_id: pulumi.Input[str] | None = None,
        profile_enabled: pulumi.Input[bool] | None = None,
        identity_enabled: pulumi.Input[bool] | None = None,
        file_format: pulumi.Input[Literal["parquet", "json", "csv"] | str] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[Sequence[pulumi.Input[str]]]]] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        schema: Schema | None = None,
    ) -> None:
        """A Catalog dataset following an XDM schema, optionally enabled for Profile and Identity.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: Dataset name shown in the platform UI.
        :param pulumi.Input[str] description: Free-text description.
        :param pulumi.Input[str] schema_id: ``$id`` of the XDM schema the dataset follows (e.g. ``schema.schema_id``).
            Changing it replaces the dataset. Required unless ``schema=`` sets it.
        :param pulumi.Input[bool] profile_enabled: Send the dataset's records to Real-Time Customer Profile (tag
            ``unifiedProfile``). The schema must be Profile-enabled. Default: ``False``.
        :param pulumi.Input[bool] identity_enabled: Send the dataset's identities to Identity Service (tag
            ``unifiedIdentity``). Default: ``False``.
        :param pulumi.Input[Literal["parquet", "json", "csv"] | str] file_format: Storage format of the dataset's
            files. Changing it replaces the dataset. Default: ``parquet``.
        :param pulumi.Input[Mapping[str, pulumi.Input[Sequence[pulumi.Input[str]]]]] tags: Other Catalog tags, name ->
            values. ``unifiedProfile``/``unifiedIdentity`` are set with the flags above; ``adobe/`` names are the
            platform's. Default: empty.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        :param Schema schema: The ``Schema`` resource the dataset follows: sets ``schema_id`` and lets the Profile
            check run at preview except while that schema changes in the same deployment.
        """

    # --- end of typed inputs ---

    def __init__(
        self,
        resource_name: str,
        args: DatasetArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        schema: Any = None,
        **inputs: Any,
    ) -> None:
        """``schema=`` takes a ``Schema`` resource and wires its ``schema_id`` and ``version``, so the
        Profile check runs at preview except while that schema changes in the same deployment."""
        if schema is not None:
            inputs.setdefault("schema_id", schema.schema_id)
            inputs.setdefault("schema_version", schema.version)
        super().__init__(resource_name, args, opts, **inputs)
