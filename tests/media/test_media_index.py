"""PDQ hash comparison ("compare two") and the exact multi-index hash index ("search many").

The index is checked against `BruteForceIndex` (a plain scan) on random codes with planted
neighbours at known distances, and on hand-made worst cases for the pigeonhole argument: flips
spread as evenly as possible over the 16 substrings, so that exactly one substring is within the
probed number of bits. A plan that probes too little misses those rows, which random flips
would almost never show.
"""

from __future__ import annotations

import numpy as np
import pytest

from kyodaku.domain.errors import InvalidInput
from kyodaku.media import index as index_module
from kyodaku.media.compare import from_hex, hamming, to_array, to_bytes, to_hex
from kyodaku.media.index import BruteForceIndex, HashIndex, IndexHits

N_CODES = 3000


def _random_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def _flip_bits(code: np.ndarray, positions: np.ndarray) -> np.ndarray:
    bits = np.unpackbits(code)
    bits[positions] ^= 1
    return np.packbits(bits)


def _flip_random(rng: np.random.Generator, code: np.ndarray, k: int) -> np.ndarray:
    return _flip_bits(code, rng.choice(256, size=k, replace=False))


def _flip_spread(rng: np.random.Generator, code: np.ndarray, distance: int, rotation: int) -> np.ndarray:
    """Flip `distance` bits spread as evenly as possible over the 16 substrings of 16 bits.

    Substring t is bytes 2t and 2t+1, i.e. bits 16t..16t+15 in np.unpackbits order. The
    substrings that get one flip more than the others start at `rotation`.
    """
    q, a = divmod(distance, 16)
    positions = []
    for t in range(16):
        count = q + (1 if (t - rotation) % 16 < a else 0)
        positions.extend(16 * t + rng.choice(16, size=count, replace=False))
    return _flip_bits(code, np.array(positions, dtype=np.int64))


def _bitwise_distance(a: bytes, b: bytes) -> int:
    """Count differing bits one by one (independent of the code under test)."""
    return sum(((x >> i) & 1) != ((y >> i) & 1) for x, y in zip(a, b, strict=True) for i in range(8))


def _assert_same_hits(got: IndexHits, expected: IndexHits) -> None:
    assert got.rows.dtype == np.int64
    assert got.distances.dtype == np.int32
    np.testing.assert_array_equal(got.rows, expected.rows)
    np.testing.assert_array_equal(got.distances, expected.distances)


@pytest.fixture(scope="module")
def planted():
    """Random codes, plus queries at exact distances 0..40 from chosen rows (and pure-random ones)."""
    rng = np.random.default_rng(20240611)
    codes = _random_codes(rng, N_CODES)
    sources = rng.choice(N_CODES, size=123, replace=False)
    queries = [_flip_random(rng, codes[row], k % 41) for k, row in enumerate(sources)]
    queries += list(_random_codes(rng, 20))
    return codes, sources, np.array(queries), HashIndex.build(codes), BruteForceIndex.build(codes)


@pytest.fixture
def probing_only(monkeypatch):
    """Make the index probe buckets for every radius: never fall back to scanning all rows."""
    monkeypatch.setattr(index_module, "SCAN_FRACTION", float("inf"))
    monkeypatch.setattr(index_module, "MAX_PROBES", 10**9)


# ------------------------------------------------------------------------------ compare two


def test_when_two_hashes_are_compared_then_distance_equals_a_bit_by_bit_count():
    rng = np.random.default_rng(1)
    for k in (0, 1, 7, 31, 32, 128, 256):
        a = _random_codes(rng, 1)[0]
        b = _flip_random(rng, a, k)
        expected = _bitwise_distance(a.tobytes(), b.tobytes())
        assert expected == k
        assert hamming(a, b) == expected
        assert hamming(a.tobytes(), to_hex(b)) == expected
        assert hamming(to_hex(a).upper(), bytearray(b.tobytes())) == expected


