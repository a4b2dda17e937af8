"""Take a chart's ReportLab `Drawing`, produce an inline `<svg>` element for the page.

`reportlab.graphics.renderSVG` renders the very drawing the PDF embeds. It writes a stand-alone
SVG file; for a page the element is cleaned for inline use in HTML:

- text keeps its anchor (`text-anchor`) instead of a start computed with the PDF's font, so a
  centred label stays centred in whatever font the reader's browser has, and its font comes from
  the page's CSS (`inherit`), not from the name ReportLab registered the font under;
- colours are the PDF's, as `#rrggbb` (ReportLab writes whole percents);
- its `<title>` and `<desc>` are the chart's, with ids the `<svg>` is labelled by (`role="img"`);
- the file's document type, version, clip path and fixed ids go (ids would repeat in every
  chart, and an inline SVG clips to its box anyway); the view box is exact; lengths have two decimals.

ReportLab's canvas builds a minidom tree, which took most of a chart's time; this one hands it a
document that makes `xml.etree` elements instead (the few DOM calls the canvas makes:
`createElement`, `createTextNode`, `setAttribute`, `getAttribute`, `appendChild`).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from reportlab.graphics import renderSVG

_ANCHORS = {"middle": "middle", "end": "end"}  # ReportLab's anchors that SVG has too
_NUMBER = re.compile(r"(-?\d+\.\d\d)\d+")  # more than two decimals: a hundredth of a point is plenty
_UNREAD_FONT = re.compile(r"font-family: [^;]*; font-size: [^;]*; ")  # on a shape, where no text reads it


class _Node(Element):
    """An ElementTree element answering the DOM calls ReportLab's SVG canvas makes."""

    def setAttribute(self, name: str, value: str) -> None:  # the DOM's names
        self.set(name, value)

    def getAttribute(self, name: str) -> str:
        return self.get(name) or ""

    def appendChild(self, child: Any) -> Any:
        if isinstance(child, _Text):
            self.text = (self.text or "") + child.data
        elif child is not None:
            self.append(child)
        return child


class _Text:
    def __init__(self, data: str) -> None:
        self.data = data


class _Document:
    """What the canvas asks of its DOM document."""

    def createElement(self, tag: str) -> _Node:
        return _Node(tag)

    def createTextNode(self, data: str) -> _Text:
        return _Text(data)

    def createComment(self, data: str) -> None:  # the canvas makes comments and drops them
        return None


class _Canvas(renderSVG.SVGCanvas):  # type: ignore[misc]
    """ReportLab's SVG canvas on ElementTree elements, writing text at its anchor with an exact flip."""

    def __init__(self, size: tuple[float, float], **options: Any) -> None:
        super().__init__(size, **options)
        self.doc = _Document()
        self.svg = _Node("svg")
        self.groupTree = _Node("g", transform=f"scale(1,-1) translate(0,{-self.height:.2f})")
        self.svg.append(self.groupTree)
        self.currGroup = self.groupTree

    def setStrokeColor(self, color: Any) -> None:
        super().setStrokeColor(color)
        if color is not None:
            self.style["stroke"] = _hex(color)

    def setFillColor(self, color: Any) -> None:
        super().setFillColor(color)
        if color is not None:
            self.style["fill"] = _hex(color)

    def drawString(
        self,
        s: str,
        x: float,
        y: float,
        angle: float = 0,
        link_info: Any = None,
        text_anchor: str = "left",
        textRenderMode: int = 0,  # ReportLab's name
        **attrs: Any,
    ) -> None:
        anchor = _ANCHORS.get(text_anchor)
        if anchor:
            attrs["text-anchor"] = anchor
        before = len(self.currGroup)
        super().drawString(s, x, y, angle, link_info, "start", textRenderMode, **attrs)
        if len(self.currGroup) > before:
            # ReportLab flips text back upright with translate(0, %d): whole points, off by up to one
            self.currGroup[-1].set("transform", f"matrix(1 0 0 -1 0 {2 * y:.2f})")


def _hex(color: Any) -> str:
    """A ReportLab colour as `#rrggbb`: ReportLab writes whole percents, a shade off the PDF's colour."""
    red, green, blue = (max(0, min(255, round(c * 255))) for c in (color.red, color.green, color.blue))
    return f"#{red:02x}{green:02x}{blue:02x}"


def svg_markup(drawing: Any, font_name: str, title: tuple[str, str], desc: tuple[str, str], css_class: str) -> str:
    """The `<svg>` of `drawing` for an HTML page; `title` and `desc` are (id, text); text drawn in
    `font_name` takes the font of the page's CSS."""
    width, height = float(drawing.width), float(drawing.height)
    canvas = _Canvas((width, height), fontHacks={font_name: {"family": "inherit"}})
    renderSVG.draw(drawing, canvas)
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
    for child in canvas.svg:
        _clean(child)
        svg.append(child)
    return tostring(svg, encoding="unicode", method="html", short_empty_elements=False)


def _clean(element: Element) -> None:
    """`element` and its children without empty transforms, unread fonts and long decimals."""
    for node in element.iter():
        attrib = node.attrib
        for name, value in list(attrib.items()):
            if name == "transform":
                value = value.strip()
                if not value:
                    del attrib[name]
                    continue
            elif name == "style" and "font-family: " in value:
                value = _UNREAD_FONT.sub("", value)
            if "." in value:
                value = _NUMBER.sub(r"\1", value)
            attrib[name] = value
