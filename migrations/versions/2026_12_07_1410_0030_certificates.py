"""Courses, certificates, each studio's certificate numbers, and staff qualifications

Revision ID: 0030_certificates
Revises: 0029_staff_front_desk
Create Date: 2026-12-07 14:00:00

A course is the classes of one type (or a chosen set) with the rule that completes it and the
wording of its certificate; a certificate is numbered per studio, carries a random public code
(/c/<code>) and its rendered PDF, and a reissue or renewal points at the one it replaces.
Qualifications: kinds per studio, the one a class type's coach must hold, and those recorded
for staff with a scan and an expiry (a course may grant one through its certificates).
"""
import sqlalchemy as sa
from alembic import op

revision = "0030_certificates"
down_revision = "0029_staff_front_desk"
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    op.create_table(
        "qualifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        *_timestamps(),
    )
    op.create_index("ix_qualifications_studio_id", "qualifications", ["studio_id"])
    op.create_table(
        "class_type_requirements",
        sa.Column("class_type_id", sa.Integer(), sa.ForeignKey("class_types.id"),
                  primary_key=True),
        sa.Column("qualification_id", sa.Integer(), sa.ForeignKey("qualifications.id"),
                  nullable=False),
    )
    op.create_index("ix_class_type_requirements_qualification_id", "class_type_requirements",
                    ["qualification_id"])
    op.create_table(
        "staff_qualifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("qualification_id", sa.Integer(), sa.ForeignKey("qualifications.id"),
                  nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("expires_on", sa.Date()),
        sa.Column("scan", sa.LargeBinary()),
        sa.Column("scan_type", sa.String(32), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
        *_timestamps(),
    )
    op.create_index("ix_staff_qualifications_studio_id", "staff_qualifications", ["studio_id"])
    op.create_index("ix_staff_qualifications_user_id", "staff_qualifications", ["user_id"])
    language = sa.Enum("holder", "ar+en", name="certificate_language",
                       native_enum=False, create_constraint=True, length=20)
    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("class_type_id", sa.Integer(), sa.ForeignKey("class_types.id")),
        sa.Column("class_ids", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("min_sessions", sa.Integer()),
        sa.Column("final_class_id", sa.Integer(), sa.ForeignKey("classes.id")),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("validity_months", sa.Integer()),
        sa.Column("signatory_name", sa.String(120), nullable=False),
        sa.Column("signatory_title", sa.String(120), nullable=False),
        sa.Column("language", language, nullable=False),
        sa.Column("auto_issue", sa.Boolean(), nullable=False),
        sa.Column("qualification_id", sa.Integer(), sa.ForeignKey("qualifications.id")),
        *_timestamps(),
        sa.CheckConstraint("min_sessions IS NULL OR min_sessions BETWEEN 1 AND 500",
                           name="ck_courses_min_sessions"),
        sa.CheckConstraint("(min_sessions IS NULL) <> (final_class_id IS NULL)",
                           name="ck_courses_one_rule"),
        sa.CheckConstraint("validity_months IS NULL OR validity_months BETWEEN 1 AND 240",
                           name="ck_courses_validity"),
    )
    op.create_index("ix_courses_studio_id", "courses", ["studio_id"])
    op.create_table(
        "certificate_sequences",
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), primary_key=True),
        sa.Column("next_value", sa.Integer(), nullable=False),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("studio_id", sa.Integer(), sa.ForeignKey("studios.id"), nullable=False),
        sa.Column("course_id", sa.Integer(), sa.ForeignKey("courses.id"), nullable=False),
        sa.Column("holder_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("holder_name", sa.String(120), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date()),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("replaces_id", sa.Integer(), sa.ForeignKey("certificates.id"), unique=True),
        sa.Column("renewal", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_reason", sa.String(300), nullable=False),
        sa.Column("pdf", sa.LargeBinary()),
        sa.Column("pdf_sha256", sa.String(64)),
        *_timestamps(),
        sa.UniqueConstraint("studio_id", "number"),
        sa.CheckConstraint("expires_on IS NULL OR expires_on >= issued_on",
                           name="ck_certificates_dates"),
    )
    op.create_index("ix_certificates_course_id", "certificates", ["course_id"])
    op.create_index("ix_certificates_holder_id", "certificates", ["holder_id"])
    op.create_index("uq_certificates_first", "certificates", ["course_id", "holder_id"],
                    unique=True, postgresql_where=sa.text("replaces_id IS NULL"),
                    sqlite_where=sa.text("replaces_id IS NULL"))


def downgrade():
    op.drop_table("certificates")
    op.drop_table("certificate_sequences")
    op.drop_index("ix_courses_studio_id", "courses")
    op.drop_table("courses")
    op.drop_table("staff_qualifications")
    op.drop_table("class_type_requirements")
    op.drop_table("qualifications")
