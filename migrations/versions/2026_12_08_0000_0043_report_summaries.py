"""Report summaries kept by triggers: per-class tallies, customers' months and first visits

Revision ID: 0043_report_summaries
Revises: 0042_event_plans
Create Date: 2026-12-08 00:00:00

The reports (app/reports/queries) counted a studio's bookings for the period on every view,
and for first visits and cohorts every booking the studio ever had. They now read summaries the
transaction that changes a booking or a class keeps, by whatever path (the app, a job, SQL):

- classes.*_count: the class's bookings per status (an offer that lapsed counted apart from
  other cancellations), beside spots_taken, by the one trigger that now keeps both;
- report_customer_months: per studio, customer and month (the class's location's month), the
  bookings that kept their place (confirmed, attended, no-show, late-cancelled) in classes held;
- report_customer_firsts: per studio and customer, the class of their first such booking, the
  class of their first check-in, and their first month (no row while they have neither).

PostgreSQL keeps all three; the SQLite embedded default keeps the class tallies (the reports
need PostgreSQL's time zones). report_summaries_rebuild() recounts everything from the
bookings: the upgrade runs it, and so does anything that loads bookings with triggers off.
"""
import sqlalchemy as sa
from alembic import op

revision = "0043_report_summaries"
down_revision = "0042_event_plans"
branch_labels = None
depends_on = None

# Booking statuses (and the lapsed offer) counted on the class, each in its own column.
TALLIES = ("confirmed", "offered", "waitlisted", "attended", "no_show", "late_cancelled",
           "cancelled", "lapsed")
HOLDS = "('confirmed', 'offered', 'attended', 'no_show')"
BOOKED = "('confirmed', 'attended', 'no_show', 'late_cancelled')"


def _bucket(row: str) -> str:
    return (f"CASE WHEN {row}.status = 'cancelled' AND {row}.cancel_reason = 'offer_expired'"
            f" THEN 'lapsed' ELSE {row}.status END")


def _set(bucket: str, sign: str) -> str:
    """SET clauses moving the class's counts by `sign` for a booking in `bucket`."""
    cols = [f"spots_taken = spots_taken {sign} ({bucket} IN {HOLDS})::int"]
    cols += [f"{t}_count = {t}_count {sign} ({bucket} = '{t}')::int" for t in TALLIES]
    return ", ".join(cols)


MONTH = ("(extract(year FROM timezone(l.timezone, k.starts_at)) * 12"
         " + extract(month FROM timezone(l.timezone, k.starts_at)) - 1)::int")

