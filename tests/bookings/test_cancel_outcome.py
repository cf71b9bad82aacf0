"""The answer to a cancel says what happened to the credit and whether a fee is owed, in the
booking panel (htmx) and in the flash after a plain POST; the "you're booked" badge is gone."""

import pytest

from app.bookings import services as bookings
from app.memberships.services import grant_pass
from tests.conftest import login
from tests.factories import ClassFactory, PlanFactory, StudioFactory, UserFactory
from tests.pages import Page

BACK = {"en": "Cancelled — your credit is back.", "ar": "أُلغي الحجز — عاد رصيدك."}
LATE = {"en": "Late cancel — 1 credit used.", "ar": "إلغاء متأخر — استُخدم رصيد واحد."}
LATE_FEE = {"en": "Late cancel — 1 credit used, fee CA$15.00 owed at the desk.",
            "ar": "إلغاء متأخر — استُخدم رصيد واحد، ورسوم"}


def _booked(app, client, *, hours_ahead, fee=0, lang="en"):
    studio = StudioFactory(booking_requires_pass=True, late_cancel_fee_minor=fee,
                           cancel_cutoff_minutes=12 * 60)
    studio.default_location.tax_jurisdiction = "CA-ON"
    user = UserFactory(locale=lang)
    grant_pass(studio, PlanFactory(studio=studio), user)
    cls = ClassFactory(studio=studio, hours_ahead=hours_ahead)
    booking = bookings.book_class(studio, cls, user, actor=user)
    login(client, user)
    return f"/s/{studio.slug}/classes/{cls.id}/bookings/{booking.id}/cancel?lang={lang}"


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("hours_ahead, fee, said", [(48, 0, BACK), (2, 0, LATE),
                                                    (2, 1500, LATE_FEE)])
def test_the_panel_says_what_the_cancel_did(app, client, lang, hours_ahead, fee, said):
    url = _booked(app, client, hours_ahead=hours_ahead, fee=fee, lang=lang)
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    panel = Page(response)
    assert said[lang] in panel.text(".cancel-outcome")
    assert not panel.all(".badge-ok")  # "You're booked" is gone


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_plain_cancel_flashes_what_it_did(app, client, lang):
    url = _booked(app, client, hours_ahead=2, fee=1500, lang=lang)
    response = client.post(url)
    assert response.status_code == 303
    page = Page(client.get(response.headers["Location"]))
    assert LATE_FEE[lang] in page.text(".flashes")
    if lang == "en":
        assert "15.00" in page.text(".flashes")
