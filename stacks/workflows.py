"""The two workflows this project was built from, as Pulumi resources driven by stack config.

1. **Streaming raw data** (``seeds/000``): a Profile schema (person and personal details, plus a custom
   field group whose ``loyaltyId`` is the primary identity), enabled for Profile; a dataset tagged for
   Identity and Profile; a Kinesis base and source connection; a Data Lake target connection; a mapping
   set (raw ``firstName``/``lastName``/``loyaltyId`` to XDM) and the streaming dataflow that applies it.
2. **Scheduled parquet ingestion** (``seeds/004``): a Profile schema of the tutorial's six parts; an S3
   base and source connection reading XDM-shaped parquet (``parquet_xdm``) below a path; a dataset base
   connection; a parquet dataset and its target connection; a dataflow on a schedule whose flow spec is
   looked up from the two connectors (``CloudStorageToAEP``).

Stack config lives in the project's namespace (``aep-provider:<key>``); ``aep:*`` holds the provider
settings only. See ``StackConfig`` for every key and its default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from aep_provider import (
    BaseConnection,
    Dataflow,
    Dataset,
    FieldGroup,
    IdentityNamespace,
    MappingSet,
    Schema,
    SourceConnection,
    TargetConnection,
    specs,
    tenant_namespace,
)

if TYPE_CHECKING:
    from aep_provider.input_types import ScheduleDict

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"
PERSONAL_DETAILS = "https://ns.adobe.com/xdm/context/profile-personal-details"
WORK_DETAILS = "https://ns.adobe.com/xdm/context/profile-work-details"
SUBSCRIPTIONS = "https://ns.adobe.com/xdm/context/profile-subscriptions"
IDENTITY_MAP = "https://ns.adobe.com/xdm/context/identitymap"
KINESIS_AUTH_SPEC = "Aws Kinesis authentication credentials"
S3_AUTH_SPEC = "Access Key"
WORKFLOWS = ("streaming", "parquet")
# Codes of the standard identity namespaces every org has (help/privacy-service/api/appendix.md, "Standard
# identity namespaces"; AAID: help/profile/api/preview-sample-status.md). Any other code is a custom
# namespace, which the streaming workflow declares (help/identity-service/features/namespaces.md).
STANDARD_NAMESPACES = frozenset({"Email", "Phone", "AdCloud", "CORE", "ECID", "TNTID", "IDFA", "GAID", "WAID", "AAID"})


@dataclass(frozen=True)
class StackConfig:
    """Every stack config key the program reads (``pulumi config set aep-provider:<key> ...``)."""

    name_prefix: str
    """``namePrefix`` (default ``Demo``): starts every title and name; schema titles are unique per sandbox."""
    workflows: tuple[str, ...]
    """``workflows`` (default ``streaming,parquet``): which workflows this stack deploys."""
    identity_namespace: str
    """``identityNamespace`` (default ``CRMID``): code of the identity namespace of the loyalty id (the primary
    identity). A standard code (``STANDARD_NAMESPACES``) is used as it is; any other is a custom namespace
    that the stack declares (``IdentityNamespace``, type Cross_device)."""
    identity_namespace_id: str | None
    """``identityNamespaceId`` (optional): id of an existing custom namespace with that code, adopted instead
    of created (an org that already has it: AEP refuses a second namespace with the same code)."""
    kinesis_stream: str
    """``kinesisStream`` (default ``aep-demo-stream``): the Kinesis stream read."""
    kinesis_region: str
    """``kinesisRegion`` (default ``us-east-1``)."""
    s3_path: str
    """``s3Path`` (default ``aep-demo-bucket/samples``): bucket and folder of the parquet files."""
    schedule: ScheduleDict
    """``scheduleFrequency`` (default ``minute``), ``scheduleInterval`` (default 15), ``scheduleStartTime``
    (epoch seconds; default: when the flow is created), ``scheduleBackfill`` (default true)."""

    @classmethod
    def from_stack(cls, config: pulumi.Config | None = None) -> StackConfig:
        config = config or pulumi.Config()
        workflows = tuple(w.strip() for w in (config.get("workflows") or ",".join(WORKFLOWS)).split(",") if w.strip())
        unknown = sorted(set(workflows) - set(WORKFLOWS))
        if unknown:
            raise pulumi.RunError(f"workflows: unknown {', '.join(unknown)}; choose from {', '.join(WORKFLOWS)}")
        frequency = config.get("scheduleFrequency") or "minute"
        schedule: ScheduleDict = {"frequency": frequency}
        if frequency != "once":
            schedule["interval"] = config.get_int("scheduleInterval") or 15
            schedule["backfill"] = config.get_bool("scheduleBackfill") is not False
        start_time = config.get_int("scheduleStartTime")
        if start_time is not None:
            schedule["start_time"] = start_time
        return cls(
            name_prefix=config.get("namePrefix") or "Demo",
            workflows=workflows,
            identity_namespace=config.get("identityNamespace") or "CRMID",
            identity_namespace_id=config.get("identityNamespaceId"),
            kinesis_stream=config.get("kinesisStream") or "aep-demo-stream",
            kinesis_region=config.get("kinesisRegion") or "us-east-1",
            s3_path=config.get("s3Path") or "aep-demo-bucket/samples",
            schedule=schedule,
        )


def identity_namespace(cfg: StackConfig) -> tuple[pulumi.Input[str], IdentityNamespace | None]:
    """The primary identity's namespace code, and the custom namespace declared for it (None if standard).

    A custom code is wired through the namespace's id, so the schema is checked and written after the
    namespace exists; the id stays known while the namespace updates in place, so the code does too."""
    if cfg.identity_namespace in STANDARD_NAMESPACES:
        return cfg.identity_namespace, None
    namespace = IdentityNamespace(
        "identity-namespace",
        name=f"{cfg.name_prefix} {cfg.identity_namespace}",
        code=cfg.identity_namespace,
        # help/identity-service/features/namespaces.md: cross-device ids are "a login ID, CRM ID, and loyalty ID".
        id_type="Cross_device",
        description="Members of the loyalty programme, by their loyalty id.",
        adopt_id=cfg.identity_namespace_id,
    )
    code = cfg.identity_namespace
    return namespace.namespace_id.apply(lambda _: code), namespace


def streaming_workflow(cfg: StackConfig, config: pulumi.Config) -> dict[str, Any]:
    """Kinesis raw records -> mapping -> a Profile-enabled dataset. Returns the ids to export."""
    prefix = cfg.name_prefix
    # AEP never deletes a Profile-enabled schema, nor a field group such a schema uses: `pulumi destroy`
    # forgets both (they stay in the sandbox) instead of failing on them.
    kept_by_aep = pulumi.ResourceOptions(retain_on_delete=True)
    loyalty = FieldGroup(
        "loyalty-fields",
        title=f"{prefix} loyalty details",
        description="The loyalty programme's member id, the primary identity of streamed profiles.",
        intended_classes=[PROFILE_CLASS],
        fields={"loyaltyId": {"type": "string", "title": "Loyalty id"}},
        opts=kept_by_aep,
    )
    # Known in every preview (GET /stats), so growing the field group previews no update of what uses it.
    tenant = tenant_namespace(fallback=loyalty)
    identity_code, custom_namespace = identity_namespace(cfg)
    schema = Schema(
        "streaming-schema",
        title=f"{prefix} streaming profiles",
        description="Sample schema for a streaming connector",
        class_id=PROFILE_CLASS,
        field_groups=[PERSON_DETAILS, PERSONAL_DETAILS, loyalty.field_group_id],
        primary_identity=pulumi.Output.all(tenant, identity_code).apply(
            lambda known: {"field_path": f"{known[0]}.loyaltyId", "namespace": known[1]}
        ),
        profile_enabled=True,
        opts=kept_by_aep,
    )
    dataset = Dataset(
        "streaming-dataset",
        name=f"{prefix} streaming dataset",
        schema_id=schema.schema_id,
        profile_enabled=True,
        identity_enabled=True,
    )
    access_key_id = config.require("kinesisAccessKeyId")
    kinesis = BaseConnection(
        "kinesis",
        name=f"{prefix} Kinesis",
        connection_spec_id=specs.AMAZON_KINESIS,
        auth_spec_name=KINESIS_AUTH_SPEC,
        auth_params=config.require_secret("kinesisSecretKey").apply(
            lambda secret: {"accessKeyId": access_key_id, "secretKey": secret, "region": cfg.kinesis_region}
        ),
    )
    source = SourceConnection(
        "kinesis-source",
        name=f"{prefix} Kinesis source",
        connection_spec_id=specs.AMAZON_KINESIS,
        base_connection_id=kinesis.connection_id,
        data_format="json",
        params={"stream": cfg.kinesis_stream, "dataType": "raw", "reset": "latest"},
    )
    target = TargetConnection(
        "streaming-target",
        name=f"{prefix} streaming target connection",
        dataset_id=dataset.dataset_id,
        schema_id=schema.schema_id,
        data_format="parquet_xdm",
    )
    mapping = MappingSet(
        "streaming-mapping",
        # Wires schema_id and the versions of the schema and of the field group whose field is mapped:
        # destinations are checked at preview, or at `up` while either changes in the same deployment.
        schema=schema,
        field_groups=[loyalty],
        mappings=[
            {"source": "firstName", "destination": "person.name.firstName"},
            {"source": "lastName", "destination": "person.name.lastName"},
            {"source": "loyaltyId", "destination": tenant.apply(lambda ns: f"{ns}.loyaltyId")},
        ],
    )
    flow = Dataflow(
        "streaming-flow",
        name=f"{prefix} streaming dataflow",
        description="Kinesis raw records mapped to XDM profiles",
        flow_spec_id=specs.STREAMING_FLOW,  # the tutorial's id: "Stream data with optional transformation"
        source_connection_ids=[source.source_connection_id],
        target_connection_ids=[target.target_connection_id],
        mapping_set_id=mapping.mapping_set_id,
        mapping_version=mapping.mapping_version,
    )
    outputs: dict[str, Any] = {} if custom_namespace is None else {"identity_namespace_id": custom_namespace.namespace_id}
    return {
        **outputs,
        "streaming_schema_id": schema.schema_id,
        "streaming_primary_identity_descriptor_id": schema.primary_identity_descriptor_id,
        "streaming_dataset_id": dataset.dataset_id,
        "kinesis_connection_id": kinesis.connection_id,
        "kinesis_source_connection_id": source.source_connection_id,
        "streaming_target_connection_id": target.target_connection_id,
        "mapping_set_id": mapping.mapping_set_id,
        "mapping_version": mapping.mapping_version,
        "streaming_flow_id": flow.flow_id,
        "streaming_flow_state": flow.state,
    }


def parquet_workflow(cfg: StackConfig, config: pulumi.Config) -> dict[str, Any]:
    """XDM parquet files in S3 -> a dataset, on a schedule. Returns the ids to export."""
    prefix = cfg.name_prefix
    schema = Schema(
        "parquet-schema",
        title=f"{prefix} parquet profiles",
        description="Profiles ingested from parquet files in cloud storage",
        class_id=PROFILE_CLASS,
        field_groups=[PERSON_DETAILS, PERSONAL_DETAILS, WORK_DETAILS, SUBSCRIPTIONS, IDENTITY_MAP],
    )
    access_key = config.require("s3AccessKey")
    s3 = BaseConnection(
        "s3",
        name=f"{prefix} S3",
        connection_spec_id=specs.AMAZON_S3,
        auth_spec_name=S3_AUTH_SPEC,
        auth_params=config.require_secret("s3SecretKey").apply(
            lambda secret: {"s3AccessKey": access_key, "s3SecretKey": secret}
        ),
    )
    source = SourceConnection(
        "s3-source",
        name=f"{prefix} S3 parquet source",
        connection_spec_id=specs.AMAZON_S3,
        base_connection_id=s3.connection_id,
        data_format="parquet_xdm",
        schema_id=schema.schema_id,
        params={"path": cfg.s3_path, "type": "folder", "recursive": True},
    )
    dataset_base = BaseConnection(
        "dataset-base-connection",
        name=f"{prefix} dataset base connection",
        connection_spec_id=specs.DATA_LAKE,
    )
    dataset = Dataset(
        "parquet-dataset",
        name=f"{prefix} parquet dataset",
        schema_id=schema.schema_id,
        file_format="parquet",
    )
    target = TargetConnection(
        "parquet-target",
        name=f"{prefix} parquet target connection",
        base_connection_id=dataset_base.connection_id,
        dataset_id=dataset.dataset_id,
        schema_id=schema.schema_id,
        data_format="parquet_xdm",
    )
    flow = Dataflow(
        "parquet-flow",
        name=f"{prefix} parquet ingestion flow",
        description="Scheduled ingestion of XDM parquet files from S3",
        # flow_spec_id unset: the provider uses the one flow spec joining S3 and the Data Lake.
        source_connection_ids=[source.source_connection_id],
        target_connection_ids=[target.target_connection_id],
        schedule=cfg.schedule,
    )
    return {
        "parquet_schema_id": schema.schema_id,
        "parquet_dataset_id": dataset.dataset_id,
        "s3_connection_id": s3.connection_id,
        "s3_source_connection_id": source.source_connection_id,
        "dataset_base_connection_id": dataset_base.connection_id,
        "parquet_target_connection_id": target.target_connection_id,
        "parquet_flow_id": flow.flow_id,
        "parquet_flow_spec_id": flow.resolved_flow_spec_id,
    }


def deploy(config: pulumi.Config | None = None) -> dict[str, Any]:
    """Declare the configured workflows; returns every output worth exporting."""
    config = config or pulumi.Config()
    cfg = StackConfig.from_stack(config)
    outputs: dict[str, Any] = {}
    if "streaming" in cfg.workflows:
        outputs.update(streaming_workflow(cfg, config))
    if "parquet" in cfg.workflows:
        outputs.update(parquet_workflow(cfg, config))
    return outputs
