"""Pass notices from the worker's sweep: a pass ending within seven days with something left
on it, and a pack down to its last credit; each once."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.memberships.notices import due_notices, queue_due_notices
from app.memberships.services import grant_pass
from app.notifications.services.preferences import preferences_for
from tests.factories import PlanFactory, StudioFactory, UserFactory

JOB = "workers.jobs.notifications.send_pass_notice"


def quiet_free(user):
    prefs = preferences_for(user)
    prefs.quiet_start = prefs.quiet_end = None  # quiet hours have their own tests
    return user


def test_a_pass_ending_within_a_week_is_told_once(app, ctx, jobs, run_jobs, mail_server):
    studio = StudioFactory()
    user = quiet_free(UserFactory(locale="ar"))
    pack = grant_pass(studio, PlanFactory(studio=studio, credits=5, validity_days=30), user)
    now = datetime.now(UTC)
    assert pack.id not in [p for p, _t, _k in due_notices(now)]
    pack.expires_at = now + timedelta(days=6)
    db.session.flush()
    assert (pack.id, "pass_expiring") in [(p, t) for p, t, _k in due_notices(now)]
    queue_due_notices(now)
    db.session.commit()
    run_jobs(JOB)
    (mail,) = mail_server.to(user.email)
    assert "باقة 10 حصص" in mail.get_body(("plain",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert pack.id not in [p for p, _t, _k in due_notices(now)]  # sent: not again
    # Extended: told again before its new end.
    pack.expires_at = now + timedelta(days=5)
    db.session.flush()
    assert pack.id in [p for p, _t, _k in due_notices(now)]


def test_a_used_up_pass_is_not_told_it_ends(app, ctx):
    from app.memberships.models import CreditEntry

    studio = StudioFactory()
    user = UserFactory()
    pack = grant_pass(studio, PlanFactory(studio=studio, credits=1, validity_days=30), user)
    db.session.add(CreditEntry(studio_id=studio.id, pass_id=pack.id, delta=-1, reason="booking"))
    pack.expires_at = datetime.now(UTC) + timedelta(days=3)
    db.session.flush()
    assert pack.id not in [p for p, _t, _k in due_notices()]


def test_the_last_credit_is_told_once(app, ctx, jobs, run_jobs, mail_server):
    from app.memberships.models import CreditEntry

    studio = StudioFactory()
    user = quiet_free(UserFactory())
    pack = grant_pass(studio, PlanFactory(studio=studio, credits=3, validity_days=90), user)
    db.session.add(CreditEntry(studio_id=studio.id, pass_id=pack.id, delta=-1, reason="booking"))
    db.session.flush()
    assert pack.id not in [p for p, _t, _k in due_notices()]
    db.session.add(CreditEntry(studio_id=studio.id, pass_id=pack.id, delta=-1, reason="booking"))
    db.session.flush()
    assert [(p, t) for p, t, _k in due_notices() if p == pack.id] == [(pack.id, "credits_low")]
    queue_due_notices()
    db.session.commit()
    run_jobs(JOB)
    assert [m["Subject"] for m in mail_server.to(user.email)] == ["One class left on your pass"]
    assert pack.id not in [p for p, _t, _k in due_notices()]
