"""What an exercise measures, and seconds and meters on sets

Revision ID: 0022_exercise_measures
Revises: 0021_unpaid_orders_per_kind
Create Date: 2026-12-07 03:10:00

Every exercise was reps × load, so a plank went in as "10 reps". An exercise now has a measure
(reps × load, reps only, time, distance, time × distance); target and logged sets gain seconds
and meters. Built-in exercises get their measure by English name (app/training/services/
library.py holds the same list for new databases).
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_exercise_measures"
down_revision = "0021_unpaid_orders_per_kind"
branch_labels = None
depends_on = None

MEASURES = ("reps_load", "reps", "time", "distance", "time_distance")
# The built-in library's measures as of this revision (English name -> measure).
BUILT_IN = {
    "Push-up": "reps", "Chest dip": "reps", "Pull-up": "reps", "Chin-up": "reps",
    "Inverted row": "reps", "Back extension": "reps", "Crunch": "reps",
    "Hanging leg raise": "reps", "Bird dog": "reps", "Ab wheel rollout": "reps",
    "Mountain climber": "reps", "Burpee": "reps", "Jumping jack": "reps", "Box jump": "reps",
    "High knees": "reps", "Plank": "time", "Side plank": "time", "Jump rope": "time",
    "Farmer's carry": "distance", "Rowing machine": "time_distance",
    "Assault bike": "time_distance", "Treadmill run": "time_distance",
}


def upgrade():
    with op.batch_alter_table("exercises") as batch:
        batch.add_column(sa.Column(
            "measure", sa.Enum(*MEASURES, name="measure", native_enum=False,
                               create_constraint=True, length=20),
            server_default="reps_load", nullable=False))
    for table in ("workout_sets", "logged_sets"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("seconds", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("meters", sa.Integer(), nullable=True))
    exercises = sa.table("exercises", sa.column("id", sa.Integer), sa.column("studio_id"),
                         sa.column("name", sa.JSON), sa.column("measure", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(exercises.c.id, exercises.c.name)
                        .where(exercises.c.studio_id.is_(None))).all()
    for row_id, name in rows:
        measure = BUILT_IN.get((name or {}).get("en"))
        if measure:
            conn.execute(exercises.update().where(exercises.c.id == row_id)
                         .values(measure=measure))


def downgrade():
    for table in ("logged_sets", "workout_sets"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("meters")
            batch.drop_column("seconds")
    with op.batch_alter_table("exercises") as batch:
        batch.drop_constraint("measure", type_="check")
        batch.drop_column("measure")
