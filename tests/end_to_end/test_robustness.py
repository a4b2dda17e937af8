"""`builder build` on 200+ bad workbooks made by mutating the 2020 sample, and on hostile files.

Every case runs a whole build in-process (`builder.command.cli.main(["build", EDITION, "-o", OUT])`) into a
folder that already holds the outputs of a successful build of the sample, and asserts:

- the exit code is 0, 1 or 2, and the build takes under `CASE_SECONDS`;
- nothing printed holds “Traceback” or “内部错误”;
- on exit 2 the first error line is `where: what` (naming the file, sheet or cell), one line;
- on a non-zero exit the earlier outputs are byte for byte as they were, and nothing else appeared;
- on exit 0 every PDF and DOCX in the folder is complete (`%PDF` … `%%EOF`; a zip with
  `word/document.xml`) and no temporary file is left behind.

The mutations are generated from a seeded `random.Random`, so the list and its ids are the same on
every run: sheets removed, renamed, swapped, reordered; columns removed, renamed, moved; cells
blanked or typed wrong (text, logical values, dates, 1e30, negatives, fractions, formulas never
calculated); merged cells over data; rows duplicated, deleted; junk rows and columns; unknown
names; the header pushed down; sheets too long; plus every hostile file of `test_hostile.py`.
Most are refused by the reader in a fraction of a second; about 30 are accepted and built whole.

Set `ROBUSTNESS_LOG=FILE` to have each case append `id exit seconds` to FILE.
"""

from __future__ import annotations

import datetime
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hostile_files import HOSTILE
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference

from builder.command.cli import main
from builder.workbook.schema import SHEETS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
CASE_SECONDS = 10.0
SEED = 20201231

Edit = Callable[[Workbook], None]
Raw = Callable[[Path], None]

# ASCII names of the sheets, for readable test ids
SLUG = {
    "填表须知": "notes",
    "基本信息": "basic",
    "指标": "indicators",
    "总量": "totals",
    "类型分类": "type-category",
    "类型月度": "type-month",
    "类型各区": "type-district",
    "各区": "districts",
    "承办单位": "units",
    "功能区分类": "zone-category",
    "街乡镇": "streets",
    "市级部门": "departments",
    "国有企业": "enterprises",
    "热点": "topics",
    "热点子类": "topic-subs",
    "热点月度": "topic-months",
    "热点承办单位": "topic-units",
    "热点各区": "topic-districts",
    "办理率": "rates",
    "公布值": "stated",
    "说明": "illustrative",
}
PROGRESS = re.compile(r"^(第\d步 |注意：|草稿：|共\d+处问题|未发现问题)")
# `where: what`. Not `^[^:]+: .+`: a where may hold a colon itself, as row and cell ranges do (热点!2:2, A1:A5).
WHERE_WHAT = re.compile(r"^(?P<where>\S.*?): (?P<what>\S.*)$")


# ---------------------------------------------------------------------------------------------
# the sample and its layout


@cache
def sample_pickle() -> bytes:
    """The sample workbook loaded whole by openpyxl, pickled: a fresh copy unpickles in ~10 ms."""
    return pickle.dumps(load_workbook(SAMPLE / "figures.xlsx"))


def fresh_sample() -> Workbook:
    wb: Workbook = pickle.loads(sample_pickle())
    return wb


@dataclass(frozen=True)
class Layout:
    headers: tuple[str, ...]  # row 2, as typed
    last_row: int
    last_column: int
    keys: tuple[int, ...]  # 1-based columns of the row key

    @property
    def data_rows(self) -> range:
        return range(3, self.last_row + 1)

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(c for c in range(1, self.last_column + 1) if c not in self.keys)


@cache
def layout() -> dict[str, Layout]:
    wb = fresh_sample()
    out: dict[str, Layout] = {}
    for sheet in SHEETS:
        ws = wb[sheet.name]
        headers = tuple(str(c.value or "") for c in ws[2])
        keys = tuple(i for i, h in enumerate(headers, start=1) if re.sub(r"（.*", "", h) in sheet.key)
        out[sheet.name] = Layout(headers, ws.max_row, ws.max_column, keys)
    return out


def letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


# ---------------------------------------------------------------------------------------------
# mutations


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[Edit, ...] = ()
    raw: Raw | None = None  # writes the workbook file itself instead


