"""The front desk: every customer of the studio, found as people type (Arabic too), filtered,
paged and exported; a customer's page with the studio's own record of them; customers added
without a password."""

import csv
import io
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.billing.services.orders import place_order
from app.billing.services.payments import refund_payment
from app.bookings import services
from app.bookings.models import BookingStatus
from app.core.db import utcnow
from app.extensions import db
from app.memberships.models import Pass, PlanKind
from app.studios.models import Role, StudioCustomer
from app.studios.services import ensure_customer
from tests.conftest import login
from tests.factories import (
    ClassFactory,
    PlanFactory,
    StudioFactory,
    UserFactory,
    paid_order,
    staff,
)
from tests.pages import Page, text_of
from tests.sql import Statements

HX = {"HX-Request": "true"}


def customer(studio, name, email=None, **record):
    user = UserFactory(name=name, **({"email": email} if email else {}))
    ensure_customer(studio, user)
    link = db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.studio_id == studio.id, StudioCustomer.user_id == user.id))
    for key, value in record.items():
        setattr(link, key, value)
    db.session.flush()
    return user


@pytest.fixture
def t(app, client):
    """Studio A (Riyadh) with an admin signed in and customers with Arabic and Latin names;
    Huda is a customer of studio B only."""
    a = StudioFactory(location__timezone="Asia/Riyadh", location__currency="SAR")
    b = StudioFactory()
    admin = staff(a, Role.STUDIO_ADMIN)
    people = dict(
        ahmad=customer(a, "أحمد الغامدي", phone="0551234567", tags=["VIP"]),
        sara=customer(a, "سارة القحطاني", phone="+966 50 765 4321"),
        amna=customer(a, "آمنة", email="amna@example.com"),
        jose=customer(a, "José Álvarez", email="jose@example.com", tags=["morning", "vip"]),
        huda=customer(b, "هدى", phone="0551234567"),
    )
    login(client, admin)
    return dict(a=a, b=b, admin=admin, **people)


def names(response) -> list[str]:
    return [text_of(e) for e in Page(response).all(".customer-name")]


def customers_url(t, query=""):
    return f"/manage/{t['a'].slug}/customers{query}"


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("typed, found", [
    ("احمد", "أحمد الغامدي"),          # without hamza
    ("ساره", "سارة القحطاني"),          # haa for taa marbuta
    ("امنه", "آمنة"),                   # alef for alef madda
    ("٠٥٥", "أحمد الغامدي"),            # Arabic-Indic digits of the phone
    ("٧٦٥ ٤٣٢١", "سارة القحطاني"),      # the digits as written, in two words
    ("jose alv", "José Álvarez"),       # Latin without accents
    ("AMNA@EXAMPLE", "آمنة"),           # email, any case
])
def test_typing_as_people_type_finds_the_customer(client, t, lang, typed, found):
    client.get(f"/?lang={lang}")
    response = client.get(customers_url(t), query_string={"q": typed})
    assert response.status_code == 200
    assert names(response) == [found]


def test_search_finds_nothing_for_other_names_or_other_studios(client, t):
    assert names(client.get(customers_url(t, "?q=سامر"))) == []
    assert names(client.get(customers_url(t, "?q=هدى"))) == []  # studio B's customer
    assert len(names(client.get(customers_url(t)))) == 4


def test_htmx_search_answers_the_results_fragment(client, t):
    response = client.get(customers_url(t, "?q=احمد"), headers=HX)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    body = response.get_data(as_text=True)
    assert 'id="customer-results"' in body and "<html" not in body
    assert names(response) == ["أحمد الغامدي"]


def test_a_name_change_anywhere_refreshes_the_search(client, t):
    t["jose"].name = "Joseph Alvarez"
    db.session.flush()
    assert names(client.get(customers_url(t, "?q=joseph"))) == ["Joseph Alvarez"]
    assert names(client.get(customers_url(t, "?q=josé"))) == ["Joseph Alvarez"]  # "jose" in it
    assert names(client.get(customers_url(t, "?q=álvarez"))) == ["Joseph Alvarez"]


