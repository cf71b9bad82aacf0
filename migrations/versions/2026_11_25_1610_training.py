"""Training: plans, workouts (templates and plan days), sessions and logged sets; idempotency keys

Revision ID: 0010_training
Revises: 0009_job_outbox
Create Date: 2026-11-25 16:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_training"
down_revision = "0009_job_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idempotency_keys',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_idempotency_keys'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_user_id'), ['user_id'], unique=False)

    op.create_table('training_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('days_per_week', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('active', 'archived', name='plan_status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_training_plans_client_id_users')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_training_plans_coach_id_users')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_training_plans_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_plans'))
    )
    with op.batch_alter_table('training_plans', schema=None) as batch_op:
        batch_op.create_index('ix_training_plans_studio_client', ['studio_id', 'client_id'], unique=False)

    op.create_table('workouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('week', sa.Integer(), nullable=True),
    sa.Column('day', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_workouts_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['training_plans.id'], name=op.f('fk_workouts_plan_id_training_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_workouts_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workouts')),
    sa.UniqueConstraint('plan_id', 'week', 'day', name='uq_workouts_plan_day')
    )
    with op.batch_alter_table('workouts', schema=None) as batch_op:
        batch_op.create_index('ix_workouts_studio_template', ['studio_id', 'plan_id'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('workout_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extra_exercise_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_training_sessions_client_id_users')),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_training_sessions_coach_id_users')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_training_sessions_studio_id_studios')),
    sa.ForeignKeyConstraint(['workout_id'], ['workouts.id'], name=op.f('fk_training_sessions_workout_id_workouts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_training_sessions_client', ['studio_id', 'client_id', 'started_at'], unique=False)

    op.create_table('workout_exercises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workout_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rest_seconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercises.id'], name=op.f('fk_workout_exercises_exercise_id_exercises')),
    sa.ForeignKeyConstraint(['workout_id'], ['workouts.id'], name=op.f('fk_workout_exercises_workout_id_workouts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workout_exercises'))
    )
    with op.batch_alter_table('workout_exercises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workout_exercises_workout_id'), ['workout_id'], unique=False)

    op.create_table('logged_sets',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('studio_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('load', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('records', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_logged_sets_client_id_users')),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercises.id'], name=op.f('fk_logged_sets_exercise_id_exercises')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_logged_sets_session_id_training_sessions')),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.id'], name=op.f('fk_logged_sets_studio_id_studios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logged_sets'))
    )
    with op.batch_alter_table('logged_sets', schema=None) as batch_op:
        batch_op.create_index('ix_logged_sets_client_exercise', ['studio_id', 'client_id', 'exercise_id', 'logged_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_logged_sets_session_id'), ['session_id'], unique=False)

    op.create_table('workout_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('load', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['workout_exercises.id'], name=op.f('fk_workout_sets_item_id_workout_exercises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workout_sets'))
    )
    with op.batch_alter_table('workout_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workout_sets_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('studios', schema=None) as batch_op:
        batch_op.add_column(sa.Column('load_unit', sa.String(length=2), server_default='kg', nullable=False))
        batch_op.add_column(sa.Column('load_increment', sa.Numeric(precision=5, scale=2), server_default='2.5', nullable=False))



def downgrade():
    with op.batch_alter_table('studios', schema=None) as batch_op:
        batch_op.drop_column('load_increment')
        batch_op.drop_column('load_unit')

    with op.batch_alter_table('workout_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workout_sets_item_id'))

    op.drop_table('workout_sets')
    with op.batch_alter_table('logged_sets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_logged_sets_session_id'))
        batch_op.drop_index('ix_logged_sets_client_exercise')

    op.drop_table('logged_sets')
    with op.batch_alter_table('workout_exercises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workout_exercises_workout_id'))

    op.drop_table('workout_exercises')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_training_sessions_client')

    op.drop_table('training_sessions')
    with op.batch_alter_table('workouts', schema=None) as batch_op:
        batch_op.drop_index('ix_workouts_studio_template')

    op.drop_table('workouts')
    with op.batch_alter_table('training_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_training_plans_studio_client')

    op.drop_table('training_plans')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_user_id'))

    op.drop_table('idempotency_keys')
