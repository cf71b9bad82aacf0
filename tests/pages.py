"""Read a rendered page as a user sees it: elements by CSS selector, their visible text.

Built on tinyhtml5 + cssselect2, which WeasyPrint already brings in.
"""

import re

import cssselect2
import tinyhtml5

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Page:
    def __init__(self, response_or_html):
        html = response_or_html
        if not isinstance(html, str):
            html = response_or_html.get_data(as_text=True)
        self.html = html
        self.root = cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(html))

    def all(self, selector: str) -> list:
        return [m.etree_element for m in self.root.query_all(selector)]

    def one(self, selector: str):
        found = self.all(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}"
        return found[0]

    def text(self, selector: str | None = None) -> str:
        """Visible text of the one element matching `selector` (whole page without one)."""
        element = self.one(selector) if selector else self.root.etree_element
        return text_of(element)

    def ids(self, selector: str) -> list[str]:
        return [e.get("id") for e in self.all(selector)]


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def csrf_token(response) -> str:
    """The token a page hands to its forms and htmx requests."""
    match = CSRF_META.search(response.get_data(as_text=True))
    assert match, "no csrf-token meta tag"
    return match.group(1)
