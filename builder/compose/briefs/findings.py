"""Take the figures, produce what the district briefs need and the workbook lacks: a district of the
各区 sheet with no 《类型各区》 row or no 《办理率》 row, a district named in 《类型各区》 or 《热点各区》
that has no 《办理率》 row, a hot topic with no 《热点各区》 row for a district; one line each."""

from __future__ import annotations

from collections.abc import Iterator

from builder.figures.derived import Ledger
from builder.model.figures import Figures
from builder.model.findings import Finding, FindingKind
from builder.model.values import SheetRows


def brief_findings(f: Figures, ledger: Ledger) -> list[Finding]:
    """Every finding only the briefs need, in the order of the 各区 sheet's districts (`ledger` is
    taken as the annual `check` takes it, for findings on derived figures)."""
    return [*_calls(f), *_rates(f), *_topics(f)]


def _row_of(table: SheetRows, name: str) -> str:
    """Where a district is in a sheet: 各区!A5, or the sheet alone."""
    row = table.find(name)
    return f"{table.name}!{table.ref(table.key[0], row.number)}" if row is not None else table.name


def _calls(f: Figures) -> Iterator[Finding]:
    where = f.tables["各区"]
    for name in f.districts:
        if name not in f.by_district:
            yield Finding(
                _row_of(where, name),
                f"区简报需要“{name}”的五类来电：《类型各区》表中没有“{name}”一行，其来电量、占比和排名印作【待补】",
                FindingKind.MISSING,
            )


def _rates(f: Figures) -> Iterator[Finding]:
    """A district the briefs speak of, with no 办理率 row: its 解决率 and 满意率 cannot be stated."""
    named: dict[str, str] = {}
    for name in f.districts:
        named.setdefault(name, _row_of(f.tables["各区"], name))
    for name in f.by_district:
        named.setdefault(name, _row_of(f.tables["类型各区"], name))
    topics = f.tables["热点各区"]
    for row in topics.rows:
        named.setdefault(row.key[1], f"热点各区!{topics.ref('区', row.number)}")
    for name, where in named.items():
        if ("区", name) not in f.rates:
            yield Finding(
                where,
                f"区简报需要“{name}”的解决率和满意率：《办理率》表中没有范围为“区”、名称为“{name}”的一行",
                FindingKind.MISSING,
            )
    if ("全市", "全市") not in f.rates:
        yield Finding("办理率", "区简报需要全市的解决率和满意率：《办理率》表中没有“全市”一行", FindingKind.MISSING)


def _topics(f: Figures) -> Iterator[Finding]:
    table = f.tables["热点"]
    for topic in f.topics:
        lacking = [n for n in f.districts if n not in topic.by_district]
        if lacking and topic.by_district:  # a topic with no rows at all is the annual check's to name
            row = table.find(topic.name)
            where = f"热点!{table.ref('问题类别', row.number)}" if row is not None else "热点各区"
            yield Finding(
                where,
                f"区简报需要“{topic.name}”各区的承办量：《热点各区》表中没有{'、'.join(lacking)}的行，这些区的简报不列此类",
                FindingKind.MISSING,
            )
