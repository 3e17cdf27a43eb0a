"""The ``Accept`` header every Schema Registry GET must carry, and what each value asks for.

``application/vnd.adobe.<family>[-<variant>]+json[; version=<major>[.<minor>]]``. Lists take no
version; lookups require one. Resources (schemas, field groups, classes, data types) accept both
families, ``xed`` and ``xdm``, with the same variants: the XDM-1006 example of
help/xdm/troubleshooting-guide.md names the valid form ``application/vnd.adobe.{xed|xdm}+json``, and
clients send ``xdm-full+json; version=1``. Descriptors want the ``xdm`` family (XDM-1008/1009).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .exceptions import AcceptHeaderInvalid, VersionNotAvailable

_MEDIA = re.compile(
    r"^application/vnd\.adobe\.(?P<family>xed|xdm)(?:-(?P<variant>[a-z0-9-]+))?\+json"
    r"(?:\s*;\s*version\s*=\s*(?P<version>\d+(?:\.\d+)?))?\s*$",
    re.IGNORECASE,
)
SUPPORTED_MAJOR = 1
LIST_VARIANTS = {"", "id"}
LOOKUP_VARIANTS = {"", "id", "full", "notext", "full-notext", "full-desc", "deprecatefield"}
DESCRIPTOR_LIST_VARIANTS = {"", "id", "link", "v2", "v2-id", "v2-link"}

RESOURCE_FAMILIES = {"xed", "xdm"}
EXPECTED_LIST = "application/vnd.adobe.{xed|xdm}+json"
EXPECTED_LOOKUP = "application/vnd.adobe.{xed|xdm}+json; version=1"
EXPECTED_DESCRIPTOR_LIST = "application/vnd.adobe.xdm-id+json"
EXPECTED_DESCRIPTOR_LOOKUP = "application/vnd.adobe.xdm+json"


@dataclass(frozen=True)
class Accept:
    family: str
    variant: str
    version: str | None

    @property
    def resolved(self) -> bool:
        """``xed-full*``: ``allOf`` and ``$ref`` resolved into ``properties``."""
        return self.variant.startswith("full") or self.variant == "deprecatefield"

    @property
    def notext(self) -> bool:
        return self.variant.endswith("notext")

    @property
    def short(self) -> bool:
        return self.variant in ("id", "v2-id")

    @property
    def links(self) -> bool:
        return self.variant in ("link", "v2-link")

    @property
    def paged(self) -> bool:
        return self.variant.startswith("v2")

    @property
    def minor(self) -> int | None:
        if self.version and "." in self.version:
            return int(self.version.split(".", 1)[1])
        return None


def _parse(header: str) -> Accept | None:
    for candidate in header.split(","):
        match = _MEDIA.match(candidate.strip())
        if match:
            return Accept(match["family"].lower(), (match["variant"] or "").lower(), match["version"])
    return None


def for_list(header: str) -> Accept:
    accept = _parse(header)
    if accept is None or accept.family not in RESOURCE_FAMILIES or accept.variant not in LIST_VARIANTS or accept.version:
        raise AcceptHeaderInvalid(header, EXPECTED_LIST, code=1006)
    return accept


def for_lookup(header: str) -> Accept:
    accept = _parse(header)
    if accept is None or accept.family not in RESOURCE_FAMILIES or accept.variant not in LOOKUP_VARIANTS:
        raise AcceptHeaderInvalid(header, EXPECTED_LOOKUP, code=1006)
    if accept.version is None:
        raise AcceptHeaderInvalid(header, EXPECTED_LOOKUP + " (Version should be specified)", code=1007)
    if int(accept.version.split(".")[0]) != SUPPORTED_MAJOR:
        raise VersionNotAvailable(f"The requested version {accept.version} is not available: only version 1 exists.")
    return accept


def for_descriptor_list(header: str) -> Accept:
    accept = _parse(header)
    if accept is None or accept.family != "xdm" or accept.variant not in DESCRIPTOR_LIST_VARIANTS:
        raise AcceptHeaderInvalid(header, EXPECTED_DESCRIPTOR_LIST, code=1008)
    return accept


# "Descriptors are not versioned, therefore no Accept header is required in the lookup request"
# (help/xdm/api/descriptors.md, Look up a descriptor): no header, or one that asks for nothing in
# particular, gets the plain descriptor.
_ANY_MEDIA = {"", "*/*", "application/json"}


def for_descriptor_lookup(header: str) -> Accept:
    if header.strip().lower() in _ANY_MEDIA:
        return Accept("xdm", "", None)
    accept = _parse(header)
    if accept is None or accept.family != "xdm" or accept.variant != "":
        raise AcceptHeaderInvalid(header, EXPECTED_DESCRIPTOR_LOOKUP, code=1009)
    return accept
