"""The stored format of an entry in Redis: versioned, checked, never pickle.

::

    b"AXPC" version(1 byte) meta_length(4 bytes, big-endian) meta(JSON) bodies

``meta`` holds a check of the key the value belongs to, the invalidation generation it was
stored under, a CRC32 of the bodies and, per variant, its status, headers, Vary names and
digest, age, time and body length; the bodies follow as raw bytes (no base64). Reading accepts only
a value that passes every check: anything else (corrupted, truncated, another program's value,
another version) reads as nothing stored.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Sequence
from typing import Any

from axios_python_plugin_cache import Entry

__all__ = ["FORMAT_VERSION", "MAGIC", "decode", "encode"]

MAGIC = b"AXPC"
FORMAT_VERSION = 1
_HEAD = struct.Struct(">4sBI")


def encode(entries: Sequence[Entry], key_check: str, generation: str | None) -> bytes:
    """The value stored for ``entries`` under the key ``key_check`` stands for."""
    bodies = b"".join(entry.body for entry in entries)
    meta = {
        "k": key_check,
        "g": generation,
        "c": zlib.crc32(bodies),
        "e": [
            {
                "s": entry.status,
                "h": [list(pair) for pair in entry.headers],
                "v": list(entry.vary),
                "d": entry.vary_digest,
                "a": entry.initial_age,
                "r": entry.response_time,
                "n": len(entry.body),
            }
            for entry in entries
        ],
    }
    raw = json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode()
    return _HEAD.pack(MAGIC, FORMAT_VERSION, len(raw)) + raw + bodies


def _str_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise ValueError("headers")
    pairs = []
    for pair in value:
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            raise ValueError("header")
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("number")
    return float(value)


def decode(value: bytes, key_check: str) -> tuple[tuple[Entry, ...], str | None]:
    """The entries of a stored value and the generation they were stored under. Raises
    ``ValueError`` for anything but a complete, intact value of this format for this key."""
    if len(value) < _HEAD.size:
        raise ValueError("truncated")
    magic, version, length = _HEAD.unpack_from(value)
    if magic != MAGIC or version != FORMAT_VERSION:
        raise ValueError("not an entry of this format")
    start = _HEAD.size
    if len(value) < start + length:
        raise ValueError("truncated")
    meta = json.loads(value[start : start + length])
    if not isinstance(meta, dict) or meta.get("k") != key_check:
        raise ValueError("stored under another key")
    generation = meta.get("g")
    if generation is not None and not isinstance(generation, str):
        raise ValueError("generation")
    bodies = value[start + length :]
    if zlib.crc32(bodies) != meta.get("c"):
        raise ValueError("corrupted")
    items = meta.get("e")
    if not isinstance(items, list):
        raise ValueError("entries")
    entries = []
    offset = 0
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("entry")
        size = item.get("n")
        status = item.get("s")
        vary = item.get("v")
        digest = item.get("d")
        if not (isinstance(size, int) and size >= 0 and isinstance(status, int)):
            raise ValueError("entry")
        if not (isinstance(vary, list) and all(isinstance(v, str) for v in vary)):
            raise ValueError("vary")
        if not isinstance(digest, str):
            raise ValueError("vary digest")
        entries.append(
            Entry(
                status=status,
                headers=_str_pairs(item.get("h")),
                body=bodies[offset : offset + size],
                vary=tuple(vary),
                vary_digest=digest,
                initial_age=_number(item.get("a")),
                response_time=_number(item.get("r")),
            )
        )
        offset += size
    if offset != len(bodies):
        raise ValueError("body lengths")
    return tuple(entries), generation
