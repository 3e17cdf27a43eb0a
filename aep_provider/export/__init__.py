"""``aep-provider export``: an existing sandbox as a Pulumi program that adopts everything in it.

``pulumi import`` does not work for dynamic resources, so the exporter reads a sandbox through AEP's API
(``reader``), expresses each object as the inputs of the resource that manages it with that resource's
own ``inputs_from_server`` (``translate``), names the variables (``naming``), wires references between
them (``wiring``) and writes the program (``render``): one resource per object with ``adopt_id``, so the
first ``pulumi up`` writes nothing and the next preview is empty. With ``adopt=False`` the same program
without adopt ids deploys a copy into another sandbox (promotion from dev to stage to prod).

    from aep_provider.export import export_sandbox
    result = export_sandbox(client, "dev", Path("aep-dev"))

The command line (``aep-provider export --sandbox dev``) is in ``cli``; it needs the ``[export]`` extra
(black formats the program, rich draws the progress bar).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..client import AEPClient
from .model import KINDS, Exported
from .naming import assign_names
from .reader import Inventory, Progress, read_inventory
from .render import Program, render
from .translate import translate
from .wiring import wire

PROGRAM_FILE = "__main__.py"


@dataclass(frozen=True)
class ExportResult:
    """What was written where, for the summary."""

    sandbox: str
    directory: Path
    program: Program
    adopt: bool


def build_program(inventory: Inventory, adopt: bool = True) -> Program:
    """The program for an inventory: objects in program order (by kind, then name, then id), named,
    wired and rendered. The same inventory always gives the same program."""
    order = {kind.resource: position for position, kind in enumerate(KINDS)}
    objects: list[Exported] = sorted(
        translate(inventory), key=lambda o: (order[o.kind.resource], o.label.casefold(), o.label, o.object_id)
    )
    assign_names(objects)
    wire(objects, inventory.tenant)
    return render(objects, adopt)


def project_files(project: str, sandbox: str) -> dict[str, str]:
    """``Pulumi.yaml`` and ``requirements.txt`` beside the program."""
    pulumi_yaml = (
        f"name: {project}\n"
        f"description: AEP sandbox {sandbox} as code (written by aep-provider export)\n"
        "runtime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n"
    )
    return {"Pulumi.yaml": pulumi_yaml, "requirements.txt": "aep-provider\n"}


def write_program(program: Program, directory: Path, project: str, sandbox: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / PROGRAM_FILE).write_text(program.source, encoding="utf-8")
    for name, text in project_files(project, sandbox).items():
        (directory / name).write_text(text, encoding="utf-8")


def export_sandbox(
    client: AEPClient,
    sandbox: str,
    directory: Path,
    *,
    adopt: bool = True,
    project: str | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Read ``sandbox`` and write its program into ``directory`` (``__main__.py``, ``Pulumi.yaml``,
    ``requirements.txt``)."""
    program = build_program(read_inventory(client, sandbox, progress), adopt)
    write_program(program, directory, project or f"aep-{sandbox}", sandbox)
    return ExportResult(sandbox, directory, program, adopt)


__all__ = ["ExportResult", "Inventory", "Program", "build_program", "export_sandbox", "read_inventory"]
