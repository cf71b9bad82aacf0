from flask_babel import lazy_gettext as _l

from app.core.errors import InvalidInput


class EmptyNote(InvalidInput):
    message = _l("Write something before saving the note.")


class NoteTooLong(InvalidInput):
    message = _l("A note can be at most %(max)s characters.")
