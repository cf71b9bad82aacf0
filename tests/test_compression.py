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
