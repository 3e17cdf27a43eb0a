"""The org stack: the sandboxes the other stacks deploy into, owned in one place.

Config (``aep-org:*``; the provider's own keys are ``aep:*`` as in every stack):

- ``devSandbox`` / ``stageSandbox``: the sandbox names (default ``dev`` and ``stage``);
  ``devTitle`` / ``stageTitle``: their display titles;
- ``adoptExisting``: ``true`` when the sandboxes already exist in the org (made in the UI, or the
  emulator's default ``dev`` and ``stage``): the stack then adopts them by name instead of creating them.

Each sandbox is a ``Sandbox`` resource, protected by default: deleting a sandbox deletes everything in
it, so ``pulumi destroy`` or a rename refuses until ``allow_delete=True`` is deployed and ``protect`` is
lifted. The names are stack outputs (``dev_sandbox``, ``stage_sandbox``) that the workflow stacks read
(README.md shows how).
"""

import pulumi

from aep_provider import Sandbox

config = pulumi.Config("aep-org")
adopt = config.get_bool("adoptExisting") or False

for key, default_name, default_title in (("dev", "dev", "Development"), ("stage", "stage", "Staging")):
    name = config.get(f"{key}Sandbox") or default_name
    sandbox = Sandbox(
        f"{key}-sandbox",
        name=name,
        title=config.get(f"{key}Title") or default_title,
        type="development",
        adopt_id=name if adopt else None,
    )
    pulumi.export(f"{key}_sandbox", sandbox.sandbox_name)
