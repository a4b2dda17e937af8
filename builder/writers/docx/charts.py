"""Take a tree `Chart`, produce a native, editable Word chart: chart part, embedded workbook, inline run.

The parts are python-pptx's (`chart_xml`). Both are kept (`builder.caches.kept`) by what they are
made of, so a reprint makes again only the charts whose figures changed, and a build whose charts
are all kept does not import python-pptx at all: the workbook by the chart's numbers and date, the
chart XML by the chart node, its font and the relationship that names its workbook.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib.metadata import version
from typing import Any

import lxml.etree  # type: ignore[import-untyped]
from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from builder import caches
from builder.document import Chart
from builder.style import Font, Style
from builder.writers.docx import xml
from builder.writers.layout import chart_aspect


class ChartPart(Part):
    """A chart part, its XML made once its relationship to its workbook exists."""

    def __init__(self, partname: PackURI, package: Any) -> None:
        super().__init__(partname, CT.DML_CHART, None, package)
        self.xml = b""

    @property
    def blob(self) -> bytes:
        return self.xml


@cache
def _versions() -> tuple[str, ...]:
    """The versions of what makes a chart's parts, read without importing python-pptx."""
    return (version("python-pptx"), version("XlsxWriter"), lxml.etree.__version__)


def _workbook(chart: Chart, when: datetime) -> bytes:
    from builder.writers.docx.chart_xml import workbook_xlsx

    return workbook_xlsx(chart, when)


def _chart(chart: Chart, when: datetime, font: Font, workbook_rid: str) -> bytes:
    from builder.writers.docx.chart_xml import chart_xml

    return chart_xml(chart, when, font, workbook_rid)


def add_chart(
    doc: DocxDocument, paragraph: Paragraph, chart: Chart, style: Style, number: int, docpr_id: int, when: datetime
) -> None:
    """Add chart part `number` (and its workbook) to `doc` and show it inline in `paragraph`."""
    pkg = doc.part.package
    numbers = [(series.name, series.values) for series in chart.series]
    key = repr((chart.categories, numbers, chart.places, when, _versions()))
    blob = caches.kept("chart-xlsx", key, lambda: _workbook(chart, when))
    workbook = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{number}.xlsx"), CT.SML_SHEET, blob, pkg)
    part = ChartPart(PackURI(f"/word/charts/chart{number}.xml"), pkg)
    rid = part.relate_to(workbook, RT.PACKAGE)
    font = style.fonts.chart
    key = repr((chart, font, when, rid, _versions()))
    part.xml = caches.kept("chart-xml", key, lambda: _chart(chart, when, font, rid))
    chart_rid = doc.part.relate_to(part, RT.CHART)
    width = Mm(style.page.text_width)
    height = Mm(style.page.text_width * chart_aspect(chart, style.chart_aspect))
    xml.inline_chart(paragraph.add_run(), chart_rid, docpr_id, f"图表 {number}", int(width), int(height))
