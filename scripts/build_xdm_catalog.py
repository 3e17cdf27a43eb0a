"""Build the emulator's compact catalogue of standard XDM resources.

Reads Adobe's XDM component definitions (``<shared>/xdm/components/**/*.schema.json``; adobe/xdm,
CC BY 4.0, copyright Adobe) and writes ``aep_emulator/schemaregistry/data/xdm_catalog.json``: one entry
per class, behavior, field group and data type with its ids, short texts, composition (``allOf``,
``meta:extends``, ``meta:intendedToExtend``, refs) and its resolved field tree as a flat map of
compatibility-mode dotted paths (``person.name.firstName``) to ``{type, title}``.

    .venv/bin/python scripts/build_xdm_catalog.py [--xdm ../shared/xdm] [--out <catalogue path>]

The committed catalogue is what the emulator serves; ``tests/emulator/test_xdm_catalog.py`` rebuilds
it from the sources (when present) and fails if the two drift apart.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from aep_emulator.schemaregistry.fields import Field, FieldMap, compat_name, members, xdm_type

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_XDM = REPO_ROOT.parent / "shared" / "xdm"
DEFAULT_OUT = REPO_ROOT / "aep_emulator" / "schemaregistry" / "data" / "xdm_catalog.json"
FORMAT = "aep-emulator/xdm-catalog@1"
ATTRIBUTION = (
    "Derived from the Experience Data Model (XDM) standard components by Adobe "
    "(https://github.com/adobe/xdm), licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
    "Changes: field trees resolved and flattened to compatibility-mode paths; texts shortened."
)
# Directory under components/ -> resource kind (the Registry's resource families).
KIND_BY_DIR = {"classes": "class", "behaviors": "behavior", "fieldgroups": "fieldgroup", "datatypes": "datatype",
               "common": "datatype"}
SHORT_TEXT = 200


class SourceResolver:
    """Resolves ``$ref``s between Adobe's source documents, memoised, with a guard against cycles."""

    def __init__(self, docs: dict[str, dict[str, Any]]) -> None:
        self.docs = docs
        self._fields: dict[str, FieldMap] = {}
        self._in_progress: set[str] = set()

    def _target(self, ref: str, doc: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        url, _, fragment = ref.partition("#")
        owner = self.docs.get(url) if url else doc
        if owner is None:
            return None
        node: Any = owner
        for part in [p for p in fragment.split("/") if p]:
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return None
        return f"{owner['$id']}#{fragment}", node, owner

    def fields_of(self, ref: str, doc: dict[str, Any]) -> FieldMap:
        target = self._target(ref, doc)
        if target is None:
            return {}
        key, node, owner = target
        if key in self._fields:
            return self._fields[key]
        if key in self._in_progress:  # a data type that contains itself: stop one level down
            return {}
        self._in_progress.add(key)
        try:
            fields = members(node, owner, self, compat_name)
        finally:
            self._in_progress.discard(key)
        self._fields[key] = fields
        return fields

    def describe(self, ref: str, doc: dict[str, Any]) -> Field:
        target = self._target(ref, doc)
        if target is None:
            return {"type": "object"}
        _, node, _ = target
        described: Field = {"type": xdm_type(node) or "object"}
        if isinstance(node.get("title"), str):
            described["title"] = node["title"]
        return described


def alt_id(resource_id: str) -> str:
    """``https://ns.adobe.com/xdm/context/profile`` -> ``_xdm.context.profile`` (other hosts are kept)."""
    rest = resource_id.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    segments = ([] if host == "ns.adobe.com" else [host]) + [s for s in path.split("/") if s]
    return "_" + ".".join(segments)


def short_text(text: Any) -> str:
    """First sentence of a description, at most SHORT_TEXT characters."""
    if not isinstance(text, str):
        return ""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= SHORT_TEXT else sentence[: SHORT_TEXT - 3].rstrip() + "..."


def direct_refs(node: Any, own_id: str) -> list[str]:
    """Every other resource a document references anywhere, in order of appearance."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                url = ref.partition("#")[0]
                if url and url != own_id and url not in found:
                    found.append(url)
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    walk(node)
    return found


def composition(doc: dict[str, Any]) -> list[str]:
    """Resources named in the document's top-level ``allOf`` (local definitions excluded)."""
    out: list[str] = []
    for part in doc.get("allOf") or []:
        url = str(part.get("$ref", "")).partition("#")[0] if isinstance(part, dict) else ""
        if url and url != doc["$id"] and url not in out:
            out.append(url)
    return out


def load_sources(xdm_root: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """``$id`` -> (kind, document) for every component file."""
    sources: dict[str, tuple[str, dict[str, Any]]] = {}
    components = xdm_root / "components"
    for path in sorted(components.rglob("*.schema.json")):
        kind = KIND_BY_DIR.get(path.relative_to(components).parts[0])
        if kind is None:
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        sources[doc["$id"]] = (kind, doc)
    return sources


def catalogue_entry(kind: str, doc: dict[str, Any], resolver: SourceResolver) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "$id": doc["$id"],
        "meta:altId": alt_id(doc["$id"]),
        "kind": kind,
        "title": doc.get("title", ""),
        "description": short_text(doc.get("description")),
    }
    for key in ("meta:status", "meta:abstract", "meta:extensible"):
        if key in doc:
            entry[key] = doc[key]
    entry["meta:extends"] = list(doc.get("meta:extends") or [])
    if kind == "fieldgroup":
        entry["meta:intendedToExtend"] = list(doc.get("meta:intendedToExtend") or [])
    entry["allOf"] = composition(doc)
    entry["refs"] = direct_refs(doc, doc["$id"])
    entry["fields"] = resolver.fields_of(doc["$id"], doc)
    return entry


def build_catalogue(xdm_root: Path) -> dict[str, Any]:
    sources = load_sources(xdm_root)
    resolver = SourceResolver({rid: doc for rid, (_, doc) in sources.items()})
    readme = (xdm_root / "README.md").read_text(encoding="utf-8") if (xdm_root / "README.md").exists() else ""
    commit = re.search(r"\b([0-9a-f]{40})\b", readme)
    return {
        "format": FORMAT,
        "header": {
            "source": "adobe/xdm components" + (f" at commit {commit.group(1)}" if commit else ""),
            "license": "CC BY 4.0",
            "attribution": ATTRIBUTION,
            "generator": "scripts/build_xdm_catalog.py",
        },
        "resources": [catalogue_entry(kind, doc, resolver) for _, (kind, doc) in sorted(sources.items())],
    }


def dump_catalogue(catalogue: dict[str, Any]) -> str:
    """One resource per line: compact, yet a change shows up as a readable diff."""
    head = {k: v for k, v in catalogue.items() if k != "resources"}
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in catalogue["resources"]]
    body = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return body + ',\n "resources": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--xdm", type=Path, default=DEFAULT_XDM, help="folder holding components/")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    catalogue = build_catalogue(args.xdm)
    args.out.write_text(dump_catalogue(catalogue), encoding="utf-8")
    print(f"wrote {len(catalogue['resources'])} resources to {args.out}")


if __name__ == "__main__":
    main()
