"""Snapshot, then serve: registry changes reach the guard without a restart or a failed request."""

import threading
import time
from pathlib import Path

from kyodaku.domain.findings import Verdict
from kyodaku.domain.model import Permission, Use
from kyodaku.policy.engine import ScreenContext
from kyodaku.refresh import SnapshotRefresher
from kyodaku.registry.catalog import load_catalog
from kyodaku.registry.store import RegistryStore
from kyodaku.screening import Guard, GuardOptions

MINI = Path(__file__).parent / "data" / "mini-catalog.yaml"
ACME_US = ScreenContext(licensee="acme", region="US")


def _setup(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    store = RegistryStore(url)
    store.migrate()
    store.import_catalog(load_catalog(MINI))
    guard = Guard.from_catalog(store.catalog_at(), GuardOptions(semantic=False, themes=False))
    return url, store, guard


def test_when_another_process_grants_then_poller_swaps_in_the_new_version(tmp_path):
    url, store, guard = _setup(tmp_path)
    refresher = SnapshotRefresher(store, guard, poll_seconds=0.05)
    refresher.start()
    try:
        assert guard.screen_prompt("Superman", ACME_US).verdict is Verdict.BLOCK
        elsewhere = RegistryStore(url)  # a second connection, as a CLI import would be
        elsewhere.put_permission(
            Permission("p-us", "dc", "superman", (Use.GENERATE,), licensees=("acme",)), "cli"
        )
        deadline = time.monotonic() + 5
        while guard.screen_prompt("Superman", ACME_US).verdict is not Verdict.ALLOW:
            assert time.monotonic() < deadline, "the poller did not pick up the new permission"
            time.sleep(0.02)
        assert guard.snapshot.version == elsewhere.current_version()
    finally:
        refresher.stop()


def test_when_snapshot_is_swapped_during_requests_then_none_fails(tmp_path):
    _, store, guard = _setup(tmp_path)
    refresher = SnapshotRefresher(store, guard)
    errors: list[BaseException] = []
    done: list[Verdict] = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            try:
                done.append(guard.screen_prompt("Superman over the city", ACME_US).verdict)
            except BaseException as exc:  # any failure in flight is a bug
                errors.append(exc)

    threads = [threading.Thread(target=client) for _ in range(3)]
    for t in threads:
        t.start()
    for n in range(10):
        grant = Permission(f"p{n}", "dc", "superman", (Use.GENERATE,), licensees=("acme",))
        store.put_permission(grant, "test")
        refresher.refresh()
        assert guard.screen_prompt("Superman", ACME_US).verdict is Verdict.ALLOW
        store.revoke_permission(grant.id, "test")
        refresher.refresh()
        assert guard.screen_prompt("Superman", ACME_US).verdict is Verdict.BLOCK
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert len(done) > 20 and set(done) <= {Verdict.ALLOW, Verdict.BLOCK}


def test_when_only_permissions_change_then_match_index_is_reused(tmp_path):
    _, store, guard = _setup(tmp_path)
    before = guard.snapshot.match
    store.put_permission(Permission("p-x", "dc", "superman", (Use.GENERATE,)), "test")
    SnapshotRefresher(store, guard).refresh()
    assert guard.snapshot.match is before
    assert guard.snapshot.version == store.current_version()


def test_when_only_permissions_changed_then_refresh_reads_permissions_only(tmp_path):
    _, store, guard = _setup(tmp_path)
    calls = []
    original = store.catalog_at
    store.catalog_at = lambda *a, **kw: calls.append(1) or original(*a, **kw)
    store.put_permission(Permission("p-y", "dc", "superman", (Use.GENERATE,), licensees=("acme",)), "test")
    SnapshotRefresher(store, guard).refresh()
    assert calls == []
    assert guard.screen_prompt("Superman", ACME_US).verdict is Verdict.ALLOW
    assert guard.snapshot.catalog == store.catalog_at()  # the same registry version, read either way


def test_when_an_entry_changed_then_refresh_rereads_the_registry(tmp_path):
    from kyodaku.domain.model import Entity, EntityKind

    _, store, guard = _setup(tmp_path)
    store.put_entity(Entity("krypto", EntityKind.CHARACTER, "dc", {"en": ("Krypto the Superdog",)}), "test")
    SnapshotRefresher(store, guard).refresh()
    assert guard.screen_prompt("Krypto the Superdog").verdict is Verdict.BLOCK


def test_when_an_entry_changes_but_no_reference_then_the_reference_bank_is_kept(tmp_path):
    from dataclasses import replace

    from kyodaku.media.hashing import hash_media
    from kyodaku.refs.ingest import new_reference
    from kyodaku_samples.synthetic import draw_image

    _, store, guard = _setup(tmp_path)
    picture = tmp_path / "pika.png"
    draw_image("character", 3).save(picture)
    pikachu = hash_media(picture, guard.options.hash_options(query=False))
    store.add_reference(new_reference("pikachu", pikachu, "p.png"), "t")
    refresher = SnapshotRefresher(store, guard)
    refresher.refresh()
    bank = guard.snapshot.media
    assert len(bank) > 0
    superman = store.get_entity("superman")
    store.put_entity(replace(superman, description={"en": "A man of steel in a blue suit"}), "t")
    refresher.refresh()
    assert guard.snapshot.media is bank  # hash rows not read again
    draw_image("character", 4).save(tmp_path / "other.png")
    other = hash_media(tmp_path / "other.png", guard.options.hash_options(query=False))
    store.add_reference(new_reference("superman", other, "s.png"), "t")
    refresher.refresh()
    assert guard.snapshot.media is not bank and len(guard.snapshot.media) > len(bank)