POSTGRESQL = [
    "DROP TRIGGER bookings_spots_taken ON bookings",
    "DROP FUNCTION classes_spots_taken()",
    # One customer's months in a studio move by `delta` bookings in the class's month.
    f"""CREATE FUNCTION report_customer_month(s int, c int, k_id int, delta int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_customer_months AS m (studio_id, customer_id, month, bookings)
  SELECT s, c, {MONTH}, delta FROM classes k JOIN locations l ON l.id = k.location_id
  WHERE k.id = k_id AND k.status = 'scheduled'
  ON CONFLICT (studio_id, customer_id, month) DO UPDATE SET bookings = m.bookings + delta;
  DELETE FROM report_customer_months WHERE studio_id = s AND customer_id = c AND bookings = 0;
END $$""",
    # One customer's firsts in a studio, recounted from their own bookings (a handful).
    f"""CREATE FUNCTION report_customer_first(s int, c int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_customer_firsts AS f (studio_id, customer_id, first_booked_class_id,
                                           first_visit_class_id, first_month)
  VALUES (s, c,
    (SELECT b.class_id FROM bookings b JOIN classes k ON k.id = b.class_id
     WHERE b.studio_id = s AND b.customer_id = c AND b.status IN {BOOKED}
       AND k.status = 'scheduled' ORDER BY k.starts_at, b.id LIMIT 1),
    (SELECT b.class_id FROM bookings b JOIN classes k ON k.id = b.class_id
     WHERE b.studio_id = s AND b.customer_id = c AND b.status = 'attended'
     ORDER BY k.starts_at, b.id LIMIT 1),
    (SELECT min(month) FROM report_customer_months WHERE studio_id = s AND customer_id = c))
  ON CONFLICT (studio_id, customer_id) DO UPDATE SET
    first_booked_class_id = EXCLUDED.first_booked_class_id,
    first_visit_class_id = EXCLUDED.first_visit_class_id, first_month = EXCLUDED.first_month;
  DELETE FROM report_customer_firsts WHERE studio_id = s AND customer_id = c
    AND first_booked_class_id IS NULL AND first_visit_class_id IS NULL;
END $$""",
    f"""CREATE FUNCTION bookings_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was text;
  now_is text;
BEGIN
  IF TG_OP <> 'INSERT' THEN was := {_bucket('OLD')}; END IF;
  IF TG_OP <> 'DELETE' THEN now_is := {_bucket('NEW')}; END IF;
  IF TG_OP = 'UPDATE' AND was = now_is AND OLD.class_id = NEW.class_id
     AND OLD.customer_id = NEW.customer_id AND OLD.studio_id = NEW.studio_id THEN
    RETURN NULL;  -- a note or a waiver changed: no figure moves
  END IF;
  IF was IS NOT NULL THEN
    UPDATE classes SET {_set('was', '-')} WHERE id = OLD.class_id;
    IF was IN {BOOKED} THEN
      PERFORM report_customer_month(OLD.studio_id, OLD.customer_id, OLD.class_id, -1);
    END IF;
  END IF;
  IF now_is IS NOT NULL THEN
    UPDATE classes SET {_set('now_is', '+')} WHERE id = NEW.class_id;
    IF now_is IN {BOOKED} THEN
      PERFORM report_customer_month(NEW.studio_id, NEW.customer_id, NEW.class_id, 1);
    END IF;
  END IF;
  IF was IS NOT NULL THEN
    PERFORM report_customer_first(OLD.studio_id, OLD.customer_id);
  END IF;
  IF now_is IS NOT NULL AND (was IS NULL OR OLD.studio_id <> NEW.studio_id
                             OR OLD.customer_id <> NEW.customer_id) THEN
    PERFORM report_customer_first(NEW.studio_id, NEW.customer_id);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER bookings_summaries AFTER INSERT OR DELETE
OR UPDATE OF status, cancel_reason, class_id, customer_id, studio_id
ON bookings FOR EACH ROW EXECUTE FUNCTION bookings_summaries()""",
    # A class cancelled, restored or moved: its bookings' months and their people's firsts.
    f"""CREATE FUNCTION classes_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  b record;
BEGIN
  IF OLD.status = NEW.status AND OLD.starts_at = NEW.starts_at
     AND OLD.location_id = NEW.location_id THEN
    RETURN NULL;
  END IF;
  FOR b IN SELECT DISTINCT studio_id, customer_id FROM bookings WHERE class_id = NEW.id LOOP
    PERFORM report_customer_first(b.studio_id, b.customer_id);
  END LOOP;
  RETURN NULL;
END $$""",
    # Months first (BEFORE: the old month is read from the row as it was), firsts after.
    f"""CREATE FUNCTION classes_summaries_months() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  b record;
BEGIN
  IF OLD.status = NEW.status AND OLD.starts_at = NEW.starts_at
     AND OLD.location_id = NEW.location_id THEN
    RETURN NEW;
  END IF;
  FOR b IN SELECT studio_id, customer_id FROM bookings
           WHERE class_id = NEW.id AND status IN {BOOKED} LOOP
    IF OLD.status = 'scheduled' THEN
      INSERT INTO report_customer_months AS m (studio_id, customer_id, month, bookings)
      SELECT b.studio_id, b.customer_id, {MONTH.replace('k.', 'o.')}, -1
      FROM (SELECT OLD.starts_at AS starts_at) o JOIN locations l ON l.id = OLD.location_id
      ON CONFLICT (studio_id, customer_id, month) DO UPDATE SET bookings = m.bookings - 1;
    END IF;
    IF NEW.status = 'scheduled' THEN
      INSERT INTO report_customer_months AS m (studio_id, customer_id, month, bookings)
      SELECT b.studio_id, b.customer_id, {MONTH.replace('k.', 'o.')}, 1
      FROM (SELECT NEW.starts_at AS starts_at) o JOIN locations l ON l.id = NEW.location_id
      ON CONFLICT (studio_id, customer_id, month) DO UPDATE SET bookings = m.bookings + 1;
    END IF;
    DELETE FROM report_customer_months
    WHERE studio_id = b.studio_id AND customer_id = b.customer_id AND bookings = 0;
  END LOOP;
  RETURN NEW;
END $$""",
    """CREATE TRIGGER classes_summaries_months BEFORE UPDATE OF status, starts_at, location_id
ON classes FOR EACH ROW EXECUTE FUNCTION classes_summaries_months()""",
    """CREATE TRIGGER classes_summaries AFTER UPDATE OF status, starts_at, location_id
ON classes FOR EACH ROW EXECUTE FUNCTION classes_summaries()""",
    # Everything recounted from the bookings (the upgrade; bulk loads with triggers off).
    f"""CREATE FUNCTION report_summaries_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE classes SET spots_taken = 0, {", ".join(f"{t}_count = 0" for t in TALLIES)};
  UPDATE classes SET spots_taken = t.spots,
    {", ".join(f"{t}_count = t.{t}" for t in TALLIES)}
  FROM (SELECT class_id, count(*) FILTER (WHERE status IN {HOLDS}) AS spots,
               {", ".join(f"count(*) FILTER (WHERE {_bucket('bookings')} = '{t}') AS {t}"
                          for t in TALLIES)}
        FROM bookings GROUP BY class_id) t
  WHERE t.class_id = classes.id;
  DELETE FROM report_customer_months;
  INSERT INTO report_customer_months (studio_id, customer_id, month, bookings)
  SELECT b.studio_id, b.customer_id, {MONTH}, count(*)
  FROM bookings b JOIN classes k ON k.id = b.class_id JOIN locations l ON l.id = k.location_id
  WHERE b.status IN {BOOKED} AND k.status = 'scheduled'
  GROUP BY 1, 2, 3;
  DELETE FROM report_customer_firsts;
  INSERT INTO report_customer_firsts (studio_id, customer_id, first_booked_class_id,
                                      first_visit_class_id, first_month)
  SELECT p.studio_id, p.customer_id, fb.class_id, fv.class_id, fm.month
  FROM (SELECT DISTINCT studio_id, customer_id FROM bookings) p
  LEFT JOIN (SELECT DISTINCT ON (b.studio_id, b.customer_id) b.studio_id, b.customer_id,
                    b.class_id
             FROM bookings b JOIN classes k ON k.id = b.class_id
             WHERE b.status IN {BOOKED} AND k.status = 'scheduled'
             ORDER BY b.studio_id, b.customer_id, k.starts_at, b.id) fb
    USING (studio_id, customer_id)
  LEFT JOIN (SELECT DISTINCT ON (b.studio_id, b.customer_id) b.studio_id, b.customer_id,
                    b.class_id
             FROM bookings b JOIN classes k ON k.id = b.class_id
             WHERE b.status = 'attended'
             ORDER BY b.studio_id, b.customer_id, k.starts_at, b.id) fv
    USING (studio_id, customer_id)
  LEFT JOIN (SELECT studio_id, customer_id, min(month) AS month
             FROM report_customer_months GROUP BY studio_id, customer_id) fm
    USING (studio_id, customer_id)
  WHERE fb.class_id IS NOT NULL OR fv.class_id IS NOT NULL;
END $$""",
    "SELECT report_summaries_rebuild()",
]

