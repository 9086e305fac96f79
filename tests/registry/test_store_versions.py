"""The store keeps history: one version per change, nothing edited in place, any past registry rebuilt."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kyodaku.domain.errors import Conflict, InvalidInput, NotFound
from kyodaku.domain.model import Effect, Entity, EntityKind, Permission, Rightsholder, Use
from kyodaku.registry.store import ChangeAction, RegistryStore

GRANT = Permission(id="grant", owner="studio-a", subject="hero-a", uses=(Use.TRAIN,), licensees=("acme",))


def test_when_nothing_was_written_then_the_version_is_zero_and_the_catalog_empty(store):
    assert store.current_version() == 0
    catalog = store.catalog_at()
    assert catalog.version == 0 and catalog.entities == ()
    assert store.history() == []


def test_when_each_change_is_made_then_exactly_one_version_is_added(loaded):
    assert loaded.current_version() == 1
    steps = [
        lambda: loaded.put_permission(GRANT, "t"),
        lambda: loaded.put_permission(replace(GRANT, regions=("JP",)), "t"),
        lambda: loaded.revoke_permission("grant", "t"),
        lambda: loaded.put_entity(Entity("new", EntityKind.STYLE, "studio-b", {"en": ("New",)}), "t"),
        lambda: loaded.remove_entity("new", "t"),
        lambda: loaded.upsert_rightsholder(Rightsholder("studio-c", {"en": "C"}, "FR"), "t"),
    ]
    actions = []
    for expected, step in enumerate(steps, start=2):
        result = step()
        actions.append(result.action)
        assert result.version == expected == loaded.current_version()
    assert actions == ["created", "updated", "removed", "created", "removed", "created"]
    assert [v.version for v in loaded.history(limit=3)] == [7, 6, 5]
    assert loaded.history(limit=1)[0].note == "created rightsholder studio-c"


def test_when_a_put_changes_nothing_then_no_version_is_added(loaded):
    hero = loaded.get_entity("hero-a")
    result = loaded.put_entity(hero, "t")
    assert result.action is ChangeAction.UNCHANGED and result.version == 1 == loaded.current_version()


def test_when_a_permission_is_revoked_then_the_old_version_still_shows_it(loaded):
    granted = loaded.put_permission(GRANT, "t").version
    revoked = loaded.revoke_permission("grant", "t").version
    assert "grant" in {p.id for p in loaded.catalog_at(version=granted).permissions}
    assert "grant" not in {p.id for p in loaded.catalog_at(version=revoked).permissions}
    assert loaded.catalog_at(version=granted).version == granted
    with pytest.raises(NotFound):
        loaded.get_permission("grant")


def test_when_an_entry_is_updated_then_each_version_shows_its_own_state(loaded):
    hero = loaded.get_entity("hero-a")
    renamed = replace(hero, names={"en": ("Hero A", "The Red Hero")})
    loaded.put_entity(renamed, "t")
    assert loaded.catalog_at(version=1).entity_map()["hero-a"] == hero
    assert loaded.catalog_at(version=2).entity_map()["hero-a"] == renamed
    assert loaded.export_catalog().entity_map()["hero-a"] == renamed
    # the update kept the entry's place in the registration order
    assert [e.id for e in loaded.list_entities()] == [e.id for e in loaded.catalog_at(version=1).entities]


def test_when_asked_for_a_moment_then_the_version_current_then_is_used(loaded):
    before_grant = datetime.now(UTC)
    time.sleep(0.01)
    loaded.put_permission(GRANT, "t")
    after_grant = datetime.now(UTC)
    time.sleep(0.01)
    loaded.revoke_permission("grant", "t")
    assert loaded.version_at(before_grant) == 1
    assert loaded.version_at(after_grant) == 2
    assert "grant" in {p.id for p in loaded.catalog_at(at=after_grant).permissions}
    assert "grant" not in {p.id for p in loaded.catalog_at(at=datetime.now(UTC)).permissions}
    assert loaded.catalog_at(at=before_grant - timedelta(days=1)).entities == ()  # before anything existed
    assert loaded.version_at(after_grant.replace(tzinfo=None)) == 2  # naive means UTC


def test_when_a_version_does_not_exist_then_not_found(loaded):
    with pytest.raises(NotFound):
        loaded.catalog_at(version=99)
    with pytest.raises(InvalidInput):
        loaded.catalog_at(version=1, at=datetime.now(UTC))


def _entry(entry_id: str, owner: str, kind: EntityKind = EntityKind.STYLE, work: str | None = None) -> Entity:
    return Entity(entry_id, kind, owner, {"en": (entry_id.upper(),)}, work=work)


BROKEN_PUTS = {
    "unknown owner": (lambda s: s.put_entity(_entry("x", "nobody"), "t"), "unknown rightsholder"),
    "unknown work": (
        lambda s: s.put_entity(_entry("x", "studio-a", EntityKind.CHARACTER, work="nope"), "t"),
        "unknown work 'nope'",
    ),
    "unknown subject": (lambda s: s.put_permission(replace(GRANT, subject="ghost"), "t"), "unknown subject"),
    "another's subject": (
        lambda s: s.put_permission(replace(GRANT, subject="hero-b"), "t"),
        "belongs to 'studio-b'",
    ),
    "bad use": (lambda s: s.put_permission(replace(GRANT, uses=("fly",)), "t"), "'fly' is not a use"),
    "backwards validity": (
        lambda s: s.put_permission(
            replace(GRANT, valid_from=datetime(2027, 1, 1, tzinfo=UTC), valid_until=datetime(2026, 1, 1)), "t"
        ),
        "after valid_from",
    ),
    "bad id": (lambda s: s.put_entity(_entry("bad id!", "studio-a"), "t"), "valid id"),
}


@pytest.mark.parametrize(("change", "words"), BROKEN_PUTS.values(), ids=BROKEN_PUTS.keys())
def test_when_a_put_breaks_a_rule_then_invalid_input_names_it_and_nothing_is_written(loaded, change, words):
    with pytest.raises(InvalidInput, match=words):
        change(loaded)
    assert loaded.current_version() == 1


def test_when_an_unknown_id_is_removed_then_not_found(loaded):
    with pytest.raises(NotFound):
        loaded.remove_entity("ghost", "t")
    with pytest.raises(NotFound):
        loaded.revoke_permission("ghost", "t")
    assert loaded.current_version() == 1


def test_when_something_still_points_at_an_entry_then_removing_it_is_a_conflict(loaded):
    with pytest.raises(Conflict, match="character 'hero-a'"):
        loaded.remove_entity("saga-a", "t")  # its character still names it
    with pytest.raises(Conflict, match="permission 'allow-hero-a'"):
        loaded.remove_entity("hero-a", "t")
    loaded.revoke_permission("allow-hero-a", "t")
    assert loaded.remove_entity("hero-a", "t").action is ChangeAction.REMOVED


def test_when_an_entry_changes_owner_under_a_permission_then_it_is_a_conflict(loaded):
    hero = loaded.get_entity("hero-a")
    with pytest.raises(Conflict, match="allow-hero-a"):
        loaded.put_entity(replace(hero, owner="studio-b"), "t")
    assert loaded.get_entity("hero-a").owner == "studio-a"


def test_when_permissions_are_read_back_then_they_equal_what_was_put(loaded):
    grant = replace(
        GRANT, effect=Effect.DENY, regions=("JP", "US"), valid_from=datetime(2026, 1, 1, 9, tzinfo=UTC),
        valid_until=datetime(2027, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    loaded.put_permission(grant, "t")
    assert loaded.get_permission("grant") == grant
    assert [p.id for p in loaded.list_permissions(owner="studio-a")] == ["allow-hero-a", "grant"]
    assert [e.id for e in loaded.list_entities(owner="studio-b")] == ["saga-b", "hero-b"]


def test_when_two_writers_race_then_every_change_still_gets_its_own_version(loaded, database_url):
    other = RegistryStore(database_url)  # a second process would have its own engine and connections
    errors: list[BaseException] = []

    def write(store: RegistryStore, prefix: str) -> None:
        try:
            for i in range(5):
                store.put_entity(_entry(f"{prefix}-{i}", "studio-a"), prefix)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, p)) for s, p in ((loaded, "one"), (other, "two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    other.close()
    assert errors == []
    assert loaded.current_version() == 11
    assert [v.version for v in loaded.history(limit=20)] == list(range(11, 0, -1))
    assert sum(e.id.startswith(("one-", "two-")) for e in loaded.list_entities()) == 10
