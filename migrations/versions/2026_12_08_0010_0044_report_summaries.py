"""Report summaries kept by triggers: class tallies, customers' firsts, cohorts, daily money

Revision ID: 0044_report_summaries
Revises: 0043_account_deletion
Create Date: 2026-12-08 00:00:00

The reports (app/reports/queries) counted a studio's bookings and orders for the period on every
view, and for first visits and cohorts every booking the studio ever had. They now read
summaries the transaction that changes a booking, a class or money keeps, by whatever path (the
app, a job, SQL):

- classes.*_count: the class's bookings per status (an offer that lapsed counted apart from
  other cancellations), beside spots_taken, by the one trigger that now keeps both;
- report_customer_months: per studio, customer and month (the class's location's month), the
  bookings that kept their place (confirmed, attended, no-show, late-cancelled) in classes held;
- report_customer_firsts: per studio and customer, the class of their first such booking, the
  class of their first check-in, their first month and which of the 3 months after it they
  booked in (no row while they have neither); report_cohorts: per studio and first month, the
  customers and how many of them booked 1, 2 and 3 months later;
- report_revenue_days and report_tax_days: per studio, location and local day (of the location
  the order was sold at), what sales, payments, refunds and credit notes add up to, and the
  taxes collected and given back per code and rate, kept by triggers on orders, payments,
  refunds and invoices.

PostgreSQL keeps them all; the SQLite embedded default keeps the class tallies, and a report
read there recounts the rest for its request (app/reports/services.py: refresh_here). report_summaries_rebuild() recounts everything from the rows
summarised: the upgrade runs it, and so does anything that loads rows with triggers off.
"""
import sqlalchemy as sa
from alembic import op

revision = "0044_report_summaries"
down_revision = "0043_account_deletion"
branch_labels = None
depends_on = None

# Booking statuses (and the lapsed offer) counted on the class, each in its own column.
TALLIES = ("confirmed", "offered", "waitlisted", "attended", "no_show", "late_cancelled",
           "cancelled", "lapsed")
HOLDS = "('confirmed', 'offered', 'attended', 'no_show')"
BOOKED = "('confirmed', 'attended', 'no_show', 'late_cancelled')"
# Months after the first a cohort is followed (app/reports/queries/retention.py FOLLOWED).
FOLLOWED = 3


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

