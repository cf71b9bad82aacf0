"""P9 in its own process, as a work-horse runs the print job.

`python -m bench.printing N`: start a print run of N invoices of the measured studio (each
rendered afresh), run the job, then render the same invoices' HTML with bare WeasyPrint in this
process; one JSON line: pages and seconds both ways, seconds until the first progress another
connection sees, peak RSS. `python -m bench.printing N --web`: only the run, printing "printing"
once it has started (the harness loads the web meanwhile and stops this process).

The job runs as in `python -m workers`: in this process, its documents rendered by the render
pool the worker starts before its first job (workers/render_pool.py), started here before the
clock. Memory is read both for this process (its peak RSS) and for it with the pool's children
(the sum of their resident sets, read after each document; the children's own peak among them).
"""

import json
import resource
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta

import psycopg
from sqlalchemy import delete, select, update

import app.models  # noqa: F401  every mapper, before the first query
from app import create_app
from app.billing.models import Invoice, PaymentMethod, PrintRun
from app.extensions import db
from workers import yield_to_web

PER_DAY = 10  # invoices per day from FIRST_DAY: N invoices are the first N / 10 days
FIRST_DAY = date(2020, 1, 1)


def print_invoices_ready(studio, n: int) -> list[int]:
    """The first `n` invoices of the printing days, made once (paid at the desk)."""
    from app.accounts.models import User
    from app.billing.services.documents import invoice_of
    from app.billing.services.orders import place_order
    from app.billing.services.payments import record_payment
    from app.memberships.models import Plan, PlanKind

    start = datetime.combine(FIRST_DAY, datetime.min.time(), UTC)
    found = db.session.scalars(select(Invoice.id).where(
        Invoice.studio_id == studio.id, Invoice.issued_at >= start,
        Invoice.issued_at < start + timedelta(days=366)).order_by(Invoice.issued_at)).all()
    if len(found) >= n:
        return found[:n]
    plan = Plan(studio_id=studio.id, kind=PlanKind.DROP_IN, name={"en": "Drop-in",
                "ar": "حصة واحدة"}, description={}, price_minor=3000, currency=studio.currency,
                credits=1, validity_days=30)
    db.session.add(plan)
    db.session.flush()
    customers = db.session.scalars(select(User).order_by(User.id).limit(n)).all()
    for k in range(len(found), n):
        customer = customers[k % len(customers)]
        order = place_order(studio, plan, customer, actor=customer)
        record_payment(studio, order, amount_minor=order.gross_minor,
                       method=PaymentMethod.CASH, actor=customer)
        # Noon UTC on its day: inside that local day in any studio time zone within ±11 h.
        invoice_of(order).issued_at = start + timedelta(days=k // PER_DAY, hours=12,
                                                        seconds=k % PER_DAY)
        db.session.commit()
    return print_invoices_ready(studio, n)