def test_filter_by_tag_ignores_case(client, t):
    assert names(client.get(customers_url(t, "?tag=vip"))) == ["José Álvarez", "أحمد الغامدي"]
    assert names(client.get(customers_url(t, "?tag=Morning"))) == ["José Álvarez"]


def _attended(studio, user, days_ago):
    cls = ClassFactory(studio=studio)
    booking = services.book_class(studio, cls, user, actor=user)
    cls.starts_at = utcnow() - timedelta(days=days_ago)
    cls.ends_at = cls.starts_at + timedelta(hours=1)
    booking.status = BookingStatus.ATTENDED
    db.session.flush()


def test_filters_find_who_the_desk_asks_for(client, t):
    a = t["a"]
    paid_order(a, t["ahmad"])  # a 10-class pack: active
    membership, _p, _i = paid_order(a, t["sara"], kind=PlanKind.MEMBERSHIP, credits=None)
    for pass_ in db.session.scalars(select(Pass).where(Pass.order_id == membership.id)):
        pass_.expires_at = utcnow() + timedelta(days=10)  # ends within 14 days
    place_order(a, PlanFactory(studio=a, currency=a.currency), t["amna"], actor=t["amna"])
    _attended(a, t["jose"], 40)
    _attended(a, t["sara"], 0)

    def shown(query):
        return sorted(names(client.get(customers_url(t, query))))

    assert shown("?show=active") == sorted(["أحمد الغامدي", "سارة القحطاني", "آمنة"])
    assert shown("?show=ending") == ["سارة القحطاني"]
    assert shown("?show=owes") == ["آمنة"]
    assert shown("?show=idle") == sorted(["أحمد الغامدي", "آمنة", "José Álvarez"])
    today = utcnow()
    first_this_month = ["سارة القحطاني"] if today.day > 1 or today.hour >= 21 else []
    assert shown("?show=new") == first_this_month
    assert shown("?show=active&show=owes") == ["آمنة"]


def test_pages_are_bounded_and_statements_do_not_grow_with_the_page(client, t):
    few = Statements().during(lambda: client.get(customers_url(t)))
    for i in range(60):
        customer(t["a"], f"Zed {i:02d}", phone=f"05000000{i:02d}", tags=["bulk"])
    many = Statements().during(lambda: client.get(customers_url(t)))
    assert many == few
    first = client.get(customers_url(t))
    assert len(names(first)) == 50 and Page(first).all('a[rel="next"]')
    second = client.get(customers_url(t, "?page=2"))
    assert len(names(second)) == 14 and not Page(second).all('a[rel="next"]')
    for page in ("0", "-3", "99999999999999999999", "x"):
        assert client.get(customers_url(t, f"?page={page}")).status_code == 200