def remove_sheet(name: str) -> Edit:
    return lambda wb: wb.remove(wb[name])


def rename_sheet(name: str, new: str) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[name].title = new

    return edit


def swap_sheet_names(a: str, b: str) -> Edit:
    def edit(wb: Workbook) -> None:
        first, second = wb[a], wb[b]
        first.title = "交换中"
        second.title = a
        first.title = b

    return edit


def reorder_sheets(order: list[int]) -> Edit:
    def edit(wb: Workbook) -> None:
        wb._sheets = [wb._sheets[i] for i in order]
        wb.active = 0

    return edit


def delete_column(sheet: str, column: int) -> Edit:
    return lambda wb: wb[sheet].delete_cols(column)


def put(sheet: str, row: int, column: int, value: Any) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[sheet].cell(row, column).value = value

    return edit


def move_column(sheet: str, column: int) -> Edit:
    """Cut a column's cells (header and data) and paste them after the last column."""

    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        last = ws.max_column
        ws.move_range(f"{letter(column)}2:{letter(column)}{ws.max_row}", cols=last + 1 - column)
        ws.delete_cols(column)

    return edit


def merge(sheet: str, row: int, column: int) -> Edit:
    def edit(wb: Workbook) -> None:
        wb[sheet].merge_cells(start_row=row, start_column=column, end_row=row + 1, end_column=column + 1)

    return edit


def duplicate_row(sheet: str, row: int) -> Edit:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        ws.append([c.value for c in ws[row]])

    return edit


def delete_row(sheet: str, row: int) -> Edit:
    return lambda wb: wb[sheet].delete_rows(row)


def insert_rows(sheet: str, row: int, amount: int) -> Edit:
    return lambda wb: wb[sheet].insert_rows(row, amount=amount)


def append_rows(sheet: str, rows: list[list[Any]]) -> Edit:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        for values in rows:
            ws.append(values)

    return edit


def junk_column(sheet: str, header: str, value: Any) -> Edit:
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        column = ws.max_column + 1
        ws.cell(2, column).value = header
        for row in range(3, ws.max_row + 1):
            ws.cell(row, column).value = value

    return edit


def chart_sheet_instead(name: str) -> Edit:
    """A chart sheet (a chart, no cells) bearing the name of a data sheet, in its place."""

    def edit(wb: Workbook) -> None:
        index = wb.sheetnames.index(name)
        wb.remove(wb[name])
        chart = BarChart()
        chart.add_data(Reference(wb["总量"], min_col=2, min_row=3, max_row=5))
        wb.create_chartsheet(name, index).add_chart(chart)

    return edit


def clear_all_but(sheet: str) -> Edit:
    def edit(wb: Workbook) -> None:
        for ws in list(wb.worksheets):
            if ws.title != sheet:
                wb.remove(ws)

    return edit


def wrong_values() -> dict[str, Any]:
    return {
        "blank": None,
        "text": "很多",
        "bool": True,
        "date": datetime.datetime(2020, 5, 1),
        "1e30": 1e30,
        "negative": -7,
        "fraction": 12.5,
        "formula": "=SUM(B3:B4)",
    }