# Money: what each sale, payment, refund and credit note adds to its studio's day (the local day
# at the location the order was sold at: its own, else the studio's default), kept by triggers
# on orders, payments, refunds and invoices; a row goes when nothing counts in it any more.
_ARRAY = "CASE WHEN json_typeof({0}) = 'array' THEN {0} ELSE '[]'::json END"
REVENUE = [
    """CREATE FUNCTION report_local_day(at timestamptz, loc int) RETURNS date
LANGUAGE sql STABLE AS $$
  SELECT (timezone(l.timezone, at))::date FROM locations l WHERE l.id = loc
$$""",
    """CREATE FUNCTION report_sold_at(s int, loc int) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT coalesce(loc, (SELECT default_location_id FROM studios WHERE id = s))
$$""",
    """CREATE FUNCTION report_order_location(o_id int) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT report_sold_at(o.studio_id, o.location_id) FROM orders o WHERE o.id = o_id
$$""",
    """CREATE FUNCTION report_revenue_add(s int, loc int, d date, cur varchar, kind varchar,
                                   plan int, how varchar, k int, net bigint, tax bigint,
                                   amount bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF d IS NULL OR loc IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO report_revenue_days AS r (studio_id, location_id, day, currency, line, plan_id,
                                        method, n, net_minor, tax_minor, amount_minor)
  VALUES (s, loc, d, cur, kind, plan, how, k, net, tax, amount)
  ON CONFLICT (studio_id, location_id, day, currency, line, plan_id, method) DO UPDATE SET
    n = r.n + k, net_minor = r.net_minor + net, tax_minor = r.tax_minor + tax,
    amount_minor = r.amount_minor + amount;
  DELETE FROM report_revenue_days WHERE studio_id = s AND location_id = loc AND day = d
    AND currency = cur AND line = kind AND plan_id = plan AND method = how AND n = 0;
END $$""",
    """CREATE FUNCTION report_tax_add(s int, loc int, d date, cur varchar, t json, k int,
                               base bigint, collected bigint, given_back bigint)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF d IS NULL OR loc IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO report_tax_days AS r (studio_id, location_id, day, currency, code, rate, name,
                                    lines, base_minor, collected_minor, returned_minor)
  VALUES (s, loc, d, cur, t->>'code', (t->>'rate')::numeric, (t->'name')::text, k, base,
          collected, given_back)
  ON CONFLICT (studio_id, location_id, day, currency, code, rate) DO UPDATE SET
    lines = r.lines + k, base_minor = r.base_minor + base,
    collected_minor = r.collected_minor + collected,
    returned_minor = r.returned_minor + given_back,
    name = CASE WHEN collected <> 0 THEN EXCLUDED.name ELSE r.name END;
  DELETE FROM report_tax_days WHERE studio_id = s AND location_id = loc AND day = d
    AND currency = cur AND code = t->>'code' AND rate = (t->>'rate')::numeric AND lines = 0;
END $$""",
    f"""CREATE FUNCTION report_sale(o orders, loc int, k int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  t json;
BEGIN
  IF o.status <> 'paid' OR o.paid_at IS NULL THEN
    RETURN;
  END IF;
  d := report_local_day(o.paid_at, loc);
  PERFORM report_revenue_add(o.studio_id, loc, d, o.currency, 'sale', coalesce(o.plan_id, 0),
                             '', k, k * o.net_minor, k * o.tax_minor, k * o.gross_minor);
  FOR t IN SELECT json_array_elements({_ARRAY.format('o.taxes')}) LOOP
    PERFORM report_tax_add(o.studio_id, loc, d, o.currency, t, k, k * o.net_minor,
                           k * (t->>'amount_minor')::bigint, 0);
  END LOOP;
END $$""",
    """CREATE FUNCTION report_payment(p payments, loc int, k int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_revenue_add(p.studio_id, loc, report_local_day(p.received_at, loc), p.currency,
                             'payment', 0, p.method, k, 0, 0, k * p.amount_minor);
END $$""",
    """CREATE FUNCTION report_refund(r refunds, k int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  p payments;
  loc int;
BEGIN
  SELECT * INTO p FROM payments WHERE id = r.payment_id;
  loc := report_order_location(p.order_id);
  PERFORM report_revenue_add(r.studio_id, loc, report_local_day(r.created_at, loc), p.currency,
                             'refund', 0, '', k, 0, 0, k * r.amount_minor);
END $$""",
    f"""CREATE FUNCTION report_credit_note(i invoices, loc int, k int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d date;
  t json;
  net bigint := coalesce((i.snapshot->'totals'->>'net_minor')::bigint, 0);
BEGIN
  IF i.kind <> 'credit_note' OR i.order_id IS NULL THEN
    RETURN;
  END IF;
  d := report_local_day(i.issued_at, loc);
  PERFORM report_revenue_add(i.studio_id, loc, d, i.currency, 'credit_note', 0, '', k, 0, 0,
                             k * i.gross_minor);
  FOR t IN SELECT json_array_elements({_ARRAY.format("i.snapshot->'totals'->'taxes'")}) LOOP
    PERFORM report_tax_add(i.studio_id, loc, d, i.currency, t, k, -k * net, 0,
                           k * (t->>'amount_minor')::bigint);
  END LOOP;
END $$""",
    """CREATE FUNCTION orders_revenue() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was int;
  now_at int;
  p payments;
  r refunds;
  i invoices;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    was := report_sold_at(OLD.studio_id, OLD.location_id);
    PERFORM report_sale(OLD, was, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    now_at := report_sold_at(NEW.studio_id, NEW.location_id);
    PERFORM report_sale(NEW, now_at, 1);
  END IF;
  IF TG_OP = 'UPDATE' AND was IS DISTINCT FROM now_at THEN
    -- sold somewhere else after all: its money moves with it
    FOR p IN SELECT * FROM payments WHERE order_id = NEW.id LOOP
      PERFORM report_payment(p, was, -1);
      PERFORM report_payment(p, now_at, 1);
    END LOOP;
    FOR i IN SELECT * FROM invoices WHERE order_id = NEW.id LOOP
      PERFORM report_credit_note(i, was, -1);
      PERFORM report_credit_note(i, now_at, 1);
    END LOOP;
    FOR r IN SELECT f.* FROM refunds f JOIN payments pay ON pay.id = f.payment_id
             WHERE pay.order_id = NEW.id LOOP
      -- refunds find the order's location themselves: take them out as they were
      PERFORM report_revenue_add(r.studio_id, was, report_local_day(r.created_at, was),
        (SELECT currency FROM payments WHERE id = r.payment_id), 'refund', 0, '', -1, 0, 0,
        -r.amount_minor);
      PERFORM report_refund(r, 1);
    END LOOP;
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER orders_revenue AFTER INSERT OR DELETE OR UPDATE OF status, paid_at,
location_id, studio_id, currency, plan_id, net_minor, tax_minor, gross_minor, taxes
ON orders FOR EACH ROW EXECUTE FUNCTION orders_revenue()""",
    """CREATE FUNCTION payments_revenue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM report_payment(OLD, report_order_location(OLD.order_id), -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM report_payment(NEW, report_order_location(NEW.order_id), 1);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER payments_revenue AFTER INSERT OR DELETE OR UPDATE OF amount_minor,
currency, method, received_at, order_id, studio_id
ON payments FOR EACH ROW EXECUTE FUNCTION payments_revenue()""",
    """CREATE FUNCTION refunds_revenue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM report_refund(OLD, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM report_refund(NEW, 1);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER refunds_revenue AFTER INSERT OR DELETE OR UPDATE OF amount_minor,
created_at, payment_id, studio_id
ON refunds FOR EACH ROW EXECUTE FUNCTION refunds_revenue()""",
    """CREATE FUNCTION invoices_revenue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM report_credit_note(OLD, report_order_location(OLD.order_id), -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM report_credit_note(NEW, report_order_location(NEW.order_id), 1);
  END IF;
  RETURN NULL;
END $$""",
    """CREATE TRIGGER invoices_revenue AFTER INSERT OR DELETE OR UPDATE OF kind, gross_minor,
currency, issued_at, order_id, studio_id, snapshot
ON invoices FOR EACH ROW EXECUTE FUNCTION invoices_revenue()""",
]
REVENUE_REBUILD = """
  DELETE FROM report_revenue_days;
  DELETE FROM report_tax_days;
  PERFORM report_sale(o, report_sold_at(o.studio_id, o.location_id), 1) FROM orders o;
  PERFORM report_payment(p, report_order_location(p.order_id), 1) FROM payments p;
  PERFORM report_refund(r, 1) FROM refunds r;
  PERFORM report_credit_note(i, report_order_location(i.order_id), 1) FROM invoices i;
"""
REVENUE_FUNCTIONS = [
    "orders_revenue()", "payments_revenue()", "refunds_revenue()", "invoices_revenue()",
    "report_sale(orders, int, int)", "report_payment(payments, int, int)",
    "report_refund(refunds, int)", "report_credit_note(invoices, int, int)",
    "report_tax_add(int, int, date, varchar, json, int, bigint, bigint, bigint)",
    "report_revenue_add(int, int, date, varchar, varchar, int, varchar, int, bigint, bigint,"
    " bigint)",
    "report_order_location(int)", "report_sold_at(int, int)",
    "report_local_day(timestamptz, int)"]

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
    # A customer's place in the cohorts: their first month (k = 0) and each of the FOLLOWED
    # months after it they booked in (bit k - 1 of `kept`).
    f"""CREATE FUNCTION report_cohort_add(s int, m int, kept int, d int) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF m IS NULL THEN
    RETURN;
  END IF;
  INSERT INTO report_cohorts AS r (studio_id, first_month, k, customers)
  SELECT s, m, k, d FROM generate_series(0, {FOLLOWED}) k
  WHERE k = 0 OR kept & (1 << (k - 1)) <> 0
  ON CONFLICT (studio_id, first_month, k) DO UPDATE SET customers = r.customers + d;
  DELETE FROM report_cohorts WHERE studio_id = s AND first_month = m AND customers = 0;
END $$""",
    # One customer's firsts in a studio, recounted from their own bookings (a handful), and
    # their cohort moved when their first month or the months they came back changed.
    f"""CREATE FUNCTION report_customer_first(s int, c int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  old_month int;
  old_kept int;
  fm int;
  fk int := 0;
BEGIN
  SELECT first_month, kept INTO old_month, old_kept FROM report_customer_firsts
  WHERE studio_id = s AND customer_id = c;
  fm := (SELECT min(month) FROM report_customer_months WHERE studio_id = s AND customer_id = c);
  IF fm IS NOT NULL THEN
    fk := (SELECT coalesce(sum(1 << (month - fm - 1)), 0) FROM report_customer_months
           WHERE studio_id = s AND customer_id = c AND month BETWEEN fm + 1 AND fm + {FOLLOWED});
  END IF;
  IF old_month IS DISTINCT FROM fm OR coalesce(old_kept, 0) <> fk THEN
    PERFORM report_cohort_add(s, old_month, coalesce(old_kept, 0), -1);
    PERFORM report_cohort_add(s, fm, fk, 1);
  END IF;
  INSERT INTO report_customer_firsts AS f (studio_id, customer_id, first_booked_class_id,
                                           first_visit_class_id, first_month, kept)
  VALUES (s, c,
    (SELECT b.class_id FROM bookings b JOIN classes k ON k.id = b.class_id
     WHERE b.studio_id = s AND b.customer_id = c AND b.status IN {BOOKED}
       AND k.status = 'scheduled' ORDER BY k.starts_at, b.id LIMIT 1),
    (SELECT b.class_id FROM bookings b JOIN classes k ON k.id = b.class_id
     WHERE b.studio_id = s AND b.customer_id = c AND b.status = 'attended'
     ORDER BY k.starts_at, b.id LIMIT 1),
    fm, fk)
  ON CONFLICT (studio_id, customer_id) DO UPDATE SET
    first_booked_class_id = EXCLUDED.first_booked_class_id,
    first_visit_class_id = EXCLUDED.first_visit_class_id, first_month = EXCLUDED.first_month,
    kept = EXCLUDED.kept;
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
  -- Firsts count bookings that kept their place (check-ins among them): a waitlist, an offer
  -- or an early cancel moving among themselves changes none.
  IF NOT (coalesce(was IN {BOOKED}, false) OR coalesce(now_is IN {BOOKED}, false)) THEN
    RETURN NULL;
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
  UPDATE report_customer_firsts f SET kept = t.kept
  FROM (SELECT f.studio_id, f.customer_id, sum(1 << (m.month - f.first_month - 1)) AS kept
        FROM report_customer_firsts f JOIN report_customer_months m
          ON m.studio_id = f.studio_id AND m.customer_id = f.customer_id
         AND m.month BETWEEN f.first_month + 1 AND f.first_month + {FOLLOWED}
        GROUP BY f.studio_id, f.customer_id) t
  WHERE t.studio_id = f.studio_id AND t.customer_id = f.customer_id;
  DELETE FROM report_cohorts;
  INSERT INTO report_cohorts (studio_id, first_month, k, customers)
  SELECT f.studio_id, f.first_month, k, count(*)
  FROM report_customer_firsts f CROSS JOIN generate_series(0, {FOLLOWED}) k
  WHERE f.first_month IS NOT NULL AND (k = 0 OR f.kept & (1 << (k - 1)) <> 0)
  GROUP BY f.studio_id, f.first_month, k;
{REVENUE_REBUILD}END $$""",
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
        sa.Column("kept", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("studio_id", "customer_id",
                                name=op.f("pk_report_customer_firsts")),
    )
    op.create_table(
        "report_cohorts",
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("studio_id", "first_month", "k", name=op.f("pk_report_cohorts")),
    )
    op.create_index("ix_report_customer_firsts_booked", "report_customer_firsts",
                    ["first_booked_class_id"])
    op.create_index("ix_report_customer_firsts_visit", "report_customer_firsts",
                    ["first_visit_class_id"])
    op.create_index("ix_report_customer_firsts_month", "report_customer_firsts",
                    ["studio_id", "first_month"])
    op.create_table(
        "report_revenue_days",
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("line", sa.String(20), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("net_minor", sa.BigInteger(), nullable=False),
        sa.Column("tax_minor", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("studio_id", "location_id", "day", "currency", "line", "plan_id",
                                "method", name=op.f("pk_report_revenue_days")),
    )
    op.create_table(
        "report_tax_days",
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("location_id", sa.Integer(), sa.ForeignKey("locations.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("rate", sa.Numeric(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("base_minor", sa.BigInteger(), nullable=False),
        sa.Column("collected_minor", sa.BigInteger(), nullable=False),
        sa.Column("returned_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("studio_id", "location_id", "day", "currency", "code", "rate",
                                name=op.f("pk_report_tax_days")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in [*REVENUE, *POSTGRESQL, "SELECT report_summaries_rebuild()"] \
            if postgresql else SQLITE:
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
        for table in ("orders", "payments", "refunds", "invoices"):
            op.execute(f"DROP TRIGGER {table}_revenue ON {table}")
        for fn in ("bookings_summaries()", "classes_summaries()", "classes_summaries_months()",
                   "report_summaries_rebuild()", "report_customer_first(int, int)",
                   "report_cohort_add(int, int, int, int)",
                   "report_customer_month(int, int, int, int)", *REVENUE_FUNCTIONS):
            op.execute(f"DROP FUNCTION {fn}")
        statements = spots.POSTGRESQL
    else:
        for kind in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER bookings_summaries_{kind}")
        statements = spots.SQLITE
    for table in ("report_tax_days", "report_revenue_days", "report_cohorts",
                  "report_customer_firsts", "report_customer_months"):
        op.drop_table(table)
    with op.batch_alter_table("classes") as batch:
        for t in TALLIES:
            batch.drop_column(f"{t}_count")
    # After the columns go: SQLite rebuilds the table, and a trigger naming it would break that.
    for statement in statements:
        op.execute(statement)
