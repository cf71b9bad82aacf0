"""Spots taken, kept on the class by a trigger on bookings

Revision ID: 0013_spots_taken
Revises: 0012_extra_hours
Create Date: 2026-12-05 11:30:00

The week page, the class page and their versions read how many spots each class has taken;
counting the bookings of 70 classes per page was most of the page's database time. The count
now lives on the class and a trigger keeps it in the transaction that changes a booking, by
whatever path (the app, a job, SQL). The statuses that hold a spot are app.bookings.models
HOLDS_SPOT (a test checks every status against it): a change there needs a new migration.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_spots_taken"
down_revision = "0012_extra_hours"
branch_labels = None
depends_on = None

HOLDS = "('confirmed', 'offered', 'attended', 'no_show')"

POSTGRESQL = [
    f"""CREATE FUNCTION classes_spots_taken() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  held boolean := TG_OP <> 'INSERT' AND OLD.status IN {HOLDS};
  holds boolean := TG_OP <> 'DELETE' AND NEW.status IN {HOLDS};
BEGIN
  IF TG_OP = 'UPDATE' AND held = holds AND OLD.class_id = NEW.class_id THEN
    RETURN NULL;  -- confirmed -> attended, waitlisted -> cancelled: nothing changes
  END IF;
  IF held THEN
    UPDATE classes SET spots_taken = spots_taken - 1 WHERE id = OLD.class_id;
  END IF;
  IF holds THEN
    UPDATE classes SET spots_taken = spots_taken + 1 WHERE id = NEW.class_id;
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER bookings_spots_taken AFTER INSERT OR DELETE OR UPDATE OF status, class_id
ON bookings FOR EACH ROW EXECUTE FUNCTION classes_spots_taken()""",
]

SQLITE = [
    f"""CREATE TRIGGER bookings_spots_taken_insert AFTER INSERT ON bookings
WHEN NEW.status IN {HOLDS} BEGIN
  UPDATE classes SET spots_taken = spots_taken + 1 WHERE id = NEW.class_id;
END""",
    f"""CREATE TRIGGER bookings_spots_taken_delete AFTER DELETE ON bookings
WHEN OLD.status IN {HOLDS} BEGIN
  UPDATE classes SET spots_taken = spots_taken - 1 WHERE id = OLD.class_id;
END""",
    f"""CREATE TRIGGER bookings_spots_taken_update AFTER UPDATE OF status, class_id ON bookings
WHEN (OLD.status IN {HOLDS}) <> (NEW.status IN {HOLDS}) OR OLD.class_id <> NEW.class_id BEGIN
  UPDATE classes SET spots_taken = spots_taken - (OLD.status IN {HOLDS}) WHERE id = OLD.class_id;
  UPDATE classes SET spots_taken = spots_taken + (NEW.status IN {HOLDS}) WHERE id = NEW.class_id;
END""",
]


def upgrade():
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spots_taken", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.create_check_constraint(op.f("ck_classes_spots_taken"), "spots_taken >= 0")
    op.execute(f"UPDATE classes SET spots_taken = (SELECT count(*) FROM bookings b"
               f" WHERE b.class_id = classes.id AND b.status IN {HOLDS})")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER bookings_spots_taken ON bookings")
        op.execute("DROP FUNCTION classes_spots_taken()")
    else:
        for kind in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER bookings_spots_taken_{kind}")
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_classes_spots_taken"), type_="check")
        batch_op.drop_column("spots_taken")
