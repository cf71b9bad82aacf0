"""Production refuses the embedded defaults: no generated secret, no derived data key, no SQLite,
no demo data, no dev mailbox. The embedded key file is its owner's alone; the dev mailbox
answers only this machine."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app import config as config_module
from app import create_app
from app.accounts.models import User
from app.config import ConfigError
from app.core.mail import MailNotConfigured, build_message, send
from app.extensions import db, limiter

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _shared_limiter_kept():
    """create_app sets up the process-wide limiter for its own app (on, its own storage); the
    rest of the suite runs with the session app's (off unless a test turns it on)."""
    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty instance folder: what the app writes there (a key, mail) is the test's."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(config_module, "INSTANCE_DIR", folder)
    return folder


@pytest.fixture
def production(app, instance, monkeypatch):
    """FITFLOW_ENV=production with every required setting; tests take one away."""
    env = {"FITFLOW_ENV": "production", "SECRET_KEY": "a-production-secret",
           "DATA_KEYS": Fernet.generate_key().decode(),
           "PASSWORD_PEPPER": "a-production-pepper-of-32-characters",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "VAPID_PRIVATE_KEY": app.config["VAPID_PRIVATE_KEY"],
           "VAPID_PUBLIC_KEY": app.config["VAPID_PUBLIC_KEY"],
           "VAPID_SUBJECT": "mailto:ops@fitflow.example"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("MAIL_SERVER", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return env


@pytest.mark.parametrize(("name", "value", "says"), [
    ("SECRET_KEY", None, "SECRET_KEY is not set"),
    ("DATA_KEYS", None, "DATA_KEYS is not set"),
    ("DATA_KEYS", "not-a-key", "DATA_KEYS: key 1 is not a Fernet key"),
    ("DATABASE_URL", None, "DATABASE_URL is not set"),
    ("DATABASE_URL", "sqlite:////tmp/fitflow.sqlite3", "DATABASE_URL points at SQLite"),
    ("PASSWORD_PEPPER", None, "PASSWORD_PEPPER is not set"),
    ("PASSWORD_PEPPER", "short-pepper", "PASSWORD_PEPPER is too short or the embedded one"),
    ("PASSWORD_PEPPER", config_module.EMBEDDED_PEPPER,
     "PASSWORD_PEPPER is too short or the embedded one"),
    ("PASSWORD_PEPPER", "a-production-secret-as-the-pepper!!", "PASSWORD_PEPPER equals SECRET_KEY"),
    ("VAPID_PRIVATE_KEY", None, "VAPID_PRIVATE_KEY is not set"),
    ("VAPID_SUBJECT", None, "VAPID_SUBJECT is not set"),
])
def test_production_refuses_to_start_without_a_required_setting(production, instance, monkeypatch,
                                                                name, value, says):
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    if "equals SECRET_KEY" in says:
        monkeypatch.setenv("SECRET_KEY", value)
    with pytest.raises(ConfigError, match=says) as refused:
        create_app()
    others = {"SECRET_KEY", "DATA_KEYS", "DATABASE_URL", "PASSWORD_PEPPER"} - {name}
    others -= set(says.split())  # "PASSWORD_PEPPER equals SECRET_KEY" names both
    assert not any(other in str(refused.value) for other in others)  # names only what is wrong
    assert not instance.exists()  # no key generated in its place


def test_production_names_every_missing_setting_at_once(production, monkeypatch):
    for name in ("SECRET_KEY", "DATA_KEYS", "DATABASE_URL", "PASSWORD_PEPPER"):
        monkeypatch.delenv(name)
    with pytest.raises(ConfigError) as refused:
        create_app()
    message = str(refused.value)
    assert all(f"{name} is not set" in message
               for name in ("SECRET_KEY", "DATA_KEYS", "DATABASE_URL", "PASSWORD_PEPPER"))


def test_production_starts_with_every_setting(production):
    app = create_app()
    assert app.config["PRODUCTION"] and app.config["SECRET_KEY"] == "a-production-secret"
    assert app.config["PASSWORD_PEPPER"] == production["PASSWORD_PEPPER"]
    assert app.config["SQLALCHEMY_DATABASE_URI"] == production["DATABASE_URL"]
    health = app.test_client().get("/healthz", base_url="https://fitflow.test")
    assert health.status_code == 200 and health.json["checks"] == {"database": "ok"}


@pytest.fixture
def open_umask():
    """umask 000: a file's mode is then only what the code asked for."""
    saved = os.umask(0)
    yield
    os.umask(saved)


def test_embedded_key_file_is_created_readable_by_its_owner_only(instance, open_umask):
    key = config_module._dev_secret()
    path = instance / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 64 and config_module._dev_secret() == key  # kept across restarts
    assert [p.name for p in instance.iterdir()] == ["secret_key"]


def test_embedded_key_file_with_wider_permissions_is_tightened(instance):
    instance.mkdir()
    (instance / "secret_key").write_text("an-older-key\n")
    (instance / "secret_key").chmod(0o644)
    assert config_module._dev_secret() == "an-older-key"
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600


def test_outside_production_the_embedded_defaults_still_apply(instance, monkeypatch):
    for name in ("FITFLOW_ENV", "SECRET_KEY", "DATA_KEYS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = config_module.from_environment()
    assert not settings["PRODUCTION"]
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'fitflow.sqlite3'}"
    assert settings["SECRET_KEY"] == (instance / "secret_key").read_text().strip()


@pytest.mark.parametrize("command",
                         [["-m", "workers"], ["-m", "flask", "--app", "wsgi", "db", "upgrade"]])
def test_worker_and_release_stop_before_doing_anything(tmp_path, command):
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "DATA_KEYS", "DATABASE_URL", "REDIS_URL"}}
    env.update(FITFLOW_ENV="production", FITFLOW_INSTANCE=str(tmp_path / "instance"))
    done = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert "ConfigError" in done.stderr and "SECRET_KEY is not set" in done.stderr
    assert not (tmp_path / "instance").exists()