def generate() -> list[Case]:
    """Every mutation, in a fixed order with fixed choices."""
    rng = random.Random(SEED)
    shape = layout()
    schema = [s.name for s in SHEETS]
    required = [s.name for s in SHEETS if not s.optional]
    cases: list[Case] = []

    def unique(cases: list[Case]) -> list[Case]:
        """The same cases, a name drawn twice given a suffix (-2, -3…)."""
        seen: dict[str, int] = {}
        out = []
        for case in cases:
            seen[case.name] = seen.get(case.name, 0) + 1
            out.append(case if seen[case.name] == 1 else Case(f"{case.name}-{seen[case.name]}", case.edits, case.raw))
        return out

    # sheets
    for name in ["填表须知", *schema]:
        cases.append(Case(f"sheet-removed-{SLUG[name]}", (remove_sheet(name),)))
    for name in schema:
        cases.append(Case(f"sheet-renamed-{SLUG[name]}", (rename_sheet(name, f"{name}（旧）"),)))
    for a, b in [("热点", "热点子类"), ("类型分类", "类型各区"), ("总量", "承办单位"), ("各区", "街乡镇")]:
        cases.append(Case(f"sheet-names-swapped-{SLUG[a]}-{SLUG[b]}", (swap_sheet_names(a, b),)))
    cases.append(Case("sheet-renamed-trailing-space-topics", (rename_sheet("热点", "热点 "),)))
    for index in range(3):
        order = list(range(len(schema) + 1))
        rng.shuffle(order)
        cases.append(Case(f"sheets-reordered-{index}", (reorder_sheets(order),)))

    # columns
    for name in schema:
        column = rng.randint(1, shape[name].last_column)
        cases.append(Case(f"column-removed-{SLUG[name]}-{letter(column)}", (delete_column(name, column),)))
    for name in schema:
        column = rng.randint(1, shape[name].last_column)
        header = shape[name].headers[column - 1]
        cases.append(Case(f"column-renamed-{SLUG[name]}-{letter(column)}", (put(name, 2, column, f"{header}_改"),)))
    for name, column, header in [
        ("总量", 2, "本年（万件）"),
        ("热点", 3, "上年（万件）"),
        ("各区", 3, "常住人口（人）"),
    ]:
        cases.append(Case(f"column-unit-changed-{SLUG[name]}-{letter(column)}", (put(name, 2, column, header),)))
    for name in ["类型分类", "热点月度", "办理率", "总量"]:
        column = rng.randint(1, shape[name].last_column - 1)
        cases.append(Case(f"column-moved-{SLUG[name]}-{letter(column)}", (move_column(name, column),)))
    cases.append(
        Case("column-headers-swapped-type-category", (put("类型分类", 2, 2, "诉求"), put("类型分类", 2, 3, "咨询")))
    )
    cases.append(Case("columns-all-removed-but-key-rates", tuple(delete_column("办理率", 3) for _ in range(4))))

    # cells typed wrong, in value columns; blanks also in key columns
    for kind, value in wrong_values().items():
        count = {"blank": 6, "text": 8, "1e30": 6}.get(kind, 5)
        for _ in range(count):
            name = rng.choice(required)
            sheet = shape[name]
            columns = (*sheet.values, *sheet.keys) if kind == "blank" else sheet.values
            column, row = rng.choice(columns), rng.choice(sheet.data_rows)
            cases.append(Case(f"cell-{kind}-{SLUG[name]}-{letter(column)}{row}", (put(name, row, column, value),)))
    for name, ref, value in [
        ("总量", (3, 2), -1e30),
        ("办理率", (3, 3), 1e30),
        ("各区", (3, 3), 1e30),
        ("指标", (3, 2), 1e308),
        ("指标", (4, 2), "1e400"),
        ("总量", (4, 2), "NaN"),
        ("总量", (5, 2), "inf"),
        ("类型月度", (3, 1), 1e30),
        ("基本信息", (3, 2), 1e30),
        ("基本信息", (4, 2), "测试/../市"),
        ("热点", (3, 2), "9" * 400),
        ("办理率", (3, 3), "1" * 5000),
    ]:
        row, column = ref
        label = re.sub(r"[^0-9a-zA-Z.+-]", "", str(value))[:12] or "text"
        cases.append(Case(f"cell-extreme-{SLUG[name]}-{letter(column)}{row}-{label}", (put(name, row, column, value),)))

    # merged cells over data
    for _ in range(6):
        name = rng.choice(required)
        sheet = shape[name]
        row = rng.choice(sheet.data_rows[:-1] or sheet.data_rows)
        column = rng.randint(1, max(1, sheet.last_column - 1))
        cases.append(Case(f"merged-over-data-{SLUG[name]}-{letter(column)}{row}", (merge(name, row, column),)))

    # rows
    for _ in range(8):
        name = rng.choice(required)
        row = rng.choice(shape[name].data_rows)
        cases.append(Case(f"row-duplicated-{SLUG[name]}-{row}", (duplicate_row(name, row),)))
    for name in ["基本信息", "总量", "类型月度", "承办单位", "办理率", "各区", "类型分类", "热点"]:
        row = rng.choice(shape[name].data_rows)
        cases.append(Case(f"row-deleted-{SLUG[name]}-{row}", (delete_row(name, row),)))
    cases.append(Case("rows-deleted-all-data-totals", (lambda wb: wb["总量"].delete_rows(3, 100),)))
    cases.append(Case("header-row-deleted-topics", (delete_row("热点", 2),)))
    cases.append(Case("header-pushed-to-row-5-totals", (insert_rows("总量", 1, 3),)))
    cases.append(Case("header-pushed-below-row-5-totals", (insert_rows("总量", 1, 4),)))

    # junk rows and columns, unknown names
    for name in ["总量", "热点", "各区", "类型月度", "办理率"]:
        cases.append(Case(f"junk-row-{SLUG[name]}", (append_rows(name, [["合计", "=SUM(B3:B9)", "见附件"]]),)))
    cases.append(
        Case("junk-row-note-only-topics", (append_rows("热点", [[None, None, None, None, None, "注：初步统计"]]),))
    )
    cases.append(
        Case("junk-rows-5001-streets", (append_rows("街乡镇", [["朝阳区", f"街道{i}", i] for i in range(5001)]),))
    )
    cases.append(Case("junk-rows-far-below-totals", (put("总量", 4999, 1, "备注"),)))
    for name in ["热点", "各区", "总量"]:
        cases.append(Case(f"junk-column-{SLUG[name]}", (junk_column(name, "备注", "已核对"),)))
    cases.append(Case("junk-column-duplicate-header-totals", (junk_column("总量", "本年", "很多"),)))
    cases.append(Case("junk-columns-200-wide-totals", tuple(put("总量", 2, c, f"列{c}") for c in range(4, 204))))
    for name in [
        "类型分类",
        "各区",
        "热点",
        "承办单位",
        "类型月度",
        "办理率",
        "热点各区",
        "功能区分类",
        "总量",
        "基本信息",
    ]:
        sheet = shape[name]
        row, column = rng.choice(sheet.data_rows), rng.choice(sheet.keys)
        cases.append(
            Case(f"unknown-name-{SLUG[name]}-{letter(column)}{row}", (put(name, row, column, "不存在的名称"),))
        )

    # whole workbooks
    cases.append(Case("only-notes-sheet-left", (clear_all_but("填表须知"),)))
    for name in ["各区", "公布值"]:
        cases.append(Case(f"sheet-replaced-by-chart-{SLUG[name]}", (chart_sheet_instead(name),)))
    for case, (make, _words) in HOSTILE.items():
        cases.append(Case(f"hostile-{case}", raw=make))
    return unique(cases)


