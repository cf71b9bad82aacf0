"""The permissions page: a matrix of role × action read from the policies and the console's
own guards, in Arabic and English; it follows a policy when the policy changes."""

from app.studios import policies
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, staff
from tests.pages import Page, text_of

ROLES = [r.value for r in Role]  # the columns' order


def matrix_of(client, studio, lang="en") -> dict[str, list[bool]]:
    page = Page(client.get(f"/manage/{studio.slug}/staff/permissions?lang={lang}"))
    labels = [text_of(th) for th in page.all(".permissions-table tbody th")]
    cells = ["is-allowed" in td.get("class") for td in page.all(".permissions-table tbody td")]
    assert len(cells) == len(labels) * len(ROLES)
    return {label: cells[i * len(ROLES):(i + 1) * len(ROLES)]
            for i, label in enumerate(labels)}


def allowed(row: list[bool]) -> set[str]:
    return {role for role, yes in zip(ROLES, row, strict=True) if yes}


def test_the_matrix_says_what_each_role_may_do(client, app):
    studio = StudioFactory()
    login(client, staff(studio, Role.OWNER))
    rows = matrix_of(client, studio)
    assert allowed(rows["Refund payments, waive fees, give credits back"]) == {
        "owner", "studio_admin"}
    assert allowed(rows["Check customers in, add walk-ins, mark no-shows"]) == set(ROLES)
    assert allowed(rows["Find, add and edit customers"]) == {"owner", "studio_admin",
                                                            "front_desk"}
    assert allowed(rows["See orders and take payments at the desk"]) == {
        "owner", "studio_admin", "front_desk"}
    assert allowed(rows["Payment and tax settings"]) == {"owner", "studio_admin"}
    assert allowed(rows["Coach classes and keep clients' training"]) == {
        "owner", "studio_admin", "trainer_admin", "trainer"}
    assert allowed(rows["See the roster of a class someone else teaches"]) == {
        "owner", "studio_admin", "trainer_admin", "front_desk"}
    assert allowed(rows["Invite, change or remove: trainer"]) == {
        "owner", "studio_admin", "trainer_admin"}
    assert allowed(rows["Invite, change or remove: owner"]) == {"owner"}
    assert allowed(rows["Open the staff page"]) == {"owner", "studio_admin", "trainer_admin"}


def test_the_matrix_is_read_from_the_policies(client, app, monkeypatch):
    studio = StudioFactory()
    login(client, staff(studio, Role.OWNER))
    monkeypatch.setattr(policies, "DESK", policies.MANAGERS)
    rows = matrix_of(client, studio)
    assert allowed(rows["See orders and take payments at the desk"]) == {"owner",
                                                                         "studio_admin"}


def test_the_matrix_in_arabic_for_a_trainer_admin(client, app):
    studio = StudioFactory()
    login(client, staff(studio, Role.TRAINER_ADMIN))
    page = Page(client.get(f"/manage/{studio.slug}/staff/permissions?lang=ar"))
    assert page.one("html").get("dir") == "rtl"
    headers = [text_of(th) for th in page.all(".permissions-table thead th")][1:]
    assert headers == ["مالك", "مدير الاستوديو", "مدير المدربين", "مدرب", "موظف الاستقبال"]
    assert len(page.all(".permissions-table tbody tr")) >= 15