# SQLite: the class tallies only, one trigger per operation.
_SQLITE_SET = {sign: ", ".join(
    [f"spots_taken = spots_taken {sign} ({{b}} IN {HOLDS})"]
    + [f"{t}_count = {t}_count {sign} ({{b}} = '{t}')" for t in TALLIES])
    for sign in "+-"}
SQLITE = [
    "DROP TRIGGER bookings_spots_taken_insert",
    "DROP TRIGGER bookings_spots_taken_delete",
    "DROP TRIGGER bookings_spots_taken_update",
    f"""CREATE TRIGGER bookings_summaries_insert AFTER INSERT ON bookings BEGIN
  UPDATE classes SET {_SQLITE_SET['+'].format(b=_bucket('NEW'))} WHERE id = NEW.class_id;
END""",
    f"""CREATE TRIGGER bookings_summaries_delete AFTER DELETE ON bookings BEGIN
  UPDATE classes SET {_SQLITE_SET['-'].format(b=_bucket('OLD'))} WHERE id = OLD.class_id;
END""",
    f"""CREATE TRIGGER bookings_summaries_update AFTER UPDATE OF status, cancel_reason, class_id
ON bookings WHEN {_bucket('OLD')} <> {_bucket('NEW')} OR OLD.class_id <> NEW.class_id BEGIN
  UPDATE classes SET {_SQLITE_SET['-'].format(b=_bucket('OLD'))} WHERE id = OLD.class_id;
  UPDATE classes SET {_SQLITE_SET['+'].format(b=_bucket('NEW'))} WHERE id = NEW.class_id;
END""",
    f"""UPDATE classes SET {", ".join(
        f"{t}_count = (SELECT count(*) FROM bookings WHERE class_id = classes.id"
        f" AND {_bucket('bookings')} = '{t}')" for t in TALLIES)}""",
]


