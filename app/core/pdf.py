"""PDF rendering: the one WeasyPrint wrapper, with a fetcher that serves only our static files.

WeasyPrint is imported inside the functions, never at module level: `import weasyprint` is
slow (docs/benchmarks.md) and this module may be imported on web request paths. Render in a job.

The fetcher (`safe_fetcher`) is the only way a document reaches anything outside its HTML:
`/static/…` files of this app (read from `current_app.static_folder`, no way out of it) and
`data:` images. `file:`, every other host, `data:` of any other type: refused, and WeasyPrint
skips the resource (a warning in its log), so hostile HTML cannot read local files or reach the
network (SSRF) through `<img>`, stylesheets, `@import`, `@font-face` or SVG references.

Output is deterministic: the same HTML gives byte-identical PDFs. WeasyPrint writes no dates
unless the HTML asks for them (`<meta name="dcterms.created">`: templates give the document's
own issue date, never "now"), font subsets are named by a content hash, and the PDF file
identifier is derived from the HTML instead of being random.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import update
from werkzeug.security import safe_join

from app.core.urls import base_url_context
from app.extensions import db


class FetchRefused(ValueError):
    """A URL a PDF may not load. WeasyPrint catches it, logs it and skips the resource."""


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """`html` as PDF bytes; relative URLs resolve against `base_url` (default: BASE_URL)."""
    import weasyprint  # lazy: slow to import, needed only where PDFs are made

    base_url = base_url or current_app.config["BASE_URL"]
    document = weasyprint.HTML(string=html, base_url=base_url,
                               url_fetcher=_fetcher_class()(base_url))
    return document.write_pdf(
        pdf_identifier=hashlib.sha256(html.encode()).hexdigest()[:32].encode(),
        custom_metadata=False,  # only the standard fields (title, author, dates from <meta>)
        pdf_version="1.7",
        uncompressed_pdf=False,
    )


def render_template_pdf(template: str, *, locale: str, **context) -> bytes:
    """Render a Jinja template in `locale` (on BASE_URL, so `url_for` works in workers) as PDF."""
    return render_pdf(render_template_html(template, locale=locale, **context),
                      base_url=current_app.config["BASE_URL"])


def render_template_html(template: str, *, locale: str, **context) -> str:
    """The HTML `render_template_pdf` renders: for a render pool to turn into the same PDF."""
    with base_url_context(), force_locale(locale):
        return render_template(template, **context)


# The worker's render pool (workers/render_pool.py), when it runs one: many documents of a job
# are rendered in its children. It belongs to the process that started it (a forked process,
# such as a work-horse, cannot use its parent's children), and without it documents are
# rendered here, in this process (the web process, the quick start, tests).
_pool: tuple[int, object] | None = None


def install_render_pool(pool) -> None:
    """Use `pool` (`render_all(htmls, base_url=…)`, see workers/render_pool.py) in this
    process; None: render here again."""
    global _pool
    _pool = None if pool is None else (os.getpid(), pool)


def render_pool():
    """The render pool of this process, or None."""
    if _pool is None or _pool[0] != os.getpid():
        return None
    return _pool[1]


def store_once(row, pdf: bytes) -> bool:
    """Store a rendered document's PDF on `row` (a model with `pdf` and `pdf_sha256` columns)
    unless one is there; False if one was. One conditional UPDATE: a retried or concurrent
    render (a work-horse killed after rendering, two workers on one job) never replaces the
    PDF that was stored, and sent, first."""
    model = type(row)
    stored = db.session.execute(
        update(model).where(model.id == row.id, model.pdf.is_(None))
        .values(pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest())
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.expire(row, ["pdf", "pdf_sha256"])
    return stored


def static_path(url: str, base_url: str | None = None) -> Path:
    """The file under the static folder that `url` names, or FetchRefused.

    Accepted: `/static/x` (no host) and `<BASE_URL origin>/static/x`. Query and fragment are
    ignored; `..`, encoded separators, backslashes and NUL bytes are refused, and so is a
    symlink leading out of the static folder.
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        base = urlsplit(base_url or current_app.config["BASE_URL"])
        if (parts.scheme.lower(), parts.netloc.lower()) != (base.scheme.lower(),
                                                            base.netloc.lower()):
            raise FetchRefused(f"not this app's static files: {url[:100]}")
    static = current_app.static_url_path.rstrip("/") + "/"
    prefixes = {static}
    if base_url:  # an app mounted under a path prefix (BASE_URL …/app) serves /app/static/…
        prefixes.add(urlsplit(base_url).path.rstrip("/") + static)
    path = parts.path
    prefix = next((p for p in prefixes if path.startswith(p)), None)
    if prefix is None:
        raise FetchRefused(f"not under {current_app.static_url_path}/: {url[:100]}")
    relative = path[len(prefix):]
    if "%2f" in relative.lower() or "%5c" in relative.lower():
        raise FetchRefused(f"encoded separator: {url[:100]}")
    relative = unquote(relative)
    if not relative or "\\" in relative or "\x00" in relative:
        raise FetchRefused(f"bad static path: {url[:100]}")
    folder = os.path.realpath(current_app.static_folder)
    joined = safe_join(folder, relative)
    if joined is None:
        raise FetchRefused(f"path escapes the static folder: {url[:100]}")
    real = os.path.realpath(joined)
    if os.path.commonpath([folder, real]) != folder or not os.path.isfile(real):
        raise FetchRefused(f"no such static file: {url[:100]}")
    return Path(real)


_TYPES = {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff",
          ".woff2": "font/woff2", ".png": "image/png", ".jpg": "image/jpeg",
          ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
          ".svg": "image/svg+xml"}


def safe_fetcher(url: str, base_url: str | None = None):
    """Fetch `url` for WeasyPrint if it is one of our static files or a `data:` image.

    Returns a `weasyprint.urls.URLFetcherResponse`; raises FetchRefused for anything else.
    """
    from weasyprint.urls import URLFetcherResponse

    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        mime, body = _data_image(url)
        return URLFetcherResponse(url, body, {"Content-Type": mime})
    if scheme not in ("http", "https", ""):
        raise FetchRefused(f"scheme not allowed: {url[:100]}")
    path = static_path(url, base_url)
    mime = _TYPES.get(path.suffix.lower())
    if mime is None:
        raise FetchRefused(f"file type not served to PDFs: {url[:100]}")
    headers = {"Content-Type": f"{mime}; charset=utf-8" if mime == "text/css" else mime}
    return URLFetcherResponse(url, path.read_bytes(), headers)


def _data_image(url: str) -> tuple[str, bytes]:
    """Decode a `data:image/…` URL; every other media type is refused."""
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise FetchRefused("malformed data: URL")
    params = [p.strip().lower() for p in header.split(";")]
    mime = params[0]
    if not mime.startswith("image/") or mime not in _TYPES.values():
        raise FetchRefused(f"data: URLs are allowed for images only, not {mime[:40]!r}")
    raw = unquote_to_bytes(payload)
    body = base64.b64decode(raw, validate=False) if "base64" in params[1:] else raw
    return mime, body


@cache
def _fetcher_class():
    """A WeasyPrint URLFetcher (the type WeasyPrint 70 requires) that defers to safe_fetcher."""
    from weasyprint.urls import URLFetcher

    class SafeFetcher(URLFetcher):
        def __init__(self, base_url: str | None = None):
            super().__init__(fail_on_errors=False)  # refused resources are skipped
            self.base_url = base_url

        def fetch(self, url, headers=None):
            return safe_fetcher(url, self.base_url)  # module lookup: tests can spy on it

    return SafeFetcher
