"""Rendered fragments remembered by everything they are made of.

A template wraps a piece of HTML that many pages repeat in
`{% call fragment(*key) %}…{% endcall %}`.
The key holds every value the piece reads (the caller's), to which this adds the language and
the URL root; the body renders only when that key has not been seen. An entry is therefore
never stale: when something shown changes, the key changes, and the old entry ages out of the
LRU. Nothing needs invalidating, and a change made anywhere (another process, a worker, SQL)
shows at once.

The CSRF token is the one per-session value inside such HTML (action forms): the body renders
with a placeholder, and every answer, new or remembered, carries the session's real token.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app, g, request
from jinja2 import pass_context
from markupsafe import Markup

from app.core.i18n import current_language
from app.core.security import csrf_token

# Made per process, so no text typed into the app can spell it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"


class FragmentCache:
    """An LRU of rendered HTML holding at most `max_chars` characters (a card is ~1.5k, a
    whole week ~60k), safe across a worker's threads."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self._entries: OrderedDict[Hashable, str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, render: Callable[[], str]) -> str:
        with self._lock:
            html = self._entries.get(key)
            if html is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return html
        html = str(render())
        if len(html) > self.max_chars:  # off (0), or too big to keep
            return html
        with self._lock:
            self.misses += 1
            old = self._entries.pop(key, None)  # another thread rendered it meanwhile
            self._chars += len(html) - (len(old) if old is not None else 0)
            self._entries[key] = html
            while self._chars > self.max_chars:
                _key, dropped = self._entries.popitem(last=False)
                self._chars -= len(dropped)
        return html

    @property
    def chars(self) -> int:
        return self._chars

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = self.hits = self.misses = 0


@pass_context
def fragment(context, *key: Hashable, caller) -> Markup:
    """`{% call fragment(name, values…) %}body{% endcall %}`: the body rendered once per key."""
    cache: FragmentCache = current_app.extensions["fragments"]
    language = context.get("page_language") or current_language()  # resolved once per render
    full_key = (language, request.script_root, *key)

    def render() -> str:
        token = g.pop("csrf_token", None)
        g.csrf_token = CSRF_PLACEHOLDER  # what csrf_token() answers while the body renders
        try:
            return caller()
        finally:
            if token is None:
                g.pop("csrf_token", None)
            else:
                g.csrf_token = token

    html = cache.get(full_key, render)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, csrf_token())
    return Markup(html)


def init_app(app: Flask) -> None:
    app.extensions["fragments"] = FragmentCache(app.config["FRAGMENT_CACHE_CHARS"])
    app.jinja_env.globals["fragment"] = fragment
