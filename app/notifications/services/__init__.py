"""The notification service: sending (one place decides what, to whom, when and how) and each
person's preferences."""
from app.notifications.services.sending import (  # noqa: F401
    already_sent,
    deliver,
    notify,
    render_plain,
    send_email,
    send_email_to,
)
