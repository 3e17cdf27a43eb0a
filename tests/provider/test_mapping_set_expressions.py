"""MappingSet's check asks Data Prep about expression syntax (``POST /languages/el/validate``, issue 13):
over real HTTP against the emulator, a refused expression fails the preview naming the mapping, a valid
one passes, each distinct expression is asked once per process, and nothing is asked offline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider.mapping_set import MappingSetProvider, clear_expression_verdicts
from tests.provider.flow_helpers import Made, failed_input

pytest_plugins = ["tests.provider.flow_fixtures"]

VALIDATE = "/languages/el/validate"
FULL_NAME = {"source": "concat(firstName, ' ', lastName)", "destination": "person.name.fullName", "source_type": "EXPRESSION"}
BROKEN = {"source": "concat(firstName, ", "destination": "person.name.lastName", "source_type": "EXPRESSION"}
UNKNOWN_FUNCTION = {"source": "shout(firstName)", "destination": "person.name.courtesyTitle", "source_type": "EXPRESSION"}


@pytest.fixture(autouse=True)
def fresh_verdicts() -> Iterator[None]:
    clear_expression_verdicts()
    yield
    clear_expression_verdicts()


def test_refused_expressions_fail_the_preview(emulator: EmulatorHandle, configured: Callable[..., Any], schema: Made) -> None:
    news = {"schema_id": schema[0], "mappings": [FULL_NAME, BROKEN, UNKNOWN_FUNCTION]}
    provider = configured(MappingSetProvider)
    failures = provider.check({}, news).failures
    reasons = [f.reason for f in failures if failed_input(provider, f) == "mappings"]
    assert len(reasons) == 2
    assert reasons[0].startswith("mappings[1]: Data Prep refuses the expression 'concat(firstName, '")
    assert "mappings[2]" in reasons[1] and "unknown function 'shout'" in reasons[1]


def test_each_distinct_expression_is_asked_once_per_process(
    emulator: EmulatorHandle, configured: Callable[..., Any], schema: Made
) -> None:
    emulator.clear_stats()
    news = {"schema_id": schema[0], "mappings": [FULL_NAME, {**FULL_NAME, "destination": "person.name.firstName"}]}
    for _ in range(3):  # preview, up, another preview
        assert configured(MappingSetProvider).check({}, news).failures == []
    assert emulator.calls("POST", VALIDATE) == 1
    attribute_only = {"schema_id": schema[0], "mappings": [{"source": "a", "destination": "person.name.firstName"}]}
    configured(MappingSetProvider).check({}, attribute_only)
    assert emulator.calls("POST", VALIDATE) == 1  # no expression, no question


def test_offline_preview_asks_nothing(emulator: EmulatorHandle, schema: Made) -> None:
    emulator.clear_stats()
    failures = MappingSetProvider().check({}, {"schema_id": schema[0], "sandbox": "prod", "mappings": [BROKEN]}).failures
    assert failures == [] and emulator.calls("POST", VALIDATE) == 0


def test_an_answer_that_says_nothing_leaves_the_check_to_aep(
    emulator: EmulatorHandle, configured: Callable[..., Any], schema: Made
) -> None:
    emulator.inject_fault(method="POST", route=f"/data/foundation/conversion{VALIDATE}", action="status", status=500, count=10)
    assert configured(MappingSetProvider).check({}, {"schema_id": schema[0], "mappings": [BROKEN]}).failures == []
