"""References: reference images and clips of entries, their perceptual hashes, further descriptors.

`entity_references` is versioned like the entries (valid from / to a registry version);
`media_hashes` and `media_descriptors` are keyed by content (SHA-256), computed once and
shared by every reference with the same bytes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CURRENT = sa.text("valid_to_version IS NULL")


def upgrade() -> None:
    table = "entity_references"
    op.create_table(
        table,
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.String(8), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=True),
        sa.Column("hasher", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "valid_from_version", sa.Integer(), sa.ForeignKey("registry_versions.version"), nullable=False
        ),
        sa.Column(
            "valid_to_version", sa.Integer(), sa.ForeignKey("registry_versions.version"), nullable=True
        ),
    )
    op.create_index(f"ix_{table}_id", table, ["id"])
    op.create_index(f"ix_{table}_valid_from_version", table, ["valid_from_version"])
    op.create_index(f"ix_{table}_valid_to_version", table, ["valid_to_version"])
    op.create_index(
        f"uq_{table}_current_id", table, ["id"], unique=True, sqlite_where=CURRENT, postgresql_where=CURRENT
    )
    op.create_index(f"ix_{table}_entity_id", table, ["entity_id"])
    op.create_index(f"ix_{table}_owner", table, ["owner"])
    op.create_index(f"ix_{table}_sha256", table, ["sha256"])

    op.create_table(
        "media_hashes",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("hasher", sa.String(32), primary_key=True),
        sa.Column("ordinal", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("t", sa.Float(), nullable=False),
        sa.Column("region", sa.String(16), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.Column("quality", sa.SmallInteger(), nullable=False),
    )

    op.create_table(
        "media_descriptors",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("media_descriptors", "media_hashes", "entity_references"):
        op.drop_table(table)
