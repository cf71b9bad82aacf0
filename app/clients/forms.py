"""Forms of the customer desk: the list's filters, a customer's contact details, a new customer,
and booking on a customer's behalf."""

from datetime import date

import email_validator
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.appointments.forms import parse_slot
from app.clients.queries.customers import SHOWS, CustomerFilters
from app.core.forms import clean_line, clean_text, options
from app.core.i18n import translated
from app.schedule.forms import MultiCheckboxField
from app.studios.models import TAG_LENGTH, TAGS_MAX

SHOW_LABELS = {
    "active": _l("Has an active pass or membership"),
    "ending": _l("Membership ends within 14 days"),
    "owes": _l("Owes money"),
    "idle": _l("No visit in 30 days"),
    "new": _l("First visit this month"),
}
PHONE_CHARACTERS = set("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹+-() .")


def plausible_birth_date(form, field):
    """A birth date between 1900 and today."""
    if field.data and not date(1900, 1, 1) <= field.data <= date.today():
        raise ValidationError(_l("Enter a date of birth between 1900 and today."))


def phone_number(form, field):
    """Digits (any script) with the usual punctuation, at least six digits."""
    value = field.data or ""
    if value and (set(value) - PHONE_CHARACTERS
                  or sum(c.isdigit() for c in value) < 6):
        raise ValidationError(_l("Enter a phone number: digits, spaces, + and dashes."))


