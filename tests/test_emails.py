"""Every email renders in the recipient's language, with working absolute links."""

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from app.bookings import services
from app.bookings.services import cancel_class
from app.core.mail import read_mailbox
from app.extensions import db
from app.studios.models import WaitlistMode
from tests.factories import ClassFactory, StudioFactory, UserFactory


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_booking_emails_in_the_customers_language(app, ctx, run_jobs, lang):
    studio = StudioFactory(waitlist_mode=WaitlistMode.CLAIM)
    cls = ClassFactory(studio=studio, capacity=1)
    first, second = UserFactory(locale=lang), UserFactory(locale=lang)
    booked = services.book_class(studio, cls, first, actor=first)
    services.book_class(studio, cls, second, actor=second)
    services.cancel_booking(studio, booked, actor=first)  # second is offered the spot
    db.session.commit()
    run_jobs("send_offer")
    cancel_class(studio, cls, actor=first)  # second's offer is cancelled with the class
    db.session.commit()
    run_jobs("send_class_cancelled")
    mails = {m["Subject"]: m for m in read_mailbox() if m["To"] == second.email}
    with force_locale(lang):
        offer, cancelled = _("A spot is free for you: claim it"), _("Your class has been cancelled")
    assert set(mails) == {offer, cancelled}
    body = mails[offer].get_body(("plain",)).get_content()
    assert f"http://fitflow.test/s/{studio.slug}/classes/{cls.id}" in body
    assert ("القوة" if lang == "ar" else "Strength") in body
    html = mails[cancelled].get_body(("html",)).get_content()
    assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in html


def test_verification_and_reset_emails(app, ctx, run_jobs):
    user = UserFactory(locale="ar", email_verified_at=None)
    from app.core.jobs import enqueue_after_commit

    enqueue_after_commit("workers.jobs.accounts.send_verification", user.id)
    enqueue_after_commit("workers.jobs.accounts.send_password_reset", user.email)
    db.session.commit()
    run_jobs()
    bodies = [m.get_body(("plain",)).get_content() for m in read_mailbox() if m["To"] == user.email]
    assert any("/verify/" in b for b in bodies) and any("/reset/" in b for b in bodies)


def test_the_text_part_and_subject_are_plain_text_and_the_html_part_escaped(app, ctx):
    from app.notifications.services import send_email

    user = UserFactory(name="Siobhán O'Brien <b>&</b>", locale="en")
    send_email(user, "password_reset", link="http://fitflow.test/reset/x?a=1&b=2")
    (mail,) = [m for m in read_mailbox() if m["To"] == user.email]
    text = mail.get_body(("plain",)).get_content()
    assert "Siobhán O'Brien <b>&</b>" in text and "&#39;" not in text and "&amp;" not in text
    assert "http://fitflow.test/reset/x?a=1&b=2" in text
    html = mail.get_body(("html",)).get_content()
    assert "O&#39;Brien &lt;b&gt;&amp;&lt;/b&gt;" in html and "<b>&</b>" not in html
