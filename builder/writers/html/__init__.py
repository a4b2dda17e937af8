"""The page writer: take a `Document` and a `Style`, produce one self-contained HTML page for a portal.

The page is the report as the public reads it: the same tree as the PDF and the DOCX, its figures
tagged with their keys and source cells, its tables real tables, its charts the PDF's chart drawings
as inline SVG with their numbers beside them. It loads nothing (no script, no image file, no web
font: CSS names the fonts by role), so it can be uploaded as it is or its body pasted into a
portal's editor; it reads on a phone (nothing wider than the screen but a table, which scrolls in
its own box) and prints on A4 with GB/T 9704's margins.

Modules: `page` (views of the blocks, heading ids, the contents; the Jinja templates `page.html.j2`
and `page.css.j2`), `inlines` (text and figures), `tables`, `charts` (a chart's SVG and table),
`svg` (ReportLab's SVG made inline), `css` (font stacks and the printed page from the style).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm

from builder.document import Document
from builder.style import Style
from builder.style.fonts import identity, register
from builder.writers.html.charts import Canvas
from builder.writers.html.page import page_html


def write(document: Document, style: Style, *, font_dirs: tuple[Path, ...] = ()) -> bytes:
    """The page of `document`, UTF-8; charts are drawn as the PDF draws them, in the fonts found
    for the style (from `font_dirs` first), which measure their labels."""
    fonts = register(style, font_dirs, cache=True)
    chart = style.fonts.chart
    canvas = Canvas(
        float(style.page.text_width) * float(mm),
        fonts["chart"].name,
        float(chart.size),
        float(style.chart_aspect),
        identity(fonts["chart"]),
    )
    return page_html(document, style, canvas).encode("utf-8")


__all__ = ["write"]
