"""Settings from the environment (12-factor), with embedded defaults for local runs.

Without DATABASE_URL the app uses a SQLite file under instance/; without REDIS_URL jobs run
inline in the web process. With FITFLOW_ENV=production (every Procfile process) there are no
embedded defaults for secrets and storage: a missing SECRET_KEY, DATA_KEYS, PASSWORD_PEPPER or
PostgreSQL DATABASE_URL stops the app before it serves anything.
"""

import base64
import os
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

INSTANCE_DIR = Path(os.environ.get("FITFLOW_INSTANCE",
                                   Path(__file__).resolve().parent.parent / "instance"))

# The pepper of embedded runs (the quick start, tests): public, so production refuses it.
EMBEDDED_PEPPER = "fitflow-embedded-pepper-for-local-runs-only"
PEPPER_MIN_LENGTH = 32


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """The environment lacks a setting production cannot run without."""


def from_environment() -> dict:
    """Build the configuration mapping from environment variables.

    Raises ConfigError in production when a required setting is missing or unsafe."""
    production = os.environ.get("FITFLOW_ENV") == "production"
    if production:
        _check_production()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'fitflow.sqlite3'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    redis_url = os.environ.get("REDIS_URL") or None
    redis_timeout = float(os.environ.get("REDIS_TIMEOUT", "2"))
    secure_cookies = _bool("SESSION_COOKIE_SECURE", production)
    return {
        "PRODUCTION": production,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _dev_secret(),
        # Fernet keys for third-party secrets at rest, newest first (embedded: from SECRET_KEY).
        "DATA_KEYS": os.environ.get("DATA_KEYS") or None,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # pre-ping: a pooled connection that PostgreSQL dropped (restart, pg_terminate_backend)
        # is replaced on checkout instead of failing the next request.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "DB_APPLICATION_NAME": "fitflow-web",  # workers: fitflow-worker; + ":<pid>" per process
        "REDIS_URL": redis_url,
        "JOBS_INLINE": redis_url is None,
        # A failed job runs again after 10 s, 1 min, 5 min (a killed work-horse too).
        "JOBS_RETRY_INTERVALS": [10, 60, 300],
        # Redis away or hanging: give up after this many seconds (the page answers 503).
        "REDIS_TIMEOUT": redis_timeout,
        # A coach's CalDAV server that does not answer within this many seconds is a failed
        # sync, tried again later (app/calendars/services/sync.py).
        "CALDAV_TIMEOUT": float(os.environ.get("CALDAV_TIMEOUT", "15")),
        # The job outbox (app/core/outbox.py): backlog rows sent per relay after a commit, the
        # pause after a failed relay, and the worker's relay loop period and retention of sent rows.
        "OUTBOX_RELAY_AFTER_COMMIT": False,  # `python -m workers --burst` sets it (no loop)
        "OUTBOX_RELAY_INTERVAL": float(os.environ.get("OUTBOX_RELAY_INTERVAL", "2")),
        # Once woken, the relay takes the commits of this many seconds more as one batch.
        "OUTBOX_RELAY_GATHER": float(os.environ.get("OUTBOX_RELAY_GATHER", "0.05")),
        "OUTBOX_KEEP_DAYS": 7,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": redis_timeout,
                                      "socket_timeout": redis_timeout} if redis_url else {},
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_SECURE": secure_cookies,
        # __Host-: the browser keeps it only if Secure, for this host alone (no Domain), on
        # path /, so a sibling subdomain can neither read nor plant it.
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Flask-Login's remember-me cookie is never set (login_user without remember); one sent
        # anyway names a session record like the session cookie and dies with it.
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        # How many proxies in front set X-Forwarded-For/-Proto/-Host (werkzeug's ProxyFix);
        # 0: none, the peer address is the client's (docs/operations.md).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent
                                             / "translations"),
        "LANGUAGES": ["en", "ar"],
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "FitFlow <no-reply@fitflow.local>"),
        # Embedded runs without MAIL_SERVER write mail here, and /dev/mailbox shows it to this
        # machine; production has no mailbox (sending without MAIL_SERVER fails).
        "MAILBOX_DIR": None if production else str(INSTANCE_DIR / "mailbox"),
        "DEV_MAILBOX": not production and not os.environ.get("MAIL_SERVER"),
        # SMS in Twilio's REST shape (POST {base}/2010-04-01/Accounts/{sid}/Messages.json); no
        # base URL: no SMS channel.
        "SMS_BASE_URL": os.environ.get("SMS_BASE_URL") or None,
        "SMS_ACCOUNT_SID": os.environ.get("SMS_ACCOUNT_SID") or None,
        "SMS_AUTH_TOKEN": os.environ.get("SMS_AUTH_TOKEN") or None,
        "SMS_FROM": os.environ.get("SMS_FROM", "FitFlow"),
        # Web push (VAPID, RFC 8292): our key pair (base64url: the raw 32-byte private key, the
        # uncompressed public point the browser subscribes with) and whom push services may
        # contact about us. Embedded runs generate the private key once per instance folder.
        **_vapid_settings(),
        # Seconds between a notification's tries after a temporary failure; then it failed.
        "NOTIFY_RETRY_DELAYS": [60, 300, 1800, 7200],
        "PASSWORD_HASH": {},  # argon2 parameters; tests make hashing cheap
        # HMAC key applied to every password before argon2 (app/core/security.py). Kept apart
        # from SECRET_KEY and the database: rotating SECRET_KEY must not void every password.
        # Changing it voids every password hashed with it (reset by email).
        "PASSWORD_PEPPER": os.environ.get("PASSWORD_PEPPER") or EMBEDDED_PEPPER,
        # Customers' sessions end after this many days without a request, and this many in all
        # whatever their use (staff: 30 minutes, 12 hours; app/accounts/models.py).
        "CUSTOMER_SESSION_IDLE_DAYS": int(os.environ.get("CUSTOMER_SESSION_IDLE_DAYS", "30")),
        "CUSTOMER_SESSION_DAYS": int(os.environ.get("CUSTOMER_SESSION_DAYS", "90")),
        "TOKEN_MAX_AGE": {"verify": 3 * 24 * 3600, "reset": 3600, "email": 24 * 3600},
        "LOGIN_LIMIT": os.environ.get("LOGIN_LIMIT", "10 per minute;50 per hour"),
        # The strength meter per address: a person typing (debounced) stays far below it.
        "STRENGTH_LIMIT": os.environ.get("STRENGTH_LIMIT", "120 per minute"),
        # The public certificate check (/c/<code>) per address: a person checking a few papers
        # passes, a script walking codes does not.
        "CERTIFICATE_CHECK_LIMIT": os.environ.get("CERTIFICATE_CHECK_LIMIT",
                                                  "20 per minute;200 per hour"),
        # Rendered pieces remembered per process by all they show (app/core/fragments.py), up to
        # this many characters of HTML (16M: ~32 MB per process); 0: off.
        "FRAGMENT_CACHE_CHARS": int(os.environ.get("FRAGMENT_CACHE_CHARS", str(16 * 2**20))),
        # The RQ worker's niceness: background jobs yield the CPU to web requests (workers/).
        "WORKER_NICE": int(os.environ.get("WORKER_NICE", "10")),
        # The worker's PDF render pool (workers/render_pool.py): children rendering a print
        # run's documents side by side, each replaced after so many renders (WeasyPrint's memory
        # grows with each render in a process); 0 children: render in the job's own process.
        "PDF_RENDER_PROCESSES": int(os.environ.get("PDF_RENDER_PROCESSES", "2")),
        "PDF_RENDERS_PER_CHILD": int(os.environ.get("PDF_RENDERS_PER_CHILD", "20")),
        "BOOKING_LOCK_TIMEOUT_MS": int(os.environ.get("BOOKING_LOCK_TIMEOUT_MS", "3000")),
        # How far ahead a series without an end has its classes made (workers/jobs/schedule.py).
        "SERIES_WEEKS_AHEAD": int(os.environ.get("SERIES_WEEKS_AHEAD", "8")),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Responses are compressed by the app (Flask-Compress): pages, fragments, CSS, JS, SVG.
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                               "application/json", "application/manifest+json", "image/svg+xml"],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        # Also the passkeys' relying party (its host) and origin: WebAuthn refuses an IP
        # address, so the quick start's address is localhost, not 127.0.0.1.
        "BASE_URL": os.environ.get("BASE_URL", "http://localhost:5000"),
        # Operators, owners and studio admins set up and pass a second step before their
        # console. Only the tests of other features turn it off.
        "SECOND_STEP_FOR_STAFF": True,
        # A request body larger than this is refused with 413 before it is read (forms, the
        # webhook); an upload that needs more sets its own limit on its route.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(2**20))),
        "MAX_FORM_MEMORY_SIZE": 2**20,
        # Another Stripe-compatible API (tests, a local mock); None: Stripe itself.
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
    }


