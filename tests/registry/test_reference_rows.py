"""Reference rows in the registry, without any media code: the registry records the hashes and the
scheme names it is given, runs the caller's before-commit hook inside the write, and says under its
lock whether a content is still named. (Ingestion of real files is tested in tests/refs.)"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, inspect

from kyodaku.domain.errors import Forbidden, InvalidInput, NotFound
from kyodaku.registry.database import normalize_url
from kyodaku.registry.reference_rows import NewReference
from kyodaku.registry.references import ReferenceInfo
from kyodaku.registry.store import RegistryStore


@dataclass(frozen=True)
class Frame:
    hash: bytes
    quality: int = 100
    frame: int = 0
    t: float = 0.0
    region: str = "full"


@dataclass(frozen=True)
class Media:
    """A MediaLike as a hasher would hand it over: the registry needs nothing more."""

    sha256: str
    frames: tuple[Frame, ...] = field(default=(Frame(bytes(range(32))), Frame(bytes(32), region="center")))
    media_type: str = "image"
    size: int = 1234
    width: int = 96
    height: int = 64
    duration: float | None = None
    format: str = "png"


def media(content: bytes) -> Media:
    return Media(hashlib.sha256(content).hexdigest())


def new(entity_id: str, content: bytes = b"picture", **names) -> NewReference:
    return NewReference(entity_id, media(content), "a.png", **{"hasher": "scheme-1", **names})


class Hook:
    """A before-commit hook that records what it was called with and what the registry showed then."""

    def __init__(self, store: RegistryStore, fail: bool = False) -> None:
        self.store, self.fail = store, fail
        self.calls: list[tuple[ReferenceInfo, int]] = []

    def __call__(self, info: ReferenceInfo) -> None:
        self.calls.append((info, self.store.current_version()))
        if self.fail:
            raise RuntimeError("the file could not be kept")


def test_when_a_reference_is_added_then_the_hook_runs_before_the_commit_with_the_new_reference(loaded):
    before = loaded.current_version()
    hook = Hook(loaded)
    info = loaded.add_reference(new("hero-a"), "test", before_commit=hook)
    [(seen, version_then)] = hook.calls
    assert seen == info and seen.new and info.version == before + 1
    assert version_then == before  # another reader did not see the version yet: not committed
    assert (info.hasher, info.hashes, info.frames) == ("scheme-1", 2, 1)
    again = Hook(loaded)
    assert loaded.add_reference(new("hero-a"), "test", before_commit=again) == info
    [(seen_again, _)] = again.calls
    assert not seen_again.new  # called for a reference the entry had too: the caller may heal its file


def test_when_the_hook_raises_then_nothing_is_recorded(loaded):
    before = loaded.current_version()
    with pytest.raises(RuntimeError, match="could not be kept"):
        loaded.add_reference(new("hero-a"), "test", before_commit=Hook(loaded, fail=True))
    assert loaded.current_version() == before
    assert loaded.list_references() == []
    assert loaded.known_media(media(b"picture").sha256, "scheme-1") is None


def test_when_the_guard_refuses_or_the_entry_is_missing_then_the_hook_is_not_called(loaded):
    hook = Hook(loaded)

    def refuse(_entity):
        raise Forbidden("not yours")

    with pytest.raises(Forbidden):
        loaded.add_reference(new("hero-a"), "test", guard=refuse, before_commit=hook)
    with pytest.raises(NotFound):
        loaded.add_reference(new("nobody"), "test", before_commit=hook)
    assert hook.calls == []


def test_when_hashes_come_under_two_schemes_then_each_is_kept_and_read_by_its_name(loaded):
    first = loaded.add_reference(new("hero-a"), "test")
    second = loaded.add_reference(new("hero-b", hasher="scheme-2"), "test")
    assert loaded.known_media(first.sha256, "scheme-1") is not None
    assert loaded.known_media(first.sha256, "scheme-2") is not None
    assert loaded.known_media(first.sha256, "scheme-3") is None
    records = {r.id: r for r in loaded.references_at()}
    assert records[first.id].hasher == "scheme-1" and records[second.id].hasher == "scheme-2"
    assert len(loaded.references_at(hasher="scheme-3")[0].codes) == 0  # not hashed with it (yet)


def test_when_local_features_are_given_then_they_are_read_back_only_by_their_kind(loaded):
    loaded.add_reference(new("hero-a", local_features=b"keypoints", local_kind="kind-1"), "test")
    assert [r.local for r in loaded.references_at(local_kind="kind-1")] == [b"keypoints"]
    assert [r.local for r in loaded.references_at(local_kind="kind-2")] == [None]
    assert [r.local for r in loaded.references.references_at()] == [None]  # no kind named: none read
    assert loaded.get_descriptors("kind-1", [media(b"picture").sha256]) == {
        media(b"picture").sha256: b"keypoints"
    }


def test_when_a_reference_is_unfit_then_it_is_refused_naming_why(loaded):
    with pytest.raises(InvalidInput, match="descriptor kind"):
        loaded.add_reference(new("hero-a", local_features=b"keypoints"), "test")
    with pytest.raises(InvalidInput, match="no hashing scheme"):
        loaded.add_reference(new("hero-a", hasher=""), "test")
    with pytest.raises(InvalidInput, match="not a SHA-256"):
        loaded.add_reference(NewReference("hero-a", Media("abc"), "a.png", "scheme-1"), "test")
    assert loaded.list_references() == []


def test_when_no_reference_names_a_content_then_it_is_forgotten_and_otherwise_kept(loaded):
    forgotten: list[str] = []
    unnamed = media(b"never recorded").sha256
    assert loaded.references.forget_if_unnamed(unnamed, forgotten.append) is True
    assert forgotten == [unnamed]
    info = loaded.add_reference(new("hero-a"), "test")
    loaded.remove_reference(info.id, "test")
    assert loaded.references.forget_if_unnamed(info.sha256, forgotten.append) is False  # history names it
    assert forgotten == [unnamed]


def test_when_migrated_then_reference_tables_exist_and_unknown_versions_are_refused(store, database_url):
    engine = create_engine(normalize_url(database_url))
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert {"entity_references", "media_hashes", "media_descriptors"} <= tables
    with pytest.raises(NotFound):
        store.references_at(store.current_version() + 1)
