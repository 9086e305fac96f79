"""Search many: exact radius search over millions of 256-bit PDQ hashes (multi-index hashing).

The media guard compares each frame's PDQ hash with every registered reference hash and needs
all references within Hamming distance 31 (PDQ's customary threshold), over millions of
references, in a few milliseconds, and exactly: a reference that is within the radius but not
returned is a registered work generated or trained on without consent.

Why multi-index hashing (Norouzi, Punjani & Fleet, "Fast Exact Search in Hamming Space with
Multi-Index Hashing", 2012/2014), and not an approximate index:

* faiss's `IndexBinaryMultiHash` at nflip=0 missed about 1% of the true neighbours within 31
  bits in the measurement behind this design, and HNSW-style graphs (faiss `IndexBinaryHNSW`)
  trade recall for speed the same way: their misses are silent. MIH with enough probes is
  *exact* by a counting argument, so correctness does not depend on the data's distribution,
  only its speed does.
* It is plain numpy: no native dependency to build, and the arrays can be memory-mapped or
  shipped inside an immutable snapshot.

How it works (and why it is exact). Each code is cut into m = 16 substrings of 16 bits. If two
codes differ in at most r bits, write r = q*m + a with 0 <= a < m. Then one of the first a + 1
substrings differs in at most q bits, or one of the other m - a - 1 differs in at most q - 1 bits:
otherwise the differences add up to at least (a + 1)(q + 1) + (m - a - 1) q = r + 1 > r
(pigeonhole). For PDQ's r = 31 this is "some substring differs in at most one bit", so probing,
in each of the 16 tables, the query substring's bucket and the buckets of its 16 one-bit flips
(17 probes per table, 272 in all) finds every code within 31 bits. Smaller radii probe fewer
tables (r = 5 needs exact-substring probes in 6 tables only); larger ones probe more flips in some
or all tables (r = 32 probes two-bit flips in table 0 only, 392 buckets in all; r = 47 in all 16,
2,192 buckets). When the probed buckets would hold more than 15% of the rows (radius 64 and up on
uniform hashes, or a tiny index), the index scans all rows instead, which is also exact and then
at least as fast. Every candidate is checked with its exact distance (XOR + popcount over the 32
bytes), so the result is exactly {rows: distance <= r}, whatever the radius.

Layout: for each substring a *table*, the row ids (uint32) sorted by the substring's value, and
an offsets array of 65,537 entries so that bucket v is `table[offsets[v]:offsets[v + 1]]`.
Memory is 32 bytes (the code, needed for the exact check) + 16 x 4 bytes (row ids) = 96 bytes a
hash, plus 16 x 65,537 x 4 bytes (4.2 MB) of offsets, i.e. 100.2 MB per million hashes at 1M and
96.4 at 10M. Row ids are uint32 because 64-bit ids would take the tables from 64 to 128 bytes a
hash, for collections of more than 4 billion hashes we do not have (build refuses those). 3-byte
ids would save 16 bytes a hash (80 instead of 96), but decoding them measured about 0.3 ms more
per query at 10M hashes, a quarter of the query's time: speed came first.

An index is immutable once built: it lives inside a screening snapshot that is swapped
atomically, so a new reference set means building a new index (the arrays are read-only). A
search only reads them and allocates its own temporaries, so threads may search one index at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from kyodaku.domain.errors import InvalidInput
from kyodaku.media.compare import DEFAULT_RADIUS, HASH_BITS, HASH_BYTES, to_array

SUBSTRINGS = 16
SUBSTRING_BITS = HASH_BITS // SUBSTRINGS
BUCKETS = 1 << SUBSTRING_BITS
MAX_ROWS = (1 << 32) - 1
"""Row ids are uint32 (see the module docstring)."""

SCAN_FRACTION = 0.15
"""Scan every row instead when the probed buckets hold more than this fraction of the rows.

Measured at 2M random hashes on one core: probing reads candidates in random order and broke even
with the scan when the buckets held about 20% of the rows (radius 64)."""
MAX_PROBES = 12_000
"""Past this many buckets (radius 64 and up: 12,972) a scan is as fast; don't even plan probes."""
_SCAN_CHUNK = 1 << 15
"""Rows per step of a full scan (see `_scan`)."""

