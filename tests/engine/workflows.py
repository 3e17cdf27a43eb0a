"""What the engine scenarios deploy, as declarations for ``programs/declared``.

Each workflow is a frozen dataclass of the knobs scenarios turn (a description, the schema a dataset
follows, a schedule, ...); ``resources()`` turns it into the declaration. A scenario changes a knob
with ``dataclasses.replace`` and deploys the result: the program stays the same, only config moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .aep_stack import declared, ref

PROFILE_CLASS = "https://ns.adobe.com/xdm/context/profile"
PERSON_DETAILS = "https://ns.adobe.com/xdm/context/profile-person-details"
PERSONAL_DETAILS = "https://ns.adobe.com/xdm/context/profile-personal-details"

LOYALTY_FIELDS = {
    "loyaltyId": {"type": "string", "title": "Loyalty id"},
    "points": {"type": "long", "title": "Points"},
}


@dataclass(frozen=True)
class SchemaSide:
    """A custom field group, two schemas using it and a dataset following one of them."""

    dataset_name: str = "Loyalty members"
    dataset_description: str = "Members of the loyalty programme"
    schema_description: str = "Loyalty members"
    dataset_schema: str = "members"  # which of the two schemas ("members" / "prospects") the dataset follows
    dataset_adopt_id: str | None = None

    def resources(self) -> list[dict[str, Any]]:
        dataset_inputs: dict[str, Any] = {
            "name": self.dataset_name,
            "description": self.dataset_description,
            "schema_id": ref(f"{self.dataset_schema}.schema_id"),
            "tags": {"team": ["loyalty"]},
        }
        if self.dataset_adopt_id is not None:
            dataset_inputs["adopt_id"] = self.dataset_adopt_id
        return [
            declared(
                "loyalty",
                "FieldGroup",
                {"title": "Loyalty details", "intended_classes": [PROFILE_CLASS], "fields": LOYALTY_FIELDS},
                exports=["field_group_id"],
            ),
            declared(
                "members",
                "Schema",
                {
                    "title": "Loyalty members",
                    "description": self.schema_description,
                    "class_id": PROFILE_CLASS,
                    "field_groups": [ref("loyalty.field_group_id"), PERSON_DETAILS],
                },
                exports=["schema_id"],
            ),
            declared(
                "prospects",
                "Schema",
                {"title": "Loyalty prospects", "class_id": PROFILE_CLASS, "field_groups": [ref("loyalty.field_group_id")]},
                exports=["schema_id"],
            ),
            declared(
                "identity",
                "IdentityDescriptor",
                {"schema_id": ref("members.schema_id"), "field_path": "_emulator.loyaltyId", "namespace": "Email"},
            ),
            declared("members_data", "Dataset", dataset_inputs, exports=["dataset_id", "schema_id"]),
        ]
