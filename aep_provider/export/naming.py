"""Python names for exported objects: valid, unique, readable and the same on every export.

A variable is the object's AEP name in snake_case plus what it is (``Loyalty members`` ->
``loyalty_members_schema``); the suffix is left out when the name already says it (``Streaming dataflow``
-> ``streaming_dataflow``). The variable is also the Pulumi resource name. Names are given in program
order with objects sorted by name then id, so two exports of the same sandbox name everything alike.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Iterable

from .model import Exported

MAX_WORDS_LENGTH = 48  # characters of the AEP name kept in a variable, cut at a word
# Names the program itself uses: never a resource variable.
RESERVED = frozenset({"pulumi", "config", "specs", "standard", "aep_provider"})
# Other ways a name may already say what the object is.
_ENDINGS: dict[str, tuple[str, ...]] = {
    "flow": ("flow", "dataflow"),
    "field_group": ("field_group", "fieldgroup", "mixin"),
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9a-zA-Z]+")


def words(text: str) -> list[str]:
    """Lower-case ASCII words of a name: ``Loyalty Members (v2)`` -> ``loyalty, members, v2``;
    ``loyaltyId`` -> ``loyalty, id``; accents dropped (``Données`` -> ``donnees``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return [w.lower() for w in _NOT_WORD.split(_CAMEL.sub(" ", ascii_text)) if w]


def _shortened(parts: list[str]) -> list[str]:
    kept: list[str] = []
    for part in parts:
        if kept and len("_".join([*kept, part])) > MAX_WORDS_LENGTH:
            break
        kept.append(part[:MAX_WORDS_LENGTH])
    return kept


def base_name(label: str, suffix: str) -> str:
    """``label`` as a snake_case identifier ending in what the object is (``suffix``)."""
    parts = _shortened(words(label))
    text = "_".join(parts)
    if not text:
        return suffix
    if text[0].isdigit():
        return f"{suffix}_{text}"  # an identifier cannot start with a digit: say what it is first
    endings = _ENDINGS.get(suffix, (suffix,))
    if any(text == e or text.endswith("_" + e) for e in endings):
        return text
    return f"{text}_{suffix}"


def unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 1
    while candidate in taken or candidate in RESERVED or keyword.iskeyword(candidate):
        number += 1
        candidate = f"{name}_{number}"
    taken.add(candidate)
    return candidate


def assign_names(objects: Iterable[Exported]) -> None:
    """Set ``var`` on every object, in the order given."""
    taken: set[str] = set()
    for obj in objects:
        obj.var = unique(base_name(obj.label, obj.kind.suffix), taken)


def config_key(var: str, param: str) -> str:
    """The stack config key of a connection's secret: ``streaming_kinesis_connection`` + ``secretKey``
    -> ``streamingKinesisConnectionSecretKey``."""
    head, *rest = var.split("_")
    tail = "".join(w[:1].upper() + w[1:] for w in words(param))
    return head + "".join(w.capitalize() for w in rest) + tail
