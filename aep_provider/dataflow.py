"""``Dataflow``: a Flow Service flow (``/flows``) joining source and target connections.

- ``flow_spec_id`` says what kind of flow it is (``specs.STREAMING_FLOW``, ``specs.CLOUD_STORAGE_FLOW``,
  ...). Leave it unset to use the one flow spec that accepts the connections' connectors (looked up at
  create; the id used is the ``resolved_flow_spec_id`` output).
- ``mapping_set_id`` + ``mapping_version`` add the ``Mapping`` transformation (wire them to a
  ``MappingSet``'s outputs: a new mapping version then moves the flow to it in place).
- ``schedule`` (batch flows only): ``frequency`` once|minute|hour|day|week, ``interval`` (at least 15
  for minutes, none for ``once``), ``start_time`` in epoch seconds (unset: a few minutes after the create
  request is sent, recomputed for every re-send; never compared after that), ``backfill``. A start time
  already past fails at preview for a new flow: AEP refuses it (1360-400,
  help/sources/errors/sources-errors.md).
- ``enabled``: a change calls ``POST /flows/{id}/action?op=enable|disable`` and waits for the state.

In place (JSON Patch with ``If-Match``, help/sources/tutorials/api/update-dataflows.md): name,
description, the mapping (``/transformations/0``), the schedule's frequency and interval, and, before the
flow starts, its start time and backfill; plus ``enabled``. AEP refuses, once a flow has started, to
switch to ``once``, to change backfill or to move the start time: ``check`` refuses those with the
reason. Replaced: the flow spec and the connections; and every change but ``enabled`` when the flow
spec's ``attributes.uiAttributes.apiFeatures.updateSupported`` is false (help/sources/tutorials/api/
collect/streaming.md shows it on the HTTP API flow spec). A delete the platform refuses for a spec with
``deleteSupported: false`` fails saying so.

Flow states (help/sources/errors/flow-service-errors.md): a flow passes through transitional states after
each create, PATCH and action, and AEP refuses writes meanwhile (1416, 1420, 1421, 1422-400). The
provider waits (bounded, with backoff) until ``lastOperation`` is over before each PATCH, action and
delete, and after its own, and retries those refusals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Mapping
from typing import Any, Literal, TYPE_CHECKING, overload

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .base import AEPArgs, AEPResource, user_inputs
from .client import AEPClient
from .errors import AEPApiError, AEPProviderError, AmbiguousWriteError
from .flow_service import (
    FLOWS,
    SOURCE_CONNECTIONS,
    TARGET_CONNECTIONS,
    TRANSITIONING_CODES,
    FlowServiceProvider,
    Operations,
    converge,
    create_object,
    description_change,
    get_object,
    patch_object,
    path,
    retry_while_transitioning,
    spec_id_of,
    spec_ref,
    wait_until_settled,
)
from .mapping_set import MAPPING_SETS
from .marker import without_marker
from .specs import describe, flow_spec, flow_spec_joining, schema_problems

if TYPE_CHECKING:  # names in the typed constructor's signatures only
    from collections.abc import Sequence
    from .input_types import ScheduleDict

log = logging.getLogger(__name__)

Frequency = Literal["once", "minute", "hour", "day", "week"]
MINIMUM_INTERVAL: dict[str, int] = {"minute": 15}
ENABLED, DISABLED = "enabled", "disabled"
# Transitional states (flow-service.yaml lists them for connections) and whether the flow will run after.
_SETTLES_ENABLED = {"enabled": True, "enabling": True, "disabled": False, "disabling": False}
MAPPING = "Mapping"
# Deletes AEP refuses while a flow is finalizing (1456-1458) or between states: waited out like "in use".
BUSY_CODES = frozenset({"1456-400", "1457-400", "1458-400"}) | TRANSITIONING_CODES
# The default start time is this far ahead of each send of the create: later than the client's longest
# re-send of the same bytes (5 retries honouring Retry-After up to 60 s), so AEP never sees it in the past.
DEFAULT_START_LEAD_SECONDS = 600
_MILLISECONDS = 10**11  # epoch seconds stay below this until the year 5138


class Schedule(BaseModel):
    """When a batch flow runs (the flow spec's ``scheduleParams``)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    frequency: Frequency
    """``once``, ``minute``, ``hour``, ``day`` or ``week``."""

    interval: int | None = Field(None, ge=1)
    """Runs every ``interval`` frequency units: at least 15 for ``minute``; none for ``once``."""

    start_time: int | None = Field(None, ge=0)
    """First run, in epoch seconds; unset means when the flow is created. Cannot move once passed."""

    backfill: bool | None = None
    """Whether the first run also takes the data already there (AEP's default: true); not with ``once``."""

    @model_validator(mode="after")
    def _platform_rules(self) -> Schedule:
        if self.frequency == "once":
            if self.interval is not None:
                raise ValueError("interval: not allowed with frequency 'once' (a one-time run); remove it")
            if self.backfill is not None:
                raise ValueError("backfill: not allowed with frequency 'once'; remove it")
        elif self.interval is None:
            raise ValueError(f"interval: required with frequency {self.frequency!r}, e.g. interval=1")
        minimum = MINIMUM_INTERVAL.get(self.frequency, 1)
        if self.interval is not None and self.interval < minimum:
            raise ValueError(f"interval: at least {minimum} with frequency {self.frequency!r}, got {self.interval}")
        if self.start_time is not None and self.start_time >= _MILLISECONDS:
            raise ValueError(f"start_time: {self.start_time} looks like milliseconds; give epoch seconds")
        return self

    def wire(self, default_start: int) -> dict[str, Any]:
        """``scheduleParams`` as sent to AEP."""
        params: dict[str, Any] = {"startTime": self.start_time or default_start, "frequency": self.frequency}
        if self.interval is not None:
            params["interval"] = self.interval
        if self.backfill is not None:
            params["backfill"] = self.backfill
        return params

    def started(self, now: float) -> bool:
        """Whether a flow with this schedule has started (no start time: it started at creation)."""
        return self.start_time is None or self.start_time <= now


class DataflowArgs(AEPArgs):
    name: str = Field(min_length=1)
    """Dataflow name shown in the platform UI."""

    description: str | None = None
    """Free-text description."""

    source_connection_ids: list[str] = Field(min_length=1)
    """``source_connection_id`` of the SourceConnection(s) read. Changing them replaces the flow."""

    target_connection_ids: list[str] = Field(min_length=1)
    """``target_connection_id`` of the TargetConnection(s) written. Changing them replaces the flow."""

    flow_spec_id: str | None = None
    """Flow spec id (e.g. ``specs.STREAMING_FLOW``); unset: the one flow spec accepting the connections. Changing it replaces the flow."""

    mapping_set_id: str | None = None
    """``mapping_set_id`` of the MappingSet applied (the ``Mapping`` transformation); set with ``mapping_version``."""

    mapping_version: int | None = Field(None, ge=0)
    """Version of the mapping set applied (``MappingSet.mapping_version``)."""

    schedule: Schedule | None = None
    """When a batch flow runs, e.g. ``{"frequency": "minute", "interval": 15}``; streaming flows take none."""

    enabled: bool = True
    """Whether the flow runs; a change enables or disables it and waits for the new state."""


def whole_number(value: Any) -> int | None:
    """An integer AEP may send as a number or a string (``15``, ``"15"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def normalized_schedule(params: Any) -> dict[str, Any]:
    """Server ``scheduleParams`` with numbers and booleans sent as strings turned into their types."""
    if not isinstance(params, Mapping):
        return {}
    values = dict(params)
    for key in ("startTime", "interval"):
        number = whole_number(values.get(key))
        if number is not None:
            values[key] = number
    if isinstance(values.get("backfill"), str):
        values["backfill"] = values["backfill"].strip().lower() == "true"
    return values


def schedule_input(params: Any, declared: Schedule | None) -> dict[str, Any] | None:
    """A flow's schedule as an input: start time and backfill only when the user declared them."""
    values = normalized_schedule(params)
    if not values:
        return None
    return {
        "frequency": values.get("frequency"),
        "interval": values.get("interval"),
        "start_time": values.get("startTime") if declared is not None and declared.start_time is not None else None,
        "backfill": values.get("backfill") if declared is not None and declared.backfill is not None else None,
    }


def mapping_transformation(args: DataflowArgs) -> dict[str, Any] | None:
    if not args.mapping_set_id:
        return None
    return {"name": MAPPING, "params": {"mappingId": args.mapping_set_id, "mappingVersion": args.mapping_version}}


def _mapping_of(flow: Mapping[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """(index, params) of the flow's Mapping transformation, with the version as a number."""
    for index, transformation in enumerate(flow.get("transformations") or []):
        if isinstance(transformation, Mapping) and transformation.get("name") == MAPPING:
            params = dict(transformation.get("params") or {})
            params["mappingVersion"] = whole_number(params.get("mappingVersion"))
            return index, params
    return None


def mapping_operations(current: Mapping[str, Any], new: DataflowArgs) -> Operations:
    wanted = mapping_transformation(new)
    found = _mapping_of(current)
    if found is None:
        if wanted is None:
            return []
        has_list = isinstance(current.get("transformations"), list)
        return [{"op": "add", "path": "/transformations/-" if has_list else "/transformations",
                 "value": wanted if has_list else [wanted]}]  # fmt: skip
    index, params = found
    if wanted is None:
        return [{"op": "remove", "path": f"/transformations/{index}"}]
    if params != wanted["params"]:
        return [{"op": "replace", "path": f"/transformations/{index}", "value": wanted}]
    return []


def schedule_operations(current: Mapping[str, Any], new: DataflowArgs) -> Operations:
    if new.schedule is None or not isinstance(current.get("scheduleParams"), Mapping):
        return []  # adding or dropping a schedule means another flow spec: a replacement
    once = new.schedule.frequency == "once"
    wanted: dict[str, Any] = {
        "/scheduleParams/frequency": new.schedule.frequency,
        "/scheduleParams/interval": new.schedule.interval,
    }
    if new.schedule.start_time is not None:
        wanted["/scheduleParams/startTime"] = new.schedule.start_time
    if once or new.schedule.backfill is not None:
        wanted["/scheduleParams/backfill"] = None if once else new.schedule.backfill
    return converge({**current, "scheduleParams": normalized_schedule(current["scheduleParams"])}, wanted)


class DataflowProvider(FlowServiceProvider[DataflowArgs]):
    collection = FLOWS
    args_model = DataflowArgs
    replace_on = frozenset({"flow_spec_id", "source_connection_ids", "target_connection_ids"})
    server_outputs = (
        "flow_id", "etag", "state", "resolved_flow_spec_id", "update_supported", "delete_supported", "sandbox",
    )  # fmt: skip
    id_output = "flow_id"
    in_use_codes = BUSY_CODES
    # Inputs still changed in place when the flow spec refuses updates: an action, not a PATCH.
    _ACTION_INPUTS = frozenset({"enabled"})

    # --- check and diff ------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        result = super().check(olds, news)
        if not result.failures and self._makes_a_new_flow(olds, news):
            result.failures += self._past_start_failures(news)
        return result

    def replaced_inputs(self, changed: list[str], olds: Mapping[str, Any]) -> list[str]:
        """When the flow spec refuses updates (its ``attributes.uiAttributes.apiFeatures.updateSupported`` is false,
        the ``update_supported`` output), every change but ``enabled`` replaces the flow."""
        if olds.get("update_supported") is False:  # the flow spec refuses updates: all but actions replace
            return [name for name in changed if name not in self._ACTION_INPUTS]
        return super().replaced_inputs(changed, olds)

    def _makes_a_new_flow(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        if news.get("adopt_id"):
            return False
        return not user_inputs(olds) or bool(self.diff("", dict(olds), dict(news)).replaces)

    def _past_start_failures(self, news: Mapping[str, Any]) -> list[CheckFailure]:
        known, _, _ = self._validate_fields(user_inputs(news))
        schedule = known.get("schedule")
        start = schedule.start_time if isinstance(schedule, Schedule) else None
        if start is None or start > time.time():
            return []
        return [CheckFailure(
            "schedule", f"schedule.start_time: {start} is in the past; AEP refuses a new flow that starts in the "
            "past (1360-400): give a later epoch-seconds time, or leave start_time unset to start a few "
            "minutes after the flow is created",
        )]  # fmt: skip

    def validate(self, args: DataflowArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        mapping_known = {"mapping_set_id", "mapping_version"} <= known
        if mapping_known and (args.mapping_set_id is None) != (args.mapping_version is None):
            yield CheckFailure(
                "mapping_version",
                "set mapping_set_id and mapping_version together (the MappingSet's mapping_set_id and mapping_version)",
            )
            return
        sandbox = self.known_sandbox(args, known)
        if sandbox is None:
            return
        connection_specs: dict[str, dict[str, str]] = {}
        ends = (("source_connection_ids", SOURCE_CONNECTIONS), ("target_connection_ids", TARGET_CONNECTIONS))
        for field, resource in ends:
            if field in known:
                found = yield from self._connection_specs(field, resource, getattr(args, field), sandbox)
                if found is not None:
                    connection_specs[field] = found
        spec = yield from self._flow_spec(args, known, sandbox, connection_specs)
        if spec is not None:
            yield from self._spec_failures(args, known, spec, connection_specs)
        if mapping_known and args.mapping_set_id is not None:
            yield from self._mapping_version_failures(args, sandbox)

    def validate_change(self, old: DataflowArgs, new: DataflowArgs, known: frozenset[str]) -> Iterable[CheckFailure]:
        if "schedule" not in known or old.schedule is None or new.schedule is None:
            return
        if not old.schedule.started(time.time()):
            return
        before, after = old.schedule, new.schedule
        if after.frequency == "once" and before.frequency != "once":
            yield CheckFailure(
                "schedule", "frequency: a flow that has started cannot switch to 'once'; keep the frequency, "
                "or replace the flow (e.g. a new resource name) to run it once",
            )  # fmt: skip
        if (after.backfill is not False) != (before.backfill is not False):
            yield CheckFailure("schedule", "backfill: cannot change once the flow has started; keep its previous value")
        if after.start_time != before.start_time:
            was = "its creation" if before.start_time is None else str(before.start_time)
            yield CheckFailure(
                "schedule", f"start_time: the flow started at {was}; a start time that has passed cannot move "
                "(keep the previous value)",
            )  # fmt: skip

    def _connection_specs(
        self, field: str, resource: str, ids: list[str], sandbox: str
    ) -> Generator[CheckFailure, None, dict[str, str] | None]:
        """Yields failures; returns connection id -> its connection spec id (None when unchecked)."""
        specs_of: dict[str, str] = {}
        for connection_id in ids:
            connection = self.lookup(
                field,
                lambda client, cid=connection_id: get_object(client, resource, cid, sandbox),
                f"{connection_id} does not exist in sandbox {sandbox!r}; use the id output of a "
                f"{'SourceConnection' if resource == SOURCE_CONNECTIONS else 'TargetConnection'}",
            )
            if isinstance(connection, CheckFailure):
                yield connection
                return None
            if connection is None:
                return None
            specs_of[connection_id] = spec_id_of(connection) or ""
        return specs_of

    def _flow_spec(
        self, args: DataflowArgs, known: frozenset[str], sandbox: str, connection_specs: dict[str, dict[str, str]]
    ) -> Generator[CheckFailure, None, Mapping[str, Any] | None]:
        """Yields failures; returns the flow spec (given or looked up), or None when it cannot be known."""
        if "flow_spec_id" not in known:
            return None
        if args.flow_spec_id:
            found = self.lookup(
                "flow_spec_id",
                lambda client: flow_spec(client, str(args.flow_spec_id), sandbox),
                f"unknown flow spec {args.flow_spec_id!r}; use an id from aep_provider.specs "
                "(e.g. specs.STREAMING_FLOW) or leave flow_spec_id unset to look it up",
            )
        elif len(connection_specs) == 2:
            source = next(iter(connection_specs["source_connection_ids"].values()))
            target = next(iter(connection_specs["target_connection_ids"].values()))
            found = self.lookup("flow_spec_id", lambda client: flow_spec_joining(client, source, target, sandbox), "")
        else:
            return None
        if isinstance(found, CheckFailure):
            yield found
            return None
        return found

    def _spec_failures(
        self,
        args: DataflowArgs,
        known: frozenset[str],
        spec: Mapping[str, Any],
        connection_specs: dict[str, dict[str, str]],
    ) -> Iterable[CheckFailure]:
        for field, accepted_key in (("source_connection_ids", "sourceConnectionSpecIds"),
                                    ("target_connection_ids", "targetConnectionSpecIds")):  # fmt: skip
            accepted = spec.get(accepted_key) or []
            for connection_id, spec_id in connection_specs.get(field, {}).items():
                if spec_id not in accepted:
                    yield CheckFailure(
                        field,
                        f"{connection_id} is a connection of spec {spec_id}, which flow spec {describe(spec)} does "
                        f"not accept (it takes {', '.join(accepted)}); use another flow spec or connection",
                    )
        schedule_section = spec.get("scheduleSpec")
        schedule_spec = schedule_section.get("spec") if isinstance(schedule_section, Mapping) else None
        if "schedule" in known:
            if schedule_spec is None and args.schedule is not None:
                yield CheckFailure(
                    "schedule", f"flow spec {describe(spec)} streams continuously and takes no schedule; remove it"
                )
            elif schedule_spec is not None and args.schedule is None:
                yield CheckFailure(
                    "schedule", f"required by flow spec {describe(spec)} (a batch flow), e.g. "
                    "{'frequency': 'hour', 'interval': 1}",
                )  # fmt: skip
            elif isinstance(schedule_spec, Mapping) and args.schedule is not None:
                wire = args.schedule.wire(default_start=int(time.time()))
                for problem in schema_problems(schedule_spec, wire, "schedule"):
                    yield CheckFailure("schedule", f"{problem} (scheduleSpec of {describe(spec)})")
        names = [t.get("name") for t in spec.get("transformationSpecs") or spec.get("transformationSpec") or []
                 if isinstance(t, Mapping)]  # fmt: skip
        if "mapping_set_id" in known and args.mapping_set_id and MAPPING not in names:
            yield CheckFailure(
                "mapping_set_id", f"flow spec {describe(spec)} takes no Mapping transformation; remove the mapping"
            )

    def _mapping_version_failures(self, args: DataflowArgs, sandbox: str) -> Iterable[CheckFailure]:
        def fetch(client: AEPClient) -> Any:
            return client.get(
                f"{MAPPING_SETS}/{args.mapping_set_id}", sandbox=sandbox, params={"version": args.mapping_version}
            )

        found = self.lookup(
            "mapping_version",
            fetch,
            f"mapping set {args.mapping_set_id} has no version {args.mapping_version} in sandbox {sandbox!r}; "
            "use the MappingSet's mapping_set_id and mapping_version outputs",
        )
        if isinstance(found, CheckFailure):
            yield found

    # --- CRUD ------------------------------------------------------------------------------------

    def create_object(self, args: DataflowArgs, sandbox: str) -> str | tuple[str, dict[str, Any]]:
        spec_id = args.flow_spec_id or self._joining_spec_id(args, sandbox)
        body = self._create_body(args, spec_id)
        flow_id = create_object(
            self.client, FLOWS, body, sandbox,
            lambda obj: spec_id_of(obj, "flowSpec") == spec_id
            and list(obj.get("sourceConnectionIds") or []) == body["sourceConnectionIds"],
            refresh=lambda resent: self._refresh_start(resent, args),
            marker=args.resource_marker,
        )  # fmt: skip
        settled = self._settled(flow_id, sandbox)
        if args.enabled and settled is not None:
            return flow_id, settled  # the wait read it once its create was over: no read-back
        if not args.enabled:
            try:
                self._set_enabled(flow_id, False, sandbox)
            except AEPProviderError as exc:
                # Never delete what was just made: the flow exists and says so (adopt it, or delete it).
                raise AEPProviderError(
                    f"flow {flow_id} was created but could not be disabled ({exc}). It exists and runs: "
                    f"declare adopt_id={flow_id!r} with enabled=False to manage it, or delete it in AEP"
                ) from exc
        return flow_id

    def _create_body(self, args: DataflowArgs, spec_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": args.name,
            "flowSpec": spec_ref(spec_id),
            "sourceConnectionIds": list(args.source_connection_ids),
            "targetConnectionIds": list(args.target_connection_ids),
        }
        if args.description is not None:
            body["description"] = args.description
        transformation = mapping_transformation(args)
        if transformation is not None:
            body["transformations"] = [transformation]
        self._refresh_start(body, args)
        return body

    @staticmethod
    def _refresh_start(body: dict[str, Any], args: DataflowArgs) -> None:
        """``scheduleParams`` with the default start recomputed: a few minutes after this send."""
        if args.schedule is not None:
            body["scheduleParams"] = args.schedule.wire(default_start=int(time.time()) + DEFAULT_START_LEAD_SECONDS)

    def outputs_from_server(self, obj: dict[str, Any], args: DataflowArgs) -> dict[str, Any]:
        spec_id = spec_id_of(obj, "flowSpec")
        features = self._api_features(spec_id, str(obj.get("sandboxName") or self.default_sandbox))
        return {
            **super().outputs_from_server(obj, args),
            "resolved_flow_spec_id": spec_id,
            # Absent features are supported: the documented batch flow specs carry no apiFeatures.
            "update_supported": features.get("updateSupported", True) is not False,
            "delete_supported": features.get("deleteSupported", True) is not False,
        }

    def _api_features(self, spec_id: str | None, sandbox: str) -> Mapping[str, Any]:
        """``attributes.uiAttributes.apiFeatures`` of a flow spec (help/sources/tutorials/api/collect/streaming.md)."""
        spec = flow_spec(self.client, spec_id, sandbox) if spec_id else None
        features = (((spec or {}).get("attributes") or {}).get("uiAttributes") or {}).get("apiFeatures")
        return features if isinstance(features, Mapping) else {}

    def inputs_from_server(self, obj: dict[str, Any], current: DataflowArgs) -> dict[str, Any]:
        mapping = _mapping_of(obj)
        params = mapping[1] if mapping else {}
        found: dict[str, Any] = {
            "name": obj.get("name"),
            "description": without_marker(obj.get("description")),
            "source_connection_ids": list(obj.get("sourceConnectionIds") or []),
            "target_connection_ids": list(obj.get("targetConnectionIds") or []),
            "mapping_set_id": params.get("mappingId"),
            "mapping_version": params.get("mappingVersion"),
            "schedule": schedule_input(obj.get("scheduleParams"), getattr(current, "schedule", None)),
            # Between states (updating, inProgress) the flow keeps what was declared.
            "enabled": _SETTLES_ENABLED.get(str(obj.get("state")), getattr(current, "enabled", True)),
        }
        if getattr(current, "flow_spec_id", None) is not None:  # a looked-up spec is not the user's input
            found["flow_spec_id"] = spec_id_of(obj, "flowSpec")
        return found

    def update_object(
        self, object_id: str, old: DataflowArgs, new: DataflowArgs, sandbox: str, old_outputs: Mapping[str, Any]
    ) -> None:
        def operations(current: dict[str, Any]) -> Operations:
            ops = converge(current, {"/name": new.name, **description_change(current, new.description, new.resource_marker)})
            return ops + schedule_operations(current, new) + mapping_operations(current, new)

        self._settled(object_id, sandbox)
        if retry_while_transitioning(lambda: patch_object(self.client, FLOWS, object_id, sandbox, operations)):
            self._settled(object_id, sandbox)
        current = self.read_existing(object_id, sandbox)
        if (current.get("state") == ENABLED) != new.enabled:
            self._set_enabled(object_id, new.enabled, sandbox)

    def delete_object(self, object_id: str, sandbox: str, old_outputs: Mapping[str, Any]) -> None:
        """Wait out a running operation, then DELETE; a refusal of a spec without deletes says so."""
        if self._settled(object_id, sandbox, missing_ok=True) is None:
            return
        try:
            super().delete_object(object_id, sandbox, old_outputs)
        except AEPApiError as exc:
            if old_outputs.get("delete_supported") is False and 400 <= exc.status < 500 and not exc.not_found \
                    and not self.is_in_use(exc):  # fmt: skip
                raise AEPProviderError(
                    f"{exc}\nFlow spec {old_outputs.get('resolved_flow_spec_id')} declares deleteSupported: false "
                    f"(attributes.uiAttributes.apiFeatures): AEP does not delete its flows through the API. Delete "
                    f"flow {object_id} in the Experience Platform UI, or keep it with the resource option "
                    "retain_on_delete=True, then run the command again."
                ) from exc
            raise

    # --- internals -------------------------------------------------------------------------------

    def _joining_spec_id(self, args: DataflowArgs, sandbox: str) -> str:
        ends = []
        for resource, connection_id in ((SOURCE_CONNECTIONS, args.source_connection_ids[0]),
                                        (TARGET_CONNECTIONS, args.target_connection_ids[0])):  # fmt: skip
            connection = get_object(self.reader, resource, connection_id, sandbox)  # connection specs never change
            if connection is None:
                raise AEPProviderError(f"{resource} {connection_id} does not exist in sandbox {sandbox!r}")
            ends.append(spec_id_of(connection) or "")
        return str(flow_spec_joining(self.client, ends[0], ends[1], sandbox)["id"])

    def _settled(self, flow_id: str, sandbox: str, missing_ok: bool = False) -> dict[str, Any] | None:
        """The flow once its last operation is over (flows refuse writes while one runs)."""
        flow = wait_until_settled(self.client, FLOWS, flow_id, sandbox)
        if flow is None and not missing_ok:
            raise AEPProviderError(f"flow {flow_id} no longer exists in sandbox {sandbox!r}")
        return flow

    def _set_enabled(self, flow_id: str, enabled: bool, sandbox: str) -> None:
        """``POST /flows/{id}/action?op=enable|disable`` once the flow is settled, then wait for the state."""
        op, wanted = ("enable", ENABLED) if enabled else ("disable", DISABLED)

        def act() -> None:
            try:
                self.client.request("POST", path(FLOWS, flow_id) + "/action", sandbox=sandbox, params={"op": op})
            except AmbiguousWriteError as exc:
                log.warning("flow %s: %s answer lost (%s); checking the state", flow_id, op, exc)

        for _attempt in (1, 2):
            self._settled(flow_id, sandbox)
            retry_while_transitioning(act)
            flow = self._settled(flow_id, sandbox)
            if flow is not None and flow.get("state") == wanted:
                return
        raise AEPProviderError(f"flow {flow_id} did not become {wanted}: AEP shows it {flow and flow.get('state')}")


class Dataflow(AEPResource):
    """A dataflow from source to target connections, with an optional mapping and schedule."""

    provider_class = DataflowProvider

    flow_id: pulumi.Output[str]
    """Flow Service id of the dataflow; the resource's id."""
    etag: pulumi.Output[str]
    """The flow's ``etag``, sent back as ``If-Match`` by each update."""
    state: pulumi.Output[str]
    """``enabled`` or ``disabled``, as Flow Service reports it."""
    resolved_flow_spec_id: pulumi.Output[str]
    """Id of the flow spec in use (``flow_spec_id``, or the one found for the connections)."""
    update_supported: pulumi.Output[bool]
    """False when the flow spec refuses updates (apiFeatures): every change but ``enabled`` replaces the flow."""
    delete_supported: pulumi.Output[bool]
    """False when the flow spec refuses deletes (apiFeatures): a destroy then fails saying so."""
    name: pulumi.Output[str]

    # --- typed inputs: generated by scripts/build_typed_inputs.py from DataflowArgs; do not edit ---
    @overload
    def __init__(
        self,
        resource_name: str,
        args: DataflowArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """A dataflow from source to target connections, with an optional mapping and schedule.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param DataflowArgs args: The inputs as one object.
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
        source_connection_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        target_connection_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
        flow_spec_id: pulumi.Input[str] | None = None,
        mapping_set_id: pulumi.Input[str] | None = None,
        mapping_version: pulumi.Input[int] | None = None,
        schedule: pulumi.Input[ScheduleDict] | None = None,
        enabled: pulumi.Input[bool] | None = None,
        sandbox: pulumi.Input[str] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
    ) -> None:
        """A dataflow from source to target connections, with an optional mapping and schedule.

        :param str resource_name: The name of the resource, unique in the stack (it makes the URN).
        :param pulumi.ResourceOptions opts: Options for the resource.
        :param pulumi.Input[str] name: Dataflow name shown in the platform UI.
        :param pulumi.Input[str] description: Free-text description.
        :param pulumi.Input[Sequence[pulumi.Input[str]]] source_connection_ids: ``source_connection_id`` of the
            SourceConnection(s) read. Changing them replaces the flow.
        :param pulumi.Input[Sequence[pulumi.Input[str]]] target_connection_ids: ``target_connection_id`` of the
            TargetConnection(s) written. Changing them replaces the flow.
        :param pulumi.Input[str] flow_spec_id: Flow spec id (e.g. ``specs.STREAMING_FLOW``); unset: the one flow spec
            accepting the connections. Changing it replaces the flow.
        :param pulumi.Input[str] mapping_set_id: ``mapping_set_id`` of the MappingSet applied (the ``Mapping``
            transformation); set with ``mapping_version``.
        :param pulumi.Input[int] mapping_version: Version of the mapping set applied (``MappingSet.mapping_version``).
        :param pulumi.Input[ScheduleDict] schedule: When a batch flow runs, e.g. ``{"frequency": "minute", "interval":
            15}``; streaming flows take none.
        :param pulumi.Input[bool] enabled: Whether the flow runs; a change enables or disables it and waits for the
            new state. Default: ``True``.
        :param pulumi.Input[str] sandbox: Sandbox that holds the object (e.g. ``dev``). Defaults to the stack's
            ``aep:sandbox``. Changing it replaces the object.
        :param pulumi.Input[str] adopt_id: Id of an existing AEP object to manage instead of creating a new one
            (``pulumi import`` does not work for dynamic resources). The object must match the other inputs; create
            fails naming what differs.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(resource_name, *args, **kwargs)

    # --- end of typed inputs ---
