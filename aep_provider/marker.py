"""Resource markers: a stable id of one resource of one stack, stored on the AEP object it manages.

A dynamic provider's ``create`` never learns the resource's URN, and Pulumi records nothing when a create
is interrupted (``kill -9`` of the CLI, a failure after the POST). So the resource class (program side)
computes a marker from what makes the URN (organization, project, stack, type, parent and name) and
passes it as the hidden input ``resource_marker``; each provider stores it where the platform keeps it
without bothering the user, and looks for it before a create: an object carrying this resource's marker
was made by an earlier, interrupted create of this very resource and is adopted instead of duplicated.

Where each type keeps the marker (and the documentation it rests on) is written in its module docstring:
a Catalog tag on datasets, the ``name`` of a Data Prep mapping set, and a suffix of the ``description``
of Schema Registry and Flow Service objects (both keep a free-text description and find objects by
title or name, which the lookup uses). ``without_marker`` takes the suffix off again, so the
user's description never shows it as drift.
"""

from __future__ import annotations

import hashlib
import re

MARKER_PREFIX = "pulumi-"
# The description suffix: " [pulumi-<20 hex>]" at the very end (nothing else is ever written there).
_SUFFIX = re.compile(r"\s*\[(pulumi-[0-9a-f]{20})\]\s*$")


def resource_marker(organization: str, project: str, stack: str, type_token: str, name: str, parent: str = "") -> str:
    """``pulumi-<20 hex>``: the same for the same resource of the same stack in every run, different for
    any other resource (80 bits of SHA-256; letters, digits and a dash, so it fits tags, names, filters)."""
    key = "\x1f".join((organization, project, stack, parent, type_token, name))
    return MARKER_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:20]


def with_marker(text: str | None, marker: str | None) -> str | None:
    """``text`` with the marker suffix (replacing any earlier one); ``text`` as it is without a marker."""
    if not marker:
        return text
    bare = without_marker(text)
    return f"{bare} [{marker}]" if bare else f"[{marker}]"


def without_marker(text: str | None) -> str | None:
    """The user's part of a description (None when nothing else is left)."""
    if text is None:
        return None
    return _SUFFIX.sub("", text) or None


def marker_in(text: str | None) -> str | None:
    """The marker a description ends with, if any."""
    match = _SUFFIX.search(text or "")
    return match.group(1) if match else None