# Every 16-bit flip mask, lightest first, and how many weigh at most k bits (k = 0..16).
_WEIGHT = np.bitwise_count(np.arange(BUCKETS, dtype=np.uint16))
_MASKS_BY_WEIGHT = np.argsort(_WEIGHT, kind="stable").astype(np.uint16)
_MASKS_UP_TO = np.cumsum(np.bincount(_WEIGHT, minlength=SUBSTRING_BITS + 1))


@dataclass(frozen=True)
class IndexHits:
    """The rows within the radius of one query, nearest first (ties by row number)."""

    rows: np.ndarray
    """int64 row numbers into the array the index was built from."""
    distances: np.ndarray
    """int32 Hamming distances, same order as `rows`."""

    def __len__(self) -> int:
        return len(self.rows)


def _masks_up_to(k: int) -> np.ndarray:
    return _MASKS_BY_WEIGHT[: _MASKS_UP_TO[k]] if k >= 0 else _MASKS_BY_WEIGHT[:0]


def probe_count(radius: int) -> int:
    """Buckets a query probes at this radius (the pigeonhole plan in the module docstring)."""
    q, a = divmod(min(radius, HASH_BITS - 1), SUBSTRINGS)
    first = int(_MASKS_UP_TO[q])
    rest = int(_MASKS_UP_TO[q - 1]) if q >= 1 else 0
    return (a + 1) * first + (SUBSTRINGS - a - 1) * rest


@lru_cache(maxsize=64)
def _probe_plan(radius: int) -> tuple[np.ndarray, np.ndarray]:
    """(table of each probe, flip mask of each probe) for a radius, as two flat arrays."""
    q, a = divmod(radius, SUBSTRINGS)
    tables, masks = [], []
    for t in range(SUBSTRINGS):
        m = _masks_up_to(q if t <= a else q - 1)
        tables.append(np.full(len(m), t, dtype=np.int64))
        masks.append(m)
    plan_tables, plan_masks = np.concatenate(tables), np.concatenate(masks)
    plan_tables.flags.writeable = False
    plan_masks.flags.writeable = False
    return plan_tables, plan_masks


def _check_codes(codes: Any) -> np.ndarray:
    if not isinstance(codes, np.ndarray):
        raise InvalidInput(f"hashes must be a numpy uint8 array of shape (N, {HASH_BYTES})")
    if codes.dtype != np.uint8 or codes.ndim != 2 or codes.shape[1] != HASH_BYTES:
        raise InvalidInput(
            f"hashes must be uint8 of shape (N, {HASH_BYTES}), got {codes.dtype} {codes.shape}",
            dtype=str(codes.dtype),
            shape=list(codes.shape),
        )
    if len(codes) > MAX_ROWS:
        raise InvalidInput(f"an index holds at most {MAX_ROWS} hashes, got {len(codes)}")
    return codes


def _check_radius(radius: Any) -> int:
    if isinstance(radius, bool) or not isinstance(radius, int | np.integer) or radius < 0:
        raise InvalidInput(f"radius must be a non-negative integer, got {radius!r}")
    return int(radius)


def _frozen_copy(codes: np.ndarray) -> np.ndarray:
    own = np.array(codes, dtype=np.uint8, order="C", copy=True)
    own.flags.writeable = False
    return own


def _hits(rows: np.ndarray, distances: np.ndarray) -> IndexHits:
    order = np.lexsort((rows, distances))
    r = rows[order].astype(np.int64, copy=False)
    d = distances[order].astype(np.int32, copy=False)
    r.flags.writeable = False
    d.flags.writeable = False
    return IndexHits(rows=r, distances=d)


_NO_HITS = _hits(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32))


def _distances(words: np.ndarray, query_words: np.ndarray) -> np.ndarray:
    """Hamming distances of (n, 4) uint64 codes to one (4,) uint64 query, as uint16."""
    pc = np.bitwise_count(words ^ query_words)
    return pc[:, 0].astype(np.uint16) + pc[:, 1] + pc[:, 2] + pc[:, 3]