class CustomerFilterForm(FlaskForm):
    """The customers list's search and filters, read from the query string (a GET)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, email or phone"), filters=[clean_line],
                    validators=[Optional(), Length(max=100)])
    show = MultiCheckboxField(_l("Show only"), choices=options(SHOW_LABELS.items()),
                               validators=[Optional()])
    tag = StringField(_l("Tag"), filters=[clean_line],
                      validators=[Optional(), Length(max=TAG_LENGTH)])

    def query(self) -> dict:
        """The filters as typed, for links that keep them (pager, CSV)."""
        args = {f.name: f.data for f in (self.q, self.tag) if f.data and not f.errors}
        if self.show.data and not self.show.errors:
            args["show"] = list(self.show.data)
        return args

    def filters(self) -> CustomerFilters:
        """The valid filters (a field with an error filters nothing)."""
        return CustomerFilters(
            search="" if self.q.errors else (self.q.data or ""),
            show=() if self.show.errors else tuple(s for s in self.show.data or () if s in SHOWS),
            tag="" if self.tag.errors else (self.tag.data or ""))


def _tags(value):
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return list(dict.fromkeys(t for t in (clean_line(p) for p in value.split(",")) if t))


class TagsField(StringField):
    """Tags typed as "vip, morning": a list, each cleaned, no repeats."""

    def _value(self):
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist):
        self.data = _tags(valuelist[0] if valuelist else "")


class ContactForm(FlaskForm):
    phone = StringField(_l("Phone"), filters=[clean_line],
                        validators=[Optional(), Length(max=32), phone_number])
    emergency_contact = StringField(_l("Emergency contact"), filters=[clean_line],
                                    validators=[Optional(), Length(max=160)])
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), plausible_birth_date])
    tags = TagsField(_l("Tags (separated by commas)"))
    company_name = StringField(_l("Company (for a company or group contact)"),
                               filters=[clean_line], validators=[Optional(), Length(max=160)])
    billing_details = TextAreaField(_l("Billing details (address, tax number)"),
                                    filters=[clean_text], validators=[Optional(), Length(max=500)])

    def validate_tags(self, field):
        field.data = field.data or []  # no tags field in the form at all: no tags
        if len(field.data) > TAGS_MAX or any(len(t) > TAG_LENGTH for t in field.data):
            raise ValidationError(_l("At most %(max)s tags of %(length)s characters each.",
                                     max=TAGS_MAX, length=TAG_LENGTH))

    def values(self) -> dict:
        return {"phone": self.phone.data or "",
                "emergency_contact": self.emergency_contact.data or "",
                "birth_date": self.birth_date.data, "tags": self.tags.data or [],
                "company_name": self.company_name.data or "",
                "billing_details": self.billing_details.data or ""}


class NewCustomerForm(FlaskForm):
    name = StringField(_l("Name"), filters=[clean_line],
                       validators=[InputRequired(), Length(min=2, max=120)])
    email = EmailField(_l("Email"), filters=[clean_line],
                       validators=[Optional(), Length(max=254), Email()])
    phone = StringField(_l("Phone"), filters=[clean_line],
                        validators=[Optional(), Length(max=32), phone_number])
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), plausible_birth_date])
    save_anyway = BooleanField(_l("Save anyway: this is a different person"))

    def validate_phone(self, field):
        if not field.data and not self.email.data:
            raise ValidationError(_l("Give a phone number or an email address."))

    def values(self) -> dict:
        return {"name": self.name.data, "email": self.email.data or None,
                "phone": self.phone.data or "", "birth_date": self.birth_date.data}


# Where a desk action was taken, so its answer is that page (or its block, for htmx).
DESK_PAGES = ("roster", "customer")
ID = NumberRange(min=1, max=2**31 - 1)
PAID_BY = [("", _l("Owed at the desk")), ("cash", _l("Cash")),
           ("card_terminal", _l("Card terminal"))]


class _DeskForm(FlaskForm):
    back = HiddenField(validators=[InputRequired(), AnyOf(DESK_PAGES)])


class DeskBookForm(_DeskForm):
    """Book a customer into a class: paid with their pass, or with a pass sold on the spot."""

    customer_id = IntegerField(validators=[InputRequired(), ID])
    class_id = IntegerField(_l("Class"), validators=[InputRequired(), ID])
    plan_id = SelectField(_l("Pay with"), coerce=int, validate_choice=True)
    paid_by = SelectField(_l("Payment for the pass sold"), choices=options(PAID_BY),
                          validate_choice=True, default="")

    def with_plans(self, plans, language: str) -> "DeskBookForm":
        """The plans on sale, after their own pass (0)."""
        self.plan_id.choices = options([(0, _l("Their pass or membership"))] + [
            (p.id, translated(p.name, language)) for p in plans])
        return self


class DeskCancelForm(_DeskForm):
    waive_late = BooleanField(_l("Waive the late-cancel consequence (credit back, no fee)"))


class DeskMoveForm(_DeskForm):
    to_class_id = IntegerField(_l("Move to"), validators=[InputRequired(), ID])


class DeskActionForm(_DeskForm):
    """An action with nothing to choose (promote from the waitlist)."""


GROUP_MAX = 50


def _participant(line: str) -> dict:
    """"Name, email or phone" → the participant's fields (ValueError when it is not that)."""
    name, _sep, reach = (part.strip() for part in line.partition(","))
    if not 2 <= len(name) <= 120 or not reach or len(reach) > 254:
        raise ValueError(line)
    if "@" in reach:
        try:
            email_validator.validate_email(reach, check_deliverability=False)
        except email_validator.EmailNotValidError:
            raise ValueError(line) from None
        return {"name": name, "email": reach.lower(), "phone": ""}
    if len(reach) > 32 or not set(reach) <= PHONE_CHARACTERS or \
            sum(c.isdigit() for c in reach) < 6:
        raise ValueError(line)
    return {"name": name, "email": None, "phone": reach}


class ParticipantsForm(FlaskForm):
    """The participants of a group, one a line: name, then email or phone (`people` once
    valid)."""

    participants = TextAreaField(
        _l("Participants, one a line: name, email or phone"), filters=[clean_text],
        validators=[InputRequired(), Length(max=GROUP_MAX * 300)])

    def validate_participants(self, field):
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        if not 1 <= len(lines) <= GROUP_MAX:
            raise ValidationError(_l("Name between 1 and %(max)s participants.", max=GROUP_MAX))
        try:
            self.people = [_participant(line) for line in lines]
        except ValueError as exc:
            raise ValidationError(_l("Write each participant as a name, then a comma, then an "
                                     "email or a phone number: %(line)s",
                                     line=str(exc)[:80])) from None


