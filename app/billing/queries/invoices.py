"""The studio's invoices and credit notes as a list: filtered, paged, and row by row for CSV."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from app.accounts.models import User
from app.billing.models import DocumentKind, Invoice
from app.core.search import like_pattern
from app.extensions import db
from app.schedule.queries import day_bounds

PAGE_SIZE = 50


@dataclass(frozen=True)
class InvoiceFilters:
    kind: DocumentKind | None = None
    date_from: date | None = None  # local dates of the studio, both inclusive
    date_to: date | None = None
    search: str = ""  # part of the customer's name or email, or of the number


@dataclass
class InvoicePage:
    invoices: list[Invoice]
    total: int
    page: int
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = max(1, -(-self.total // PAGE_SIZE))


def invoices_query(studio, filters: InvoiceFilters, tz: str):
    """The studio's documents matching `filters` (issue dates read in `tz`), unordered."""
    query = select(Invoice).where(Invoice.studio_id == studio.id)
    if filters.kind:
        query = query.where(Invoice.kind == filters.kind)
    if filters.date_from:
        query = query.where(Invoice.issued_at >= day_bounds(filters.date_from, tz)[0])
    if filters.date_to:
        query = query.where(Invoice.issued_at < day_bounds(filters.date_to, tz)[1])
    if filters.search.strip():
        pattern = like_pattern(filters.search.strip())
        query = query.join(User, User.id == Invoice.customer_id).where(
            or_(User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"),
                Invoice.number.ilike(pattern, escape="\\")))
    return query


def count_invoices(studio, filters: InvoiceFilters, tz: str) -> int:
    query = invoices_query(studio, filters, tz)
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def list_invoices(studio, filters: InvoiceFilters, tz: str, page: int = 1) -> InvoicePage:
    """One page of the studio's invoices and credit notes, newest first."""
    result = InvoicePage([], count_invoices(studio, filters, tz), 1)
    result.page = min(max(page, 1), result.pages)
    result.invoices = db.session.scalars(
        invoices_query(studio, filters, tz)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        .offset((result.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return result


def iter_invoice_ids(studio, filters: InvoiceFilters, tz: str) -> list[int]:
    """Every matching document's id, in issue order (the order they are printed in)."""
    return db.session.scalars(invoices_query(studio, filters, tz).with_only_columns(Invoice.id)
                              .order_by(Invoice.issued_at, Invoice.id)).all()


def iter_invoice_rows(studio, filters: InvoiceFilters, tz: str) -> Iterator[Invoice]:
    """Every matching document, oldest first, fetched in batches (for the CSV)."""
    query = invoices_query(studio, filters, tz).order_by(Invoice.issued_at, Invoice.id)
    yield from db.session.scalars(query.execution_options(yield_per=500))