def _check_production() -> None:
    """Refuse the embedded defaults: a generated key, a key derived from it, the embedded
    pepper, a SQLite file."""
    problems = []
    if not os.environ.get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set: set it to a long random string "
                        "(python -c 'import secrets; print(secrets.token_hex(32))')")
    pepper = os.environ.get("PASSWORD_PEPPER", "")
    if not pepper:
        problems.append("PASSWORD_PEPPER is not set: set it to a long random string of its "
                        "own (python -c 'import secrets; print(secrets.token_hex(32))')")
    elif len(pepper) < PEPPER_MIN_LENGTH or pepper == EMBEDDED_PEPPER:
        problems.append(f"PASSWORD_PEPPER is too short or the embedded one: set it to at least "
                        f"{PEPPER_MIN_LENGTH} random characters")
    elif pepper == os.environ.get("SECRET_KEY"):
        problems.append("PASSWORD_PEPPER equals SECRET_KEY: give it a value of its own")
    data_keys = [k.strip() for k in os.environ.get("DATA_KEYS", "").split(",") if k.strip()]
    if not data_keys:
        problems.append("DATA_KEYS is not set: set it to one or more comma-separated Fernet keys, "
                        "newest first (python -c 'from cryptography.fernet import Fernet; "
                        "print(Fernet.generate_key().decode())')")
    for number, key in enumerate(data_keys, 1):
        try:
            Fernet(key)
        except ValueError:
            problems.append(f"DATA_KEYS: key {number} is not a Fernet key "
                            "(32 url-safe base64 bytes)")
    for name in ("VAPID_PRIVATE_KEY", "VAPID_PUBLIC_KEY", "VAPID_SUBJECT"):
        if not os.environ.get(name):
            problems.append(f"{name} is not set: web push needs the studio platform's own VAPID "
                            "keys and contact (docs/notifications.md)")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url:
        problems.append("DATABASE_URL is not set: set it to the PostgreSQL database "
                        "(postgresql+psycopg://user:password@host/name)")
    elif database_url.startswith("sqlite"):
        problems.append("DATABASE_URL points at SQLite: set it to the PostgreSQL database "
                        "(postgresql+psycopg://user:password@host/name)")
    if problems:
        raise ConfigError("FITFLOW_ENV=production refuses to start:\n  " + "\n  ".join(problems))


