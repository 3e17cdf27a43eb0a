"""What a preview shows of a replacement or an update: the engine prints the old *outputs* against the new
*inputs* (pulumi's display, ``getResourcePropertiesDetails``: a dynamic provider cannot preview, so the new
outputs are its checked inputs). Outputs echo every input, defaults included; so checked inputs carry the
unset inputs' defaults too, or a replacement would list ``- profile_enabled: false`` and ``- tags: {}``.

State written by an earlier release (inputs as the program sent them, outputs from the provider's own
create) must still preview clean.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aep_provider.base import COMMON_INPUTS, AEPProvider
from aep_provider.dataset import DatasetProvider
from aep_provider.schema import SchemaProvider
from tests.provider.conftest import create

PROFILE = "https://ns.adobe.com/xdm/context/profile"
Inputs = Callable[[Callable[..., Any]], dict[str, Any]]


def schema_inputs(configured: Callable[..., Any]) -> dict[str, Any]:
    return {"title": "Display members", "class_id": PROFILE}


def dataset_inputs(configured: Callable[..., Any]) -> dict[str, Any]:
    schema_id, _ = create(configured(SchemaProvider), title="Display dataset schema", class_id=PROFILE)
    return {"name": "Display dataset", "schema_id": schema_id}


CASES: dict[str, tuple[type[AEPProvider[Any]], Inputs]] = {
    "Schema": (SchemaProvider, schema_inputs),  # field_groups: [], profile_enabled: false
    "Dataset": (DatasetProvider, dataset_inputs),  # tags: {}, profile_enabled/identity_enabled: false, file_format
}


def previous_release_state(provider: AEPProvider[Any], inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(id, outputs) as an earlier release left them: its check returned the program's inputs unchanged."""
    result = provider.create(dict(inputs))
    return result.id, result.outs


def shown_as_removed(provider: AEPProvider[Any], outputs: dict[str, Any], new_inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs the display would print as ``- name: value``: in the old outputs, not in the new inputs."""
    skipped = set(COMMON_INPUTS) | provider.check_only_inputs
    return {
        name: value
        for name, value in outputs.items()
        if name in provider.args_model.model_fields and name not in skipped and value is not None and name not in new_inputs
    }


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_replacement_preview_lists_no_unset_input_as_removed(kind: str, configured: Callable[..., Any]) -> None:
    provider_class, make_inputs = CASES[kind]
    provider = configured(provider_class)
    inputs = make_inputs(configured)
    _, outputs = previous_release_state(provider, inputs)

    new_inputs = provider.check(dict(inputs), {**inputs, "sandbox": "dev"}).inputs  # a sandbox move: replaced

    assert shown_as_removed(provider, outputs, new_inputs) == {}
    assert {name: new_inputs[name] for name in new_inputs if name in outputs and name != "sandbox"} == {
        name: outputs[name] for name in new_inputs if name in outputs and name != "sandbox"
    }


@pytest.mark.parametrize("kind", sorted(CASES))
def test_state_of_an_earlier_release_previews_clean(kind: str, configured: Callable[..., Any]) -> None:
    provider_class, make_inputs = CASES[kind]
    provider = configured(provider_class)
    inputs = make_inputs(configured)
    object_id, outputs = previous_release_state(provider, inputs)

    new_inputs = provider.check(dict(inputs), dict(inputs)).inputs
    assert not provider.diff(object_id, outputs, new_inputs).changes

    refreshed = provider.read(object_id, outputs)  # pulumi refresh, then the next preview
    assert shown_as_removed(provider, refreshed.outs, refreshed.inputs) == {}
    after = provider.check(refreshed.inputs, dict(inputs)).inputs
    assert not provider.diff(object_id, refreshed.outs, after).changes
    assert shown_as_removed(provider, refreshed.outs, after) == {}
