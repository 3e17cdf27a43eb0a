"""Typed request bodies of the Flow Service writes (aep-api.md §5.4–5.7, Create*Request of the spec).

The models check field *types* only (a wrong type is ``1100-400`` naming the field, a missing required
field ``1304-400``); the platform rules live in ``models.py``. Unknown top-level fields are ignored and
not stored. The stored object keeps the values exactly as sent (``connectionSpec.version`` may be the
number ``1``, as the cloud-storage seed sends it).
"""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from .exceptions import FlowError


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SpecRef(_Payload):
    id: str
    version: str | int | float | None = None


class AuthPayload(_Payload):
    specName: str
    params: dict[str, Any] | None = None


class DataPayload(_Payload):
    format: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    properties: dict[str, Any] | None = None


class ConnectionPayload(_Payload):
    name: str | None = None
    description: str | None = None
    auth: AuthPayload | None = None
    connectionSpec: SpecRef


class _DataConnectionPayload(_Payload):
    """What source and target connections share: data, its params and an optional base connection."""

    name: str | None = None
    description: str | None = None
    baseConnectionId: str | None = None
    data: DataPayload
    params: dict[str, Any] | None = None
    connectionSpec: SpecRef


class SourceConnectionPayload(_DataConnectionPayload):
    name: str  # only a source connection must be named; the field keeps its place (errors name the first)


class TargetConnectionPayload(_DataConnectionPayload):
    pass


class TransformationPayload(_Payload):
    name: str
    params: dict[str, Any]


class FlowPayload(_Payload):
    name: str | None = None
    description: str | None = None
    flowSpec: SpecRef
    sourceConnectionIds: list[str] | None = None
    targetConnectionIds: list[str] | None = None
    transformations: list[TransformationPayload] | None = None
    scheduleParams: dict[str, Any] | None = None
    options: dict[str, Any] | None = None
    labels: list[str] | None = None
    policy: dict[str, Any] | None = None


class RunPayload(_Payload):
    flowId: str | None = None
    params: dict[str, Any] | None = None


Model = TypeVar("Model", bound=_Payload)


def parse(model: type[Model], document: Any) -> Model:
    """Validate a request document; the error names the first offending field."""
    if not isinstance(document, dict):
        raise FlowError(1100, "The request body must be a JSON object.")
    try:
        return model.model_validate(document)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        if first["type"] == "missing":
            raise FlowError(
                1304, f"The mandatory field {field} is not provided. Provide {field} and try again."
            ) from None
        raise FlowError(1100, f"Invalid value for field {field}: {first['msg']}.") from None


def user_fields(model: type[_Payload]) -> tuple[str, ...]:
    """The top-level fields a client owns on this kind of object (what is kept from a request)."""
    return tuple(f.alias or name for name, f in model.model_fields.items())
