"""The exported program as text: a Pulumi Python program using ``aep_provider``, formatted with black.

Nothing here reads AEP: it writes what ``translate`` and ``wiring`` made of the objects. Secrets are
``config.require_secret(<key>)`` (their values are never read); the program's docstring lists the
``pulumi config set --secret`` lines, and objects the provider cannot manage are listed in a comment
with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import model
from .errors import missing_extra
from .model import Exported, Ref, SecretConfig, SecretParam, Symbol
from .naming import config_key

LINE_LENGTH = 100


@dataclass(frozen=True)
class Program:
    """The program's source and what a user must know to run it."""

    source: str
    secrets: tuple[str, ...]  # the stack config keys to set with --secret
    resources: tuple[Exported, ...]
    unmanaged: tuple[Exported, ...]


def expression(value: Any) -> str:
    """Python source for an input value."""
    if isinstance(value, Ref):
        return f"{value.target.var}.{value.attribute}" if value.attribute else value.target.var
    if isinstance(value, Symbol):
        return value.text
    if isinstance(value, SecretConfig):
        return f"config.require_secret({value.key!r})"
    if isinstance(value, SecretParam):
        raise TypeError(f"secret {value.param!r} has no config key yet")
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{expression(k)}: {expression(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(expression(v) for v in value) + "]"
    return repr(value)


def resolve_secrets(obj: Exported) -> list[str]:
    """Give each of the object's secret parameters its stack config key; returns the keys."""
    params = obj.inputs.get("auth_params")
    if not isinstance(params, dict):
        return []
    keys = []
    for name, value in params.items():
        if isinstance(value, SecretParam):
            params[name] = SecretConfig(config_key(obj.var, value.param))
            keys.append(params[name].key)
    return keys


def statement(obj: Exported, adopt: bool) -> str:
    arguments = [repr(obj.var)]
    arguments += [f"{name}={expression(value)}" for name, value in obj.inputs.items()]
    arguments += [f"{name}={expression(value)}" for name, value in obj.keywords.items()]
    if adopt:
        arguments.append(f"adopt_id={obj.object_id!r}")
    return f"{obj.var} = {obj.kind.resource}(\n    " + ",\n    ".join(arguments) + ",\n)"


def _docstring(resources: int, adopt: bool, secrets: Iterable[str]) -> str:
    lines = [f"An AEP sandbox as code, written by `aep-provider export`: {resources} resources.", ""]
    if adopt:
        lines += [
            "Every resource adopts the object it was exported from (adopt_id), so the first `pulumi up` on a new",
            "stack of this sandbox (aep:sandbox) writes nothing to AEP. From then on Pulumi manages them: a",
            "`pulumi destroy` deletes them from AEP.",
        ]
    else:
        lines += ["Deploys a copy of the exported objects into the stack's sandbox (aep:sandbox)."]
    keys = list(secrets)
    if keys:
        lines += ["", "Set the credentials before the first run (they are never exported):"]
        lines += [f"    pulumi config set --secret {key} <value>" for key in keys]
    return '"""' + "\n".join(lines) + '\n"""'


def _unmanaged_comment(unmanaged: list[Exported]) -> str:
    lines = ["# Not exported: objects the provider cannot manage yet, and why."]
    lines += [f"# - {obj.describe()}: {obj.problem}" for obj in unmanaged]
    return "\n".join(lines)


def render(objects: list[Exported], adopt: bool = True) -> Program:
    """The program for these objects (already named and wired), formatted."""
    resources = [obj for obj in objects if obj.managed]
    unmanaged = [obj for obj in objects if not obj.managed]
    secrets = [key for obj in resources for key in resolve_secrets(obj)]
    used = sorted({obj.kind.resource for obj in resources})
    modules = sorted({text.split(".")[0] for obj in resources
                      for text in _symbols([obj.inputs, obj.keywords])})  # fmt: skip
    parts = [_docstring(len(resources), adopt, secrets), "import pulumi"]
    if used or modules:
        parts[-1] += "\n\nfrom aep_provider import " + ", ".join([*used, *modules])
    if secrets:
        parts.append("config = pulumi.Config()")
    for kind in model.KINDS:
        of_kind = [obj for obj in resources if obj.kind is kind]
        if of_kind:
            parts.append(f"# --- {kind.title} ---\n\n" + "\n\n".join(statement(obj, adopt) for obj in of_kind))
    if unmanaged:
        parts.append(_unmanaged_comment(unmanaged))
    return Program(formatted("\n\n".join(parts) + "\n"), tuple(secrets), tuple(resources), tuple(unmanaged))


def _symbols(value: Any) -> Iterable[str]:
    if isinstance(value, Symbol):
        yield value.text
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _symbols(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _symbols(item)


def formatted(source: str) -> str:
    """``source`` formatted by black, the formatter the ``[export]`` extra installs."""
    try:
        import black
    except ModuleNotFoundError as missing:
        raise missing_extra(missing) from None
    return black.format_str(source, mode=black.Mode(line_length=LINE_LENGTH))
