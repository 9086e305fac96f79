"""Keep a guard's snapshot in step with the registry, without a restart.

Two paths, one mechanism: a write made through this process calls `refresh()`
right away (so the very next request obeys it), and a background thread polls
the registry version for writes made elsewhere (a CLI import, another server).
Building happens outside the request path; the swap is a single reference
assignment, so requests in flight finish on the snapshot they started with.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from kyodaku.compiler import StoreReferences
from kyodaku.media.refstore import ReferenceStore
from kyodaku.screening import Guard

log = logging.getLogger(__name__)


class SnapshotRefresher:
    def __init__(self, store, guard: Guard, poll_seconds: float = 0.5) -> None:
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
