"""The 2020 sample edition against the seed report it was taken from."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from builder.command.cli import main
from builder.command.pipeline import read
from builder.figures.check import check
from builder.figures.derived import derive
from builder.model.figures import Figures
from builder.model.findings import Finding
from builder.model.findings import FindingKind as Kind
from builder.model.values import State
from builder.workbook import blank as template
from builder.workbook.load import load
from builder.workbook.schema import SHEETS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
SEED = ROOT / "tests" / "data" / "seed_2020.txt"  # the reference report, as published in draft


@pytest.fixture(scope="module")
def figures() -> Figures:
    return load(SAMPLE)


@pytest.fixture(scope="module")
def findings(figures: Figures) -> list[Finding]:
    return read(SAMPLE).findings


def test_check_exits_1_and_every_line_names_a_cell(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SAMPLE)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines
    for line in lines:
        assert re.match(r"^[^!:\s]+![A-Z]+\d+(:[A-Z]+\d+)?: \S", line), line


def test_every_double_star_of_the_seed_is_a_missing_finding(findings: list[Finding]) -> None:
    stars = SEED.read_text(encoding="utf-8").count("**")
    missing = [f for f in findings if f.kind is Kind.MISSING]
    assert len(missing) == stars, [str(f) for f in missing]


def test_missing_cells_are_exactly_the_empty_cells(figures: Figures, findings: list[Finding]) -> None:
    empty = {v.where for v in figures.values() if v.state is State.MISSING}
    assert {f.where for f in findings if f.kind is Kind.MISSING} == empty


def test_phone_plus_network_is_not_the_stated_total(figures: Figures, findings: list[Finding]) -> None:
    total = figures.totals["受理总量"].current
    at_total = [f for f in findings if f.where == total.where and f.kind is Kind.SUM]
    assert any("电话反映+网络反映" in f.message for f in at_total), [str(f) for f in findings]
    phone, net = figures.totals["电话反映"].current.value, figures.totals["网络反映"].current.value
    assert isinstance(phone, int) and isinstance(net, int) and isinstance(total.value, int)
    assert phone + net != total.value


def test_stated_figures_that_the_counts_reproduce_give_no_finding(figures: Figures, findings: list[Finding]) -> None:
    flagged = {f.where for f in findings if f.kind is Kind.STATED}
    led = derive(figures)
    reproduced = [s for s in figures.stated if s.where not in flagged]
    assert len(reproduced) > 50
    for s in reproduced:
        assert led[s.key].value is not None, s.key


def _raw(value: Any) -> Any:
    if value.state is State.NA:
        return "—"
    if value.state is State.MISSING:
        return None
    return value.value if isinstance(value.value, int) else float(value.value)


def _data(figures: Figures) -> dict[str, list[dict[str, Any]]]:
    """The sample's tables as rows of plain values, the way code would fill a template."""
    data: dict[str, list[dict[str, Any]]] = {}
    for sheet in SHEETS:
        rows = []
        for row in figures.tables[sheet.name].rows:
            cells: dict[str, Any] = dict(zip(sheet.key, row.key, strict=True))
            if "月份" in cells:
                cells["月份"] = int(cells["月份"])
            cells.update({h: _raw(v) for h, v in row.values.items()})
            cells.update(row.texts)
            rows.append(cells)
        data[sheet.name] = rows
    return data


def _snapshot(figures: Figures) -> dict[tuple[str, tuple[str, ...], str], tuple[State, Any, bool]]:
    out = {}
    for name, table in figures.tables.items():
        for row in table.rows:
            for header, v in row.values.items():
                number = Decimal(v.value) if v.value is not None else None
                out[(name, row.key, header)] = (v.state, number, v.illustrative)
            for header, text in row.texts.items():
                out[(name, row.key, header)] = (State.OK, text, False)
    return out


def test_template_filled_by_code_reads_back_to_the_sample(figures: Figures, tmp_path: Path) -> None:
    path = tmp_path / "filled.xlsx"
    path.write_bytes(template.workbook_bytes(_data(figures)))
    again = load(path)
    assert _snapshot(again) == _snapshot(figures)
    assert again.year == figures.year == 2020


def test_template_alone_gives_only_missing_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.xlsx"
    assert main(["template", str(path)]) == 0
    empty = load(path)
    found = check(empty, derive(empty))
    assert found and all(f.kind is Kind.MISSING for f in found)
    assert main(["check", str(path)]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_check_lists_the_seeds_own_inconsistencies(findings: list[Finding]) -> None:
    """Each contradiction of the seed that no choice of exact counts can remove, at its cell."""
    sums = {(f.where, f.message.split("为", 1)[0]) for f in findings if f.kind is Kind.SUM}
    assert sums == {
        ("总量!B3", "本年电话反映+网络反映"),  # 919.4万 + 87.3万 is not 1022.3万
        ("总量!B3", "本年直接解答+派单处理"),  # 604.4万 + 402.3万 neither
        ("总量!B3", "五类来电合计"),  # the five call types' months exceed the total
        ("总量!B8", "五类来电中诉求合计"),  # Nov 93.1万 = 12.44% of 诉求 cannot be 415.7万
        ("承办单位!B3", "《各区》区级部门合计"),  # zones' 区级部门 add to 158.98万, not 159.1万
        ("热点!B8", "《类型分类》“城乡建设”五类合计"),  # the call-type rankings cap 城乡建设
        ("热点!B10", "《类型分类》“社会秩序”五类合计"),  # and 社会秩序
    }
