"""Page or fragment: one place decides, and every answer says it varies on HX-Request."""

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block, render_blocks


def wants_fragment() -> bool:
    """A fragment only for a plain htmx request: not boosted, not a history restore."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and "HX-History-Restore-Request" not in headers
    )


def render(template: str, block: str | None = None, *, status: int = 200, oob: tuple = (),
           **context):
    """Render the page, or only `block` of it when htmx asked for a fragment; the blocks named
    in `oob` (carrying `hx-swap-oob`) go along with the fragment for out-of-band swaps."""
    if block and wants_fragment():
        body = render_blocks(template, [block, *oob], **context) if oob else \
            render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def render_fragment(template: str, block: str, *, status: int = 200, **context):
    """Render one block of a page, whatever the request (used for out-of-band swaps)."""
    response = make_response(render_block(template, block, **context), status)
    response.vary.add("HX-Request")
    return response
