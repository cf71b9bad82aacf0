"""1:1 sessions: session types, coach availability, time off, appointments

Revision ID: 0007_appointments
Revises: 0006_client_notes
Create Date: 2026-11-25 15:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0007_appointments"
down_revision = "0006_client_notes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('session_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('buffer_minutes >= 0', name=op.f('ck_session_types_buffer')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_session_types_duration')),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_session_types_price')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_session_types_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_types'))
    )
    with op.batch_alter_table('session_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_types_studio_id'), ['studio_id'], unique=False)

    op.create_table('time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_time_off_times')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_time_off_coach_id_users')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_time_off_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.create_index('ix_time_off_coach_starts', ['coach_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_off_studio_id'), ['studio_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('session_type_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('booked', 'cancelled', 'late_cancelled', 'attended', 'no_show', name='appointment_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('booked_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_appointments_times')),
    sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_appointments_booked_by_id_users')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_appointments_coach_id_users')),
    sa.ForeignKeyConstraint(['customer_id'], ['users.id'], name=op.f('fk_appointments_customer_id_users')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_appointments_location_id_locations')),
    sa.ForeignKeyConstraint(['session_type_id'], ['session_types.id'], name=op.f('fk_appointments_session_type_id_session_types')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_appointments_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_coach_starts', ['coach_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_appointments_customer_starts', ['customer_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_studio_id'), ['studio_id'], unique=False)

    op.create_table('availabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('starts_at_local', sa.Time(), nullable=False),
    sa.Column('ends_at_local', sa.Time(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at_local > starts_at_local', name=op.f('ck_availabilities_times')),
    sa.CheckConstraint('weekday BETWEEN 1 AND 7', name=op.f('ck_availabilities_weekday')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_availabilities_coach_id_users')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_availabilities_location_id_locations')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_availabilities_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availabilities'))
    )
    with op.batch_alter_table('availabilities', schema=None) as batch_op:
        batch_op.create_index('ix_availabilities_studio_coach', ['studio_id', 'coach_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # A coach's active appointments never overlap: the database's last line behind the
        # per-coach lock. btree_gist lets the GiST index compare coach_id with "=".
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_coach_overlap "
            "EXCLUDE USING gist (coach_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status IN ('booked', 'attended', 'no_show'))"
        )



def downgrade():
    with op.batch_alter_table('availabilities', schema=None) as batch_op:
        batch_op.drop_index('ix_availabilities_studio_coach')

    op.drop_table('availabilities')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_studio_id'))
        batch_op.drop_index('ix_appointments_customer_starts')
        batch_op.drop_index('ix_appointments_coach_starts')

    op.drop_table('appointments')
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_off_studio_id'))
        batch_op.drop_index('ix_time_off_coach_starts')

    op.drop_table('time_off')
    with op.batch_alter_table('session_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_types_studio_id'))

    op.drop_table('session_types')
