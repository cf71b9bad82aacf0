"""Uploaded images: what a file really is (by its bytes, never its name), and SVG cleaned down
to shapes, so an image served from our own origin can never carry a script."""

import re
import xml.etree.ElementTree as ET

PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"

# Shapes, text and paint servers; nothing that runs, loads, embeds or animates.
_ELEMENTS = {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
             "text", "tspan", "defs", "lineargradient", "radialgradient", "stop", "title",
             "desc", "clippath", "mask", "use", "symbol"}
_ATTRIBUTES = {"id", "class", "viewbox", "width", "height", "x", "y", "x1", "x2", "y1", "y2",
               "cx", "cy", "r", "rx", "ry", "d", "points", "fill", "fill-opacity", "fill-rule",
               "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
               "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "opacity",
               "transform", "offset", "stop-color", "stop-opacity", "gradientunits",
               "gradienttransform", "spreadmethod", "fx", "fy", "clip-path", "clip-rule", "mask",
               "font-family", "font-size", "font-weight", "text-anchor", "dx", "dy",
               "preserveaspectratio", "version", "href", "xml:space", "direction",
               "dominant-baseline", "letter-spacing", "clippathunits", "maskunits"}
# A paint or reference may only point inside the file: url(#id), never url(http:…).
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


class NotAnImage(ValueError):
    """The bytes are not a PNG, a JPEG or an SVG we can clean."""


def sniff(data: bytes) -> str | None:
    """The image type of `data` from its first bytes: PNG, JPEG, SVG (XML with an <svg> root
    element), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096].lower():
        return SVG
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def clean_svg(data: bytes) -> bytes:
    """The SVG with only shapes, text and paint left: no script, style, foreign object, event
    handler, external link or entity. NotAnImage when it is not a well-formed SVG."""
    lowered = data.lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise NotAnImage("DTDs and entities are refused")  # no entity expansion, ever
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise NotAnImage(str(exc)) from None
    if root.tag not in (f"{{{_SVG_NS}}}svg", "svg"):
        raise NotAnImage("the root element is not <svg>")
    _clean(root)
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _clean(element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or _local(child.tag) not in _ELEMENTS:
            element.remove(child)
        else:
            _clean(child)
    for name, value in list(element.attrib.items()):
        local = _local(name)
        if name.startswith("{http://www.w3.org/XML/1998/namespace}"):
            local = "xml:" + local
        allowed = local in _ATTRIBUTES and not _EXTERNAL_URL.search(value)
        if local == "href":
            allowed = value.strip().startswith("#")
        if not allowed:
            del element.attrib[name]
