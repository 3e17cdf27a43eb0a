"""Rules of base, source and target connections: specs, auth, base-connection policy, datasets, AWS checks.

Each resource has ``validate`` (platform rules, run inside the write transaction), ``verify`` (checks
against AWS, run before it so the store is not locked during network calls) and ``render`` (what GET shows).

What a PATCH may change (any other path is ``1365-400``, see ``patching.py``):
- base connections: ``/name``, ``/description``, ``/auth/params`` and the params below it
  (help/sources/tutorials/api/update.md, "Update connection"; the S3 tutorial patches
  ``/auth/params/s3SessionToken``, help/sources/tutorials/api/create/cloud-storage/s3.md);
- source and target connections: ``/name`` and ``/description`` only. The docs show no PATCH of an ingestion
  source or target connection; the two documented ones (``/params/filters`` of a *draft* source connection,
  help/sources/tutorials/api/filter.md; ``/params`` of a *destination* target connection,
  help/destinations/api/edit-destination.md) concern objects the emulator does not have
  (docs/platform-assumptions.md).
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from ..core.context import state
from ..core.hooks import mask_in_dump, secret_fingerprint
from ..core.store import Scope
from . import aws
from .exceptions import FlowError, invalid
from .objects import CONNECTIONS, VERIFICATION_FIELD, kind, now_ms, store
from .other_services import dataset_schema, require_dataset, same_schema
from .payloads import ConnectionPayload, SourceConnectionPayload, TargetConnectionPayload, parse
from .specs import DATA_LAKE_SPEC_ID, ConnectionSpec, connection_spec, validate_params

CONNECTION_PATCHABLE = ("/name", "/description", "/auth/params")
DATA_CONNECTION_PATCHABLE = ("/name", "/description")  # source and target connections

# What GET shows in place of a secret auth param (aep-api §11 #10: the real form is UNCONFIRMED).
SECRET_MASK = "********"
INLET_URL_PREFIX = "https://dcs.adobedc.net/collection/"


def known_spec(spec_id: Any) -> ConnectionSpec:
    spec = connection_spec(spec_id)
    if spec is None:
        raise FlowError(1413, f"The spec ID {spec_id} provided is invalid. Provide a valid spec ID and try again.")
    return spec


def _checked_spec(
    payload: type[ConnectionPayload | SourceConnectionPayload | TargetConnectionPayload],
    document: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
) -> ConnectionSpec:
    """The spec of a connection write: the body is well-typed, names a known spec and keeps the previous one."""
    parse(payload, document)
    spec = known_spec(document["connectionSpec"]["id"])
    if previous and previous["connectionSpec"]["id"] != document["connectionSpec"]["id"]:
        raise FlowError(1414, "The connection spec of a connection cannot be updated.")
    return spec


def _check_auth(spec: ConnectionSpec, document: Mapping[str, Any]) -> None:
    auth = document.get("auth")
    if not spec.auth_specs:
        if auth is not None:
            raise FlowError(1415, f"The auth spec could not be found: connection spec {spec.id} takes no auth.")
        return
    if auth is None:
        raise FlowError(1304, "The mandatory field auth is not provided. Provide auth and try again.")
    auth_spec = spec.auth_specs.get(auth["specName"])
    if auth_spec is None:
        raise FlowError(
            1415, f"The auth spec '{auth['specName']}' could not be found for the connection spec ID {spec.id}."
        )
    validate_params(auth_spec.schema, auth.get("params") or {}, "auth.params")


def validate_connection(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    spec = _checked_spec(ConnectionPayload, document, previous)
    if spec.base_connection == "forbidden":
        raise FlowError(1305, f"The provided connector type = {spec.name} is not supported for this operation.")
    _check_auth(spec, document)
    if previous and previous.get("auth") and document.get("auth"):
        if previous["auth"]["specName"] != document["auth"]["specName"]:
            raise invalid("The auth spec of a connection cannot be changed; create a new connection instead.")
    if spec.issues_inlet:
        document = _with_inlet(document, previous)
    return document


def _with_inlet(document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """HTTP API connections get a streaming inlet; it is server-owned and survives updates."""
    params = dict(document["auth"].get("params") or {})
    old_params = (previous or {}).get("auth", {}).get("params", {})
    inlet_id = old_params.get("inletId") or secrets.token_hex(32)
    params.update(inletId=inlet_id, inletUrl=INLET_URL_PREFIX + inlet_id)
    params.setdefault("authenticationRequired", False)
    return {**document, "auth": {**document["auth"], "params": params}}


def verify_connection(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    parse(ConnectionPayload, document)
    spec = known_spec(document["connectionSpec"]["id"])
    if spec.aws_service is None:
        return {}
    _check_auth(spec, document)
    if previous is not None and previous.get("auth") == document.get("auth"):
        return {}
    return _verification(lambda: verify_aws_credentials(spec, document))


def verify_aws_credentials(spec: ConnectionSpec, connection: Mapping[str, Any]) -> None:
    endpoint = state().config.aws_endpoint
    if not endpoint or spec.aws_service is None:
        return
    params = connection["auth"]["params"]
    if spec.aws_service == "s3":
        aws.verify_s3(aws.AwsAccess.for_s3(endpoint, params))
    else:
        aws.verify_kinesis(aws.AwsAccess.for_kinesis(endpoint, params))


def _verification(check: Callable[[], None]) -> dict[str, Any]:
    """Run an AWS check when an endpoint is configured and record the outcome on the object."""
    if not state().config.aws_endpoint:
        detail = "No AWS endpoint is configured in the emulator; the check against AWS was skipped."
        return {VERIFICATION_FIELD: {"status": "skipped", "checkedAt": now_ms(), "detail": detail}}
    check()
    return {VERIFICATION_FIELD: {"status": "verified", "checkedAt": now_ms()}}


def render_connection(scope: Scope, obj: dict[str, Any]) -> dict[str, Any]:
    """A base connection as GET shows it: each secret auth param (``"format": "password"`` in its auth spec)
    keeps its key with the value hidden, every other param in clear. help/sources/tutorials/api/update.md,
    "Look up connection details": the Salesforce GET shows ``username`` and ``environmentUrl`` but
    ``password`` and ``securityToken`` only as placeholders (the two params the spec marks as passwords,
    tests/contract/examples/flowservice_connection_spec_salesforce.json); flow-service.yaml's Connections
    tag: a base connection holds "a partial view of the credentials". The mask's text is not documented."""
    return _with_secrets(obj, lambda value: SECRET_MASK)


