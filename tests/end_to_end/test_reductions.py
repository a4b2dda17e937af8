"""Random reductions of a workbook an analyst could really have on the way to a final report: the
2020 sample, the blank template and the small clean edition, with rows and optional sheets removed,
cells blanked, and “—” put where a sheet's note allows it. Whatever the reader accepts builds a
draft (exit 0) or a final build refuses it with findings (exit 1), never an internal error (3);
and a final build that succeeds prints no 【待补】 and no sentence with a hole, in the PDF or the DOCX.

More examples: `BUILDER_REDUCTIONS=200 tools/test.sh tests/end_to_end/test_reductions.py`.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import SAMPLE, small_data
from docx_tools import body_of, paragraph_texts, pdf_text
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from builder.command.cli import FINDINGS, OK, main
from builder.compose.audit import HOLE
from builder.document import MISSING_TEXT
from builder.workbook import blank
from builder.workbook.reader import split_header
from builder.workbook.schema import DIRECTORIES, FIRST_DATA_ROW, HEADER_ROW, SHEETS, ColumnKind

EXAMPLES = int(os.environ.get("BUILDER_REDUCTIONS", "12"))
FIGURES = {ColumnKind.COUNT, ColumnKind.RATE, ColumnKind.AMOUNT, ColumnKind.POPULATION}
DIRECTORY_SHEETS = {sheet for sheet, _ in DIRECTORIES.values()} | {"热点子类"}  # 热点月度 names its sub-topics
SHEET_NAMES = [s.name for s in SHEETS]

Op = tuple[str, int, int, int]  # (what, sheet index, row pick, column pick)
ops = st.lists(
    st.tuples(
        st.sampled_from(["drop-row", "blank", "blank", "na", "drop-sheet"]),
        st.integers(0, len(SHEETS) - 1),
        st.integers(0, 10_000),
        st.integers(0, 100),
    ),
    max_size=30,
)


@pytest.fixture(autouse=True, scope="module")
def one_process() -> Iterator[None]:
    """One process per build: the examples are many and small (the forked build has its own tests)."""
    before = os.environ.get("BUILDER_JOBS")
    os.environ["BUILDER_JOBS"] = "1"
    yield
    if before is None:
        del os.environ["BUILDER_JOBS"]
    else:
        os.environ["BUILDER_JOBS"] = before


def base_bytes(base: str) -> bytes:
    if base == "sample":
        return (SAMPLE / "figures.xlsx").read_bytes()
    return blank.workbook_bytes(small_data() if base == "small" else None)


def reduce(path: Path, steps: list[Op]) -> None:
    """Apply each step that keeps the workbook one the reader accepts (a name still in its directory,
    fixed rows kept, “—” only where the sheet's column allows it)."""
    wb = openpyxl.load_workbook(path)
    for what, sheet_index, row_pick, column_pick in steps:
        sheet = SHEETS[sheet_index]
        if sheet.name not in wb.sheetnames:
            continue
        ws = wb[sheet.name]
        rows = list(range(FIRST_DATA_ROW, ws.max_row + 1))
        if what == "drop-sheet":
            if sheet.optional:
                del wb[sheet.name]
            continue
        if not rows:
            continue
        row = rows[row_pick % len(rows)]
        if what == "drop-row":
            if not sheet.rows and sheet.name not in DIRECTORY_SHEETS:
                ws.delete_rows(row)
            continue
        headers = {split_header(c.value)[0]: c.column for c in ws[HEADER_ROW] if c.value}
        candidates = [
            c for c in sheet.columns if c.header in headers and (c.na_ok if what == "na" else c.kind in FIGURES)
        ]
        if candidates:
            column = candidates[column_pick % len(candidates)]
            ws.cell(row, headers[column.header]).value = "—" if what == "na" else None
    wb.save(path)


def build(path: Path, out: Path, *extra: str) -> int:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        return main(["build", str(path), "-o", str(out), *extra])


def assert_nothing_missing(out: Path) -> None:
    pdf = pdf_text(next(out.glob("*.pdf"))).replace("\n", "")
    docx = "".join(paragraph_texts(body_of(next(out.glob("*.docx")).read_bytes())))
    for text in (pdf, docx):
        assert MISSING_TEXT not in text
        assert not HOLE.search(text), HOLE.search(text)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(base=st.sampled_from(["sample", "template", "small", "small"]), steps=ops)
@example(base="small", steps=[])  # the clean small edition: its final build must succeed and be whole
@example(  # “—” in last year's figures, rows of the streets and departments dropped
    base="small",
    steps=[
        ("na", SHEET_NAMES.index("热点"), 1, 0),
        ("na", SHEET_NAMES.index("总量"), 0, 0),
        ("drop-row", SHEET_NAMES.index("街乡镇"), 1, 0),
        ("drop-row", SHEET_NAMES.index("市级部门"), 0, 0),
    ],
)
def test_a_reduced_workbook_builds_or_is_refused_with_findings(base: str, steps: list[Op]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "figures.xlsx"
        path.write_bytes(base_bytes(base))
        reduce(path, steps)
        final = build(path, folder / "final", "--final")
        assert final in (OK, FINDINGS), (base, steps, final)
        event(f"{base}: final build {'built' if final == OK else 'refused'}")
        if final == OK:
            assert_nothing_missing(folder / "final")
        else:
            assert not (folder / "final").exists()
            assert build(path, folder / "draft") == OK, (base, steps)
