"""Server objects as resource inputs, through each provider's own ``inputs_from_server``.

The exporter declares an object with exactly the inputs a refresh of that resource would read back, so
adopting it finds no difference and the first preview after ``up`` is empty. What differs per kind is only
the ``current`` inputs handed to ``inputs_from_server`` (the inputs a refresh keeps from state): here they
say which optional inputs the object has on AEP (a schema's primary identity, a dataset's own tags, a
flow's backfill), so that those are read back too.

An object the provider cannot describe faithfully yet gets a ``problem`` instead (its inputs fail the
resource's own validation, or it uses something the resource has no input for); it is listed in a comment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from ..base import AEPProvider, _field_adapter
from ..connection import BaseConnectionProvider
from ..dataflow import MAPPING, DataflowProvider, Schedule, normalized_schedule
from ..dataset import IDENTITY_TAG, PROFILE_TAG, DatasetProvider
from ..field_group import DATE_FORMATS, INTEGER_BOUNDS, FieldGroupProvider
from ..flow_service import spec_id_of
from ..identity_descriptor import IDENTITY_TYPE, IdentityDescriptorProvider, identity_of
from ..identity_namespace import IdentityNamespaceProvider
from ..mapping_set import FieldMapping, MappingSetProvider
from ..schema import PRIMARY_DESCRIPTOR, SchemaProvider
from ..source_connection import SourceConnectionProvider
from ..specs import auth_specs
from ..target_connection import TargetConnectionProvider
from . import model
from .model import Exported, Kind, SecretParam
from .reader import Inventory

# Tag names the platform puts on datasets itself (the dataset GET of platform-learn.en
# help/tutorial-comprehensive-technical/modules/datadistiller/module5.1/ex8.md: adobe/pqs/table,
# adobe/siphon/..., aep/siphon/..., acp_validationContext, acp_granular_validation_flags; "adobe"
# names are Adobe's by help/catalog/api/filter-data.md "Filter by tag"). The two reserved flags are
# the Dataset's profile_enabled / identity_enabled inputs. "aep-provider/" names are the provider's own
# (the marker a create leaves), never a user's.
PLATFORM_TAG_PREFIXES = ("adobe/", "aep/", "acp_", "aep-provider/")
# What a field node may hold and still be what FieldGroup declares (field_group.encode_field); the
# registry adds meta:xdmType and isRequired: false itself (help/xdm/api/field-groups.md "Look up a field group").
_FIELD_KEYS = frozenset({"title", "description", "type", "format", "properties", "minimum", "maximum",
                         "meta:xdmType", "meta:xdmField", "isRequired"})  # fmt: skip
# How AEP shows a secret it keeps (the emulator's choice; the docs show placeholders): never a value to copy.
_MASK_CHARACTERS = frozenset("*")


def declared_inputs(provider: AEPProvider[Any], found: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The inputs a program declares for ``found`` (server values as inputs), in the resource's
    canonical form and without defaults; and what the resource's validation refuses in them, if any."""
    inputs = {
        name: _concise(provider, name, value)
        for name, value in provider._declared_inputs(found).items()
        if name in provider.args_model.model_fields
    }
    try:
        provider.args_model.model_validate(inputs)
    except ValidationError as exc:
        reasons = "; ".join(f"{f.property}: {f.reason}" for f in provider._failures(exc))
        return inputs, f"its inputs are not valid for {type(provider).__name__.removesuffix('Provider')}: {reasons}"
    return inputs, None


def _concise(provider: AEPProvider[Any], name: str, value: Any) -> Any:
    """An input in canonical JSON form, without the defaults of nested models (a mapping's
    ``source_type="ATTRIBUTE"``), as a person writes it; a value the input's type refuses stays as it is."""
    adapter = _field_adapter(provider.args_model, name)
    try:
        return sorted_keys(adapter.dump_python(adapter.validate_python(value), mode="json", exclude_defaults=True))
    except ValidationError:
        return value


