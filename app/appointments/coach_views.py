"""The coach's own profile in a studio (/coach/<studio>/profile): photo, bio and the class
types they teach, shown in the studio's coach directory."""

from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.appointments import services
from app.appointments.forms import CoachProfileForm
from app.appointments.queries import get_coach_profile
from app.core.lifecycle import done, perform
from app.schedule.queries import list_class_types
from app.studios.console import coach_blueprint

bp = coach_blueprint("appointments_coach", __name__)
PAGE = "appointments/coach/profile.html"


def _page(form=None, status: int = 200):
    profile, types = get_coach_profile(g.studio, current_user), list_class_types(g.studio)
    return render_template(PAGE, studio=g.studio, profile=profile, coach=current_user,
                           form=form or CoachProfileForm.of(profile, types)), status


@bp.get("/profile")
def profile():
    return _page()


@bp.post("/profile")
def save_profile():
    form = CoachProfileForm(class_types=list_class_types(g.studio))
    if not form.validate_on_submit():
        return _page(form, 422)
    return perform(lambda: services.save_coach_profile(g.studio, current_user,
                                                       actor=current_user, **form.fields()),
                   lambda _saved: done(_("Your profile is saved."), url_for(".profile")))
