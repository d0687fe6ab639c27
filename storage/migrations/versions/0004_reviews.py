"""reviews, learned aliases, out-of-scope examples and the corrections audit trail; turn form and citations

Revision ID: 0004_reviews
Revises: 0002_turn_choices
Create Date: 2026-11-29 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_reviews'
down_revision = '0002_turn_choices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('citations', sa.JSON(), nullable=True))
    op.create_table('reviews',
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('expected_procedure_id', sa.String(length=128), nullable=True),
    sa.Column('author_key_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id')
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_verdict'), ['verdict'], unique=False)
    op.create_table('learned_aliases',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('procedure_id', sa.String(length=128), nullable=False),
    sa.Column('alias', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('source_message_id', sa.String(length=64), nullable=True),
    sa.Column('author_key_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('procedure_id', 'alias', name='uq_learned_alias')
    )
    with op.batch_alter_table('learned_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learned_aliases_procedure_id'), ['procedure_id'], unique=False)
    op.create_table('out_of_scope_examples',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('question', sa.String(length=500), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('author_key_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question')
    )
    op.create_table('corrections',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=True),
    sa.Column('verdict', sa.String(length=16), nullable=True),
    sa.Column('procedure_id', sa.String(length=128), nullable=True),
    sa.Column('question', sa.String(length=500), nullable=True),
    sa.Column('author_key_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_created_at'))
    op.drop_table('corrections')
    op.drop_table('out_of_scope_examples')
    with op.batch_alter_table('learned_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learned_aliases_procedure_id'))
    op.drop_table('learned_aliases')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_verdict'))
    op.drop_table('reviews')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('citations')
        batch_op.drop_column('form')