def upgrade():
    with op.batch_alter_table("classes") as batch:
        for t in TALLIES:
            batch.add_column(sa.Column(f"{t}_count", sa.Integer(), server_default="0",
                                       nullable=False))
    op.create_table(
        "report_customer_months",
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("studio_id", "customer_id", "month",
                                name=op.f("pk_report_customer_months")),
    )
    op.create_table(
        "report_customer_firsts",
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("first_booked_class_id", sa.Integer(), nullable=True),
        sa.Column("first_visit_class_id", sa.Integer(), nullable=True),
        sa.Column("first_month", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("studio_id", "customer_id",
                                name=op.f("pk_report_customer_firsts")),
    )
    op.create_index("ix_report_customer_firsts_booked", "report_customer_firsts",
                    ["first_booked_class_id"])
    op.create_index("ix_report_customer_firsts_visit", "report_customer_firsts",
                    ["first_visit_class_id"])
    op.create_index("ix_report_customer_firsts_month", "report_customer_firsts",
                    ["studio_id", "first_month"])
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)


def downgrade():
    from importlib.util import module_from_spec, spec_from_file_location
    from pathlib import Path

    spec = spec_from_file_location("spots_taken", Path(__file__).with_name(
        "2026_12_05_1130_spots_taken.py"))
    spots = module_from_spec(spec)
    spec.loader.exec_module(spots)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER bookings_summaries ON bookings")
        op.execute("DROP TRIGGER classes_summaries ON classes")
        op.execute("DROP TRIGGER classes_summaries_months ON classes")
        for fn in ("bookings_summaries()", "classes_summaries()", "classes_summaries_months()",
                   "report_summaries_rebuild()", "report_customer_first(int, int)",
                   "report_customer_month(int, int, int, int)"):
            op.execute(f"DROP FUNCTION {fn}")
        statements = spots.POSTGRESQL
    else:
        for kind in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER bookings_summaries_{kind}")
        statements = spots.SQLITE
    op.drop_table("report_customer_firsts")
    op.drop_table("report_customer_months")
    with op.batch_alter_table("classes") as batch:
        for t in TALLIES:
            batch.drop_column(f"{t}_count")
    # After the columns go: SQLite rebuilds the table, and a trigger naming it would break that.
    for statement in statements:
        op.execute(statement)
