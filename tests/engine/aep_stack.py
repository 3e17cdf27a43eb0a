"""The pieces every AEP engine scenario is written with: a stack driven through the real CLI, and the
platform (the emulator) seen through AEP's own API.

- :class:`AEPStack`: one stack of the ``declared`` program (``programs/declared``), pointed at an
  emulator. ``declare(resources)`` sets the stack config that program builds from, so a change is a
  ``config set`` plus ``up()``, never a file edit. ``preview_steps()`` reads ``preview --json``.
- :class:`PlatformAPI`: GET/PATCH/POST/DELETE on the emulator as a user would with curl (for
  out-of-band changes and for verifying what the engine did), plus its call statistics, so a test can
  prove a preview wrote nothing.
- ``ref("schema.schema_id")``: an input that is another declared resource's output;
  ``secret("s3SecretKey")``: an input that is a stack config secret.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
import yaml

from aep_emulator.testing import EmulatorHandle
from devtools.pulumi_cli import PulumiCLI, PulumiCLIError

CATALOG = "/data/foundation/catalog"
SCHEMA_REGISTRY = "/data/foundation/schemaregistry"
FLOW_SERVICE = "/data/foundation/flowservice"
DATA_PREP = "/data/foundation/conversion"
XED_JSON = "application/vnd.adobe.xed+json; version=1"

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IMS_ROUTE_PREFIX = "/ims/"  # getting a token is authentication, not a write to the platform
TOKEN_KIND = "ims.tokens"  # emulator objects that belong to IMS, not to any stack
# Records the platform keeps about objects, not objects a stack manages (help/xdm/api/audit-log.md).
RECORD_KINDS = frozenset({TOKEN_KIND, "schemaregistry.auditlog"})

AEP_TYPE_PREFIX = "pulumi-python:dynamic/aep:"
REPLACE_OPS = frozenset({"replace", "create-replacement", "delete-replaced"})
NO_CHANGE_OPS = frozenset({"same", "refresh", "read"})


def ref(output: str) -> dict[str, str]:
    """An input that is the output ``"<resource name>.<output>"`` of an earlier declared resource."""
    return {"__ref__": output}


def secret(config_key: str) -> dict[str, str]:
    """An input that is the stack config secret ``config_key`` (set with ``AEPStack.set_secret``)."""
    return {"__secret__": config_key}


def tenant_path(rest: str) -> dict[str, str]:
    """An input that is ``aep_provider.tenant_namespace()`` + ``rest`` (e.g. ``".loyaltyId"``)."""
    return {"__tenant__": rest}


def declared(name: str, type_: str, inputs: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """One entry of the ``declared`` program: ``extra`` may hold ``options`` and ``exports``."""
    return {"name": name, "type": type_, "inputs": dict(inputs), **extra}


# --- preview --json ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of ``pulumi preview --json`` for an AEP resource."""

    op: str
    name: str
    old_inputs: Mapping[str, Any]
    new_inputs: Mapping[str, Any]

    @classmethod
    def from_json(cls, step: Mapping[str, Any]) -> Step:
        return cls(
            op=str(step["op"]),
            name=str(step["urn"]).split("::")[-1],
            old_inputs=(step.get("oldState") or {}).get("inputs") or {},
            new_inputs=(step.get("newState") or {}).get("inputs") or {},
        )

    def changed_inputs(self) -> dict[str, tuple[Any, Any]]:
        """Inputs whose value differs between the old and the new state: name -> (old, new).

        Dynamic providers cannot report which inputs differ (the step's ``diffReasons`` stays empty),
        so the states the preview prints are what a reviewer reads.
        """
        names = (set(self.old_inputs) | set(self.new_inputs)) - {"__provider"}
        return {
            name: (self.old_inputs.get(name), self.new_inputs.get(name))
            for name in sorted(names)
            if self.old_inputs.get(name) != self.new_inputs.get(name)
        }


def ops_by_resource(steps: list[Step]) -> dict[str, set[str]]:
    """``{"members": {"update"}, ...}`` for the resources that change (``same``/``refresh`` left out)."""
    found: dict[str, set[str]] = {}
    for step in steps:
        if step.op not in NO_CHANGE_OPS:
            found.setdefault(step.name, set()).add(step.op)
    return found


