"""Print run files in pieces; certificates deleted after retention

Revision ID: 0039_print
Revises: 0038_message_texts
Create Date: 2026-12-07 18:00:00

print_file_parts: a print run's merged PDF and its ZIP of single PDFs, stored in ordered
pieces so that neither the job nor a download holds a whole file; print_runs.pdf goes (the
files of runs printed before are dropped: they expire within 7 days anyway).
certificates.replaces_id: ON DELETE SET NULL, so deleting a certificate 3 years after its expiry
makes its renewal the first of its chain.
"""
import sqlalchemy as sa
from alembic import op

revision = "0039_print"
down_revision = "0038_message_texts"
branch_labels = None
depends_on = None

FK = "fk_certificates_replaces_id_certificates"


def upgrade():
    op.create_table(
        "print_file_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("print_run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("pdf", "zip", name="print_file_kind", native_enum=False,
                                  length=20, create_constraint=True), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["print_run_id"], ["print_runs.id"], ondelete="CASCADE",
                                name=op.f("fk_print_file_parts_print_run_id_print_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_file_parts")),
        sa.UniqueConstraint("print_run_id", "kind", "seq",
                            name=op.f("uq_print_file_parts_print_run_id_kind_seq")),
    )
    with op.batch_alter_table("print_runs") as batch:
        batch.drop_column("pdf")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(FK, "certificates", ["replaces_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("certificates") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(FK, "certificates", ["replaces_id"], ["id"])
    with op.batch_alter_table("print_runs") as batch:
        batch.add_column(sa.Column("pdf", sa.LargeBinary(), nullable=True))
    op.drop_table("print_file_parts")
