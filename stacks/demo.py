"""Placeholder demo (the demo issue replaces it): deploy ``stacks/`` to a local ``demo`` stack, print outputs.

Uses the offline environment of :mod:`devtools.pulumi_cli` (file backend in ``.state``, no pulumi.com).
"""

from __future__ import annotations

import json
import sys

from devtools.pulumi_cli import REPO_ROOT, PulumiCLI, PulumiCLIError

DEMO_STACK = "demo"


def main() -> int:
    cli = PulumiCLI(project_dir=REPO_ROOT, stack=DEMO_STACK)
    try:
        cli.stack_select(create=True)
        print(cli.up().stdout)
        print(json.dumps(cli.stack_output(), indent=2, sort_keys=True))
    except PulumiCLIError as failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
