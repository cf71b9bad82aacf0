"""Where a request comes from, as people and the audit log name it: the device (from the user
agent), the address, and an approximate place (the address's network prefix).

No GeoIP database is bundled: the "place" is the /24 (IPv4) or /48 (IPv6) network, which is
enough to tell "my phone at home" from "a network I have never used" without storing the
exact address on the session list.
"""

import ipaddress
import re
from dataclasses import dataclass

from flask import has_request_context, request

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser/", "Samsung Internet"),
             ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"), ("CriOS/", "Chrome"),
             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"),
            ("CrOS", "ChromeOS"), ("Linux", "Linux"))
_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def describe_device(user_agent: str | None) -> str:
    """"Chrome on Android", "Safari on iPhone"; the first 60 printable characters of an agent
    it does not know; "" for none."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or _PRINTABLE.sub("", agent)[:60]


def network_of(address: str | None) -> str:
    """The address's network: 203.0.113.0/24, 2001:db8:1::/48; "" for none or garbage."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class Origin:
    """Who is asking, as far as the request tells: handed to services that record it."""

    address: str = ""
    device: str = ""

    @property
    def place(self) -> str:
        return network_of(self.address)

    def as_audit(self) -> dict:
        return {"ip": self.address, "device": self.device}


def request_origin() -> Origin:
    """The origin of the current request (an empty one outside a request: jobs, the CLI)."""
    if not has_request_context():
        return Origin()
    return Origin(address=request.remote_addr or "",
                  device=describe_device(request.headers.get("User-Agent")))
