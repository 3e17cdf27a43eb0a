"""Names in the exported program: valid, unique, readable Python, and the same on every export."""

from __future__ import annotations

import keyword

import pytest

from aep_provider.export import model
from aep_provider.export.model import Exported
from aep_provider.export.naming import RESERVED, assign_names, base_name, config_key, unique, words


@pytest.mark.parametrize(
    ("label", "suffix", "expected"),
    [
        ("Loyalty members", "schema", "loyalty_members_schema"),
        ("Loyalty members schema", "schema", "loyalty_members_schema"),  # already says what it is
        ("Streaming dataflow", "flow", "streaming_dataflow"),
        ("Orders flow", "flow", "orders_flow"),
        ("Kinesis source", "source", "kinesis_source"),
        ("Members loyaltyId", "identity", "members_loyalty_id_identity"),
        ("HTTPApi XDMFlow", "flow", "http_api_xdm_flow"),
        ("Loyalty (v2) -- members!", "field_group", "loyalty_v2_members_field_group"),
        ("Loyalty mixin", "field_group", "loyalty_mixin"),
        ("2024 events", "dataset", "dataset_2024_events"),  # never starts with a digit
        ("Données clients", "dataset", "donnees_clients_dataset"),  # ASCII only
        ("☃☃", "schema", "schema"),  # nothing readable left
        ("", "connection", "connection"),
        ("word " * 30, "schema", "_".join(["word"] * 9) + "_schema"),  # cut at a word
    ],
)
def test_base_name(label: str, suffix: str, expected: str) -> None:
    name = base_name(label, suffix)
    assert name == expected
    assert name.isidentifier() and not keyword.iskeyword(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("loyaltyId", ["loyalty", "id"]), ("S3 bucket", ["s3", "bucket"]), ("CRMToAEP", ["crm", "to", "aep"])],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("members_schema", set(), "members_schema"),
        ("members_schema", {"members_schema"}, "members_schema_2"),
        ("members_schema", {"members_schema", "members_schema_2"}, "members_schema_3"),
        ("config", set(), "config_2"),  # the program's own names stay free
        ("class", set(), "class_2"),
    ],
)
def test_unique(name: str, taken: set[str], expected: str) -> None:
    taken_before = set(taken)
    assert unique(name, taken) == expected
    assert taken == taken_before | {expected}


def test_reserved_names_are_the_programs_own() -> None:
    assert {"pulumi", "config", "specs", "standard"} <= RESERVED


def test_assign_names_is_unique_across_kinds_and_in_order() -> None:
    objects = [
        Exported(model.SCHEMA, "s1", "Members"),
        Exported(model.SCHEMA, "s2", "Members"),
        Exported(model.DATASET, "d1", "Members"),
        Exported(model.DATASET, "d2", "Members dataset"),
    ]
    assign_names(objects)
    assert [o.var for o in objects] == ["members_schema", "members_schema_2", "members_dataset", "members_dataset_2"]


@pytest.mark.parametrize(
    ("var", "param", "expected"),
    [
        ("streaming_kinesis_connection", "secretKey", "streamingKinesisConnectionSecretKey"),
        ("seeded_s3_connection", "s3SecretKey", "seededS3ConnectionS3SecretKey"),
        ("connection", "password", "connectionPassword"),
        ("blob_connection", "connectionString", "blobConnectionConnectionString"),
    ],
)
def test_config_key(var: str, param: str, expected: str) -> None:
    assert config_key(var, param) == expected