def test_when_a_hash_is_converted_then_bytes_hex_and_array_round_trip():
    rng = np.random.default_rng(2)
    code = _random_codes(rng, 1)[0]
    h = to_hex(code)
    assert len(h) == 64
    assert h == code.tobytes().hex()
    np.testing.assert_array_equal(from_hex(h), code)
    assert to_bytes(h) == code.tobytes()
    assert to_bytes(f"  {h.upper()}\n") == code.tobytes()
    np.testing.assert_array_equal(to_array(code.tobytes()), code)


@pytest.mark.parametrize(
    "bad",
    [
        "ab" * 31,
        "ab" * 33,
        "zz" + "ab" * 31,
        "ab" * 15 + "a b" + "b" * 31,
        b"\x00" * 31,
        b"\x00" * 33,
        np.zeros(32, dtype=np.int64),
        np.zeros(31, dtype=np.uint8),
        np.zeros((1, 32), dtype=np.uint8),
        [0] * 32,
        None,
    ],
)
def test_when_a_hash_is_malformed_then_invalid_input(bad):
    good = "00" * 32
    with pytest.raises(InvalidInput):
        hamming(bad, good)
    with pytest.raises(InvalidInput):
        to_hex(bad)


def test_when_from_hex_gets_bytes_then_invalid_input():
    with pytest.raises(InvalidInput, match="hex string"):
        from_hex(b"\x00" * 32)


# ------------------------------------------------------------------------------ search many


@pytest.mark.parametrize("radius", [0, 5, 15, 16, 31, 32, 40, 47, 48])
def test_when_planted_neighbours_are_searched_then_index_equals_brute_force(planted, probing_only, radius):
    codes, sources, queries, mih, brute = planted
    for query, got, expected in zip(
        queries, mih.search_many(queries, radius), brute.search_many(queries, radius), strict=True
    ):
        _assert_same_hits(got, expected)
        d = np.bitwise_count(codes ^ query).sum(axis=1)
        assert set(got.rows.tolist()) == set(np.nonzero(d <= radius)[0].tolist())
    for k, (row, query) in enumerate(zip(sources, queries, strict=False)):
        hits = mih.search(query, radius)
        assert (row in hits.rows) == (k % 41 <= radius)


@pytest.mark.parametrize("distance", [0, 1, 5, 15, 16, 17, 30, 31, 32, 33, 47, 48, 50])
def test_when_flips_are_spread_evenly_over_substrings_then_the_row_is_still_found(probing_only, distance):
    rng = np.random.default_rng(distance)
    codes = _random_codes(rng, 500)
    index = HashIndex.build(codes)
    for rotation in range(16):
        row = int(rng.integers(500))
        query = _flip_spread(rng, codes[row], distance, rotation)
        assert hamming(query, codes[row]) == distance
        hits = index.search(query, radius=distance)
        assert row in hits.rows, f"missed row at distance {distance}, rotation {rotation}"
        assert hits.distances[list(hits.rows).index(row)] == distance
        if distance > 0:
            assert row not in index.search(query, radius=distance - 1).rows


@pytest.mark.parametrize("radius", [31, 64, 100, 256])
def test_when_scanning_instead_of_probing_then_results_are_the_same(planted, monkeypatch, radius):
    codes, _, queries, mih, brute = planted
    probed = mih.search_many(queries[:30], min(radius, 40))
    monkeypatch.setattr(index_module, "SCAN_FRACTION", 0.0)
    scanned = mih.search_many(queries[:30], min(radius, 40))
    for a, b in zip(probed, scanned, strict=True):
        _assert_same_hits(a, b)
    for got, expected in zip(
        mih.search_many(queries[:30], radius), brute.search_many(queries[:30], radius), strict=True
    ):
        _assert_same_hits(got, expected)
    if radius == 256:
        assert len(mih.search(queries[0], radius)) == len(codes)


def test_when_buckets_are_very_uneven_then_each_row_is_returned_once(probing_only):
    rng = np.random.default_rng(3)
    base = _random_codes(rng, 1)[0]
    # Every row differs from `base` in the first four bytes only: substrings 2..15 are the same
    # for all rows, so every row sits in the same bucket of 14 tables.
    codes = np.repeat(base[None, :], 400, axis=0)
    codes[:, :4] = rng.integers(0, 256, size=(400, 4), dtype=np.uint8)
    index = HashIndex.build(codes)
    brute = BruteForceIndex.build(codes)
    for radius in (0, 8, 31):
        hits = index.search(base, radius)
        assert len(np.unique(hits.rows)) == len(hits.rows)
        _assert_same_hits(hits, brute.search(base, radius))


