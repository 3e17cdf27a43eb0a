"""Dataset against the emulator's Catalog: CRUD, drift, adoption, gone objects, idempotent delete;
the tags the platform adds itself, and If-Match with Catalog's E-Tag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from pulumi.runtime.rpc import UNKNOWN

from aep_emulator.testing import EmulatorHandle
from aep_provider.client import ApiResponse
from aep_provider.dataset import DatasetArgs, DatasetProvider, update_operations
from aep_provider.errors import AdoptionMismatchError, AEPApiError, AEPProviderError
from tests.contract.corpus import example
from tests.provider.conftest import checked, create, program_inputs, refreshed, update

DATASETS = "/data/foundation/catalog/dataSets"
# A dataset as the platform shows it, with its own tags beside the flags (platform-learn.en
# help/tutorial-comprehensive-technical/modules/datadistiller/module5.1/ex8.md).
DOCUMENTED = next(iter(example("catalog_dataset_get_platform_tags").body.values()))
PLATFORM_KEYS = set(DOCUMENTED["tags"]) - {"unifiedProfile", "unifiedIdentity"}


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


def documented_args(**changes: Any) -> DatasetArgs:
    """Inputs describing the documented dataset (no user tags), with ``changes``."""
    inputs = {
        "name": DOCUMENTED["name"], "description": DOCUMENTED["description"],
        "schema_id": DOCUMENTED["schemaRef"]["id"], "profile_enabled": True, "identity_enabled": True,
    }  # fmt: skip
    return DatasetArgs.model_validate({**inputs, **changes})


def with_tags(**tags: list[str]) -> dict[str, Any]:
    return {**DOCUMENTED, "tags": {**DOCUMENTED["tags"], **tags}}


def tag_op(op: str, key: str, value: list[str] | None = None) -> dict[str, Any]:
    entry = {"op": op, "path": "/tags/" + key.replace("~", "~0").replace("/", "~1")}
    return entry if value is None else {**entry, "value": value}


@pytest.mark.parametrize(
    ("current", "old", "new", "expected"),
    [
        # Nothing declared changed: the platform's own tags and enabledAt are no reason to write.
        (DOCUMENTED, {}, {}, []),
        # A new user tag: one add for it, nothing else.
        (DOCUMENTED, {}, {"tags": {"team": ["crm"]}}, [tag_op("add", "team", ["crm"])]),
        # A user tag dropped from the program: removed; the platform's keys stay.
        (with_tags(team=["crm"]), {"tags": {"team": ["crm"]}}, {}, [tag_op("remove", "team")]),
        # A user tag's new values.
        (with_tags(team=["crm"]), {"tags": {"team": ["crm"]}}, {"tags": {"team": ["ops"]}},
         [tag_op("add", "team", ["ops"])]),
        # A platform key the user declares is the user's (help/identity-service: validation off).
        (DOCUMENTED, {}, {"tags": {"acp_validationContext": ["disabled"]}},
         [tag_op("add", "acp_validationContext", ["disabled"])]),
        # A platform key in neither the old nor the new inputs is never removed.
        (with_tags(**{"aep/siphon/new-key": ["x"]}), {"tags": {"team": ["a"]}}, {"tags": {"team": ["a"]}},
         [tag_op("add", "team", ["a"])]),
        # Profile off: enabled:false replaces the state and the old enablement time, isUpsert stays.
        (with_tags(unifiedProfile=["enabled:true", "isUpsert:true", "enabledAt:2024-11-05 12:33:59"]), {},
         {"profile_enabled": False}, [tag_op("add", "unifiedProfile", ["enabled:false", "isUpsert:true"])]),
        # Identity on again after enabled:false.
        (with_tags(unifiedIdentity=["enabled:false"]), {}, {}, [tag_op("add", "unifiedIdentity", ["enabled:true"])]),
        # The guides' spelling with a space counts as enabled.
        (with_tags(unifiedIdentity=["enabled: true"]), {}, {}, []),
        # A flag never set and declared off: nothing to write.
        ({k: v for k, v in with_tags().items() if k != "tags"} | {"tags": {"adobe/pqs/table": ["t"]}}, {},
         {"profile_enabled": False, "identity_enabled": False}, []),
    ],
    ids=["unchanged", "tag-added", "tag-removed", "tag-changed", "platform-key-declared", "undeclared-key-kept",
         "profile-off", "identity-on", "spaced-spelling", "never-set-off"],
)
def test_update_patches_only_the_declared_tags_and_flag_states(
    current: dict[str, Any], old: dict[str, Any], new: dict[str, Any], expected: list[dict[str, Any]]
) -> None:
    assert update_operations(current, documented_args(**old), documented_args(**new)) == expected


def test_read_of_the_documented_dataset_reports_only_declared_tags(configured: Callable[..., Any]) -> None:
    """Refresh of the documented GET: the flags by their enabled value, the declared keys, nothing else."""
    provider = configured(DatasetProvider)
    declared = documented_args(tags={"acp_validationContext": ["disabled"], "team": ["crm"]})
    found = provider.inputs_from_server(with_tags(team=["crm"]), declared)
    assert found["tags"] == {"acp_validationContext": ["enabled"], "team": ["crm"]}  # drift in a declared key
    assert (found["profile_enabled"], found["identity_enabled"]) == (True, True)


def platform_tags(emulator: EmulatorHandle, dataset_id: str) -> dict[str, list[str]]:
    stored = server_dataset(emulator, dataset_id)
    assert stored is not None
    return {k: v for k, v in stored["tags"].items() if k.startswith(("adobe/", "aep/", "acp_"))}


def test_platform_tags_survive_refresh_and_updates(
    provider: DatasetProvider, profile_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    """The emulator adds Catalog's own tags and enabledAt (as ex8.md shows them); the provider never
    reads them as drift nor removes them, and keeps enabledAt while Profile stays on."""
    dataset_id, outs = create(provider, name="Members", schema_id=profile_schema[0], profile_enabled=True,
                              tags={"team": ["crm"]})  # fmt: skip
    platform = platform_tags(emulator, dataset_id)
    assert "acp_validationContext" in platform and "adobe/pqs/table" in platform  # what the test is about
    profile = server_dataset(emulator, dataset_id)["tags"]["unifiedProfile"]
    assert profile[0] == "enabled:true" and profile[1].startswith("enabledAt:")

    outs, inputs = refreshed(provider, dataset_id, outs)
    assert inputs["tags"] == {"team": ["crm"]}
    assert provider.diff(dataset_id, outs, program_inputs(provider, outs)).changes is False

    outs = update(provider, dataset_id, outs, tags={"owner": ["me"]}, description="All members")
    stored = server_dataset(emulator, dataset_id)
    assert stored["tags"] == {**platform, "owner": ["me"], "unifiedProfile": profile}
    outs, inputs = refreshed(provider, dataset_id, outs)
    assert inputs["tags"] == {"owner": ["me"]}
    assert provider.diff(dataset_id, outs, program_inputs(provider, outs)).changes is False


class RecordingClient:
    """Records the If-Match of each dataset PATCH; ``between`` runs once after the first dataset GET."""

    def __init__(self, provider: DatasetProvider, between: Callable[[], None] | None = None) -> None:
        self.real = provider.client.request
        self.between = between
        self.patches: list[tuple[str | None, int]] = []
        self.etags: list[str | None] = []

    def request(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        try:
            answer = self.real(method, path, **kwargs)
        except AEPApiError as exc:
            if method == "PATCH":
                self.patches.append((kwargs.get("if_match"), exc.status))
            raise
        if method == "GET" and path.startswith(DATASETS + "/"):
            self.etags.append(answer.headers.get("E-Tag"))
            if self.between is not None:
                between, self.between = self.between, None
                between()
        if method == "PATCH":
            self.patches.append((kwargs.get("if_match"), answer.status))
        return answer


def test_update_sends_the_e_tag_as_if_match(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """help/catalog/api/appendix.md: the E-Tag header of the GET, sent back as If-Match."""
    dataset_id, outs = create(provider, name="Orders", schema_id=plain_schema[0])
    patch_outside(emulator, dataset_id, {"description": "bumped"})  # version 1.0.1
    recorder = RecordingClient(provider)
    monkeypatch.setattr(provider.client, "request", recorder.request)
    update(provider, dataset_id, outs, name="Orders v2")
    assert recorder.etags[0] == "1.0.1"
    assert recorder.patches == [("1.0.1", 200)]


def test_a_412_re_reads_and_retries_once(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone changes the dataset between the read and the PATCH: 412, then a fresh read and patch
    that keeps their change."""
    dataset_id, outs = create(provider, name="Orders", schema_id=plain_schema[0])
    theirs = {"enableErrorDiagnostics": True}  # a field the provider does not manage
    recorder = RecordingClient(provider, between=lambda: patch_outside(emulator, dataset_id, theirs))
    monkeypatch.setattr(provider.client, "request", recorder.request)
    update(provider, dataset_id, outs, name="Orders v2")
    assert recorder.patches == [("1.0.0", 412), ("1.0.1", 200)]
    stored = server_dataset(emulator, dataset_id)
    assert (stored["name"], stored["enableErrorDiagnostics"], stored["version"]) == ("Orders v2", True, "1.0.2")