def sorted_keys(value: Any) -> Any:
    """Objects with their keys sorted, at any depth: AEP may answer keys in any order (a field group's
    fields), and an order that means nothing must not change the program."""
    if isinstance(value, Mapping):
        return {key: sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(item) for item in value]
    return value


def _exported(
    kind: Kind,
    provider: AEPProvider[Any],
    obj: dict[str, Any],
    object_id: str,
    label: str,
    current: dict[str, Any] | None = None,
    problem: str | None = None,
) -> Exported:
    found = provider.inputs_from_server(obj, provider.args_model.model_construct(**(current or {})))
    inputs, invalid = declared_inputs(provider, found)
    aliases = (str(obj["meta:altId"]),) if obj.get("meta:altId") else ()
    return Exported(kind, object_id, label or object_id, inputs, problem or invalid, aliases=aliases,
                    version=obj.get("version"))  # fmt: skip


# --- Schema Registry -----------------------------------------------------------------------------------


def namespaces(inventory: Inventory) -> list[Exported]:
    provider = IdentityNamespaceProvider()
    return [
        _exported(model.NAMESPACE, provider, ns, str(ns.get("id")), str(ns.get("name") or ns.get("code") or ""))
        for ns in inventory.namespaces
    ]


def field_node_problem(name: str, node: Mapping[str, Any]) -> str | None:
    """What in a field's JSON-schema node ``FieldSpec`` cannot declare, if anything."""
    extra = sorted(set(node) - _FIELD_KEYS)
    if extra:
        return f"field {name} uses {', '.join(extra)}, which FieldGroup cannot declare yet"
    if node.get("isRequired"):
        return f"field {name} is required, which FieldGroup cannot declare yet"
    if "format" in node and node.get("format") not in DATE_FORMATS:
        return f"field {name} has format {node.get('format')!r}, which FieldGroup cannot declare yet"
    bounds = (node.get("minimum"), node.get("maximum"))
    if bounds != (None, None) and bounds != INTEGER_BOUNDS.get(str(node.get("meta:xdmType"))):
        return f"field {name} has bounds {bounds}, which FieldGroup cannot declare yet"
    for child, child_node in (node.get("properties") or {}).items():
        problem = field_node_problem(f"{name}.{child}", child_node) if isinstance(child_node, Mapping) else None
        if problem:
            return problem
    return None


def field_group_problem(group: Mapping[str, Any]) -> str | None:
    namespace = str(group.get("meta:tenantNamespace") or "")
    for definition in (group.get("definitions") or {}).values():
        properties = (definition.get("properties") if isinstance(definition, Mapping) else None) or {}
        foreign = sorted(set(properties) - {namespace})
        if foreign:
            return f"it defines fields outside the tenant namespace {namespace} ({', '.join(foreign)})"
        tenant = properties.get(namespace) or {}
        for name, node in (tenant.get("properties") or {}).items():
            problem = field_node_problem(name, node) if isinstance(node, Mapping) else None
            if problem:
                return problem
    return None


def field_groups(inventory: Inventory) -> list[Exported]:
    provider = FieldGroupProvider()
    return [
        _exported(model.FIELD_GROUP, provider, group, str(group["$id"]), str(group.get("title") or ""),
                  problem=field_group_problem(group))  # fmt: skip
        for group in inventory.field_groups
    ]


def is_tenant_id(ref: str | None, tenant: str) -> bool:
    """Whether a Schema Registry ``$id`` belongs to the org (``https://ns.adobe.com/<tenant>/...``)."""
    return bool(ref) and str(ref).startswith(f"https://ns.adobe.com/{tenant}/")


def schemas(inventory: Inventory) -> list[Exported]:
    provider = SchemaProvider()
    found = []
    for schema in inventory.schemas:
        descriptor = schema.get(PRIMARY_DESCRIPTOR)
        current = {"primary_identity": identity_of(descriptor)} if descriptor else {}
        class_id = schema.get("meta:class")
        problem = (
            f"its class {class_id} is a tenant class, which the provider cannot manage yet"
            if is_tenant_id(class_id, inventory.tenant)
            else None
        )
        found.append(_exported(model.SCHEMA, provider, schema, str(schema["$id"]), str(schema.get("title") or ""),
                               current, problem))  # fmt: skip
    return found


