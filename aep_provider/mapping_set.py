"""``MappingSet``: a Data Prep mapping set (``/data/foundation/conversion/mappingSets``).

Maps source fields (or expressions, or constants) to the XDM fields of an output schema. A dataflow
points at one *version* of it (``mapping_set_id`` + ``mapping_version``).

- Every change is a new version: ``PUT /mappingSets/{id}`` stores the body as version N+1 (older
  versions stay readable; flows keep the version they point at until their mapping is patched). So
  nothing is replaced: ``mapping_version`` goes up and a Dataflow wired to it follows in place.
- ``check`` refuses destinations that are not dotted XDM paths, a destination written twice, a schema
  that does not exist, and every destination that is not a field of the schema (read ``xed-full``,
  read-only), naming the mapping and the closest field as the fix. One exception: while the schema, or
  a tenant field group it uses, is created or changed in the same deployment, the schema's id stays
  known in a preview but its fields are not final yet. ``schema_version`` (wired from
  ``Schema.version``, e.g. with ``MappingSet(..., schema=schema)``) and ``field_group_versions`` (from
  ``FieldGroup.version``, with ``field_groups=[...]``) are unknown exactly then, and the destinations
  are checked by ``create``/``update`` instead, before anything is written, against the schema as it
  is by then. (A field group update does not change the schema's version, hence the second input.)
- ``check`` also asks Data Prep whether each EXPRESSION source is valid syntax
  (``POST /languages/el/validate``, help/data-prep/api/functions.md): the expression language (its
  functions, operators, quoting, reserved words) is Data Prep's, so the provider does not parse it
  itself. A read-only look-up like the others: skipped without credentials, and asked at most once per
  distinct expression, sandbox and endpoint in a process (``expression_problem``). Only a refusal
  (400, the spec's "Invalid expression error", or a 200 whose ``validationStatus`` is not
  ``succeeded``) fails the preview, naming the mapping and Data Prep's reason; an answer that says
  nothing (5xx, a lost connection) leaves the expression to be checked by AEP at create/update.
- Delete: Data Prep documents no DELETE for mapping sets (the data-prep spec and
  help/data-prep/api/mapping-set.md list create, list, get, update, validate and preview only; aepp
  calls ``DELETE /mappingSets/{id}``). The provider sends it; 404 counts as gone. Any other refusal
  in 4xx except 401/403 (a 400, 405, 409...: whatever the platform answers a method it lacks) and a
  501 are taken as "AEP keeps mapping sets": the set is left behind, unused, and Pulumi forgets it
  with a warning (``pulumi.log.warn``, shown by the CLI). 401/403 (credentials, permissions) and
  5xx fail the delete: those are problems to fix, not a missing method.
- Marker (``marker.py``): the mapping set's ``name``, which no input sets. ``name`` is an optional
  top-level field of a mapping set (``MappingSet`` in data-prep.yaml), and ``GET /mappingSets`` filters
  by it (its ``name`` query parameter, "Filter the mapping sets by name"): one filtered GET before a
  create finds a set an interrupted create of this resource made. Every PUT sends it again.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, TYPE_CHECKING, overload

import pulumi
from pulumi.dynamic import CheckFailure
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .base import AEPArgs, AEPProvider, AEPResource
from .client import DATA_PREP, AEPClient
from .errors import AEPApiError, AEPProviderError, ConfigurationError
from .flow_service import same_schema, schema_input
from .schema_registry import resource_path

if TYPE_CHECKING:  # names in the typed constructor's signatures only
    from .field_group import FieldGroup
    from .input_types import FieldMappingDict
    from .schema import Schema


MAPPING_SETS = DATA_PREP + "/mappingSets"
VALIDATE_EXPRESSION = DATA_PREP + "/languages/el/validate"
OUTPUT_SCHEMA_CONTENT_TYPE = "application/vnd.adobe.xed-full+json;version=1"
ACCEPT_RESOLVED_SCHEMA = "application/vnd.adobe.xed-full+json; version=1"
MAX_EXPRESSION_LENGTH = 4096  # Data Prep's limit for a calculated field
# Refusals that mean the caller must act (credentials, permissions), never "AEP keeps mapping sets".
AUTH_REFUSALS = frozenset({401, 403})
NOT_IMPLEMENTED = 501
_FIND_WINDOW_MS = 10 * 60 * 1000

SourceType = Literal["ATTRIBUTE", "EXPRESSION", "STATIC"]
# Data Prep shows source types as media types on read (aep-api §6.2).
_SOURCE_TYPE_OF_MEDIA = {"text/x.schema-path": "ATTRIBUTE", "text/x.aep-xl": "EXPRESSION", "text/plain": "STATIC"}
_SEGMENT = r"[A-Za-z_@$][\w@$:-]*(?:\[[^\]\s]*\])*"
_XDM_PATH = re.compile(rf"^{_SEGMENT}(?:\.{_SEGMENT})*$")
_INDEX = re.compile(r"\[[^\]]*\]")


def xdm_path(value: str) -> str:
    text = value.strip()
    if not _XDM_PATH.match(text):
        raise ValueError(
            f"{value!r} is not a dotted XDM path; write it like person.name.firstName "
            "(tenant fields under _<tenant>, array items as items[0].sku)"
        )
    return text


XdmPath = Annotated[str, AfterValidator(xdm_path)]


class FieldMapping(BaseModel):
    """One mapping: a source attribute, expression or constant written to one XDM field."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    source: str
    """Source field (``ATTRIBUTE``), Data Prep expression (``EXPRESSION``, e.g. ``concat(first, ' ', last)``) or constant (``STATIC``)."""

    destination: XdmPath
    """XDM field written, as a dotted path (``person.name.firstName``, ``_tenant.loyaltyId``)."""

    source_type: SourceType = "ATTRIBUTE"
    """How ``source`` is read: ``ATTRIBUTE`` (default), ``EXPRESSION`` or ``STATIC``."""

    name: str | None = None
    """Optional display name of the mapping."""

    description: str | None = None
    """Optional description of the mapping."""

    @model_validator(mode="after")
    def _source_fits_its_type(self) -> FieldMapping:
        if self.source_type != "STATIC" and not self.source.strip():
            raise ValueError(f"source: an {self.source_type} mapping needs a source (to {self.destination})")
        if self.source_type == "EXPRESSION" and len(self.source) > MAX_EXPRESSION_LENGTH:
            raise ValueError(f"source: an expression is at most {MAX_EXPRESSION_LENGTH} characters")
        return self