def replacement_order(up_output: str, name: str) -> str:
    """How the engine replaced resource ``name`` in an ``up``: ``"create-before-delete"`` (its default:
    the replacement exists before the original goes) or ``"delete-before-replace"``."""
    created = re.search(rf"aep:\w+ {re.escape(name)} creating replacement", up_output)
    deleted = re.search(rf"aep:\w+ {re.escape(name)} deleting original", up_output)
    assert created and deleted, f"{name} was not replaced:\n{up_output}"
    return "create-before-delete" if created.start() < deleted.start() else "delete-before-replace"


# --- the stack ----------------------------------------------------------------------------------


def aep_config(emulator: EmulatorHandle, sandbox: str | None = None) -> dict[str, str]:
    """The provider's stack config for this emulator (``aep:clientSecret`` is set separately, as a secret)."""
    config = {
        "aep:endpoint": emulator.base_url,
        "aep:imsEndpoint": emulator.base_url,
        "aep:clientId": emulator.config.client_id,
        "aep:orgId": emulator.config.org_id,
    }
    if sandbox is not None:
        config["aep:sandbox"] = sandbox
    return config


@dataclass
class AEPStack:
    """A stack of the ``declared`` program against one emulator, driven through the real CLI."""

    cli: PulumiCLI
    emulator: EmulatorHandle
    backend_dir: Path
    sandbox: str = "prod"
    last_up_output: str = ""

    @property
    def api(self) -> PlatformAPI:
        return PlatformAPI(self.emulator, self.sandbox)

    def init(self) -> AEPStack:
        """``stack init`` plus the provider's config: endpoint, demo credentials (secret), sandbox."""
        self.cli.stack_init()
        for key, value in aep_config(self.emulator, self.sandbox).items():
            self.cli.config_set(key, value)
        self.cli.config_set("aep:clientSecret", self.emulator.config.client_secret, secret=True)
        return self

    def set_secret(self, key: str, value: str) -> None:
        """A program config secret (encrypted in the stack file, decrypted only for the program)."""
        self.cli.config_set(key, value, secret=True)

    def declare(self, resources: list[dict[str, Any]]) -> None:
        """What the program builds from now on (``declared`` entries); takes effect at the next run."""
        self.cli.config_set("resources", json.dumps(resources))

    # --- CLI operations ----------------------------------------------------------------------

    def up(self, refresh: bool = False) -> dict[str, Any]:
        """``pulumi up`` (``--refresh``: read every object first, so drift is corrected); the outputs.

        The CLI's output stays in ``last_up_output`` (e.g. for ``replacement_order``)."""
        self.last_up_output = self.cli.up(*(["--refresh"] if refresh else [])).stdout
        return self.outputs()

    def deploy(self, resources: list[dict[str, Any]]) -> dict[str, Any]:
        self.declare(resources)
        return self.up()

    def preview_steps(self, refresh: bool = False) -> list[Step]:
        """The AEP resource steps of ``pulumi preview --json`` (fails the test when the preview fails)."""
        digest = json.loads(self.cli.preview(json=True, refresh=refresh).stdout)
        return [Step.from_json(s) for s in digest.get("steps") or [] if AEP_TYPE_PREFIX in s["urn"]]

    def preview_failure(self) -> str:
        """Run a preview that must fail; its whole output (where the engine names the bad input)."""
        result = self.cli.run("preview", check=False)
        if result.returncode == 0:
            raise AssertionError(f"preview passed but was expected to fail:\n{result.stdout}")
        return result.stdout + result.stderr

    def up_failure(self) -> str:
        try:
            self.cli.up()
        except PulumiCLIError as failure:
            return failure.result.stdout + failure.result.stderr
        raise AssertionError("up passed but was expected to fail")

    def expect_no_changes(self) -> None:
        """Both checks of a converged stack: an empty preview and a refresh that finds no drift."""
        self.cli.preview(expect_no_changes=True)
        self.cli.refresh(expect_no_changes=True)

    def refresh(self) -> None:
        self.cli.refresh()

    def destroy(self) -> None:
        self.cli.destroy()

    # --- state --------------------------------------------------------------------------------

    def outputs(self) -> dict[str, Any]:
        return self.cli.stack_output()

    def output(self, name: str) -> Any:
        return self.outputs()[name]

    def exported(self) -> dict[str, Any]:
        return self.cli.stack_export()

    def state_resources(self) -> dict[str, dict[str, Any]]:
        """The AEP resources in state by resource name."""
        resources = self.exported()["deployment"].get("resources") or []
        return {r["urn"].split("::")[-1]: r for r in resources if str(r["type"]).startswith(AEP_TYPE_PREFIX)}

    def ids(self) -> dict[str, str]:
        return {name: resource["id"] for name, resource in self.state_resources().items()}

    def state_file(self) -> Path:
        """The raw state file of this stack in the file backend."""
        project = yaml.safe_load(self.cli.project_dir.joinpath("Pulumi.yaml").read_text())["name"]
        return self.backend_dir / ".pulumi" / "stacks" / project / f"{self.cli.stack}.json"


