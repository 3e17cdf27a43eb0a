"""The committed standard XDM catalogue: it matches Adobe's sources (when they are on this machine)
and holds the resources and field paths the seed tutorials rely on."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from aep_emulator.schemaregistry.fields import compat_name
from aep_emulator.schemaregistry.standard import library
from tests.shared_refs import require_shared

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = REPO_ROOT / "aep_emulator" / "schemaregistry" / "data" / "xdm_catalog.json"
PROFILE = "https://ns.adobe.com/xdm/context/profile"
EVENT = "https://ns.adobe.com/xdm/context/experienceevent"


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_xdm_catalog", REPO_ROOT / "scripts" / "build_xdm_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def field_summary(catalogue: dict[str, Any]) -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """``$id`` -> path -> (type, title): what must not drift."""
    return {
        entry["$id"]: {path: (field["type"], field.get("title")) for path, field in entry["fields"].items()}
        for entry in catalogue["resources"]
    }


def test_committed_catalogue_matches_the_sources() -> None:
    xdm = require_shared("xdm")
    rebuilt = builder().build_catalogue(xdm)
    committed = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    assert [e["$id"] for e in committed["resources"]] == [e["$id"] for e in rebuilt["resources"]]
    assert field_summary(committed) == field_summary(rebuilt)
    composition = ("kind", "meta:altId", "meta:extends", "meta:intendedToExtend", "allOf", "refs", "title")
    for ours, source in zip(committed["resources"], rebuilt["resources"]):
        assert {k: ours.get(k) for k in composition} == {k: source.get(k) for k in composition}, ours["$id"]
    # The file on disk is exactly what the script writes (so regenerating it is a no-op).
    assert builder().dump_catalogue(rebuilt) == CATALOGUE.read_text(encoding="utf-8")


def test_catalogue_is_compact_and_attributed() -> None:
    assert CATALOGUE.stat().st_size < 3_000_000
    header = library().header
    assert header["license"] == "CC BY 4.0" and "Adobe" in header["attribution"]


@pytest.mark.parametrize(
    ("resource_id", "kind"),
    [
        (PROFILE, "class"),
        (EVENT, "class"),
        ("https://ns.adobe.com/xdm/data/record", "behavior"),
        ("https://ns.adobe.com/xdm/data/time-series", "behavior"),
        ("https://ns.adobe.com/xdm/context/profile-person-details", "fieldgroup"),
        ("https://ns.adobe.com/xdm/context/profile-personal-details", "fieldgroup"),
        ("https://ns.adobe.com/xdm/context/profile-work-details", "fieldgroup"),
        ("https://ns.adobe.com/xdm/context/profile-subscriptions", "fieldgroup"),
        ("https://ns.adobe.com/xdm/context/identitymap", "fieldgroup"),
        ("https://ns.adobe.com/xdm/context/person", "datatype"),
        ("https://ns.adobe.com/xdm/context/person-name", "datatype"),
        ("https://ns.adobe.com/xdm/context/emailaddress", "datatype"),
        ("https://ns.adobe.com/xdm/context/phonenumber", "datatype"),
        ("https://ns.adobe.com/xdm/common/address", "datatype"),
    ],
)
def test_seed_resources_are_present(resource_id: str, kind: str) -> None:
    entry = library().find(resource_id)
    assert entry is not None and entry["kind"] == kind
    assert library().find(entry["meta:altId"]) is entry


@pytest.mark.parametrize(
    ("resource_id", "path", "xdm_type", "title"),
    [
        (PROFILE, "_id", "string", "Identifier"),
        (PROFILE, "personID", "string", "Person ID"),
        (PROFILE, "_repo.createDate", "date-time", None),
        (PROFILE, "repositoryCreatedBy", "string", "Created by user identifier"),
        (EVENT, "timestamp", "date-time", "Timestamp"),
        (EVENT, "identityMap", "map", None),
        ("https://ns.adobe.com/xdm/context/profile-person-details", "person.name.firstName", "string", "First name"),
        ("https://ns.adobe.com/xdm/context/profile-person-details", "person.birthDate", "date",
         "Birth date(YYYY-MM-DD)"),
        ("https://ns.adobe.com/xdm/context/profile-personal-details", "personalEmail.address", "string", "Address"),
        ("https://ns.adobe.com/xdm/context/profile-personal-details", "homeAddress.city", "string", "City"),
        ("https://ns.adobe.com/xdm/context/profile-personal-details", "mobilePhone.number", "string", "Number"),
        ("https://ns.adobe.com/xdm/context/profile-work-details", "workEmail.address", "string", "Address"),
        ("https://ns.adobe.com/xdm/context/profile-subscriptions", "subscriptions", "array", "Subscriptions"),
        ("https://ns.adobe.com/xdm/context/identitymap", "identityMap", "map", None),
    ],
)
def test_well_known_paths(resource_id: str, path: str, xdm_type: str, title: str | None) -> None:
    field = library().find(resource_id)["fields"][path]
    assert field["type"] == xdm_type
    assert field.get("title") == title


def test_array_items_are_listed_under_the_array() -> None:
    fields = library().find("https://ns.adobe.com/xdm/context/profile-subscriptions")["fields"]
    assert fields["subscriptions"]["items"] == "object"
    assert fields["subscriptions.subscriber.name.firstName"]["type"] == "string"


def test_seed_field_groups_fit_the_profile_class() -> None:
    for name in ("profile-person-details", "profile-personal-details", "profile-work-details", "profile-subscriptions"):
        assert PROFILE in library().find(f"https://ns.adobe.com/xdm/context/{name}")["meta:intendedToExtend"]
    assert library().find("https://ns.adobe.com/xdm/context/identitymap")["meta:intendedToExtend"] == []
    assert set(library().find(PROFILE)["meta:extends"]) == {
        "https://ns.adobe.com/xdm/data/record", "https://ns.adobe.com/xdm/common/auditable"}


@pytest.mark.parametrize(
    ("name", "segments"),
    [
        ("xdm:person", ["person"]),
        ("@id", ["_id"]),
        ("repo:createDate", ["_repo", "createDate"]),
        ("schema:latitude", ["_schema", "latitude"]),
        ("https://ns.adobe.com/xdm/channels/email", ["_channels", "email"]),
        ("https://ns.adobe.com/vendorA/product/stockNumber", ["_vendorA", "product", "stockNumber"]),
        ("plain", ["plain"]),
    ],
)
def test_compatibility_mode_names(name: str, segments: list[str]) -> None:
    assert compat_name(name) == segments
