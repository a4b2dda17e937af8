"""Charts and tables of the report as tree nodes, from figures (no format of any writer here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from builder.compose import printing
from builder.document import Cell, Chart, ChartKind, Figure, Inline, Series, Table, Text
from builder.figures.derived import Derived
from builder.model import numbers
from builder.model.values import State, Value

Source = Value | Derived
WAN = Decimal(10000)


def plotted(src: Source, scale: Decimal, places: int) -> Decimal | None:
    """What a chart plots for a figure: its value / scale rounded half-even as its label prints it, so
    the chart, its labels and its data table show the same figure as the text."""
    value = printing.figure(src, "").value
    return None if value is None else numbers.round_half_even(value / scale, places)


def point(src: Source, scale: Decimal, places: int) -> Figure:
    """A chart point: the figure with its plotted value printed as the chart shows it."""
    shown = plotted(src, scale, places)
    return printing.figure(src, "" if shown is None else f"{shown:f}")


def _series(name: str, points: Sequence[Source], scale: Decimal, places: int) -> Series:
    return Series(
        name, tuple(point(p, scale, places) for p in points), tuple(plotted(p, scale, places) for p in points)
    )


def chart(
    chart_id: str,
    caption: str,
    kind: ChartKind,
    series: Mapping[str, Mapping[str, Source]],
    *,
    unit: str,
    scale: Decimal = Decimal(1),
    places: int = 1,
) -> Chart:
    """A chart of named series over the categories of the first series."""
    categories = tuple(next(iter(series.values())).keys()) if series else ()
    return Chart(
        id=chart_id,
        caption=caption,
        kind=kind,
        categories=categories,
        series=tuple(_series(name, [points[c] for c in categories], scale, places) for name, points in series.items()),
        unit=unit,
        scale=scale,
        places=places,
    )


def counts_chart(chart_id: str, caption: str, kind: ChartKind, name: str, points: Mapping[str, Source]) -> Chart:
    """One series of counts, plotted in 万件; a pie plots exact counts, so its shares are the text's."""
    if kind is ChartKind.PIE:
        return chart(chart_id, caption, kind, {name: points}, unit="件", places=0)
    return chart(chart_id, caption, kind, {name: points}, unit="万件", scale=WAN, places=1)


def text_cell(text: str) -> Cell:
    return Cell((Text(text),))


def fig_cell(fig: Figure) -> Cell:
    return Cell((fig,), numeric=True)


def header(*names: str) -> tuple[tuple[Cell, ...], ...]:
    return (tuple(text_cell(n) for n in names),)


def table(
    table_id: str,
    caption: str,
    names: Sequence[str],
    rows: Sequence[Sequence[Figure | str | object]],
    widths: Sequence[float] | None = None,
    note: str = "",
) -> Table:
    """A table with one header row; figures become right-aligned numeric cells."""
    body = tuple(tuple(fig_cell(c) if isinstance(c, Figure) else text_cell(str(c)) for c in row) for row in rows)
    share = 1 / len(names)
    return Table(
        id=table_id,
        caption=caption,
        widths=tuple(widths) if widths else tuple(share for _ in names),
        header=header(*names),
        rows=body,
        note=note,
    )


def wan_cell(src: Source, places: int = 1) -> Figure:
    return printing.count_cell(src, places=places)


def previous_cell(src: Value, places: int = 1) -> Figure | str:
    """Last year's count in 万: “—” where the workbook says it does not apply, 【待补】 where it is empty."""
    return "—" if src.state is State.NA else wan_cell(src, places)


def pct_cell(src: Source) -> Figure:
    fig = printing.percent(src)
    return printing.figure(src, fig.text.removesuffix("%")) if fig.value is not None else fig


def growth_cell(src: Derived | None) -> Figure | str:
    if src is None:
        return "—"
    word, fig = printing.growth(src)
    if fig.value is None:
        return fig
    sign = "-" if word == "下降" else ""
    return printing.figure(src, sign + fig.text.removesuffix("%"))


def runs_text(runs: Sequence[Inline]) -> str:
    return "".join(r.text for r in runs)
