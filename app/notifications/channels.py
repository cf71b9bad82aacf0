"""The channels' adapters. Each sends one rendered message or raises: `TemporaryFailure` (try
again later: SMTP 4xx, a refused connection, HTTP 429/5xx) or `PermanentFailure` (this address
will never work: SMTP 5xx for the recipient, an invalid number, a push subscription gone)."""
import json
import smtplib

import requests
from flask import current_app

from app.core.mail import MailNotConfigured, build_message, send


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def send_email(address: str, payload: dict, attachments=()) -> None:
    msg = build_message(address, payload["subject"], payload["text"], payload.get("html"),
                        attachments, headers=payload.get("headers") or {})
    try:
        send(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        code, reason = next(iter(exc.recipients.values()))
        _smtp_failure(code, reason)
    except smtplib.SMTPSenderRefused as exc:  # our sender, not their address
        raise TemporaryFailure(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}") from exc
    except smtplib.SMTPResponseException as exc:
        _smtp_failure(exc.smtp_code, exc.smtp_error)
    except (smtplib.SMTPException, OSError, MailNotConfigured) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def _smtp_failure(code: int, reason) -> None:
    message = f"SMTP {code} {_text(reason)}"
    if 500 <= code < 600:
        raise PermanentFailure(message)
    raise TemporaryFailure(message)


def _text(reason) -> str:
    return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)


# Twilio's error codes that blame the number itself: invalid, not a mobile, unreachable
# region, the recipient opted out.
SMS_PERMANENT_CODES = frozenset({21211, 21214, 21408, 21610, 21612, 21614})


def sms_configured() -> bool:
    cfg = current_app.config
    return bool(cfg.get("SMS_BASE_URL") and cfg.get("SMS_ACCOUNT_SID"))


def send_sms(number: str, body: str) -> str:
    """POST one message in Twilio's REST shape; the provider's message id."""
    cfg = current_app.config
    if not sms_configured():
        raise TemporaryFailure("SMS is not configured")
    sid = cfg["SMS_ACCOUNT_SID"]
    url = f"{cfg['SMS_BASE_URL'].rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    try:
        response = requests.post(url, data={"To": number, "From": cfg["SMS_FROM"], "Body": body},
                                 auth=(sid, cfg["SMS_AUTH_TOKEN"]), timeout=10)
    except requests.RequestException as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code in (200, 201):
        return (response.json() or {}).get("sid", "")
    try:
        error = response.json()
    except ValueError:
        error = {}
    message = f"HTTP {response.status_code} {error.get('code', '')} {error.get('message', '')}"
    if response.status_code == 429 or response.status_code >= 500:
        raise TemporaryFailure(message.strip())
    if error.get("code") in SMS_PERMANENT_CODES:
        raise PermanentFailure(message.strip())
    raise TemporaryFailure(message.strip())  # our account or request, not their number


# A push that waits longer than this at the push service for an offline device is dropped:
# a reminder a day late is noise.
PUSH_TTL = 12 * 3600


def send_push(subscription: dict, payload: dict) -> None:
    """Encrypt `payload` (JSON) to one browser's subscription (aes128gcm) and POST it to its
    push service with our VAPID signature."""
    from pywebpush import WebPushException, webpush  # the worker's import, not every request's

    cfg = current_app.config
    try:
        webpush(subscription, json.dumps(payload, ensure_ascii=False),
                vapid_private_key=cfg["VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": cfg["VAPID_SUBJECT"]}, ttl=PUSH_TTL, timeout=10)
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        message = f"HTTP {status} {exc.response.reason if exc.response is not None else exc}"
        if status in (404, 410):  # the browser unsubscribed or the subscription expired
            raise PermanentFailure(message) from exc
        raise TemporaryFailure(message) from exc  # 429, 5xx; or our own request (4xx)
    except requests.RequestException as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    except (ValueError, TypeError) as exc:  # keys that are no P-256 point: never deliverable
        raise PermanentFailure(f"bad subscription keys: {exc}") from exc
