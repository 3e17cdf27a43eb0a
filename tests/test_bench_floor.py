"""The floor benchmark's recording (``devtools/floor.py``): the graph it replays is the deployed one.

The benchmark itself is a script (``scripts/bench_floor.py``), not a timed test; this checks only that a
recorded state keeps each resource's type, name, inputs, secrets, dependencies and options."""

from __future__ import annotations

import json

from devtools.floor import SECRET_SIG, SECRET_VALUE, record

STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s"
SCHEMA = "urn:pulumi:s::p::pulumi-python:dynamic/aep:Schema::people"
CONNECTION = "urn:pulumi:s::p::pulumi-python:dynamic/aep:BaseConnection::s3"


def secret(value: object) -> dict[str, str]:
    return {SECRET_SIG: SECRET_VALUE, "plaintext": json.dumps(value)}


DEPLOYMENT = {
    "deployment": {
        "resources": [
            {"urn": STACK, "type": "pulumi:pulumi:Stack", "outputs": {"schema_id": "s-1"}},
            {"urn": "urn:pulumi:s::p::pulumi:providers:pulumi-python::default", "type": "pulumi:providers:pulumi-python"},
            {
                "urn": SCHEMA, "type": "pulumi-python:dynamic/aep:Schema", "retainOnDelete": True,
                "inputs": {"__provider": "stub", "title": "People"},
            },
            {
                "urn": CONNECTION, "type": "pulumi-python:dynamic/aep:BaseConnection",
                "inputs": {"__provider": "stub", "schema_id": "s-1", "auth_params": secret({"key": "k"})},
                "propertyDependencies": {"schema_id": [SCHEMA], "auth_params": []},
                "dependencies": [SCHEMA], "additionalSecretOutputs": ["auth_params"],
            },
        ]
    }
}  # fmt: skip


def test_a_recorded_graph_keeps_types_names_inputs_secrets_and_dependencies() -> None:
    graph = record(DEPLOYMENT)
    assert graph["outputs"] == {"schema_id": "s-1"}
    schema, connection = graph["resources"]  # the stack and the default provider are the engine's own
    assert (schema["type"], schema["name"], schema["inputs"], schema["retain_on_delete"]) == (
        "Schema", "people", {"title": "People"}, True,
    )
    assert connection["inputs"] == {"schema_id": "s-1", "auth_params": {"key": "k"}}
    assert connection["secrets"] == ["auth_params"]
    assert connection["dependencies"] == {"schema_id": [SCHEMA]}
    assert connection["depends_on"] == [SCHEMA] and connection["additional_secret_outputs"] == ["auth_params"]
