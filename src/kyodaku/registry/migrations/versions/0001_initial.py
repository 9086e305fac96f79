"""Initial registry: versions, temporal rightsholders / entities / permissions, API keys.

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CURRENT = sa.text("valid_to_version IS NULL")


def _temporal_columns() -> list[sa.Column]:
    return [
        sa.Column("row_id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "valid_from_version", sa.Integer(), sa.ForeignKey("registry_versions.version"), nullable=False
        ),
        sa.Column(
            "valid_to_version", sa.Integer(), sa.ForeignKey("registry_versions.version"), nullable=True
        ),
    ]


def _temporal_indexes(table: str) -> None:
    op.create_index(f"ix_{table}_id", table, ["id"])
    op.create_index(f"ix_{table}_valid_from_version", table, ["valid_from_version"])
    op.create_index(f"ix_{table}_valid_to_version", table, ["valid_to_version"])
    op.create_index(
        f"uq_{table}_current_id", table, ["id"], unique=True, sqlite_where=CURRENT, postgresql_where=CURRENT
    )


def upgrade() -> None:
    op.create_table(
        "registry_versions",
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_registry_versions_created_at", "registry_versions", ["created_at"])

    op.create_table(
        "rightsholders",
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        *_temporal_columns(),
    )
    _temporal_indexes("rightsholders")

    op.create_table(
        "entities",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("work", sa.String(128), nullable=True),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("description", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("reference_globs", sa.JSON(), nullable=False),
        sa.Column("ambiguous_names", sa.JSON(), nullable=False),
        *_temporal_columns(),
    )
    _temporal_indexes("entities")
    op.create_index("ix_entities_owner", "entities", ["owner"])
    op.create_index("ix_entities_work", "entities", ["work"])

    op.create_table(
        "permissions",
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("uses", sa.JSON(), nullable=False),
        sa.Column("effect", sa.String(8), nullable=False),
        sa.Column("licensees", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conditions", sa.JSON(), nullable=False),
        *_temporal_columns(),
    )
    _temporal_indexes("permissions")
    op.create_index("ix_permissions_owner", "permissions", ["owner"])
    op.create_index("ix_permissions_subject", "permissions", ["subject"])

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("rightsholder_id", sa.String(128), nullable=True),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])
    op.create_index("ix_api_keys_rightsholder_id", "api_keys", ["rightsholder_id"])


def downgrade() -> None:
    for table in ("api_keys", "permissions", "entities", "rightsholders", "registry_versions"):
        op.drop_table(table)
