"""Idempotency keys: the first answer to a creating POST, so a retry with the same key gets it again.

Stored in the registry database (not in a server's memory) so the promise holds across workers and
restarts: whichever worker the retry reaches finds the row. `owner` is a digest of the API key the
request was made with, so one caller can never replay another's answer; `request_hash` is a digest
of the method, path and body, so reusing a key for a different request is refused (422). A row is
`pending` while its request runs (a concurrent retry is told 409) and `done` with the answer.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_table("idempotency_keys")
