"""The generation ledger: append-only entries chained by hash, their media hashes, signed tree heads.

Append-only twice over: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the three
tables, so no application bug or hurried operator edits history; and each entry's body names the
previous entry's hash while signed Merkle tree heads cover all of them, so whoever drops the
triggers and edits anyway is found by `kyodaku ledger verify`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("ledger_entries", "ledger_media", "ledger_heads")
MESSAGE = "the kyodaku ledger is append-only"


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("entry_id", sa.String(32), nullable=False, unique=True),
        sa.Column("short_id", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_table(
        "ledger_media",
        sa.Column("row_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger(), sa.ForeignKey("ledger_entries.seq"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pdq", sa.LargeBinary(32), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("frame", sa.Integer(), nullable=False),
    )
    op.create_index("ix_ledger_media_sha256", "ledger_media", ["sha256"])
    op.create_index("ix_ledger_media_seq", "ledger_media", ["seq"])
    op.create_table(
        "ledger_heads",
        sa.Column("tree_size", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION kyodaku_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION kyodaku_ledger_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION kyodaku_ledger_append_only()"
            )
    else:
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in reversed(TABLES):
            op.drop_table(table)
        op.execute("DROP FUNCTION IF EXISTS kyodaku_ledger_append_only()")
    else:
        for table in reversed(TABLES):
            op.drop_table(table)
