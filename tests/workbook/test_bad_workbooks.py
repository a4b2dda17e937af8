"""`builder check` on broken workbooks: one line naming the sheet and cell, never a traceback.

Every bad workbook is built here from the small clean one of conftest (or from raw bytes), so
each test breaks exactly one thing and knows which cell it broke. Good variants (numbers as
text, 万, moved columns, a deleted note row…) must read the very same figures as the clean one.
"""

from __future__ import annotations

import pickle
import zipfile
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import small_data, write_workbook
from openpyxl import Workbook

from builder.command.cli import main
from builder.figures.check import check
from builder.figures.derived import derive
from builder.model.figures import Figures
from builder.model.values import State
from builder.workbook import blank as template
from builder.workbook.load import load
from builder.workbook.schema import SHEETS

Edit = Callable[[Workbook], None]
Make = Callable[[Path], Path]


# ---------------------------------------------------------------------------------------------
# building workbooks


@cache
def clean_template() -> bytes:
    """`template.workbook(small_data())`, pickled: unpickling a fresh copy is 4 times faster than building."""
    wb = template.workbook(small_data())
    for ws in wb.worksheets:  # the header notes cost a third of the save and are never read
        for cell in ws[2]:
            cell.comment = None
    return pickle.dumps(wb)


def book(tmp_path: Path, *edits: Edit, name: str = "figures.xlsx") -> Path:
    """The clean small workbook with `edits` applied, saved as `tmp_path/name`."""
    wb = pickle.loads(clean_template())
    for edit in edits:
        edit(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def edited(*edits: Edit) -> Make:
    return lambda tmp_path: book(tmp_path, *edits)


def put(sheet: str, ref: str, value: Any, number_format: str | None = None) -> Edit:
    def edit(wb: Workbook) -> None:
        cell = wb[sheet][ref]
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format

    return edit


def delete_row(sheet: str, row: int) -> Edit:
    return lambda wb: wb[sheet].delete_rows(row)


def delete_column(sheet: str, column: int) -> Edit:
    return lambda wb: wb[sheet].delete_cols(column)


def append_copy_of_row(sheet: str, row: int) -> Edit:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        ws.append([c.value for c in ws[row]])

    return edit


def remove_sheet(sheet: str) -> Edit:
    return lambda wb: wb.remove(wb[sheet])


def raw_file(name: str, content: bytes) -> Make:
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    return make


def truncated_zip(tmp_path: Path) -> Path:
    whole = book(tmp_path, name="whole.xlsx").read_bytes()
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def zip_without_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "这不是工作簿")
    return path


def valid_workbook_named(name: str) -> Make:
    return lambda tmp_path: book(tmp_path, name=name)


def empty_edition_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "2020"
    folder.mkdir()
    return folder


def edition_whose_workbook_is_a_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "2020"
    (folder / "figures.xlsx").mkdir(parents=True)
    return folder


def nonexistent(tmp_path: Path) -> Path:
    return tmp_path / "missing.xlsx"


RANDOM_BYTES = bytes((i * 73 + 41) % 256 for i in range(4096))


# ---------------------------------------------------------------------------------------------
# running the command


