"""The exercise library: built-in exercises (no studio) and a studio's own

Revision ID: 0008_exercises
Revises: 0007_appointments
Create Date: 2026-11-25 15:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_exercises"
down_revision = "0007_appointments"
branch_labels = None
depends_on = None

MUSCLE_GROUPS = ("chest", "back", "shoulders", "arms", "legs", "glutes", "core", "full_body",
                 "cardio")
EQUIPMENT = ("barbell", "dumbbell", "kettlebell", "machine", "cable", "bodyweight", "band", "other")


def upgrade():
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.Column("muscle_group", sa.Enum(*MUSCLE_GROUPS, name="muscle_group", native_enum=False,
                                          create_constraint=True, length=20), nullable=False),
        sa.Column("equipment", sa.Enum(*EQUIPMENT, name="equipment", native_enum=False,
                                       create_constraint=True, length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_exercises_studio_id_studios")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.create_index("ix_exercises_studio_muscle", ["studio_id", "muscle_group"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_index("ix_exercises_studio_muscle")
    op.drop_table("exercises")
