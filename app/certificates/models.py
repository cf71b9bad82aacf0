"""Courses, the certificates they end in, and each studio's certificate numbers."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin, UTCDateTime, str_enum
from app.extensions import db


class CertificateLanguage(enum.StrEnum):
    HOLDER = "holder"  # the holder's own language
    BILINGUAL = "ar+en"  # Arabic and English on one page


class Course(TimestampMixin, db.Model):
    """Classes that end in a certificate: the classes of one type, or a chosen set, completed by
    attending at least `min_sessions` of them, or by attending `final_class_id`."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("min_sessions IS NULL OR min_sessions BETWEEN 1 AND 500",
                        name="min_sessions"),
        CheckConstraint("(min_sessions IS NULL) <> (final_class_id IS NULL)", name="one_rule"),
        CheckConstraint("validity_months IS NULL OR validity_months BETWEEN 1 AND 240",
                        name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    class_type_id: Mapped[int | None] = mapped_column(ForeignKey("class_types.id"))
    # The chosen classes when the course is not all the classes of one type.
    class_ids: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    min_sessions: Mapped[int | None]
    final_class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    body: Mapped[dict] = mapped_column(JSON, default=dict)
    validity_months: Mapped[int | None]  # None: never expires
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signatory_title: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[CertificateLanguage] = mapped_column(
        str_enum(CertificateLanguage, "certificate_language"), default=CertificateLanguage.HOLDER)
    auto_issue: Mapped[bool] = mapped_column(default=True)
    # The staff qualification its certificate counts as (a coach's instructor course).
    qualification_id: Mapped[int | None] = mapped_column(ForeignKey("qualifications.id"))

    class_type = relationship("ClassType")

    def covers(self, cls) -> bool:
        """Whether a class counts towards this course."""
        if self.class_ids:
            return cls.id in self.class_ids
        return cls.class_type_id == self.class_type_id


class CertificateSequence(db.Model):
    """The next certificate number per studio; locked while one is taken (no gap, no twin)."""

    __tablename__ = "certificate_sequences"

    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), primary_key=True)
    next_value: Mapped[int] = mapped_column(default=1)


class Certificate(TimestampMixin, db.Model):
    """One certificate as issued: the holder's name as they wrote it, frozen with the course's
    wording; a reissue or a renewal is a new certificate pointing at the one it replaces."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("studio_id", "number"),
        # One first certificate per person and course: the auto-issue job may run twice.
        Index("uq_certificates_first", "course_id", "holder_id", unique=True,
              postgresql_where=text("replaces_id IS NULL"),
              sqlite_where=text("replaces_id IS NULL")),
        CheckConstraint("expires_on IS NULL OR expires_on >= issued_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(40))
    # The public code printed under the QR (/c/<code>): random, unguessable, unique everywhere.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(8))  # "ar", "en" or "ar+en"
    snapshot: Mapped[dict] = mapped_column(JSON)  # the course's wording and studio, as issued
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"), unique=True)
    renewal: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str] = mapped_column(String(300), default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))

    course: Mapped[Course] = relationship()
    holder = relationship("User", foreign_keys=[holder_id])
    replaces = relationship("Certificate", remote_side=[id])

    def status(self, today: date) -> str:
        """revoked, expired or valid, on `today`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_on is not None and today > self.expires_on:
            return "expired"
        return "valid"

    @property
    def languages(self) -> list[str]:
        return self.locale.split("+")


class Qualification(TimestampMixin, db.Model):
    """A kind of qualification staff hold (first aid, lifeguard): recorded by the studio, or a
    certificate of a course that grants it (Course.qualification_id)."""

    __tablename__ = "qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    name: Mapped[dict] = mapped_column(JSON, default=dict)


class ClassTypeRequirement(db.Model):
    """The qualification a class type's coach must hold (one at most per class type)."""

    __tablename__ = "class_type_requirements"

    class_type_id: Mapped[int] = mapped_column(ForeignKey("class_types.id"), primary_key=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualifications.id"), index=True)

    qualification: Mapped[Qualification] = relationship()


class StaffQualification(TimestampMixin, db.Model):
    """A qualification recorded by the studio for one of its staff, with the scan it saw."""

    __tablename__ = "staff_qualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id"), index=True)
    qualification_id: Mapped[int] = mapped_column(ForeignKey("qualifications.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reference: Mapped[str] = mapped_column(String(120), default="")
    expires_on: Mapped[date | None] = mapped_column(Date)  # None: never
    scan: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    scan_type: Mapped[str] = mapped_column(String(32), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    qualification: Mapped[Qualification] = relationship()
    user = relationship("User", foreign_keys=[user_id])
