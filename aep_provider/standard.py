"""Standard XDM ids: the classes and field groups Adobe ships in every sandbox, by their titles.

Schemas name their class and field groups by ``$id``; these are the ones most ingestion schemas start
from (the titles are what the Schema Registry and the AEP UI show)::

    from aep_provider import Schema, standard
    Schema("customers", title="Customers", class_id=standard.PROFILE,
           field_groups=[standard.field_group_id("Demographic Details"), standard.IDENTITY_MAP])

Any other standard or tenant id works as well: list them with ``GET /data/foundation/schemaregistry/
global/classes`` and ``.../global/fieldgroups`` (or the emulator, which serves Adobe's catalogue).
"""

from __future__ import annotations

import difflib

PROFILE = "https://ns.adobe.com/xdm/context/profile"
EXPERIENCE_EVENT = "https://ns.adobe.com/xdm/context/experienceevent"
IDENTITY_MAP = "https://ns.adobe.com/xdm/context/identitymap"

CLASSES: dict[str, str] = {
    "XDM Individual Profile": PROFILE,
    "XDM ExperienceEvent": EXPERIENCE_EVENT,
}
"""Title -> ``$id`` of the standard classes (``Schema(class_id=...)``)."""

FIELD_GROUPS: dict[str, str] = {
    "Demographic Details": "https://ns.adobe.com/xdm/context/profile-person-details",
    "Personal Contact Details": "https://ns.adobe.com/xdm/context/profile-personal-details",
    "Work Contact Details": "https://ns.adobe.com/xdm/context/profile-work-details",
    "IdentityMap": IDENTITY_MAP,
    "Environment Details": "https://ns.adobe.com/xdm/context/experienceevent-environment-details",
    "Web Details": "https://ns.adobe.com/xdm/context/experienceevent-web",
}
"""Title -> ``$id`` of common standard field groups (``Schema(field_groups=[...])``): the first three and
IdentityMap go with XDM Individual Profile, the last two with XDM ExperienceEvent."""


def _lookup(kind: str, table: dict[str, str], title: str) -> str:
    wanted = title.casefold().strip()
    for known, id_ in table.items():
        if known.casefold() == wanted:
            return id_
    nearest = difflib.get_close_matches(title, list(table), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(map(repr, nearest))}?" if nearest else ""
    raise KeyError(f"no standard {kind} titled {title!r}{hint} (known: {', '.join(table)})")


def class_id(title: str) -> str:
    """``$id`` of the standard class with this title (case-insensitive), e.g. ``"XDM Individual Profile"``."""
    return _lookup("class", CLASSES, title)


def field_group_id(title: str) -> str:
    """``$id`` of the standard field group with this title (case-insensitive), e.g. ``"Demographic Details"``."""
    return _lookup("field group", FIELD_GROUPS, title)
