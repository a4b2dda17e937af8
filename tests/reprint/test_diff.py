"""`builder diff`: the 2020 sample against copies of it with a few cells changed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, edition_copy

from builder.command.pipeline import prepare_all
from builder.command.reprinting import diff
from builder.document.walk import placed_figures
from builder.reprint.diff import (
    NO_CHANGE,
    DiffReport,
    InputCell,
    Side,
    cell_changes,
    diff_sides,
    format_cell,
    format_report,
)

TOTAL = ("总量", ("受理总量",), "本年")
LABOUR = ("热点", ("劳动和社会保障",), "本年")
HOUSING = ("热点", ("住房",), "上年")
# the sample's 热点 rows: 教育 on row 11, 劳动和社会保障 on row 12; the changed copy swaps them
SWAPPED = {"热点!B11": "热点!B12", "热点!B12": "热点!B11", "热点!C11": "热点!C12", "热点!C12": "热点!C11"}
SWAPPED |= {"热点!D11": "热点!D12", "热点!D12": "热点!D11"}


def three_cells(wb: Any) -> None:
    """(a) the total, (b) 劳动和社会保障 above 教育, rows re-sorted as the sheet asks, (c) 住房 last year above this year."""
    total = wb["总量"]
    assert total["A3"].value == "受理总量"
    total["B3"] = total["B3"].value + 100000
    hot = wb["热点"]
    assert (hot["A6"].value, hot["A11"].value, hot["A12"].value) == ("住房", "教育", "劳动和社会保障")
    assert hot["C6"].value < hot["B6"].value
    hot["C6"] = hot["B6"].value + 25000  # 上升 becomes 下降
    education = [c.value for c in hot[11]]
    labour = [c.value for c in hot[12]]
    labour[1] = education[1] + 10000  # 直接答复 left as it is: only the check minds
    for col, (a, b) in enumerate(zip(labour, education, strict=True), start=1):
        hot.cell(11, col).value = a
        hot.cell(12, col).value = b


def swap_departments(wb: Any) -> None:
    """Rows reordered, nothing else: the report ranks these itself."""
    ws = wb["市级部门"]
    first, second = [c.value for c in ws[3]], [c.value for c in ws[4]]
    for col, (a, b) in enumerate(zip(second, first, strict=True), start=1):
        ws.cell(3, col).value = a
        ws.cell(4, col).value = b


def drop_topic(wb: Any) -> None:
    """劳动和社会保障 no longer a hot topic: its rows leave every 热点 sheet."""
    for name in ("热点", "热点子类", "热点月度", "热点承办单位", "热点各区"):
        ws = wb[name]
        for r in range(ws.max_row, 0, -1):
            if ws.cell(r, 1).value == "劳动和社会保障":
                ws.delete_rows(r)


def load_side(path: Path) -> Side:
    prepared = prepare_all(path)
    return Side(prepared.figures, prepared.document)


@pytest.fixture(scope="module")
def sample() -> Side:
    return load_side(SAMPLE)


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Side:
    return load_side(edition_copy(tmp_path_factory.mktemp("diff") / "2020", three_cells))


@pytest.fixture(scope="module")
def report(sample: Side, changed: Side) -> DiffReport:
    return diff_sides(sample, changed)


def changed_where(report: DiffReport) -> tuple[set[str], set[str]]:
    return {c.old_where for c in report.cells}, {c.where for c in report.cells}


def test_exactly_the_three_cells_are_listed(report: DiffReport) -> None:
    assert {(c.sheet, c.key, c.column) for c in report.cells} == {TOTAL, LABOUR, HOUSING}
    assert report.rows == ()
    labour = next(c for c in report.cells if c.key == LABOUR[1])
    assert (labour.old_where, labour.where) == ("热点!B12", "热点!B11")  # moved, matched by its key
    assert (labour.old, labour.new) == ("329013", "340212")
    lines = format_report(report)
    assert "  总量!B3 受理总量·本年: 10223291 → 10323291" in lines
    assert "  热点!B11（原B12） 劳动和社会保障·本年: 329013 → 340212" in lines


def test_every_listed_figure_depends_on_a_changed_cell(report: DiffReport) -> None:
    old_cells, new_cells = changed_where(report)
    assert report.figures
    for f in report.figures:
        assert set(f.sources) & new_cells or set(f.old_sources) & old_cells, f


def _by_occurrence(placed: list[Any], rename: dict[str, str]) -> dict[tuple[str, int], Any]:
    seen: Counter[str] = Counter()
    out = {}
    for p in placed:
        name = rename.get(p.figure.id, p.figure.id)
        seen[name] += 1
        out[(name, seen[name])] = p
    return out


def test_every_changed_figure_on_a_changed_cell_is_listed(sample: Side, changed: Side, report: DiffReport) -> None:
    _, new_cells = changed_where(report)
    before = _by_occurrence(placed_figures(sample.document), {})
    after = _by_occurrence(placed_figures(changed.document), SWAPPED)  # new addresses as the old ones
    expected = {
        p.key
        for k, p in after.items()
        if set(p.figure.sources) & new_cells and (k not in before or before[k].figure.text != p.figure.text)
    }
    assert len(expected) > 10
    assert expected == {f.key for f in report.figures}


def test_the_growth_word_and_the_ranking_show_as_sentences(report: DiffReport) -> None:
    housing = [s for s in report.sentences if s.heading.endswith("住房")]
    assert any("住房类问题" in s and "环比下降" in s for c in housing for s in c.new)
    assert any("住房类问题" in s and "环比上升" in s for c in housing for s in c.old)
    ranking = [s for c in report.sentences for s in c.new if "群众反映前十类问题" in s]
    assert ranking and "社会秩序、劳动和社会保障、教育等" in ranking[0]
    assert report.blocks == ()  # the two sections swapped places: paired, not added and removed


def test_nothing_unrelated_is_listed(report: DiffReport) -> None:
    parts = {c.part for c in report.sentences} | {f.part for f in report.figures}
    assert parts == {"二、来电类型公开", "四、反映热点公开"}
    text = "\n".join(format_report(report))
    assert "工作情况公开" not in text and "教育类问题共反映" not in text
    assert not any(c.heading.endswith("教育") and c.where != "标题" for c in report.sentences)


def test_report_sections_in_order(report: DiffReport) -> None:
    heads = [line for line in format_report(report) if not line.startswith(" ")]
    assert [re.sub(r"（\d+处）", "", h) for h in heads] == ["一、改动的单元格", "二、受影响的数字", "三、改动的语句"]


def test_same_edition_gives_one_line(sample: Side, capsys: pytest.CaptureFixture[str]) -> None:
    assert format_report(diff_sides(sample, sample)) == [NO_CHANGE]
    workbook = SAMPLE / "figures.xlsx"
    assert diff(workbook, workbook) == 0
    assert capsys.readouterr().out == f"{NO_CHANGE}\n"


def test_reordered_rows_are_no_change(sample: Side, tmp_path: Path) -> None:
    moved = load_side(edition_copy(tmp_path / "2020", swap_departments))
    assert format_report(diff_sides(sample, moved)) == [NO_CHANGE]


def test_a_removed_topic_lists_its_rows_and_blocks(sample: Side, tmp_path: Path) -> None:
    report = diff_sides(sample, load_side(edition_copy(tmp_path / "2020", drop_topic)))
    assert report.cells == ()
    assert report.rows and all(not r.added and r.key[0] == "劳动和社会保障" for r in report.rows)
    removed = [b for b in report.blocks if not b.added]
    assert removed and all(b.heading == "10.劳动和社会保障" for b in removed)
    assert len(removed) == len(report.blocks)
    assert all(f.new == "（无）" for f in report.figures if "劳动和社会保障" in f.old_key)


def test_a_column_one_sheet_lacks_counts_as_empty() -> None:
    old = {"本年": InputCell("总量!B3", "1"), "上年": InputCell("总量!C3", "2")}
    changes = cell_changes(("总量", ("受理总量",)), old, {"本年": InputCell("总量!B3", "1")})
    assert [(c.column, c.old, c.new) for c in changes] == [("上年", "2", "（空）")]
    assert format_cell(changes[0]) == "总量!C3 受理总量·上年: 2 → （空）"
