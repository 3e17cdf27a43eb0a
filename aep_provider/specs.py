"""Connection specs and flow specs: well-known ids, look-ups by name, and validation against their JSON Schemas.

A *connection spec* describes one connector (Amazon S3, Kinesis, the Data Lake ...): its auth specs
(``authSpec[].spec`` is the JSON Schema of ``auth.params``) and, for sources and targets, the JSON Schema
of a source or target connection's ``params``. A *flow spec* says which source and target connection specs
a dataflow may join, which transformations it takes and, for batch flows, the JSON Schema of
``scheduleParams`` (aep-api.md §5.2, §5.3).

Look-ups query the platform (``GET /connectionSpecs``, ``GET /flowSpecs``) and are cached per process: the
catalogue does not change while a deployment runs. A look-up by name reads the whole catalogue once and
matches locally (a server-side ``property=name==`` filter returns nothing to suggest from when it misses).

A connection spec's ``name`` on the platform is what ``GET /connectionSpecs`` shows and what
``property=name==`` filters on; for most connectors it is a slug: the docs query ``name=="google-big-query"``,
``"postgre-sql"``, ``"sql-server"``, ``"mysql"``, ``"salesforce"`` (help/sources/tutorials/api/filter.md and the
database/CRM connector tutorials); the Kinesis and Event Hubs specs are listed as ``Amazon Kinesis`` and
``Azure Event Hubs`` (help/destinations/api/streaming-destinations.md), and the S3 destination spec appears as
``amazon-s3`` in one version of help/destinations/api/activate-segments-file-based-destinations.md and as
``Amazon S3`` in another. So a look-up takes the platform's name or, as a convenience, a display label
(``"Amazon S3"``, ``"Google Cloud Storage"``), compared ignoring case and punctuation; a name that matches nothing fails listing the nearest real names.
The names assumed for specs no document shows are in docs/platform-assumptions.md.

They are plain functions, usable from a stack program::

    from aep_provider import specs
    spec = specs.connection_spec_by_name("amazon-s3")          # settings from stack config / AEP_* env
    flow = specs.flow_spec_for(specs.AMAZON_S3, specs.DATA_LAKE)  # the one flow spec joining both

and from providers (``connection_spec(client, id, sandbox)``, ...), where ``check`` uses them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .base import cached_get, peek_cached
from .client import AEPClient
from .errors import AEPProviderError
from .flow_service import CONNECTION_SPECS, FLOW_SPECS, first_item, list_objects, path
from .settings import Settings

if TYPE_CHECKING:
    from jsonschema import ValidationError

# --- well-known connection spec ids (aep-api.md §5.2) --------------------------------------------------

AMAZON_S3 = "ecadc60c-7455-4d87-84dc-2a0e293d997b"
AMAZON_KINESIS = "86043421-563b-46ec-8e6c-e23184711bf6"
AZURE_EVENT_HUBS = "bf9f5905-92b7-48bf-bf20-455bc6b60a4e"
GOOGLE_PUBSUB = "70116022-a743-464a-bbfe-e226a7f8210c"
HTTP_API = "bc7b00d6-623a-4dfc-9fdb-f1240aeadaeb"
AZURE_BLOB = "4c10e202-c428-4796-9208-5f1f5732b1cf"
ADLS_GEN2 = "b3ba5556-48be-44b7-8b85-ff2b69b46dc4"
GOOGLE_CLOUD_STORAGE = "32e8f412-cdf7-464c-9885-78184cb113fd"
SFTP = "bf367b0d-3d9b-4060-b67b-0d3d9bd06094"
DATA_LANDING_ZONE = "26f526f2-58f4-4712-961d-e41bf1ccc0e8"
DATA_LAKE = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
"""The Data Lake: the target spec of every ingestion flow and the spec of a "dataset base connection"."""

STREAMING_SPECS = frozenset({AMAZON_KINESIS, AZURE_EVENT_HUBS, GOOGLE_PUBSUB, HTTP_API})

DISPLAY_LABELS: dict[str, str] = {
    AMAZON_S3: "Amazon S3",
    AMAZON_KINESIS: "Amazon Kinesis",
    AZURE_EVENT_HUBS: "Azure Event Hubs",
    GOOGLE_PUBSUB: "Google PubSub",
    HTTP_API: "HTTP API",
    AZURE_BLOB: "Azure Blob Storage",
    ADLS_GEN2: "Azure Data Lake Storage Gen2",
    GOOGLE_CLOUD_STORAGE: "Google Cloud Storage",
    SFTP: "SFTP",
    DATA_LANDING_ZONE: "Data Landing Zone",
    DATA_LAKE: "Data Lake",
}
"""Display labels of the well-known connectors (the UI's names), accepted by look-ups beside the spec's name."""

# --- well-known flow spec ids (aep-api.md §5.3) ----------------------------------------------------------

STREAMING_FLOW = "d69717ba-71b4-4313-b654-49f9cf126d7a"
"""Streaming sources (Kinesis, Event Hubs, Pub/Sub, HTTP API) with an optional Mapping; no schedule."""
CLOUD_STORAGE_FLOW = "9753525b-82c7-4dce-8a9b-5ccfce2b9876"
"""``CloudStorageToAEP``: file sources (S3, Blob, ADLS Gen2, GCS, SFTP, DLZ) on a schedule."""
CRM_FLOW = "14518937-270c-4525-bdec-c2ba7cce3860"
"""``CRMToAEP``: table sources (databases, CRM, marketing automation) on a schedule."""
HTTP_API_XDM_FLOW = "d8a6f005-7eaf-4153-983e-e8574508b877"
"""HTTP API carrying XDM payloads, no transformation."""
HTTP_API_RAW_FLOW = "c1a19761-d2c7-4702-b9fa-fe91f0613e81"
"""HTTP API carrying raw JSON, with a Mapping."""

SpecRole = Literal["sourceSpec", "targetSpec"]


class SpecLookupError(AEPProviderError):
    """A connection or flow spec could not be found, or a look-up matched more than one."""


# --- look-ups with a client (providers) --------------------------------------------------------------------


def connection_spec(client: AEPClient, spec_id: str, sandbox: str) -> dict[str, Any] | None:
    """The connection spec with this id, or None when AEP does not know it."""
    return _listed(client, CONNECTION_SPECS, spec_id, sandbox) or first_item(
        cached_get(client, path(CONNECTION_SPECS, spec_id), sandbox=sandbox)
    )


def flow_spec(client: AEPClient, spec_id: str, sandbox: str) -> dict[str, Any] | None:
    """The flow spec with this id, or None when AEP does not know it."""
    return _listed(client, FLOW_SPECS, spec_id, sandbox) or first_item(
        cached_get(client, path(FLOW_SPECS, spec_id), sandbox=sandbox)
    )


def _listed(client: AEPClient, resource: str, spec_id: str, sandbox: str) -> dict[str, Any] | None:
    """The spec from the catalogue listing when this process has read it already (specs are looked up
    once per process, by id or in the listing): None otherwise, without a call."""
    if peek_cached(client, path(resource), sandbox=sandbox) is None:
        return None
    return next((spec for spec in list_objects(client, resource, sandbox, cache=True) if spec.get("id") == spec_id), None)


def connection_spec_named(client: AEPClient, name: str, sandbox: str) -> dict[str, Any]:
    """The connection spec called ``name`` (its platform name, or a display label); ``SpecLookupError`` otherwise."""
    return _named(list_objects(client, CONNECTION_SPECS, sandbox, cache=True), "connection spec", name)


def flow_spec_named(client: AEPClient, name: str, sandbox: str) -> dict[str, Any]:
    """The flow spec called ``name`` (e.g. ``CloudStorageToAEP``)."""
    return _named(list_objects(client, FLOW_SPECS, sandbox, cache=True), "flow spec", name)


def spec_answers_to(spec: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` designates ``spec``: its platform name, or one of its labels ignoring case and punctuation."""
    return spec.get("name") == name or _folded(name) in {_folded(label) for label in _labels(spec)}


def flow_specs_joining(
    client: AEPClient, source_spec_id: str, target_spec_id: str, sandbox: str
) -> list[dict[str, Any]]:
    """Every flow spec that accepts a source of ``source_spec_id`` and a target of ``target_spec_id``."""
    return [
        spec
        for spec in list_objects(client, FLOW_SPECS, sandbox, cache=True)
        if source_spec_id in (spec.get("sourceConnectionSpecIds") or [])
        and target_spec_id in (spec.get("targetConnectionSpecIds") or [])
    ]


def flow_spec_joining(client: AEPClient, source_spec_id: str, target_spec_id: str, sandbox: str) -> dict[str, Any]:
    """The one flow spec joining these connection specs; ``SpecLookupError`` when none or several do."""
    found = flow_specs_joining(client, source_spec_id, target_spec_id, sandbox)
    if len(found) == 1:
        return found[0]
    if not found:
        raise SpecLookupError(
            f"no flow spec accepts source connection spec {source_spec_id} with target connection spec "
            f"{target_spec_id}; check the connections' specs (ingestion targets use the Data Lake, {DATA_LAKE})"
        )
    names = ", ".join(f"{spec.get('id')} ({spec.get('name')})" for spec in found)
    raise SpecLookupError(
        f"several flow specs accept source connection spec {source_spec_id} with target connection spec "
        f"{target_spec_id}: {names}; set flow_spec_id to the one you mean"
    )


def _named(catalogue: Sequence[Mapping[str, Any]], what: str, name: str) -> dict[str, Any]:
    """The one spec of ``catalogue`` called ``name``: its exact name first, then a name or label folded."""
    found = [spec for spec in catalogue if spec.get("name") == name] or [
        spec for spec in catalogue if spec_answers_to(spec, name)
    ]
    if len(found) == 1:
        return dict(found[0])
    if found:
        listed = ", ".join(f"{_shown(spec)} ({spec.get('id')})" for spec in found)
        raise SpecLookupError(f"several {what}s are called {name!r}: {listed}; use the id instead")
    nearest = sorted(
        (spec for spec in catalogue if spec.get("name")),
        key=lambda spec: -max(_likeness(name, label) for label in _labels(spec)),
    )[:_SUGGESTIONS]
    hint = f"; the nearest are {', '.join(_shown(spec) for spec in nearest)}" if nearest else ""
    raise SpecLookupError(f"no {what} is called {name!r}{hint}")


_SUGGESTIONS = 5


def _labels(spec: Mapping[str, Any]) -> list[str]:
    label = DISPLAY_LABELS.get(str(spec.get("id")))
    return [str(spec.get("name") or ""), *([label] if label else [])]


def _folded(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _likeness(wanted: str, label: str) -> float:
    return difflib.SequenceMatcher(None, _folded(wanted), _folded(label)).ratio()


def _shown(spec: Mapping[str, Any]) -> str:
    """``'amazon-s3' (Amazon S3)``: the name to use, with the label it is known by."""
    label = DISPLAY_LABELS.get(str(spec.get("id")))
    return f"{spec.get('name')!r}" + (f" ({label})" if label and label != spec.get("name") else "")


# --- reading a spec ----------------------------------------------------------------------------------------


def auth_specs(spec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Auth spec name -> auth spec (``{"name", "type", "spec": JSON Schema of auth.params}``)."""
    return {str(a["name"]): a for a in spec.get("authSpec") or [] if isinstance(a, Mapping) and a.get("name")}


def params_schema(spec: Mapping[str, Any], role: SpecRole) -> Mapping[str, Any] | None:
    """The JSON Schema of a source (``sourceSpec``) or target (``targetSpec``) connection's ``params``."""
    section = spec.get(role)
    schema = section.get("spec") if isinstance(section, Mapping) else None
    return schema if isinstance(schema, Mapping) else None


def supported_formats(spec: Mapping[str, Any], role: SpecRole) -> list[str] | None:
    """The ``data.format`` values a spec lists for this role, when it lists them."""
    section = spec.get(role)
    formats = section.get("supportedFormats") if isinstance(section, Mapping) else None
    return [str(f) for f in formats] if isinstance(formats, list) and formats else None


def describe(spec: Mapping[str, Any]) -> str:
    return f"{spec.get('name')!r} ({spec.get('id')})"


# --- validation against a spec's JSON Schema ------------------------------------------------------------


def schema_problems(
    schema: Mapping[str, Any], value: Any, where: str, *, reveal_values: bool = True
) -> list[str]:
    """What ``value`` breaks in ``schema`` (a spec's JSON Schema), one line per problem naming the field.

    ``reveal_values=False`` keeps every value out of the text (``auth.params`` hold secrets): only field
    names and the schema's own constraints are shown. A schema the validator cannot read checks nothing.
    """
    import jsonschema  # on first use: about 60 ms of import that only spec checks need

    try:
        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        validator_class.check_schema(schema)
        errors = list(validator_class(schema).iter_errors(value))
    except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.UnknownType):
        return []  # a broken spec is AEP's problem: the server still validates at create
    lines = [_explain(error, where, reveal_values) for error in errors]
    return sorted(dict.fromkeys(lines))


def _explain(error: ValidationError, where: str, reveal: bool) -> str:
    nested = [str(part) for part in error.absolute_path]
    properties = error.schema.get("properties") if isinstance(error.schema, Mapping) else None
    text = _problem(error, set(properties or {}), reveal)
    return f"{'.'.join([where, *nested])}: {text}" if nested else text


def _problem(error: ValidationError, known: set[str], reveal: bool) -> str:
    got = f" (got {error.instance!r})" if reveal else ""
    rule, expected = error.validator, error.validator_value
    if rule == "required" and isinstance(error.instance, Mapping):
        missing = [name for name in expected if name not in error.instance]
        unexpected = [name for name in error.instance if name not in known]
        hints = [
            f"{name!r} (did you mean it instead of {close[0]!r}?)" if close else repr(name)
            for name in missing
            for close in [difflib.get_close_matches(name, unexpected, n=1, cutoff=0.6)]
        ]
        return f"missing required {', '.join(hints)}"
    if rule == "additionalProperties" and isinstance(error.instance, Mapping):
        extra = sorted(name for name in error.instance if name not in known)
        return f"unknown {', '.join(repr(n) for n in extra)}; valid names are {', '.join(sorted(known))}"
    if rule == "enum":
        return f"must be one of {', '.join(repr(v) for v in expected)}{got}"
    if rule == "const":
        return f"must be {expected!r}{got}"
    if rule == "type":
        return f"must be of type {expected}{got}"
    if rule == "not" and isinstance(expected, Mapping) and expected.get("required"):
        names = ", ".join(repr(n) for n in expected["required"])
        return f"{names} not allowed here; remove it"
    if rule in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern"):
        return f"must satisfy {rule} {expected!r}{got}"
    return f"{error.message}" if reveal else f"breaks the spec's {rule!r} rule"


# --- the same look-ups for a stack program ----------------------------------------------------------------


def _config_value(key: str) -> str | None:
    """A stack config value (``aep:clientId``) while a Pulumi program runs; None outside one."""
    try:
        from pulumi.runtime.config import get_config
    except ImportError:  # pragma: no cover - pulumi is a dependency
        return None
    value = get_config(key)
    return None if value is None else str(value)


def stack_settings() -> Settings:
    """Settings from the stack's ``aep:*`` config (inside ``pulumi up``/``preview``), else ``AEP_*`` env."""
    return Settings.from_config(_config_value)


def _program_client(settings: Settings | None) -> tuple[AEPClient, str]:
    chosen = settings or stack_settings()
    return AEPClient(chosen), chosen.sandbox


def connection_spec_by_name(name: str, settings: Settings | None = None) -> dict[str, Any]:
    """The connection spec called ``name`` (e.g. ``"amazon-s3"`` or ``"Amazon S3"``); its ``id`` feeds ``connection_spec_id``."""
    client, sandbox = _program_client(settings)
    return connection_spec_named(client, name, sandbox)


def flow_spec_by_name(name: str, settings: Settings | None = None) -> dict[str, Any]:
    """The flow spec named ``name`` (e.g. ``"CloudStorageToAEP"``)."""
    client, sandbox = _program_client(settings)
    return flow_spec_named(client, name, sandbox)


def flow_spec_for(source_spec_id: str, target_spec_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """The unique flow spec accepting both connection specs; ``SpecLookupError`` when none or several do."""
    client, sandbox = _program_client(settings)
    return flow_spec_joining(client, source_spec_id, target_spec_id, sandbox)
