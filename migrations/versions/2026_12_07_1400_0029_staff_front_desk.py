"""Staff roles gain the front desk; coach profiles

Revision ID: 0029_staff_front_desk
Revises: 0028_customer_records
Create Date: 2026-12-07 14:00:00

The staff_role CHECK constraint of staff_roles and staff_invitations accepts "front_desk":
customers, bookings, check-in and desk payments, no settings or refunds. Coaches get a profile
per studio (photo, bio ar/en) and the class types they teach (coach_class_types).
"""
import sqlalchemy as sa
from alembic import op

revision = "0029_staff_front_desk"
down_revision = "0028_customer_records"
branch_labels = None
depends_on = None

BEFORE = ("owner", "studio_admin", "trainer_admin", "trainer")
AFTER = BEFORE + ("front_desk",)


def _role(values):
    return sa.Enum(*values, name="staff_role", native_enum=False, create_constraint=True,
                   length=20)


def upgrade():
    for table in ("staff_roles", "staff_invitations"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("role", existing_type=_role(BEFORE), type_=_role(AFTER),
                               existing_nullable=False)
    op.create_table(
        "coach_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("studio_id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("bio", sa.JSON(), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(32), nullable=False),
        sa.Column("photo_version", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.id"],
                                name=op.f("fk_coach_profiles_studio_id_studios")),
        sa.ForeignKeyConstraint(["coach_id"], ["users.id"],
                                name=op.f("fk_coach_profiles_coach_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_profiles")),
        sa.UniqueConstraint("studio_id", "coach_id",
                            name=op.f("uq_coach_profiles_studio_id_coach_id")),
    )
    with op.batch_alter_table("coach_profiles") as batch:
        batch.create_index(batch.f("ix_coach_profiles_studio_id"), ["studio_id"])
        batch.create_index(batch.f("ix_coach_profiles_coach_id"), ["coach_id"])
    op.create_table(
        "coach_class_types",
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("class_type_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["profile_id"], ["coach_profiles.id"], ondelete="CASCADE",
                                name=op.f("fk_coach_class_types_profile_id_coach_profiles")),
        sa.ForeignKeyConstraint(["class_type_id"], ["class_types.id"], ondelete="CASCADE",
                                name=op.f("fk_coach_class_types_class_type_id_class_types")),
        sa.PrimaryKeyConstraint("profile_id", "class_type_id",
                                name=op.f("pk_coach_class_types")),
    )


def downgrade():
    op.drop_table("coach_class_types")
    op.drop_table("coach_profiles")
    op.execute("DELETE FROM staff_invitations WHERE role = 'front_desk'")
    op.execute("DELETE FROM staff_roles WHERE role = 'front_desk'")
    for table in ("staff_roles", "staff_invitations"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("role", existing_type=_role(AFTER), type_=_role(BEFORE),
                               existing_nullable=False)