def dumped_connection(obj: dict[str, Any]) -> dict[str, Any]:
    """A base connection in the ``/__emulator/objects`` dump: secret params as fingerprints, never in clear."""
    return _with_secrets(obj, lambda value: secret_fingerprint(value) if isinstance(value, str) else SECRET_MASK)


def _with_secrets(obj: dict[str, Any], hide: Callable[[Any], Any]) -> dict[str, Any]:
    shown = copy.deepcopy(obj)
    auth = shown.get("auth")
    spec = connection_spec((shown.get("connectionSpec") or {}).get("id"))
    if isinstance(auth, dict) and spec and isinstance(auth.get("params"), dict):
        for name in spec.secret_params(auth.get("specName")):
            if name in auth["params"]:
                auth["params"][name] = hide(auth["params"][name])
    return shown


def _base_connection(scope: Scope, spec: ConnectionSpec, base_id: str | None) -> dict[str, Any] | None:
    """The base connection a source/target connection points at, checked against the spec's policy."""
    if base_id is None:
        if spec.base_connection == "required":
            raise FlowError(1304, "The mandatory field baseConnectionId is not provided. Provide it and try again.")
        return None
    if spec.base_connection == "forbidden":
        raise FlowError(
            1332,
            f"The source connection request with the connectionSpecId: {spec.id} cannot have a baseConnectionId. "
            "Remove the baseConnectionId and try again.",
        )
    base = store().get(scope, kind(CONNECTIONS), base_id)
    if base is None:
        raise invalid(f"The base connection {base_id} does not exist in this sandbox.")
    if base["connectionSpec"]["id"] != spec.id:
        raise FlowError(
            1413,
            f"The base connection {base_id} uses connection spec {base['connectionSpec']['id']}, not {spec.id}.",
        )
    return base


