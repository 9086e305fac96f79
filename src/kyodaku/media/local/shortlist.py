"""The shortlist's search structure: descriptors keyed by 3-byte windows (see the package docstring).

Two descriptors within ~31 bits usually agree on one whole window of 3 bytes, two random ones
almost never: looking every query descriptor up in the 11 window tables gives the candidate pairs,
whose exact distances then decide. Approximate on purpose; verification has the last word.
"""

from __future__ import annotations

import numpy as np

from kyodaku.media.local.features import DESCRIPTOR_BYTES, readonly

WINDOW_BYTES = 3
WINDOW_STARTS = tuple(range(0, DESCRIPTOR_BYTES, WINDOW_BYTES))
"""The shortlist's 11 lookup tables key descriptors by 3-byte windows at bytes 0, 3, ..., 30 (the
last wraps around to byte 0)."""


def _window_keys(codes: np.ndarray, start: int) -> np.ndarray:
    """The 24-bit value of bytes start, start+1, start+2 (mod 32) of every code, as uint32."""
    cols = [(start + k) % DESCRIPTOR_BYTES for k in range(WINDOW_BYTES)]
    key = codes[:, cols[0]].astype(np.uint32)
    for shift, col in enumerate(cols[1:], start=1):
        key |= codes[:, col].astype(np.uint32) << np.uint32(8 * shift)
    return key


class WindowTables:
    """Candidate pairs (query descriptor, bank row) that agree on a whole 3-byte window and lie
    within a radius: a fast, approximate radius search for the shortlist (see the module docstring).

    Per window, the rows sorted by that window's value and the sorted values (uint32 each: 8 bytes
    a descriptor a table, 88 with the 11 tables). A lookup is two `searchsorted` per table over all
    query descriptors at once, then the exact distance of every candidate.
    """

    def __init__(self, codes: np.ndarray) -> None:
        self._words = codes.view(np.uint64)
        self._tables: list[tuple[np.ndarray, np.ndarray]] = []
        for start in WINDOW_STARTS:
            key = _window_keys(codes, start)
            order = np.argsort(key, kind="stable").astype(np.uint32)
            self._tables.append((readonly(key[order]), readonly(order)))

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + r.nbytes for k, r in self._tables)

    def pairs(self, queries: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
        found_q, found_rows = [], []
        for (keys, rows), start in zip(self._tables, WINDOW_STARTS, strict=True):
            qk = _window_keys(queries, start)
            lo = np.searchsorted(keys, qk, side="left")
            counts = np.searchsorted(keys, qk, side="right") - lo
            total = int(counts.sum())
            if total == 0:
                continue
            ends = np.cumsum(counts)
            positions = np.arange(total, dtype=np.int64) + np.repeat(lo - (ends - counts), counts)
            found_rows.append(rows[positions])
            found_q.append(np.repeat(np.arange(len(queries), dtype=np.int64), counts))
        if not found_rows:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        q = np.concatenate(found_q)
        r = np.concatenate(found_rows).astype(np.int64)
        qwords = np.ascontiguousarray(queries).view(np.uint64)
        d = np.bitwise_count(self._words[r] ^ qwords[q]).sum(axis=1, dtype=np.uint16)
        keep = d <= radius
        return q[keep], r[keep]
