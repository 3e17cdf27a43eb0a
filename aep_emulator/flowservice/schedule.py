"""``scheduleParams`` of batch flows, checked against the flow spec's ``scheduleSpec`` JSON Schema.

The schema (data/flow_specs.json) says: ``startTime`` and ``frequency`` required; ``once`` forbids
``interval`` and ``backfill``; otherwise ``interval`` is required, at least 15 for ``minute`` and 1 for
the others. Each schema failure maps to the sources error code the platform answers with
(aep-api.md §5.7): 1397 frequency, 1361/1364 interval/backfill with ``once``, 1362 interval below the
minimum, 1363 an interval that is not a whole number, 1340 an unreadable start time, 1359 a missing
param; 1360 (start in the past) and the update rules (1403/1404/1366 after the start) are not
expressible in JSON Schema and are checked here too.

Clients send numbers and booleans as strings (docs: ``"interval": "15"``, ``"backfill": "true"``), so
values are coerced before validation; the stored flow echoes what was sent.
"""

from __future__ import annotations

import time
from typing import Any

import jsonschema

from .exceptions import FlowError

# The streaming seed sends "now" as startTime; a request that takes a moment to arrive must not be
# refused as "in the past".
START_TIME_TOLERANCE_SECONDS = 300
_DEFAULT_BACKFILL = True


def whole_number(value: Any) -> int | None:
    """An integer sent as a number or as a string of digits (``15``, ``"15"``); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def normalized(params: dict[str, Any]) -> dict[str, Any]:
    """Schedule params with numeric and boolean strings turned into numbers and booleans."""
    result = dict(params)
    for name in ("startTime", "interval"):
        if isinstance(result.get(name), str) and whole_number(result[name]) is not None:
            result[name] = whole_number(result[name])
    backfill = result.get("backfill")
    if isinstance(backfill, str) and backfill.strip().lower() in ("true", "false"):
        result["backfill"] = backfill.strip().lower() == "true"
    return result


def validate_new(schema: dict[str, Any], params: Any, now: float | None = None) -> None:
    """Rules for a flow being created (or whose schedule is replaced before it started)."""
    values = _checked(schema, params)
    _require_future_start(values, now)


def validate_update(
    schema: dict[str, Any], old_params: dict[str, Any], new_params: Any, now: float | None = None
) -> None:
    """Rules for a PATCH: the new schedule must be valid and respect what a started flow may change."""
    values = _checked(schema, new_params)
    old = normalized(old_params)
    now = time.time() if now is None else now
    start_passed = isinstance(old.get("startTime"), int) and old["startTime"] <= now
    if not start_passed:
        if values.get("startTime") != old.get("startTime"):
            _require_future_start(values, now)
        return
    if values.get("frequency") == "once" and old.get("frequency") != "once":
        raise FlowError(1403, "The start time has passed and you can no longer change the frequency to once.")
    if values.get("backfill", _DEFAULT_BACKFILL) != old.get("backfill", _DEFAULT_BACKFILL):
        raise FlowError(1404, "The start time has passed and you can no longer update backfill.")
    if values.get("startTime") != old.get("startTime"):
        raise FlowError(1366, "The start time has passed and the update operation is no longer allowed.")


def _checked(schema: dict[str, Any], params: Any) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise FlowError(1100, "scheduleParams must be a JSON object.")
    values = normalized(params)
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(values))
    if errors:
        raise min((_error_for(e, values) for e in errors), key=lambda pair: pair[0])[1]
    return values


def _require_future_start(values: dict[str, Any], now: float | None) -> None:
    now = time.time() if now is None else now
    if values["startTime"] < now - START_TIME_TOLERANCE_SECONDS:
        raise FlowError(1360, "The start time cannot be set in the past. Provide a valid start time and try again.")


def _error_for(error: jsonschema.ValidationError, values: dict[str, Any]) -> tuple[int, FlowError]:
    """(priority, error): several schema failures can occur at once; report the most telling one."""
    field = error.absolute_path[0] if error.absolute_path else None
    frequency = values.get("frequency")
    if field == "frequency":
        return 0, FlowError(1397, f"The provided frequency : {frequency} is invalid. Provide a valid frequency.")
    if field == "startTime":
        return 1, FlowError(1340, f"An error occurred while parsing startTime {values.get('startTime')!r}.")
    if error.validator == "required":
        missing = next(n for n in error.validator_value if n not in values)
        return 2, FlowError(1359, f"The param {missing} is missing in the request. Provide a valid {missing}.")
    if error.validator == "not":
        forbidden = error.validator_value.get("required", ["?"])[0]
        if forbidden == "interval":
            return 3, FlowError(1361, "Interval is not allowed with one time ingestion.")
        return 3, FlowError(1364, "The backfill flag is not allowed when frequency is set to once.")
    if field == "interval" and error.validator == "minimum":
        return 4, FlowError(1362, f"Interval cannot be less than {error.validator_value}.")
    if field == "interval":
        return 4, FlowError(1363, f"Interval {values.get('interval')!r} is not allowed with frequency: {frequency}.")
    return 5, FlowError(1100, f"Invalid scheduleParams: {error.message}.")
