"""The reports' period and filters, read from the query string (a GET)."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, Optional

from app.core.forms import options, plausible_date
from app.core.i18n import translated

# A year and a day: a leap year fits, a longer scan does not (reports read rows, not summaries).
MAX_DAYS = 366


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date  # inclusive
    location_id: int | None = None
    class_type_id: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _id_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[DataRequired(), plausible_date])
    end = DateField(_l("To"), validators=[DataRequired(), plausible_date])
    location = SelectField(_l("Location"), coerce=_id_or_none, validators=[Optional()])
    class_type = SelectField(_l("Class type"), coerce=_id_or_none, validators=[Optional()])

    def __init__(self, args, *, locations, class_types, today: date):
        # The last 30 days until today when the page opens without a period.
        defaults = {"start": today - timedelta(days=29), "end": today}
        super().__init__(args, data={k: v for k, v in defaults.items() if k not in args})
        self.location.choices = options(
            [("", _("All locations"))] + [(loc.id, translated(loc.name)) for loc in locations])
        self.class_type.choices = options(
            [("", _("All class types"))] + [(t.id, translated(t.name)) for t in class_types])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.end.data < self.start.data:
            self.end.errors.append(_("The end comes before the start."))
            return False
        if ok and (self.end.data - self.start.data).days + 1 > MAX_DAYS:
            self.end.errors.append(_("Choose a period of at most %(days)d days.", days=MAX_DAYS))
            return False
        return ok

    def filters(self) -> ReportFilters:
        """The valid period and filters (call after validate() said yes)."""
        return ReportFilters(self.start.data, self.end.data, self.location.data,
                             self.class_type.data)

    def query(self) -> dict:
        """The filters as typed, for the CSV links."""
        args = {"start": self.start.data.isoformat(), "end": self.end.data.isoformat()}
        if self.location.data:
            args["location"] = self.location.data
        if self.class_type.data:
            args["class_type"] = self.class_type.data
        return args


THIS_MONTH, LAST_MONTH, CUSTOM = "this_month", "last_month", "custom"


class OverviewForm(FlaskForm):
    """The owner's overview period: this month, last month, or dates of one's own."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"), default=THIS_MONTH)
    start = DateField(_l("From"), validators=[Optional(), plausible_date])
    end = DateField(_l("To"), validators=[Optional(), plausible_date])

    def __init__(self, args, *, today: date):
        super().__init__(args)
        self.period.choices = options([(THIS_MONTH, _("This month")),
                                       (LAST_MONTH, _("Last month")),
                                       (CUSTOM, _("Dates of my choice"))])
        self.today = today

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.period.data == CUSTOM:
            for field in (self.start, self.end):
                if field.data is None:
                    field.errors.append(_("Choose a date."))
                    ok = False
            if ok and self.end.data < self.start.data:
                self.end.errors.append(_("The end comes before the start."))
                ok = False
            if ok and (self.end.data - self.start.data).days + 1 > MAX_DAYS:
                self.end.errors.append(_("Choose a period of at most %(days)d days.",
                                         days=MAX_DAYS))
                ok = False
        return ok

    def filters(self) -> ReportFilters:
        """The chosen period (call after validate() said yes)."""
        first = self.today.replace(day=1)
        if self.period.data == THIS_MONTH:
            return ReportFilters(first, self.today)
        if self.period.data == LAST_MONTH:
            end = first - timedelta(days=1)
            return ReportFilters(end.replace(day=1), end)
        return ReportFilters(self.start.data, self.end.data)
