"""The ``aep-provider`` command: ``aep-provider export --sandbox dev [--out DIR] [--no-adopt]``.

Settings are the provider's (``aep_provider/settings.py``): the ``AEP_*`` environment variables
(``AEP_CLIENT_ID``, ``AEP_CLIENT_SECRET``, ``AEP_ORG_ID``, ``AEP_ENDPOINT``, ``AEP_IMS_ENDPOINT``,
``AEP_SANDBOX``, ``AEP_SCOPES``). A progress bar on stderr shows the reading; the summary (what was
exported, what was not and why, the secrets to set) goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..client import AEPClient
from ..errors import AEPProviderError, ConfigurationError
from ..settings import Settings, validate_sandbox_name
from . import ExportResult, export_sandbox
from .errors import ExportError, missing_extra
from .model import KINDS
from .reader import READ_STEPS, Progress


def _sandbox(value: str) -> str:
    try:
        return validate_sandbox_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="aep-provider", description="Adobe Experience Platform as code.")
    commands = main.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export",
        help="write a sandbox as a Pulumi program that adopts everything in it",
        description="Read a sandbox and write a Pulumi Python program managing its objects. Settings come "
        "from the AEP_* environment variables (AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID, ...).",
    )
    export.add_argument("--sandbox", type=_sandbox, help="the sandbox to export (default: AEP_SANDBOX, else prod)")
    export.add_argument("--out", type=Path, help="directory of the program (default: ./aep-<sandbox>)")
    export.add_argument(
        "--no-adopt", dest="adopt", action="store_false",
        help="leave out adopt ids: the program then deploys a copy into another sandbox",
    )  # fmt: skip
    export.add_argument("--project", help="Pulumi project name (default: aep-<sandbox>)")
    return main


@contextmanager
def progress_bar(stream: TextIO | None = None) -> Iterator[Progress]:
    """A rich progress bar over the reading steps, on stderr."""
    try:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn
    except ModuleNotFoundError as missing:
        raise missing_extra(missing) from None
    console = Console(file=stream or sys.stderr)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Bar(*columns, console=console, transient=False) as bar:
        task = bar.add_task("reading the sandbox", total=len(READ_STEPS))
        read = 0

        def told(step: str, count: int) -> None:
            nonlocal read
            read += count
            bar.update(task, advance=1, description=f"read {step} ({read} objects so far)")

        yield told
        bar.update(task, description=f"read {read} objects")


def summary(result: ExportResult) -> str:
    program = result.program
    mode = "adopting the existing objects" if result.adopt else "a copy to deploy into another sandbox"
    lines = [
        f"Exported sandbox {result.sandbox!r} to {result.directory}: {len(program.resources)} resources ({mode}).",
    ]
    counts = Counter(obj.kind.resource for obj in program.resources)
    lines += [f"  {kind.title:<22}{counts[kind.resource]:>5}" for kind in KINDS if counts[kind.resource]]
    if program.unmanaged:
        lines.append(f"Not exported (the provider cannot manage them yet): {len(program.unmanaged)}")
        lines += [f"  - {obj.describe()}: {obj.problem}" for obj in program.unmanaged]
    if program.secrets:
        lines.append("Set these secrets before `pulumi up` (their values are never exported):")
        lines += [f"  pulumi config set --secret {key} <value>" for key in program.secrets]
    target = result.sandbox if result.adopt else "<target sandbox>"
    lines.append(
        f"Then, in {result.directory}: pulumi stack init <stack>, pulumi config set aep:sandbox {target} "
        "(and the other aep:* settings), pulumi up"
    )
    return "\n".join(lines)


def missing_dependency() -> ExportError | None:
    """Whether the ``[export]`` extra (black, rich) is installed: checked before anything is read."""
    try:
        import black  # noqa: F401
        import rich  # noqa: F401
    except ModuleNotFoundError as missing:
        return missing_extra(missing)
    return None


def run(argv: Sequence[str], out: Callable[[str], None] = print) -> int:
    args = parser().parse_args(argv)
    missing = missing_dependency()
    if missing is not None:
        print(f"aep-provider: {missing}", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_config(lambda _key: None)
        sandbox = args.sandbox or settings.sandbox
        with progress_bar() as told:
            result = export_sandbox(
                AEPClient(settings), sandbox, args.out or Path(f"aep-{sandbox}"),
                adopt=args.adopt, project=args.project, progress=told,
            )  # fmt: skip
    except ConfigurationError as exc:
        print(f"aep-provider: {exc}", file=sys.stderr)
        return 2
    except AEPProviderError as exc:
        print(f"aep-provider: {exc}", file=sys.stderr)
        return 1
    out(summary(result))
    return 0


def main() -> int:
    return run(sys.argv[1:])
