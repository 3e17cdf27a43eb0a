"""The stack program: both seed workflows (streaming raw data, scheduled parquet ingestion), from stack config.

One stack per sandbox: ``Pulumi.local.yaml`` (the local emulator, used by ``./dev demo``),
``Pulumi.dev.yaml``, ``Pulumi.stage.yaml``, ``Pulumi.prod.yaml``. Provider settings are ``aep:*``; the
program's own keys are ``aep-provider:*`` (see ``workflows.StackConfig``).
"""

import pulumi

from workflows import deploy  # the language host runs this directory with it on sys.path

for name, value in deploy().items():
    pulumi.export(name, value)