def run_check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Exit code and the lines that carry the problems (stderr when unreadable, else stdout)."""
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "内部错误" not in out + err, err
    return code, (err if code == 2 else out).splitlines()


# ---------------------------------------------------------------------------------------------
# bad workbooks: (how to make it, exit code, where the first line must start, keywords of it)

First = str | Callable[[Path], str]

BAD: dict[str, tuple[Make, int, First, tuple[str, ...]]] = {
    # cells that are not what their column holds
    "text-in-count": (edited(put("热点", "B4", "很多")), 2, "热点!B4", ("本年", "应为件数", "很多")),
    "negative-count": (edited(put("类型分类", "C3", -5)), 2, "类型分类!C3", ("诉求", "负数", "-5")),
    "non-integer-count": (edited(put("承办单位", "B5", 30000.5)), 2, "承办单位!B5", ("整数", "30000.5")),
    "non-integer-count-text": (edited(put("市级部门", "B3", "1,234.5")), 2, "市级部门!B3", ("整数",)),
    "boolean-count": (edited(put("各区", "D3", True)), 2, "各区!D3", ("直派街乡镇", "逻辑值")),
    "boolean-rate": (edited(put("办理率", "D4", False)), 2, "办理率!D4", ("满意率", "逻辑值")),
    "text-in-rate": (edited(put("办理率", "C3", "较高")), 2, "办理率!C3", ("百分比", "较高")),
    "text-in-population": (edited(put("各区", "C4", "约110万")), 2, "各区!C4", ("人口数", "约110万")),
    "text-in-indicator": (edited(put("指标", "B5", "十二")), 2, "指标!B5", ("数字", "十二")),
    "badly-grouped-number": (edited(put("总量", "B4", "12,0000")), 2, "总量!B4", ("件数", "12,0000")),
    "formula-without-cached-value": (
        edited(put("类型月度", "B4", "=SUM(B3:B4)")),
        2,
        "类型月度!B4",
        ("公式没有缓存值", "重新计算"),
    ),
    # names that are not in their directory
    "unknown-district-in-type-districts": (
        edited(put("类型各区", "A4", "朝阳区")),
        2,
        "类型各区!A4",
        ("未知的区", "朝阳区"),
    ),
    "unknown-district-in-topic-districts": (
        edited(put("热点各区", "B4", "朝阳区")),
        2,
        "热点各区!B4",
        ("未知的区", "朝阳区"),
    ),
    "unknown-district-in-streets": (edited(put("街乡镇", "A3", "朝阳区")), 2, "街乡镇!A3", ("未知的区", "朝阳区")),
    "unknown-category-in-topics": (edited(put("热点", "A4", "交通")), 2, "热点!A4", ("未知的问题类别", "交通")),
    "unknown-category-in-zone-categories": (
        edited(put("功能区分类", "B3", "教育")),
        2,
        "功能区分类!B3",
        ("未知的问题类别", "教育"),
    ),
    "unknown-zone-in-zone-categories": (
        edited(put("功能区分类", "A5", "平原新城")),
        2,
        "功能区分类!A5",
        ("未知的功能区", "平原新城"),
    ),
    "unknown-unit-type": (edited(put("承办单位", "A5", "市属部门")), 2, "承办单位!A5", ("未知的单位类型", "市属部门")),
    "unknown-unit-type-in-topic-units": (
        edited(put("热点承办单位", "B4", "区级中心")),
        2,
        "热点承办单位!B4",
        ("未知的单位类型", "区级中心"),
    ),
    "unknown-rate-scope": (edited(put("办理率", "A3", "全国")), 2, "办理率!A3", ("未知的范围", "全国")),
    "unknown-rate-district": (edited(put("办理率", "B6", "朝阳区")), 2, "办理率!B6", ("未知的区", "朝阳区")),
    "unknown-rate-category": (edited(put("办理率", "B8", "教育")), 2, "办理率!B8", ("未知的问题类别", "教育")),
    "rate-city-not-named-city": (edited(put("办理率", "B3", "测试市")), 2, "办理率!B3", ("未知的全市", "测试市")),
    "subtopic-not-in-subtopics": (
        edited(put("热点月度", "B4", "桥梁")),
        2,
        "热点月度!B4",
        ("子类“桥梁”", "热点子类", "城乡建设"),
    ),
    "subtopic-under-another-category": (
        edited(put("热点月度", "B7", "道路")),
        2,
        "热点月度!B7",
        ("子类“道路”", "“住房”之下"),
    ),
    "empty-key": (edited(put("类型分类", "A4", None)), 2, "类型分类!A4", ("问题类别", "不能为空")),
    # rows: duplicated, unknown, missing
    "duplicated-row": (edited(append_copy_of_row("类型分类", 3)), 2, "类型分类!A6", ("与第3行重复", "城乡建设")),
    "duplicated-month-spelled-differently": (
        edited(put("类型月度", "A4", "一月")),
        2,
        "类型月度!A4",
        ("与第3行重复",),
    ),
    "month-0": (edited(put("类型月度", "A3", 0)), 2, "类型月度!A3", ("月份应为1至12", "“0”")),
    "month-13": (edited(put("类型月度", "A14", 13)), 2, "类型月度!A14", ("月份应为1至12", "“13”")),
    "month-shi-san-yue": (edited(put("类型月度", "A14", "十三月")), 2, "类型月度!A14", ("月份应为1至12", "十三月")),
    "month-fraction": (edited(put("类型月度", "A8", 5.5)), 2, "类型月度!A8", ("月份应为1至12", "5.5")),
    "missing-month-row": (edited(delete_row("类型月度", 7)), 2, "类型月度!A2", ("缺少“5”行",)),
    "unknown-fixed-row-in-totals": (edited(put("总量", "A4", "电话")), 2, "总量!A4", ("未知的项目", "电话")),
    "missing-fixed-row-in-totals": (edited(delete_row("总量", 11)), 2, "总量!A2", ("缺少“企业专席派单”行",)),
    "unknown-fixed-row-in-basic-info": (
        edited(put("基本信息", "A4", "城市")),
        2,
        "基本信息!A4",
        ("未知的项目", "城市"),
    ),
    # sheets and columns
    "missing-sheet": (edited(remove_sheet("各区")), 2, "各区", ("缺少工作表《各区》",)),
    "missing-column": (edited(delete_column("各区", 3)), 2, "各区!2:2", ("表头缺少列", "常住人口")),
    "renamed-header": (edited(put("热点", "D2", "直接回复")), 2, "热点!2:2", ("表头缺少列", "直接答复")),
    "header-not-found": (edited(put("市级部门", "A2", "部门名称")), 2, "市级部门!A1:A5", ("找不到表头", "部门")),
    # what figures.py refuses after reading
    "indicator-starting-with-digit": (edited(put("指标", "A3", "1号指标")), 2, "指标!A3", ("指标名称", "1号指标")),
    "indicator-with-hyphen": (edited(put("指标", "A4", "a-b")), 2, "指标!A4", ("指标名称", "a-b")),
    "year-not-four-digits": (edited(put("基本信息", "B3", "20年")), 2, "基本信息!B3", ("四位数字", "20年")),
    "illustrative-range-unreadable": (
        edited(put("说明", "A3", "类型月度!第三行"), put("说明", "B3", "示意")),
        2,
        "说明!A3",
        ("无法识别", "第三行"),
    ),
    "illustrative-range-unknown-sheet": (
        edited(put("说明", "A3", "无此表!B3"), put("说明", "B3", "示意")),
        2,
        "说明!A3",
        ("工作表!单元格区域", "无此表!B3"),
    ),
    # files that are not workbooks
    "not-a-zip": (raw_file("random.xlsx", RANDOM_BYTES), 2, "random.xlsx", ("不是 .xlsx 工作簿", "zip")),
    "truncated-zip": (truncated_zip, 2, "truncated.xlsx", ("不完整或已损坏",)),
    "zip-without-workbook": (zip_without_workbook, 2, "notes.xlsx", ("不是 Excel 工作簿", "xl/workbook.xml")),
    "empty-file": (raw_file("empty.xlsx", b""), 2, "empty.xlsx", ("文件是空的",)),
    "xls-name": (valid_workbook_named("figures.xls"), 2, "figures.xls", ("旧版 .xls", "另存为 .xlsx")),
    "csv-name": (raw_file("figures.csv", "项目,本年\n受理总量,197000\n".encode()), 2, "figures.csv", ("“.csv”",)),
    "no-extension": (valid_workbook_named("figures"), 2, "figures", ("无扩展名",)),
    "folder-without-workbook": (empty_edition_folder, 2, lambda p: str(p / "figures.xlsx"), ("文件不存在",)),
    "workbook-that-is-a-folder": (
        edition_whose_workbook_is_a_folder,
        2,
        lambda p: str(p / "figures.xlsx"),
        ("文件夹", ".xlsx"),
    ),
    "nonexistent-file": (nonexistent, 2, str, ("文件不存在",)),
    # readable, but check finds something (exit 1)
    "empty-count-cell": (edited(put("热点", "C4", None)), 1, "热点!C4", ("尚缺数字", "住房", "上年")),
    "population-zero": (edited(put("各区", "C3", 0)), 1, "各区!C3", ("东城区", "常住人口为0")),
    "topic-districts-exceed-units": (
        edited(put("热点各区", "C5", 26000)),
        1,
        "热点各区!C5",
        ("各区承办合计", "超过"),
    ),
    "streets-out-of-order": (edited(put("街乡镇", "C5", 2800)), 1, "街乡镇!C5", ("从多到少", "怀柔镇")),
    "units-not-district-sum": (edited(put("承办单位", "B4", 21000)), 1, "承办单位!B4", ("直派街乡镇合计", "不符")),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_workbook_gives_one_line_naming_the_cell(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, expected_code, first, keywords = BAD[case]
    path = make(tmp_path)
    code, lines = run_check(path, capsys)
    assert code == expected_code, lines
    assert lines, "no line names the problem"
    where = first(path) if callable(first) else first
    assert lines[0].startswith(f"{where}: "), lines
    for keyword in keywords:
        assert keyword in lines[0], (keyword, lines[0])


def test_errors_are_all_listed_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = book(tmp_path, put("热点", "B4", "很多"), put("类型分类", "C3", -5), put("各区", "D3", True))
    code, lines = run_check(path, capsys)
    assert code == 2
    assert [line.split(": ")[0] for line in lines] == ["类型分类!C3", "各区!D3", "热点!B4"]


def test_more_than_twenty_errors_are_cut_short(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edits = [put("类型月度", f"{col}{row}", "x") for col in "BCDEF" for row in range(3, 8)]
    code, lines = run_check(book(tmp_path, *edits), capsys)
    assert code == 2
    assert len(lines) == 21
    assert lines[-1] == "……另有 5 处错误未列出"


# ---------------------------------------------------------------------------------------------
# good variants: what an analyst may type; each must read the same figures as the clean workbook


def snapshot(figures: Figures) -> dict[tuple[str, tuple[str, ...], str], tuple[State, Any]]:
    """Every figure and text by sheet, row key and header, independent of where it sits."""
    out: dict[tuple[str, tuple[str, ...], str], tuple[State, Any]] = {}
    for name, table in figures.tables.items():
        for row in table.rows:
            for header, v in row.values.items():
                out[(name, row.key, header)] = (v.state, None if v.value is None else Decimal(v.value))
            for header, text in row.texts.items():
                out[(name, row.key, header)] = (State.OK, text)
    return out


@cache
def clean_snapshot() -> dict[tuple[str, tuple[str, ...], str], tuple[State, Any]]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return snapshot(load(write_workbook(Path(folder), small_data())))


def unmerge_all(ws: Any) -> None:
    for merged in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(merged))


def drop_note_rows(wb: Workbook) -> None:
    for sheet in SHEETS:
        ws = wb[sheet.name]
        unmerge_all(ws)
        ws.delete_rows(1)


def reorder_rows(sheet: str, order: Callable[[list[list[Any]]], list[list[Any]]]) -> Edit:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
        for number, values in enumerate(order(rows), start=3):
            for column, value in enumerate(values, start=1):
                ws.cell(number, column).value = value

    return edit


def move_column(sheet: str, column: str, after_last: int) -> Edit:
    """Cut `column` (a letter) out and paste it after the last column, closing the gap."""

    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        index = ws[f"{column}2"].column
        ws.move_range(f"{column}2:{column}{ws.max_row}", cols=after_last + 1 - index)
        ws.delete_cols(index)

    return edit


def totals_in_wan(wb: Workbook) -> None:
    ws = wb["总量"]
    ws["B2"] = "本年（万件）"
    for row in range(3, 12):
        ws.cell(row, 2).value = ws.cell(row, 2).value / 10000


def extra_sheets(wb: Workbook) -> None:
    wb.create_sheet("草稿", 0).append(["随手记", "受理总量", "很多"])
    wb.create_sheet("备用").append(["=SUM(A1:A2)"])


def extra_columns(wb: Workbook) -> None:
    put("热点", "E2", "备注")(wb)
    put("热点", "E3", "数据来自12345热线")(wb)
    ws = wb["类型分类"]
    ws["G2"] = "合计"
    for row in range(3, 6):
        ws[f"G{row}"] = f"=SUM(B{row}:F{row})"  # never calculated: not a column of the schema


GOOD: dict[str, tuple[Edit, ...]] = {
    "thousands-separators": (
        put("总量", "B3", "197,000"),
        put("类型分类", "B3", "30,000"),
        put("热点", "D4", "30,000件"),
    ),
    "full-width-digits": (
        put("类型分类", "C3", "５００００"),
        put("类型月度", "A5", "３月"),
        put("办理率", "C3", "９４．３"),
        put("各区", "C3", "７０．９"),
    ),
    "stray-spaces": (
        put("热点", "A3", " 城乡建设\u3000"),
        put("热点", "B4", "\u300060000 "),
        put("各区", "A4", "\xa0西城区 "),
        put("类型各区", "A4", "西城区\u3000"),
        put("承办单位", "A3", "区分中心 "),
        put("热点", "D2", " 直接 答复 "),
        put("办理率", "C4", " 93.5 "),
        put("基本信息", "B4", "\u3000测试市 "),
    ),
    "wan-in-a-count-cell": (put("类型分类", "C4", "2.9万"),),
    "header-in-wan": (totals_in_wan,),
    "rate-typed-with-percent-sign": (put("办理率", "C3", "94.3%"), put("办理率", "F4", "90.3％")),
    "rate-as-fraction-with-percent-format": (
        put("办理率", "C3", 0.943, "0.0%"),
        put("办理率", "D3", 0.951, "0.00%"),
    ),
    "rows-reordered": (
        reorder_rows("类型月度", lambda rows: rows[::-1]),
        reorder_rows("总量", lambda rows: rows[4:] + rows[:4]),
        reorder_rows("热点子类", lambda rows: rows[::-1]),
        reorder_rows("承办单位", lambda rows: rows[1:] + rows[:1]),
    ),
    "columns-moved": (move_column("类型分类", "B", 6), move_column("热点月度", "B", 14)),
    "extra-unknown-columns": (extra_columns,),
    "extra-unknown-sheets": (extra_sheets,),
    "empty-rows-between-data-rows": (
        lambda wb: wb["类型分类"].insert_rows(4),
        lambda wb: wb["类型月度"].insert_rows(9, amount=2),
        lambda wb: wb["热点"].insert_rows(3),
    ),
    "note-row-deleted": (drop_note_rows,),
    "months-spelled-out": (
        put("类型月度", "A3", "一月"),
        put("类型月度", "A4", "2月"),
        put("类型月度", "A5", "03"),
        put("类型月度", "A6", "四月份"),
        put("类型月度", "A7", 5.0),
        put("类型月度", "A14", "十二月"),
    ),
    "not-applicable-spellings": (
        put("总量", "C9", "——"),
        put("总量", "C10", "不适用"),
        put("办理率", "E5", "/"),
        put("指标", "C4", " - "),
    ),
}


@pytest.mark.parametrize("case", list(GOOD))
def test_good_variant_reads_the_same_figures(case: str, tmp_path: Path) -> None:
    path = book(tmp_path, *GOOD[case])
    figures = load(path)
    got, want = snapshot(figures), clean_snapshot()
    assert len(want) > 250  # every figure and text of the clean workbook
    assert {k: v for k, v in got.items() if want.get(k) != v} == {}
    assert got.keys() == want.keys()
    assert [str(f) for f in check(figures, derive(figures))] == []


def test_good_variant_count_in_wan_keeps_its_rounding(tmp_path: Path) -> None:
    value = load(book(tmp_path, put("类型分类", "C4", "2.9万"))).by_category["住房"]["诉求"]
    assert (value.value, value.tolerance, value.where) == (29000, 500, "类型分类!C4")


def test_good_variant_header_in_wan_reads_the_cells_as_wan(tmp_path: Path) -> None:
    totals = load(book(tmp_path, totals_in_wan)).totals
    assert totals["受理总量"].current.value == 197000
    assert totals["受理总量"].previous.value == 180000  # 上年 keeps its own unit


def test_good_variant_moved_column_keeps_its_cells(tmp_path: Path) -> None:
    figures = load(book(tmp_path, move_column("类型分类", "B", 6)))
    assert figures.by_category["城乡建设"]["咨询"].where == "类型分类!F3"
    assert figures.by_category["城乡建设"]["诉求"].where == "类型分类!B3"


def test_good_variant_without_note_row_reports_cells_one_row_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = book(tmp_path, drop_note_rows, put("热点", "B3", "很多"))  # 住房 本年, row 4 before
    code, lines = run_check(path, capsys)
    assert code == 2
    assert lines[0].startswith("热点!B3: ")


# ---------------------------------------------------------------------------------------------
# corners found by review: literal percent signs, open ranges, stale dimensions, formulas anywhere


@pytest.mark.parametrize("cells", ["类型月度!B:B", "类型月度!3:3"])
def test_illustrative_whole_column_or_row(cells: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = book(tmp_path, put("说明", "A3", cells), put("说明", "B3", "示意"))
    code, lines = run_check(path, capsys)
    assert code in (0, 2)
    if code == 2:
        assert lines[0].startswith("说明!A3: ")


def test_rate_with_literal_percent_in_its_format_is_not_scaled(tmp_path: Path) -> None:
    figures = load(book(tmp_path, put("办理率", "C3", 94.3, '0.0"%"')))
    assert figures.rates[("全市", "全市")].resolution.value == Decimal("94.3")


def test_rate_above_100_percent_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_check(book(tmp_path, put("办理率", "C3", 943)), capsys)
    assert code in (1, 2)
    assert lines[0].startswith("办理率!C3: ")


def test_percent_sign_in_a_count_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run_check(book(tmp_path, put("热点", "C4", "65000%")), capsys)
    assert code == 2
    assert lines[0].startswith("热点!C4: ")


def test_uncached_formula_in_a_key_column_asks_to_recalculate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = run_check(book(tmp_path, put("类型月度", "A4", "=A3+1")), capsys)
    assert code == 2
    assert lines[0].startswith("类型月度!A4: ") and "公式没有缓存值" in lines[0]


def test_uncached_formula_in_a_text_column_asks_to_recalculate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = run_check(book(tmp_path, put("基本信息", "B3", "=2019+1")), capsys)
    assert code == 2
    assert lines[0].startswith("基本信息!B3: ") and "公式没有缓存值" in lines[0]


@pytest.mark.parametrize(("sheet", "ref", "text"), [("总量", "B3", "—"), ("类型月度", "B3", "无")])
def test_not_applicable_in_a_current_count_is_a_finding(
    sheet: str, ref: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = run_check(book(tmp_path, put(sheet, ref, text)), capsys)
    assert code in (1, 2)
    assert lines[0].startswith(f"{sheet}!{ref}: ")


def _stale_dimension(tmp_path: Path) -> Path:
    """The clean workbook whose 街乡镇 sheet declares a used range A1:C3 though it fills A1:C5."""
    source = book(tmp_path, name="source.xlsx")
    sheet_file = f"xl/worksheets/sheet{[s.name for s in SHEETS].index('街乡镇') + 2}.xml"
    path = tmp_path / "figures.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == sheet_file:
                assert b'<dimension ref="A1:C5"/>' in data
                data = data.replace(b'<dimension ref="A1:C5"/>', b'<dimension ref="A1:C3"/>')
            dst.writestr(info, data)
    return path


def test_stale_sheet_dimension_loses_no_rows(tmp_path: Path) -> None:
    figures = load(_stale_dimension(tmp_path))
    assert [s.name for s in figures.streets] == ["东华门街道", "西长安街街道", "怀柔镇"]


@pytest.mark.parametrize("xml", [b"<f>SUM(A1)</f>", b'<f t="shared" si="0"/>', b"<x:f>A1</x:f>", b"<f\n>A1</f>"])
def test_the_formula_prescan_sees_every_formula_element(xml: bytes) -> None:
    from builder.workbook.reader import _ANY_FORMULA

    assert _ANY_FORMULA.search(b'<c r="B3"><v>1</v></c><c r="B4">' + xml + b"</c>")


@pytest.mark.parametrize("xml", [b"<fill/>", b"<font>", b"<x:fill>", b'<c r="F3"><v>1</v></c>'])
def test_the_formula_prescan_skips_sheets_without_one(xml: bytes) -> None:
    from builder.workbook.reader import _ANY_FORMULA

    assert not _ANY_FORMULA.search(xml)
