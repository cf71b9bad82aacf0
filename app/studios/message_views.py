"""Studio console: the studio's own message texts (/manage/<studio>/settings/messages): the
kinds of message it may reword; per kind and language a subject and body in place of the
default (shown with sample data), checked on save, previewed, and reset to the default.
Owners and studio admins."""

from flask import abort, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.htmx import render
from app.core.lifecycle import done, perform
from app.notifications.forms import MessageTextForm
from app.notifications.services.texts import default_of, preview_of
from app.notifications.texts import (
    EDITABLE,
    LANGUAGES,
    list_saved,
    placeholders_of,
    saved_text,
)
from app.studios.console import console_blueprint
from app.studios.policies import can_manage_studio
from app.studios.services.messages import reset_message_text, save_message_text

bp = console_blueprint("studios_messages", __name__, require=can_manage_studio)
PAGE = "studios/manage/messages.html"


def _kind_and_lang(lang_needed: bool = True) -> tuple[str, str | None]:
    kind, lang = request.args.get("kind", ""), request.args.get("language")
    if kind not in EDITABLE or (lang_needed and lang not in LANGUAGES):
        abort(404)
    return kind, lang


def _editor(kind: str, lang: str, form=None) -> dict:
    """One language's part of a kind's page: its form, the default, whether it is custom."""
    saved = saved_text(g.studio.id, kind, lang)
    if form is None:
        form = MessageTextForm(kind, formdata=None, prefix=lang, obj=saved)
    return {"lang": lang, "form": form, "custom": saved is not None,
            "default": default_of(kind, g.studio, lang)}


def _page(kind: str | None = None, status: int = 200, *, block: str | None = None, **edited):
    """The page (the kinds, and one kind's editors when chosen), or one editor's fragment."""
    editors = [edited.get(lang) or _editor(kind, lang) for lang in LANGUAGES] if kind else []
    return render(PAGE, block, studio=g.studio, kinds=EDITABLE, kind=kind, editors=editors,
                  editor=next(iter(edited.values()), None),
                  placeholders=placeholders_of(kind) if kind else (),
                  custom={(t.kind, t.locale) for t in list_saved(g.studio.id)}, status=status)


@bp.get("/settings/messages")
def messages():
    kind = request.args.get("kind")
    if kind is not None and kind not in EDITABLE:
        abort(404)
    return _page(kind)


@bp.post("/settings/messages")
def save_message():
    kind, lang = _kind_and_lang()
    form = MessageTextForm(kind, prefix=lang)
    if not form.validate_on_submit():
        return _page(kind, 422, **{lang: _editor(kind, lang, form)})
    return perform(lambda: save_message_text(g.studio, kind, lang, subject=form.subject.data,
                                             body=form.body.data, actor=current_user),
                   lambda _saved: done(_("Message text saved."),
                                       url_for(".messages", kind=kind)))


@bp.post("/settings/messages/preview")
def preview_message():
    kind, lang = _kind_and_lang()
    form = MessageTextForm(kind, prefix=lang)
    editor = _editor(kind, lang, form)
    valid = form.validate_on_submit()
    if valid:
        editor["preview"] = preview_of(kind, g.studio, lang, form.subject.data, form.body.data)
    return _page(kind, 200 if valid else 422, block="message_editor", **{lang: editor})


@bp.post("/settings/messages/reset")
def reset_message():
    kind, lang = _kind_and_lang()
    return perform(lambda: reset_message_text(g.studio, kind, lang, actor=current_user),
                   lambda _reset: done(_("Back to the default text."),
                                       url_for(".messages", kind=kind)))