CASES = generate()

# Cases that fail because of a bug in code this change may not touch (see the tests at the end).
# Fixed since, and so no longer listed: numbers of 28 digits and more (an InvalidOperation in the
# reader, an OverflowError in the PDF charts), now refused by the reader as too large; a chart sheet
# bearing a data sheet's name (an AttributeError in the reader), now refused in one line.
KNOWN_BUGS: dict[str, str] = {}


def params() -> list[Any]:
    return [
        pytest.param(c, id=c.name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[c.name]))
        if c.name in KNOWN_BUGS
        else pytest.param(c, id=c.name)
        for c in CASES
    ]


# ---------------------------------------------------------------------------------------------
# running a build


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The outputs of one build of the sample, by file name."""
    folder = tmp_path_factory.mktemp("reference")
    code = main(["build", str(SAMPLE), "-o", str(folder)])
    assert code == 0
    outputs = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert "检查结果.txt" in outputs, sorted(outputs)
    assert any(n.endswith(".pdf") for n in outputs) and any(n.endswith(".docx") for n in outputs), sorted(outputs)
    return outputs


Hostile = Callable[[Case], Path]


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    """Each hostile workbook, made once for the module when first asked for (the bombs take ~1 s to compress)."""
    folder = tmp_path_factory.mktemp("hostile")
    made: dict[str, Path] = {}

    def get(case: Case) -> Path:
        assert case.raw is not None
        if case.name not in made:
            path = folder / case.name / "figures.xlsx"
            path.parent.mkdir()
            case.raw(path)
            made[case.name] = path
        return made[case.name]

    return get


def edition_for(case: Case, folder: Path, hostile: Hostile | None = None) -> Path:
    """The sample edition (settings, prose) with the mutated workbook, at `folder/2020`."""
    edition = folder / "2020"
    edition.mkdir()
    shutil.copy(SAMPLE / "edition.toml", edition / "edition.toml")
    shutil.copytree(SAMPLE / "prose", edition / "prose")
    workbook = edition / "figures.xlsx"
    if case.raw is not None:
        assert hostile is not None
        shutil.copyfile(hostile(case), workbook)
        return edition
    wb = fresh_sample()
    for edit in case.edits:
        edit(wb)
    wb.save(workbook)
    return edition


def complete_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def complete_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except zipfile.BadZipFile:
        return False


def complete_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist() and archive.testzip() is None
    except zipfile.BadZipFile:
        return False


def assert_complete_outputs(out: Path) -> None:
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    assert "检查结果.txt" in names
    pdfs = [out / n for n in names if n.endswith(".pdf")]
    docxs = [out / n for n in names if n.endswith(".docx")]
    assert pdfs and docxs, names
    for pdf in pdfs:
        assert complete_pdf(pdf.read_bytes()), pdf.name
    for docx in docxs:
        assert complete_docx(docx), docx.name
    for other in [out / n for n in names if n.endswith(".xlsx")]:  # the proof list (校对清单)
        assert complete_zip(other), other.name


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip() and not PROGRESS.match(line)]


def log(case: str, code: int, seconds: float) -> None:
    target = os.environ.get("ROBUSTNESS_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"{case} {code} {seconds:.2f}\n")


@pytest.mark.parametrize("case", params())
def test_build_of_a_bad_workbook(
    case: Case,
    tmp_path: Path,
    reference: dict[str, bytes],
    hostile_files: Hostile,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edition = edition_for(case, tmp_path, hostile_files)
    out = tmp_path / "out"
    out.mkdir()
    for name, data in reference.items():
        (out / name).write_bytes(data)
    capsys.readouterr()

    started = time.perf_counter()
    code = main(["build", str(edition), "-o", str(out)])
    elapsed = time.perf_counter() - started
    stdout, stderr = capsys.readouterr()
    log(case.name, code, elapsed)

    assert code in (0, 1, 2), (code, stderr)
    assert elapsed < CASE_SECONDS, f"{elapsed:.1f} s"
    for text in (stdout, stderr):
        assert "Traceback" not in text, text
        assert "内部错误" not in text, text
    if code == 2:
        lines = error_lines(stderr)
        assert lines, stderr
        assert WHERE_WHAT.match(lines[0]), lines[0]
    if code != 0:
        assert {p.name: p.read_bytes() for p in out.iterdir()} == reference
    else:
        assert_complete_outputs(out)


def test_the_mutations_are_many_and_named_once() -> None:
    names = [c.name for c in CASES]
    assert len(names) >= 200
    assert len(set(names)) == len(names), [n for n in names if names.count(n) > 1]
    assert set(KNOWN_BUGS) <= set(names)
    assert all(re.fullmatch(r"[0-9A-Za-z.+_-]+", n) for n in names), [
        n for n in names if not re.fullmatch(r"[0-9A-Za-z.+_-]+", n)
    ]
    assert [c.name for c in generate()] == names  # the same list every time


# ---------------------------------------------------------------------------------------------
# one build: memory


def peak_rss_mb(code: str) -> tuple[int, float]:
    """Exit code and peak resident memory (MB) of `code` run in a fresh interpreter, its children included.

    Its own peak is read from /proc (VmHWM), not from `getrusage`: Linux carries a process's peak
    across exec, and a child started by `subprocess` (vfork, then exec) would report the test
    runner's own peak, which in-process template bombs raise past any bound set here."""
    probe = (
        "import re, resource, sys\n"
        f"{code}\n"
        "status = open('/proc/self/status', encoding='ascii').read()\n"
        "own = int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
        "peak = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print('PEAK', peak / 1024, file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    peak = [line for line in run.stderr.splitlines() if line.startswith("PEAK ")]
    assert peak, run.stderr
    return run.returncode, float(peak[-1].split()[1])


def test_peak_memory_of_a_build_of_the_sample(tmp_path: Path) -> None:
    code, peak = peak_rss_mb(
        f"from builder.command.cli import main\nrc = main(['build', {str(SAMPLE)!r}, '-o', {str(tmp_path)!r}])"
    )
    assert code == 0
    assert peak < 500, f"{peak:.0f} MB"


def test_peak_memory_of_a_sheet_at_the_row_limit(tmp_path: Path) -> None:
    """The largest sheet the reader accepts: 热点各区 down to row 5000, notes in 40 columns beyond the data."""
    edition = edition_for(Case("row-limit"), tmp_path)
    wb = fresh_sample()
    ws = wb["热点各区"]
    for row in range(ws.max_row + 1, 5001):
        for column in range(20, 60):
            ws.cell(row, column).value = f"注{row}"
    wb.save(edition / "figures.xlsx")
    code, peak = peak_rss_mb(
        f"from builder.command.cli import main\nrc = main(['build', {str(edition)!r}, '-o', {str(tmp_path / 'out')!r}])"
    )
    assert code == 0
    assert peak < 500, f"{peak:.0f} MB"


def test_peak_memory_of_the_worst_hostile_file(tmp_path: Path) -> None:
    """A sheet padded with 300 MiB of spaces: refused by the guard, or read in bounded memory."""
    edition = tmp_path / "2020"
    edition.mkdir()
    HOSTILE["zip-bomb-in-sheet"][0](edition / "figures.xlsx")
    code, peak = peak_rss_mb(
        f"from builder.command.cli import main\nrc = main(['build', {str(edition)!r}, '-o', {str(tmp_path / 'out')!r}])"
    )
    assert code in (0, 2)
    assert peak < 500, f"{peak:.0f} MB"


# ---------------------------------------------------------------------------------------------
# output folders


def test_two_builds_into_one_folder_at_once(tmp_path: Path, reference: dict[str, bytes]) -> None:
    """Both succeed; the folder holds complete outputs identical to a single build's, and nothing else."""
    same = tmp_path / "same"
    command = [sys.executable, "-m", "builder", "build", str(SAMPLE), "-o", str(same)]
    runs = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in out + err and "内部错误" not in out + err
    assert {p.name: p.read_bytes() for p in same.iterdir()} == reference


@pytest.fixture
def unwritable_folder(tmp_path: Path, reference: dict[str, bytes]) -> Iterator[Path]:
    """A folder holding the earlier outputs that this process cannot write into: mode 0o555, or immutable as root."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    for name, data in reference.items():
        (folder / name).write_bytes(data)
    folder.chmod(0o555)
    immutable = False
    if os.access(folder, os.W_OK):  # root: chmod does not stop it; the immutable attribute does
        if (
            shutil.which("chattr")
            and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        ):
            immutable = True
        else:
            folder.chmod(0o755)
            pytest.skip("running as root: chmod 0o555 does not make a folder read-only, and chattr +i is unavailable")
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        folder.chmod(0o755)


def test_read_only_output_folder(
    unwritable_folder: Path, reference: dict[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["build", str(SAMPLE), "-o", str(unwritable_folder)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err and "内部错误" not in out + err
    lines = error_lines(err)
    assert len(lines) == 1 and WHERE_WHAT.match(lines[0]), err
    assert {p.name: p.read_bytes() for p in unwritable_folder.iterdir()} == reference


@pytest.mark.parametrize("where", ["file", "below-a-file"])
def test_output_path_that_is_a_file(where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "out.pdf"
    blocker.write_bytes(b"not a folder")
    target = blocker if where == "file" else blocker / "2020"
    code = main(["build", str(SAMPLE), "-o", str(target)])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out + err and "内部错误" not in out + err
    lines = error_lines(err)
    assert len(lines) == 1 and WHERE_WHAT.match(lines[0]), err
    assert blocker.read_bytes() == b"not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


# ---------------------------------------------------------------------------------------------
# titles that would make unsafe file names


def edition_titled(folder: Path, title: str) -> Path:
    edition = folder / "editions" / "2020"
    edition.parent.mkdir(parents=True)
    shutil.copytree(SAMPLE, edition)
    (edition / "edition.toml").write_text(f"title = {title}\n", encoding="utf-8")
    return edition


@pytest.mark.parametrize(
    "title",
    [
        '"../../evil/报告"',
        '"/etc/evil报告"',
        r'"..\\..\\evil\\报告"',
        '".."',
        '"a/b/../c"',
        '"  ..  "',
        '"C:evil|报告?"',
    ],
    ids=[
        "dotdot-slashes",
        "absolute",
        "backslashes",
        "only-dotdot",
        "inner-dotdot",
        "dots-and-spaces",
        "drive-and-specials",
    ],
)
def test_title_with_separators_stays_in_the_output_folder(
    title: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edition = edition_titled(tmp_path, title)
    out = tmp_path / "deep" / "out"
    code = main(["build", str(edition), "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 0, err
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in {".pdf", ".docx", ".txt"})
    assert files and all(p.parent == out for p in files), files
    for path in files:
        assert "/" not in path.name and "\\" not in path.name  # one name, no separators
        assert path.name[0] not in ". "
    assert not (tmp_path / "evil").exists() and not Path("/etc/evil报告.pdf").exists()
    assert_complete_outputs(out)


def test_default_output_folder_of_an_edition_is_a_safe_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without -o, outputs go to out/<edition>/ below the working folder."""
    edition = edition_titled(tmp_path, '"../报告"')
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(edition)]) == 0
    capsys.readouterr()
    assert_complete_outputs(tmp_path / "out" / "2020")