def test_flask_demo_is_refused_in_production(production):
    result = create_app().test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "does not run with FITFLOW_ENV=production" in result.output
    assert db.session.scalar(select(User).where(User.email == "customer@example.com")) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.0.2", "::1", "::ffff:127.0.0.1"])
def test_dev_mailbox_shows_mail_to_this_machine(app, client, address):
    with app.test_request_context():
        send(build_message("sara@example.com", "Reset your password", "Follow the link."))
    page = client.get("/dev/mailbox", environ_base={"REMOTE_ADDR": address})
    assert page.status_code == 200 and "Reset your password" in page.get_data(as_text=True)


@pytest.mark.parametrize("address",
                         ["203.0.113.5", "10.0.0.7", "::ffff:203.0.113.5", "2001:db8::1", ""])
def test_dev_mailbox_is_not_found_from_another_machine(client, address):
    page = client.get("/dev/mailbox", environ_base={"REMOTE_ADDR": address})
    assert page.status_code == 404


def test_dev_mailbox_is_not_found_with_a_mail_server(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.com")
    assert client.get("/dev/mailbox").status_code == 404


def test_dev_mailbox_is_not_found_in_production(production):
    client = create_app().test_client()
    assert client.get("/dev/mailbox", base_url="https://fitflow.test").status_code == 404


def test_production_without_a_mail_server_fails_to_send_instead_of_filing(production, instance):
    app = create_app()
    with app.test_request_context(), pytest.raises(MailNotConfigured,
                                                   match="MAIL_SERVER is not set"):
        send(build_message("sara@example.com", "Reset your password", "Follow the link."))
    assert not instance.exists()  # nothing written where a mailbox page could show it


def test_the_product_serves_no_benchmark_routes(instance, monkeypatch):
    monkeypatch.setenv("FITFLOW_BENCH", "1")  # no environment variable turns them on
    app = create_app()
    assert not [r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/_bench")]
    assert app.test_client().get("/_bench/hello").status_code == 404
