"""What a child of the worker's render pool runs (workers/render_pool.py).

The pool's fork server imports this module once, so the app is built, WeasyPrint imported and
its fonts loaded there, before any child exists; each child is then forked from the server
already warm and renders its first document at once (a child started afresh spends seconds on
imports and the app before its first page).
"""

from app import create_app
from app.core.pdf import render_pdf

APP = create_app()

# The fonts and the stylesheet every document uses, loaded once in the fork server.
_WARM = ('<html lang="ar" dir="rtl"><head><link rel="stylesheet" href="/static/css/pdf.css">'
         '</head><body><p>فاتورة ضريبية · Tax invoice 123</p></body></html>')
with APP.app_context():
    render_pdf(_WARM, base_url=APP.config["BASE_URL"])


def serve(conn) -> None:
    """Render each HTML the pool sends, answering with the PDF or the error, until the pool
    sends None (a retired child) or goes away."""
    with APP.app_context():
        while True:
            try:
                task = conn.recv()
            except EOFError:
                return
            if task is None:
                return
            html, base_url = task
            try:
                conn.send((True, render_pdf(html, base_url=base_url)))
            except Exception as exc:  # the pool raises it in the job, with the child alive
                conn.send((False, f"{type(exc).__name__}: {exc}"))
