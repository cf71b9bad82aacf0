"""Outgoing email: SMTP when configured, otherwise a dev mailbox folder readable in the browser."""

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app


def build_message(to: str, subject: str, text: str, html: str | None = None,
                  attachments: list[tuple[str, bytes, str]] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="fitflow.local")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content, mimetype in attachments:
        maintype, subtype = mimetype.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg


def send(msg: EmailMessage) -> None:
    """Deliver over SMTP, or drop the message into the dev mailbox (embedded mode)."""
    cfg = current_app.config
    if cfg["MAIL_SERVER"]:
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        return
    folder = Path(cfg["MAILBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
    current_app.logger.info("mail to %s: %s", msg["To"], msg["Subject"])


def read_mailbox(limit: int = 50) -> list[EmailMessage]:
    """The newest messages in the dev mailbox."""
    from email import policy
    from email.parser import BytesParser

    folder = Path(current_app.config["MAILBOX_DIR"])
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in files]
