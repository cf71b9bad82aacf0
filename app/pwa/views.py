from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.i18n import text_direction

bp = Blueprint("pwa", __name__)


@bp.get("/manifest.<lang>.webmanifest")
def manifest(lang: str):
    if lang not in current_app.config["LANGUAGES"]:
        lang = "en"
    with force_locale(lang):
        response = jsonify(
            name=_("FitFlow"), short_name=_("FitFlow"),
            description=_("Book classes, train with your coach, keep your passes in one place."),
            lang=lang, dir=text_direction(), start_url=url_for("studios.index", lang=lang),
            scope="/", display="standalone", background_color="#f8fafc", theme_color="#0f766e",
            icons=[{"src": url_for("static", filename="icons/icon.svg"), "sizes": "any",
                    "type": "image/svg+xml", "purpose": "any maskable"}],
        )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/sw.js")
def service_worker():
    """Served from the root so its scope is the whole site."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.mimetype = "text/javascript"
    return response


@bp.get("/offline/<lang>")
def offline(lang: str):
    """The page the service worker shows when the network is gone (cached per language)."""
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    with force_locale(lang):
        return render_template("offline.html")


# Pages of one person or one studio's staff: never indexed (robots.txt and a meta tag).
PRIVATE_PREFIXES = ("/me/", "/coach/", "/manage/", "/operator/", "/dev/", "/reset", "/verify",
                    "/feeds/", "/c/", "/webhooks/")


@bp.app_context_processor
def robots_context():
    return {"private_prefixes": PRIVATE_PREFIXES}


@bp.get("/robots.txt")
def robots_txt():
    """Search engines may read the public schedule and class pages, nothing private."""
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in PRIVATE_PREFIXES), ""]
    response = current_app.response_class("\n".join(lines), mimetype="text/plain")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response
