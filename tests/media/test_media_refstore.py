"""The content-addressed reference store: staged uploads, blobs at their digest, size limits."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from kyodaku.domain.errors import InvalidInput, PayloadTooLarge
from kyodaku.media.refstore import ReferenceStore


@pytest.fixture
def refstore(tmp_path: Path) -> ReferenceStore:
    return ReferenceStore(tmp_path / "store")


def assert_nothing_left(refstore: ReferenceStore) -> None:
    assert refstore.blobs() == []
    assert refstore.leftovers() == []


def test_when_bytes_are_staged_and_committed_then_the_blob_sits_at_its_digest_path(refstore):
    data = b"reference bytes"
    sha = hashlib.sha256(data).hexdigest()
    staged = refstore.stage(data, max_bytes=100, name="a.png")
    assert (staged.sha256, staged.size, staged.name) == (sha, len(data), "a.png")
    assert refstore.blobs() == [] and len(refstore.leftovers()) == 1  # not visible as a blob before commit
    assert refstore.commit(staged) is True
    assert refstore.path(sha) == refstore.root / sha[:2] / sha[2:4] / sha
    assert refstore.path(sha).read_bytes() == data
    assert refstore.leftovers() == []
    with refstore.open(sha) as handle:
        assert handle.read() == data


def test_when_the_same_content_is_committed_twice_then_the_blob_is_kept_and_the_copy_dropped(refstore):
    first = refstore.stage(b"same", name="a")
    assert refstore.commit(first) is True
    second = refstore.stage(io.BytesIO(b"same"), name="b")
    assert refstore.commit(second) is False
    assert refstore.blobs() == [first.sha256]
    assert refstore.leftovers() == []


@pytest.mark.parametrize("kind", ["bytes", "file", "chunks", "path"])
def test_when_a_source_passes_the_limit_then_it_is_refused_naming_file_and_limit(refstore, tmp_path, kind):
    data = b"x" * 5000
    path = tmp_path / "big.mp4"
    path.write_bytes(data)
    source = {"bytes": data, "file": io.BytesIO(data), "chunks": [data[:3000], data[3000:]], "path": path}[
        kind
    ]
    with pytest.raises(PayloadTooLarge) as caught:
        refstore.stage(source, max_bytes=4096, name="big.mp4")
    assert "big.mp4" in caught.value.message and "4,096" in caught.value.message
    assert_nothing_left(refstore)


def test_when_a_source_is_streamed_then_its_digest_is_that_of_its_bytes(refstore):
    chunks = [bytes([i]) * 70_000 for i in range(40)]  # several read chunks' worth
    staged = refstore.stage(iter(chunks), name="clip")
    assert staged.sha256 == hashlib.sha256(b"".join(chunks)).hexdigest()
    assert staged.size == 40 * 70_000
    refstore.discard(staged)
    assert_nothing_left(refstore)


@pytest.mark.parametrize("digest", ["../../etc/passwd", "ABC", "0" * 63, "g" * 64])
def test_when_a_digest_is_not_a_sha256_then_the_store_refuses_it(refstore, digest):
    with pytest.raises(InvalidInput):
        refstore.path(digest)