def _dev_secret() -> str:
    """A per-checkout secret for embedded runs, kept in instance/ so sessions survive restarts.

    Readable by its owner only: whoever reads it can sign sessions as any user."""
    return _instance_secret("secret_key", lambda: os.urandom(32).hex())


def _vapid_settings() -> dict:
    private = os.environ.get("VAPID_PRIVATE_KEY") or _instance_secret(
        "vapid_private_key", _new_vapid_private_key)
    return {"VAPID_PRIVATE_KEY": private,
            "VAPID_PUBLIC_KEY": os.environ.get("VAPID_PUBLIC_KEY") or vapid_public_key(private),
            "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", "mailto:no-reply@fitflow.local")}


def _new_vapid_private_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return _b64(key.private_numbers().private_value.to_bytes(32, "big"))


def new_vapid_keys() -> str:
    """A fresh VAPID key pair as environment lines (docs/notifications.md)."""
    private = _new_vapid_private_key()
    return f"VAPID_PRIVATE_KEY={private}\nVAPID_PUBLIC_KEY={vapid_public_key(private)}"


def vapid_public_key(private: str) -> str:
    """The public key (uncompressed P-256 point, base64url) of a raw base64url private key."""
    raw = base64.urlsafe_b64decode(private + "=" * (-len(private) % 4))
    key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    return _b64(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _instance_secret(name: str, make) -> str:
    path = INSTANCE_DIR / name
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        # Created with its final mode (never world-readable) under a temporary name, then
        # linked into place: processes starting together (gunicorn's workers) all read the
        # one complete key that won.
        temporary = INSTANCE_DIR / f".{name}.{os.urandom(6).hex()}"
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            with os.fdopen(fd, "w") as file:
                file.write(make())
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()
