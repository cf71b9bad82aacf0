"""A web push service on 127.0.0.1 for the tests, checking what a real one checks: the VAPID
JWT (RFC 8292: ES256 signature by the key in `k`, `aud` its own origin, `exp` in the future and
within a day, a `sub` to contact) and a TTL; then it decrypts the aes128gcm body (RFC 8291)
with the subscription's private key, which the test holds as a browser would."""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """One browser's subscription: the endpoint and, kept by the "browser", its keys."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    received: list[dict] = field(default_factory=list)

    @property
    def keys(self) -> dict:
        public = self.private_key.public_key().public_bytes(Encoding.X962,
                                                            PublicFormat.UncompressedPoint)
        return {"p256dh": b64(public), "auth": b64(self.auth)}

    @property
    def json(self) -> dict:
        """What the page's script posts (PushSubscription.toJSON(), flattened)."""
        return {"endpoint": self.endpoint, **self.keys}


class PushService(ThreadingHTTPServer):
    def __init__(self, vapid_public_key: str):
        super().__init__(("127.0.0.1", 0), PushHandler)
        self.vapid_public_key = vapid_public_key  # the applicationServerKey subscribed with
        self.devices: dict[str, Device] = {}
        self.answers: dict[str, list[int]] = {}  # token → statuses to answer first (410, 503)
        self.refused: list[str] = []  # why requests were refused (a failing check)
        self.requests = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def subscribe(self) -> Device:
        token = b64(os.urandom(12))
        device = Device(token, f"{self.origin}/push/{token}",
                        ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.devices[token] = device
        return device

    def check(self, headers) -> dict:
        """The VAPID claims of a request, or AssertionError naming the failed check."""
        scheme, _, params = headers.get("Authorization", "").partition(" ")
        assert scheme == "vapid", "not a VAPID authorization"
        parts = dict(p.split("=", 1) for p in params.split(","))
        assert parts["k"] == self.vapid_public_key, "signed by another key than subscribed with"
        assert Vapid02.verify(headers["Authorization"]), "bad JWT signature"
        header, claims = (json.loads(unb64(p)) for p in parts["t"].split(".")[:2])
        assert header == {"typ": "JWT", "alg": "ES256"}, header
        assert claims["aud"] == self.origin, f"aud {claims['aud']}"
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600, "exp"
        assert claims["sub"].startswith(("mailto:", "https:")), "sub"
        assert headers.get("TTL", "").isdigit(), "TTL"
        assert headers.get("Content-Encoding") == "aes128gcm", "encoding"
        return claims


class PushHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        service: PushService = self.server
        service.requests += 1
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        device = service.devices.get(self.path.removeprefix("/push/"))
        if device is None:
            return self._answer(404)
        try:
            claims = service.check(self.headers)
        except (AssertionError, KeyError, ValueError) as exc:
            service.refused.append(str(exc))
            return self._answer(403)
        queued = service.answers.get(device.token)
        if queued:
            return self._answer(queued.pop(0))
        plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth,
                                 version="aes128gcm")
        device.received.append({"claims": claims, "ttl": int(self.headers["TTL"]),
                                "payload": json.loads(plain)})
        self._answer(201)


def start(vapid_public_key: str) -> PushService:
    service = PushService(vapid_public_key)
    threading.Thread(target=service.serve_forever, name="push-service", daemon=True).start()
    return service


def stop(service: PushService) -> None:
    service.shutdown()
    service.server_close()
