"""The studio profile: names, contact, about, terms and privacy (shown at sign-up in the
studio and when buying), and a logo checked by its bytes, SVG cleaned, served from our origin."""

import io

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.core import images
from app.extensions import db
from app.studios.models import Role, Studio
from tests.conftest import login
from tests.factories import PlanFactory, StudioFactory, staff
from tests.pages import Page

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
EVIL_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(https://evil.example/x.css);</style>
  <foreignObject><iframe src="https://evil.example"/></foreignObject>
  <a xlink:href="javascript:alert(3)"><rect width="5" height="5"/></a>
  <use href="https://evil.example/sprite.svg#x"/>
  <circle cx="5" cy="5" r="4" fill="url(https://evil.example/p)" stroke="#0f766e"/>
  <path d="M0 0L10 10" fill="url(#grad)"/>
</svg>"""

PROFILE = {"name_ar": "نادي العليا", "name_en": "Olaya Club", "contact_email": "hi@olaya.sa",
           "contact_phone": "+966 11 000 0000", "website": "https://olaya.sa",
           "about_ar": "نادٍ للياقة", "about_en": "A fitness club",
           "terms_ar": "لا استرداد بعد ٢٤ ساعة", "terms_en": "No refunds after 24 hours.",
           "privacy_ar": "", "privacy_en": "We keep your bookings for a year."}


@pytest.fixture
def studio(app):
    return StudioFactory()


@pytest.fixture
def owner(client, studio):
    user = staff(studio, Role.OWNER)
    login(client, user)
    return user


def test_the_profile_is_saved_audited_and_its_terms_shown_at_sign_up_and_purchase(
        client, studio, owner):
    response = client.post(f"/manage/{studio.slug}/settings/profile", data=PROFILE)
    assert response.status_code == 303
    db.session.refresh(studio)
    assert studio.name == {"ar": "نادي العليا", "en": "Olaya Club"}
    assert studio.terms == {"ar": "لا استرداد بعد ٢٤ ساعة", "en": "No refunds after 24 hours."}
    assert (studio.contact_email, studio.website) == ("hi@olaya.sa", "https://olaya.sa")
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.studio_id == studio.id)) == "studio.profile_changed"

    PlanFactory(studio=studio)
    shop = Page(client.get(f"/s/{studio.slug}/plans?lang=en"))
    assert "No refunds after 24 hours." in shop.text(".studio-terms")
    client.post("/logout")
    signup = Page(client.get(f"/signup?next=/s/{studio.slug}/schedule&lang=ar"))
    terms = signup.text(".studio-terms")
    assert "لا استرداد بعد ٢٤ ساعة" in terms and "We keep your bookings" in terms
    assert not Page(client.get("/signup?next=/me/bookings")).all(".studio-terms")


@pytest.mark.parametrize("change, message", [
    ({"name_ar": "", "name_en": ""}, "أدخل اسم الاستوديو"),
    ({"contact_email": "not-an-email"}, "البريد"),
    ({"website": "javascript:alert(1)"}, "https://"),
])
def test_a_bad_profile_is_a_translated_422_that_writes_nothing(client, studio, owner, change,
                                                                message):
    before = dict(studio.name)
    response = client.post(f"/manage/{studio.slug}/settings/profile?lang=ar",
                           data=dict(PROFILE, **change))
    assert response.status_code == 422
    assert message in Page(response).text("main"), Page(response).text("main")
    db.session.refresh(studio)
    assert studio.name == before and studio.terms == {}


def upload(client, studio, data: bytes, filename: str, lang="en"):
    return client.post(f"/manage/{studio.slug}/settings/logo?lang={lang}",
                       data={"logo": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_a_png_logo_is_served_from_our_origin_with_its_own_type(client, studio, owner):
    assert upload(client, studio, PNG, "logo.svg").status_code == 303  # the bytes decide
    db.session.refresh(studio)
    url = f"/s/{studio.slug}/logo/{studio.logo_version}"
    assert url in Page(client.get(f"/s/{studio.slug}/schedule")).html
    served = client.get(url)
    assert (served.status_code, served.mimetype, served.data) == (200, "image/png", PNG)
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/s/{studio.slug}/logo/0000").status_code == 404  # an old version


def test_an_svg_logo_keeps_its_shapes_and_loses_everything_that_runs_or_loads(client, studio,
                                                                               owner):
    assert upload(client, studio, EVIL_SVG, "logo.svg").status_code == 303
    logo = db.session.scalar(select(Studio.logo).where(Studio.id == studio.id))
    text = logo.decode()
    for gone in ("script", "alert", "onload", "evil.example", "foreignObject", "style",
                 "javascript"):
        assert gone not in text, gone
    assert "<circle" in text and 'stroke="#0f766e"' in text and 'fill="url(#grad)"' in text
    db.session.refresh(studio)
    assert client.get(f"/s/{studio.slug}/logo/{studio.logo_version}").mimetype == \
        "image/svg+xml"


@pytest.mark.parametrize("data, message", [
    (b"<html><script>alert(1)</script></html>", "يجب أن يكون الشعار صورة"),
    (PNG + b"\x00" * (512 * 1024), "أكبر من 512"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>', "تعذرت قراءة"),
])
def test_a_file_that_is_not_a_small_image_is_refused_in_arabic(client, studio, owner, data,
                                                                message):
    response = upload(client, studio, data, "logo.png", lang="ar")
    assert response.status_code == 422
    assert message in Page(response).text("main"), Page(response).text("main")
    db.session.refresh(studio)
    assert studio.logo_version == ""


def test_sniffing_goes_by_the_bytes_not_the_name():
    assert images.sniff(PNG) == images.PNG
    assert images.sniff(b"\xff\xd8\xff\xe0rest") == images.JPEG
    assert images.sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") == images.SVG
    assert images.sniff(b"GIF89a") is None
