"""The studio console's courses and certificates (/manage/<studio>/certificates…)."""

from flask import g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.certificates.forms import CourseForm, IssueForm, RevokeForm
from app.certificates.queries import (
    certificate_counts,
    class_choices,
    course_roster,
    get_certificate_or_404,
    get_course_or_404,
    list_course_certificates,
    list_courses,
)
from app.certificates.services import issuing
from app.certificates.services.courses import save_course
from app.certificates.services.documents import display_code, verify_url
from app.core.db import utcnow
from app.core.i18n import translated
from app.core.lifecycle import done, perform
from app.schedule.queries import list_class_types
from app.studios.console import console_blueprint
from app.studios.queries import get_studio_customer_or_404

bp = console_blueprint("certificates_manage", __name__)


def _form(course=None) -> CourseForm:
    """The course form with the studio's class types and classes (filled from `course` on a
    GET; a POST parses what was sent)."""
    studio = g.studio
    options = {"class_types": [(ct.id, translated(ct.name, studio.default_language))
                               for ct in list_class_types(studio)],
               "classes": class_choices(studio)}
    if course is not None and request.method != "POST":
        return CourseForm.for_course(course, **options)
    return CourseForm(**options)


def _course_form_page(form, course=None, status=200):
    return render_template("certificates/manage/course_form.html", studio=g.studio,
                           course=course, form=form), status


def _today():
    return issuing.local_day(g.studio, utcnow())


@bp.get("/certificates")
def courses():
    return render_template("certificates/manage/courses.html", studio=g.studio,
                           courses=list_courses(g.studio), counts=certificate_counts(g.studio))


@bp.get("/certificates/new")
def new_course():
    return _course_form_page(_form())


@bp.post("/certificates")
def create_course():
    form = _form()
    if not form.validate_on_submit():
        return _course_form_page(form, status=422)
    return perform(lambda: save_course(g.studio, actor=current_user, **form.fields()),
                   lambda course: done(_("Course saved."),
                                       url_for(".course", course_id=course.id)))


@bp.get("/certificates/<int:course_id>/edit")
def edit_course(course_id: int):
    course = get_course_or_404(g.studio, course_id)
    return _course_form_page(_form(course), course)


@bp.post("/certificates/<int:course_id>")
def update_course(course_id: int):
    course = get_course_or_404(g.studio, course_id)
    form = _form(course)
    if not form.validate_on_submit():
        return _course_form_page(form, course, 422)
    return perform(lambda: save_course(g.studio, course, actor=current_user, **form.fields()),
                   lambda _c: done(_("Course saved."), url_for(".course", course_id=course.id)))


def _course_page(course, status=200):
    return render_template("certificates/manage/course.html", studio=g.studio, course=course,
                           roster=course_roster(course),
                           certificates=list_course_certificates(course), today=_today()), status


@bp.get("/certificates/<int:course_id>")
def course(course_id: int):
    return _course_page(get_course_or_404(g.studio, course_id))


@bp.post("/certificates/<int:course_id>/issue")
def issue(course_id: int):
    course = get_course_or_404(g.studio, course_id)
    form = IssueForm()
    if not form.validate_on_submit():
        return _course_page(course, 422)
    holder, _link = get_studio_customer_or_404(g.studio, form.holder_id.data)
    return perform(lambda: issuing.issue_certificate(g.studio, course, holder,
                                                     actor=current_user,
                                                     check_rule=not form.waive_rule.data),
                   lambda c: done(_("Certificate %(number)s issued.", number=c.number),
                                  url_for(".course", course_id=course.id)))


@bp.post("/certificates/<int:course_id>/issue-roster")
def issue_roster(course_id: int):
    course = get_course_or_404(g.studio, course_id)
    return perform(lambda: issuing.issue_roster(g.studio, course, actor=current_user),
                   lambda issued: done(_("%(count)s certificates issued.", count=len(issued)),
                                       url_for(".course", course_id=course.id)))


def _certificate_page(certificate, form=None, status=200):
    return render_template("certificates/manage/certificate.html", studio=g.studio,
                           certificate=certificate, form=form or RevokeForm(),
                           code=display_code(certificate.code), url=verify_url(certificate),
                           replaced_by=issuing.replaced_by(certificate), today=_today()), status


@bp.get("/certificates/issued/<int:certificate_id>")
def certificate(certificate_id: int):
    return _certificate_page(get_certificate_or_404(g.studio, certificate_id))


@bp.post("/certificates/issued/<int:certificate_id>/revoke")
def revoke(certificate_id: int):
    certificate = get_certificate_or_404(g.studio, certificate_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _certificate_page(certificate, form, 422)
    here = url_for(".certificate", certificate_id=certificate.id)
    return perform(lambda: issuing.revoke(g.studio, certificate, actor=current_user,
                                          reason=form.reason.data),
                   lambda _c: done(_("Certificate revoked."), here), back=here)


@bp.post("/certificates/issued/<int:certificate_id>/reissue")
def reissue(certificate_id: int):
    certificate = get_certificate_or_404(g.studio, certificate_id)
    return perform(lambda: issuing.reissue(g.studio, certificate, actor=current_user),
                   lambda new: done(_("Reissued as %(number)s.", number=new.number),
                                    url_for(".certificate", certificate_id=new.id)),
                   back=url_for(".certificate", certificate_id=certificate.id))


@bp.post("/certificates/issued/<int:certificate_id>/renew")
def renew(certificate_id: int):
    certificate = get_certificate_or_404(g.studio, certificate_id)
    return perform(lambda: issuing.renew(g.studio, certificate, actor=current_user),
                   lambda new: done(_("Renewed as %(number)s.", number=new.number),
                                    url_for(".certificate", certificate_id=new.id)),
                   back=url_for(".certificate", certificate_id=certificate.id))


@bp.get("/certificates/issued/<int:certificate_id>.pdf")
def certificate_pdf(certificate_id: int):
    certificate = get_certificate_or_404(g.studio, certificate_id, with_pdf=True)
    if certificate.pdf is None:
        return render_template("certificates/manage/pdf_pending.html", studio=g.studio,
                               certificate=certificate), 409
    return certificate.pdf, 200, {
        "Content-Type": "application/pdf",
        "Content-Disposition": f'attachment; filename="{certificate.number}.pdf"',
    }
