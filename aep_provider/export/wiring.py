"""References between exported objects, written as a person would: ids become outputs of the resources
that manage them (``schema_id=members_schema.schema_id``), well-known ids become names from
``aep_provider`` (``standard.PROFILE``, ``specs.AMAZON_KINESIS``), and anything else stays a literal.

References use id outputs (always known in a preview, see ``AEPResource``) except where the resource
asks for another output: a flow follows its mapping set's ``mapping_version``, a descriptor names its
namespace's ``code``, and a mapping set takes its schema with ``schema=`` (``MappingSet`` wires the version).

An object that needs an object of the org that is not exported (missing, or not manageable) cannot be
managed either: it gets a problem saying which, and so do the objects that need it, in turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import specs, standard
from . import model
from .model import Exported, Kind, Ref, Symbol
from .translate import is_tenant_id, readable_identity

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _spec_symbols() -> dict[str, Symbol]:
    """Connection and flow spec id -> its constant in ``aep_provider.specs`` (the first name, sorted)."""
    found: dict[str, Symbol] = {}
    for name in sorted(vars(specs)):
        value = getattr(specs, name)
        if name.isupper() and isinstance(value, str) and _UUID.match(value):
            found.setdefault(value, Symbol(f"specs.{name}"))
    return found


def _standard_symbols() -> dict[str, Symbol]:
    """Standard class and field group ``$id`` -> how ``aep_provider.standard`` names it."""
    found = {
        standard.PROFILE: Symbol("standard.PROFILE"),
        standard.EXPERIENCE_EVENT: Symbol("standard.EXPERIENCE_EVENT"),
        standard.IDENTITY_MAP: Symbol("standard.IDENTITY_MAP"),
    }
    for title, id_ in standard.FIELD_GROUPS.items():
        found.setdefault(id_, Symbol(f"standard.field_group_id({title!r})"))
    return found


SPEC_SYMBOLS = _spec_symbols()
STANDARD_SYMBOLS = _standard_symbols()


@dataclass
class Index:
    """Exported objects by kind and by every id AEP may name them with."""

    tenant: str
    by_id: dict[tuple[str, str], Exported] = field(default_factory=dict)
    namespaces_by_code: dict[str, Exported] = field(default_factory=dict)

    @classmethod
    def of(cls, objects: Iterable[Exported], tenant: str) -> Index:
        index = cls(tenant)
        for obj in objects:
            for id_ in (obj.object_id, *obj.aliases):
                index.by_id[(obj.kind.resource, id_)] = obj
            if obj.kind is model.NAMESPACE and obj.inputs.get("code"):
                index.namespaces_by_code[str(obj.inputs["code"])] = obj
        return index

    def find(self, kind: Kind, id_: Any) -> Exported | None:
        return self.by_id.get((kind.resource, str(id_))) if id_ is not None else None


@dataclass
class Wiring:
    """Wires one object; notes the first reference it needs and cannot have."""

    obj: Exported
    index: Index

    def refuse(self, kind: Kind, id_: Any) -> None:
        if self.obj.problem is None:
            self.obj.problem = f"it uses {kind.resource} {id_}, which is not in the sandbox's export"

    def required(self, kind: Kind, id_: Any, attribute: str | None = None) -> Any:
        """A reference to the object ``id_`` of ``kind``, which must be exported."""
        target = self.index.find(kind, id_)
        if target is None:
            self.refuse(kind, id_)
            return id_
        return Ref(target, attribute if attribute is not None else kind.id_output)

    def registry_id(self, kind: Kind, id_: Any) -> Any:
        """A Schema Registry id: a reference when exported, else a name from ``standard`` or the literal;
        a tenant id not exported cannot be used."""
        target = self.index.find(kind, id_)
        if target is not None:
            return Ref(target, kind.id_output)
        if is_tenant_id(id_, self.index.tenant):
            self.refuse(kind, id_)
        return STANDARD_SYMBOLS.get(str(id_), id_)

    def namespace(self, code: Any) -> Any:
        target = self.index.namespaces_by_code.get(str(code))
        return Ref(target, "code") if target is not None else code

    def set(self, name: str, wire: Callable[[Any], Any]) -> None:
        if name in self.obj.inputs:
            self.obj.inputs[name] = wire(self.obj.inputs[name])


def _standard(value: Any) -> Any:
    return STANDARD_SYMBOLS.get(str(value), value)


def _field_group(w: Wiring) -> None:
    w.set("intended_classes", lambda ids: [_standard(i) for i in ids])


def _schema(w: Wiring) -> None:
    w.set("class_id", _standard)
    w.set("field_groups", lambda ids: [w.registry_id(model.FIELD_GROUP, i) for i in ids])
    w.set("primary_identity", lambda i: {**readable_identity(i), "namespace": w.namespace(i.get("namespace"))})


def _descriptor(w: Wiring) -> None:
    w.set("schema_id", lambda v: w.required(model.SCHEMA, v))
    w.set("field_path", lambda v: readable_identity({"field_path": v})["field_path"])
    w.set("namespace", w.namespace)


def _dataset(w: Wiring) -> None:
    w.set("schema_id", lambda v: w.registry_id(model.SCHEMA, v))


def _spec(w: Wiring) -> None:
    w.set("connection_spec_id", lambda v: SPEC_SYMBOLS.get(str(v), v))


def _source(w: Wiring) -> None:
    _spec(w)
    w.set("base_connection_id", lambda v: w.required(model.BASE_CONNECTION, v))
    w.set("schema_id", lambda v: w.registry_id(model.SCHEMA, v))


def _target(w: Wiring) -> None:
    _source(w)
    w.set("dataset_id", lambda v: w.required(model.DATASET, v))


def _mapping_set(w: Wiring) -> None:
    schema_id = w.obj.inputs.get("schema_id")
    wired = w.registry_id(model.SCHEMA, schema_id)
    if not isinstance(wired, Ref):
        w.obj.inputs["schema_id"] = wired
        return
    # As MappingSet documents it: schema= wires the id and version, field_groups= the groups' versions.
    del w.obj.inputs["schema_id"]
    w.obj.keywords["schema"] = Ref(wired.target, "")
    groups = [g.target for g in wired.target.inputs.get("field_groups") or [] if isinstance(g, Ref)]
    if groups:
        w.obj.keywords["field_groups"] = [Ref(g, "") for g in groups]


def _dataflow(w: Wiring) -> None:
    w.set("flow_spec_id", lambda v: SPEC_SYMBOLS.get(str(v), v))
    w.set("source_connection_ids", lambda ids: [w.required(model.SOURCE_CONNECTION, i) for i in ids])
    w.set("target_connection_ids", lambda ids: [w.required(model.TARGET_CONNECTION, i) for i in ids])
    mapping = w.index.find(model.MAPPING_SET, w.obj.inputs.get("mapping_set_id"))
    w.set("mapping_set_id", lambda v: w.required(model.MAPPING_SET, v))
    if mapping is not None and str(mapping.version) == str(w.obj.inputs.get("mapping_version")):
        w.obj.inputs["mapping_version"] = Ref(mapping, "mapping_version")  # the flow follows new versions


WIRERS: dict[str, Callable[[Wiring], None]] = {
    model.FIELD_GROUP.resource: _field_group,
    model.SCHEMA.resource: _schema,
    model.DESCRIPTOR.resource: _descriptor,
    model.DATASET.resource: _dataset,
    model.BASE_CONNECTION.resource: _spec,
    model.SOURCE_CONNECTION.resource: _source,
    model.TARGET_CONNECTION.resource: _target,
    model.MAPPING_SET.resource: _mapping_set,
    model.DATAFLOW.resource: _dataflow,
}


def references(value: Any) -> Iterable[Ref]:
    """Every ``Ref`` in a value, at any depth."""
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from references(item)


def wire(objects: list[Exported], tenant: str) -> None:
    """Replace ids by references in every object's inputs; then spread problems along references."""
    index = Index.of(objects, tenant)
    for obj in objects:
        wirer = WIRERS.get(obj.kind.resource)
        if wirer is not None:
            wirer(Wiring(obj, index))
    changed = True
    while changed:  # an object needing an unmanaged one is unmanaged too
        changed = False
        for obj in objects:
            if obj.problem is not None:
                continue
            for ref in references([obj.inputs, obj.keywords]):
                if ref.target.problem is not None:
                    obj.problem = f"it uses {ref.target.describe()}, which cannot be managed"
                    changed = True
                    break
