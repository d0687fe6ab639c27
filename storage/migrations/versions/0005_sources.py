"""official sources kept in sync: registered URLs, the pages they hold, where an upload was fetched from, and each
sync job's per-URL results

Revision ID: 0005_sources
Revises: 0004_reviews
Create Date: 2026-11-29 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_sources'
down_revision = '0004_reviews'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_sources',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('procedure_id', sa.String(length=128), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_run_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    op.create_table('sync_pages',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.String(length=32), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('procedure_id', sa.String(length=128), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('etag', sa.String(length=512), nullable=True),
    sa.Column('last_modified', sa.String(length=64), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('text_chars', sa.Integer(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('gone_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sync_sources.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    with op.batch_alter_table('sync_pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_pages_source_id'), ['source_id'], unique=False)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin_url', sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column('fetched_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('results')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('fetched_at')
        batch_op.drop_column('origin_url')
    with op.batch_alter_table('sync_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_pages_source_id'))
    op.drop_table('sync_pages')
    op.drop_table('sync_sources')
