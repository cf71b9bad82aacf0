"""The console's courses and certificates, the public check at /c/<code> and the holder's own
page: bad input is a 422 that writes nothing, another studio's ids are 404s, unknown codes say
nothing, the check needs no sign-in and is rate-limited."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.certificates.models import Certificate, Course
from app.certificates.services import issuing
from app.extensions import db
from app.studios.models import Role
from tests.certificates.helpers import booked, check_in_all, course_world, customer
from tests.conftest import login
from tests.factories import staff
from tests.pages import Page, csrf_token


def course_form(class_type_id, **overrides) -> dict:
    return {"name_en": "Lifeguard", "name_ar": "منقذ", "class_type_id": str(class_type_id),
            "rule": "count", "min_sessions": "2", "final_class_id": "0",
            "title_en": "Lifeguard certificate", "title_ar": "شهادة منقذ",
            "validity_months": "24", "signatory_name": "Huda", "signatory_title": "Coach",
            "language": "holder", "auto_issue": "y", **overrides}


def courses_of(studio):
    return db.session.scalars(select(Course).where(Course.studio_id == studio.id)).all()


def test_a_manager_defines_a_course_and_edits_it(client):
    studio, manager, existing, classes = course_world()
    login(client, manager)
    type_id = classes[0].class_type_id
    response = client.post(f"/manage/{studio.slug}/certificates", data=course_form(type_id))
    assert response.status_code == 303
    course = [c for c in courses_of(studio) if c.id != existing.id][0]
    assert (course.name, course.min_sessions, course.validity_months) == (
        {"en": "Lifeguard", "ar": "منقذ"}, 2, 24)
    page = Page(client.get(response.headers["Location"]))
    assert "Lifeguard" in page.text("h1")

    form = Page(client.get(f"/manage/{studio.slug}/certificates/{course.id}/edit"))
    assert form.one("#min_sessions").get("value") == "2"
    response = client.post(f"/manage/{studio.slug}/certificates/{course.id}",
                           data=course_form(type_id, rule="final", min_sessions="",
                                            final_class_id=str(classes[1].id)))
    assert response.status_code == 303
    db.session.refresh(course)
    assert (course.min_sessions, course.final_class_id) == (None, classes[1].id)
    assert "Lifeguard" in Page(client.get(f"/manage/{studio.slug}/certificates")).text("table")


@pytest.mark.parametrize("overrides, field", [
    ({"name_en": "", "name_ar": ""}, "name_en"),
    ({"class_type_id": "0"}, "class_type_id"),
    ({"min_sessions": "0"}, "min_sessions"),
    ({"min_sessions": "99999999999"}, "min_sessions"),
    ({"min_sessions": ""}, "min_sessions"),
    ({"rule": "final"}, "final_class_id"),
    ({"validity_months": "-1"}, "validity_months"),
    ({"validity_months": "241"}, "validity_months"),
    ({"language": "fr"}, "language"),
    ({"signatory_name": "x" * 121}, "signatory_name"),
])
def test_bad_course_input_is_422_with_a_message_and_nothing_saved(client, overrides, field):
    studio, manager, existing, classes = course_world()
    login(client, manager)
    response = client.post(f"/manage/{studio.slug}/certificates",
                           data={**course_form(classes[0].class_type_id), **overrides})
    assert response.status_code == 422
    assert Page(response).all(f"#{field}-error .field-error"), response.get_data(as_text=True)
    assert len(courses_of(studio)) == 1


def test_another_studios_class_type_or_class_is_refused(client):
    studio, manager, _, _ = course_world()
    _, _, _, foreign = course_world()
    login(client, manager)
    response = client.post(f"/manage/{studio.slug}/certificates",
                           data=course_form(foreign[0].class_type_id))
    assert response.status_code == 422
    response = client.post(f"/manage/{studio.slug}/certificates",
                           data=course_form(0, class_ids=str(foreign[0].id)))
    assert response.status_code == 422
    assert len(courses_of(studio)) == 1


def test_staff_issue_from_the_roster_and_revoke_with_a_reason(client, run_jobs):
    studio, manager, course, classes = course_world(auto_issue=False, min_sessions=2)
    person = customer(name="Nour")
    check_in_all(studio, booked(studio, classes[:2], person), manager)
    db.session.commit()
    login(client, manager)
    page = Page(client.get(f"/manage/{studio.slug}/certificates/{course.id}"))
    assert "Nour" in page.text(f"#person-{person.id}")
    response = client.post(f"/manage/{studio.slug}/certificates/{course.id}/issue",
                           data={"holder_id": str(person.id)})
    assert response.status_code == 303
    certificate = db.session.scalar(select(Certificate).where(Certificate.holder_id == person.id))
    run_jobs()
    pdf = client.get(f"/manage/{studio.slug}/certificates/issued/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    path = f"/manage/{studio.slug}/certificates/issued/{certificate.id}/revoke"
    assert client.post(path, data={"reason": ""}).status_code == 422
    assert client.post(path, data={"reason": "x" * 301}).status_code == 422
    db.session.refresh(certificate)
    assert certificate.revoked_at is None
    assert client.post(path, data={"reason": "Paid with a stolen card"}).status_code == 303
    db.session.refresh(certificate)
    assert certificate.revoked_reason == "Paid with a stolen card"
    page = Page(client.get(f"/manage/{studio.slug}/certificates/issued/{certificate.id}"))
    assert "Revoked" in page.text("main")


def test_a_roster_issue_button_issues_to_all_who_completed(client):
    studio, manager, course, classes = course_world(auto_issue=False, min_sessions=1)
    people = [customer() for _ in range(3)]
    for person in people:
        check_in_all(studio, booked(studio, classes[:1], person), manager)
    db.session.commit()
    login(client, manager)
    response = client.post(f"/manage/{studio.slug}/certificates/{course.id}/issue-roster",
                           follow_redirects=True)
    assert "3 certificates issued" in Page(response).text()
    assert db.session.scalar(select(func.count()).select_from(Certificate)
                             .where(Certificate.course_id == course.id)) == 3


def test_issuing_to_someone_who_is_not_the_studios_customer_is_404(client):
    studio, manager, course, _ = course_world(auto_issue=False)
    stranger = customer()
    db.session.commit()
    login(client, manager)
    response = client.post(f"/manage/{studio.slug}/certificates/{course.id}/issue",
                           data={"holder_id": str(stranger.id), "waive_rule": "y"})
    assert response.status_code == 404


def test_another_studios_course_and_certificate_are_404(client):
    studio, manager, _, _ = course_world()
    other, other_manager, other_course, _ = course_world(auto_issue=False)
    theirs = issuing.issue_certificate(other, other_course, customer(), actor=other_manager,
                                       check_rule=False)
    db.session.commit()
    login(client, manager)
    base = f"/manage/{studio.slug}/certificates"
    for path in (f"{base}/{other_course.id}", f"{base}/{other_course.id}/edit",
                 f"{base}/issued/{theirs.id}", f"{base}/issued/{theirs.id}.pdf"):
        assert client.get(path).status_code == 404, path
    for path in (f"{base}/{other_course.id}", f"{base}/{other_course.id}/issue-roster",
                 f"{base}/issued/{theirs.id}/revoke", f"{base}/issued/{theirs.id}/reissue",
                 f"{base}/issued/{theirs.id}/renew"):
        assert client.post(path, data={"reason": "because"}).status_code == 404, path
    db.session.refresh(theirs)
    assert theirs.revoked_at is None
    # Nor does a trainer of the studio reach its console.
    trainer = staff(studio, Role.TRAINER)
    db.session.commit()
    client.post("/logout")
    login(client, trainer)
    assert client.get(base).status_code == 404


def test_console_posts_need_the_csrf_token(client, app):
    studio, manager, course, classes = course_world(auto_issue=False)
    login(client, manager)
    path = f"/manage/{studio.slug}/certificates/{course.id}/issue-roster"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(path).status_code == 400
        token = csrf_token(client.get(f"/manage/{studio.slug}/certificates/{course.id}"))
        assert client.post(path, data={"csrf_token": token}).status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def issued(days_valid=None, revoked=False, **kwargs):
    studio, manager, course, _ = course_world(auto_issue=False)
    certificate = issuing.issue_certificate(studio, course, customer(name="Layla Haddad",
                                                                     email="layla@example.com"),
                                            actor=manager, check_rule=False)
    if days_valid is not None:
        certificate.issued_on = date.today() - timedelta(days=400)
        certificate.expires_on = date.today() + timedelta(days=days_valid)
    if revoked:
        issuing.revoke(studio, certificate, actor=manager, reason="secret internal reason")
    db.session.commit()
    return studio, certificate


def test_anyone_checks_a_valid_certificate_without_signing_in(client):
    studio, certificate = issued()
    for code in (certificate.code, certificate.code.lower(),
                 f"{certificate.code[:4]}-{certificate.code[4:]}"):
        response = client.get(f"/c/{code}")
        assert response.status_code == 200
    page = Page(response)
    main = page.text("main")
    assert "Valid" in main and "Layla Haddad" in main and "First aid course" in main
    assert f"Studio {studio.slug}" in main and certificate.number in main
    assert "layla@example.com" not in response.get_data(as_text=True)
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_an_expired_certificate_says_when(client):
    _studio, certificate = issued(days_valid=-3)
    main = Page(client.get(f"/c/{certificate.code}")).text("main")
    assert "Expired on" in main and "Valid" not in main.split("Expired")[0]


def test_a_revoked_certificate_says_revoked_and_not_why(client):
    _studio, certificate = issued(revoked=True)
    response = client.get(f"/c/{certificate.code}?lang=ar")
    page = Page(response)
    assert page.one("html").get("lang") == "ar"
    assert "secret internal reason" not in response.get_data(as_text=True)
    assert "Layla Haddad" in page.text("main")


def test_an_unknown_code_is_a_plain_404(client):
    issued()
    unknown = client.get("/c/ABCDEFGH")
    malformed = client.get("/c/'%20OR%201=1")
    missing_page = client.get("/no-such-page")
    assert unknown.status_code == malformed.status_code == 404
    assert Page(unknown).text("main") == Page(missing_page).text("main")


def test_the_check_is_rate_limited(client, rate_limit, app):
    _studio, certificate = issued()
    app.config["CERTIFICATE_CHECK_LIMIT"] = "3 per minute"
    try:
        answers = [client.get(f"/c/{certificate.code}").status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        assert client.get("/c/ZZZZZZZZ").status_code == 429  # guessing is limited too
    finally:
        app.config["CERTIFICATE_CHECK_LIMIT"] = "20 per minute;200 per hour"


def test_my_certificates_lists_mine_with_pdfs_and_nobody_elses(client, run_jobs):
    studio, manager, course, _ = course_world(auto_issue=False, validity_months=1)
    me, other = customer(name="Me"), customer(name="Other")
    mine = issuing.issue_certificate(studio, course, me, actor=manager, check_rule=False)
    theirs = issuing.issue_certificate(studio, course, other, actor=manager, check_rule=False)
    db.session.commit()
    login(client, me)
    assert client.get(f"/me/certificates/{mine.id}.pdf").status_code == 409  # being prepared
    run_jobs()
    page = Page(client.get("/me/certificates"))
    assert page.ids(".booking-row") == [f"certificate-{mine.id}"]
    assert "First aid course" in page.text(f"#certificate-{mine.id}")
    pdf = client.get(f"/me/certificates/{mine.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/me/certificates/{theirs.id}.pdf").status_code == 404
    client.post("/logout")
    assert client.get("/me/certificates").status_code in (302, 303)