def descriptors(inventory: Inventory) -> list[Exported]:
    """Identity descriptors other than primary ones (a Schema declares its primary identity itself,
    so a Profile-enabled schema can be created anew in one ``up``); other descriptor types are listed."""
    provider = IdentityDescriptorProvider()
    titles = {str(s.get("$id")): str(s.get("title") or "") for s in inventory.schemas}
    found = []
    for descriptor in inventory.descriptors:
        descriptor_id = str(descriptor.get("@id"))
        schema_title = titles.get(str(descriptor.get("xdm:sourceSchema")), "")
        if descriptor.get("@type") != IDENTITY_TYPE:
            found.append(Exported(
                model.DESCRIPTOR, descriptor_id, f"{schema_title} {descriptor.get('@type')}".strip(),
                problem=f"descriptors of type {descriptor.get('@type')} cannot be managed yet (only identities)",
            ))  # fmt: skip
        elif not descriptor.get("xdm:isPrimary"):
            leaf = str(descriptor.get("xdm:sourceProperty") or "").rstrip("/").rsplit("/", 1)[-1]
            found.append(_exported(model.DESCRIPTOR, provider, descriptor, descriptor_id, f"{schema_title} {leaf}"))
    return found


def readable_identity(identity: Mapping[str, Any]) -> dict[str, Any]:
    """A field path as a person writes it (``_tenant.loyaltyId``) when the dotted form says the same."""
    path = str(identity.get("field_path") or "")
    parts = path.lstrip("/").split("/")
    if path.startswith("/") and all(part and "." not in part for part in parts):
        return {**identity, "field_path": ".".join(parts)}
    return dict(identity)


# --- Catalog -------------------------------------------------------------------------------------------


def user_tags(tags: Any) -> dict[str, list[str]]:
    """The dataset's own tags: not the platform's, nor the two flags the Dataset declares as inputs."""
    if not isinstance(tags, Mapping):
        return {}
    return {
        str(key): list(values)
        for key, values in tags.items()
        if key not in (PROFILE_TAG, IDENTITY_TAG) and not str(key).startswith(PLATFORM_TAG_PREFIXES)
        and isinstance(values, list)
    }  # fmt: skip


def datasets(inventory: Inventory) -> list[Exported]:
    provider = DatasetProvider()
    found = []
    for dataset in inventory.datasets:
        problem = None if (dataset.get("schemaRef") or {}).get("id") else "it follows no XDM schema (no schemaRef)"
        current = {"tags": user_tags(dataset.get("tags"))}
        found.append(_exported(model.DATASET, provider, dataset, str(dataset["id"]), str(dataset.get("name") or ""),
                               current, problem))  # fmt: skip
    return found


# --- Flow Service --------------------------------------------------------------------------------------


