"""The engine's floor: a recorded resource graph replayed with dynamic resources whose provider does nothing.

``scripts/bench_floor.py`` records the graph of a real deployment (``record`` on ``pulumi stack export
--show-secrets``: each resource's type, name, inputs, which inputs depend on which resources, and its
options) and deploys it again with ``NoOpProvider``, which answers every call at once without a look-up.
Nothing a provider does can be faster, so the real provider's times divided by these are its overhead.

The provider class lives in this importable module so that it is pickled by reference into each
resource's state, as ``aep_provider``'s are (a provider class defined in a program's ``__main__`` is
pickled by value into every resource and inflates the floor).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
_PROGRAM_TYPES = ("pulumi:pulumi:Stack", "pulumi:providers:")


# --- recording (no pulumi import: the bench script runs it) ------------------------------------


def _plain(value: Any) -> tuple[Any, bool]:
    """A state value with its secrets decoded: (value, whether any part was secret)."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            inner = value.get("plaintext")
            return (json.loads(inner) if isinstance(inner, str) else value.get("value")), True
        items = {k: _plain(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, list):
        items = [_plain(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def record(deployment: dict[str, Any]) -> dict[str, Any]:
    """The graph of an exported deployment (``pulumi stack export --show-secrets``), as JSON-ready data."""
    resources = []
    outputs: dict[str, Any] = {}
    for state in deployment["deployment"].get("resources") or []:
        kind = state["type"]
        if kind == "pulumi:pulumi:Stack":
            outputs = _plain(state.get("outputs") or {})[0]
            continue
        if kind.startswith(_PROGRAM_TYPES):
            continue
        inputs, secrets = {}, []
        for name, value in (state.get("inputs") or {}).items():
            if name.startswith("__"):
                continue
            inputs[name], secret = _plain(value)
            if secret:
                secrets.append(name)
        resources.append({
            "urn": state["urn"],
            "type": kind.rsplit(":", 1)[-1],
            "name": state["urn"].rsplit("::", 1)[-1],
            "inputs": inputs,
            "secrets": secrets,
            "dependencies": {k: v for k, v in (state.get("propertyDependencies") or {}).items() if v},
            "depends_on": state.get("dependencies") or [],
            "retain_on_delete": bool(state.get("retainOnDelete")),
            "additional_secret_outputs": state.get("additionalSecretOutputs") or [],
        })  # fmt: skip
    return {"resources": resources, "outputs": outputs}


# --- the provider and the program -------------------------------------------------------------

import pulumi  # noqa: E402 - after the recording helpers, which the bench script uses without pulumi
import pulumi.dynamic  # noqa: E402


def _own(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__")}


class NoOpProvider(pulumi.dynamic.ResourceProvider):
    """Answers every call at once: inputs accepted as they are, outputs echo the inputs."""

    serialize_as_secret_always = False

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        return pulumi.dynamic.CheckResult(news, [])

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        return pulumi.dynamic.DiffResult(changes=_own(olds) != _own(news))

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        return pulumi.dynamic.CreateResult(uuid.uuid4().hex, _own(props))

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        return pulumi.dynamic.ReadResult(id_, _own(props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(_own(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        return None


_classes: dict[str, type[pulumi.dynamic.Resource]] = {}


def resource_class(type_name: str) -> type[pulumi.dynamic.Resource]:
    """A dynamic resource class whose type token is ``pulumi-python:dynamic/aep:<type_name>``, as the real one's."""
    if type_name not in _classes:
        _classes[type_name] = type(type_name, (pulumi.dynamic.Resource,), {}, module="aep", name=type_name)
    return _classes[type_name]


def deploy(graph_file: Path) -> None:
    """Declare every recorded resource: same type, name, inputs, dependencies and options."""
    graph = json.loads(Path(graph_file).read_text())
    made: dict[str, pulumi.dynamic.Resource] = {}
    provider = NoOpProvider()
    for spec in graph["resources"]:
        props: dict[str, Any] = {}
        for name, value in spec["inputs"].items():
            wired = [made[urn] for urn in spec["dependencies"].get(name, []) if urn in made]
            if wired:
                value = pulumi.Output.all(*(r.id for r in wired)).apply(lambda _, v=value: v)
            props[name] = pulumi.Output.secret(value) if name in spec["secrets"] else value
        opts = pulumi.ResourceOptions(
            depends_on=[made[urn] for urn in spec["depends_on"] if urn in made],
            retain_on_delete=spec["retain_on_delete"] or None,
            additional_secret_outputs=spec["additional_secret_outputs"] or None,
        )
        made[spec["urn"]] = resource_class(spec["type"])(provider, spec["name"], props, opts)
    for name, value in graph["outputs"].items():
        pulumi.export(name, value)