def validate_source_connection(
    scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any]:
    spec = _checked_spec(SourceConnectionPayload, document, previous)
    if spec.source is None:
        raise FlowError(1413, f"The spec ID {spec.id} is not a source connection spec.")
    _base_connection(scope, spec, document.get("baseConnectionId"))
    data_format = document["data"].get("format")
    if data_format not in spec.source.formats:
        raise FlowError(
            1327,
            f"The format of source data supplied={data_format} in SourceConnection is not supported. "
            f"The allowed values are: {', '.join(spec.source.formats)}.",
        )
    validate_params(spec.source.schema, document.get("params") or {}, "params")
    return document


def verify_source_connection(scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    parse(SourceConnectionPayload, document)
    spec = known_spec(document["connectionSpec"]["id"])
    if spec.aws_service != "kinesis" or spec.source is None:
        return {}
    base = _base_connection(scope, spec, document.get("baseConnectionId"))
    params = document.get("params") or {}
    validate_params(spec.source.schema, params, "params")
    if previous is not None or base is None:
        return {}  # a PATCH changes only name and description (DATA_CONNECTION_PATCHABLE): nothing to verify again
    endpoint = state().config.aws_endpoint or ""
    return _verification(
        lambda: aws.require_stream(aws.AwsAccess.for_kinesis(endpoint, base["auth"]["params"]), params["stream"])
    )


def target_dataset_id(document: Mapping[str, Any]) -> str:
    params = document.get("params")
    dataset_id = params.get("dataSetId") if isinstance(params, dict) else None
    if dataset_id is None:
        raise FlowError(1324, "The target connection has no params.dataSetId. Provide a valid dataSetId and try again.")
    if isinstance(dataset_id, str) and not dataset_id.strip():
        raise FlowError(1325, "The dataSetId param cannot be null or empty in the target connection.")
    return dataset_id


def validate_target_connection(
    scope: Scope, document: dict[str, Any], previous: dict[str, Any] | None
) -> dict[str, Any]:
    spec = _checked_spec(TargetConnectionPayload, document, previous)
    if spec.id != DATA_LAKE_SPEC_ID or spec.target is None:
        raise FlowError(
            1307, f"The target connection spec ID is not valid={spec.id}. The allowed value is: {DATA_LAKE_SPEC_ID}."
        )
    _base_connection(scope, spec, document.get("baseConnectionId"))
    dataset_id = target_dataset_id(document)
    validate_params(spec.target.schema, document["params"], "params")
    data_format = document["data"].get("format")
    if data_format not in spec.target.formats:
        raise FlowError(
            1396, f"The target data format {data_format} is not supported: use one of {', '.join(spec.target.formats)}."
        )
    dataset = require_dataset(scope, dataset_id)
    schema = document["data"].get("schema") or {}
    schema_ref = schema.get("id") or schema.get("schemaId")
    if schema_ref and not same_schema(scope, schema_ref, dataset_schema(dataset)):
        raise invalid(
            f"The schema {schema_ref} of the target connection is not the schema "
            f"{dataset_schema(dataset)} of dataset {dataset_id}."
        )
    return document


def render_with_base(scope: Scope, obj: dict[str, Any]) -> dict[str, Any]:
    """A source or target connection as GET shows it: ``data.schema`` and ``data.properties`` are null when
    unset (a source connection GET, help/sources/tutorials/api/filter.md), the provider and the base connection."""
    rendered = dict(obj)
    if isinstance(obj.get("data"), dict):
        rendered["data"] = {"schema": None, "properties": None, **obj["data"]}
    spec = connection_spec(obj["connectionSpec"]["id"])
    if spec:
        rendered["providerRefId"] = spec.provider_id
    base = store().get(scope, kind(CONNECTIONS), obj["baseConnectionId"]) if obj.get("baseConnectionId") else None
    if base:
        rendered["inheritedAttributes"] = {
            "baseConnection": {"id": base["id"], "connectionSpec": base["connectionSpec"]}
        }
    return rendered


mask_in_dump(kind(CONNECTIONS), dumped_connection)
