"""A real CalDAV server (Radicale) on 127.0.0.1 for the calendar tests, one per test."""

import socket
import subprocess
import sys
import time
import uuid

import caldav
import pytest


class Radicale:
    def __init__(self, root):
        self.root = root
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.user, self.password = "coach", uuid.uuid4().hex
        (root / "users").write_text(f"{self.user}:{self.password}\n")
        (root / "config").write_text(f"""[server]
hosts = 127.0.0.1:{self.port}
[auth]
type = htpasswd
htpasswd_filename = {root / 'users'}
htpasswd_encryption = plain
[storage]
filesystem_folder = {root / 'collections'}
[logging]
level = warning
""")

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(self.root / "config")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                assert self.process.poll() is None, "Radicale exited"
                time.sleep(0.05)
        raise AssertionError("Radicale did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def client(self, password=None):
        return caldav.DAVClient(self.url, username=self.user,
                                password=password or self.password, enable_rfc6764=False,
                                timeout=10)

    def new_calendar(self, name="work"):
        with self.client() as client:
            return str(client.principal().make_calendar(name=name, cal_id=name).url)

    def events(self, calendar_url):
        """{uid: icalendar VEVENT} of everything in the calendar."""
        from icalendar import Calendar

        with self.client() as client:
            found = client.calendar(url=calendar_url).events()
            out = {}
            for item in found:
                for event in Calendar.from_ical(item.data).walk("VEVENT"):
                    out[str(event["uid"])] = event
            return out


@pytest.fixture
def radicale(tmp_path):
    server = Radicale(tmp_path).start()
    yield server
    server.stop()
