"""The brief's table of main figures: the district's, the city's and the district's place among the
districts, for calls, 承办量, 万人承办量, 解决率 and 满意率."""

from __future__ import annotations

from builder.compose import printing
from builder.compose import visuals as v
from builder.compose.briefs.places import standing
from builder.document import MISSING_TEXT, Cell, Figure, FigureState, Table, Text
from builder.figures.derived import Derived, Ledger
from builder.model.figures import Figures
from builder.model.values import Value

Source = Value | Derived


def overview(f: Figures, ledger: Ledger, district: str) -> Table:
    ours, city = f.rates.get(("区", district)), f.rates.get(("全市", "全市"))
    d = ledger.__getitem__  # `derive_districts` gives every district these
    rows: list[tuple[str, Figure, Figure, str]] = [
        ("来电量（万件）", _wan(d(f"各区.{district}.来电量")), _wan(d("各区.来电合计")), "来电量"),
        ("承办量（万件）", _wan(d(f"各区.{district}.承办量")), _wan(d("各区.合计")), "承办量"),
        ("万人承办量（件）", _whole(d(f"各区.{district}.万人承办量")), _whole(d("各区.万人承办量")), "万人承办量"),
    ]
    for word, attribute in (("解决率", "resolution"), ("满意率", "satisfaction")):
        rows.append(
            (
                f"{word}（%）",
                v.pct_cell(getattr(ours, attribute)) if ours else _missing(f"办理率.{district}.{word}", "办理率"),
                v.pct_cell(getattr(city, attribute)) if city else _missing(f"办理率.全市.{word}", "办理率"),
                word,
            )
        )
    body = tuple(
        (v.text_cell(label), v.fig_cell(mine), v.fig_cell(theirs), _place_cell(f, ledger, district, measure))
        for label, mine, theirs, measure in rows
    )
    return Table(
        id="表.简报.概况",
        caption=f"{district}主要指标与全市对比",
        widths=(0.31, 0.23, 0.23, 0.23),
        header=v.header("指标", "本区", "全市", "各区排名"),
        rows=body,
    )


def _wan(src: Source) -> Figure:
    return printing.count_cell(src, places=2)


def _whole(src: Derived) -> Figure:
    """万人承办量 in a table whose header says 件: the whole number alone."""
    fig = printing.per_capita(src)
    return fig if fig.missing else printing.figure(src, fig.text.removesuffix("件"))


def _missing(key: str, *sheets: str) -> Figure:
    return Figure(key, MISSING_TEXT, None, sheets, state=FigureState.MISSING)


def _place_cell(f: Figures, ledger: Ledger, district: str, measure: str) -> Cell:
    """第N / 并列第N, or 【待补】 where the district has no figure to rank."""
    own, tied = standing(ledger, f.districts, district, measure)
    if own is None:
        return v.fig_cell(_missing(f"各区.{district}.{measure}.排名", "办理率"))
    if own.value is None:
        return v.fig_cell(printing.rank(own))
    return Cell((Text("并列第" if tied else "第"), printing.rank(own)), numeric=True)
