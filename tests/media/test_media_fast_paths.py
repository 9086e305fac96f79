"""The fast paths of the media check give the answers of the slow ones: the one-array window
tables, the partition median of the border scan, a digest the caller already took, and a coarser
query pyramid over the same span (what the training-data scanner uses)."""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from kyodaku.domain.errors import InvalidInput
from kyodaku.media.bank import BankReference, ReferenceBank, ReferenceHashes
from kyodaku.media.borders import _median
from kyodaku.media.hashing import Digested, HashOptions, hash_media
from kyodaku.media.local import LocalIndex, LocalOptions, extract_features
from kyodaku.media.local.features import DESCRIPTOR_BYTES
from kyodaku.media.local.shortlist import WINDOW_BYTES, WINDOW_STARTS, WindowTables
from kyodaku.options import GuardOptions


def _brute_pairs(bank: np.ndarray, queries: np.ndarray, radius: int) -> set[tuple[int, int]]:
    """Every (query, row) within `radius` bits that agree on one whole 3-byte window (mod 32)."""
    out = set()
    for q, code in enumerate(queries):
        for r, row in enumerate(bank):
            if int(np.unpackbits(code ^ row).sum()) > radius:
                continue
            for s in WINDOW_STARTS:
                cols = [(s + k) % DESCRIPTOR_BYTES for k in range(WINDOW_BYTES)]
                if (code[cols] == row[cols]).all():
                    out.add((q, r))
                    break
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 30), st.integers(0, 2**32 - 1), st.integers(0, 128))
def test_when_descriptors_are_looked_up_then_the_tables_give_exactly_the_window_sharing_pairs(
    n_bank, n_query, seed, radius
):
    rng = np.random.default_rng(seed)
    bank = rng.integers(0, 256, (n_bank, DESCRIPTOR_BYTES), dtype=np.uint8)
    # half the queries are noisy copies of bank rows (they share windows), half are random
    picks = bank[rng.integers(0, n_bank, n_query)]
    noise = (rng.random(picks.shape) < 0.1) * rng.integers(0, 256, picks.shape)
    unrelated = rng.integers(0, 256, picks.shape, dtype=np.uint8)
    queries = np.where(rng.random((n_query, 1)) < 0.5, picks ^ noise.astype(np.uint8), unrelated)
    queries = np.ascontiguousarray(queries, dtype=np.uint8)

    q, r = WindowTables(bank).pairs(queries, radius)

    assert set(zip(q.tolist(), r.tolist(), strict=True)) == _brute_pairs(bank, queries, radius)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 24), st.integers(1, 64), st.integers(0, 2**32 - 1))
def test_when_lines_are_summarised_then_the_partition_median_is_numpys(rows, cols, seed):
    lines = np.random.default_rng(seed).integers(-300, 300, (rows, cols)).astype(np.int16)

    assert np.array_equal(_median(lines), np.median(lines, axis=1))


def _jpeg(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (320, 240), (rng.randrange(256), 90, 40))
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(320), rng.randrange(240)
        draw.rectangle([x, y, x + rng.randrange(10, 90), y + rng.randrange(10, 70)], fill=rng.randrange(255))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_when_the_caller_gives_the_digest_then_it_is_reported_and_the_hashes_are_the_same():
    data = _jpeg(1)
    digest = hashlib.sha256(data).hexdigest()
    options = HashOptions(dihedral=True, local_features=True, trim_borders=True)

    given_digest = hash_media(Digested(data, digest), options, name="x.jpg")
    computed = hash_media(data, options, name="x.jpg")

    assert given_digest.sha256 == computed.sha256 == digest
    assert given_digest.size == computed.size == len(data)
    assert given_digest.frames == computed.frames


def test_when_the_query_pyramid_is_coarser_then_crops_and_copies_still_match_their_reference():
    pictures = {k: Image.open(io.BytesIO(_jpeg(10 + k))).convert("RGB").resize((480, 360)) for k in range(4)}
    index = LocalIndex.build([(k, extract_features(p)) for k, p in pictures.items()])
    coarse = LocalOptions(levels=4, scale_factor=1.5)

    for key, picture in pictures.items():
        crop = picture.crop((48, 36, 432, 324))  # a tenth off every side
        for query in (picture, crop):
            matches = index.match(extract_features(query, coarse))
            assert [m.key for m in matches] == [key]


def test_when_the_pyramid_is_out_of_range_then_the_options_refuse_it():
    for bad in ({"levels": 0}, {"levels": 17}, {"scale_factor": 1.0}, {"scale_factor": 2.5}):
        with pytest.raises(InvalidInput):
            LocalOptions(**bad)


def _large(fmt: str) -> bytes:
    picture = Image.open(io.BytesIO(_jpeg(3))).convert("RGB").resize((1280, 960))
    buf = io.BytesIO()
    picture.save(buf, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_when_decoding_to_the_long_side_then_256_px_are_kept_on_the_long_side_not_the_short(fmt):
    data = _large(fmt)
    short = hash_media(data, HashOptions(keep_picture=True), name="x").picture
    long = hash_media(data, HashOptions(keep_picture=True, draft_long_side=True), name="x").picture

    assert min(short.size) >= 256
    assert max(long.size) >= 256 and min(long.size) < 256
    assert long.width * long.height < short.width * short.height / 2


def test_when_the_scanner_decodes_to_the_long_side_then_copies_and_crops_still_match_their_reference():
    reference = Image.open(io.BytesIO(_large("JPEG"))).convert("RGB")
    buf = io.BytesIO()
    reference.save(buf, "PNG")
    stored = hash_media(buf.getvalue(), GuardOptions().hash_options(query=False), name="ref.png")
    bank = ReferenceBank.build(
        [ReferenceHashes.from_media(BankReference("ref", "e", stored.sha256, "image", "ref.png"), stored)]
    )
    scanner = replace(GuardOptions(), query_draft_long_side=True, query_regions=False, query_pyramid=(4, 1.5))
    copy = _encode(reference.resize((1024, 768)))
    crop = _encode(reference.crop((128, 96, 1152, 864)))  # a tenth off every side

    assert [m.reference.id for m in bank.match_image(hash_media(copy, scanner.hash_options(), name="c"))] == [
        "ref"
    ]
    assert [m.reference.id for m in bank.match_local(hash_media(crop, scanner.hash_options(), name="k"))] == [
        "ref"
    ]


def _encode(picture: Image.Image) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, "JPEG", quality=85)
    return buf.getvalue()
