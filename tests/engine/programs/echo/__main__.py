"""Engine test program: one Echo resource whose message comes from stack config.

Setting the config key ``fail`` to true makes the program raise before registering anything, to check
how a failing program is reported through the language host.
"""

import pulumi

from aep_provider.echo import Echo

config = pulumi.Config()
if config.get_bool("fail"):
    raise RuntimeError("echo program failed on purpose")

echo = Echo("greeter", message=config.require("message"))

pulumi.export("id", echo.id)
pulumi.export("echoed", echo.echoed)
pulumi.export("credential_source", echo.credential_source)
