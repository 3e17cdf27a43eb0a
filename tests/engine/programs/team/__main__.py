"""Engine test program: one XDM schema and one dataset on it, named after the stack config ``prefix``.

``holdUntilFile`` (optional): after declaring the resources the program waits until that file exists
(at most two minutes), so a test can keep an update, and the backend's lock on the stack, open for as
long as it needs, without sleeping for a guessed time.
"""

from __future__ import annotations

import os
import time

import pulumi

import aep_provider as aep

HOLD_LIMIT_SECONDS = 120

config = pulumi.Config()
prefix = config.get("prefix") or "Team"

schema = aep.Schema(
    "schema",
    title=f"{prefix} customers",
    class_id="https://ns.adobe.com/xdm/context/profile",
    field_groups=["https://ns.adobe.com/xdm/context/profile-person-details"],
)
dataset = aep.Dataset("dataset", name=f"{prefix} customers", schema_id=schema.schema_id)

pulumi.export("schema_id", schema.schema_id)
pulumi.export("dataset_id", dataset.dataset_id)

hold_file = config.get("holdUntilFile")
if hold_file:
    deadline = time.monotonic() + HOLD_LIMIT_SECONDS
    while not os.path.exists(hold_file) and time.monotonic() < deadline:
        time.sleep(0.2)