def _scan(words: np.ndarray, query_words: np.ndarray, radius: int) -> IndexHits:
    """Exact radius search by scanning every row, in chunks through reused buffers.

    Chunks of 32k rows keep the temporaries (about 1.4 MB) near the cache; writing into the same
    buffers each step (`out=`) instead of allocating new arrays made the scan about a third faster.
    """
    n = min(_SCAN_CHUNK, len(words))
    xor = np.empty((n, 4), dtype=np.uint64)
    counts = np.empty((n, 4), dtype=np.uint8)
    dist = np.empty(n, dtype=np.uint16)
    rows, dists = [], []
    for start in range(0, len(words), _SCAN_CHUNK):
        chunk = words[start : start + _SCAN_CHUNK]
        m = len(chunk)
        x, c, d = xor[:m], counts[:m], dist[:m]
        np.bitwise_xor(chunk, query_words, out=x)
        np.bitwise_count(x, out=c)
        np.add(c[:, 0], c[:, 1], out=d, dtype=np.uint16)
        np.add(d, c[:, 2], out=d)
        np.add(d, c[:, 3], out=d)
        (r,) = np.nonzero(d <= radius)
        if len(r):
            rows.append(r + start)
            dists.append(d[r])
    if not rows:
        return _NO_HITS
    return _hits(np.concatenate(rows), np.concatenate(dists))


def _query_array(query: Any) -> np.ndarray:
    return to_array(query)


def _queries_array(queries: Any) -> np.ndarray:
    return np.ascontiguousarray(_check_codes(queries))


class BruteForceIndex:
    """Exact search by scanning every hash: the baseline, the test oracle, and fine for small sets."""

    def __init__(self, codes: np.ndarray) -> None:
        self._codes = codes
        self._words = codes.view(np.uint64)

    @classmethod
    def build(cls, codes: np.ndarray) -> BruteForceIndex:
        """Index a (N, 32) uint8 array (copied: later changes to `codes` do not reach the index)."""
        return cls(_frozen_copy(_check_codes(codes)))

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def nbytes(self) -> int:
        return self._codes.nbytes

    def search(self, query: Any, radius: int = DEFAULT_RADIUS) -> IndexHits:
        radius = _check_radius(radius)
        q = _query_array(query)
        return _scan(self._words, q.view(np.uint64), radius)

    def search_many(self, queries: np.ndarray, radius: int = DEFAULT_RADIUS) -> list[IndexHits]:
        radius = _check_radius(radius)
        qs = _queries_array(queries)
        return [_scan(self._words, q.view(np.uint64), radius) for q in qs]