def is_masked(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 3 and set(value) <= _MASK_CHARACTERS


def auth_params(connection: Mapping[str, Any], spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A base connection's credentials as inputs: the values AEP shows in clear, and a ``SecretParam``
    for each parameter its auth spec marks ``"format": "password"`` (or that AEP shows masked).

    Only the auth spec's own parameters are kept when it lists them: AEP adds values of its own (the
    HTTP API's ``inletId``/``inletUrl``, aep-api.md §5.6), which are outputs, not credentials."""
    auth = connection.get("auth") if isinstance(connection.get("auth"), Mapping) else {}
    if not auth.get("specName"):
        return None
    shown = auth.get("params") if isinstance(auth.get("params"), Mapping) else {}
    schema = (auth_specs(spec or {}).get(str(auth["specName"])) or {}).get("spec") or {}
    properties = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    required = set(schema.get("required") or [])
    params: dict[str, Any] = {}
    for name in properties or shown:
        described = properties.get(name) if isinstance(properties.get(name), Mapping) else {}
        secret = described.get("format") == "password" or is_masked(shown.get(name))
        if secret and (name in shown or name in required):
            params[name] = SecretParam(name)
        elif name in shown:
            params[name] = shown[name]
    return params


def base_connections(inventory: Inventory) -> list[Exported]:
    provider = BaseConnectionProvider()
    found = []
    for connection in inventory.base_connections:
        current = {"connection_spec_id": spec_id_of(connection)}
        exported = _exported(model.BASE_CONNECTION, provider, connection, str(connection["id"]),
                             str(connection.get("name") or ""), current)  # fmt: skip
        params = auth_params(connection, inventory.connection_specs.get(spec_id_of(connection) or ""))
        if params is not None:
            exported.inputs["auth_params"] = params
        found.append(exported)
    return found


def source_connections(inventory: Inventory) -> list[Exported]:
    provider = SourceConnectionProvider()
    return [
        _exported(model.SOURCE_CONNECTION, provider, c, str(c["id"]), str(c.get("name") or ""))
        for c in inventory.source_connections
    ]


def target_connections(inventory: Inventory) -> list[Exported]:
    provider = TargetConnectionProvider()
    return [
        _exported(model.TARGET_CONNECTION, provider, c, str(c["id"]), str(c.get("name") or ""))
        for c in inventory.target_connections
    ]


def _mapping_params(flow: Mapping[str, Any]) -> Mapping[str, Any]:
    for transformation in flow.get("transformations") or []:
        if isinstance(transformation, Mapping) and transformation.get("name") == MAPPING:
            return transformation.get("params") or {}
    return {}


def mapping_sets(inventory: Inventory) -> list[Exported]:
    """Each mapping set at its newest version; named after the flow that uses it (mapping sets have no name)."""
    provider = MappingSetProvider()
    flow_names: dict[str, str] = {}
    for flow in sorted(inventory.flows, key=lambda f: (str(f.get("name")), str(f.get("id")))):
        flow_names.setdefault(str(_mapping_params(flow).get("mappingId")), str(flow.get("name") or ""))
    found = []
    for mapping_set in inventory.mapping_sets:
        mapping_set_id = str(mapping_set["id"])
        declared = [
            FieldMapping.model_construct(
                name=m.get("name") if m.get("name") not in (None, "", m.get("source")) else None,
                description=m.get("description") or None,
            )
            for m in mapping_set.get("mappings") or []
            if isinstance(m, Mapping)
        ]
        label = f"{flow_names.get(mapping_set_id, 'unused')} mapping"
        found.append(_exported(model.MAPPING_SET, provider, mapping_set, mapping_set_id, label, {"mappings": declared}))
    return found


def dataflows(inventory: Inventory) -> list[Exported]:
    """Flows without their start time: it has passed (a copy starts when it is created) and is never
    compared once declared unset (``dataflow.schedule_input``)."""
    provider = DataflowProvider()
    found = []
    for flow in inventory.flows:
        schedule = normalized_schedule(flow.get("scheduleParams"))
        current: dict[str, Any] = {"flow_spec_id": spec_id_of(flow, "flowSpec")}
        if schedule.get("backfill") is not None:
            current["schedule"] = Schedule.model_construct(frequency=schedule.get("frequency"), backfill=True)
        found.append(_exported(model.DATAFLOW, provider, flow, str(flow["id"]), str(flow.get("name") or ""), current))
    return found


TRANSLATORS: tuple[Callable[[Inventory], list[Exported]], ...] = (
    namespaces, field_groups, schemas, descriptors, datasets,
    base_connections, source_connections, target_connections, mapping_sets, dataflows,
)  # fmt: skip


def translate(inventory: Inventory) -> list[Exported]:
    """Every object of the inventory as an ``Exported``, in program order."""
    found: list[Exported] = []
    for translator in TRANSLATORS:
        found += translator(inventory)
    return found


def of_kind(objects: Iterable[Exported], kind: Kind) -> list[Exported]:
    return [o for o in objects if o.kind is kind]

