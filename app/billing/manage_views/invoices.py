"""The console's invoices list: every invoice and credit note, filtered, paged, or as a CSV."""

import csv
import io

from flask import Response, g, render_template, request, stream_with_context

from app.accounts.policies import fresh_auth_required
from app.billing.forms import KINDS, InvoiceFilterForm
from app.billing.manage_views import bp
from app.billing.queries.invoices import iter_invoice_rows, list_invoices
from app.core.i18n import local
from app.core.money import to_input

CSV_HEADER = ("number", "type", "issued_on", "customer", "email", "total", "currency",
              "refers_to")


@bp.get("/invoices")
def invoices():
    form = InvoiceFilterForm(request.args)
    valid = form.validate()
    tz = g.studio.timezone
    found = list_invoices(g.studio, form.filters(), tz, request.args.get("page", 1, type=int))
    return render_template("billing/manage/invoices.html", studio=g.studio, form=form,
                           found=found, tz=tz, kinds=dict(KINDS),
                           args=form.query()), 200 if valid else 422


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a formula's first character is escaped."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/invoices.csv")
@fresh_auth_required(why="export")
def invoices_csv():
    form = InvoiceFilterForm(request.args)
    if not form.validate():
        return invoices()  # the page with the errors, 422
    filters, tz, studio = form.filters(), g.studio.timezone, g.studio

    def lines():
        yield "\ufeff"  # the BOM first, so Excel reads Arabic names as UTF-8
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_HEADER)
        for n, doc in enumerate(iter_invoice_rows(studio, filters, tz), 1):
            customer = doc.snapshot.get("customer", {})
            writer.writerow([_cell(v) for v in (
                doc.number, str(doc.kind), local(doc.issued_at, tz).date().isoformat(),
                customer.get("name", ""), customer.get("email", ""),
                to_input(doc.gross_minor, doc.currency), doc.currency,
                doc.snapshot.get("reference") or "")])
            if n % 500 == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(stream_with_context(lines()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{studio.slug}-invoices.csv"',
        "Cache-Control": "private, no-store"})
