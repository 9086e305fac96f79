"""References: the content-addressed store, ingesting files into the registry, catalog globs, the CLI.

Fixtures are real files drawn here (PIL images, PyAV clips); registry tests run on SQLite and
PostgreSQL (see `database_url` in conftest.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.orm import Session

from kyodaku.domain.access import LOCAL_ADMIN, Principal, Role
from kyodaku.domain.errors import CatalogError, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from kyodaku.media.hashing import HASHER, HashOptions, hash_media
from kyodaku.media.refstore import ReferenceStore
from kyodaku.refs import ingest as ingest_module
from kyodaku.refs.ingest import ingest_reference
from kyodaku.registry.catalog import dumps_catalog, load_catalog, load_catalog_text, resolve_references
from kyodaku.registry.database import normalize_url
from kyodaku.registry.models import MediaHashRow
from kyodaku.registry.references import reference_id
from kyodaku.registry.store import RegistryStore

MINI = Path(__file__).parent / "data" / "mini-catalog.yaml"
POKEMON = Principal("k1", Role.RIGHTSHOLDER, "pokemon-company")
DC = Principal("k2", Role.RIGHTSHOLDER, "dc")
OPERATOR = Principal("k3", Role.OPERATOR)


# ---------------------------------------------------------------- real media files


def picture(seed: int, size: tuple[int, int] = (96, 96)) -> Image.Image:
    """Coloured rectangles on white: enough structure for PDQ (quality 100), different per seed."""
    rng = np.random.default_rng(seed)
    im = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = (int(v) for v in rng.integers(0, size[0] - 8, 2))
        w, h = (int(v) for v in rng.integers(8, size[0] // 2, 2))
        draw.rectangle([x, y, x + w, y + h], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
    return im


def image_file(path: Path, seed: int, fmt: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    picture(seed).save(path, format=fmt)
    return path


def clip_file(path: Path, seeds: list[int], fps: int = 2) -> Path:
    """An MPEG-4 clip showing each seed's picture for one second (FFmpeg's own encoder: always there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for seed in seeds:
            for _ in range(fps):
                for packet in stream.encode(av.VideoFrame.from_image(picture(seed, (64, 64)))):
                    out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header claiming width x height pixels, with a tiny body: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


# ---------------------------------------------------------------- fixtures


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
    with Session(store._engine) as session:
        return session.scalar(select(func.count()).select_from(MediaHashRow)) or 0


def assert_nothing_left(refstore: ReferenceStore) -> None:
    assert refstore.blobs() == []
    assert refstore.leftovers() == []


# ---------------------------------------------------------------- the content-addressed store


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


# ---------------------------------------------------------------- catalog globs


def _catalog_with(tmp_path: Path, patterns: list[str]) -> Path:
    text = (
        "version: 1\n"
        "rightsholders: [{id: studio, name: {en: Studio}, country: JP}]\n"
        "characters:\n"
        f"  - {{id: hero, owner: studio, names: {{en: [Hero]}}, references: {json.dumps(patterns)}}}\n"
    )
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_when_patterns_overlap_then_resolved_files_are_sorted_and_unique(tmp_path):
    for name in ("b.png", "a.png", "deep/er/c.jpg"):
        image_file(tmp_path / "refs" / name, len(name))
    (tmp_path / "refs" / "folder.png").mkdir()  # a folder matching the glob is not a file
    catalog = load_catalog(_catalog_with(tmp_path, ["refs/*.png", "refs/a.png", "refs/**/*.jpg"]))
    assert catalog.source_dir == str(tmp_path.resolve())
    found = resolve_references(catalog)
    assert [(f.entity_id, f.path.relative_to(tmp_path.resolve()).as_posix()) for f in found] == [
        ("hero", "refs/a.png"),
        ("hero", "refs/b.png"),
        ("hero", "refs/deep/er/c.jpg"),
    ]


