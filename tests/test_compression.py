"""Pages and static files go out compressed, and a repeat visit revalidates to a 304."""

import pytest


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/vendor/htmx-2.0.11.min.js", "/"])
def test_text_is_compressed_when_the_browser_accepts_it(client, path):
    plain = client.get(path)
    packed = client.get(path, headers={"Accept-Encoding": "br, gzip"})
    assert packed.headers["Content-Encoding"] in ("br", "gzip")
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.get_data()) / 2


def test_a_repeat_visit_to_a_static_file_is_a_304(client):
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    again = client.get("/static/css/app.css",
                       headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_static_urls_are_versioned_and_cached_for_a_year(client):
    from tests.pages import Page

    page = Page(client.get("/"))
    css = page.one("link[rel=stylesheet]").get("href")
    assert css.startswith("/static/css/app.css?v=")
    response = client.get(css)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]


# --- pages: revalidated by their ETag ----------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Every signature is made 10 s after the previous one (pages a second apart or more)."""
    from itertools import count

    from itsdangerous.timed import TimestampSigner

    ticks = count(1_800_000_000, 10)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: next(ticks))


@pytest.fixture
def week(app, client, clock):
    """A signed-in customer, and the studio's week with one class they can book."""
    from tests.conftest import login
    from tests.factories import ClassFactory, StudioFactory, UserFactory

    studio, customer = StudioFactory(), UserFactory()
    cls = ClassFactory(studio=studio, capacity=5)
    login(client, customer)
    return f"/s/{studio.slug}/schedule", cls


@pytest.mark.parametrize("encoding", ["br", ""])
def test_an_unchanged_page_revalidates_to_a_304(client, week, encoding):
    url, _cls = week
    headers = {"Accept-Encoding": encoding} if encoding else {}
    first = client.get(url, headers=headers)
    second = client.get(url, headers=headers)
    assert first.data == second.data  # the same bytes twice: nothing varies per request
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert {"Cookie", "HX-Request"} <= set(first.vary)
    again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == first.headers["ETag"]


def test_a_page_that_changed_is_sent_again(client, week):
    url, cls = week
    first = client.get(url)
    assert "5 spots left" in first.get_data(as_text=True)
    assert client.post(f"/s/{cls.studio.slug}/classes/{cls.id}/book",
                       headers={"HX-Request": "true"}).status_code == 200
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    assert "4 spots left" in again.get_data(as_text=True)


def test_another_customer_never_gets_a_304_for_someone_elses_page(app, client, week):
    from tests.conftest import login
    from tests.factories import UserFactory

    url, _cls = week
    mine = client.get(url)
    other = app.test_client()
    login(other, UserFactory())
    theirs = other.get(url, headers={"If-None-Match": mine.headers["ETag"]})
    assert theirs.status_code == 200  # their page carries their own CSRF token


def test_posts_and_files_with_their_own_caching_are_left_alone(client, week):
    url, cls = week
    booked = client.post(f"/s/{cls.studio.slug}/classes/{cls.id}/book",
                         headers={"HX-Request": "true"})
    assert "ETag" not in booked.headers
    css = client.get("/static/css/app.css?v=1")
    assert "no-cache" not in css.headers["Cache-Control"]


def test_the_csrf_token_is_one_per_session_and_works(client, csrf, app, clock):
    from tests.factories import ClassFactory, StudioFactory, UserFactory
    from tests.pages import csrf_token

    studio, customer = StudioFactory(), UserFactory()
    cls = ClassFactory(studio=studio)
    signed_out = csrf_token(client.get(f"/s/{studio.slug}/schedule"))
    assert csrf_token(client.get(f"/s/{studio.slug}/classes/{cls.id}")) == signed_out
    assert client.post("/login", data={"email": customer.email, "password": "secret-pass",
                                       "csrf_token": signed_out}).status_code == 303
    pages = [client.get(f"/s/{studio.slug}/schedule"),
             client.get(f"/s/{studio.slug}/classes/{cls.id}")]
    tokens = {csrf_token(page) for page in pages}
    assert len(tokens) == 1 and signed_out not in tokens  # a new session signs a new token
    booked = client.post(f"/s/{studio.slug}/classes/{cls.id}/book",
                         headers={"HX-Request": "true", "X-CSRFToken": tokens.pop()})
    assert booked.status_code == 200
    forged = client.post(f"/s/{studio.slug}/classes/{cls.id}/book",
                         headers={"HX-Request": "true", "X-CSRFToken": signed_out})
    assert forged.status_code == 400
