"""The portal: its sign-in sessions, and the ledger's subject index its dashboards read.

`portal_sessions` holds one row per signed-in browser: the SHA-256 of the cookie's token (the token
itself is never stored, so a copy of the database signs nobody in), the API key it was opened with
(re-checked on every request, so revoking the key ends its sessions), the form token (CSRF), and
when it expires or was signed out (a signed-out cookie replayed is refused).

`ledger_subjects` lists, for each ledger entry, the registered entries it decided about (one row per
entry and subject: rightsholder, entry, kind, verdict, day, matcher). It is an index, not a record:
everything in it is derived from the entries' bodies (which the ledger's chain and signed heads
protect), and this migration fills it from the bodies already there. A rightsholder's dashboard then
reads its own rows by (rightsholder, day) instead of parsing every body of the ledger.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 5_000


def upgrade() -> None:
    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_portal_sessions_key_id", "portal_sessions", ["key_id"])
    op.create_table(
        "ledger_subjects",
        sa.Column("row_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),  # no foreign key: an index never blocks the ledger
        sa.Column("rightsholder", sa.String(128), nullable=False),
        sa.Column("entity", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("matcher", sa.String(64), nullable=True),
    )
    # Covering indexes: a dashboard's counts by day, entry or matcher read the index alone.
    op.create_index("ix_ledger_subjects_holder_day", "ledger_subjects", ["rightsholder", "day", "verdict"])
    op.create_index(
        "ix_ledger_subjects_holder_entity", "ledger_subjects", ["rightsholder", "entity", "verdict"]
    )
    op.create_index("ix_ledger_subjects_holder_seq", "ledger_subjects", ["rightsholder", "seq"])
    op.create_index("ix_ledger_subjects_seq", "ledger_subjects", ["seq"])
    _backfill()


def _backfill() -> None:
    """Index the entries written before this revision (their bodies are the source)."""
    conn = op.get_bind()
    table = sa.table(
        "ledger_subjects", *(sa.column(c) for c in ("seq", "rightsholder", "entity", "kind", "verdict", "day",
                                                     "matcher"))
    )  # fmt: skip
    after = -1
    while True:
        rows = conn.execute(
            sa.text("SELECT seq, body FROM ledger_entries WHERE seq > :after ORDER BY seq LIMIT :n"),
            {"after": after, "n": _BATCH},
        ).all()
        if not rows:
            return
        out = [s for seq, body in rows for s in subjects_of(json.loads(body), int(seq))]
        if out:
            conn.execute(table.insert(), out)
        after = int(rows[-1][0])


def subjects_of(data: dict, seq: int) -> list[dict]:
    """A frozen copy of `kyodaku.provenance.entry.subjects_of` as of this revision: a migration must
    give the same result whatever the code around it becomes (and the registry imports nothing above
    it). Later appends are indexed by the ledger itself."""
    best: dict[str, tuple[float, str]] = {}
    for f in data.get("findings") or ():
        entity, score = f.get("entity"), float(f.get("score") or 0.0)
        if entity and (entity not in best or score > best[entity][0]):
            best[entity] = (score, str(f.get("matcher") or ""))
    rows = []
    for e in data.get("entities") or ():
        holder, entity = (e.get("rightsholder") or {}).get("id"), e.get("entity")
        if holder and entity:
            rows.append({
                "seq": seq, "rightsholder": str(holder)[:128], "entity": str(entity)[:128],
                "kind": str(e.get("kind") or "")[:16], "verdict": str(e.get("verdict") or "")[:8],
                "day": str(data.get("time") or "")[:10],
                "matcher": best.get(entity, (0.0, ""))[1][:64] or None,
            })  # fmt: skip
    return rows


def downgrade() -> None:
    op.drop_table("ledger_subjects")
    op.drop_table("portal_sessions")