def test_when_a_pattern_matches_nothing_then_the_error_names_entity_pattern_and_folder(tmp_path):
    image_file(tmp_path / "refs" / "a.png", 1)
    catalog = load_catalog(_catalog_with(tmp_path, ["refs/*.png", "refs/missing-*.png"]))
    with pytest.raises(CatalogError) as caught:
        resolve_references(catalog)
    [issue] = caught.value.issues
    assert "'hero'" in issue.message and "refs/missing-*.png" in issue.message
    assert str(tmp_path.resolve()) in issue.message
    assert issue.field == "characters.hero.references[1]"


def test_when_a_pattern_is_absolute_then_it_may_point_outside_the_catalog_folder(tmp_path):
    outside = image_file(tmp_path / "elsewhere" / "x.png", 2)
    folder = tmp_path / "catalogs"
    folder.mkdir()
    catalog = load_catalog(_catalog_with(folder, [str(tmp_path / "elsewhere" / "*.png")]))
    assert [f.path for f in resolve_references(catalog)] == [outside.resolve()]


def test_when_a_catalog_came_from_text_then_a_relative_pattern_cannot_be_resolved(tmp_path):
    text = _catalog_with(tmp_path, ["refs/*.png"]).read_text(encoding="utf-8")
    catalog = load_catalog_text(text, "upload.yaml")
    assert catalog.source_dir is None
    with pytest.raises(CatalogError, match="not loaded from a file"):
        resolve_references(catalog)


def test_when_patterns_are_dumped_and_loaded_then_they_round_trip_and_duplicates_are_refused(tmp_path):
    catalog = load_catalog(_catalog_with(tmp_path, ["refs/*.png", "clips/*.mp4"]))
    again = load_catalog_text(dumps_catalog(catalog), "again.yaml")
    assert again.entity_map()["hero"].references == ("refs/*.png", "clips/*.mp4")
    with pytest.raises(CatalogError, match="same value twice"):
        load_catalog(_catalog_with(tmp_path, ["refs/*.png", "refs/*.png"]))


# ---------------------------------------------------------------- ingesting into the registry


def test_when_an_image_is_ingested_then_blob_hash_rows_and_one_version_are_written(
    registry, refstore, tmp_path
):
    path = image_file(tmp_path / "pika.png", 1)
    before = registry.current_version()
    info = ingest_reference(registry, refstore, POKEMON, "pikachu", path)
    expected = hash_media(path)
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
    bank = record.bank_hashes()  # what the snapshot's media bank is built from
    assert (bank.reference.id, bank.reference.entity, bank.reference.frames) == (info.id, "pikachu", 3)


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


def test_when_migrated_then_reference_tables_exist_and_unknown_versions_are_refused(registry, database_url):
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert {"entity_references", "media_hashes", "media_descriptors"} <= tables
    with pytest.raises(NotFound):
        registry.references_at(registry.current_version() + 1)


def test_when_entries_carry_reference_patterns_then_catalog_at_keeps_them(registry):
    entity = registry.get_entity("pikachu")
    from dataclasses import replace

    registry.put_entity(replace(entity, references=("refs/pikachu/*.png",)), "test")
    assert registry.catalog_at().entity_map()["pikachu"].references == ("refs/pikachu/*.png",)
    assert registry.catalog_at(1).entity_map()["pikachu"].references == ()


