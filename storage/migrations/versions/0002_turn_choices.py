"""a clarify turn keeps the procedures it offered

Revision ID: 0002_turn_choices
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_turn_choices"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("choices", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "choices")
