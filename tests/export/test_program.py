"""From an inventory (objects as AEP shows them) to the program: inputs, wiring, problems and rendering.

Inventories are built in memory in the shapes of the documented GETs (help/xdm/api/field-groups.md "Look
up a field group", help/catalog/api/look-up-object.md, help/sources/tutorials/api/update.md "Look up
connection details", help/data-prep/api/mapping-set.md "Get a mapping set"); the reading itself is tested
against the emulator in test_reader.py, and the program against the engine in tests/engine/test_export.py.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from aep_provider import specs, standard
from aep_provider.export import build_program
from aep_provider.export.reader import Inventory
from aep_provider.schema import PRIMARY_DESCRIPTOR

TENANT = "acme"
FG_ID = f"https://ns.adobe.com/{TENANT}/mixins/aa11"
SCHEMA_ID = f"https://ns.adobe.com/{TENANT}/schemas/bb22"
XED = "application/vnd.adobe.xed+json;version=1"


def field_group(fields: dict[str, Any] | None = None, fg_id: str = FG_ID, title: str = "Loyalty") -> dict[str, Any]:
    fields = fields or {"loyaltyId": {"title": "Loyalty id", "type": "string", "meta:xdmType": "string",
                                      "isRequired": False}}  # fmt: skip
    return {
        "$id": fg_id, "meta:altId": f"_{TENANT}.mixins.{fg_id[-4:]}", "title": title, "type": "object",
        "description": "", "version": "1.0", "meta:intendedToExtend": [standard.PROFILE],
        "meta:tenantNamespace": f"_{TENANT}",
        "definitions": {"customFields": {"type": "object", "properties": {
            f"_{TENANT}": {"type": "object", "properties": fields, "meta:xdmType": "object"}}}},
        "allOf": [{"$ref": "#/definitions/customFields"}],
    }  # fmt: skip


def schema(refs: list[str], primary: dict[str, Any] | None = None, union: bool = False) -> dict[str, Any]:
    found = {
        "$id": SCHEMA_ID, "meta:altId": f"_{TENANT}.schemas.bb22", "title": "Members", "type": "object",
        "version": "1.0", "meta:class": standard.PROFILE,
        "allOf": [{"$ref": ref} for ref in (standard.PROFILE, *refs)],
        PRIMARY_DESCRIPTOR: primary,
    }  # fmt: skip
    if union:
        found["meta:immutableTags"] = ["union"]
    return found


def identity(path: str, namespace: str, primary: bool, descriptor_id: str = "d1") -> dict[str, Any]:
    return {"@id": descriptor_id, "@type": "xdm:descriptorIdentity", "xdm:sourceSchema": SCHEMA_ID,
            "xdm:sourceVersion": 1, "xdm:sourceProperty": path, "xdm:namespace": namespace,
            "xdm:property": "xdm:code", "xdm:isPrimary": primary}  # fmt: skip


def dataset(schema_id: str | None = SCHEMA_ID, tags: dict[str, list[str]] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"id": "ds1", "name": "Members", "version": "1.0.0", "tags": tags or {},
                             "fileDescription": {"persisted": True, "format": "parquet"}}  # fmt: skip
    if schema_id:
        found["schemaRef"] = {"id": schema_id, "contentType": XED}
    return found


S3_SPEC = {
    "id": specs.AMAZON_S3, "name": "amazon-s3",
    "authSpec": [{"name": "Access Key", "type": "KeyBased", "spec": {
        "type": "object", "required": ["s3AccessKey", "s3SecretKey"],
        "properties": {"s3AccessKey": {"type": "string"}, "s3SecretKey": {"type": "string", "format": "password"}},
    }}],
}  # fmt: skip


def base_connection(params: dict[str, Any], spec_id: str = specs.AMAZON_S3) -> dict[str, Any]:
    return {"id": "c1", "name": "Bucket", "connectionSpec": {"id": spec_id, "version": "1.0"}, "state": "enabled",
            "auth": {"specName": "Access Key", "params": params}, "etag": '"1"'}  # fmt: skip


def target(dataset_id: str = "ds1") -> dict[str, Any]:
    return {"id": "t1", "name": "Members target", "connectionSpec": {"id": specs.DATA_LAKE, "version": "1.0"},
            "data": {"format": "parquet_xdm", "schema": {"id": SCHEMA_ID, "version": "x"}},
            "params": {"dataSetId": dataset_id}, "etag": '"1"', "state": "enabled"}  # fmt: skip


def source() -> dict[str, Any]:
    return {"id": "s1", "name": "Files", "baseConnectionId": "c1",
            "connectionSpec": {"id": specs.AMAZON_S3, "version": "1.0"}, "data": {"format": "json"},
            "params": {"path": "bucket/files"}, "etag": '"1"', "state": "enabled"}  # fmt: skip


def mapping_set(version: int = 0) -> dict[str, Any]:
    return {"id": "m1", "version": version,
            "outputSchema": {"schemaRef": {"id": SCHEMA_ID, "contentType": XED}},
            "mappings": [{"sourceType": "text/x.schema-path", "source": "id", "destination": f"_{TENANT}.loyaltyId",
                          "name": "id"}]}  # fmt: skip


def flow(mapping_version: int = 0) -> dict[str, Any]:
    return {"id": "f1", "name": "Files dataflow", "flowSpec": {"id": specs.CLOUD_STORAGE_FLOW, "version": "1.0"},
            "sourceConnectionIds": ["s1"], "targetConnectionIds": ["t1"], "state": "enabled",
            "transformations": [{"name": "Mapping", "params": {"mappingId": "m1", "mappingVersion": mapping_version}}],
            "scheduleParams": {"startTime": "1700000000", "frequency": "hour", "interval": "1", "backfill": "false"}}


def full_inventory() -> Inventory:
    """A field group, a schema, a dataset, an S3 source flowing through a mapping into the dataset."""
    return Inventory(
        sandbox="dev", tenant=TENANT, field_groups=[field_group()],
        schemas=[schema([FG_ID, "https://ns.adobe.com/xdm/context/profile-person-details"])],
        datasets=[dataset()], base_connections=[base_connection({"s3AccessKey": "AKIA", "s3SecretKey": "********"})],
        source_connections=[source()], target_connections=[target()], mapping_sets=[mapping_set()], flows=[flow()],
        connection_specs={specs.AMAZON_S3: S3_SPEC},
    )  # fmt: skip


def change(**updates: Any) -> Callable[[Inventory], None]:
    def apply(inventory: Inventory) -> None:
        for name, value in updates.items():
            setattr(inventory, name, value)

    return apply


# (case, change to the full inventory, lines the program must hold, objects it must list as not exported)
CASES: list[tuple[str, Callable[[Inventory], None], list[str], list[str]]] = [
    ("references are outputs of the resources", change(), [
        "schema_id=members_schema.schema_id,",
        "base_connection_id=bucket_connection.connection_id,",
        "dataset_id=members_dataset.dataset_id,",
        "source_connection_ids=[files_source.source_connection_id],",
        "target_connection_ids=[members_target.target_connection_id],",
        "mapping_set_id=files_dataflow_mapping.mapping_set_id,",
        "mapping_version=files_dataflow_mapping.mapping_version,",
        "schema=members_schema,", "field_groups=[loyalty_field_group],",
    ], []),
    ("well-known ids are names from aep_provider", change(), [
        "class_id=standard.PROFILE,", "intended_classes=[standard.PROFILE],",
        'standard.field_group_id("Demographic Details")', "connection_spec_id=specs.AMAZON_S3,",
        "flow_spec_id=specs.CLOUD_STORAGE_FLOW,",
    ], []),
    ("secrets come from stack config, clear values are kept", change(), [
        '"s3SecretKey": config.require_secret("bucketConnectionS3SecretKey")', '"s3AccessKey": "AKIA"',
    ], []),
    ("a flow on an older mapping version names that version", change(mapping_sets=[mapping_set(2)]), [
        "mapping_version=0,",
    ], []),
    ("a schedule without its start time, values typed", change(), [
        'schedule={"backfill": False, "frequency": "hour", "interval": 1},',
    ], []),
    ("platform tags are left to the platform", change(datasets=[dataset(tags={
        "adobe/pqs/table": ["members"], "aep/siphon/partitions/creationPath": ["x"], "acp_validationContext": ["y"],
        "unifiedProfile": ["enabled:true", "enabledAt:2024-01-01"], "aep-provider/marker": ["pulumi-0123456789abcdef0123"],
        "team": ["crm"]})]), [
        'tags={"team": ["crm"]},', "profile_enabled=True,",
    ], []),
    ("a primary identity is the schema's, in its namespace", change(
        schemas=[schema([FG_ID], primary=identity(f"/_{TENANT}/loyaltyId", "Loyalty", True), union=True)],
        namespaces=[{"id": 7, "name": "Loyalty", "code": "Loyalty", "idType": "CROSS_DEVICE", "custom": True}]), [
        '"field_path": "_acme.loyaltyId"', '"namespace": loyalty_namespace.code', "profile_enabled=True,",
        'id_type="Cross_device",',
    ], []),
    ("other identities are descriptors", change(descriptors=[identity(f"/_{TENANT}/loyaltyId", "Email", False)]), [
        "members_loyalty_id_identity = IdentityDescriptor(", 'field_path="_acme.loyaltyId",', 'namespace="Email",',
    ], []),
    ("a field type FieldGroup lacks is listed, with what uses it", change(field_groups=[field_group(
        {"tags": {"type": "array", "items": {"type": "string"}, "meta:xdmType": "array"}})]), [], [
        "FieldGroup 'Loyalty'", "Schema 'Members'", "Dataset 'Members'", "TargetConnection 'Members target'",
        "MappingSet 'Files dataflow mapping'", "Dataflow 'Files dataflow'",
    ]),
    ("an enum is listed", change(field_groups=[field_group({"tier": {"type": "string", "enum": ["gold"]}})]), [], [
        "FieldGroup 'Loyalty' (https://ns.adobe.com/acme/mixins/aa11): field tier uses enum",
    ]),
    ("a tenant schema missing from the sandbox stops what uses it", change(datasets=[
        dataset(schema_id=f"https://ns.adobe.com/{TENANT}/schemas/gone")]), [], [
        "Dataset 'Members' (ds1): it uses Schema https://ns.adobe.com/acme/schemas/gone, which is not in the",
        "TargetConnection 'Members target' (t1): it uses Dataset 'Members' (ds1), which cannot be managed",
    ]),
    ("a dataset without a schema is listed", change(datasets=[dataset(schema_id=None)]), [], [
        "Dataset 'Members' (ds1): it follows no XDM schema",
    ]),
    ("descriptors other than identities are listed", change(descriptors=[
        {"@id": "r1", "@type": "xdm:descriptorOneToOne", "xdm:sourceSchema": SCHEMA_ID}]), [], [
        "IdentityDescriptor 'Members xdm:descriptorOneToOne' (r1): descriptors of type xdm:descriptorOneToOne",
    ]),
]


@pytest.mark.parametrize(("case", "changed", "lines", "unmanaged"), CASES, ids=[c[0] for c in CASES])
def test_program(case: str, changed: Callable[[Inventory], None], lines: list[str], unmanaged: list[str]) -> None:
    inventory = full_inventory()
    changed(inventory)
    program = build_program(inventory)

    compile(program.source, "__main__.py", "exec")
    flat = re.sub(r"\n\s*", " ", program.source).replace("( ", "(").replace("[ ", "[").replace(", )", ")")
    for line in lines:
        assert line.rstrip(",") in flat or line in program.source, f"{case}: {line!r} missing from\n{program.source}"
    listed = "\n".join(f"{o.describe()}: {o.problem}" for o in program.unmanaged)
    for entry in unmanaged:
        assert entry in listed, f"{case}: {entry!r} not listed in\n{listed}"
        assert f"# - {entry}" in program.source.replace("\n# ", " ") or entry in program.source
    if not unmanaged:
        assert program.unmanaged == ()
    for obj in program.unmanaged:
        assert f"{obj.var} = " not in program.source  # listed, never declared


def test_masked_and_server_made_params_never_reach_the_program() -> None:
    inventory = full_inventory()
    inventory.base_connections = [base_connection(
        {"s3AccessKey": "AKIA", "s3SecretKey": "********", "inletId": "abc", "inletUrl": "https://x/abc"})]
    source = build_program(inventory).source
    assert "********" not in source and "inletUrl" not in source and "inletId" not in source


def test_adopt_ids_only_with_adoption() -> None:
    adopting = build_program(full_inventory()).source
    copy_ = build_program(full_inventory(), adopt=False).source
    assert 'adopt_id="ds1"' in adopting and "adopt_id" not in copy_
    assert adopting.count("adopt_id=") == len(build_program(full_inventory()).resources)


def test_same_inventory_in_any_order_gives_the_same_program() -> None:
    inventory = full_inventory()
    inventory.schemas.append({**copy.deepcopy(inventory.schemas[0]), "$id": SCHEMA_ID + "x", "title": "Members"})
    shuffled = copy.deepcopy(inventory)
    for name in ("schemas", "datasets", "field_groups"):
        getattr(shuffled, name).reverse()
    assert build_program(shuffled).source == build_program(inventory).source
    assert "members_schema_2 = Schema(" in build_program(inventory).source


def test_header_lists_the_secrets_to_set() -> None:
    program = build_program(full_inventory())
    assert program.secrets == ("bucketConnectionS3SecretKey",)
    assert "pulumi config set --secret bucketConnectionS3SecretKey <value>" in program.source
