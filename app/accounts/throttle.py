"""Per-account sign-in throttling: growing delays after failed passwords, whatever address
they come from.

Every attempt on an account is counted before its password is checked, atomically (a Lua
script on Redis across processes; a lock in memory for the embedded run without Redis), so
a burst of parallel guesses cannot all slip in before the count. The first FREE attempts go
through; after that each attempt must wait DELAY × 2^(n − FREE) seconds (at most MAX_DELAY)
from the previous one, and an attempt that comes too early is refused without its password
being looked at. A successful sign-in clears the count. The key is a hash of the address
typed, account or not, so the answer never tells whether an account exists.
"""

import hashlib
import threading
import time
from dataclasses import dataclass

from flask import current_app

from app.core.queues import redis_connection

FREE = 5
DELAY = 15  # seconds, doubled for every further failure
MAX_DELAY = 15 * 60
FORGET_AFTER = 24 * 3600  # a count untouched this long starts again


def clock() -> float:
    """Now, in seconds (tests move it)."""
    return time.time()


def delay_after(attempts: int) -> int:
    """Seconds an account must rest after `attempts` counted attempts."""
    if attempts < FREE:
        return 0
    return min(DELAY * 2 ** (attempts - FREE), MAX_DELAY)


@dataclass(frozen=True)
class Verdict:
    attempts: int  # counted so far, this one included when allowed
    wait: int  # seconds until the next attempt may be made; 0: this one goes ahead

    @property
    def allowed(self) -> bool:
        return self.wait == 0

    @property
    def throttling_starts(self) -> bool:
        """This attempt is the last free one: if it fails, the delays begin."""
        return self.allowed and self.attempts == FREE


def account_key(email: str) -> str:
    return "fitflow:signin:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


# KEYS[1]: the account; ARGV: now, FREE, DELAY, MAX_DELAY, FORGET_AFTER.
# Returns {attempts, wait}.
_ATTEMPT = """
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local now, free = tonumber(ARGV[1]), tonumber(ARGV[2])
if n >= free then
  local delay = math.min(tonumber(ARGV[3]) * 2 ^ (n - free), tonumber(ARGV[4]))
  if now < last + delay then
    return {n, math.ceil(last + delay - now)}
  end
end
redis.call('HSET', KEYS[1], 'n', n + 1, 't', ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return {n + 1, 0}
"""


class _Memory:
    """The embedded run's store: one process, a lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[str, tuple[int, float]] = {}

    def attempt(self, key: str, now: float) -> Verdict:
        with self.lock:
            n, last = self.counts.get(key, (0, 0.0))
            if now - last > FORGET_AFTER:
                n = 0
            wait = delay_after(n)
            if wait and now < last + wait:
                return Verdict(n, int(-(-(last + wait - now) // 1)))
            self.counts[key] = (n + 1, now)
            return Verdict(n + 1, 0)

    def clear(self, key: str) -> None:
        with self.lock:
            self.counts.pop(key, None)


def _memory() -> _Memory:
    app = current_app._get_current_object()
    return app.extensions.setdefault("fitflow_signin_throttle", _Memory())


def attempt(email: str) -> Verdict:
    """Count an attempt to sign in as `email`, or refuse it with the seconds left to wait."""
    key, now = account_key(email), clock()
    if not current_app.config["REDIS_URL"]:
        return _memory().attempt(key, now)
    script = redis_connection().register_script(_ATTEMPT)
    n, wait = script(keys=[key], args=[f"{now:.3f}", FREE, DELAY, MAX_DELAY, FORGET_AFTER])
    return Verdict(int(n), int(wait))


def clear(email: str) -> None:
    """A successful sign-in: the account's count starts again."""
    key = account_key(email)
    if not current_app.config["REDIS_URL"]:
        _memory().clear(key)
    else:
        redis_connection().delete(key)
