"""Issue 9: a server failure (5xx) during a check-time look-up says the platform failed, never that the input
is wrong (``aep_provider/preflight.py``, ``lookup_failure_text``): the preview fails on the input whose
look-up failed (or on the stack's sandbox for the sandbox check), names the status and a request id, and
tells the user to run the preview again later.

The failures are the platform's 5xx answers a look-up can meet after its retries: 500 (help/landing/
troubleshooting.md: a 500 may be a limit, retried for reads), 502, 503 and 504. The retries are made fast
here (no backoff) so each case takes milliseconds; how many retries there are is the client's business
(tests/provider/test_client.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aep_emulator.testing import EmulatorHandle
from aep_provider import client as client_module
from aep_provider import specs
from aep_provider.base import AEPProvider, clear_metadata_cache
from aep_provider.connection import BaseConnectionProvider
from aep_provider.dataset import DatasetProvider
from aep_provider.identity_descriptor import IdentityDescriptorProvider
from aep_provider.schema import SchemaProvider
from aep_provider.target_connection import TargetConnectionProvider
from tests.provider.conftest import PROFILE_CLASS

SCHEMA_ID = "https://ns.adobe.com/tenant/schemas/0123456789abcdef"
PLATFORM_FAILED = "the platform failed while this preview checked it"

# name: (provider, inputs, the emulator's route template to fail, the property the failure names)
CASES: dict[str, tuple[type[AEPProvider[Any]], dict[str, Any], str, str]] = {
    "sandbox": (DatasetProvider, {"name": "members", "schema_id": SCHEMA_ID},
                "/data/foundation/sandbox-management/sandboxes/<name>", ""),  # aep:sandbox: no input to name
    "dataset-schema": (DatasetProvider, {"name": "members", "schema_id": SCHEMA_ID},
                       "/data/foundation/schemaregistry/tenant/<any(schemas,fieldgroups,mixins,classes,datatypes):collection>/<path:resource_id>",
                       "schema_id"),
    "schema-class": (SchemaProvider, {"title": "Members", "class_id": PROFILE_CLASS},
                     "/data/foundation/schemaregistry/global/<any(schemas,fieldgroups,mixins,classes,datatypes,behaviors):collection>/<path:resource_id>",
                     "class_id"),
    "identity-namespace": (IdentityDescriptorProvider,
                           {"schema_id": SCHEMA_ID, "field_path": "/_tenant/memberId", "namespace": "Email"},
                           "/data/core/idnamespace/identities", "namespace"),
    "connection-spec": (BaseConnectionProvider, {"name": "k", "connection_spec_id": specs.AMAZON_KINESIS,
                                                 "auth_spec_name": "Aws Kinesis authentication credentials",
                                                 "auth_params": {}},
                        "/data/foundation/flowservice/connectionSpecs/<spec_id>", "connection_spec_id"),
    "target-dataset": (TargetConnectionProvider, {"name": "t", "dataset_id": "5f0123456789abcdef012345",
                                                  "schema_id": SCHEMA_ID},
                       "/data/foundation/catalog/dataSets/<dataset_id>", "dataset_id"),
}  # fmt: skip
STATUSES = (500, 502, 503, 504)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look-up sessions made for this test retry without pausing; the process's own sessions are untouched."""
    monkeypatch.setattr(client_module, "BACKOFF_FACTOR", 0.0)
    monkeypatch.setattr(client_module, "BACKOFF_JITTER", 0.0)
    monkeypatch.setattr(client_module, "_sessions", {})


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_server_failure_during_a_lookup_says_the_platform_failed(
    emulator: EmulatorHandle, configured: Callable[..., Any], fast_retries: None, case: str, status: int
) -> None:
    provider_class, inputs, route, prop = CASES[case]
    clear_metadata_cache()  # no verdict or look-up kept from an earlier test
    emulator.inject_fault(method="GET", route=route, action="status", status=status, retry_after=0)
    result = configured(provider_class).check({}, inputs)
    failures = {f.property: f.reason for f in result.failures}
    assert prop in failures, failures
    reason = failures[prop]
    assert PLATFORM_FAILED in reason and "says nothing about the inputs" in reason, reason
    assert str(status) in reason and "request id" in reason, reason
    assert "does not exist" not in reason and "did you mean" not in reason  # never blamed on the input
    assert emulator.calls(route=route.rsplit("/<", 1)[0], status=status) >= 1  # the failure came from the platform
