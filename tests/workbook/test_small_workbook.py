"""The small workbook of conftest: it reads, it is clean, and one deliberate slip gives one finding."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DISTRICTS, REGION, TOPICS, Data, small_data, write_workbook

from builder.command.cli import main
from builder.figures.check import check
from builder.figures.derived import derive
from builder.model.figures import CALL_TYPES, MONTHS
from builder.model.findings import Finding
from builder.model.findings import FindingKind as Kind
from builder.model.values import State
from builder.workbook.load import load
from builder.workbook.schema import SHEETS, UNIT_TYPES


def findings_of(path: Path) -> list[Finding]:
    figures = load(path)
    return check(figures, derive(figures))


def set_value(data: Data, sheet: str, match: dict[str, Any], header: str, value: Any) -> None:
    """Set `header` of the one row of `sheet` whose cells include `match`."""
    rows = [r for r in data[sheet] if all(r.get(k) == v for k, v in match.items())]
    assert len(rows) == 1, (sheet, match, rows)
    rows[0][header] = value


def test_small_workbook_reads_every_sheet(small_workbook: Path) -> None:
    f = load(small_workbook)
    assert f.year == 2020 and f.region == REGION
    assert f.categories == ("城乡建设", "住房", "其他")
    assert tuple(f.districts) == tuple(DISTRICTS)
    assert f.zones == ("中心城区", "生态涵养区")
    assert sorted(f.by_month) == list(MONTHS)
    assert tuple(f.units) == UNIT_TYPES
    assert [t.name for t in f.topics] == list(TOPICS)
    assert all(len(t.subtopics) == 2 and len(t.monthly) == 3 for t in f.topics)
    assert len(f.streets) == len(f.departments) == len(f.enterprises) == 3
    assert {scope for scope, _ in f.rates} == {"全市", "单位类型", "区", "问题类别"}
    assert set(f.indicators) == {"回访量", "知识库新增条目", "新闻发布次数"}
    assert f.totals["受理总量"].current.value == 197000
    # every sheet but the two optional ones holds rows; no figure is left empty
    for sheet in SHEETS:
        assert bool(f.tables[sheet.name].rows) is not sheet.optional, sheet.name
    assert not [v.where for v in f.values() if v.state is State.MISSING]
    na = sorted(v.where for v in f.values() if v.state is State.NA)
    assert na == ["办理率!E5", "办理率!F5", "总量!C10", "总量!C11", "总量!C9", "指标!C4"]


def test_small_workbook_parts_add_up(small_workbook: Path) -> None:
    """The sums the fixture promises, recomputed here independently of `builder.figures.check`."""
    f = load(small_workbook)

    def n(v: Any) -> int:
        assert v.ok, v.where
        return int(v.value)

    t = {k: n(p.current) for k, p in f.totals.items()}
    assert t["电话反映"] + t["网络反映"] == t["受理总量"] == t["直接解答"] + t["派单处理"]
    by_type = {ct: sum(n(row[ct]) for row in f.by_category.values()) for ct in CALL_TYPES}
    assert sum(by_type.values()) == t["受理总量"]
    assert by_type["诉求"] == t["办理诉求"]
    for ct in CALL_TYPES:
        assert sum(n(row[ct]) for row in f.by_month.values()) == by_type[ct]
        assert sum(n(row[ct]) for row in f.by_district.values()) <= by_type[ct]
    assert n(f.units["区分中心"]) == sum(n(d.units) for d in f.districts.values())
    assert n(f.units["街乡镇"]) == sum(n(d.streets) for d in f.districts.values())
    assert sum(n(v) for v in f.units.values()) == t["派单处理"]
    for topic in f.topics:
        handled = sum(n(v) for v in topic.by_unit.values())
        assert n(topic.current) == n(topic.direct) + handled == sum(n(v) for v in f.by_category[topic.name].values())
        assert sum(n(v) for v in topic.by_district.values()) <= handled
        assert sum(n(v) for v in topic.monthly[""].values()) == n(topic.current)
        for sub, count in topic.subtopics.items():
            assert sum(n(v) for v in topic.monthly[sub].values()) == n(count)
    for sheet in SHEETS:
        if sheet.ranked_by:
            counts = [n(r[sheet.ranked_by]) for r in f.tables[sheet.name].rows]
            assert counts == sorted(counts, reverse=True), sheet.name


def test_check_on_the_small_workbook_exits_0_and_prints_no_finding(
    small_workbook: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(small_workbook)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == ["未发现问题"]
    assert findings_of(small_workbook) == []


def _rows(sheet: str, *rows: dict[str, Any]) -> Callable[[Data], None]:
    def mutate(data: Data) -> None:
        data[sheet] = list(rows)

    return mutate


def _set(sheet: str, match: dict[str, Any], header: str, value: Any) -> Callable[[Data], None]:
    return lambda data: set_value(data, sheet, match, header, value)


def _swap_departments(data: Data) -> None:
    first, second = data["市级部门"][0], data["市级部门"][1]
    first["承办量"], second["承办量"] = second["承办量"], first["承办量"]


def _topics_reversed(data: Data) -> None:
    data["热点"].reverse()


def _month_changed(data: Data) -> None:
    data["类型月度"][2]["咨询"] += 10


def _subtopic_month_changed(data: Data) -> None:
    row = next(r for r in data["热点月度"] if r.get("子类") == "道路")
    row["5月"] += 1


INCONSISTENT = {
    # a part changed: the finding is at the total the parts no longer make
    "phone-plus-network": (
        _set("总量", {"项目": "电话反映"}, "本年", 121000),
        "总量!B3",
        "电话反映+网络反映",
        Kind.SUM,
    ),
    "district-center-units": (
        _set("承办单位", {"单位类型": "区分中心"}, "承办量", 33000),
        "承办单位!B3",
        "区级部门合计",
        Kind.SUM,
    ),
    "topic-direct-plus-units": (
        _set("热点", {"问题类别": "城乡建设"}, "直接答复", 41000),
        "热点!B3",
        "直接答复+各单位承办",
        Kind.SUM,
    ),
    # a ranked sheet out of order: the finding is at the row that is larger than the one above
    "departments-out-of-order": (_swap_departments, "市级部门!B4", "从多到少", Kind.ORDER),
    "topics-out-of-order": (_topics_reversed, "热点!B4", "从多到少", Kind.ORDER),
    # month series that do not add up; a call type's is reported at its last month (see report)
    "call-type-months": (_month_changed, "类型月度!B14", "咨询各月合计", Kind.SUM),
    "subtopic-months": (_subtopic_month_changed, "热点子类!C3", "道路各月合计", Kind.SUM),
    # stated figures: a wrong share, an unknown key
    "stated-share-wrong": (
        _rows("公布值", {"指标": "总量.电话反映.占比", "公布值": "61.00%"}),
        "公布值!B3",
        "按数据应为60.91%",
        Kind.STATED,
    ),
    "stated-key-unknown": (
        _rows("公布值", {"指标": "总量.电话.占比", "公布值": "60.91%"}),
        "公布值!B3",
        "没有编号为“总量.电话.占比”",
        Kind.STATED,
    ),
}


@pytest.mark.parametrize("case", list(INCONSISTENT))
def test_one_inconsistency_gives_exactly_one_finding(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`builder check` prints one line, `where: message`, and counts one finding of the kind."""
    mutate, where, keyword, kind = INCONSISTENT[case]
    data = small_data()
    mutate(data)
    path = write_workbook(tmp_path, data)
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{where}: "), lines
    assert keyword in lines[0]
    assert err.splitlines() == [f"共1处问题（{kind.value}1）"]


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("总量.电话反映.占比", "60.91%"),  # 120000 / 197000 = 60.9137…%
        ("总量.网络反映.占比", "39.09%"),
        ("总量.受理总量.增幅", "上升9.44%"),  # 197000 / 180000 - 1 = 9.444…%
        ("热点.住房.增幅", "下降7.69%"),  # 60000 / 65000 - 1 = -7.692…%
        ("热点.城乡建设.直接答复占比", "40%"),
    ],
)
def test_a_correctly_stated_figure_gives_no_finding(key: str, text: str, tmp_path: Path) -> None:
    data = small_data()
    data["公布值"] = [{"指标": key, "公布值": text, "出处": "前稿"}]
    path = write_workbook(tmp_path, data)
    figures = load(path)
    assert [(s.key, s.text) for s in figures.stated] == [(key, text)]
    assert check(figures, derive(figures)) == []
