"""Keep a guard's snapshot in step with the registry, without a restart.

Two paths, one mechanism: a write made through this process calls `refresh()`
right away (so the very next request obeys it), and a background thread polls
the registry version for writes made elsewhere (a CLI import, another server).
Building happens outside the request path; the swap is a single reference
assignment, so requests in flight finish on the snapshot they started with.
"""

from __future__ import annotations

import gc
import logging
import threading
from dataclasses import replace

from kyodaku.compiler import StoreReferences
from kyodaku.media.refstore import ReferenceStore
from kyodaku.screening import Guard

log = logging.getLogger(__name__)


def settle_heap() -> None:
    """Put what is alive now (above all a freshly built snapshot) out of the garbage collector's sight.

    Why: a compiled snapshot of a 40,000-entry registry is over half a million long-lived Python
    objects, and CPython's full collections scan every tracked object: each one stops every thread
    for about 200 ms (measured by bench/api_paging.py), and the allocations of ordinary requests
    trigger them now and then, which shows up as a request's p99. `gc.freeze()` moves the objects
    alive now to a generation that is never scanned (they are still freed by reference counting).
    Before freezing again after a rebuild, unfreeze and collect once, so that reference cycles of the
    replaced snapshot are freed rather than kept for good.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class SnapshotRefresher:
    def __init__(self, store, guard: Guard, poll_seconds: float = 0.5) -> None:
        self.settle_after_rebuild = False
        """Long-running servers set this: `settle_heap` after each full rebuild (not after a
        permissions-only update, which allocates little and must stay fast)."""
        self.store = store
        self.guard = guard
        self.poll_seconds = poll_seconds
        self._build_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    def refresh(self) -> int:
        """Swap in the registry's current version if it is newer; returns the serving version.

        When only permissions changed since the serving version, only they are read and the
        entries (and the compiled match index) are kept: the common case stays cheap at any
        catalog size.
        """
        with self._build_lock:
            serving = self.guard.snapshot
            current = self.store.current_version()
            if current == serving.version:
                return current
            update = self.store.permissions_update(since=serving.version)
            references = None  # keep the serving reference bank
            if update is not None:
                catalog = replace(serving.catalog, permissions=update.permissions, version=update.version)
            else:
                # Only a change of references re-reads the hash rows (millions, at scale): the
                # compiler compares the references' digest with the serving bank's first.
                catalog = self.store.catalog_at(version=current)
                refstore = ReferenceStore(self.guard.options.reference_store)
                references = StoreReferences(self.store, catalog.version, refstore)
            self.guard.reload(catalog, references=references)
            if update is None and self.settle_after_rebuild:
                settle_heap()
            log.info("snapshot swapped to registry version %s", catalog.version)
            return self.guard.snapshot.version

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.refresh()
                self.last_error = None
            except Exception as exc:  # keep serving the last good snapshot, and say why
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception(
                    "snapshot refresh failed; still serving version %s", self.guard.snapshot.version
                )

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kyodaku-refresh", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
