"""A studio's own record of each customer, searchable; customers without an email

Revision ID: 0028_customer_records
Revises: 0027_auth_sessions
Create Date: 2026-12-07 04:00:00

studio_customers gains the studio's contact details (phone, emergency contact, date of birth),
tags and a folded search column (app/core/search.py), back-filled here from the users' names
and emails; on PostgreSQL a pg_trgm GIN index serves substring search on it. users.email
becomes optional: staff add customers at the desk with a phone only.
"""
import sqlalchemy as sa
from alembic import op

from app.core.search import search_text

revision = "0028_customer_records"
down_revision = "0027_auth_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("studio_customers") as batch:
        batch.add_column(sa.Column("phone", sa.String(32), server_default="", nullable=False))
        batch.add_column(sa.Column("phone_key", sa.String(32), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("emergency_contact", sa.String(160), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("tags", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("tag_keys", sa.String(400), server_default="",
                                   nullable=False))
        batch.add_column(sa.Column("search", sa.Text(), server_default="", nullable=False))
        batch.create_index("ix_studio_customers_phone_key", ["studio_id", "phone_key"])
    with op.batch_alter_table("users") as batch:
        batch.alter_column("email", existing_type=sa.String(254), nullable=True)

    links = sa.table("studio_customers", sa.column("id", sa.Integer),
                     sa.column("user_id", sa.Integer), sa.column("search", sa.Text))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("email", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(links.c.id, users.c.name, users.c.email)
                        .join(users, users.c.id == links.c.user_id)).all()
    update = links.update().where(links.c.id == sa.bindparam("link_id")) \
        .values(search=sa.bindparam("text"))
    for start in range(0, len(rows), 1000):
        conn.execute(update, [{"link_id": row_id, "text": search_text(name, email)}
                              for row_id, name, email in rows[start:start + 1000]])

    op.create_index("ix_studio_customers_studio_search", "studio_customers",
                    ["studio_id", "search"])
    if conn.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index("ix_studio_customers_search_trgm", "studio_customers", ["search"],
                        postgresql_using="gin", postgresql_ops={"search": "gin_trgm_ops"})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_studio_customers_search_trgm", table_name="studio_customers")
    # Desk-added customers without an email get an address that reaches nobody.
    op.execute("UPDATE users SET email = 'no-email-' || id || '@invalid' WHERE email IS NULL")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("email", existing_type=sa.String(254), nullable=False)
    op.drop_index("ix_studio_customers_studio_search", table_name="studio_customers")
    with op.batch_alter_table("studio_customers") as batch:
        batch.drop_index("ix_studio_customers_phone_key")
        for column in ("search", "tag_keys", "tags", "birth_date", "emergency_contact",
                       "phone_key", "phone"):
            batch.drop_column(column)
