"""The operator's console: every tenant, and the background work the worker still owes."""

from datetime import timedelta

import pytest
from sqlalchemy import delete

from app.billing.models import StripeEvent
from app.billing.stripe import inbox as stripe_inbox
from app.core import outbox
from app.core.db import utcnow
from app.extensions import db
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory
from tests.pages import Page, text_of

WAITING = {
    "en": ("2 jobs wait to reach the worker", "1 card payment waits to be applied",
           "No job waits to reach the worker.", "No card payment waits to be applied."),
    "ar": ("مهمتان تنتظران الوصول إلى العامل", "دفعة بطاقة واحدة تنتظر التطبيق",
           "لا توجد مهمة تنتظر الوصول إلى العامل.", "لا توجد دفعة بطاقة تنتظر التطبيق."),
}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_console_shows_jobs_and_card_payments_the_worker_still_owes(client, lang):
    # This test's own world: what other tests left waiting is set aside (rolled back after).
    db.session.execute(delete(outbox.OutboxJob).where(outbox.OutboxJob.sent_at.is_(None)))
    db.session.execute(delete(StripeEvent).where(StripeEvent.processed_at.is_(None)))
    login(client, UserFactory(is_operator=True))
    two_jobs, one_payment, no_job, no_payment = WAITING[lang]

    page = Page(client.get(f"/operator/?lang={lang}"))
    assert page.text("#jobs-waiting") == no_job and page.text("#payments-waiting") == no_payment

    studio, quiet = StudioFactory(stripe_webhook_secret="whsec_ops"), StudioFactory()
    then = utcnow() - timedelta(minutes=7)
    stripe_inbox.receive_event(studio.id, {"id": "evt_ops_1", "type": "invoice.paid",
                                            "data": {"object": {}}}, now=then)
    stripe_inbox.receive_event(studio.id, {  # deferred: it waits for a payment, not the worker
        "id": "evt_ops_2", "type": "charge.refunded", "data": {"object": {}}}, now=then)
    db.session.flush()
    db.session.execute(StripeEvent.__table__.update().where(StripeEvent.event_id == "evt_ops_2")
                       .values(waiting_for="pi:pi_ops"))
    # Their two apply jobs are written and not relayed yet: nothing has committed here.

    page = Page(client.get(f"/operator/?lang={lang}"))
    assert page.text("#jobs-waiting").startswith(two_jobs)
    assert page.text("#payments-waiting").startswith(one_payment)
    assert "7" in page.text("#payments-waiting")  # minutes the oldest has waited
    to_apply = {}  # the last column, by the row's slug
    for row in page.all("tbody tr"):
        cells = [c for c in row if c.tag.endswith("td")]
        to_apply[text_of(cells[0]).rsplit("/", 1)[1]] = text_of(cells[-1])
    assert (to_apply[studio.slug], to_apply[quiet.slug]) == ("1", "0")
