"""Stripe keys are stored encrypted: wider columns, and the keys already saved sealed

Revision ID: 0011_sealed_keys
Revises: 0010_training
Create Date: 2026-11-25 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_sealed_keys"
down_revision = "0010_training"
branch_labels = None
depends_on = None

COLUMNS = ("stripe_secret_key", "stripe_webhook_secret")


def _rewrite(convert) -> None:
    conn = op.get_bind()
    studios = sa.table("studios", sa.column("id"), *(sa.column(c) for c in COLUMNS))
    for row in conn.execute(sa.select(studios)).all():
        values = {c: convert(getattr(row, c)) for c in COLUMNS if getattr(row, c)}
        if values:
            conn.execute(studios.update().where(studios.c.id == row.id).values(**values))


def upgrade():
    from app.core.sealed import PREFIX, seal

    with op.batch_alter_table("studios", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=255), type_=sa.Text(),
                                  existing_nullable=True)
    _rewrite(lambda v: v if v.startswith(PREFIX) else seal(v))


def downgrade():
    from app.core.sealed import unseal

    _rewrite(unseal)
    with op.batch_alter_table("studios", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=255),
                                  existing_nullable=True)
