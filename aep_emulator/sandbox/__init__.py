"""Sandbox Management and the sandbox tooling API (``sandbox.yaml``, help/sandboxes/api/*.md,
help/sandboxes/sandbox-tooling-api/*.md).

Emulated for real: the org's sandboxes (list, available list, types, look-up, create -> ``creating`` ->
``active``, title update, reset that empties the sandbox, delete that empties it and leaves it
``deleted``); every other service admits exactly the ``active`` sandboxes of this table. The tooling
API keeps packages, jobs, partnerships and share requests with their documented shapes and states.

Not emulated:
- product profiles: a new sandbox is usable at once when active (AEP needs it added to a product
  profile first, help/sandboxes/api/sandboxes.md);
- ``failed`` provisioning, and the four documented reset refusals (SMS-2074..2077-400), which concern
  Adobe Analytics and Audience Manager data the emulator does not hold;
- ``x-user-token``, admin-only permissions, and per-user availability of sandboxes;
- a tooling import copies no object into the target sandbox (see ``tooling.py``).
"""
