"""A small XDM-shaped parquet file for the demo bucket, written without a parquet library.

The demo only needs a real parquet object where the cloud-storage dataflow reads; pulling in pyarrow
(tens of MB) for a few rows is not worth it. This writes the simplest valid layout of the format
(https://parquet.apache.org/docs/file-format/): one row group, one uncompressed PLAIN-encoded data page
per column, every field REQUIRED (so no definition or repetition levels), strings as UTF8 byte arrays.
Nested XDM fields (``person.name.firstName``) become nested groups, as ``parquet_xdm`` expects. The
metadata is Thrift's compact protocol, encoded by the few helpers below.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

MAGIC = b"PAR1"
# Thrift compact protocol type ids.
_I32, _I64, _BINARY, _LIST, _STRUCT = 5, 6, 8, 9, 12
# Parquet enum values (parquet.thrift).
_BYTE_ARRAY, _REQUIRED, _UTF8, _PLAIN, _RLE, _UNCOMPRESSED, _DATA_PAGE = 6, 0, 0, 0, 3, 0, 0

_PEOPLE = (("1", "Ada", "Lovelace"), ("2", "Alan", "Turing"), ("3", "Grace", "Hopper"))
SAMPLE_ROWS: tuple[dict[str, str], ...] = tuple(
    {
        "_id": person_id,
        "person.name.firstName": first,
        "person.name.lastName": last,
        "personalEmail.address": f"{first.lower()}@example.com",
    }
    for person_id, first, last in _PEOPLE
)


# --- Thrift compact protocol ------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 63)


Field = tuple[int, int, Any]  # (field id, thrift type, value)


def _value(kind: int, value: Any) -> bytes:
    if kind in (_I32, _I64):
        return _varint(_zigzag(value))
    if kind == _BINARY:
        data = value.encode() if isinstance(value, str) else value
        return _varint(len(data)) + data
    if kind == _STRUCT:
        return value if isinstance(value, bytes) else _struct(value)  # bytes: a struct already encoded
    if kind == _LIST:
        element_kind, items = value
        size = len(items)
        header = bytes([(size << 4) | element_kind]) if size < 15 else bytes([0xF0 | element_kind]) + _varint(size)
        return header + b"".join(_value(element_kind, item) for item in items)
    raise ValueError(f"unsupported thrift type {kind}")


def _struct(fields: Sequence[Field]) -> bytes:
    """A struct: fields in ascending id order (short-form headers), then the stop byte."""
    out = bytearray()
    last = 0
    for field_id, kind, value in fields:
        if value is None:
            continue
        out.append(((field_id - last) << 4) | kind)  # ids grow by at most 15 in these structs
        out += _value(kind, value)
        last = field_id
    out.append(0)
    return bytes(out)


# --- parquet -------------------------------------------------------------------------------------------


def _schema_elements(paths: Sequence[str]) -> list[bytes]:
    """SchemaElements, depth first: the root, groups for each nested XDM object, UTF8 leaves."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for part in path.split("."):
            node = node.setdefault(part, {})

    def walk(name: str, children: Mapping[str, Any], root: bool = False) -> list[bytes]:
        if not children:
            return [_struct([(1, _I32, _BYTE_ARRAY), (3, _I32, _REQUIRED), (4, _BINARY, name), (6, _I32, _UTF8)])]
        repetition = None if root else _REQUIRED
        own = _struct([(3, _I32, repetition), (4, _BINARY, name), (5, _I32, len(children))])
        return [own] + [element for child, grand in children.items() for element in walk(child, grand)]

    return walk("schema", tree, root=True)


def parquet_bytes(rows: Sequence[Mapping[str, str]] = SAMPLE_ROWS) -> bytes:
    """A parquet file holding ``rows`` (dotted XDM path -> string; every row has the same paths)."""
    paths = list(rows[0])
    out = bytearray(MAGIC)
    chunks = []
    for path in paths:
        data = b"".join(struct.pack("<I", len(v.encode())) + v.encode() for v in (row[path] for row in rows))
        page_header = _struct([
            (1, _I32, _DATA_PAGE), (2, _I32, len(data)), (3, _I32, len(data)),
            (5, _STRUCT, [(1, _I32, len(rows)), (2, _I32, _PLAIN), (3, _I32, _RLE), (4, _I32, _RLE)]),
        ])  # fmt: skip
        offset = len(out)
        out += page_header + data
        size = len(page_header) + len(data)
        metadata = [
            (1, _I32, _BYTE_ARRAY), (2, _LIST, (_I32, [_PLAIN])), (3, _LIST, (_BINARY, path.split("."))),
            (4, _I32, _UNCOMPRESSED), (5, _I64, len(rows)), (6, _I64, size), (7, _I64, size), (9, _I64, offset),
        ]  # fmt: skip
        chunks.append((offset, size, metadata))
    row_group = [
        (1, _LIST, (_STRUCT, [[(2, _I64, offset), (3, _STRUCT, metadata)] for offset, _, metadata in chunks])),
        (2, _I64, sum(size for _, size, _ in chunks)),
        (3, _I64, len(rows)),
    ]
    footer = _struct([
        (1, _I32, 1),
        (2, _LIST, (_STRUCT, _schema_elements(paths))),
        (3, _I64, len(rows)),
        (4, _LIST, (_STRUCT, [row_group])),
        (6, _BINARY, "aep-provider demo"),
    ])  # fmt: skip
    out += footer + struct.pack("<I", len(footer)) + MAGIC
    return bytes(out)