# ---------------------------------------------------------------------------------------------
# bugs found here, in code this change may not touch: each test states the behaviour wanted


def test_long_region_still_builds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = Case("long-region", (put("基本信息", 4, 2, "很长的地区名" * 15),))
    edition = edition_for(case, tmp_path)
    out = tmp_path / "out"
    code = main(["build", str(edition), "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert_complete_outputs(out)
    assert all(len(p.name.encode()) <= 255 for p in out.iterdir())


@pytest.mark.parametrize(
    "title", ['"{{ 地区 "', '"{{ 地区.__class__ }}"', '"{{ 1/0 }}"'], ids=["syntax", "unsafe", "zero"]
)
def test_bad_title_template_is_one_line(title: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edition = edition_titled(tmp_path, title)
    code = main(["build", str(edition), "-o", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "内部错误" not in out + err
    lines = error_lines(err)
    assert lines and lines[0].startswith(str(edition / "edition.toml")), lines


def test_prose_that_fails_to_render_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edition = edition_titled(tmp_path, '"报告"')
    with open(edition / "prose" / "总述.j2", "a", encoding="utf-8") as prose:
        prose.write("{{ 1/0 }}\n")
    code = main(["build", str(edition), "-o", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 2
    assert "内部错误" not in out + err
    lines = error_lines(err)
    assert lines and WHERE_WHAT.match(lines[0]) and "总述" in lines[0], lines


def test_title_with_a_control_character_is_refused_or_cleaned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edition = edition_titled(tmp_path, '"报告\\u0000\\u001b标题"')
    out = tmp_path / "out"
    code = main(["build", str(edition), "-o", str(out)])
    stdout, err = capsys.readouterr()
    assert "内部错误" not in stdout + err
    if code == 2:
        lines = error_lines(err)
        assert lines[0].startswith(str(edition / "edition.toml") + ": "), lines
    else:
        assert code == 0
        assert_complete_outputs(out)


@pytest.mark.parametrize(("sheet", "ref"), [("各区", "C3"), ("指标", "B3")], ids=["population", "indicator"])
def test_huge_decimal_is_refused_with_one_line(
    sheet: str, ref: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = fresh_sample()
    wb[sheet][ref].value = 1e30
    wb.save(tmp_path / "figures.xlsx")
    code = main(["check", str(tmp_path / "figures.xlsx")])
    out, err = capsys.readouterr()
    assert "内部错误" not in out + err
    assert code == 2 and err.splitlines()[0].startswith(f"{sheet}!{ref}: "), err


def test_count_beyond_float_range_is_refused_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = Case("huge-count", (put("热点", 3, 2, "9" * 400),))
    edition = edition_for(case, tmp_path)
    code = main(["build", str(edition), "-o", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert "内部错误" not in out + err
    assert code == 2 and error_lines(err)[0].startswith("热点!B3: "), err


def test_chart_sheet_in_place_of_a_data_sheet_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = fresh_sample()
    chart_sheet_instead("各区")(wb)
    path = tmp_path / "figures.xlsx"
    wb.save(path)
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert "内部错误" not in out + err
    assert code == 2 and err.splitlines()[0].startswith("各区: "), err