def test_the_csv_is_the_filtered_list_with_a_bom_and_no_formulas(client, t):
    customer(t["a"], "=HYPERLINK(\"http://evil\")", phone="+966 55 000 0000", tags=["vip"])
    response = client.get(customers_url(t, ".csv?tag=vip"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.was_streamed  # a generator, read chunk by chunk
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["name", "email", "phone"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"José Álvarez", "أحمد الغامدي", "'=HYPERLINK(\"http://evil\")"}
    assert by_name["'=HYPERLINK(\"http://evil\")"][2] == "'+966 55 000 0000"
    assert by_name["أحمد الغامدي"][5] == "VIP"


def test_bad_filters_answer_422_with_the_message(client, t):
    client.get("/?lang=ar")
    response = client.get(customers_url(t, "?q=" + "x" * 101 + "&show=nope"))
    assert response.status_code == 422
    assert Page(response).all(".field-error")


# --- a customer's page ------------------------------------------------------------------------


def page_url(t, user, tail=""):
    return f"/manage/{t['a'].slug}/customers/{user.id}{tail}"


def test_a_foreign_customer_is_a_404(client, t):
    assert client.get(page_url(t, t["huda"])).status_code == 404
    assert client.post(page_url(t, t["huda"], "/contact"), data={"phone": "0550000000"}
                       ).status_code == 404


def test_editing_contact_details_is_audited_and_stays_in_the_studio(client, t):
    b = t["b"]
    ensure_customer(b, t["ahmad"])
    form = {"phone": "٠٥٠٩٨٧٦٥٤٣", "emergency_contact": "Fahad 0500000001",
            "birth_date": "1990-04-02", "tags": "vip, morning, vip"}
    response = client.post(page_url(t, t["ahmad"], "/contact"), data=form, headers=HX)
    assert response.status_code == 200
    assert "customer-contact" in response.get_data(as_text=True)
    links = {link.studio_id: link for link in db.session.scalars(
        select(StudioCustomer).where(StudioCustomer.user_id == t["ahmad"].id))}
    mine, theirs = links[t["a"].id], links[b.id]
    assert (mine.phone, mine.birth_date, mine.tags) == ("٠٥٠٩٨٧٦٥٤٣", date(1990, 4, 2),
                                                          ["vip", "morning"])
    assert theirs.phone == "" and theirs.tags == []
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "customer.contact_changed"))
    assert event.actor_id == t["admin"].id and event.subject == f"user:{t['ahmad'].id}"
    assert set(event.data["fields"]) == {"phone", "emergency_contact", "birth_date", "tags"}
    assert names(client.get(customers_url(t, "?q=0509876"))) == ["أحمد الغامدي"]


@pytest.mark.parametrize("field, bad", [
    ("birth_date", "1850-01-01"), ("birth_date", "2999-01-01"), ("phone", "call me"),
    ("tags", ",".join(f"t{i}" for i in range(11))), ("tags", "x" * 31),
])
def test_bad_contact_details_are_a_translated_422_and_nothing_changes(client, t, field, bad):
    client.get("/?lang=ar")
    response = client.post(page_url(t, t["sara"], "/contact"), data={field: bad}, headers=HX)
    assert response.status_code == 422
    errors = [text_of(e) for e in Page(response).all(".field-error")]
    assert errors and all(any("\u0600" <= c <= "\u06ff" for c in e) for e in errors)
    db.session.expire_all()
    link = db.session.scalar(select(StudioCustomer).where(
        StudioCustomer.user_id == t["sara"].id))
    assert (link.phone, link.birth_date, link.tags) == ("+966 50 765 4321", None, [])
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "customer.contact_changed")) == 0


def test_the_totals_agree_with_the_bookings_and_the_money(client, t):
    a, ahmad, admin = t["a"], t["ahmad"], t["admin"]

    def totals():
        page = Page(client.get(page_url(t, ahmad)))
        return [text_of(e) for e in page.all(".customer-totals strong")]

    assert totals()[:2] == ["0", "0"] and "0.00" in totals()[2]
    kept, cancelled, attended = (ClassFactory(studio=a, hours_ahead=h) for h in (48, 72, 96))
    services.book_class(a, kept, ahmad, actor=ahmad)
    services.cancel_booking(a, services.book_class(a, cancelled, ahmad, actor=ahmad),
                            actor=ahmad)
    here = services.book_class(a, attended, ahmad, actor=ahmad)
    here.status = BookingStatus.ATTENDED
    order, payment, _invoice = paid_order(a, ahmad, price_minor=20000)
    assert totals()[:2] == ["2", "1"]
    refund_payment(a, payment, amount_minor=5000, actor=admin)
    second, _p, _i = paid_order(a, ahmad, price_minor=10000)
    assert "250.00" in totals()[2]  # 200 paid, 50 refunded, 100 paid
    shown = client.get(page_url(t, ahmad)).get_data(as_text=True)
    assert f"#{order.id}" in shown and f"#{second.id}" in shown


def test_notes_from_the_customer_page(client, t):
    response = client.post(page_url(t, t["sara"], "/notes"), data={"body": "تحب الحصص الصباحية"},
                           headers=HX)
    assert response.status_code == 200
    assert "تحب الحصص الصباحية" in Page(response).text("#client-notes")