# ---------------------------------------------------------------- the CLI (in process, real files)


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from kyodaku.cli import main

    monkeypatch.setattr(sys, "argv", ["kyodaku", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return exited.value.code or 0, captured.out, captured.err


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.delenv("KYODAKU_DATABASE_URL", raising=False)
    monkeypatch.delenv("KYODAKU_REFERENCE_STORE", raising=False)
    return ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--store", str(tmp_path / "store")]


def test_when_a_catalog_with_references_is_imported_twice_then_the_second_import_adds_nothing(
    tmp_path, monkeypatch, capsys, cli_env
):
    image_file(tmp_path / "refs" / "hero-1.png", 1)
    image_file(tmp_path / "refs" / "hero-2.jpg", 2, "JPEG")
    clip_file(tmp_path / "refs" / "hero.mp4", [3, 4])
    catalog = _catalog_with(tmp_path, ["refs/*.png", "refs/*.jpg", "refs/*.mp4"])
    code, out, err = run_cli(monkeypatch, capsys, "catalog", "import", str(catalog), *cli_env)
    assert code == 0, err
    assert "references: 3 added, 0 already attached, 0 failed (registry version 4)" in out
    code, out, err = run_cli(monkeypatch, capsys, "catalog", "import", str(catalog), *cli_env)
    assert code == 0, err
    assert "references: 0 added, 3 already attached, 0 failed (registry version 4)" in out
    code, out, _ = run_cli(monkeypatch, capsys, "refs", "list", "hero", "--json", *cli_env)
    listed = json.loads(out)
    assert sorted(r["filename"] for r in listed) == ["hero-1.png", "hero-2.jpg", "hero.mp4"]
    assert len(ReferenceStore(tmp_path / "store").blobs()) == 3


def test_when_a_catalog_has_no_references_then_import_says_nothing_about_them(monkeypatch, capsys, cli_env):
    code, out, err = run_cli(monkeypatch, capsys, "catalog", "import", str(MINI), *cli_env)
    assert code == 0, err
    assert "imported" in out and "references" not in out


def test_when_a_catalog_pattern_matches_nothing_then_import_changes_nothing(
    tmp_path, monkeypatch, capsys, cli_env
):
    catalog = _catalog_with(tmp_path, ["refs/*.png"])
    code, _, err = run_cli(monkeypatch, capsys, "catalog", "import", str(catalog), *cli_env)
    assert code == 2
    assert "refs/*.png" in err and "'hero'" in err
    registry = RegistryStore(cli_env[1])
    registry.migrate()
    assert registry.current_version() == 0


def test_when_refs_add_gets_a_bad_file_then_the_others_are_added_and_the_exit_code_says_so(
    tmp_path, monkeypatch, capsys, cli_env
):
    code, _, err = run_cli(monkeypatch, capsys, "catalog", "import", str(MINI), *cli_env)
    assert code == 0, err
    good = [image_file(tmp_path / f"p{i}.png", i) for i in range(3)]
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"<html>not an image</html>")
    files = [str(good[0]), str(bad), *map(str, good[1:])]
    code, out, err = run_cli(monkeypatch, capsys, "refs", "add", "pikachu", *files, *cli_env)
    assert code == 2
    assert "broken.png" in err and "neither an image nor a video" in err
    assert "3 added, 0 already attached, 1 failed" in out
    code, out, _ = run_cli(monkeypatch, capsys, "refs", "list", "--json", *cli_env)
    refs = json.loads(out)
    assert [r["filename"] for r in refs] == ["p0.png", "p1.png", "p2.png"]
    code, out, err = run_cli(monkeypatch, capsys, "refs", "remove", refs[0]["id"], *cli_env)
    assert code == 0 and f"removed {refs[0]['id']}" in out
    code, _, err = run_cli(monkeypatch, capsys, "refs", "remove", refs[0]["id"], *cli_env)
    assert code == 3 and "no reference" in err
    code, _, err = run_cli(monkeypatch, capsys, "refs", "add", "nobody", str(good[0]), *cli_env)
    assert code == 3 and "nobody" in err


def test_when_a_reference_is_too_flat_to_match_then_it_is_refused_and_nothing_is_stored(tmp_path):
    from kyodaku.media.refstore import ReferenceStore
    from kyodaku.registry.catalog import load_catalog
    from kyodaku.registry.store import RegistryStore

    store = RegistryStore(f"sqlite:///{tmp_path / 'r.db'}")
    store.migrate()
    store.import_catalog(load_catalog(Path(__file__).parent / "data" / "mini-catalog.yaml"), actor="t")
    refstore = ReferenceStore(tmp_path / "store")
    flat = tmp_path / "flat.png"
    Image.new("RGB", (400, 300), (200, 180, 40)).save(flat)
    before = store.current_version()
    with pytest.raises(InvalidInput, match=r"flat\.png: too little structure"):
        ingest_reference(store, refstore, LOCAL_ADMIN, "pikachu", flat)
    assert store.current_version() == before
    assert refstore.blobs() == [] and refstore.leftovers() == []
