from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import clean_line, clean_text, options, plausible_date
from app.core.i18n import translated
from app.core.money import MoneyField, OptionalMoneyField, to_input
from app.memberships.models import Period, PlanKind, ValidityStart
from app.schedule.forms import MultiCheckboxField, OneOffClassForm

KINDS = [(PlanKind.DROP_IN.value, _l("Drop-in")), (PlanKind.CLASS_PACK.value, _l("Class pack")),
         (PlanKind.MEMBERSHIP.value, _l("Membership")), (PlanKind.INTRO.value, _l("Intro offer"))]
VALIDITY_STARTS = [(ValidityStart.PURCHASE.value, _l("On the day of purchase")),
                   (ValidityStart.FIRST_BOOKING.value, _l("On the first booking"))]
PERIODS = [("", _l("Not a membership")), (Period.MONTH.value, _l("Monthly")),
           (Period.YEAR.value, _l("Yearly"))]


class PlanForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(KINDS), validators=[InputRequired()])
    # No Optional() on name_en: it would stop the chain before validate_name_en.
    name_en = StringField(_l("Name (English)"), filters=[clean_line], validators=[Length(max=80)])
    name_ar = StringField(_l("Name (Arabic)"), filters=[clean_line],
                          validators=[Optional(), Length(max=80)])
    description_en = TextAreaField(_l("Description (English)"), filters=[clean_text],
                                   validators=[Optional(), Length(max=2000)])
    description_ar = TextAreaField(_l("Description (Arabic)"), filters=[clean_text],
                                   validators=[Optional(), Length(max=2000)])
    price = MoneyField(_l("Price"))
    credits = IntegerField(_l("Classes included"), validators=[Optional(), NumberRange(1, 1000)])
    validity_days = IntegerField(_l("Valid for (days)"),
                                 validators=[Optional(), NumberRange(1, 3650)])
    validity_start = SelectField(_l("Validity starts"), choices=options(VALIDITY_STARTS),
                                 validators=[InputRequired()])
    period = SelectField(_l("Renews"), choices=options(PERIODS), validators=[Optional()])
    classes_per_week = IntegerField(_l("Classes per week at most"),
                                    validators=[Optional(), NumberRange(1, 50)])
    class_type_ids = MultiCheckboxField(_l("Class types it pays for"), coerce=int)
    active = BooleanField(_l("On sale"), default=True)
    freeze_allowed = BooleanField(_l("Members may pause it"))
    freeze_min_days = IntegerField(_l("Shortest pause (days)"), default=7,
                                   validators=[Optional(), NumberRange(1, 365)])
    freeze_max_days = IntegerField(_l("Longest pause (days)"), default=30,
                                   validators=[Optional(), NumberRange(1, 365)])
    freezes_per_year = IntegerField(_l("Pauses a year"), default=1,
                                    validators=[Optional(), NumberRange(1, 12)])
    freeze_fee = OptionalMoneyField(_l("Pause fee"))

    def __init__(self, *args, currency: str, class_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.price.label.text = _("Price (%(currency)s)", currency=currency)
        self.class_type_ids.choices = options((ct.id, translated(ct.name)) for ct in class_types)

    @classmethod
    def for_plan(cls, plan, **kwargs) -> "PlanForm":
        """The form filled with a saved plan (the price as the decimal people type)."""
        return cls(data={
            "kind": plan.kind.value, "name_en": plan.name.get("en", ""),
            "name_ar": plan.name.get("ar", ""), "description_en": plan.description.get("en", ""),
            "description_ar": plan.description.get("ar", ""),
            "price": to_input(plan.price_minor, plan.currency), "credits": plan.credits,
            "validity_days": plan.validity_days, "validity_start": plan.validity_start.value,
            "period": plan.period.value if plan.period else "",
            "classes_per_week": plan.classes_per_week,
            "class_type_ids": list(plan.eligible_class_type_ids), "active": plan.active,
            "freeze_allowed": plan.freeze_allowed, "freeze_min_days": plan.freeze_min_days,
            "freeze_max_days": plan.freeze_max_days, "freezes_per_year": plan.freezes_per_year,
            "freeze_fee": to_input(plan.freeze_fee_minor, plan.currency),
        }, **kwargs)

    def validate_name_en(self, field):
        if not (field.data or "").strip() and not (self.name_ar.data or "").strip():
            raise ValidationError(_l("Give the plan a name in at least one language."))

    def validate(self, extra_validators=None) -> bool:
        # Checks across fields run here: Optional() ends an empty field's own chain early.
        valid = super().validate(extra_validators)
        membership = self.kind.data == PlanKind.MEMBERSHIP
        if self.credits.data is None and not self.credits.errors and not membership:
            self.credits.errors.append(
                _("Only memberships can be unlimited: enter how many classes it includes."))
            valid = False
        if membership and not self.period.data and not self.period.errors:
            self.period.errors.append(_("Choose whether the membership renews monthly or yearly."))
            valid = False
        shortest, longest = self.freeze_min_days.data, self.freeze_max_days.data
        if shortest and longest and longest < shortest and not self.freeze_max_days.errors:
            self.freeze_max_days.errors.append(
                _("The longest pause must not be shorter than the shortest."))
            valid = False
        return valid

    def maps(self) -> dict:
        """The fields as save_plan takes them: content maps, minor units, None for empty."""
        def content(en, ar):
            return {k: v.strip() for k, v in (("en", en.data or ""), ("ar", ar.data or ""))
                    if v.strip()}

        membership = self.kind.data == PlanKind.MEMBERSHIP
        return {
            "kind": PlanKind(self.kind.data),
            "name": content(self.name_en, self.name_ar),
            "description": content(self.description_en, self.description_ar),
            "price_minor": self.price.minor,
            "credits": self.credits.data,
            "validity_days": self.validity_days.data,
            "validity_start": ValidityStart(self.validity_start.data),
            "period": Period(self.period.data) if membership else None,
            "classes_per_week": self.classes_per_week.data,
            "eligible_class_type_ids": sorted(set(self.class_type_ids.data or [])),
            "active": self.active.data,
            "freeze_allowed": membership and self.freeze_allowed.data,
            "freeze_min_days": self.freeze_min_days.data or 7,
            "freeze_max_days": self.freeze_max_days.data or 30,
            "freezes_per_year": self.freezes_per_year.data or 1,
            "freeze_fee_minor": self.freeze_fee.minor or 0,
        }


class FreezeForm(FlaskForm):
    """A membership's pause: its first and last day (both included)."""

    starts_on = DateField(_l("Pause from"), validators=[InputRequired(), plausible_date])
    ends_on = DateField(_l("Pause until"), validators=[InputRequired(), plausible_date])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must not be before the first day."))


class EventForm(OneOffClassForm):
    """A one-off class or event with what pays for it: the plans it accepts and, for a paid
    event, its own price."""

    plan_ids = MultiCheckboxField(
        _l("Plans accepted"), coerce=int, validators=[Optional()],
        description=_l("None ticked: any plan that covers the class type."))
    price = OptionalMoneyField(
        _l("Price"), description=_l("Leave empty for a class paid with a pass. With a price, "
                                    "the event sells its own ticket; it also accepts the plans "
                                    "ticked above, and no other."))

    def __init__(self, *args, currency: str, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.price.label.text = _("Price (%(currency)s)", currency=currency)
        self.plan_ids.choices = options((p.id, translated(p.name)) for p in plans)

    def validate_price(self, field):
        if field.minor is not None and field.minor <= 0:
            raise ValidationError(_l("A price must be more than zero."))