def test_trainers_keep_their_client_list_but_not_the_desk(client, t):
    trainer = staff(t["a"], Role.TRAINER)
    client.post("/logout")
    login(client, trainer)
    assert client.get(customers_url(t)).status_code == 404
    assert client.get(page_url(t, t["ahmad"])).status_code == 404
    assert client.get(f"/coach/{t['a'].slug}/clients/").status_code == 200


# --- adding a customer at the desk ------------------------------------------------------------


def new_url(t):
    return f"/manage/{t['a'].slug}/customers/new"


def test_a_customer_with_a_phone_only_is_added_without_an_account(client, t, jobs):
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post(new_url(t), data={"name": "نورة العتيبي", "phone": "0561112222"})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.name == "نورة العتيبي"))
    assert user.email is None and user.password_hash is None
    assert response.headers["Location"].endswith(f"/customers/{user.id}")
    assert db.session.scalar(select(func.count()).select_from(User)) == before + 1
    assert not [j for j in jobs if "invite" in j[0]]
    assert names(client.get(customers_url(t, "?q=نوره"))) == ["نورة العتيبي"]


def test_a_customer_with_an_email_is_invited_to_finish_their_account(client, t, run_jobs,
                                                                       app, tmp_path):
    app.config["MAILBOX_DIR"] = str(tmp_path)
    response = client.post(new_url(t), data={"name": "Lina", "email": "Lina@Example.com"})
    assert response.status_code == 303
    done = run_jobs("send_customer_invite")
    assert done and done[0][2] is True
    message = next(tmp_path.glob("*.eml")).read_text()
    assert "lina@example.com" in message and "/reset/" in message


@pytest.mark.parametrize("form, reason", [
    ({"name": "Someone", "phone": "٠٥٥١٢٣٤٥٦٧"}, "same phone"),
    ({"name": "Jose", "email": "JOSE@example.com"}, "same email"),
])
def test_likely_duplicates_are_shown_before_saving(client, t, form, reason):
    before = db.session.scalar(select(func.count()).select_from(StudioCustomer))
    response = client.post(new_url(t), data=form, headers=HX)
    assert response.status_code == 409
    assert reason in Page(response).text(".duplicates")
    assert db.session.scalar(select(func.count()).select_from(StudioCustomer)) == before
    again = client.post(new_url(t), data={**form, "save_anyway": "y"})
    assert again.status_code == 303


def test_a_similar_name_with_the_same_birth_date_is_a_duplicate(client, t):
    link = db.session.scalar(select(StudioCustomer).where(StudioCustomer.user_id == t["sara"].id))
    link.birth_date = date(1995, 5, 5)
    db.session.flush()
    response = client.post(new_url(t), data={"name": "ساره القحطانى", "phone": "0599999999",
                                             "birth_date": "1995-05-05"})
    assert response.status_code == 409
    different = client.post(new_url(t), data={"name": "Mona", "phone": "0599999998",
                                               "birth_date": "1995-05-05"})
    assert different.status_code == 303


@pytest.mark.parametrize("form", [
    {"name": "Nobody"},                                   # neither phone nor email
    {"name": "", "phone": "0561112222"},
    {"name": "Bad mail", "email": "not-an-email"},
    {"name": "Old", "phone": "0561112223", "birth_date": "1800-01-01"},
])
def test_bad_new_customers_are_a_translated_422_and_nothing_is_written(client, t, form):
    client.get("/?lang=ar")
    before = db.session.scalar(select(func.count()).select_from(User))
    response = client.post(new_url(t), data=form, headers=HX)
    assert response.status_code == 422
    errors = [text_of(e) for e in Page(response).all(".field-error")]
    assert errors and all(any("\u0600" <= c <= "\u06ff" for c in e) for e in errors)
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_the_console_navigation_links_to_customers(client, t):
    with force_locale("ar"):
        label = _("Customers")
    client.get("/?lang=ar")
    page = Page(client.get(f"/manage/{t['a'].slug}/"))
    assert label in [text_of(a) for a in page.all("nav a")]
