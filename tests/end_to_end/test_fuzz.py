"""Fuzzing `builder check` with hypothesis: random values in random cells of random sheets of the sample.

A mutation writes up to 8 values (text, numbers, full-width digits, control characters, empty, “—”,
formula strings, huge and negative numbers, dates, logical values, names of other rows) into cells
of a copy of the 2020 sample, and may then delete, rename or move a sheet, or delete, insert or
swap a column or a row. The property: `builder check` exits 0, 1 or 2; nothing printed holds
“Traceback” or “内部错误”; every line it prints for a finding or a refusal is `where: what`.

The suite runs about a minute of it (`FUZZ_EXAMPLES`, default below); `tools/fuzz.py --minutes N`
runs the same property for longer, and with `--build` runs whole builds instead of checks.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import pickle
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell

from builder.command.cli import main
from builder.workbook.schema import SHEETS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "240"))  # ~0.25 s each: about a minute

ALL_SHEETS = ("填表须知", *(s.name for s in SHEETS))
WHERE_WHAT = re.compile(r"^(?P<where>\S.*?): (?P<what>\S.*)$")
PROGRESS = re.compile(r"^(第\d步 |注意：|草稿：|共\d+处问题|未发现问题)")
MORE = re.compile(r"^……另有 \d+ 处错误未列出$")


# ---------------------------------------------------------------------------------------------
# strategies


NAMES = (
    "东城区",
    "西城区",
    "朝阳区",
    "城乡建设",
    "住房",
    "全市",
    "区",
    "区分中心",
    "1月",
    "十三月",
    "受理总量",
    "年度",
    "地区",
)
FORMULAS = ("=SUM(B3:B4)", "=1/0", "=A1", "=NOW()", "=#REF!", '="很多"', "=B3*1E300")
HUGE = (1e30, -1e30, 1e308, -1e308, 1e-30, 2**63, -(2**63), 10**20, 10**30 + 1, 0.1 + 0.2)
CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\x85\u2028\u2029\ufeff\u200b"

text_values = st.one_of(
    st.text(max_size=24),
    st.text(alphabet="０１２３４５６７８９．，、％万亿件个 \u3000-—+eE%,.", min_size=1, max_size=12),
    st.text(alphabet=CONTROL + "1234万 ", min_size=1, max_size=8),
    st.from_regex(r"[-+]?[0-9]{1,3}(,[0-9]{3}){0,6}(\.[0-9]{1,6})?(%|％|万|万件|件)?", fullmatch=True),
    st.sampled_from(("", " ", "—", "——", "-", "/", "不适用", "**", "NaN", "inf", "-0", "1e400", "0x10", "1_000")),
    st.sampled_from(NAMES),
    st.sampled_from(FORMULAS),
)
cell_values = st.one_of(
    st.none(),
    text_values,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(HUGE),
    st.booleans(),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2100, 1, 1)),
)
rows = st.one_of(st.integers(3, 20), st.integers(1, 5), st.integers(1, 200))
columns = st.one_of(st.integers(1, 6), st.integers(1, 16), st.integers(55, 70))


@dataclass(frozen=True)
class Put:
    sheet: str
    row: int
    column: int
    value: Any


@dataclass(frozen=True)
class Change:
    """A change of layout: `op` on `sheet` at `index` (a row or column), `other` naming a sheet or column."""

    op: str
    sheet: str
    index: int
    other: Any


@dataclass(frozen=True)
class Mutation:
    puts: tuple[Put, ...]
    change: Change | None


puts = st.builds(Put, st.sampled_from(ALL_SHEETS), rows, columns, cell_values)
changes = st.one_of(
    st.none(),
    st.builds(
        Change,
        st.sampled_from(
            (
                *("delete-sheet", "rename-sheet", "move-sheet"),
                *("delete-column", "insert-column", "swap-columns"),
                *("delete-row", "insert-row", "duplicate-row"),
            )
        ),
        st.sampled_from(ALL_SHEETS),
        st.integers(1, 20),
        st.one_of(st.sampled_from(ALL_SHEETS), st.text(min_size=1, max_size=12), st.integers(1, 20)),
    ),
)
mutations = st.builds(Mutation, st.lists(puts, max_size=8).map(tuple), changes)


# ---------------------------------------------------------------------------------------------
# applying a mutation


@cache
def sample_pickle() -> bytes:
    return pickle.dumps(load_workbook(SAMPLE / "figures.xlsx"))


def storable(value: Any) -> Any:
    """What openpyxl will store: characters XML cannot carry written as Excel's `_xHHHH_` escapes."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    return value


