"""A small, complete and fully consistent figures workbook for tests to start from and break.

`small_data()` returns rows for `template.workbook`; every part adds up to its total exactly, so
`builder check` finds nothing on it and a test that changes one cell sees only what it changed.

    城乡建设 100000 = 咨询 30000 + 诉求 50000 + 建议 6000 + 投诉 12000 + 表扬 2000
    住房      60000 = 咨询 20000 + 诉求 29000 + 建议 4000 + 投诉  6000 + 表扬 1000
    其他      37000 = 咨询 10000 + 诉求 21000 + 建议 2000 + 投诉  3000 + 表扬 1000
    受理总量 197000 = 电话 120000 + 网络 77000 = 直接解答 97000 + 派单处理 100000
    派单处理 100000 = 区分中心 32000 + 街乡镇 22000 + 市级部门 30000 + 国有企业 10000 + 电商企业 6000
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from builder.model.figures import CALL_TYPES, MONTHS
from builder.workbook import blank as template
from builder.workbook.schema import MONTH_HEADERS, UNIT_TYPES

Data = dict[str, list[dict[str, Any]]]

SAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "2020"

YEAR = "2020"
REGION = "测试市"

# category -> counts of the five call types, in CALL_TYPES order
CATEGORIES: dict[str, tuple[int, ...]] = {
    "城乡建设": (30000, 50000, 6000, 12000, 2000),
    "住房": (20000, 29000, 4000, 6000, 1000),
    "其他": (10000, 21000, 2000, 3000, 1000),
}
# district -> (zone, population in 万人, 直派街乡镇, 区级部门, share of each call type in tenths)
DISTRICTS: dict[str, tuple[str, float, int, int, int]] = {
    "东城区": ("中心城区", 70.9, 10000, 15000, 3),
    "西城区": ("中心城区", 110.6, 8000, 12000, 2),
    "怀柔区": ("生态涵养区", 44.1, 4000, 5000, 1),
}
UNITS: dict[str, int] = {"区分中心": 32000, "街乡镇": 22000, "市级部门": 30000, "国有企业": 10000, "电商企业": 6000}
# hot topic -> (本年, 上年, 直接答复, {unit type: count}, {district: count}, {sub-topic: count})
TOPICS: dict[str, tuple[int, int, int, dict[str, int], dict[str, int], dict[str, int]]] = {
    "城乡建设": (
        100000,
        90000,
        40000,
        {"区分中心": 20000, "街乡镇": 15000, "市级部门": 15000, "国有企业": 6000, "电商企业": 4000},
        {"东城区": 20000, "西城区": 15000, "怀柔区": 10000},
        {"道路": 40000, "拆迁": 30000},
    ),
    "住房": (
        60000,
        65000,
        30000,
        {"区分中心": 10000, "街乡镇": 6000, "市级部门": 10000, "国有企业": 3000, "电商企业": 1000},
        {"东城区": 10000, "西城区": 8000, "怀柔区": 5000},
        {"物业": 25000, "供暖": 20000},
    ),
}
NA = "—"
# 办理率 rows: 范围, 名称, 解决率, 满意率, 上年解决率, 上年满意率 (in %)
RATES: tuple[tuple[str, str, float | str, float | str, float | str, float | str], ...] = (
    ("全市", "全市", 94.3, 95.1, 88.5, 92.6),
    ("单位类型", "区分中心", 93.5, 94.2, 87.1, 90.3),
    ("单位类型", "电商企业", 90.1, 91.2, NA, NA),
    ("区", "东城区", 95.2, 96.4, 89.4, 93.1),
    ("区", "怀柔区", 96.3, 97.1, 90.2, 94.5),
    ("问题类别", "城乡建设", 92.4, 93.3, 86.7, 90.8),
    ("问题类别", "住房", 91.6, 92.7, 85.2, 89.9),
)


def spread(total: int, parts: int = 12) -> list[int]:
    """`total` split into `parts` whole numbers that add up to it exactly, larger ones first."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def small_data() -> Data:
    """Rows for every sheet of `template.workbook`; a fresh copy each call, safe to mutate."""
    type_totals = [sum(counts[i] for counts in CATEGORIES.values()) for i in range(len(CALL_TYPES))]
    total = sum(type_totals)
    dispatched = sum(UNITS.values())
    assert sum(d[3] for d in DISTRICTS.values()) == UNITS["区分中心"]
    assert sum(d[2] for d in DISTRICTS.values()) == UNITS["街乡镇"]
    assert type_totals[CALL_TYPES.index("诉求")] == 100000

    months_by_type = [spread(t) for t in type_totals]
    topic_months: list[dict[str, Any]] = []
    for name, (current, _prev, _direct, _units, _districts, subs) in TOPICS.items():
        topic_months.append({"问题类别": name, **dict(zip(MONTH_HEADERS, spread(current), strict=True))})
        for sub, count in subs.items():
            topic_months.append({"问题类别": name, "子类": sub, **dict(zip(MONTH_HEADERS, spread(count), strict=True))})

    return {
        "基本信息": [{"项目": "年度", "内容": YEAR}, {"项目": "地区", "内容": REGION}],
        "指标": [
            {"指标": "回访量", "本年": 150000, "上年": 140000, "单位": "件", "说明": "电话回访"},
            {"指标": "知识库新增条目", "本年": 1200, "上年": NA, "单位": "条"},
            {"指标": "新闻发布次数", "本年": 12, "上年": 10, "单位": "次"},
        ],
        "总量": [
            {"项目": "受理总量", "本年": total, "上年": 180000},
            {"项目": "电话反映", "本年": 120000, "上年": 115000},
            {"项目": "网络反映", "本年": total - 120000, "上年": 65000},
            {"项目": "直接解答", "本年": total - dispatched, "上年": 90000},
            {"项目": "派单处理", "本年": dispatched, "上年": 90000},
            {"项目": "办理诉求", "本年": 100000, "上年": 90000},
            {"项目": "企业专席受理", "本年": 5000, "上年": NA},
            {"项目": "企业专席直接解答", "本年": 2000, "上年": NA},
            {"项目": "企业专席派单", "本年": 3000, "上年": NA},
        ],
        "类型分类": [
            {"问题类别": name, **dict(zip(CALL_TYPES, counts, strict=True))} for name, counts in CATEGORIES.items()
        ],
        "类型月度": [{"月份": m, **{t: months_by_type[i][m - 1] for i, t in enumerate(CALL_TYPES)}} for m in MONTHS],
        "类型各区": [
            {"区": name, **{t: type_totals[i] * tenths // 10 for i, t in enumerate(CALL_TYPES)}}
            for name, (_zone, _pop, _streets, _units, tenths) in DISTRICTS.items()
        ],
        "各区": [
            {"区": name, "功能区": zone, "常住人口": pop, "直派街乡镇": streets, "区级部门": units}
            for name, (zone, pop, streets, units, _tenths) in DISTRICTS.items()
        ],
        "承办单位": [{"单位类型": u, "承办量": UNITS[u]} for u in UNIT_TYPES],
        "功能区分类": [
            {"功能区": "中心城区", "问题类别": "城乡建设", "承办量": 20000},
            {"功能区": "中心城区", "问题类别": "住房", "承办量": 12000},
            {"功能区": "生态涵养区", "问题类别": "城乡建设", "承办量": 4000},
            {"功能区": "生态涵养区", "问题类别": "其他", "承办量": 2000},
        ],
        "街乡镇": [
            {"区": "东城区", "街乡镇": "东华门街道", "承办量": 3000},
            {"区": "西城区", "街乡镇": "西长安街街道", "承办量": 2500},
            {"区": "怀柔区", "街乡镇": "怀柔镇", "承办量": 1500},
        ],
        "市级部门": [
            {"部门": "市住房城乡建设委", "承办量": 12000},
            {"部门": "市交通委", "承办量": 9000},
            {"部门": "市城市管理委", "承办量": 6000},
        ],
        "国有企业": [
            {"企业": "市自来水集团", "承办量": 4000},
            {"企业": "市燃气集团", "承办量": 3000},
            {"企业": "市热力集团", "承办量": 2000},
        ],
        "热点": [
            {"问题类别": name, "本年": current, "上年": prev, "直接答复": direct}
            for name, (current, prev, direct, _u, _d, _s) in TOPICS.items()
        ],
        "热点子类": [
            {"问题类别": name, "子类": sub, "反映量": count}
            for name, (*_, subs) in TOPICS.items()
            for sub, count in subs.items()
        ],
        "热点月度": topic_months,
        "热点承办单位": [
            {"问题类别": name, "单位类型": unit, "承办量": count}
            for name, (_c, _p, _d, units, _ds, _s) in TOPICS.items()
            for unit, count in units.items()
        ],
        "热点各区": [
            {"问题类别": name, "区": district, "承办量": count}
            for name, (_c, _p, _d, _u, districts, _s) in TOPICS.items()
            for district, count in districts.items()
        ],
        "办理率": [
            dict(zip(("范围", "名称", "解决率", "满意率", "上年解决率", "上年满意率"), rates, strict=True))
            for rates in RATES
        ],
        "公布值": [],
        "说明": [],
    }


def write_workbook(directory: Path, data: Data, name: str = "figures.xlsx") -> Path:
    """Save `data` as a filled template at `directory/name` and return the path."""
    path = directory / name
    path.write_bytes(template.workbook_bytes(data))
    return path


@pytest.fixture
def small_workbook(tmp_path: Path) -> Path:
    """The clean small workbook, saved in the test's own folder."""
    return write_workbook(tmp_path, small_data())


def edition_copy(folder: Path, change: Callable[[Any], None]) -> Path:
    """A copy of the sample edition at `folder` whose workbook `change` has edited."""
    shutil.copytree(SAMPLE, folder)
    path = folder / "figures.xlsx"
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return folder


def rows_by_label(sheet: Any) -> dict[str, int]:
    """A sheet's data rows (from row 3, below the title and header) by the label in column A."""
    return {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
