"""Take a chart's ReportLab `Drawing`, produce an inline `<svg>` element for the page.

`reportlab.graphics.renderSVG` renders the very drawing the PDF embeds; what it writes is a
stand-alone SVG file, so the element is cleaned for inline use in HTML:

- text keeps its anchor (`text-anchor`) instead of a start computed with the PDF's font, so a
  centred label stays centred in whatever font the reader's browser has, and its font comes from
  the page's CSS (`inherit`), not from the name ReportLab registered the font under;
- its `<title>` and `<desc>` are the chart's, with ids the `<svg>` is labelled by (`role="img"`);
- the file's document type, version, clip path and fixed ids go (ids repeat in every file, and
  an inline SVG clips to its box anyway); the view box is exact; lengths have two decimals.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml.ElementTree import fromstring
from reportlab.graphics import renderSVG

SVG_NS = "{http://www.w3.org/2000/svg}"
_ANCHORS = {"middle": "middle", "end": "end"}  # ReportLab's anchors that SVG has too
_NUMBER = re.compile(r"(-?\d+\.\d\d)\d+")  # more than two decimals: a hundredth of a point is plenty
_DEFAULT_FONT = re.compile(r"font-family: [^;]*; font-size: [^;]*; ")  # on shapes, where no text reads it
_DROPPED_STYLE = re.compile(r"\s*clip-path: url\(#clip\)")


class _Canvas(renderSVG.SVGCanvas):  # type: ignore[misc]
    """ReportLab's SVG canvas, writing text at its anchor with an exact flip."""

    def drawString(
        self,
        s: str,
        x: float,
        y: float,
        angle: float = 0,
        link_info: Any = None,
        text_anchor: str = "left",
        textRenderMode: int = 0,
        **attrs: Any,
    ) -> None:
        anchor = _ANCHORS.get(text_anchor)
        if anchor:
            attrs["text-anchor"] = anchor
        before = len(self.currGroup.childNodes)
        super().drawString(s, x, y, angle, link_info, "start", textRenderMode, **attrs)
        if len(self.currGroup.childNodes) > before:
            # ReportLab flips text back upright with translate(0, %d): whole points, off by up to one
            self.currGroup.childNodes[-1].setAttribute("transform", f"matrix(1 0 0 -1 0 {2 * y:.2f})")


def svg_markup(drawing: Any, font_name: str, title: tuple[str, str], desc: tuple[str, str], css_class: str) -> str:
    """The `<svg>` of `drawing` for an HTML page; `title` and `desc` are (id, text); text drawn in
    `font_name` takes the font of the page's CSS."""
    canvas = _Canvas((drawing.width, drawing.height), fontHacks={font_name: {"family": "inherit"}})
    renderSVG.draw(drawing, canvas)
    root = canvas.svg
    for node in list(root.childNodes):  # the placeholders `...` and the clip path
        if node.nodeType == node.ELEMENT_NODE and node.tagName in ("title", "desc", "clipPath"):
            root.removeChild(node)
    source = root.toxml()
    source = _DEFAULT_FONT.sub("", _NUMBER.sub(r"\1", source))
    parsed = fromstring(_DROPPED_STYLE.sub("", source))
    return _inline(parsed, drawing.width, drawing.height, title, desc, css_class)


def _inline(
    parsed: Element, width: float, height: float, title: tuple[str, str], desc: tuple[str, str], css_class: str
) -> str:
    svg = Element(
        "svg",
        {
            "class": css_class,
            "role": "img",
            "aria-labelledby": f"{title[0]} {desc[0]}",
            "viewBox": f"0 0 {width:.2f} {height:.2f}",
            "width": f"{width:.2f}",
            "height": f"{height:.2f}",
        },
    )
    SubElement(svg, "title", {"id": title[0]}).text = title[1]
    SubElement(svg, "desc", {"id": desc[0]}).text = desc[1]
    for child in parsed:
        svg.append(_plain(child))
    return tostring(svg, encoding="unicode", method="html", short_empty_elements=False)


def _plain(element: Element) -> Element:
    """`element` and its children without the SVG namespace (an inline SVG is in it by its parser),
    without ReportLab's fixed ids and empty transforms."""
    out = Element(element.tag.removeprefix(SVG_NS))
    for name, value in element.attrib.items():
        if name == "id" or (name == "transform" and not value.strip()):
            continue
        out.set(name, value.strip() if name == "transform" else value)
    out.text, out.tail = element.text, element.tail
    for child in element:
        out.append(_plain(child))
    return out
