"""The data-quality pages: who may open them, the button that runs the checks, the operator's
platform-wide page, Arabic text."""

import pytest

from app.studios.models import Role
from tests.conftest import login
from tests.factories import staff
from tests.pages import Page, csrf_token
from tests.quality.helpers import desk, troubled_studio


def check_now(client, run_jobs, studio):
    response = client.post(f"/manage/{studio.slug}/data-quality/runs")
    assert response.status_code == 303
    done = run_jobs("quality")
    assert [func for func, _args, _result in done] == ["workers.jobs.quality.check_studio"]
    return client.get(response.headers["Location"])


def test_check_now_runs_the_checks_and_the_page_lists_them_with_links(client, run_jobs):
    t = troubled_studio()
    other = troubled_studio()
    login(client, t.owner)
    page = Page(client.get(f"/manage/{t.studio.slug}/data-quality"))
    assert "have not run yet" in page.text("#quality-ran-at")

    page = Page(check_now(client, run_jobs, t.studio))
    assert "5 findings" in page.text("#quality-ran-at")
    twins = page.text("#check-duplicate-customer")
    assert "Sara Ali and Sarah Ali may be the same person." in twins
    links = [a.get("href") for a in page.all("#quality-findings a")]
    assert f"/manage/{t.studio.slug}/customers/duplicates" in links
    assert f"/manage/{t.studio.slug}/classes/{t.cls.id}" in links
    assert f"/manage/{t.studio.slug}/customers/{t.pass_.customer_id}" in links
    assert f"/manage/{t.studio.slug}/certificates/{t.certificate.course_id}" in links
    assert "No invoice numbered 2 to 2 was issued" in page.text("#check-invoice-gap")
    assert t.certificate.number in page.text("#check-certificate-expiring")
    assert not any(f"/manage/{other.studio.slug}/" in href for href in links)
    assert other.certificate.number not in page.text("#quality-findings")


def test_the_page_reads_in_arabic(client, run_jobs):
    t = troubled_studio()
    login(client, t.owner)
    check_now(client, run_jobs, t.studio)
    page = Page(client.get(f"/manage/{t.studio.slug}/data-quality?lang=ar"))
    assert page.text("h1") == "جودة البيانات"
    assert "قد يكونان الشخص نفسه" in page.text("#check-duplicate-customer")


@pytest.mark.parametrize("role, status", [(Role.OWNER, 200), (Role.STUDIO_ADMIN, 200),
                                          (Role.FRONT_DESK, 404), (Role.TRAINER, 404)])
def test_owners_and_admins_only(client, role, status):
    t = troubled_studio()
    login(client, staff(t.studio, role))
    assert client.get(f"/manage/{t.studio.slug}/data-quality").status_code == status
    assert client.post(f"/manage/{t.studio.slug}/data-quality/runs").status_code in (
        {303} if status == 200 else {404})


def test_another_studios_owner_gets_404_and_the_desk_has_no_link(client):
    t, other = troubled_studio(), troubled_studio()
    login(client, other.owner)
    assert client.get(f"/manage/{t.studio.slug}/data-quality").status_code == 404
    assert client.post(f"/manage/{t.studio.slug}/data-quality/runs").status_code == 404
    client.get("/logout")
    login(client, desk(t.studio))
    page = Page(client.get(f"/manage/{t.studio.slug}/customers"))
    assert "/data-quality" not in " ".join(a.get("href") or "" for a in page.all("a"))


def test_check_now_needs_the_csrf_token(client, app, jobs):
    t = troubled_studio()
    login(client, t.owner)
    path = f"/manage/{t.studio.slug}/data-quality/runs"
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(path).status_code == 400
        assert jobs == []
        token = csrf_token(client.get(f"/manage/{t.studio.slug}/data-quality"))
        assert client.post(path, data={"csrf_token": token}).status_code == 303
        assert [j[0] for j in jobs] == ["workers.jobs.quality.check_studio"]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_operator_sees_every_studio_named(client, run_jobs):
    from app.quality.services import run_checks
    from tests.factories import UserFactory

    a, b = troubled_studio(), troubled_studio()
    run_checks(a.studio)
    run_checks(b.studio)
    operator = UserFactory(is_operator=True)
    login(client, operator)
    page = Page(client.get("/operator/data-quality"))
    text = page.text("#check-certificate-expiring")
    for t in (a, b):
        assert f"Studio {t.studio.slug}" in text and t.certificate.number in text
    login_staff = a.owner
    client.get("/logout")
    login(client, login_staff)
    assert client.get("/operator/data-quality").status_code == 404


def test_names_in_findings_are_escaped_and_isolated(client, run_jobs):
    t = troubled_studio()
    t.twins[0].name = "<b>Sara</b>"
    login(client, t.owner)
    response = check_now(client, run_jobs, t.studio)
    html = response.get_data(as_text=True)
    assert "<bdi>&lt;b&gt;Sara&lt;/b&gt;</bdi>" in html
    assert "<b>Sara</b>" not in html