class MappingSetArgs(AEPArgs):
    schema_id: str = Field(min_length=1)
    """``$id`` of the output XDM schema (``Schema.schema_id``); the dataset of the flow must follow it."""

    mappings: list[FieldMapping] = Field(min_length=1)
    """The mappings, e.g. ``[{"source": "firstName", "destination": "person.name.firstName"}]``."""

    schema_version: str | None = None
    """``Schema.version`` of the output schema, only to tell ``check`` when that schema changes in the same
    deployment (then it is unknown in a preview, and destinations are checked at create/update instead).
    Not sent to AEP and never a reason to update. ``MappingSet(..., schema=schema)`` wires it."""

    field_group_versions: list[str] | None = None
    """``FieldGroup.version`` of the tenant field groups of the output schema whose fields are mapped,
    only to tell ``check`` when one changes in the same deployment (as ``schema_version``). Not sent to
    AEP and never a reason to update. ``MappingSet(..., field_groups=[...])`` wires it."""


# --- the output schema's fields --------------------------------------------------------------------------


def _xdm_type(node: Mapping[str, Any]) -> str:
    declared = node.get("meta:xdmType")
    if isinstance(declared, str):
        return declared
    open_values = isinstance(node.get("additionalProperties"), Mapping)
    if node.get("type") == "object" and open_values and not node.get("properties"):
        return "map"
    return str(node.get("type") or "object")


