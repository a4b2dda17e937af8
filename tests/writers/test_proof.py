"""The proof list of the 2020 sample: one row per printed figure, traced to the workbook's cells."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from builder.command.pipeline import prepare, proof_inputs
from builder.document import Document, FigureState
from builder.document.walk import placed_figures
from builder.figures.derived import Ledger, derive
from builder.figures.formulas import expand
from builder.model.findings import Finding
from builder.workbook.load import load
from builder.workbook.reader import split_header
from builder.workbook.schema import HEADER_ROW
from builder.writers.proof_list import proof_workbook
from builder.writers.proof_list.rows import HEADERS, NOTES_SHEET, SHEET

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"

Row = dict[str, Any]


@pytest.fixture(scope="module")
def prepared() -> tuple[Document, list[Finding], Ledger]:
    edition, document, findings = prepare(SAMPLE)
    return document, findings, derive(load(edition.workbook))


@pytest.fixture(scope="module")
def data(prepared: tuple[Document, list[Finding], Ledger]) -> bytes:
    document, findings, ledger = prepared
    return proof_workbook(document, proof_inputs(findings, ledger))


@pytest.fixture(scope="module")
def rows(data: bytes) -> list[Row]:
    wb = load_workbook(BytesIO(data))
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    assert tuple(header) == HEADERS
    out = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    wb.close()
    return out


@pytest.fixture(scope="module")
def sample_cells() -> Any:
    """The sample workbook read independently of the builder's reader: cached values, not formulas."""
    wb = load_workbook(SAMPLE / "figures.xlsx", data_only=True)
    yield wb
    wb.close()