# --- the platform, as a user reaches it -----------------------------------------------------------


@dataclass
class PlatformAPI:
    """AEP's REST API on the emulator, as a user would call it, plus the emulator's test hooks."""

    emulator: EmulatorHandle
    sandbox: str = "prod"

    def call(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None, **params: Any
    ) -> requests.Response:
        return requests.request(
            method,
            self.emulator.url(path),
            headers={**self.emulator.headers(self.sandbox), **(headers or {})},
            json=body,
            params=params or None,
            timeout=30,
        )

    def ok(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        answer = self.call(method, path, body, **kwargs)
        assert answer.ok, f"{method} {path} -> {answer.status_code}: {answer.text}"
        return answer.json() if answer.content else None

    # --- reading objects (None when the platform answers 404) ---------------------------------

    def _found(self, path: str, **kwargs: Any) -> Any:
        answer = self.call("GET", path, **kwargs)
        if answer.status_code == 404:
            return None
        assert answer.ok, f"GET {path} -> {answer.status_code}: {answer.text}"
        return answer.json()

    def dataset(self, dataset_id: str) -> dict[str, Any] | None:
        found = self._found(f"{CATALOG}/dataSets/{dataset_id}")
        return found.get(dataset_id) if found else None

    def registry_object(self, collection: str, object_id: str) -> dict[str, Any] | None:
        return self._found(
            f"{SCHEMA_REGISTRY}/tenant/{collection}/{quote(object_id, safe='')}", headers={"Accept": XED_JSON}
        )

    def flow_object(self, collection: str, object_id: str) -> dict[str, Any] | None:
        """A Flow Service object (``flows``, ``connections``, ``sourceConnections``, ``targetConnections``)."""
        found = self._found(f"{FLOW_SERVICE}/{collection}/{object_id}")
        return found["items"][0] if found else None

    def mapping_set(self, mapping_set_id: str) -> dict[str, Any] | None:
        return self._found(f"{DATA_PREP}/mappingSets/{mapping_set_id}")

    # --- the emulator's view --------------------------------------------------------------------

    def objects(self) -> list[dict[str, Any]]:
        """Every platform object the emulator holds in a sandbox (IMS tokens, the Schema Registry's audit log
        and the org's own records, such as its sandbox table, aside: no stack of these tests makes them)."""
        return [o for o in self.emulator.objects() if o["kind"] not in RECORD_KINDS and o["sandbox"]]

    def object_ids(self) -> set[str]:
        return {str(o["id"]) for o in self.objects()}

    def stored(self, object_id: str) -> dict[str, Any]:
        """An object as the emulator stores it (secrets unmasked: what the platform really holds)."""
        (found,) = [o["object"] for o in self.objects() if o["id"] == object_id]
        return found

    def writes(self) -> list[dict[str, Any]]:
        """Recorded calls that could have changed a platform object (token requests aside)."""
        return [
            row
            for row in self.emulator.stats()["calls"]
            if row["method"] in WRITE_METHODS and not row["route"].startswith(IMS_ROUTE_PREFIX)
        ]

    @contextmanager
    def no_writes(self) -> Iterator[None]:
        """Fail if anything inside the block wrote to the platform."""
        self.emulator.clear_stats()
        yield
        writes = self.writes()
        assert not writes, f"expected no API write, got {writes}"


# --- the __provider pickle ----------------------------------------------------------------------


def provider_pickle(resource: Mapping[str, Any]) -> bytes:
    """The decoded ``__provider`` of a resource in exported state (inputs and outputs must agree)."""
    encoded = resource["outputs"]["__provider"]
    assert resource["inputs"]["__provider"] == encoded
    assert isinstance(encoded, str), f"__provider is not a plain string (secret?): {encoded!r}"
    return base64.b64decode(encoded)
