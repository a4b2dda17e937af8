"""The brief's hot topics: the city's hot topics ranked by how many the district handled, each with
the district's share of the city's count of it (the 热点 sheet), with their chart and table."""

from __future__ import annotations

from typing import Any

from builder.compose import printing
from builder.compose import visuals as v
from builder.compose.slots import TOP, Figs
from builder.compose.words import by_value, how_many
from builder.document import ChartKind
from builder.figures.derived import Derived, ranking
from builder.model.figures import Figures
from builder.model.values import Value

View = dict[str, Any]


def topics(f: Figures, figs: Figs, district: str) -> View:
    counts: dict[str, Value] = {t.name: t.by_district[district] for t in f.topics if district in t.by_district}
    ranked = ranking(counts)[:TOP]
    shares = {n: figs.d(f"各区.{district}.热点.{n}.占全市") for n in ranked}
    known = {n: s for n, s in shares.items() if s.value is not None}
    most = max(known, key=lambda n: known[n].value or 0) if known else None
    return {
        "前几类": how_many(len(ranked)),
        "类别": [
            {"名称": n, "承办量": figs.count(counts[n]), "占比": figs.pct(shares[n])} for n in ranked
        ],
        "缺": figs.unknown(f"热点各区.{district}", "热点各区"),
        "占比最高": {"名称": most, "占比": figs.pct(known[most])} if most is not None and len(known) > 1 else None,
        "图": figs.block(
            v.chart(
                "图.简报.热点",
                f"{district}承办的{how_many(len(ranked))}热点问题",
                ChartKind.BAR,
                {"承办量": by_value({n: counts[n] for n in ranked})},
                unit="件",
                places=0,
            )
        )
        if ranked
        else "",
        "表": figs.block(_table(f, figs, district, ranked, counts, shares)) if ranked else "",
    }


def _table(
    f: Figures, figs: Figs, district: str, ranked: list[str], counts: dict[str, Value], shares: dict[str, Derived]
) -> Any:
    rows = [
        [
            n,
            printing.count(counts[n], unit="", mode="exact"),
            printing.count(next(t.current for t in f.topics if t.name == n), unit="", mode="exact"),
            v.pct_cell(shares[n]),
        ]
        for n in ranked
    ]
    return v.table(
        "表.简报.热点",
        f"{district}承办热点问题情况",
        ["问题类别", "本区承办量（件）", "全市（件）", "本区占全市（%）"],
        rows,
        [0.31, 0.23, 0.23, 0.23],
    )
