"""P5 in its own process: `python -m bench.pdf N` times the worker path and bare WeasyPrint on
one issued invoice; `python -m bench.pdf --loop` renders back-to-back until killed.

Runs like an RQ work-horse: the app built once, an app context pushed, the job function called.
"""

import json
import sys
import time

from sqlalchemy import select, update

from app import create_app
from app.billing.models import Invoice, PaymentMethod
from app.extensions import db
from workers import yield_to_web


def issued_invoice() -> int:
    """An issued invoice of the measured studio (made once, paid at the desk)."""
    from app.accounts.models import User
    from app.billing.services.orders import place_order
    from app.billing.services.payments import record_payment
    from app.memberships.models import Plan, PlanKind
    from app.studios.models import Studio

    found = db.session.scalar(select(Invoice.id).order_by(Invoice.id).limit(1))
    if found:
        return found
    studio = db.session.scalar(select(Studio).where(Studio.slug == "bench"))
    customer = db.session.get(User, 1)
    plan = Plan(studio_id=studio.id, kind=PlanKind.CLASS_PACK, name={"en": "10-class pack",
                "ar": "باقة 10 حصص"}, description={}, price_minor=45000, currency="CAD",
                credits=10, validity_days=90)
    db.session.add(plan)
    db.session.flush()
    order = place_order(studio, plan, customer, actor=customer)
    record_payment(studio, order, amount_minor=order.gross_minor, method=PaymentMethod.CASH,
                   actor=customer)
    db.session.commit()
    return db.session.scalar(select(Invoice.id).where(Invoice.order_id == order.id))


def _reset(invoice_id: int) -> None:
    db.session.execute(update(Invoice).where(Invoice.id == invoice_id)
                       .values(pdf=None, pdf_sha256=None))
    db.session.commit()


def main(argv: list[str]) -> None:
    from app.billing.services.documents import document_context
    from app.core.pdf import _fetcher_class
    from app.core.urls import base_url_context
    from workers.jobs.documents import render_invoice_pdf

    app = create_app()
    yield_to_web(app.config["WORKER_NICE"])  # as `python -m workers` runs
    with app.app_context():
        import weasyprint
        from flask import current_app, render_template
        from flask_babel import force_locale

        invoice_id = issued_invoice()
        if argv and argv[0] == "--loop":
            _reset(invoice_id)
            render_invoice_pdf(invoice_id)
            print("rendering", flush=True)  # the first PDF is out: the loop is warm
            while True:
                _reset(invoice_id)
                render_invoice_pdf(invoice_id)
        n = int(argv[0]) if argv else 5
        invoice = db.session.get(Invoice, invoice_id)
        with base_url_context(), force_locale(invoice.locale):
            html = render_template("pdf/invoice.html", doc=document_context(invoice))
        db.session.rollback()
        base = current_app.config["BASE_URL"]

        def bare():
            weasyprint.HTML(string=html, base_url=base,
                            url_fetcher=_fetcher_class()(base)).write_pdf()

        def worker():
            _reset(invoice_id)
            t0 = time.perf_counter()
            assert render_invoice_pdf(invoice_id) is True
            return time.perf_counter() - t0

        bare(), worker()  # warm-up: fonts, templates, connections
        worker_s, bare_s = [], []
        for _ in range(n):  # interleaved, so both see the same machine
            worker_s.append(worker())
            t0 = time.perf_counter()
            bare()
            bare_s.append(time.perf_counter() - t0)
        print(json.dumps({"invoice_id": invoice_id, "worker_s": worker_s, "bare_s": bare_s}))


if __name__ == "__main__":
    main(sys.argv[1:])
