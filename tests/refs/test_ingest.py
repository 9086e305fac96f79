"""Attaching reference files to entries (`kyodaku.refs.ingest`): authorize, receive, hash, record, store.

Fixtures are real files drawn here (PIL images, PyAV clips); registry tests run on SQLite and
PostgreSQL (see `database_url` in conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from media_files import clip_file, image_file, png_bomb
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kyodaku.domain.access import LOCAL_ADMIN, Principal, Role
from kyodaku.domain.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from kyodaku.media.bank import MatchOptions
from kyodaku.media.hashing import HASHER, LOCAL_KIND, HashOptions, hash_media
from kyodaku.media.refstore import ReferenceStore
from kyodaku.refs import ingest as ingest_module
from kyodaku.refs.banks import bank_from_store
from kyodaku.refs.ingest import ingest_reference, new_reference, record_hashed
from kyodaku.registry.catalog import load_catalog
from kyodaku.registry.models import MediaHashRow
from kyodaku.registry.references import reference_id
from kyodaku.registry.store import RegistryStore

MINI = Path(__file__).parents[1] / "data" / "mini-catalog.yaml"
POKEMON = Principal("k1", Role.RIGHTSHOLDER, "pokemon-company")
DC = Principal("k2", Role.RIGHTSHOLDER, "dc")
OPERATOR = Principal("k3", Role.OPERATOR)


@pytest.fixture
def registry(database_url: str) -> Iterator[RegistryStore]:
    """A migrated registry holding the mini catalog (version 1), on SQLite and on PostgreSQL."""
    store = RegistryStore(database_url)
    store.migrate()
    store.import_catalog(load_catalog(MINI))
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def refstore(tmp_path: Path) -> ReferenceStore:
    return ReferenceStore(tmp_path / "store")


def hash_rows(store: RegistryStore) -> int:
    with Session(store.engine) as session:
        return session.scalar(select(func.count()).select_from(MediaHashRow)) or 0


def assert_nothing_left(refstore: ReferenceStore) -> None:
    assert refstore.blobs() == []
    assert refstore.leftovers() == []


# ---------------------------------------------------------------- ingesting into the registry


def test_when_an_image_is_ingested_then_blob_hash_rows_and_one_version_are_written(
    registry, refstore, tmp_path
):
    path = image_file(tmp_path / "pika.png", 1)
    before = registry.current_version()
    info = ingest_reference(registry, refstore, POKEMON, "pikachu", path)
    expected = hash_media(path, ingest_module.hash_options())  # as references are hashed
    assert info.new and info.version == before + 1 == registry.current_version()
    assert (info.id, info.sha256) == (reference_id("pikachu", expected.sha256), expected.sha256)
    assert info.id.startswith("ref_") and len(info.id) == 20
    assert (info.media_type, info.format, info.filename, info.width, info.height) == (
        "image",
        "png",
        "pika.png",
        96,
        96,
    )
    assert (info.hashes, info.frames, info.hasher) == (len(expected.frames), 1, HASHER)
    assert refstore.blobs() == [expected.sha256] and refstore.leftovers() == []
    assert refstore.path(expected.sha256).read_bytes() == path.read_bytes()
    [record] = registry.references_at()
    assert (record.id, record.entity_id, record.owner, record.filename) == (
        info.id,
        "pikachu",
        "pokemon-company",
        "pika.png",
    )
    assert record.codes.dtype == np.uint8 and record.codes.shape == (len(expected.frames), 32)
    assert np.array_equal(record.codes, expected.codes())
    assert record.region == tuple(f.region for f in expected.frames)
    assert record.quality.tolist() == [f.quality for f in expected.frames]
    assert not record.codes.flags.writeable  # shared by the snapshot: read-only
    assert registry.get_reference(info.id) == info
    assert registry.list_references(entity_id="pikachu") == [info]


def test_when_the_same_file_is_ingested_again_then_nothing_changes(registry, refstore, tmp_path):
    path = image_file(tmp_path / "pika.png", 1)
    first = ingest_reference(registry, refstore, POKEMON, "pikachu", path)
    version = registry.current_version()
    again = ingest_reference(registry, refstore, POKEMON, "pikachu", path.read_bytes(), "renamed.png")
    assert again == first and not again.new
    assert registry.current_version() == version
    assert len(registry.list_references()) == 1
    assert refstore.leftovers() == []


def test_when_the_same_bytes_go_to_another_entry_then_its_hash_rows_are_reused(
    registry, refstore, tmp_path, monkeypatch
):
    path = image_file(tmp_path / "shared.png", 3)
    first = ingest_reference(registry, refstore, LOCAL_ADMIN, "pikachu", path)
    rows = hash_rows(registry)

    def no_rehash(*_args, **_kwargs):
        raise AssertionError("known bytes must not be hashed again")

    monkeypatch.setattr(ingest_module, "hash_media", no_rehash)
    second = ingest_reference(registry, refstore, LOCAL_ADMIN, "superman", path)
    assert second.new and second.id != first.id and second.sha256 == first.sha256
    assert hash_rows(registry) == rows
    assert (second.width, second.height, second.hashes) == (first.width, first.height, first.hashes)
    records = {r.entity_id: r for r in registry.references_at()}
    assert records["superman"].owner == "dc"
    assert np.array_equal(records["superman"].codes, records["pikachu"].codes)
    assert refstore.blobs() == [first.sha256]


def test_when_a_clip_is_ingested_then_each_sampled_frame_is_a_hash_row_with_its_time(
    registry, refstore, tmp_path
):
    path = clip_file(tmp_path / "clip.mp4", [10, 11, 12])
    info = ingest_reference(registry, refstore, POKEMON, "pikachu", path, options=HashOptions(video_fps=1.0))
    assert (info.media_type, info.format, info.width, info.height) == ("video", "mpeg4", 64, 64)
    assert info.duration == pytest.approx(3.0, abs=0.6)
    [record] = registry.references_at()
    assert record.frame.tolist() == [0, 1, 2] and record.frame_count == 3
    assert record.t.tolist() == pytest.approx([0.0, 1.0, 2.0], abs=0.01)
    assert set(record.region) == {"full"}
    [bank_reference] = bank_from_store(registry, None, MatchOptions()).references  # the snapshot's bank
    assert (bank_reference.id, bank_reference.entity, bank_reference.frames) == (info.id, "pikachu", 3)


def _truncated_png(tmp_path: Path) -> bytes:
    return image_file(tmp_path / "whole.png", 4).read_bytes()[:300]


def _truncated_clip(tmp_path: Path) -> bytes:
    return clip_file(tmp_path / "whole.mp4", [1, 2]).read_bytes()[:-600]


BAD_INPUTS = {
    "truncated-image": ("cut.png", _truncated_png, InvalidInput, "truncated or corrupt"),
    "text-named-png": ("notes.png", lambda _: b"just some words, not pixels\n" * 10, InvalidInput, "neither"),
    "empty": ("empty.jpg", lambda _: b"", InvalidInput, "empty.jpg"),
    "decompression-bomb": ("bomb.png", lambda _: png_bomb(), PayloadTooLarge, "decompression bomb"),
    "over-the-size-limit": ("huge.mp4", lambda _: b"\0" * 70_000, PayloadTooLarge, "upload limit"),
    "truncated-video": ("cut.mp4", _truncated_clip, InvalidInput, "cut.mp4"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_when_input_is_bad_then_the_error_names_the_file_and_nothing_is_left_behind(
    registry, refstore, tmp_path, case
):
    name, make, error, words = BAD_INPUTS[case]
    path = tmp_path / "upload" / name
    path.parent.mkdir()
    path.write_bytes(make(tmp_path))
    version = registry.current_version()
    with pytest.raises(error) as caught:
        ingest_reference(registry, refstore, POKEMON, "pikachu", path, max_bytes=64_000)
    assert name in caught.value.message and words in caught.value.message
    assert registry.current_version() == version
    assert registry.list_references() == [] and hash_rows(registry) == 0
    assert_nothing_left(refstore)


def test_when_a_rightsholder_adds_to_anothers_entry_then_forbidden_before_anything_is_received(
    registry, refstore, tmp_path
):
    path = image_file(tmp_path / "a.png", 1)
    with pytest.raises(Forbidden):
        ingest_reference(registry, refstore, DC, "pikachu", path)
    with pytest.raises(NotFound):
        ingest_reference(registry, refstore, DC, "no-such-entry", path)
    assert not refstore.tmp.exists()  # refused before a staged file was even made
    assert registry.list_references() == []
    mine = ingest_reference(registry, refstore, DC, "superman", path)
    assert mine.owner == "dc"


def test_when_an_operator_adds_or_removes_then_it_is_forbidden(registry, refstore, tmp_path):
    from kyodaku.registry.service import RegistryService

    path = image_file(tmp_path / "a.png", 1)
    with pytest.raises(Forbidden):
        ingest_reference(registry, refstore, OPERATOR, "pikachu", path)
    info = ingest_reference(registry, refstore, LOCAL_ADMIN, "pikachu", path)
    service = RegistryService(registry)
    with pytest.raises(Forbidden):
        service.remove_reference(OPERATOR, info.id)
    assert service.list_references(OPERATOR) == [info]  # operators read everything
    assert service.get_reference(OPERATOR, info.id) == info


def test_when_a_rightsholder_touches_anothers_reference_then_it_looks_like_none(registry, refstore, tmp_path):
    from kyodaku.registry.service import RegistryService

    info = ingest_reference(registry, refstore, POKEMON, "pikachu", image_file(tmp_path / "a.png", 1))
    service = RegistryService(registry)
    with pytest.raises(NotFound):
        service.get_reference(DC, info.id)
    with pytest.raises(NotFound):
        service.remove_reference(DC, info.id)
    with pytest.raises(NotFound):
        service.list_references(DC, "pikachu")
    assert service.list_references(DC) == []
    assert service.list_references(POKEMON) == [info]
    assert service.remove_reference(POKEMON, info.id).version == registry.current_version()


def test_when_a_reference_is_removed_then_later_versions_lack_it_and_the_blob_stays(
    registry, refstore, tmp_path
):
    info = ingest_reference(registry, refstore, POKEMON, "pikachu", image_file(tmp_path / "a.png", 1))
    change = registry.remove_reference(info.id, "test")
    assert change.version == info.version + 1
    assert registry.references_at() == []
    assert [r.id for r in registry.references_at(info.version)] == [info.id]
    assert registry.list_references() == []
    with pytest.raises(NotFound):
        registry.get_reference(info.id)
    with pytest.raises(NotFound):
        registry.remove_reference(info.id, "test")
    assert refstore.blobs() == [info.sha256]  # history (and other references) may still name it
    again = ingest_reference(registry, refstore, POKEMON, "pikachu", refstore.path(info.sha256), "a.png")
    assert again.new and again.id == info.id and again.version == change.version + 1


def test_when_an_entry_is_removed_then_its_references_go_with_it(registry, refstore, tmp_path):
    info = ingest_reference(registry, refstore, DC, "superman", image_file(tmp_path / "s.png", 5))
    change = registry.remove_entity("superman", "test")
    assert registry.list_references() == [] and registry.references_at() == []
    assert [r.id for r in registry.references_at(change.version - 1)] == [info.id]
    assert registry.catalog_at(change.version - 1).entity_map()["superman"]


def test_when_an_import_prunes_an_entry_then_its_references_go_with_it(registry, refstore, tmp_path):
    from dataclasses import replace

    ingest_reference(registry, refstore, DC, "superman", image_file(tmp_path / "s.png", 5))
    kept = ingest_reference(registry, refstore, POKEMON, "pikachu", image_file(tmp_path / "p.png", 6))
    catalog = load_catalog(MINI)
    without = replace(catalog, entities=tuple(e for e in catalog.entities if e.id != "superman"))
    result = registry.import_catalog(without, prune=True)
    assert result.removed == 1
    assert [r.id for r in registry.list_references()] == [kept.id]
    assert [r.id for r in registry.references_at()] == [kept.id]


def test_when_the_database_commit_fails_then_the_blob_it_created_is_removed(registry, refstore, tmp_path):
    path = image_file(tmp_path / "a.png", 1)
    version = registry.current_version()
    failed = []

    def fail_once(_session):
        if not failed:
            failed.append(True)
            raise RuntimeError("the database went away")

    event.listen(Session, "before_commit", fail_once)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            ingest_reference(registry, refstore, POKEMON, "pikachu", path)
    finally:
        event.remove(Session, "before_commit", fail_once)
    assert failed
    assert registry.current_version() == version and registry.list_references() == []
    assert_nothing_left(refstore)


def test_when_references_change_then_the_refresher_rereads_the_registry(registry, refstore, tmp_path):
    version = registry.current_version()
    assert registry.permissions_update(since=version) is not None
    ingest_reference(registry, refstore, POKEMON, "pikachu", image_file(tmp_path / "a.png", 1))
    assert registry.permissions_update(since=version) is None  # not a permission-only change


def test_when_a_reference_is_too_flat_to_match_then_it_is_refused_and_nothing_is_stored(
    registry, refstore, tmp_path
):
    flat = tmp_path / "flat.png"
    Image.new("RGB", (400, 300), (200, 180, 40)).save(flat)
    before = registry.current_version()
    with pytest.raises(InvalidInput, match=r"flat\.png: too little structure"):
        ingest_reference(registry, refstore, LOCAL_ADMIN, "pikachu", flat)
    assert registry.current_version() == before
    assert_nothing_left(refstore)


def test_when_an_image_is_ingested_then_its_local_features_are_kept_under_the_named_kind(
    registry, refstore, tmp_path
):
    path = image_file(tmp_path / "pika.png", 1)
    ingest_reference(registry, refstore, POKEMON, "pikachu", path)
    [record] = registry.references_at(local_kind=LOCAL_KIND)
    assert record.local  # the keypoints that match crops, stored beside the hashes
    assert registry.references.references_at(local_kind="another-kind")[0].local is None
    [bank_reference] = bank_from_store(registry, None, MatchOptions()).references
    assert bank_reference.id == record.id


def test_when_the_staged_file_is_not_the_hashed_one_then_nothing_is_recorded_or_kept(
    registry, refstore, tmp_path
):
    hashed = hash_media(image_file(tmp_path / "a.png", 1))
    staged = refstore.stage(image_file(tmp_path / "b.png", 2).read_bytes(), name="b.png")
    version = registry.current_version()
    with pytest.raises(InvalidInput, match="is not the hashed one"):
        record_hashed(registry, refstore, POKEMON, new_reference("pikachu", hashed, "b.png"), staged)
    assert registry.current_version() == version and registry.list_references() == []
    assert_nothing_left(refstore)
