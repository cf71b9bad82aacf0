"""Per-account throttling: growing delays after failed passwords from any address, a notice
email when they begin; the per-address limit counts each account apart."""

import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts import throttle
from app.audit.models import AuditEvent
from app.extensions import db
from app.studios.models import Role
from tests.conftest import login
from tests.factories import StudioFactory, UserFactory, staff
from tests.pages import Page


class Clock:
    """throttle.clock, moved by hand."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    moved = Clock()
    monkeypatch.setattr(throttle, "clock", moved)
    return moved


def attempt(app, email, password, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, client.post("/login", data={"email": email, "password": password})


def signed_in(client) -> bool:
    return client.get("/me/bookings").status_code == 200


def test_fifty_failures_from_fifty_addresses_do_not_let_the_next_guess_in_early(app, clock):
    user = UserFactory()
    for n in range(50):
        clock.now += throttle.delay_after(n)  # each guess waits as long as it must
        _client, response = attempt(app, user.email, f"wrong-guess-{n}", f"198.51.100.{n}")
        assert response.status_code == 422, n

    # The 51st, right after, even with the right password, from a new address: refused,
    # and the password is not even looked at.
    client, response = attempt(app, user.email, "secret-pass", "192.0.2.51")
    assert response.status_code == 429
    assert "Too many failed sign-ins for this account" in Page(response).text("#password-error")
    assert not signed_in(client)

    clock.now += throttle.MAX_DELAY - 1
    assert attempt(app, user.email, "secret-pass", "192.0.2.52")[1].status_code == 429
    clock.now += 1
    client, response = attempt(app, user.email, "secret-pass", "192.0.2.53")
    assert response.status_code == 303 and signed_in(client)
    # Signed in: the count starts again.
    assert attempt(app, user.email, "wrong-again-1", "192.0.2.54")[1].status_code == 422


def test_the_delays_grow_and_start_after_five_failures(app, clock):
    user = UserFactory()
    statuses = [attempt(app, user.email, "wrong-password", "198.51.100.1")[1].status_code
                for _ in range(7)]
    assert statuses == [422] * 5 + [429, 429]
    clock.now += 15
    assert attempt(app, user.email, "wrong-password", "198.51.100.1")[1].status_code == 422
    clock.now += 29
    assert attempt(app, user.email, "secret-pass", "198.51.100.1")[1].status_code == 429
    clock.now += 1
    assert attempt(app, user.email, "secret-pass", "198.51.100.1")[1].status_code == 303
    assert [throttle.delay_after(n) for n in (4, 5, 6, 7, 20)] == [0, 15, 30, 60, 900]


@pytest.mark.parametrize("lang, words", [("en", "Try again in 1 minute"),
                                         ("ar", "حاول مجددًا بعد دقيقة واحدة")])
def test_the_refusal_is_a_translated_429(app, clock, lang, words):
    user = UserFactory()
    for _ in range(5):
        attempt(app, user.email, "wrong-password", "198.51.100.1")
    client = app.test_client()
    response = client.post(f"/login?lang={lang}",
                           data={"email": user.email, "password": "secret-pass"})
    assert response.status_code == 429
    assert words in Page(response).text("#password-error")


def test_the_owner_is_emailed_once_when_the_delays_begin(app, clock, jobs):
    user = UserFactory()
    for _ in range(7):
        clock.now += 60
        attempt(app, user.email, "wrong-password", "198.51.100.1")
    assert [(j[0], j[1]) for j in jobs] == [("workers.jobs.accounts.send_sign_in_throttled",
                                             (user.id,))]


def test_an_unknown_address_is_throttled_alike_and_mails_nobody(app, clock, jobs):
    statuses = [attempt(app, "nobody@example.com", "wrong-password", "198.51.100.1")[1]
                .status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    assert jobs == []


def test_a_neighbour_behind_the_same_address_still_signs_in(app, clock, rate_limit):
    """The per-address limit (LOGIN_LIMIT, 10 a minute) counts per account: an attacker
    hammering one account from the office's address locks out nobody else there."""
    victim, neighbour = UserFactory(), UserFactory()
    office = "203.0.113.10"
    answers = [attempt(app, victim.email, f"guess-{n}", office)[1].status_code
               for n in range(12)]
    assert answers[-1] == 429  # that account, from that address: stopped

    client, response = attempt(app, neighbour.email, "secret-pass", office)

    assert response.status_code == 303 and signed_in(client)


def test_staff_sign_ins_and_failures_are_audited_with_address_and_device(app, clock):
    coach = staff(StudioFactory(), Role.TRAINER)
    customer = UserFactory()
    agent = {"User-Agent": "Mozilla/5.0 (Android 14) Chrome/131.0 Mobile Safari/537.36"}
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    client.post("/login", headers=agent, data={"email": coach.email, "password": "nope-nope"})
    client.post("/login", headers=agent, data={"email": customer.email, "password": "nope"})
    login(client, coach)

    events = db.session.scalars(select(AuditEvent).where(  # theirs: other tests commit theirs
        AuditEvent.action.in_(["sign_in", "sign_in_failed"]),
        AuditEvent.subject.in_([f"user:{coach.id}", f"user:{customer.id}"]))
        .order_by(AuditEvent.id)).all()
    assert [(e.action, e.subject, e.data["ip"]) for e in events] == [
        ("sign_in_failed", f"user:{coach.id}", "198.51.100.9"),
        ("sign_in", f"user:{coach.id}", "198.51.100.9")]
    assert events[0].data["device"] == "Chrome · Android"


@pytest.mark.parametrize("backend", ["redis", "memory"])
def test_parallel_guesses_cannot_slip_past_the_count(app, clock, backend, monkeypatch):
    """Twenty guesses at once, from as many threads: five go ahead, the rest wait (a count
    taken after the password check would let all twenty through)."""
    if backend == "memory":
        monkeypatch.setitem(app.config, "REDIS_URL", None)
    verdicts = []
    start = threading.Barrier(20)

    def guess():
        with app.app_context():
            start.wait()
            verdicts.append(throttle.attempt("target@example.com"))

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(v.allowed for v in verdicts).count(True) == throttle.FREE
    with app.app_context():
        throttle.clear("target@example.com")


def test_the_memory_store_serves_the_embedded_run(app, clock, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    user = UserFactory()
    statuses = [attempt(app, user.email, "wrong-password", "198.51.100.1")[1].status_code
                for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    with app.test_request_context(), force_locale("en"):
        assert throttle.attempt(user.email).wait == 15