def test_one_row_per_figure_occurrence(prepared: tuple[Document, list[Finding], Ledger], rows: list[Row]) -> None:
    placed = placed_figures(prepared[0])
    assert len(rows) == len(placed) > 1000
    assert [r["编号"] for r in rows] == [p.key for p in placed]
    assert [r["序号"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["印出"] for r in rows] == [p.figure.text for p in placed]


def _expected(cell: Any, ws: Any) -> Decimal:
    """The cell's number as the report means it: a header in 万 multiplies by 10 000, a % format by 100."""
    raw = cell.value
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        number = Decimal(text.rstrip("万%")) * (10000 if text.endswith("万") else 1)
    else:
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    _, unit = split_header(ws.cell(HEADER_ROW, cell.column).value)
    if unit.startswith("万") and unit != "万人":
        number *= 10000
    if "%" in str(cell.number_format) and not isinstance(raw, str):
        number *= 100
    return number


def test_plain_cells_hold_the_workbook_value(rows: list[Row], sample_cells: Any) -> None:
    plain = [r for r in rows if r["来源"] and "、" not in r["来源"] and not r["公式"]]
    assert len(plain) > 800
    for r in plain:
        sheet, ref = r["来源"].split("!")
        cell = sample_cells[sheet][ref]
        if cell.value is None:
            assert r["数值"] is None and r["状态"] == "缺数", r
            continue
        expected = _expected(cell, sample_cells[sheet])
        assert r["数值"] is not None, r
        assert Decimal(repr(r["数值"])) == expected, (r, cell.value)
        if isinstance(cell.value, int):
            assert isinstance(r["数值"], int), r  # counts stay whole numbers


def test_derived_formulas_name_every_source_cell(rows: list[Row]) -> None:
    derived = [r for r in rows if r["公式"]]
    assert len(derived) > 200
    for r in derived:
        assert r["公式"].startswith("=") and "〔" not in r["公式"], r
        for source in r["来源"].split("、"):
            assert source in r["公式"], (source, r["公式"])
    shares = [r for r in derived if r["编号"] == "总量.电话反映.占比@1"]
    assert shares[0]["公式"] == "=总量!B4/(总量!B4+总量!B5)"


def test_expand_brackets_sums_and_keeps_unknown_names() -> None:
    formulas = {"和": "=A!B1+A!B2", "一": "=A!B3", "人均": "=〔和〕/A!C1"}
    assert expand("=A!B9/(〔和〕)", formulas) == "=A!B9/(A!B1+A!B2)"
    assert expand("=〔人均〕*2", formulas) == "=((A!B1+A!B2)/A!C1)*2"
    assert expand("=〔一〕-1", formulas) == "=A!B3-1"
    assert expand("=〔无〕", formulas) == "=〔无〕"


def test_missing_figures_are_marked(prepared: tuple[Document, list[Finding], Ledger], rows: list[Row]) -> None:
    missing = {p.key for p in placed_figures(prepared[0]) if p.figure.state is FigureState.MISSING}
    assert len(missing) == 8
    assert {r["编号"] for r in rows if r["状态"] == "缺数"} == missing
    assert all(r["印出"] == "【待补】" and r["数值"] is None for r in rows if r["状态"] == "缺数")


def test_states_follow_findings_and_illustrative_marks(
    prepared: tuple[Document, list[Finding], Ledger], rows: list[Row]
) -> None:
    flagged_cells = {f.where for f in prepared[1]}
    for r in rows:
        sources = set(r["来源"].split("、"))
        if r["状态"] == "缺数":
            continue
        assert (r["状态"] == "有检查问题") == bool(sources & flagged_cells), r
        if r["状态"] == "有检查问题":
            cells = {line.split(": ")[0] for line in r["问题"].split("；")}
            assert cells <= sources and cells, r
        else:
            assert r["问题"] is None
    total = next(r for r in rows if r["编号"] == "总量!B3@1")
    assert total["状态"] == "有检查问题" and "电话反映+网络反映" in total["问题"]
    assert {r["状态"] for r in rows} == {"正常", "缺数", "示意", "有检查问题"}


def test_sheet_layout(data: bytes) -> None:
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == [SHEET, NOTES_SHEET]
    ws = wb[SHEET]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:L{ws.max_row}"
    assert all((ws.column_dimensions[c].width or 0) >= 6 for c in "ABCDEFGHIJK")
    formula = next(c for c in ws["H"][1:] if c.value)
    assert formula.data_type == "s"  # kept as text: the report's formulas name sheets of another workbook
    notes = [r[0] for r in wb[NOTES_SHEET].iter_rows(values_only=True)]
    assert set(HEADERS) <= set(notes)
    wb.close()


def test_same_input_gives_same_bytes(prepared: tuple[Document, list[Finding], Ledger], data: bytes) -> None:
    assert proof_workbook(prepared[0], proof_inputs(*prepared[1:])) == data


def test_same_bytes_under_source_date_epoch(
    prepared: tuple[Document, list[Finding], Ledger], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1609459200")  # 2021-01-01
    first = proof_workbook(prepared[0], proof_inputs(*prepared[1:]))
    assert proof_workbook(prepared[0], proof_inputs(*prepared[1:])) == first
    wb = load_workbook(BytesIO(first))
    assert wb.properties.created.year == 2021 and wb.properties.modified.year == 2021
    wb.close()


def test_libreoffice_opens_it(data: bytes, rows: list[Row], tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        if not os.environ.get("CI"):
            pytest.skip("soffice (LibreOffice) is not installed")
        pytest.fail("CI must have LibreOffice Calc (libreoffice-calc-nogui) to open the proof list")
    source = tmp_path / "校对清单.xlsx"
    source.write_bytes(data)
    user_dir = Path(f"/tmp/lo-proof-{os.getpid()}")
    try:
        result = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{user_dir}",
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, double quote, UTF-8
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(user_dir, ignore_errors=True)
    out = tmp_path / "校对清单.csv"
    assert out.exists(), f"LibreOffice could not open the proof list (is Calc installed?): {result.stderr}"
    with out.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    assert tuple(lines[0]) == HEADERS
    assert len(lines) == len(rows) + 1
    assert lines[37][HEADERS.index("公式")] == "=总量!B4/(总量!B4+总量!B5)"