class HashIndex:
    """Exact multi-index hashing over 16 substrings of 16 bits (see the module docstring)."""

    def __init__(self, codes: np.ndarray, tables: np.ndarray, offsets: np.ndarray) -> None:
        self._codes = codes
        self._words = codes.view(np.uint64)
        self._tables = tables
        self._flat_tables = tables.reshape(-1)
        self._offsets = offsets
        self._flat_offsets = offsets.reshape(-1)

    @classmethod
    def build(cls, codes: np.ndarray) -> HashIndex:
        """Index a (N, 32) uint8 array, N >= 0 (copied: later changes to `codes` do not reach it).

        Each table is a stable sort of the row ids by one 16-bit substring (numpy sorts 16-bit
        keys with a radix sort, so a table costs O(N)), which keeps every bucket's rows ascending.
        """
        own = _frozen_copy(_check_codes(codes))
        n = len(own)
        subs = own.view("<u2")  # (N, 16): substring t is bytes 2t, 2t+1
        tables = np.empty((SUBSTRINGS, n), dtype=np.uint32)
        offsets = np.empty((SUBSTRINGS, BUCKETS + 1), dtype=np.uint32)
        for t in range(SUBSTRINGS):
            key = np.ascontiguousarray(subs[:, t])
            tables[t] = np.argsort(key, kind="stable")
            offsets[t, 0] = 0
            np.cumsum(np.bincount(key, minlength=BUCKETS), out=offsets[t, 1:])
            del key
        tables.flags.writeable = False
        offsets.flags.writeable = False
        return cls(own, tables, offsets)

    def __len__(self) -> int:
        return len(self._codes)

    @property
    def nbytes(self) -> int:
        """Bytes held by the index's arrays: codes, tables and offsets."""
        return self._codes.nbytes + self._tables.nbytes + self._offsets.nbytes

    def search(self, query: Any, radius: int = DEFAULT_RADIUS) -> IndexHits:
        """Every row within `radius` bits of one hash (bytes, (32,) uint8 array or hex), exactly."""
        radius = _check_radius(radius)
        return self._search(_query_array(query), radius)

    def search_many(self, queries: np.ndarray, radius: int = DEFAULT_RADIUS) -> list[IndexHits]:
        """`search` for each row of a (Q, 32) uint8 array, in order.

        The probes of all queries go through numpy together: an image's 11 queries (8 dihedral
        variants, 2 windows, the value hash) then cost about the numpy call overhead of one, which dominates a
        query on small and mid-sized indexes. Queries whose buckets are too full are scanned.
        """
        radius = _check_radius(radius)
        qs = _queries_array(queries)
        n = len(self._codes)
        if len(qs) <= 1 or n == 0 or probe_count(radius) > MAX_PROBES:
            return [self._search(q, radius) for q in qs]
        plan_tables, plan_masks = _probe_plan(radius)
        values = qs.view("<u2")[:, plan_tables] ^ plan_masks  # (Q, P)
        bucket = plan_tables * (BUCKETS + 1) + values
        starts = self._flat_offsets[bucket].astype(np.int64)
        lengths = self._flat_offsets[bucket + 1].astype(np.int64) - starts
        per_query = lengths.sum(axis=1)
        if (per_query > SCAN_FRACTION * n).any():
            return [self._search(q, radius) for q in qs]
        flat_lengths = lengths.ravel()
        ends = np.cumsum(flat_lengths)
        total = int(ends[-1]) if len(ends) else 0
        if total == 0:
            return [_NO_HITS] * len(qs)
        table_base = np.broadcast_to(plan_tables * n, starts.shape).ravel()
        shift = np.repeat(table_base + starts.ravel() - (ends - flat_lengths), flat_lengths)
        positions = np.arange(total, dtype=np.int64)
        positions += shift
        candidates = np.take(self._flat_tables, positions).astype(np.int64)
        owner = np.repeat(np.arange(len(qs), dtype=np.int64), per_query)
        query_words = qs.view(np.uint64)  # (Q, 4)
        pc = np.bitwise_count(np.take(self._words, candidates, axis=0) ^ np.take(query_words, owner, axis=0))
        d = pc[:, 0].astype(np.uint16) + pc[:, 1] + pc[:, 2] + pc[:, 3]
        keep = d <= radius
        key, dists = owner[keep] * n + candidates[keep], d[keep]
        # A row can sit in several probed buckets of one query: keep it once per query.
        key, first = np.unique(key, return_index=True)
        dists = dists[first]
        bounds = np.searchsorted(key, np.arange(len(qs) + 1, dtype=np.int64) * n)
        out = []
        for q in range(len(qs)):
            a, b = bounds[q], bounds[q + 1]
            out.append(_hits(key[a:b] - q * n, dists[a:b]) if b > a else _NO_HITS)
        return out

    def _search(self, query: np.ndarray, radius: int) -> IndexHits:
        n = len(self._codes)
        if n == 0:
            return _NO_HITS
        query_words = query.view(np.uint64)
        if probe_count(radius) > MAX_PROBES:
            return _scan(self._words, query_words, radius)
        plan_tables, plan_masks = _probe_plan(radius)
        values = query.view("<u2")[plan_tables] ^ plan_masks
        bucket = plan_tables * (BUCKETS + 1) + values
        starts = self._flat_offsets[bucket].astype(np.int64)
        lengths = self._flat_offsets[bucket + 1].astype(np.int64) - starts
        ends = np.cumsum(lengths)
        total = int(ends[-1])
        if total > SCAN_FRACTION * n:
            return _scan(self._words, query_words, radius)
        if total == 0:
            return _NO_HITS
        # Positions of every probed bucket's entries, back to back, without a Python loop:
        # entry i of the concatenation lies at (its bucket's flat start) + (i - bucket's first i).
        shift = np.repeat(plan_tables * n + starts - (ends - lengths), lengths)
        positions = np.arange(total, dtype=np.int64)
        positions += shift
        # np.take, not fancy indexing: the same gather, about five times faster for (n, 4) rows
        # (numpy's take copies whole rows; `a[idx]` goes through its general index iterator).
        candidates = np.take(self._flat_tables, positions)
        d = _distances(np.take(self._words, candidates, axis=0), query_words)
        keep = d <= radius
        rows, dists = candidates[keep], d[keep]
        if len(rows) == 0:
            return _NO_HITS
        # A row can sit in several probed buckets (one per table it agrees with): keep it once.
        rows, first = np.unique(rows, return_index=True)
        return _hits(rows, dists[first])