def schema_field_paths(schema: Mapping[str, Any]) -> dict[str, str]:
    """Dotted path -> XDM type of every field of a resolved (``xed-full``) schema; array items' fields
    are listed under the array's path."""
    paths: dict[str, str] = {}

    def walk(properties: Any, prefix: str) -> None:
        for name, node in (properties or {}).items() if isinstance(properties, Mapping) else ():
            if not isinstance(node, Mapping):
                continue
            field = f"{prefix}.{name}" if prefix else str(name)
            paths[field] = _xdm_type(node)
            items = node.get("items")
            walk(items.get("properties") if isinstance(items, Mapping) else node.get("properties"), field)

    walk(schema.get("properties"), "")
    return paths


def destination_in_schema(destination: str, paths: Mapping[str, str]) -> bool:
    """Whether a destination is a schema field, or data below an open field (a map, or an object or
    array whose children the schema leaves open, e.g. ``identityMap.Email[0].id``)."""
    field = _INDEX.sub("", destination)
    if field in paths:
        return True
    parts = field.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        ancestor = ".".join(parts[:depth])
        if ancestor in paths:
            declared_children = any(p.startswith(ancestor + ".") for p in paths)
            return paths[ancestor] == "map" or (paths[ancestor] in ("object", "array") and not declared_children)
    return False


def destination_problems(schema: Mapping[str, Any], args: MappingSetArgs) -> list[str]:
    """One line per mapping whose destination is not a field of the resolved ``schema``, with the fix."""
    paths = schema_field_paths(schema)
    title = schema.get("title") or args.schema_id
    problems = []
    for index, mapping in enumerate(args.mappings):
        if destination_in_schema(mapping.destination, paths):
            continue
        close = difflib.get_close_matches(mapping.destination, list(paths), n=1, cutoff=0.6)
        fix = f"did you mean {close[0]!r}?" if close else "add the field to the schema or fix the path"
        problems.append(
            f"mappings[{index}] ({mapping.source} -> {mapping.destination}): {mapping.destination!r} is not a "
            f"field of schema {title!r}; {fix}"
        )
    return problems


# --- wire form -------------------------------------------------------------------------------------------


def request_body(args: MappingSetArgs) -> dict[str, Any]:
    mappings = []
    for mapping in args.mappings:
        wire: dict[str, Any] = {
            "sourceType": mapping.source_type, "source": mapping.source, "destination": mapping.destination,
        }  # fmt: skip
        optional = {"name": mapping.name, "description": mapping.description}
        wire.update({key: value for key, value in optional.items() if value is not None})
        mappings.append(wire)
    body: dict[str, Any] = {
        "outputSchema": {"schemaRef": {"id": args.schema_id, "contentType": OUTPUT_SCHEMA_CONTENT_TYPE}},
        "mappings": mappings,
    }
    if args.resource_marker:
        body["name"] = args.resource_marker
    return body


# Data Prep's verdict per (endpoint, org, sandbox, expression): None when valid or not told, else why.
_expression_verdicts: dict[tuple[str, str, str, str], str | None] = {}
_verdicts_lock = threading.Lock()


def clear_expression_verdicts() -> None:
    with _verdicts_lock:
        _expression_verdicts.clear()


def _ask_data_prep(client: AEPClient, sandbox: str, expression: str) -> str | None:
    try:
        answer = client.request("POST", VALIDATE_EXPRESSION, sandbox=sandbox, body={"expression": expression}).body
    except AEPApiError as exc:  # also a lost answer (AmbiguousWriteError): nothing learnt
        return (exc.detail or exc.title or "invalid expression") if exc.status == 400 else None
    status = answer.get("validationStatus") if isinstance(answer, Mapping) else None
    if status is None or str(status).lower() == "succeeded":
        return None
    return str(answer.get("error") or status)


