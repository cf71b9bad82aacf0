"""Real parts for the notification tests, all on 127.0.0.1: an SMTP server that refuses some
recipients as a real one does (5xx for a mailbox that does not exist, 4xx for "try later"),
and an SMS provider speaking Twilio's REST shape with its success and error answers."""

import base64
import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "test-auth-token"
INVALID_NUMBER = "+15005550001"  # Twilio's magic test number: 21211 invalid 'To'


class PickyInbox:
    """Accepts mail, but answers RCPT with 550 for bounce-* and 451 for later-* addresses (and
    451 once for each address in `busy_once`); `peers` is each message's client connection."""

    def __init__(self):
        self.messages = []
        self.refusals = []
        self.peers = []
        self.busy_once: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.busy_once:
            self.busy_once.discard(address)
            self.refusals.append(address)
            return "451 4.3.0 Mailbox busy, try again later"
        if address.startswith("bounce"):
            self.refusals.append(address)
            return "550 5.1.1 No such user here"
        if address.startswith("later"):
            self.refusals.append(address)
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.peers.append(session.peer)
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server(app, monkeypatch):
    """A real SMTP server the app sends to (MAIL_SERVER points at it for the test)."""
    inbox = PickyInbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", inbox.port)
    yield inbox
    controller.stop()


class SmsProvider(ThreadingHTTPServer):
    """Twilio's Messages resource: POST /2010-04-01/Accounts/{sid}/Messages.json with basic
    auth and a form body; 201 and a message sid, or Twilio's error body."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmsHandler)
        self.messages: list[dict] = []
        self.requests = 0
        self.fail_next: list[int] = []  # statuses to answer before succeeding (429, 503)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def bodies(self, number: str) -> list[str]:
        return [m["Body"] for m in self.messages if m["To"] == number]


class SmsHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        provider: SmsProvider = self.server
        provider.requests += 1
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if self.path != f"/2010-04-01/Accounts/{SID}/Messages.json":
            return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
        if self.headers.get("Authorization") != expected:
            return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
        if provider.fail_next:
            status = provider.fail_next.pop(0)
            code = 20429 if status == 429 else 20500
            return self._answer(status, {"code": code, "message": "Try later", "status": status})
        if form.get("To") == INVALID_NUMBER:
            return self._answer(400, {"code": 21211, "status": 400,
                                      "message": "The 'To' number is not a valid phone number."})
        provider.messages.append(form)
        return self._answer(201, {"sid": f"SM{len(provider.messages):032d}", "status": "queued",
                                  "to": form.get("To"), "body": form.get("Body")})


@pytest.fixture
def sms(app, monkeypatch):
    provider = SmsProvider()
    thread = threading.Thread(target=provider.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "SMS_BASE_URL", provider.url)
    monkeypatch.setitem(app.config, "SMS_ACCOUNT_SID", SID)
    monkeypatch.setitem(app.config, "SMS_AUTH_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "SMS_FROM", "+15005550006")
    yield provider
    provider.shutdown()
    provider.server_close()


@pytest.fixture
def push_service(app):
    """The local web push service (tests/push_service.py), checking our VAPID key."""
    from tests import push_service as local

    service = local.start(app.config["VAPID_PUBLIC_KEY"])
    yield service
    local.stop(service)