def watch_progress(dsn: str, run_id: int, t0: float, seen: dict) -> None:
    """Another connection polls the run as the console's progress panel does."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        while "first_progress_s" not in seen:
            done = conn.execute("SELECT done FROM print_runs WHERE id = %s", (run_id,)).fetchone()
            if done and done[0] >= 1:
                seen["first_progress_s"] = time.perf_counter() - t0
            time.sleep(0.01)


def main(argv: list[str]) -> None:
    import workers.jobs.documents as documents
    from app.accounts.models import User
    from app.billing.services.documents import document_context
    from app.billing.services.printing import start_print_run
    from app.core.pdf import _fetcher_class
    from app.core.urls import base_url_context
    from app.studios.models import Studio
    from workers.__main__ import start_render_pool
    from workers.jobs.documents import print_invoices, render_invoice_pdf

    n, web_only, bare = int(argv[0]), "--web" in argv, "--no-bare" not in argv
    app = create_app()
    yield_to_web(app.config["WORKER_NICE"])  # as `python -m workers` runs
    with app.app_context():
        import weasyprint
        from flask import current_app, render_template
        from flask_babel import force_locale

        studio = db.session.scalar(select(Studio).where(Studio.slug == "bench"))
        ids = print_invoices_ready(studio, n)
        db.session.execute(delete(PrintRun).where(PrintRun.studio_id == studio.id))
        db.session.execute(update(Invoice).where(Invoice.id.in_(ids))
                           .values(pdf=None, pdf_sha256=None))
        db.session.commit()
        # Warm, as a running worker is: fonts, templates, connections (then render it afresh).
        render_invoice_pdf(ids[0])
        db.session.execute(update(Invoice).where(Invoice.id == ids[0])
                           .values(pdf=None, pdf_sha256=None))
        db.session.commit()
        pool = start_render_pool(app)  # as the worker does when it starts
        manager = db.session.scalar(select(User).order_by(User.id).limit(1))
        last = FIRST_DAY + timedelta(days=(n - 1) // PER_DAY)
        seen: dict = {}
        t0 = time.perf_counter()
        run = start_print_run(studio, date_from=FIRST_DAY, date_to=last, actor=manager)
        db.session.commit()
        run_id = run.id
        dsn = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        watcher = threading.Thread(target=watch_progress, args=(dsn, run_id, t0, seen),
                                   daemon=True)
        watcher.start()
        if web_only:
            print("printing", flush=True)
        rss_mb = []  # resident memory every tenth of the run: flat, or growing with it
        with_pool = {"peak_total_mb": 0.0, "peak_child_mb": 0.0, "total_mb": []}
        step = documents._step

        def sampled(run_id, **values):
            own = _resident_mb()
            children = [_resident_mb(pid) for pid in (pool.pids() if pool else [])]
            total = own + sum(children)
            with_pool["peak_total_mb"] = max(with_pool["peak_total_mb"], total)
            with_pool["peak_child_mb"] = max([with_pool["peak_child_mb"], *children])
            if values.get("done", 0) % max(1, n // 10) == 0:
                rss_mb.append(round(own))
                with_pool["total_mb"].append(round(total))
            return step(run_id, **values)

        documents._step = sampled
        started = time.time()
        assert print_invoices(run_id) is True
        worker_s = time.perf_counter() - t0
        finished = time.time()
        watcher.join(timeout=5)
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        run = db.session.get(PrintRun, run_id)
        pages = run.pages
        if pool is not None:
            pool.stop()
        pool_figures = {"pool": pool.processes if pool else 0, "rss_mb": rss_mb,
                        "peak_total_mb": round(with_pool["peak_total_mb"], 1),
                        "peak_child_mb": round(with_pool["peak_child_mb"], 1),
                        "total_mb": with_pool["total_mb"]}
        if web_only or not bare:
            print(json.dumps({"n": n, "pages": pages, "worker_s": worker_s,
                              "first_progress_s": seen.get("first_progress_s"),
                              "peak_rss_kb": rss_kb, **pool_figures}), flush=True)
            return
        base = current_app.config["BASE_URL"]
        html = []
        for invoice_id in ids:
            invoice = db.session.get(Invoice, invoice_id)
            with base_url_context(), force_locale(invoice.locale):
                html.append(render_template("pdf/invoice.html", doc=document_context(invoice)))
        db.session.rollback()
        bare_pages, t1 = 0, time.perf_counter()
        for one in html:
            document = weasyprint.HTML(string=one, base_url=base,
                                       url_fetcher=_fetcher_class()(base)).render()
            document.write_pdf()
            bare_pages += len(document.pages)
        bare_s = time.perf_counter() - t1
        print(json.dumps({"n": n, "pages": pages, "worker_s": worker_s, "bare_pages": bare_pages,
                          "bare_s": bare_s, "first_progress_s": seen.get("first_progress_s"),
                          "peak_rss_kb": rss_kb, "started": started, "finished": finished,
                          **pool_figures}))


def _resident_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except FileNotFoundError:  # a child retired meanwhile
        return 0.0


if __name__ == "__main__":
    main(sys.argv[1:])