def test_when_the_index_is_empty_then_no_hits():
    empty = np.zeros((0, 32), dtype=np.uint8)
    for cls in (HashIndex, BruteForceIndex):
        index = cls.build(empty)
        assert len(index) == 0
        hits = index.search("00" * 32)
        assert len(hits.rows) == 0 and hits.rows.dtype == np.int64 and hits.distances.dtype == np.int32
        many = index.search_many(np.zeros((3, 32), dtype=np.uint8), radius=256)
        assert [len(h) for h in many] == [0, 0, 0]


def test_when_a_hash_is_stored_twice_then_both_rows_are_returned():
    rng = np.random.default_rng(4)
    codes = _random_codes(rng, 200)
    codes[150] = codes[17]
    query = _flip_random(rng, codes[17], 9)
    for cls in (HashIndex, BruteForceIndex):
        hits = cls.build(codes).search(query)
        assert hits.rows[:2].tolist() == [17, 150]
        assert hits.distances[:2].tolist() == [9, 9]


def test_when_many_rows_match_then_hits_are_sorted_by_distance_then_row():
    rng = np.random.default_rng(5)
    centre = _random_codes(rng, 1)[0]
    codes = np.array([_flip_random(rng, centre, int(k)) for k in rng.integers(0, 40, size=300)])
    hits = HashIndex.build(codes).search(centre, radius=31)
    assert len(hits) > 100
    keys = list(zip(hits.distances.tolist(), hits.rows.tolist(), strict=True))
    assert keys == sorted(keys)
    assert hits.distances.tolist() == [hamming(centre, codes[r]) for r in hits.rows]


def test_when_a_query_is_given_as_bytes_hex_or_array_then_results_agree(planted):
    _, _, queries, mih, _ = planted
    q = queries[5]
    a = mih.search(q)
    _assert_same_hits(mih.search(q.tobytes()), a)
    _assert_same_hits(mih.search(to_hex(q)), a)
    assert len(a) >= 1


def test_when_the_source_array_changes_after_build_then_the_index_does_not():
    rng = np.random.default_rng(6)
    codes = _random_codes(rng, 100)
    query = codes[42].copy()
    index = HashIndex.build(codes)
    codes[42] ^= 0xFF
    assert 42 in index.search(query, radius=0).rows
    hits = index.search(query)
    with pytest.raises(ValueError):
        hits.rows[0] = 1


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 31), dtype=np.uint8),
        np.zeros((10, 32), dtype=np.int64),
        np.zeros(32, dtype=np.uint8),
        np.zeros((2, 10, 32), dtype=np.uint8),
        [[0] * 32],
    ],
)
def test_when_codes_have_the_wrong_shape_or_dtype_then_invalid_input(bad):
    for cls in (HashIndex, BruteForceIndex):
        with pytest.raises(InvalidInput):
            cls.build(bad)


@pytest.mark.parametrize("cls", [HashIndex, BruteForceIndex])
def test_when_queries_or_radius_are_malformed_then_invalid_input(planted, cls):
    codes = planted[0][:50]
    index = cls.build(codes)
    for bad_query in ("xyz", b"\x00" * 16, np.zeros(32, dtype=np.float32)):
        with pytest.raises(InvalidInput):
            index.search(bad_query)
    with pytest.raises(InvalidInput):
        index.search_many(np.zeros((3, 16), dtype=np.uint8))
    for bad_radius in (-1, 2.5, True, "31"):
        with pytest.raises(InvalidInput):
            index.search(codes[0], radius=bad_radius)


def test_when_built_then_memory_is_under_100_bytes_per_hash_plus_fixed_offsets():
    rng = np.random.default_rng(7)
    n = 20_000
    index = HashIndex.build(_random_codes(rng, n))
    fixed = HashIndex.build(np.zeros((0, 32), dtype=np.uint8)).nbytes
    assert fixed < 5_000_000
    assert (index.nbytes - fixed) / n <= 100
    assert len(index) == n
