"""Dataset against the emulator's Catalog: CRUD, drift, adoption, gone objects, idempotent delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from aep_emulator.testing import EmulatorHandle
from aep_provider.dataset import DatasetProvider
from aep_provider.errors import AdoptionMismatchError, AEPApiError
from tests.provider.conftest import checked, create, program_inputs, refreshed, update

DATASETS = "/data/foundation/catalog/dataSets"


@pytest.fixture
def provider(configured: Callable[..., Any]) -> DatasetProvider:
    return configured(DatasetProvider)


def server_dataset(emulator: EmulatorHandle, dataset_id: str, sandbox: str = "prod") -> dict[str, Any] | None:
    answer = requests.get(emulator.url(f"{DATASETS}/{dataset_id}"), headers=emulator.headers(sandbox), timeout=10)
    return answer.json()[dataset_id] if answer.status_code == 200 else None


def patch_outside(emulator: EmulatorHandle, dataset_id: str, body: Any) -> None:
    """A change made outside Pulumi (UI, another tool)."""
    answer = requests.patch(emulator.url(f"{DATASETS}/{dataset_id}"), json=body, headers=emulator.headers(), timeout=10)
    answer.raise_for_status()


def test_create_read_update_delete(
    provider: DatasetProvider, profile_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    schema_id = profile_schema[0]
    dataset_id, outs = create(
        provider, name="Members", schema_id=schema_id, profile_enabled=True, identity_enabled=True,
        tags={"team": ["crm"]},
    )
    assert (outs["dataset_id"], outs["version"], outs["sandbox"], outs["name"]) == (dataset_id, "1.0.0", "prod", "Members")
    stored = server_dataset(emulator, dataset_id)
    assert stored["tags"] == {"team": ["crm"], "unifiedProfile": ["enabled:true"], "unifiedIdentity": ["enabled:true"]}
    assert stored["schemaRef"]["id"] == schema_id and stored["fileDescription"]["format"] == "parquet"

    outs_after_read, inputs = refreshed(provider, dataset_id, outs)
    assert outs_after_read == outs  # no drift: read gives back exactly what create stored
    # Inputs as the program declared them: defaults (sandbox, parquet, no description) left out.
    assert inputs == {"name": "Members", "schema_id": schema_id, "profile_enabled": True,
                      "identity_enabled": True, "tags": {"team": ["crm"]}}
    assert provider.diff(dataset_id, outs_after_read, program_inputs(provider, outs)).changes is False

    outs = update(provider, dataset_id, outs, name="Members v2", description="All members",
                  profile_enabled=False, tags={"owner": ["me"]})
    stored = server_dataset(emulator, dataset_id)
    assert (stored["name"], stored["description"], stored["version"]) == ("Members v2", "All members", "1.0.1")
    assert stored["tags"] == {"owner": ["me"], "unifiedProfile": ["enabled:false"], "unifiedIdentity": ["enabled:true"]}
    assert outs["version"] == "1.0.1" and outs["profile_enabled"] is False

    provider.delete(dataset_id, outs)
    assert server_dataset(emulator, dataset_id) is None
    provider.delete(dataset_id, outs)  # idempotent: gone is done


def test_drift_is_read_back_and_corrected(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    dataset_id, outs = create(provider, name="Orders", schema_id=plain_schema[0], tags={"team": ["crm"]})
    patch_outside(emulator, dataset_id, {"name": "Renamed in the UI", "tags": {"team": ["ops"], "adobe/pqs/table": ["x"]}})

    refreshed_outs, inputs = refreshed(provider, dataset_id, outs)
    assert inputs["name"] == "Renamed in the UI" and inputs["tags"] == {"team": ["ops"]}  # platform tags ignored
    assert refreshed_outs["version"] == "1.0.1"

    program = program_inputs(provider, outs)
    diff = provider.diff(dataset_id, refreshed_outs, program)
    assert diff.changes is True and not diff.replaces
    corrected = provider.update(dataset_id, refreshed_outs, checked(provider, program)).outs
    stored = server_dataset(emulator, dataset_id)
    assert stored["name"] == "Orders"
    assert stored["tags"] == {"team": ["crm"], "adobe/pqs/table": ["x"]}  # the platform's tag is kept
    assert refreshed(provider, dataset_id, corrected)[1]["name"] == "Orders"


def test_read_of_a_deleted_dataset_reports_it_gone(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    dataset_id, outs = create(provider, name="Temp", schema_id=plain_schema[0])
    requests.delete(emulator.url(f"{DATASETS}/{dataset_id}"), headers=emulator.headers(), timeout=10)
    result = provider.read(dataset_id, outs)
    assert (result.id, result.outs) == (None, {})


def test_adopt_an_existing_dataset(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    body = {"name": "Legacy", "schemaRef": {"id": plain_schema[0], "contentType": "application/vnd.adobe.xed+json;version=1"}}
    answer = requests.post(emulator.url(DATASETS), json=body, headers=emulator.headers(), timeout=10)
    existing = answer.json()[0].rsplit("/", 1)[-1]

    with pytest.raises(AdoptionMismatchError) as caught:
        create(provider, name="Other name", schema_id=plain_schema[0], profile_enabled=False, adopt_id=existing)
    assert "name: declared 'Other name', found 'Legacy'" in str(caught.value)

    adopted_id, outs = create(provider, name="Legacy", schema_id=plain_schema[0], adopt_id=existing)
    assert adopted_id == existing and outs["adopt_id"] == existing
    assert emulator.calls("POST", DATASETS, 201) == 1  # adoption never creates
    assert len(emulator.objects("catalog.dataSets")) == 1


def test_adopt_a_missing_dataset_says_so(provider: DatasetProvider, plain_schema: tuple[str, dict]) -> None:
    with pytest.raises(AdoptionMismatchError, match="does not exist in sandbox 'prod'"):
        create(provider, name="Legacy", schema_id=plain_schema[0], adopt_id="000000000000000000000000")


def test_profile_dataset_on_a_schema_without_profile_is_refused_with_aep_detail(
    provider: DatasetProvider, plain_schema: tuple[str, dict]
) -> None:
    with pytest.raises(AEPApiError) as caught:
        create(provider, name="Members", schema_id=plain_schema[0], profile_enabled=True)
    assert caught.value.status == 400 and "profile" in str(caught.value).lower()


def test_datasets_live_in_the_sandbox_they_name(
    configured: Callable[..., Any], emulator: EmulatorHandle
) -> None:
    from aep_provider.schema import SchemaProvider
    from tests.provider.conftest import PROFILE_CLASS

    dev_provider = configured(DatasetProvider, **{"aep:sandbox": "dev"})
    schema_id, _ = create(configured(SchemaProvider), title="Dev schema", class_id=PROFILE_CLASS, sandbox="dev")
    dataset_id, outs = create(dev_provider, name="Dev data", schema_id=schema_id)
    assert outs["sandbox"] == "dev"
    assert server_dataset(emulator, dataset_id, "dev") and server_dataset(emulator, dataset_id, "prod") is None
    # The same resource declared against another default sandbox must be replaced, not patched.
    prod_provider = configured(DatasetProvider, **{"aep:sandbox": "prod"})
    assert prod_provider.diff(dataset_id, outs, program_inputs(prod_provider, outs, sandbox=None)).replaces == ["sandbox"]


def test_lost_create_answer_does_not_duplicate(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    emulator.inject_fault(method="POST", route=DATASETS, action="drop_after_commit", count=1)
    dataset_id, outs = create(provider, name="Once", schema_id=plain_schema[0])
    assert [o["id"] for o in emulator.objects("catalog.dataSets")] == [dataset_id]
    assert outs["name"] == "Once"


def test_update_survives_a_lost_patch_answer(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    dataset_id, outs = create(provider, name="Before", schema_id=plain_schema[0])
    emulator.inject_fault(method="PATCH", route=f"{DATASETS}/<dataset_id>", action="drop_after_commit", count=1)
    outs = update(provider, dataset_id, outs, name="After")
    assert server_dataset(emulator, dataset_id)["version"] == "1.0.1"  # applied once
    assert outs["name"] == "After"
