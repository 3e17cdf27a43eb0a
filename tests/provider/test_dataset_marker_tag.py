"""Issue 9: the Catalog tag that holds a dataset's marker (``aep-provider/marker``, see ``aep_provider/dataset.py``)
is the provider's: a user tag of that name would be overwritten at create and would make another
resource's look-up adopt this dataset, so the preview refuses it, naming ``tags`` and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from aep_provider.dataset import MARKER_TAG, DatasetProvider
from aep_provider.marker import resource_marker
from tests.provider.conftest import configure

INPUTS = {"name": "members", "schema_id": "s1", "__provider": "stub"}


def tag_failures(tags: dict[str, Any], **extra: Any) -> dict[str, str]:
    """``check`` as an offline preview runs it (no credentials: no look-up), failures by the input they name:
    the failure's property, or the ``<input>: `` its reason starts with when it is reported on no property."""
    checked = configure(DatasetProvider(), {}).check({}, {**INPUTS, "tags": tags, **extra})
    return {f.property or f.reason.split(":", 1)[0]: f.reason for f in checked.failures}


def test_a_user_tag_named_like_the_marker_fails_naming_tags_and_the_fix() -> None:
    failures = tag_failures({MARKER_TAG: ["mine"], "team": ["crm"]})
    assert set(failures) == {"tags"}
    assert MARKER_TAG in failures["tags"] and "reserved" in failures["tags"]
    assert "another name" in failures["tags"]  # the fix


@pytest.mark.parametrize("tags", [{"team": ["crm"]}, {"aep-provider/markers": ["x"]}, {"marker": ["x"]}])
def test_other_tags_pass(tags: dict[str, Any]) -> None:
    assert tag_failures(tags) == {}


def test_the_providers_own_marker_input_is_no_user_tag() -> None:
    marker = resource_marker("", "proj", "dev", "pulumi-python:dynamic/aep:Dataset", "members")
    assert tag_failures({"team": ["crm"]}, resource_marker=marker) == {}
