"""The generation ledger: every decision appended, never changed, provably.

Stored in the registry's database (SQLite by default, PostgreSQL by URL; migration 0003). Why the
same database: an entry names the registry version that decided it, and one backup keeps both.

* `append(decision, record)` writes one entry (and its outputs' hashes) in one transaction
  (SQLite: BEGIN IMMEDIATE serializes writers; PostgreSQL: optimistic, the primary key on the
  position refuses the loser of a race, which retries; neither waits for a registry edit). It
  returns only after the commit: an acknowledged entry is in the database, and a process killed
  mid-append leaves either the whole entry or none (a transaction), so the ledger still verifies.
* On SQLite the ledger's connections use `synchronous=NORMAL` in WAL mode: a commit survives the
  process being killed (what the tests check) but not a power cut right after it; set
  `KYODAKU_LEDGER_SYNC=full` for that, at about one fsync per append.
* `sign_head(key)` computes the Merkle root over all entries and stores a signed tree head
  (Ed25519), the thing to publish. `proof(entry_id)` gives an inclusion proof against the latest
  head; `verify()` (verify.py) checks the whole ledger.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, text
from sqlalchemy.exc import IntegrityError as SqlIntegrityError

from kyodaku.audit.merkle import MerkleBuilder, inclusion_proof_from_hashes
from kyodaku.audit.signing import key_id, load_private_key, load_public_key, sign
from kyodaku.audit.signing import verify as verify_signature
from kyodaku.domain.errors import Conflict, IntegrityError, InvalidInput, NotFound
from kyodaku.domain.findings import Decision
from kyodaku.provenance.entry import (
    GENESIS,
    LedgerEntry,
    OutputHashes,
    Record,
    build_body,
    canonical,
    entry_id_of,
    leaf_of,
    short_id_of,
    subjects_of,
)
from kyodaku.registry.database import WRITE_OPTION, make_engine, migrate
from kyodaku.registry.models import LedgerEntryRow, LedgerHeadRow, LedgerMediaRow, LedgerSubjectRow

log = logging.getLogger(__name__)

HEAD_FORMAT = "kyodaku-ledger-head/1"
CHECKPOINT_SECONDS = 1.0
_APPEND_ATTEMPTS = 50
_LEDGER_LOCK_KEY = 0x6B796F6C65646772  # "kyoledgr" (fits a bigint): not the registry's key
_ENTRY_COLUMNS = "seq, entry_id, short_id, created_at, leaf_hash, prev_hash, body"


@dataclass(frozen=True)
class TreeHead:
    """A signed statement: "the ledger's first `tree_size` entries have Merkle root `root_hash`"."""

    tree_size: int
    root_hash: str
    created_at: datetime
    key_id: str
    body: bytes
    signature: bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.created_at.isoformat(),
            "key_id": self.key_id,
            "signed": self.body.decode("utf-8"),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    def check_signature(self, public_key_path: str | Path) -> None:
        """IntegrityError unless the head is signed by that key and says what its columns say."""
        public = load_public_key(public_key_path)
        if key_id(public) != self.key_id:
            raise IntegrityError(
                f"tree head {self.tree_size} is signed by key {self.key_id}, not {key_id(public)}",
                tree_size=self.tree_size,
            )
        verify_signature(public, self.body, self.signature)
        import json

        said = json.loads(self.body)
        if said.get("tree_size") != self.tree_size or said.get("root_hash") != self.root_hash:
            raise IntegrityError(
                f"tree head {self.tree_size}: the signed statement does not match the stored head",
                tree_size=self.tree_size,
            )


@dataclass(frozen=True)
class InclusionProof:
    """What an auditor needs to check one entry against a published head, without the ledger."""

    entry: LedgerEntry
    head: TreeHead
    path: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "kyodaku-ledger-proof/1",
            "entry_id": self.entry.entry_id,
            "leaf_index": self.entry.seq,
            "tree_size": self.head.tree_size,
            "root_hash": self.head.root_hash,
            "entry_body": self.entry.body.decode("utf-8"),
            "audit_path": [p.hex() for p in self.path],
            "head": self.head.to_dict(),
        }


def _sync_mode() -> str:
    mode = os.environ.get("KYODAKU_LEDGER_SYNC", "normal").strip().lower()
    if mode not in ("normal", "full"):
        raise InvalidInput(f"KYODAKU_LEDGER_SYNC must be normal or full, not {mode!r}")
    return mode


class Ledger:
    """The ledger in the registry database at `url` (migrated on open)."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self._engine = engine or make_engine(url)
        self._sqlite = self._engine.dialect.name == "sqlite"
        if self._sqlite and engine is None:
            mode = _sync_mode().upper()

            @event.listens_for(self._engine, "connect")
            def _sync(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute(f"PRAGMA synchronous = {mode}")
                # Appends never checkpoint the WAL themselves (a checkpoint's fsync was the 10 ms
                # tail of append latency); the checkpointer thread does it between appends.
                cursor.execute("PRAGMA wal_autocheckpoint = 0")
                cursor.close()

        migrate(self._engine)
        self._appended = 0
        self._stop = threading.Event()
        self._checkpointer: threading.Thread | None = None
        if self._sqlite and engine is None:
            self._checkpointer = threading.Thread(
                target=self._checkpoint_loop, name="ledger-wal", daemon=True
            )
            self._checkpointer.start()

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        if self._checkpointer is not None:
            self._stop.set()
            self._checkpointer.join(timeout=10)
            self._checkpoint()
        self._engine.dispose()

    def _checkpoint_loop(self) -> None:
        """Move the WAL into the database file every second or so when something was appended."""
        while not self._stop.wait(CHECKPOINT_SECONDS):
            if self._appended:
                self._checkpoint()

    def _checkpoint(self) -> None:
        self._appended = 0
        try:
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # a missed checkpoint only lets the WAL grow until the next one
            log.warning("ledger: WAL checkpoint failed", exc_info=True)

    @contextmanager
    def _write(self, *, lock: bool = False) -> Iterator[Any]:
        """A write transaction (SQLite: BEGIN IMMEDIATE); `lock` also takes the ledger's advisory
        lock on PostgreSQL (for signing heads, which must not interleave)."""
        with self._engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            if lock and not self._sqlite:
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LEDGER_LOCK_KEY})
            yield conn

    # -- appending --------------------------------------------------------------------------------
    def append(self, decision: Decision | dict[str, Any], record: Record | None = None) -> LedgerEntry:
        """Append the entry for `decision` (or its `to_dict()`); returns it once committed.

        SQLite serializes appends with BEGIN IMMEDIATE. On PostgreSQL an append is optimistic: it
        reads the last entry and inserts the next position, and the primary key on `seq` refuses
        the loser of a race, which retries on the new last entry (a lock would add a round trip to
        every append for a race that is rare)."""
        record = record or Record()
        for _attempt in range(_APPEND_ATTEMPTS):
            try:
                entry = self._append_once(decision, record)
            except SqlIntegrityError:
                continue  # another writer took this position (or a 2^-63 id collision): next one
            self._appended += 1
            return entry
        raise Conflict(f"could not append to the ledger after {_APPEND_ATTEMPTS} attempts (too many writers)")

    def _append_once(self, decision: Decision | dict[str, Any], record: Record) -> LedgerEntry:
        created = datetime.now(UTC)
        with self._write() as conn:
            last = conn.execute(
                text("SELECT seq, leaf_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
            ).first()
            seq, prev = (0, GENESIS) if last is None else (int(last[0]) + 1, str(last[1]))
            body, outputs = build_body(decision, record, seq=seq, prev=prev, created_at=created)
            leaf = leaf_of(body)
            entry = LedgerEntry(
                seq, entry_id_of(leaf), short_id_of(leaf), created, leaf.hex(), prev, body, outputs
            )
            conn.execute(
                insert(LedgerEntryRow),
                {
                    "seq": seq, "entry_id": entry.entry_id, "short_id": entry.short_id,
                    "created_at": created, "leaf_hash": entry.leaf_hash, "prev_hash": prev,
                    "body": body.decode("utf-8"),
                },
            )  # fmt: skip
            rows = [
                {"seq": seq, "sha256": o.sha256, "pdq": h, "quality": q, "frame": n}
                for o in outputs
                for n, (h, q) in enumerate(o.pdq or ((None, None),))
            ]
            if rows:
                conn.execute(insert(LedgerMediaRow), rows)
            subjects = subjects_of(json.loads(body), seq)
            if subjects:
                conn.execute(insert(LedgerSubjectRow), subjects)
        return entry

    # -- reading ----------------------------------------------------------------------------------
    def size(self) -> int:
        with self._engine.connect() as conn:
            last = conn.execute(text("SELECT MAX(seq) FROM ledger_entries")).scalar()
        return 0 if last is None else int(last) + 1

    def get(self, entry_id: str) -> LedgerEntry:
        """The entry with this id; NotFound for an id that names none (forged, mistyped, unknown)."""
        if not isinstance(entry_id, str) or not entry_id.startswith("le_") or len(entry_id) != 27:
            raise NotFound(f"no ledger entry {entry_id!r} (ids look like le_ and 24 hex digits)")
        return self._one("entry_id = :v", entry_id, f"no ledger entry {entry_id!r}")

    def by_seq(self, seq: int) -> LedgerEntry:
        return self._one("seq = :v", int(seq), f"no ledger entry number {seq}")

    def by_short_id(self, short_id: int) -> LedgerEntry:
        return self._one("short_id = :v", int(short_id), f"no ledger entry with short id {short_id}")

    def by_seqs(self, seqs: set[int]) -> list[LedgerEntry]:
        if not seqs:
            return []
        with self._engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT {_ENTRY_COLUMNS} FROM ledger_entries WHERE seq IN ({','.join(map(str, seqs))})")
            ).all()
        return sorted((_entry(r) for r in rows), key=lambda e: e.seq)

    def seqs_with_sha256(self, sha256: str) -> set[int]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                text("SELECT DISTINCT seq FROM ledger_media WHERE sha256 = :s"), {"s": sha256}
            ).all()
        return {int(r[0]) for r in rows}

    def media_rows(self, after_row: int = 0) -> Iterator[tuple[int, int, bytes, int]]:
        """(row id, seq, PDQ hash, quality) of every hashed frame after `after_row`, in order."""
        with self._engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(
                text(
                    "SELECT row_id, seq, pdq, quality FROM ledger_media "
                    "WHERE row_id > :a AND pdq IS NOT NULL ORDER BY row_id"
                ),
                {"a": after_row},
            )
            for row in result:
                yield int(row[0]), int(row[1]), bytes(row[2]), int(row[3] or 0)

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LedgerEntry]:
        """Every entry by position, streamed."""
        where = "seq >= :a" + ("" if stop is None else " AND seq < :b")
        with self._engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=2000).execute(
                text(f"SELECT {_ENTRY_COLUMNS} FROM ledger_entries WHERE {where} ORDER BY seq"),
                {"a": start, "b": stop},
            )
            for row in result:
                yield _entry(row)

    def _one(self, where: str, value: Any, missing: str) -> LedgerEntry:
        with self._engine.connect() as conn:
            row = conn.execute(
                text(f"SELECT {_ENTRY_COLUMNS} FROM ledger_entries WHERE {where}"), {"v": value}
            ).first()
        if row is None:
            raise NotFound(missing)
        return _entry(row)

    # -- tree heads and proofs --------------------------------------------------------------------
    def leaf_hashes(self, stop: int | None = None) -> list[bytes]:
        """The stored leaf hashes by position (32 bytes each: 32 MB for a million entries)."""
        where = "" if stop is None else " WHERE seq < :b"
        with self._engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT leaf_hash FROM ledger_entries{where} ORDER BY seq"), {"b": stop}
            ).all()
        return [bytes.fromhex(r[0]) for r in rows]

    def sign_head(self, private_key_path: str | Path) -> TreeHead:
        """Compute the root over every entry now and store a head signed with the key. A head for a
        size that already has one is returned as it is (heads are append-only too)."""
        private = load_private_key(private_key_path)
        leaves = self.leaf_hashes()
        size = len(leaves)
        if size == 0:
            raise InvalidInput("the ledger is empty: there is nothing to sign a head for")
        existing = self._head_row("tree_size = :v", size)
        if existing is not None:
            return existing
        builder = MerkleBuilder()
        for leaf in leaves:
            builder.add_leaf_hash(leaf)
        created = datetime.now(UTC).replace(microsecond=0)
        statement = {
            "format": HEAD_FORMAT,
            "tree_size": size,
            "root_hash": builder.root().hex(),
            "timestamp": created.isoformat(),
        }
        body = canonical(statement)
        signature = sign(private, body)
        head = TreeHead(size, statement["root_hash"], created, key_id(private.public_key()), body, signature)
        with self._write(lock=True) as conn:
            conn.execute(
                insert(LedgerHeadRow),
                {"tree_size": size, "root_hash": head.root_hash, "created_at": created, "key_id": head.key_id,
                 "body": body.decode("utf-8"), "signature": base64.b64encode(signature).decode("ascii")},
            )  # fmt: skip
        return head

    def latest_head(self) -> TreeHead:
        head = self._head_row("tree_size = (SELECT MAX(tree_size) FROM ledger_heads)", None)
        if head is None:
            raise NotFound("no signed tree head yet: run `kyodaku ledger head --signing-key KEY`")
        return head

    def heads(self) -> list[TreeHead]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT tree_size, root_hash, created_at, key_id, body, signature FROM ledger_heads "
                    "ORDER BY tree_size"
                )
            ).all()
        return [_head(r) for r in rows]

    def _head_row(self, where: str, value: Any) -> TreeHead | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT tree_size, root_hash, created_at, key_id, body, signature FROM ledger_heads "
                    f"WHERE {where}"
                ),
                {"v": value},
            ).first()
        return None if row is None else _head(row)

    def proof(self, entry_id: str, tree_size: int | None = None) -> InclusionProof:
        """The audit path of an entry against the latest signed head (or the head of `tree_size`)."""
        entry = self.get(entry_id)
        if tree_size is None:
            head = self.latest_head()
        else:
            found = self._head_row("tree_size = :v", int(tree_size))
            if found is None:
                raise NotFound(f"no signed tree head of size {tree_size}")
            head = found
        if entry.seq >= head.tree_size:
            raise NotFound(
                f"entry {entry_id} (number {entry.seq}) is newer than the latest signed head "
                f"({head.tree_size} entries): sign a new head first"
            )
        leaves = self.leaf_hashes(head.tree_size)
        return InclusionProof(entry, head, tuple(inclusion_proof_from_hashes(leaves, entry.seq)))


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _entry(row: Any) -> LedgerEntry:
    body = row[6].encode("utf-8") if isinstance(row[6], str) else bytes(row[6])
    outputs: tuple[OutputHashes, ...] = ()
    return LedgerEntry(
        int(row[0]), str(row[1]), int(row[2]), _aware(row[3]), str(row[4]), str(row[5]), body, outputs
    )


def _head(row: Any) -> TreeHead:
    return TreeHead(
        int(row[0]), str(row[1]), _aware(row[2]), str(row[3]), str(row[4]).encode("utf-8"),
        base64.b64decode(row[5]),
    )  # fmt: skip


__all__ = ["InclusionProof", "Ledger", "TreeHead"]
