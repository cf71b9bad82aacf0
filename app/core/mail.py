"""Outgoing email: SMTP when configured, otherwise (embedded runs only) a dev mailbox folder
readable in the browser from the machine it runs on."""

import ipaddress
import smtplib
import uuid
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, g


def build_message(to: str, subject: str, text: str, html: str | None = None,
                  attachments: list[tuple[str, bytes, str]] = (),
                  headers: dict[str, str] | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="fitflow.local")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, content, mimetype in attachments:
        maintype, subtype = mimetype.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg


class MailNotConfigured(RuntimeError):
    """Production without MAIL_SERVER: a message has nowhere to go."""


def send(msg: EmailMessage) -> None:
    """Deliver over SMTP, or drop the message into the dev mailbox (embedded mode).

    Raises MailNotConfigured when there is neither: the job fails and is retried, visibly."""
    cfg = current_app.config
    if cfg["MAIL_SERVER"]:
        kept = g.get(_KEPT)
        if kept is None:
            with _connect(cfg) as smtp:
                smtp.send_message(msg)
            return
        if kept.smtp is None:
            kept.smtp = _connect(cfg)
        try:
            kept.smtp.send_message(msg)
        except smtplib.SMTPResponseException:
            raise  # the server answered (and smtplib reset the transaction): still usable
        except (smtplib.SMTPException, OSError):
            # A broken connection: this message fails (and is retried on its own); the next
            # one opens a fresh connection rather than writing into a dead socket.
            kept.close()
            raise
        return
    if not cfg["MAILBOX_DIR"]:
        raise MailNotConfigured(f"MAIL_SERVER is not set: cannot send {msg['Subject']!r}")
    folder = Path(cfg["MAILBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(msg))
    current_app.logger.info("mail to %s: %s", msg["To"], msg["Subject"])


_KEPT = "fitflow_smtp_kept"


class _Kept:
    smtp: smtplib.SMTP | None = None

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _connect(cfg) -> smtplib.SMTP:
    smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10)
    try:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
    except BaseException:
        smtp.close()
        raise
    return smtp


@contextmanager
def one_connection():
    """Send the block's messages over one SMTP connection, opened by the first and closed at
    the end (a batch of reminders): the connect, TLS and login are paid once, not per message.
    Outside such a block each message has its own connection."""
    if g.get(_KEPT) is not None:  # an enclosing block keeps one already
        yield
        return
    kept = _Kept()
    setattr(g, _KEPT, kept)
    try:
        yield
    finally:
        g.pop(_KEPT, None)
        kept.close()


def read_mailbox(limit: int = 50) -> list[EmailMessage]:
    """The newest messages in the dev mailbox."""
    from email import policy
    from email.parser import BytesParser

    if not current_app.config["MAILBOX_DIR"]:
        return []
    folder = Path(current_app.config["MAILBOX_DIR"])
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)[:limit]
    return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in files]


def dev_mailbox_open(remote_addr: str | None) -> bool:
    """The dev mailbox answers in embedded runs only, and only to the machine it runs on: the
    mail it holds carries sign-in and password-reset links."""
    cfg = current_app.config
    if not cfg["DEV_MAILBOX"] or cfg["MAIL_SERVER"]:
        return False
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    # A dual-stack listener sees an IPv4 client as ::ffff:a.b.c.d.
    return (getattr(address, "ipv4_mapped", None) or address).is_loopback