class GroupBookingForm(ParticipantsForm):
    """A company or group contact books places in one class for named participants."""

    class_id = IntegerField(_l("Class"), validators=[InputRequired(), ID])
    plan_id = SelectField(_l("Price per place"), coerce=int, validate_choice=True)
    paid_by = SelectField(_l("Payment"), choices=options(PAID_BY), validate_choice=True,
                          default="")
    # The refusal's offer: places for the first this many, the rest on the waitlist.
    confirm = IntegerField(validators=[Optional(), NumberRange(min=1, max=GROUP_MAX)])

    def with_plans(self, plans, language: str) -> "GroupBookingForm":
        self.plan_id.choices = options((p.id, translated(p.name, language)) for p in plans)
        return self


class CourseGroupForm(ParticipantsForm):
    """A company or group contact books a whole course (every session to come) for named
    participants."""

    course_id = SelectField(_l("Course"), coerce=int, validate_choice=True)
    plan_id = SelectField(_l("Price per place and session"), coerce=int, validate_choice=True)
    paid_by = SelectField(_l("Payment"), choices=options(PAID_BY), validate_choice=True,
                          default="")

    def with_choices(self, courses, plans, language: str) -> "CourseGroupForm":
        self.course_id.choices = options((c.id, translated(c.name, language)) for c in courses)
        self.plan_id.choices = options((p.id, translated(p.name, language)) for p in plans)
        return self


GROUP_PAY = [("card", _l("By card, now")), ("desk", _l("At the studio"))]


class GroupRequestForm(ParticipantsForm):
    """A company contact books places in a class for their group from the phone: the price
    per place, the participants, and (once the total is shown) how they pay."""

    plan_id = SelectField(_l("Price per place"), coerce=int, validate_choice=True)
    # 0: this class only; else a course it is a session of, booked whole.
    course_id = SelectField(_l("Book"), coerce=int, validate_choice=True, default=0)
    pay = SelectField(_l("Pay"), choices=options(GROUP_PAY), validate_choice=True,
                      default="card")
    # Empty: show the total first; "book": book and pay; "edit": back to the form.
    step = HiddenField(validators=[Optional(), AnyOf(["", "book", "edit"])])
    idempotency_key = HiddenField(validators=[Optional(), Length(max=64)])

    def with_plans(self, plans, language: str, *, takes_cards: bool,
                   courses=()) -> "GroupRequestForm":
        self.plan_id.choices = options((p.id, translated(p.name, language)) for p in plans)
        self.course_id.choices = options([(0, _l("This class only"))] + [
            (c.id, _l("The whole course: %(name)s", name=translated(c.name, language)))
            for c in courses])
        self.pay.choices = options(GROUP_PAY if takes_cards else GROUP_PAY[1:])
        if not takes_cards:
            self.pay.data = "desk"
        return self


SESSION_PAY = [("credit", _l("A credit of their pass")), ("desk", _l("The session's price"))]


class DeskSessionForm(FlaskForm):
    """A 1:1 session booked for a customer: coach, session type, one of the coach's free slots,
    paid with a credit of their pass or by the session's price (owed, or paid at the desk)."""

    coach_id = IntegerField(validators=[InputRequired(), ID])
    type_id = IntegerField(validators=[InputRequired(), ID])
    slot = StringField(_l("Time"), validators=[InputRequired(_l("Choose a time."))])
    pay_by = SelectField(_l("Pay with"), choices=options(SESSION_PAY), validate_choice=True)
    paid_by = SelectField(_l("Payment"), choices=options(PAID_BY), validate_choice=True,
                          default="")

    def validate_slot(self, field):
        try:
            self.starts_at = parse_slot(field.data)
        except ValueError:
            raise ValidationError(_l("Choose a time.")) from None


class MergeForm(FlaskForm):
    """Two customers who are one person: the account kept and the one merged into it."""

    keep_id = IntegerField(validators=[InputRequired(), ID])
    drop_id = IntegerField(validators=[InputRequired(), ID])
    confirm = BooleanField(_l("Everything of the other account moves to this one"),
                           validators=[InputRequired(_l("Confirm the merge first."))])
