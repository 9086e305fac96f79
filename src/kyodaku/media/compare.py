"""Compare two: the Hamming distance between two 256-bit PDQ hashes, and their conversions.

Kept apart from "search many" (`kyodaku.media.index`) on purpose: comparing two hashes is one
XOR and one popcount on Python integers and needs no index, no numpy arrays and no build step;
mixing the two would make the simple case pay for the complicated one.

A hash is accepted in three forms, all the same 32 bytes:

* `bytes` (or `bytearray`/`memoryview`) of length 32;
* a numpy `uint8` array of shape (32,), as `np.packbits` makes from pdqhash's 0/1 vector;
* a 64-character hex string of those 32 bytes in order (upper or lower case; surrounding
  whitespace ignored). This is the hex of the packed bytes, not necessarily ThreatExchange's
  own string form of a PDQ hash, whose bit order may differ: convert with the same code both sides.

Anything else (wrong length, bad hex, another dtype or shape) raises `InvalidInput` saying what
was wrong, since a malformed hash must never quietly become "no match".
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from kyodaku.domain.errors import InvalidInput

HASH_BITS = 256
HASH_BYTES = HASH_BITS // 8
DEFAULT_RADIUS = 31
"""PDQ's customary match threshold: two hashes match when at most 31 of their 256 bits differ."""

_HEX = re.compile(r"[0-9a-fA-F]{64}")


def to_bytes(x: Any) -> bytes:
    """The 32 bytes of a hash given as bytes, a (32,) uint8 array or a 64-char hex string."""
    if isinstance(x, str):
        return bytes.fromhex(_checked_hex(x))
    if isinstance(x, bytes | bytearray | memoryview):
        b = bytes(x)
        if len(b) != HASH_BYTES:
            raise InvalidInput(f"a PDQ hash is {HASH_BYTES} bytes, got {len(b)}", length=len(b))
        return b
    if isinstance(x, np.ndarray):
        if x.dtype != np.uint8 or x.shape != (HASH_BYTES,):
            raise InvalidInput(
                f"a PDQ hash array must be uint8 of shape ({HASH_BYTES},), got {x.dtype} {x.shape}",
                dtype=str(x.dtype),
                shape=list(x.shape),
            )
        return x.tobytes()
    raise InvalidInput(
        f"a PDQ hash must be {HASH_BYTES} bytes, a ({HASH_BYTES},) uint8 array or a 64-char hex string, "
        f"got {type(x).__name__}"
    )


def to_array(x: Any) -> np.ndarray:
    """The hash as a fresh (32,) uint8 array (the form the index and pdqhash+packbits use)."""
    return np.frombuffer(to_bytes(x), dtype=np.uint8).copy()


def to_hex(x: Any) -> str:
    """The hash as 64 lower-case hex characters."""
    return to_bytes(x).hex()


def from_hex(s: str) -> np.ndarray:
    """A 64-char hex string as a (32,) uint8 array."""
    if not isinstance(s, str):
        raise InvalidInput(f"expected a hex string, got {type(s).__name__}")
    return to_array(s)


def hamming(a: Any, b: Any) -> int:
    """Number of differing bits (0..256) between two hashes, each in any accepted form."""
    return (int.from_bytes(to_bytes(a), "big") ^ int.from_bytes(to_bytes(b), "big")).bit_count()


def _checked_hex(s: str) -> str:
    t = s.strip()
    if len(t) != 2 * HASH_BYTES:
        raise InvalidInput(f"a PDQ hash in hex is {2 * HASH_BYTES} characters, got {len(t)}", length=len(t))
    if not _HEX.fullmatch(t):
        bad = next(c for c in t if c not in "0123456789abcdefABCDEF")
        raise InvalidInput(f"a PDQ hash in hex may hold only 0-9 and a-f, found {bad!r}")
    return t