def apply(mutation: Mutation) -> Workbook:
    wb: Workbook = pickle.loads(sample_pickle())
    for put in mutation.puts:
        cell = wb[put.sheet].cell(put.row, put.column)
        if not isinstance(cell, MergedCell):  # the covered cells of a merged range hold nothing
            cell.value = storable(put.value)
    if mutation.change is not None:
        change(wb, mutation.change)
    return wb


def change(wb: Workbook, c: Change) -> None:
    ws = wb[c.sheet]
    other = c.other if isinstance(c.other, int) else 1 + len(str(c.other)) % 8
    if c.op == "delete-sheet":
        wb.remove(ws)
    elif c.op == "rename-sheet":
        title = re.sub(r"[\\*?:/\[\]]", "", str(c.other))[:31] or "表"  # what Excel allows in a sheet name
        ws.title = title if title not in wb.sheetnames else f"{title[:30]}2"
    elif c.op == "move-sheet":
        wb.move_sheet(ws, offset=-min(c.index, wb.index(ws)))
    elif c.op == "delete-column":
        ws.delete_cols(c.index)
    elif c.op == "insert-column":
        ws.insert_cols(c.index)
    elif c.op == "swap-columns":
        for row in range(1, ws.max_row + 1):
            a, b = ws.cell(row, c.index), ws.cell(row, other)
            if isinstance(a, MergedCell) or isinstance(b, MergedCell):
                continue
            a.value, b.value = b.value, a.value
    elif c.op == "delete-row":
        ws.delete_rows(c.index)
    elif c.op == "insert-row":
        ws.insert_rows(c.index)
    elif c.op == "duplicate-row":
        ws.append([cell.value for cell in ws[min(c.index, ws.max_row)]])


def save(wb: Workbook, path: Path) -> None:
    """Save, or reject the example when openpyxl itself cannot write what was put in."""
    try:
        wb.save(path)
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date openpyxl cannot serialise
        assume(False)
        raise AssertionError("unreachable") from exc


# ---------------------------------------------------------------------------------------------
# the property


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_well_behaved(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    for text in (out, err):
        assert "Traceback" not in text, text
        assert "内部错误" not in text, text
    errors = [line for line in err.splitlines() if line.strip() and not PROGRESS.match(line)]
    if code == 2:
        assert errors, err
        assert WHERE_WHAT.match(errors[0]), errors[0]
        for line in errors:
            assert WHERE_WHAT.match(line) or MORE.match(line), line
    for line in out.splitlines():  # findings, one a line
        assert WHERE_WHAT.match(line), line


def check_mutation(mutation: Mutation, folder: Path) -> int:
    """Apply, save as `folder/figures.xlsx`, run `builder check`; the exit code, or AssertionError."""
    path = folder / "figures.xlsx"
    save(apply(mutation), path)
    code, out, err = run(["check", str(path)])
    assert_well_behaved(code, out, err)
    return code


def build_mutation(mutation: Mutation, folder: Path) -> int:
    """The same for a whole build of the sample edition with the mutated workbook (tools/fuzz.py --build)."""
    edition = folder / "2020"
    edition.mkdir()
    shutil.copy(SAMPLE / "edition.toml", edition)
    shutil.copytree(SAMPLE / "prose", edition / "prose")
    save(apply(mutation), edition / "figures.xlsx")
    code, _out, err = run(["build", str(edition), "-o", str(folder / "out")])
    assert_well_behaved(code, "", err)
    if code == 0:
        pdfs = list((folder / "out").glob("*.pdf"))
        assert pdfs and all(p.read_bytes().rstrip().endswith(b"%%EOF") for p in pdfs)
    return code


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),  # no slow “explain”
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(mutation=mutations)
def test_check_never_crashes(mutation: Mutation) -> None:
    with tempfile.TemporaryDirectory() as folder:
        check_mutation(mutation, Path(folder))


# ---------------------------------------------------------------------------------------------
# cases the fuzz found, kept as plain tests


def test_full_width_and_control_characters_in_counts(tmp_path: Path) -> None:
    mutation = Mutation(
        (
            Put("总量", 3, 2, "１，２３４，５６７"),
            Put("总量", 4, 2, "12\t34"),
            Put("热点", 3, 2, "\x0b1\x0c"),
            Put("类型月度", 3, 1, "\u3000一月\u3000"),
        ),
        None,
    )
    assert check_mutation(mutation, tmp_path) in (1, 2)


def test_nan_and_infinity_in_cells(tmp_path: Path) -> None:
    mutation = Mutation(
        (Put("总量", 3, 2, float("nan")), Put("总量", 3, 3, float("inf")), Put("办理率", 3, 3, "NaN")), None
    )
    assert check_mutation(mutation, tmp_path) == 2