def expression_problem(client: AEPClient, sandbox: str, expression: str) -> str | None:
    """Why Data Prep refuses an expression, or None; one call per distinct expression per process."""
    key = (client.settings.endpoint, client.settings.org_id, sandbox, expression)
    with _verdicts_lock:
        if key in _expression_verdicts:
            return _expression_verdicts[key]
    verdict = _ask_data_prep(client, sandbox, expression)
    with _verdicts_lock:
        _expression_verdicts[key] = verdict
    return verdict


def output_schema_of(mapping_set: Mapping[str, Any]) -> str | None:
    """The output schema in either dialect: ``outputSchema.schemaRef`` (current), or the legacy top-level
    ``schemaRef`` / ``xdmSchema`` (help/data-prep/api/mapping-set.md, Get a mapping set)."""
    ref = ((mapping_set.get("outputSchema") or {}).get("schemaRef") or {}).get("id")
    return ref or (mapping_set.get("schemaRef") or {}).get("id") or mapping_set.get("xdmSchema")


def _pairs(mapping_set: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    return [
        (m.get("source", m.get("sourceAttribute")), m.get("destination") or m.get("destinationXdmPath"))
        for m in mapping_set.get("mappings") or []
        if isinstance(m, Mapping)
    ]


class MappingSetProvider(AEPProvider[MappingSetArgs]):
    args_model = MappingSetArgs
    server_outputs = ("mapping_set_id", "mapping_version", "sandbox")
    id_output = "mapping_set_id"
    check_only_inputs = frozenset({"schema_version", "field_group_versions"})

    # --- check -----------------------------------------------------------------------------------

    def validate(self, args: MappingSetArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "mappings" in known:
            yield from self._duplicate_failures(args)
        sandbox = self.known_sandbox(args, known)
        if "mappings" in known and sandbox is not None:
            yield from self._expression_failures(args, sandbox)
        if "schema_id" not in known or sandbox is None:
            return
        schema = self.lookup(
            "schema_id",
            lambda client: client.get(
                resource_path("schemas", args.schema_id), sandbox=sandbox, accept=ACCEPT_RESOLVED_SCHEMA
            ),
            f"schema {args.schema_id} does not exist in sandbox {sandbox!r}; use the schema_id of a Schema",
        )
        if isinstance(schema, CheckFailure):
            yield schema
        elif isinstance(schema, Mapping) and {"mappings", "schema_version", "field_group_versions"} <= known:
            # The versions are unknown only while the schema or one of its field groups changes in this
            # deployment: its fields are then checked by create/update, on the schema as it is by then.
            for problem in destination_problems(schema, args):
                yield CheckFailure("mappings", problem)

    def _duplicate_failures(self, args: MappingSetArgs) -> Iterable[CheckFailure]:
        first_index: dict[str, int] = {}
        for index, mapping in enumerate(args.mappings):
            earlier = first_index.setdefault(mapping.destination, index)
            if earlier != index:
                yield CheckFailure(
                    "mappings",
                    f"mappings[{index}] writes {mapping.destination!r}, as mappings[{earlier}] does; "
                    "an XDM field takes one mapping: remove one, or combine them in an EXPRESSION",
                )

    def _expression_failures(self, args: MappingSetArgs, sandbox: str) -> Iterable[CheckFailure]:
        expressions = [(i, m.source) for i, m in enumerate(args.mappings) if m.source_type == "EXPRESSION"]
        if not expressions:
            return
        try:
            client = self.client
        except ConfigurationError:
            return  # an offline preview: AEP checks the expressions at create/update
        for index, expression in expressions:
            problem = expression_problem(client, sandbox, expression)
            if problem:
                yield CheckFailure(
                    "mappings",
                    f"mappings[{index}]: Data Prep refuses the expression {expression!r}: {problem} "
                    "(the functions and operators are listed in help/data-prep/functions.md)",
                )

    def _require_destinations(self, args: MappingSetArgs, sandbox: str) -> None:
        """Before a write: every destination is a field of the output schema as it is now."""
        path = resource_path("schemas", args.schema_id)
        schema = self.reader.get(path, sandbox=sandbox, accept=ACCEPT_RESOLVED_SCHEMA)  # read again if written
        if not isinstance(schema, Mapping):
            raise AEPProviderError(f"schema {args.schema_id} does not exist in sandbox {sandbox!r}")
        problems = destination_problems(schema, args)
        if problems:
            raise AEPProviderError("the mapping set was not written: " + "; ".join(problems))

    # --- CRUD ------------------------------------------------------------------------------------

    def create_object(self, args: MappingSetArgs, sandbox: str) -> str:
        self._require_destinations(args, sandbox)
        started_ms = int(time.time() * 1000)
        body = request_body(args)
        return self.client.create(
            MAPPING_SETS,
            body,
            lambda: self._find_created(body, sandbox, started_ms),
            sandbox=sandbox,
            id_of=lambda answer: _mapping_set_id(answer.body),
        )

    def find_marked(self, args: MappingSetArgs, sandbox: str) -> str | None:
        listing = self.client.get(MAPPING_SETS, sandbox=sandbox, params={"name": args.resource_marker, "limit": 10})
        for candidate in (listing or {}).get("data") or [] if isinstance(listing, Mapping) else []:
            if isinstance(candidate, Mapping) and candidate.get("name") == args.resource_marker:
                return str(candidate["id"])
        return None

    def read_object(self, object_id: str, sandbox: str) -> dict[str, Any] | None:
        body = self.client.get(f"{MAPPING_SETS}/{object_id}", sandbox=sandbox)
        return dict(body) if isinstance(body, Mapping) else None

    def outputs_from_server(self, obj: dict[str, Any], args: MappingSetArgs) -> dict[str, Any]:
        return {"mapping_set_id": obj.get("id"), "mapping_version": _version(obj.get("version"))}

    def inputs_from_server(self, obj: dict[str, Any], current: MappingSetArgs) -> dict[str, Any]:
        declared = getattr(current, "mappings", None) or []
        mappings = []
        for index, (source, destination) in enumerate(_pairs(obj)):
            server = obj["mappings"][index]
            media = server.get("sourceType")
            entry: dict[str, Any] = {
                "source": source,
                "destination": destination,
                # A legacy mapping (sourceAttribute, no sourceType) reads an attribute.
                "source_type": _SOURCE_TYPE_OF_MEDIA.get(media, media) if media else "ATTRIBUTE",
            }
            mine = declared[index] if index < len(declared) else None
            for key in ("name", "description"):  # only what the user set: AEP may fill a default name
                if mine is not None and getattr(mine, key) is not None:
                    entry[key] = server.get(key)
            mappings.append(entry)
        schema_id = schema_input(output_schema_of(obj), getattr(current, "schema_id", None))
        return {"schema_id": schema_id, "mappings": mappings}

    def update_object(
        self, object_id: str, old: MappingSetArgs, new: MappingSetArgs, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        self._require_destinations(new, sandbox)
        # PUT stores the next version; it is idempotent in effect (a re-send may add one identical version).
        self.client.request("PUT", f"{MAPPING_SETS}/{object_id}", sandbox=sandbox, body=request_body(new))

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        try:
            self.client.request("DELETE", f"{MAPPING_SETS}/{object_id}", sandbox=sandbox)
        except AEPApiError as exc:
            if not delete_refused_by_platform(exc):
                raise
            message = (
                f"Data Prep did not delete mapping set {object_id} in sandbox {sandbox!r} (HTTP {exc.status}: "
                f"{exc.detail or exc.title or 'refused'}); AEP documents no delete for mapping sets, so it stays "
                "on AEP, unused, and Pulumi forgets it"
            )
            pulumi.log.warn(message)  # the CLI's warning channel (stderr of the provider when no engine)

    def _find_created(self, body: dict[str, Any], sandbox: str, started_ms: int) -> str | None:
        """A mapping set this create already made: same schema and mappings, created just now."""
        listing = self.client.get(
            MAPPING_SETS, sandbox=sandbox, params={"limit": 50, "start": 0, "orderBy": "-createdDate"}
        )
        wanted_schema = body["outputSchema"]["schemaRef"]["id"]
        wanted_pairs = [(m["source"], m["destination"]) for m in body["mappings"]]
        for candidate in (listing or {}).get("data") or []:
            if (
                isinstance(candidate, Mapping)
                and (candidate.get("createdDate") or 0) >= started_ms - _FIND_WINDOW_MS
                and same_schema(output_schema_of(candidate), wanted_schema)
                and _pairs(candidate) == wanted_pairs
            ):
                return str(candidate["id"])
        return None


def delete_refused_by_platform(error: AEPApiError) -> bool:
    """A DELETE the platform does not do (any 4xx but 401/403, and 501); a 404 never gets here."""
    if error.not_found or error.status in AUTH_REFUSALS:
        return False  # gone (the base counts it as deleted), or a problem the user must fix
    return 400 <= error.status < 500 or error.status == NOT_IMPLEMENTED


def _version(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _mapping_set_id(body: Any) -> str:
    if isinstance(body, Mapping) and isinstance(body.get("id"), str) and body["id"]:
        return body["id"]
    raise AEPProviderError(f"unexpected answer to a mapping set create: {body!r}")


class MappingSet(AEPResource):
    """A Data Prep mapping set; every change makes a new ``mapping_version`` for dataflows to use."""

    provider_class = MappingSetProvider

    mapping_set_id: pulumi.Output[str]
    """Data Prep id of the mapping set; the resource's id (``Dataflow(mapping_set_id=...)``)."""
    mapping_version: pulumi.Output[int]
    """Version of the mapping set; each change makes a new one (``Dataflow(mapping_version=...)``)."""
    schema_id: pulumi.Output[str]
    schema_version: pulumi.Output[str | None]
    field_group_versions: pulumi.Output[list[str] | None]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from MappingSetArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: MappingSetArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A Data Prep mapping set; every change makes a new ``mapping_version`` for dataflows to use.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param MappingSetArgs args: The inputs as one object.
        :param pulumi.ResourceOptions opts: Options for the resource.
        """

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        schema_id: pulumi.Input[str] | None = None,
        mappings: pulumi.Input[Sequence[pulumi.Input[FieldMappingDict]]],
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        schema: Schema | None = None,
        field_groups: Sequence[FieldGroup] | None = None,
    ) -> None:
        """A Data Prep mapping set; every change makes a new ``mapping_version`` for dataflows to use.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] schema_id: ``$id`` of the output XDM schema (``Schema.schema_id``); the dataset of
            the flow must follow it. Required unless ``schema=`` sets it.
        :param pulumi.Input[Sequence[pulumi.Input[FieldMappingDict]]] mappings: The mappings, e.g. ``[{"source":
            "firstName", "destination": "person.name.firstName"}]``.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        :param Schema schema: The output ``Schema`` resource: sets ``schema_id``, and the destinations are checked at
            preview except while that schema changes in the same deployment.
        :param Sequence[FieldGroup] field_groups: The ``FieldGroup`` resources of that schema whose fields are mapped,
            so the destinations are checked at create/update while one of them changes in the same deployment.
        """

    # --- end of typed inputs ---

    def __init__(
        self,
        resource_name: str,
        args: MappingSetArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        schema: Any = None,
        field_groups: Sequence[Any] | None = None,
        **inputs: Any,
    ) -> None:
        """``schema=`` takes a ``Schema`` resource and wires its ``schema_id`` and ``version``;
        ``field_groups=`` takes the ``FieldGroup`` resources of that schema whose fields are mapped and
        wires their ``version``. ``check`` then validates destinations at preview, except while one of
        them changes in the same deployment."""
        if schema is not None:
            inputs.setdefault("schema_id", schema.schema_id)
            inputs.setdefault("schema_version", schema.version)
        if field_groups is not None:
            inputs.setdefault("field_group_versions", [group.version for group in field_groups])
        super().__init__(resource_name, args, opts, **inputs)
