"""Layout rules every writer shares, so the DOCX and the PDF agree."""

from __future__ import annotations

from builder.document import Chart, ChartKind

PIE_SHARE = 0.9  # a pie is a circle and its legend: it needs less height than axes with labels under them


def chart_aspect(chart: Chart, base: float) -> float:
    """Height as a share of the width: horizontal bars get room for every category label, a pie a little less."""
    if chart.kind is ChartKind.PIE:
        return base * PIE_SHARE
    if chart.kind is not ChartKind.BAR:
        return base
    bars = len(chart.categories) * max(1, len(chart.series))
    return max(base, min(1.2, 0.035 * bars + 0.15))
