"""Take a tree `Chart`, produce its chart XML and embedded workbook as python-pptx makes them.

python-pptx builds the chart XML (`ChartXmlWriter`) and the workbook behind it from a
`CategoryChartData`; its chart object model sets legend, labels and fonts. What it cannot do
(East Asian typefaces) is in `xml`. Imported only when a chart is not kept (`charts`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from docx.oxml.ns import qn
from pptx.chart.chart import Chart as PptxChart
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.chart.xmlwriter import ChartXmlWriter
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.oxml import parse_xml as parse_chart_xml
from pptx.util import Pt, lazyproperty
from xlsxwriter import Workbook  # type: ignore[import-untyped]

from builder.document import Chart, ChartKind
from builder.style import Font
from builder.writers import ooxml
from builder.writers.docx import xml

CHART_TYPES = {
    ChartKind.COLUMN: XL_CHART_TYPE.COLUMN_CLUSTERED,
    ChartKind.BAR: XL_CHART_TYPE.BAR_CLUSTERED,
    ChartKind.LINE: XL_CHART_TYPE.LINE_MARKERS,
    ChartKind.PIE: XL_CHART_TYPE.PIE,
    ChartKind.STACKED: XL_CHART_TYPE.COLUMN_STACKED,
}
LABEL_POSITIONS = {
    ChartKind.COLUMN: XL_LABEL_POSITION.OUTSIDE_END,
    ChartKind.BAR: XL_LABEL_POSITION.OUTSIDE_END,
    ChartKind.LINE: XL_LABEL_POSITION.ABOVE,
    ChartKind.PIE: XL_LABEL_POSITION.BEST_FIT,
    ChartKind.STACKED: XL_LABEL_POSITION.CENTER,
}


def number_format(places: int) -> str:
    return "0" if places <= 0 else "0." + "0" * places


class _DatedWorkbookWriter(CategoryWorkbookWriter):
    """python-pptx's writer of a chart's workbook, dating it `when` instead of by the clock.

    XlsxWriter dates the zip entries 1980-01-01 itself; only the core properties need the date, and
    setting it here spares unpacking and re-packing each chart's workbook."""

    def __init__(self, chart_data: DatedChartData, when: datetime) -> None:
        super().__init__(chart_data)  # type: ignore[no-untyped-call]
        self._when = when

    @contextmanager
    def _open_worksheet(self, xlsx_file: Any) -> Iterator[tuple[Any, Any]]:
        workbook = Workbook(xlsx_file, {"in_memory": True})
        workbook.set_properties({"created": self._when.astimezone(UTC).replace(tzinfo=None)})
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class DatedChartData(CategoryChartData):
    """Category chart data whose embedded workbook (`xlsx_blob`) is dated `when`."""

    def __init__(self, when: datetime, number_format: str) -> None:
        super().__init__(number_format=number_format)  # type: ignore[no-untyped-call]
        self._when = when

    @lazyproperty
    def _workbook_writer(self) -> _DatedWorkbookWriter:
        return _DatedWorkbookWriter(self, self._when)


def chart_data(chart: Chart, when: datetime | None = None) -> DatedChartData:
    """The categories and series of `chart`, as python-pptx takes them; its workbook dated `when`."""
    data = DatedChartData(when or ooxml.document_date(), number_format(chart.places))
    data.categories = list(chart.categories)
    for series in chart.series:
        if len(series.points) != len(chart.categories):
            raise ValueError(
                f"chart {chart.id}: series {series.name} has {len(series.points)} points "
                f"for {len(chart.categories)} categories"
            )
        values = [None if v is None else float(v) for v in series.values]
        data.add_series(series.name, values)  # type: ignore[no-untyped-call]
    return data


def chart_space(chart: Chart, data: CategoryChartData, font: Font) -> xml.Element:
    """The c:chartSpace of `chart`: no title, legend at the bottom when needed, labels, fonts."""
    writer = ChartXmlWriter(CHART_TYPES[chart.kind], data)  # type: ignore[no-untyped-call]
    space = parse_chart_xml(writer.xml.encode("utf-8"))
    _number_axes(space)
    view = PptxChart(space, None)  # type: ignore[no-untyped-call]
    view.has_title = False
    pie = chart.kind is ChartKind.PIE
    view.has_legend = pie or len(chart.series) > 1
    if view.has_legend:
        view.legend.position = XL_LEGEND_POSITION.BOTTOM
        view.legend.include_in_layout = False
    view.font.size = Pt(font.size)
    view.font.name = font.docx
    view.font.bold = False
    if pie or len(chart.series) == 1:
        _data_labels(view, chart)
    if not pie and chart.unit:
        _unit_title(view, chart.unit, font)
    if not pie and _from_zero(chart):
        # as the PDF and the page draw it: Word and LibreOffice would start the axis near the
        # smallest value (83 for rates of 85–92), making small differences look large
        view.value_axis.minimum_scale = 0
    xml.east_asian_typefaces(space)
    xml.chart_frame(space, language="zh-CN")
    return space


def _from_zero(chart: Chart) -> bool:
    """Whether every plotted value is zero or more (the value axis then starts at zero)."""
    return all(v is None or v >= 0 for series in chart.series for v in series.values)


def _number_axes(space: xml.Element) -> None:
    """Axis ids 1, 2, … in order of appearance, each c:crossAx following its axis.

    python-pptx 1.0.2 writes bar charts' ids negative, which the schema (xs:unsignedInt) refuses;
    small fixed numbers are valid for every chart kind and keep the output the same from build to build."""
    numbers: dict[str, str] = {}
    for element in space.iter(qn("c:axId"), qn("c:crossAx")):
        element.set("val", numbers.setdefault(element.get("val"), str(len(numbers) + 1)))


def _data_labels(view: PptxChart, chart: Chart) -> None:
    plot = view.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format_is_linked = False
    if chart.kind is ChartKind.PIE:
        labels.number_format = number_format(chart.places) + "%"
        labels.show_percentage = True
        labels.show_value = False
    else:
        labels.number_format = number_format(chart.places)
        labels.show_value = True
    labels.position = LABEL_POSITIONS[chart.kind]


def _unit_title(view: PptxChart, unit: str, font: Font) -> None:
    """The value axis titled with the unit (“万件”), in the chart's font, not bold."""
    axis = view.value_axis
    axis.has_title = True
    frame = axis.axis_title.text_frame
    frame.text = unit
    run_font = frame.paragraphs[0].runs[0].font
    run_font.size = Pt(font.size)
    run_font.name = font.docx
    run_font.bold = False


def chart_xml(chart: Chart, when: datetime, font: Font, workbook_rid: str) -> bytes:
    """The chart part's XML, its embedded workbook named by relationship `workbook_rid`."""
    space = chart_space(chart, chart_data(chart, when), font)
    external = space.get_or_add_externalData()
    external.rId = workbook_rid
    return ooxml.serialise(space)


def workbook_xlsx(chart: Chart, when: datetime) -> bytes:
    """The workbook embedded behind the chart: its categories and series, dated `when`."""
    blob: bytes = chart_data(chart, when).xlsx_blob
    return blob
