"""README "Use it in your own project" says what is true: the standard ids (and ``aep_provider.standard``)
exist in Adobe's catalogue with those titles, the connector auth parameters it names are what the
connection specs require, and the versions it states are the ones pyproject and the CLI pin hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from pydantic import SecretStr

from aep_emulator.testing import EmulatorHandle
from aep_provider import Settings, specs, standard
from devtools.pulumi_cli import REPO_ROOT, pinned_version, supported_range

README = (REPO_ROOT / "README.md").read_text()
XDM_CATALOG = REPO_ROOT / "aep_emulator" / "schemaregistry" / "data" / "xdm_catalog.json"


def section(title: str) -> str:
    start = README.index(f"\n## {title}")
    end = README.find("\n## ", start + 4)
    return README[start : end if end != -1 else len(README)]


def readme_id_table() -> dict[str, dict[str, str]]:
    rows = re.findall(r"^\| (class|field group) \| ([^|]+) \| `([^`]+)` \|$", section("Use it in your own project"), re.M)
    table: dict[str, dict[str, str]] = {"class": {}, "field group": {}}
    for kind, title, id_ in rows:
        table[kind][title.strip()] = id_
    return table


def test_readme_table_is_the_lookup_helper() -> None:
    assert readme_id_table() == {"class": standard.CLASSES, "field group": standard.FIELD_GROUPS}


def test_standard_ids_are_adobes() -> None:
    catalog = {r["$id"]: r for r in json.loads(XDM_CATALOG.read_text())["resources"]}
    for kind, table in (("class", standard.CLASSES), ("fieldgroup", standard.FIELD_GROUPS)):
        for title, id_ in table.items():
            assert id_ in catalog, id_
            assert (catalog[id_]["title"], catalog[id_].get("meta:resourceType") or catalog[id_].get("kind")) == (
                title,
                kind,
            )


def test_lookup_helper_by_title() -> None:
    assert standard.class_id("xdm individual profile") == standard.PROFILE
    assert standard.field_group_id("Demographic Details").endswith("/profile-person-details")
    with pytest.raises(KeyError, match="did you mean 'Demographic Details'"):
        standard.field_group_id("Demographic Detail")


@pytest.mark.parametrize(
    ("connector", "required"),
    [("amazon-s3", {"s3AccessKey", "s3SecretKey"}), ("Amazon Kinesis", {"accessKeyId", "secretKey", "region"})],
)
def test_connector_auth_parameters_as_documented(
    emulator: EmulatorHandle, connector: str, required: set[str]
) -> None:
    settings = Settings(
        endpoint=emulator.base_url, ims_endpoint=emulator.base_url, client_id=emulator.config.client_id,
        client_secret=SecretStr(emulator.config.client_secret), org_id=emulator.config.org_id,
    )  # fmt: skip
    # The README's snippet, with explicit settings instead of stack config.
    spec = specs.connection_spec_by_name(connector, settings)
    (auth,) = specs.auth_specs(spec).values()
    assert set(auth["spec"]["required"]) == required
    assert required <= set(auth["spec"]["properties"])
    assert all(f"`{name}`" in section("Use it in your own project") for name in required)


def test_versions_in_the_readme_are_the_real_ones() -> None:
    text = section("Use it in your own project")
    (stated,) = re.findall(r"\*\*`([^`]+)`\*\*", text)
    assert SpecifierSet(stated) == supported_range()
    lower = next(s.version for s in supported_range() if s.operator == ">=")
    assert f"| Python SDK, lower end | {lower} |" in text
    assert f"| CLI | {pinned_version()} |" in text
    assert "pip install 'aep-provider[emulator]'" in text


def test_set_up_has_exactly_the_two_commands() -> None:
    (block,) = re.findall(r"```bash\n(.*?)```", section("Set up"), re.S)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["./dev demo", "./dev test"]


def test_readme_workflow_and_script_paths_exist() -> None:
    for path in re.findall(r"`((?:\.github|scripts|tests)/[\w./-]+)`", section("Use it in your own project")):
        assert (REPO_ROOT / Path(path.split(" ")[0])).exists(), path
