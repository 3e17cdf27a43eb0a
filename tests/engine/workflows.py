"""What the engine scenarios deploy, as declarations for ``programs/declared``.

Each workflow is a frozen dataclass of the knobs scenarios turn (a description, the schema a dataset
follows, a schedule, ...); ``resources()`` turns it into the declaration. A scenario changes a knob
with ``dataclasses.replace`` and deploys the result: the program stays the same, only config moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aep_emulator.core.context import EmulatorConfig
from aep_provider.specs import AMAZON_KINESIS, AMAZON_S3, AZURE_BLOB, DATA_LAKE, STREAMING_FLOW

from .aep_stack import declared, ref, secret

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"
PERSONAL_DETAILS = "https://ns.adobe.com/xdm/context/profile-personal-details"

LOYALTY_FIELDS = {
    "loyaltyId": {"type": "string", "title": "Loyalty id"},
    "points": {"type": "long", "title": "Points"},
}


@dataclass(frozen=True)
class SchemaSide:
    """A custom field group, two schemas using it and a dataset following one of them."""

    dataset_name: str = "Loyalty members"
    dataset_description: str = "Members of the loyalty programme"
    schema_description: str = "Loyalty members"
    dataset_schema: str = "members"  # which of the two schemas ("members" / "prospects") the dataset follows
    dataset_adopt_id: str | None = None

    def resources(self) -> list[dict[str, Any]]:
        dataset_inputs: dict[str, Any] = {
            "name": self.dataset_name,
            "description": self.dataset_description,
            "schema_id": ref(f"{self.dataset_schema}.schema_id"),
            "tags": {"team": ["loyalty"]},
        }
        if self.dataset_adopt_id is not None:
            dataset_inputs["adopt_id"] = self.dataset_adopt_id
        return [
            declared(
                "loyalty",
                "FieldGroup",
                {"title": "Loyalty details", "intended_classes": [PROFILE_CLASS], "fields": LOYALTY_FIELDS},
                exports=["field_group_id"],
            ),
            declared(
                "members",
                "Schema",
                {
                    "title": "Loyalty members",
                    "description": self.schema_description,
                    "class_id": PROFILE_CLASS,
                    "field_groups": [ref("loyalty.field_group_id"), PERSON_DETAILS],
                },
                exports=["schema_id"],
            ),
            declared(
                "prospects",
                "Schema",
                {
                    "title": "Loyalty prospects",
                    "class_id": PROFILE_CLASS,
                    "field_groups": [ref("loyalty.field_group_id")],
                },
                exports=["schema_id"],
            ),
            declared(
                "identity",
                "IdentityDescriptor",
                {"schema_id": ref("members.schema_id"), "field_path": "_emulator.loyaltyId", "namespace": "Email"},
            ),
            declared("members_data", "Dataset", dataset_inputs, exports=["dataset_id", "schema_id"]),
        ]


# --- the flow side ----------------------------------------------------------------------------------

TENANT = f"_{EmulatorConfig().tenant_id}"  # where the emulator's tenant fields live

KINESIS_STREAM = "engine-orders"
KINESIS_SECRET = "kinesisSecretKey"  # stack config secrets the workflows read
S3_SECRET = "s3SecretKey"
BLOB_SECRET = "blobConnectionString"
S3_BUCKET = "engine-parquet"

RAW_TO_XDM = (
    ("firstName", "person.name.firstName"),
    ("lastName", "person.name.lastName"),
    ("loyaltyId", f"{TENANT}.loyaltyId"),
)


def profile_schemas(prefix: str, loyalty_fields: dict[str, Any] = LOYALTY_FIELDS) -> list[dict[str, Any]]:
    """A loyalty field group and two Profile schemas using it (``profiles`` and ``profiles_v2``), so a
    dataset can be moved from one to the other."""
    return [
        declared(
            "loyalty",
            "FieldGroup",
            {"title": f"{prefix} loyalty", "intended_classes": [PROFILE_CLASS], "fields": loyalty_fields},
            exports=["field_group_id"],
        ),
        *(
            declared(
                name,
                "Schema",
                {
                    "title": f"{prefix} {title}",
                    "class_id": PROFILE_CLASS,
                    "field_groups": [PERSON_DETAILS, PERSONAL_DETAILS, ref("loyalty.field_group_id")],
                },
                exports=["schema_id"],
            )
            for name, title in (("profiles", "profiles"), ("profiles_v2", "profiles v2"))
        ),
    ]


@dataclass(frozen=True)
class Streaming:
    """Seed 000: Kinesis raw records -> mapping set -> a dataset, through a streaming dataflow."""

    prefix: str = "Streaming"
    flow_description: str = "Kinesis raw records mapped to XDM profiles"
    dataset_schema: str = "profiles"
    mappings: tuple[tuple[str, str], ...] = RAW_TO_XDM
    kinesis_adopt_id: str | None = None
    kinesis_name: str = "Streaming Kinesis"
    loyalty_fields: dict[str, Any] = field(default_factory=lambda: dict(LOYALTY_FIELDS))

    def resources(self) -> list[dict[str, Any]]:
        schema_id = ref(f"{self.dataset_schema}.schema_id")
        kinesis = {
            "name": self.kinesis_name,
            "connection_spec_id": AMAZON_KINESIS,
            "auth_spec_name": "Aws Kinesis authentication credentials",
            "auth_params": {
                "accessKeyId": "AKIAENGINEKINESIS",
                "secretKey": secret(KINESIS_SECRET),
                "region": "us-east-1",
            },
        }
        if self.kinesis_adopt_id:
            kinesis["adopt_id"] = self.kinesis_adopt_id
        return [
            *profile_schemas(self.prefix, self.loyalty_fields),
            declared(
                "dataset",
                "Dataset",
                {"name": f"{self.prefix} dataset", "schema_id": schema_id},
                exports=["dataset_id"],
            ),
            declared("kinesis", "BaseConnection", kinesis, exports=["connection_id"]),
            declared(
                "source",
                "SourceConnection",
                {
                    "name": f"{self.prefix} Kinesis source",
                    "connection_spec_id": AMAZON_KINESIS,
                    "base_connection_id": ref("kinesis.connection_id"),
                    "data_format": "json",
                    "params": {"stream": KINESIS_STREAM, "dataType": "raw", "reset": "latest"},
                },
                exports=["source_connection_id"],
            ),
            declared(
                "target",
                "TargetConnection",
                {
                    "name": f"{self.prefix} target",
                    "dataset_id": ref("dataset.dataset_id"),
                    "schema_id": schema_id,
                    "data_format": "parquet_xdm",
                },
                exports=["target_connection_id"],
            ),
            declared(
                "mapping",
                "MappingSet",
                {
                    "schema_id": schema_id,
                    # As MappingSet(schema=..., field_groups=[...]) wires them: destinations are checked
                    # at preview, except while the schema or the loyalty field group changes.
                    "schema_version": ref(f"{self.dataset_schema}.version"),
                    "field_group_versions": [ref("loyalty.version")],
                    "mappings": [
                        {"source": source, "destination": destination} for source, destination in self.mappings
                    ],
                },
                exports=["mapping_set_id", "mapping_version"],
            ),
            declared(
                "flow",
                "Dataflow",
                {
                    "name": f"{self.prefix} dataflow",
                    "description": self.flow_description,
                    "flow_spec_id": STREAMING_FLOW,
                    "source_connection_ids": [ref("source.source_connection_id")],
                    "target_connection_ids": [ref("target.target_connection_id")],
                    "mapping_set_id": ref("mapping.mapping_set_id"),
                    "mapping_version": ref("mapping.mapping_version"),
                },
                exports=["flow_id", "state"],
            ),
        ]


@dataclass(frozen=True)
class Parquet:
    """Seed 004: XDM parquet files in cloud storage -> a dataset, on a schedule."""

    prefix: str = "Parquet"
    storage: str = "s3"  # "s3" or "blob": the connector the files are read with
    interval_minutes: int = 15
    flow_description: str = "Scheduled ingestion of XDM parquet files"
    dataset_base_adopt_id: str | None = None
    dataset_base_name: str = "Parquet dataset base connection"

    def storage_connection(self) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(connection spec id, base connection inputs, source params) of the configured storage."""
        if self.storage == "blob":
            auth = {"auth_spec_name": "ConnectionString", "auth_params": {"connectionString": secret(BLOB_SECRET)}}
            return AZURE_BLOB, auth, {"path": "container/parquet", "type": "folder", "recursive": True}
        auth = {
            "auth_spec_name": "Access Key",
            "auth_params": {"s3AccessKey": "AKIAENGINES3", "s3SecretKey": secret(S3_SECRET)},
        }
        return AMAZON_S3, auth, {"path": f"{S3_BUCKET}/parquet", "type": "folder", "recursive": True}

    def resources(self) -> list[dict[str, Any]]:
        spec_id, auth, source_params = self.storage_connection()
        dataset_base: dict[str, Any] = {"name": self.dataset_base_name, "connection_spec_id": DATA_LAKE}
        if self.dataset_base_adopt_id:
            dataset_base["adopt_id"] = self.dataset_base_adopt_id
        return [
            *profile_schemas(self.prefix),
            declared(
                "storage",
                "BaseConnection",
                {"name": f"{self.prefix} {self.storage}", "connection_spec_id": spec_id, **auth},
                exports=["connection_id"],
            ),
            declared(
                "source",
                "SourceConnection",
                {
                    "name": f"{self.prefix} parquet source",
                    "connection_spec_id": spec_id,
                    "base_connection_id": ref("storage.connection_id"),
                    "data_format": "parquet_xdm",
                    "schema_id": ref("profiles.schema_id"),
                    "params": source_params,
                },
                exports=["source_connection_id"],
            ),
            declared("dataset_base", "BaseConnection", dataset_base, exports=["connection_id"]),
            declared(
                "dataset",
                "Dataset",
                {"name": f"{self.prefix} dataset", "schema_id": ref("profiles.schema_id"), "file_format": "parquet"},
                exports=["dataset_id"],
            ),
            declared(
                "target",
                "TargetConnection",
                {
                    "name": f"{self.prefix} target",
                    "base_connection_id": ref("dataset_base.connection_id"),
                    "dataset_id": ref("dataset.dataset_id"),
                    "schema_id": ref("profiles.schema_id"),
                    "data_format": "parquet_xdm",
                },
                exports=["target_connection_id"],
            ),
            declared(
                "flow",
                "Dataflow",
                {
                    "name": f"{self.prefix} ingestion flow",
                    "description": self.flow_description,
                    "source_connection_ids": [ref("source.source_connection_id")],
                    "target_connection_ids": [ref("target.target_connection_id")],
                    "schedule": {"frequency": "minute", "interval": self.interval_minutes},
                },
                exports=["flow_id", "resolved_flow_spec_id"],
            ),
        ]