def test_a_second_412_is_reported(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dataset_id, outs = create(provider, name="Orders", schema_id=plain_schema[0])
    recorder = RecordingClient(provider)

    def busy() -> None:  # another writer after each of the provider's reads
        patch_outside(emulator, dataset_id, {"description": f"theirs {len(recorder.etags)}"})
        recorder.between = busy

    recorder.between = busy
    monkeypatch.setattr(provider.client, "request", recorder.request)
    with pytest.raises(AEPApiError) as caught:
        update(provider, dataset_id, outs, name="Orders v2")
    assert caught.value.status == 412
    assert [status for _, status in recorder.patches] == [412, 412]


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
    assert {k: v for k, v in stored["tags"].items() if k in ("team", "unifiedIdentity")} == {
        "team": ["crm"], "unifiedIdentity": ["enabled:true"]}
    assert stored["tags"]["unifiedProfile"][0] == "enabled:true"
    assert stored["schemaRef"]["id"] == schema_id and stored["fileDescription"]["format"] == "parquet"

    outs_after_read, inputs = refreshed(provider, dataset_id, outs)
    assert outs_after_read == outs  # no drift: read gives back exactly what create stored
    # Inputs as check returns them: the default sandbox and the null description left out, the file
    # format's default kept (base.with_defaults: a later replacement's preview shows it unchanged).
    assert inputs == {"name": "Members", "schema_id": schema_id, "profile_enabled": True,
                      "identity_enabled": True, "tags": {"team": ["crm"]}, "file_format": "parquet"}
    assert provider.diff(dataset_id, outs_after_read, program_inputs(provider, outs)).changes is False

    outs = update(provider, dataset_id, outs, name="Members v2", description="All members",
                  profile_enabled=False, tags={"owner": ["me"]})
    stored = server_dataset(emulator, dataset_id)
    assert (stored["name"], stored["description"], stored["version"]) == ("Members v2", "All members", "1.0.1")
    assert {k: v for k, v in stored["tags"].items() if not k.startswith(("adobe/", "aep/", "acp_"))} == {
        "owner": ["me"], "unifiedProfile": ["enabled:false"], "unifiedIdentity": ["enabled:true"]}
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
    assert stored["tags"]["team"] == ["crm"] and stored["tags"]["adobe/pqs/table"] == ["x"]  # the platform's tag is kept
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


def test_profile_dataset_on_a_schema_without_profile_fails_check_and_is_never_written(
    provider: DatasetProvider, plain_schema: tuple[str, dict], emulator: EmulatorHandle
) -> None:
    inputs = {"name": "Members", "schema_id": plain_schema[0], "profile_enabled": True}
    failures = provider.check({}, inputs).failures
    assert [f.property for f in failures] == ["profile_enabled"], failures
    assert "'Plain profile schema' is not enabled for Profile" in failures[0].reason
    # While the schema changes in the same deployment (schema_version unknown) check cannot tell; create
    # then refuses before its write.
    assert not provider.check({}, {**inputs, "schema_version": UNKNOWN}).failures
    with pytest.raises(AEPProviderError, match="not written: profile_enabled: schema 'Plain profile schema'"):
        provider.create(inputs)
    assert emulator.objects("catalog.dataSets") == []


def test_dataset_on_a_schema_that_does_not_exist_fails_check(provider: DatasetProvider) -> None:
    missing = "https://ns.adobe.com/emulator/schemas/0000"
    failures = provider.check({}, {"name": "Members", "schema_id": missing}).failures
    assert [(f.property, f.reason.split(";")[0]) for f in failures] == [
        ("schema_id", f"schema {missing} does not exist in sandbox 'prod'")
    ]


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
