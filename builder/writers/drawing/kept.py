"""A chart's drawing kept between builds (`builder.caches.kept`), as ReportLab's plain shapes.

Building a chart's `Drawing` and expanding its widgets (axes, bars, labels, legend) into shapes is
half of drawing a chart into the PDF, and a reprint changes few charts. A drawing is kept with
every widget replaced by the shapes it provides, pickled; it is read back by an unpickler that
admits nothing but classes of ReportLab's shapes, colours and attribute checks, so an entry can
hold no code. The key is everything the drawing depends on: the chart node, the width, aspect,
font and size, the font files' identity and ReportLab's version. A kept drawing is read back
whether it was just made or found, so what is drawn is the same either way.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import reportlab
from reportlab.graphics.shapes import Group, UserNode

from builder import caches
from builder.document import Chart
from builder.writers.drawing.charts import drawing

_ADMITTED = ("reportlab.graphics.shapes", "reportlab.lib.colors", "reportlab.lib.attrmap", "reportlab.lib.validators")


def kept_drawing(chart: Chart, width: float, *, font: str, font_size: float, aspect: float, font_files: str) -> Any:
    """`charts.drawing` of the same arguments, expanded to plain shapes; `font_files` names the files
    behind `font` (`builder.style.fonts.identity`)."""
    key = repr((chart, width, font, font_size, aspect, font_files, reportlab.Version))

    def make() -> bytes:
        return pickle.dumps(expanded(drawing(chart, width, font=font, font_size=font_size, aspect=aspect)), protocol=5)

    try:
        return _shapes(caches.kept("chart-drawing", key, make))
    except (pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError, EOFError):
        return _shapes(make())  # an entry of another ReportLab's making: made anew


def expanded(node: Any) -> Any:
    """`node` with every widget in it replaced by the shapes it provides, as the renderers would."""
    while isinstance(node, UserNode):
        node = node.provideNode()
    if isinstance(node, Group):
        node.contents = [expanded(child) for child in node.contents]
    return node


class _ShapesOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name) if module in _ADMITTED else None
        if not (isinstance(found, type) and found.__module__ == module):
            raise pickle.UnpicklingError(f"not a shape: {module}.{name}")
        return found


def _shapes(blob: bytes) -> Any:
    return _ShapesOnly(io.BytesIO(blob)).load()
