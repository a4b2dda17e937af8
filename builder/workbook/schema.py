"""The figures workbook, declared once: sheets, columns, kinds, units and the analyst's notes.

The reader, `builder template` and `builder check` all work from these declarations, so a
sheet or column is added here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from builder.model.figures import CALL_TYPES, MONTHS


class ColumnKind(Enum):
    """What a column holds, and so how its cells are read."""

    NAME = "name"  # a row key: district, category, unit, free indicator name
    MONTH = "month"  # 1–12, written 1, 01, 1月 or 一月
    COUNT = "count"  # a whole number of cases (件), never negative
    RATE = "rate"  # a percentage, in percent units (94.3 means 94.3%)
    AMOUNT = "amount"  # a non-negative number in the unit of its row (指标)
    POPULATION = "population"  # residents, in 万人
    YEAR = "year"
    TEXT = "text"  # free text, never a figure


@dataclass(frozen=True)
class Column:
    header: str
    kind: ColumnKind
    note: str
    unit: str = ""
    domain: str | None = None  # for NAME columns: the directory its values must come from
    optional: bool = False  # the column may be absent from the sheet altogether
    na_ok: bool = False  # “—” (not applicable) is allowed, e.g. a last-year figure with no counterpart


@dataclass(frozen=True)
class Sheet:
    name: str
    note: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # headers whose values identify a row
    rows: tuple[str, ...] = ()  # fixed row names (first key column), in order; empty = free rows
    optional: bool = False  # the whole sheet may be absent
    ranked_by: str | None = None  # rows are expected in descending order of this column
    example: tuple[tuple[object, ...], ...] = field(default=())

    def column(self, header: str) -> Column:
        for col in self.columns:
            if col.header == header:
                return col
        raise KeyError(header)

    @property
    def value_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.header not in self.key)


UNIT_TYPES = ("区分中心", "街乡镇", "市级部门", "国有企业", "电商企业")
RATE_SCOPES = ("全市", "单位类型", "区", "问题类别")
MONTH_HEADERS = tuple(f"{m}月" for m in MONTHS)

# Where the names of a NAME column must come from: a directory sheet's column, or a fixed list.
# "子类" is checked against 热点子类 for the row's own category.
DIRECTORIES: dict[str, tuple[str, str]] = {
    "区": ("各区", "区"),
    "问题类别": ("类型分类", "问题类别"),
    "功能区": ("各区", "功能区"),
    "热点": ("热点", "问题类别"),
}
FIXED_DOMAINS: dict[str, tuple[str, ...]] = {"单位类型": UNIT_TYPES, "范围": RATE_SCOPES}

NOT_APPLICABLE = frozenset({"—", "——", "-", "－", "/", "／", "不适用"})
NA_NOTE = "不适用的格子填“—”；空着表示尚缺，草稿中显示为【待补】。"


def _counts(headers: tuple[str, ...], note: str) -> tuple[Column, ...]:
    return tuple(Column(h, ColumnKind.COUNT, f"{h}{note}", unit="件") for h in headers)


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "基本信息",
        "报告的年度和地区。年度决定正文中的“2020年”“2019年”“2021年”等年份。",
        (
            Column("项目", ColumnKind.NAME, "固定项目名，不要改动"),
            Column("内容", ColumnKind.TEXT, "年度填四位数字，地区填全称"),
        ),
        key=("项目",),
        rows=("年度", "地区"),
    ),
    Sheet(
        "指标",
        "“工作情况”等段落中引用的单项数字，每行一个，名称在正文模板中引用。" + NA_NOTE,
        (
            Column("指标", ColumnKind.NAME, "名称，正文模板按名称引用，不得重复"),
            Column("本年", ColumnKind.AMOUNT, "本年数值；单位见“单位”列"),
            Column("上年", ColumnKind.AMOUNT, "上年同口径数值，用于计算环比；不适用填“—”", na_ok=True),
            Column("单位", ColumnKind.TEXT, "件、万件、次、人次、条、个、家、处、人、%、万元等"),
            Column("说明", ColumnKind.TEXT, "口径或出处", optional=True),
        ),
        key=("指标",),
    ),
    Sheet(
        "总量",
        "全年受理总量及其渠道、处理方式构成，单位：件。" + NA_NOTE,
        (
            Column("项目", ColumnKind.NAME, "固定项目名，不要改动"),
            Column("本年", ColumnKind.COUNT, "本年件数", unit="件"),
            Column("上年", ColumnKind.COUNT, "上年件数，用于计算环比；不适用填“—”", unit="件", na_ok=True),
        ),
        key=("项目",),
        rows=(
            "受理总量",
            "电话反映",
            "网络反映",
            "直接解答",
            "派单处理",
            "办理诉求",
            "企业专席受理",
            "企业专席直接解答",
            "企业专席派单",
        ),
    ),
    Sheet(
        "类型分类",
        "五类来电按问题类别的件数；本表的问题类别即全册的类别目录，须列全（含“其他”）。",
        (Column("问题类别", ColumnKind.NAME, "类别名称"), *_counts(CALL_TYPES, "类来电件数")),
        key=("问题类别",),
    ),
    Sheet(
        "类型月度",
        "五类来电各月件数，1月至12月各一行。",
        (Column("月份", ColumnKind.MONTH, "1至12"), *_counts(CALL_TYPES, "类来电当月件数")),
        key=("月份",),
        rows=tuple(str(m) for m in MONTHS),
    ),
    Sheet(
        "类型各区",
        "五类来电按区的件数。",
        (Column("区", ColumnKind.NAME, "区名，须与《各区》表一致", domain="区"), *_counts(CALL_TYPES, "类来电件数")),
        key=("区",),
    ),
    Sheet(
        "各区",
        "各区所属功能区、上年末常住人口和全年承办量；本表的区即全册的区目录。",
        (
            Column("区", ColumnKind.NAME, "区名全称，如“朝阳区”"),
            Column("功能区", ColumnKind.TEXT, "中心城区及副中心、平原新城或生态涵养区"),
            Column("常住人口", ColumnKind.POPULATION, "上年末常住人口，单位：万人", unit="万人"),
            Column("直派街乡镇", ColumnKind.COUNT, "直接派给本区街乡镇承办的件数", unit="件"),
            Column("区级部门", ColumnKind.COUNT, "本区区级部门承办的件数", unit="件"),
        ),
        key=("区",),
    ),
    Sheet(
        "承办单位",
        "派单后各类承办单位的承办量，单位：件。",
        (
            Column("单位类型", ColumnKind.NAME, "固定类型名", domain="单位类型"),
            Column("承办量", ColumnKind.COUNT, "全年承办件数", unit="件"),
        ),
        key=("单位类型",),
        rows=UNIT_TYPES,
    ),
    Sheet(
        "功能区分类",
        "各功能区承办量居前的问题类别及件数。",
        (
            Column("功能区", ColumnKind.NAME, "须与《各区》表的功能区一致", domain="功能区"),
            Column("问题类别", ColumnKind.NAME, "须与《类型分类》表一致", domain="问题类别"),
            Column("承办量", ColumnKind.COUNT, "该功能区该类问题承办件数", unit="件"),
        ),
        key=("功能区", "问题类别"),
    ),
    Sheet(
        "街乡镇",
        "承办量居前的街道（乡镇），按承办量从多到少排列。",
        (
            Column("区", ColumnKind.NAME, "所属区", domain="区"),
            Column("街乡镇", ColumnKind.NAME, "街道或乡镇名称"),
            Column("承办量", ColumnKind.COUNT, "全年承办件数", unit="件"),
        ),
        key=("区", "街乡镇"),
        ranked_by="承办量",
    ),
    Sheet(
        "市级部门",
        "承办量居前的市级部门，按承办量从多到少排列。",
        (
            Column("部门", ColumnKind.NAME, "部门简称"),
            Column("承办量", ColumnKind.COUNT, "全年承办件数", unit="件"),
        ),
        key=("部门",),
        ranked_by="承办量",
    ),
    Sheet(
        "国有企业",
        "承办量居前的国有企业，按承办量从多到少排列。",
        (
            Column("企业", ColumnKind.NAME, "企业简称"),
            Column("承办量", ColumnKind.COUNT, "全年承办件数", unit="件"),
        ),
        key=("企业",),
        ranked_by="承办量",
    ),
    Sheet(
        "热点",
        "反映热点：每个问题类别一行，按本年反映量从多到少排列；报告按本表的行数和顺序分节。",
        (
            Column("问题类别", ColumnKind.NAME, "须与《类型分类》表一致", domain="问题类别"),
            Column("本年", ColumnKind.COUNT, "本年反映量", unit="件"),
            Column("上年", ColumnKind.COUNT, "上年反映量，用于计算环比；不适用填“—”", unit="件", na_ok=True),
            Column("直接答复", ColumnKind.COUNT, "其中直接答复的件数（其余派单承办）", unit="件"),
        ),
        key=("问题类别",),
        ranked_by="本年",
    ),
    Sheet(
        "热点子类",
        "每个热点类别下的主要子类及反映量。",
        (
            Column("问题类别", ColumnKind.NAME, "须与《热点》表一致", domain="热点"),
            Column("子类", ColumnKind.NAME, "子类名称"),
            Column("反映量", ColumnKind.COUNT, "全年反映件数", unit="件"),
        ),
        key=("问题类别", "子类"),
    ),
    Sheet(
        "热点月度",
        "热点类别（子类留空）或其子类的各月反映量。",
        (
            Column("问题类别", ColumnKind.NAME, "须与《热点》表一致", domain="热点"),
            Column("子类", ColumnKind.NAME, "留空表示整个类别；填写则须与《热点子类》表一致", domain="子类"),
            *(Column(h, ColumnKind.COUNT, f"{h}反映件数", unit="件") for h in MONTH_HEADERS),
        ),
        key=("问题类别", "子类"),
    ),
    Sheet(
        "热点承办单位",
        "每个热点类别派单后由各类承办单位承办的件数。",
        (
            Column("问题类别", ColumnKind.NAME, "须与《热点》表一致", domain="热点"),
            Column("单位类型", ColumnKind.NAME, "区分中心、街乡镇、市级部门、国有企业、电商企业", domain="单位类型"),
            Column("承办量", ColumnKind.COUNT, "承办件数", unit="件"),
        ),
        key=("问题类别", "单位类型"),
    ),
    Sheet(
        "热点各区",
        "每个热点类别由各区承办的件数。",
        (
            Column("问题类别", ColumnKind.NAME, "须与《热点》表一致", domain="热点"),
            Column("区", ColumnKind.NAME, "须与《各区》表一致", domain="区"),
            Column("承办量", ColumnKind.COUNT, "承办件数", unit="件"),
        ),
        key=("问题类别", "区"),
    ),
    Sheet(
        "办理率",
        "诉求解决率和满意率（%），全市、各类承办单位、各区、各问题类别。" + NA_NOTE,
        (
            Column("范围", ColumnKind.NAME, "全市、单位类型、区或问题类别", domain="范围"),
            Column("名称", ColumnKind.NAME, "全市填“全市”；其余填单位类型、区或类别名称"),
            Column("解决率", ColumnKind.RATE, "本年解决率，%", unit="%"),
            Column("满意率", ColumnKind.RATE, "本年满意率，%", unit="%"),
            Column("上年解决率", ColumnKind.RATE, "上年解决率，%；不适用填“—”", unit="%", na_ok=True),
            Column("上年满意率", ColumnKind.RATE, "上年满意率，%；不适用填“—”", unit="%", na_ok=True),
        ),
        key=("范围", "名称"),
    ),
    Sheet(
        "公布值",
        "已对外公布（或前稿印出）的派生数字，供核对：指标写派生数字的编号，公布值照原样填写。",
        (
            Column("指标", ColumnKind.NAME, "派生数字编号，如“总量.电话反映.占比”"),
            Column("公布值", ColumnKind.TEXT, "照原文填写，如“91.32%”“1022.3万”"),
            Column("出处", ColumnKind.TEXT, "原文语句", optional=True),
        ),
        key=("指标",),
        optional=True,
    ),
    Sheet(
        "说明",
        "示意数据的登记：填写非实际统计、仅为示意而填的格子或区域。",
        (
            Column("单元格", ColumnKind.NAME, "如“类型月度!B3:F14”或“各区!C5”"),
            Column("说明", ColumnKind.TEXT, "为何为示意值"),
        ),
        key=("单元格",),
        optional=True,
    ),
)

SHEETS_BY_NAME = {s.name: s for s in SHEETS}
HEADER_ROW = 2  # row 1 holds the sheet's note for the analyst
FIRST_DATA_ROW = 3


def sheet(name: str) -> Sheet:
    return SHEETS_BY_NAME[name]
