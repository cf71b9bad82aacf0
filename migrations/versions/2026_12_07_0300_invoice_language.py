"""A studio chooses the language of its invoices

Revision ID: 0020_invoice_language
Revises: 0019_first_weekday
Create Date: 2026-12-07 03:00:00

Invoices followed the customer's profile language. Each studio now prints them in "ar", "en"
or "ar+en" (both on one page): studios selling under Saudi VAT start bilingual, the others in
their default language.
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_invoice_language"
down_revision = "0019_first_weekday"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("studios") as batch:
        batch.add_column(sa.Column("invoice_language", sa.String(8), nullable=False,
                                   server_default="en"))
    op.execute("UPDATE studios SET invoice_language = default_language")
    op.execute("UPDATE studios SET invoice_language = 'ar+en' WHERE default_location_id IN "
               "(SELECT id FROM locations WHERE tax_jurisdiction = 'SA')")


def downgrade():
    with op.batch_alter_table("studios") as batch:
        batch.drop_column("invoice_language")
