"""Placeholder stack program (the stack-program issue replaces it): one Echo resource.

Run with ``./dev pulumi up`` or ``./dev demo``; the message comes from the ``message`` stack config.
"""

import pulumi

from aep_provider.echo import Echo

config = pulumi.Config()
echo = Echo("placeholder", message=config.get("message") or "hello from stacks/")

pulumi.export("echo_id", echo.id)
pulumi.export("echoed", echo.echoed)
