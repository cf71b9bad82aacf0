"""Parsing and bounds of the console's course and certificate forms."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.certificates.models import CertificateLanguage
from app.core.forms import clean_line, clean_text, options, plausible_date
from app.schedule.forms import MultiCheckboxField

RULES = [("count", _l("Attend at least a number of its sessions")),
         ("final", _l("Attend a named class"))]
LANGUAGES = [(CertificateLanguage.HOLDER.value, _l("The holder's language")),
             (CertificateLanguage.BILINGUAL.value, _l("Arabic and English"))]


def _content(en, ar) -> dict:
    return {k: v.strip() for k, v in (("en", en.data or ""), ("ar", ar.data or "")) if v.strip()}


class CourseForm(FlaskForm):
    name_en = StringField(_l("Name (English)"), filters=[clean_line],
                          validators=[Length(max=120)])
    name_ar = StringField(_l("Name (Arabic)"), filters=[clean_line],
                          validators=[Optional(), Length(max=120)])
    class_type_id = SelectField(_l("Class type"), coerce=int, validators=[Optional()])
    class_ids = MultiCheckboxField(_l("Or these classes"), coerce=int)
    rule = SelectField(_l("Completed by"), choices=options(RULES), validators=[InputRequired()])
    min_sessions = IntegerField(_l("Sessions to attend"),
                                validators=[Optional(), NumberRange(1, 500)])
    final_class_id = SelectField(_l("The class to attend"), coerce=int, validators=[Optional()])
    title_en = StringField(_l("Certificate title (English)"), filters=[clean_line],
                           validators=[Optional(), Length(max=120)])
    title_ar = StringField(_l("Certificate title (Arabic)"), filters=[clean_line],
                           validators=[Optional(), Length(max=120)])
    body_en = TextAreaField(_l("Certificate text (English)"), filters=[clean_text],
                            validators=[Optional(), Length(max=1000)])
    body_ar = TextAreaField(_l("Certificate text (Arabic)"), filters=[clean_text],
                            validators=[Optional(), Length(max=1000)])
    validity_months = IntegerField(_l("Valid for (months)"),
                                   validators=[Optional(), NumberRange(1, 240)])
    signatory_name = StringField(_l("Signed by"), filters=[clean_line],
                                 validators=[Optional(), Length(max=120)])
    signatory_title = StringField(_l("Signatory's title"), filters=[clean_line],
                                  validators=[Optional(), Length(max=120)])
    language = SelectField(_l("Language of the certificate"), choices=options(LANGUAGES),
                           validators=[InputRequired()])
    auto_issue = BooleanField(_l("Issue certificates automatically"), default=True)

    def __init__(self, *args, class_types=(), classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.class_type_id.choices = options([(0, _("— none: the classes below —")),
                                              *class_types])
        self.class_ids.choices = options(classes)
        self.final_class_id.choices = options([(0, "—"), *classes])

    @classmethod
    def for_course(cls, course, **kwargs) -> "CourseForm":
        return cls(data={
            "name_en": course.name.get("en", ""), "name_ar": course.name.get("ar", ""),
            "class_type_id": course.class_type_id or 0, "class_ids": list(course.class_ids),
            "rule": "final" if course.final_class_id else "count",
            "min_sessions": course.min_sessions, "final_class_id": course.final_class_id or 0,
            "title_en": course.title.get("en", ""), "title_ar": course.title.get("ar", ""),
            "body_en": course.body.get("en", ""), "body_ar": course.body.get("ar", ""),
            "validity_months": course.validity_months,
            "signatory_name": course.signatory_name, "signatory_title": course.signatory_title,
            "language": course.language.value, "auto_issue": course.auto_issue}, **kwargs)

    def validate_name_en(self, field):
        if not (field.data or "").strip() and not (self.name_ar.data or "").strip():
            raise ValidationError(_l("Give the course a name in at least one language."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.class_type_id.data and not self.class_ids.data and valid:
            self.class_type_id.errors.append(
                _("Choose the course's class type, or tick its classes."))
            valid = False
        if self.rule.data == "count" and self.min_sessions.data is None \
                and not self.min_sessions.errors:
            self.min_sessions.errors.append(_("Enter how many sessions complete the course."))
            valid = False
        if self.rule.data == "final" and not self.final_class_id.data \
                and not self.final_class_id.errors:
            self.final_class_id.errors.append(_("Choose the class that completes the course."))
            valid = False
        return valid

    def fields(self) -> dict:
        """The course as save_course takes it."""
        final = self.rule.data == "final"
        return {
            "name": _content(self.name_en, self.name_ar),
            "class_type_id": self.class_type_id.data or None,
            "class_ids": sorted(set(self.class_ids.data or [])),
            "min_sessions": None if final else self.min_sessions.data,
            "final_class_id": self.final_class_id.data if final else None,
            "title": _content(self.title_en, self.title_ar),
            "body": _content(self.body_en, self.body_ar),
            "validity_months": self.validity_months.data,
            "signatory_name": self.signatory_name.data or "",
            "signatory_title": self.signatory_title.data or "",
            "language": CertificateLanguage(self.language.data),
            "auto_issue": bool(self.auto_issue.data),
        }


class IssueForm(FlaskForm):
    """One person's certificate, issued by staff (the rule may be waived)."""

    holder_id = IntegerField(validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    waive_rule = BooleanField(_l("Issue even though the rule is not met"))


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason"), filters=[clean_line],
                         validators=[InputRequired(_l("Say why it is revoked.")),
                                     Length(min=3, max=300)])


