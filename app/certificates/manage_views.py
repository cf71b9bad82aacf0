"""The studio console's courses and certificates (/manage/<studio>/certificates…) and its
staff's qualifications (/manage/<studio>/qualifications…)."""

from flask import abort, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.certificates.forms import (
    CourseForm,
    IssueForm,
    QualificationForm,
    RevokeForm,
    StaffQualificationForm,
)
from app.certificates.queries import (
    certificate_counts,
    class_choices,
    course_roster,
    get_certificate_or_404,
    get_course_or_404,
    get_qualification_or_404,
    get_staff_qualification_or_404,
    list_course_certificates,
    list_courses,
    list_qualifications,
    list_staff_qualifications,
    requirements,
)
from app.certificates.services import issuing, qualifications
from app.certificates.services.courses import save_course
from app.certificates.services.documents import display_code, verify_url
from app.core.db import utcnow
from app.core.i18n import translated
from app.core.lifecycle import done, perform
from app.schedule.queries import list_class_types
from app.studios.console import console_blueprint
from app.studios.policies import can_manage_studio
from app.studios.queries import get_studio_customer_or_404, list_coaches

bp = console_blueprint("certificates_manage", __name__, require=can_manage_studio)
EXPIRING_DAYS = 60  # the console lists staff qualifications running out this soon


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


# --- staff qualifications ---------------------------------------------------------------------

def _qualification_form(qualification=None) -> QualificationForm:
    studio = g.studio
    choices = {"class_types": [(ct.id, translated(ct.name, studio.default_language))
                               for ct in list_class_types(studio)],
               "courses": [(c.id, translated(c.name, studio.default_language))
                           for c in list_courses(studio)]}
    if qualification is not None and request.method != "POST":
        return QualificationForm.for_qualification(
            qualification, requirements(studio).get(qualification.id, []),
            [c.id for c in list_courses(studio) if c.qualification_id == qualification.id],
            **choices)
    return QualificationForm(**choices)


def _staff_form() -> StaffQualificationForm:
    studio = g.studio
    return StaffQualificationForm(
        staff=[(u.id, u.name) for u in list_coaches(studio)],
        qualifications=[(q.id, translated(q.name, studio.default_language))
                        for q in list_qualifications(studio)])


def _qualifications_page(status=200, **forms):
    studio = g.studio
    return render_template(
        "certificates/manage/qualifications.html", studio=studio,
        qualifications=list_qualifications(studio), required=requirements(studio),
        class_types={ct.id: ct for ct in list_class_types(studio)},
        courses=list_courses(studio), held=list_staff_qualifications(studio),
        expiring=qualifications.expiring(studio, _today(), EXPIRING_DAYS),
        days=EXPIRING_DAYS, today=_today(),
        kind_form=forms.get("kind_form") or _qualification_form(),
        staff_form=forms.get("staff_form") or _staff_form()), status


@bp.get("/qualifications")
def qualifications_page():
    return _qualifications_page()


@bp.post("/qualifications")
def create_qualification():
    form = _qualification_form()
    if not form.validate_on_submit():
        return _qualifications_page(422, kind_form=form)
    return perform(lambda: qualifications.save_qualification(g.studio, actor=current_user,
                                                             **form.fields()),
                   lambda _q: done(_("Qualification saved."), url_for(".qualifications_page")))


@bp.get("/qualifications/<int:qualification_id>/edit")
def edit_qualification(qualification_id: int):
    qualification = get_qualification_or_404(g.studio, qualification_id)
    return render_template("certificates/manage/qualification_form.html", studio=g.studio,
                           qualification=qualification,
                           form=_qualification_form(qualification))


@bp.post("/qualifications/<int:qualification_id>")
def update_qualification(qualification_id: int):
    qualification = get_qualification_or_404(g.studio, qualification_id)
    form = _qualification_form(qualification)
    if not form.validate_on_submit():
        return render_template("certificates/manage/qualification_form.html",
                               studio=g.studio, qualification=qualification, form=form), 422
    return perform(lambda: qualifications.save_qualification(g.studio, qualification,
                                                             actor=current_user,
                                                             **form.fields()),
                   lambda _q: done(_("Qualification saved."), url_for(".qualifications_page")))


@bp.post("/qualifications/staff")
def record_staff_qualification():
    form = _staff_form()
    if not form.validate_on_submit():
        return _qualifications_page(422, staff_form=form)
    kind = get_qualification_or_404(g.studio, form.qualification_id.data)
    person = next(u for u in list_coaches(g.studio) if u.id == form.user_id.data)
    return perform(lambda: qualifications.record_staff_qualification(
        g.studio, kind, person, actor=current_user, expires_on=form.expires_on.data,
        reference=form.reference.data or "", scan=form.scanned),
        lambda _h: done(_("Qualification recorded."), url_for(".qualifications_page")))


@bp.get("/qualifications/staff/<int:held_id>/scan")
def staff_qualification_scan(held_id: int):
    held = get_staff_qualification_or_404(g.studio, held_id, with_scan=True)
    if held.scan is None:
        abort(404)
    extension = {"application/pdf": "pdf", "image/png": "png"}.get(held.scan_type, "jpg")
    return held.scan, 200, {
        "Content-Type": held.scan_type,
        "Content-Disposition": f'attachment; filename="qualification-{held.id}.{extension}"',
        "Cache-Control": "private, no-store",
    }


@bp.post("/qualifications/staff/<int:held_id>/withdraw")
def withdraw_staff_qualification(held_id: int):
    held = get_staff_qualification_or_404(g.studio, held_id)
    return perform(lambda: qualifications.withdraw_staff_qualification(g.studio, held,
                                                                       actor=current_user),
                   lambda _h: done(_("Qualification withdrawn."),
                                   url_for(".qualifications_page")))