# A scan of a paper certificate: within the request limit (1 MiB) with room for the form.
SCAN_MAX_BYTES = 900 * 1024
SCAN_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png",
              b"\xff\xd8\xff": "image/jpeg"}


class QualificationForm(FlaskForm):
    name_en = StringField(_l("Name (English)"), filters=[clean_line],
                          validators=[Length(max=120)])
    name_ar = StringField(_l("Name (Arabic)"), filters=[clean_line],
                          validators=[Optional(), Length(max=120)])
    class_type_ids = MultiCheckboxField(_l("Class types whose coach must hold it"), coerce=int)
    course_ids = MultiCheckboxField(_l("Courses whose certificate counts as it"), coerce=int)

    def __init__(self, *args, class_types=(), courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.class_type_ids.choices = options(class_types)
        self.course_ids.choices = options(courses)

    @classmethod
    def for_qualification(cls, qualification, class_type_ids, course_ids, **kwargs):
        return cls(data={"name_en": qualification.name.get("en", ""),
                         "name_ar": qualification.name.get("ar", ""),
                         "class_type_ids": class_type_ids, "course_ids": course_ids}, **kwargs)

    def validate_name_en(self, field):
        if not (field.data or "").strip() and not (self.name_ar.data or "").strip():
            raise ValidationError(_l("Give the qualification a name in at least one language."))

    def fields(self) -> dict:
        return {"name": _content(self.name_en, self.name_ar),
                "class_type_ids": sorted(set(self.class_type_ids.data or [])),
                "course_ids": sorted(set(self.course_ids.data or []))}


class StaffQualificationForm(FlaskForm):
    user_id = SelectField(_l("Staff member"), coerce=int, validators=[InputRequired()])
    qualification_id = SelectField(_l("Qualification"), coerce=int,
                                   validators=[InputRequired()])
    reference = StringField(_l("Certificate number or issuer"), filters=[clean_line],
                            validators=[Optional(), Length(max=120)])
    expires_on = DateField(_l("Expires on"), validators=[Optional(), plausible_date])
    scan = FileField(_l("Scan (PDF, PNG or JPEG, at most 900 KB)"))

    def __init__(self, *args, staff=(), qualifications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = options(staff)
        self.qualification_id.choices = options(qualifications)
        self.scanned = None

    def validate_scan(self, field):
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        data = upload.read(SCAN_MAX_BYTES + 1)
        if len(data) > SCAN_MAX_BYTES:
            raise ValidationError(_l("The scan is larger than 900 KB."))
        kind = next((t for magic, t in SCAN_TYPES.items() if data.startswith(magic)), None)
        if kind is None:
            raise ValidationError(_l("The scan must be a PDF, PNG or JPEG file."))
        self.scanned = (data, kind)
