"""The district briefs as a user gets them: `builder build --briefs`, every brief read back from its
files (PDF text and pages, DOCX, page, proof list), their figures checked against the workbook."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pdfplumber
import pytest
from conftest import SAMPLE, edition_copy, rows_by_label, small_data, write_workbook
from docx_tools import body_of, paragraph_texts, pdf_text
from ooxml_validate import errors
from page_tools import (
    BROWSER_MISSING,
    CHECKER_MISSING,
    NO_BROWSER,
    NO_CHECKER,
    axe_violations,
    browser,
    checker_errors,
    opened,
    parsed,
)

from builder.command import briefs as briefs_module
from builder.command import workers
from builder.command.briefs import FOLDER, KEPT, build_with_briefs
from builder.command.cli import FINDINGS, OK, main
from builder.workbook import blank

FORMATS = (".pdf", ".docx", ".html", "-校对清单.xlsx")
CALL_TYPES = ("咨询", "诉求", "建议", "投诉", "表扬")


@contextlib.contextmanager
def _captured() -> Iterator[io.StringIO]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        yield err


def run(*argv: str) -> tuple[int, list[str]]:
    """The `builder` command in this process: its exit code and its lines on standard error."""
    with _captured() as err:
        code = main(list(argv))
    return code, err.getvalue().splitlines()


def build(edition: Path, out: Path, *extra: str) -> tuple[int, list[str]]:
    return run("build", str(edition), "-o", str(out), "--briefs", *extra)


def districts(edition: Path = SAMPLE) -> list[str]:
    sheet = openpyxl.load_workbook(edition / "figures.xlsx")["各区"]
    return [name for name in rows_by_label(sheet) if name]


def brief_files(out: Path, district: str) -> dict[str, Path]:
    return {suffix: out / FOLDER / f"{district}简报{suffix}" for suffix in FORMATS}


def proof_rows(out: Path, district: str) -> list[dict[str, Any]]:
    """The brief's proof list, a dict per figure by the header's names."""
    sheet = openpyxl.load_workbook(brief_files(out, district)["-校对清单.xlsx"], read_only=True)["校对清单"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def proof_value(out: Path, district: str, key: str) -> Any:
    """The value the brief printed for the figure `key` (its first occurrence)."""
    found = [row["数值"] for row in proof_rows(out, district) if row["编号"] == f"{key}@1"]
    assert found, f"{district}: no figure {key} in its proof list"
    return found[0]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[str], Path]:
    """The sample built with its briefs, in worker processes as a user's build is."""
    out = tmp_path_factory.mktemp("briefs") / "out"
    code, lines = build(SAMPLE, out)
    return code, lines, out


def test_every_district_has_its_brief_in_every_format(sample: tuple[int, list[str], Path]) -> None:
    code, lines, out = sample
    assert code == OK, lines[-3:]
    names = districts()
    assert len(names) == 16
    for name in names:
        for suffix, path in brief_files(out, name).items():
            assert path.is_file() and path.stat().st_size > 0, f"{name}: no {suffix}"
    assert sorted(p.name for p in (out / FOLDER).iterdir()) == sorted(
        [KEPT, *(p.name for n in names for p in brief_files(out, n).values())]
    ), "a file of no brief, or a staging folder, was left"
    assert (out / "北京市“接诉即办”工作2020年度公开报告.pdf").is_file()  # the annual report beside them


def test_one_progress_line_per_district_and_a_last_line(sample: tuple[int, list[str], Path]) -> None:
    _, lines, _ = sample
    said = [line for line in lines if line.startswith("简报 ")]
    assert [int(line.split()[1].split("/")[0]) for line in said] == list(range(1, 17))  # counted as they come
    named = {re.match(r"简报 \d+/16 (\S+?)：写出", line).group(1) for line in said}  # type: ignore[union-attr]
    assert named == set(districts()) and len(said) == 16
    assert lines[-1] == "已写出 16 个区的简报"


def test_each_brief_reads_back_as_a_short_report(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    for name in districts():
        files = brief_files(out, name)
        title = f"北京市{name}“接诉即办”工作2020年度简报"
        with pdfplumber.open(files[".pdf"]) as pdf:
            assert 2 <= len(pdf.pages) <= 4, f"{name}: {len(pdf.pages)} pages"
        assert title in pdf_text(files[".pdf"])
        docx_text = paragraph_texts(body_of(files[".docx"].read_bytes()))
        assert title in docx_text and any(name in t and "解决率" in t for t in docx_text)
        page = parsed(files[".html"].read_bytes())
        assert page.get("lang") == "zh-CN"
        assert title in "".join(page.find(".//h1").itertext()) if page.find(".//h1") is not None else False
        assert len(page.findall(".//svg[@role='img']")) >= 3, f"{name}: fewer than three charts"
        assert len(page.findall(".//table")) >= 2


def test_three_briefs_are_valid_docx(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    for name in ("东城区", "朝阳区", "延庆区"):
        assert errors(brief_files(out, name)[".docx"]) == [], name


@pytest.mark.skipif(NO_CHECKER, reason=CHECKER_MISSING)
def test_the_nu_checker_finds_no_error_on_a_briefs_page(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    assert checker_errors(brief_files(out, "延庆区")[".html"]) == []


@pytest.mark.skipif(NO_BROWSER, reason=BROWSER_MISSING)
def test_a_briefs_page_reads_on_a_phone(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    with browser() as launched, opened(launched, brief_files(out, "延庆区")[".html"], 375) as (page, asked):
        assert page.evaluate("document.documentElement.scrollWidth") == 375
        charts = page.evaluate("[...document.querySelectorAll('svg[role=img]')].map(s => s.getBoundingClientRect().width)")
        assert len(charts) >= 3 and all(0 < width <= 375 for width in charts)
        assert axe_violations(page) == []
        assert list(asked) == []


def _calls(edition: Path = SAMPLE) -> dict[str, int]:
    sheet = openpyxl.load_workbook(edition / "figures.xlsx")["类型各区"]
    header = [c.value for c in sheet[2]]
    return {
        str(row[0].value): sum(int(row[header.index(ct)].value) for ct in CALL_TYPES)
        for row in sheet.iter_rows(min_row=3)
        if row[0].value
    }


def test_the_districts_calls_add_up_to_the_city(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    printed = {name: proof_value(out, name, f"各区.{name}.来电量") for name in districts()}
    assert printed == _calls()
    shares = [Decimal(str(proof_value(out, name, f"各区.{name}.来电占比"))) for name in districts()]
    assert abs(sum(shares) - 100) < Decimal("1e-9")


def competition_ranks(values: dict[str, float]) -> dict[str, int]:
    """1, 2, 2, 4: the oracle the printed ranks are checked against."""
    return {name: 1 + sum(1 for other in values.values() if other > value) for name, value in values.items()}


def _rates(edition: Path = SAMPLE) -> dict[str, tuple[float, float]]:
    sheet = openpyxl.load_workbook(edition / "figures.xlsx")["办理率"]
    return {
        str(row[1].value): (float(row[2].value), float(row[3].value))
        for row in sheet.iter_rows(min_row=3)
        if row[0].value == "区"
    }


def test_ranks_are_those_of_the_workbook(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    names = districts()
    rates = _rates()
    for measure, values in {
        "来电量": {n: float(v) for n, v in _calls().items()},
        "解决率": {n: rates[n][0] for n in names},
        "满意率": {n: rates[n][1] for n in names},
    }.items():
        expected = competition_ranks(values)
        printed = {n: proof_value(out, n, f"各区.{n}.{measure}.排名") for n in names}
        assert printed == expected, measure
    for measure in ("来电量", "承办量", "万人承办量", "解决率", "满意率"):
        ranks = sorted(proof_value(out, n, f"各区.{n}.{measure}.排名") for n in names)
        if len(set(ranks)) == len(ranks):  # no tie: a permutation
            assert ranks == list(range(1, 17)), measure


def test_every_figure_of_a_brief_is_in_its_proof_list_on_its_page(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    for name in districts():
        files = brief_files(out, name)
        rows = proof_rows(out, name)
        keys = set(re.findall(r'data-key="([^"]+)"', files[".html"].read_text(encoding="utf-8")))
        assert keys and {row["编号"] for row in rows} >= keys, f"{name}: a printed figure is not in the proof list"
        with pdfplumber.open(files[".pdf"]) as pdf:
            pages = ["".join(p.extract_text().split()) for p in pdf.pages]
        for row in rows:
            assert row["来源"] and re.fullmatch(r"[^!、]+![A-Z]+\d+(、[^!、]+![A-Z]+\d+)*", row["来源"]), row
            page = pages[row["页码"] - 1]
            chart = re.match(r"图(\d+)", str(row["位置"]))
            if chart:  # a chart plots its value: the chart's caption is on the page
                assert f"图{chart.group(1)}" in page, row
                continue
            printed = "".join(str(row["印出"]).split())
            assert printed in page, f"{name}: {row['编号']} “{printed}” not on page {row['页码']}"


def test_the_district_ranked_last_says_so(sample: tuple[int, list[str], Path]) -> None:
    _, _, out = sample
    calls = _calls()
    last = min(calls, key=lambda n: calls[n])
    assert "来电量居全市各区第16位" in pdf_text(brief_files(out, last)[".pdf"])


# -- one cell, one brief --------------------------------------------------------------------------


def _hot_topic_cell(wb: Any) -> None:
    sheet = wb["热点各区"]
    for row in sheet.iter_rows(min_row=3):
        if (row[0].value, row[1].value) == ("公共安全", "西城区"):
            row[2].value = int(row[2].value) + 267
            return
    raise AssertionError("no 公共安全·西城区 row")


def test_one_changed_cell_changes_its_districts_brief_alone(
    sample: tuple[int, list[str], Path], tmp_path: Path
) -> None:
    _, _, before = sample
    edition = edition_copy(tmp_path / "edition", _hot_topic_cell)
    code, lines = build(edition, tmp_path / "out")
    assert code == OK, lines[-3:]
    after = tmp_path / "out"
    for name in districts():
        for suffix, old in brief_files(before, name).items():
            same = old.read_bytes() == brief_files(after, name)[suffix].read_bytes()
            assert same == (name != "西城区"), f"{name}{suffix}"
    report_pdf = "北京市“接诉即办”工作2020年度公开报告.pdf"
    assert pdf_text(before / report_pdf) != pdf_text(after / report_pdf)  # the annual report prints it too
    code, said = _diff(SAMPLE, edition)
    assert code == OK
    section = said[said.index("四、受影响的区简报（1个）") :]
    assert len(section) == 2 and section[1].strip().startswith("西城区：")


def _diff(old: Path, new: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["diff", str(old), str(new)])
    return code, out.getvalue().splitlines()


# -- failures stay with their district ------------------------------------------------------------


def test_a_failing_district_is_named_and_the_others_are_written(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(SAMPLE, edition)
    (edition / "templates" / "简报").mkdir(parents=True)
    title = "{% if 区名 == '朝阳区' %}{{ 1 // 0 }}{% endif %}{{ 地区 }}{{ 区名 }}简报\n"
    (edition / "templates" / "简报" / "标题.j2").write_text(title, encoding="utf-8")
    code, lines = build(edition, tmp_path / "out")
    assert code == FINDINGS
    failed = [line for line in lines if "朝阳区：未生成" in line]
    assert len(failed) == 1 and "标题.j2:1" in failed[0] and "ZeroDivisionError" in failed[0], failed
    assert lines[-1] == "1 个区的简报未生成：朝阳区（原因见上），其余 15 个已写出"
    for name in districts():
        present = [path.exists() for path in brief_files(tmp_path / "out", name).values()]
        assert present == [name != "朝阳区"] * len(FORMATS), name
    assert "Traceback" not in "\n".join(lines)


def test_a_brief_that_cannot_be_written_leaves_none_of_its_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / FOLDER / "海淀区简报.docx").mkdir(parents=True)  # a folder where the brief's DOCX goes
    code, lines = build(SAMPLE, out)
    assert code == FINDINGS
    assert any(line.startswith("简报 ") and "海淀区：未生成" in line for line in lines)
    assert not any(path.is_file() for path in brief_files(out, "海淀区").values())
    assert all(path.is_file() for path in brief_files(out, "朝阳区").values())
    assert not [p for p in (out / FOLDER).iterdir() if p.name.startswith(".builder-staging")]


def test_one_process_writes_the_same_bytes(
    sample: tuple[int, list[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lines, out = sample
    monkeypatch.setenv("BUILDER_JOBS", "1")
    code, alone = build(SAMPLE, tmp_path / "out")
    assert code == OK
    def uncounted(said: list[str], folder: Path) -> list[str]:  # the workers finish in either order
        return sorted(re.sub(r"^简报 \d+/", "简报 ", line.replace(str(folder), "OUT")) for line in said)

    assert uncounted(alone, tmp_path / "out") == uncounted(lines, out)
    for path in (out / FOLDER).iterdir():
        assert path.read_bytes() == (tmp_path / "out" / FOLDER / path.name).read_bytes(), path.name


def _dies_in_a_worker(district: str) -> Callable[..., Any]:
    real, build_process = briefs_module.Batch.brief, os.getpid()

    def brief(self: briefs_module.Batch, name: str) -> briefs_module.Brief:
        if name == district and os.getpid() != build_process:
            os._exit(3)
        return real(self, name)

    return brief


def test_a_lost_worker_leaves_its_brief_to_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not workers.available():
        pytest.skip("no worker processes on this machine")
    monkeypatch.setattr(briefs_module.Batch, "brief", _dies_in_a_worker("丰台区"))
    with _captured():
        done = build_with_briefs(SAMPLE, tmp_path / "out")
    assert [b.district for b in done.briefs] == districts()
    assert all(b.failure is None for b in done.briefs)
    assert all(path.is_file() for path in brief_files(tmp_path / "out", "丰台区").values())
    assert not _children(), "a brief worker outlived the build"


def _children() -> list[int]:
    """Processes whose parent is this one (running or not yet reaped)."""
    me = str(os.getpid())
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == me:
                    found.append(int(entry.name))
    return found


# -- what the briefs need, checked ---------------------------------------------------------------


def _without_rates_of(district: str) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        sheet = wb["办理率"]
        for row in sheet.iter_rows(min_row=3):
            if (row[0].value, row[1].value) == ("区", district):
                sheet.delete_rows(row[0].row)
                return
        raise AssertionError(f"no 办理率 row for {district}")

    return change


def test_check_names_a_district_without_rates_and_its_brief_marks_them(tmp_path: Path) -> None:
    edition = edition_copy(tmp_path / "edition", _without_rates_of("西城区"))
    said = {}
    for extra in ([], ["--briefs"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", str(edition), *extra])
        said[bool(extra)] = [line for line in out.getvalue().splitlines() if "办理率" in line and "西城区" in line]
    assert code == FINDINGS
    assert said[True] and not said[False], said  # the annual report does not print a district's rates
    code, lines = build(edition, tmp_path / "out")
    assert code == OK, lines[-3:]
    assert "【待补】" in pdf_text(brief_files(tmp_path / "out", "西城区")[".pdf"])
    assert "【待补】" not in pdf_text(brief_files(tmp_path / "out", "东城区")[".pdf"])
    code, lines = build(edition, tmp_path / "final", "--final")
    assert code == FINDINGS and not (tmp_path / "final").exists()


def _tied_rates(wb: Any) -> None:
    sheet = wb["办理率"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=3) if row[0].value == "区"}
    rows["西城区"][2].value = rows["东城区"][2].value


def test_a_tie_is_said_as_a_tie_in_both_briefs(tmp_path: Path) -> None:
    edition = edition_copy(tmp_path / "edition", _tied_rates)
    code, lines = build(edition, tmp_path / "out")
    assert code == OK, lines[-3:]
    rates = _rates(edition)
    ranks = competition_ranks({n: r[0] for n, r in rates.items()})
    tied = ranks["东城区"]
    assert ranks["西城区"] == tied
    for name in ("东城区", "西城区"):
        assert f"并列第{tied}位" in pdf_text(brief_files(tmp_path / "out", name)[".pdf"]), name
    after = [n for n, r in ranks.items() if r == tied + 2]
    if after:  # the next district is two places down
        assert f"第{tied + 2}位" in pdf_text(brief_files(tmp_path / "out", after[0])[".pdf"])


# -- a final batch, a district gone, no district at all -------------------------------------------


def _clean_edition(folder: Path) -> Path:
    folder.mkdir(parents=True)
    write_workbook(folder, small_data())
    return folder


def test_a_final_batch_refuses_the_briefs_with_a_gap_alone(tmp_path: Path) -> None:
    data = small_data()
    rated = {row["名称"] for row in data["办理率"] if row["范围"] == "区"}
    edition = _clean_edition(tmp_path / "edition")
    names = districts(edition)
    gaps = [n for n in names if n not in rated]  # their briefs print rates the workbook lacks
    assert gaps and len(gaps) < len(names)
    code, lines = build(edition, tmp_path / "out", "--final")
    assert code == FINDINGS
    for name in gaps:
        assert sum(f"{name}：未生成（终稿不能带着问题生成" in line for line in lines) == 1, lines
    assert f"简报另有{len(gaps)}处问题（builder check --briefs 可逐条列出）" in lines
    assert lines[-1] == f"{len(gaps)} 个区的简报未生成：{'、'.join(gaps)}（原因见上），其余 {len(names) - len(gaps)} 个已写出"
    assert (tmp_path / "out" / "检查结果.txt").read_text(encoding="utf-8") == ""  # the annual report is final
    for name in names:
        written = brief_files(tmp_path / "out", name)
        assert all(p.is_file() for p in written.values()) == (name not in gaps)
        assert any(p.exists() for p in written.values()) == (name not in gaps)
        if name not in gaps:
            text = pdf_text(written[".pdf"])
            assert "【待补】" not in text and "草稿" not in text


def _renamed(old: str, new: str) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value == old:
                        cell.value = new

    return change


def test_the_brief_of_a_district_gone_from_the_sheet_is_removed(
    sample: tuple[int, list[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(sample[2], out)
    edition = edition_copy(tmp_path / "edition", _renamed("东城区", "东城新区"))
    code, lines = build(edition, out)
    assert code == OK, lines[-3:]
    assert "删去《各区》表中已没有的区的简报：东城区简报" in lines
    assert not any(p.exists() for p in brief_files(out, "东城区").values())
    assert all(p.is_file() for p in brief_files(out, "东城新区").values())
    assert all(p.is_file() for p in brief_files(out, "西城区").values())
    (out / FOLDER / "会议纪要.pdf").write_bytes(b"%PDF- kept")  # not the builder's: never touched
    code, lines = build(SAMPLE, out)
    assert code == OK and "删去《各区》表中已没有的区的简报：东城新区简报" in lines
    assert (out / FOLDER / "会议纪要.pdf").read_bytes() == b"%PDF- kept"


def test_a_workbook_without_districts_says_so(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    edition.mkdir()
    (edition / "figures.xlsx").write_bytes(blank.workbook_bytes())
    code, lines = build(edition, tmp_path / "out")
    assert code == OK, lines[-3:]
    assert "《各区》表中没有区：未生成简报" in lines
    assert not (tmp_path / "out" / FOLDER).exists()


def test_when_every_brief_fails_none_is_said_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / FOLDER).write_text("a file where the briefs' folder goes", encoding="utf-8")
    code, lines = build(SAMPLE, out)
    assert code == FINDINGS
    assert lines[-1].startswith("16 个区的简报未生成：东城区、") and lines[-1].endswith("（原因见上）")
    assert (out / FOLDER).read_text(encoding="utf-8") == "a file where the briefs' folder goes"


@pytest.mark.parametrize(
    "listed",
    ['"东城区简报"', '[{"a": 1}]', '["../东城区简报"]', '["东城区简报\\u0000"]', '["东城区"]', "not json", "[" * 5000],
    ids=["a-string", "dicts", "a-path", "nul", "not-a-brief", "not-json", "deep"],
)
def test_a_spoiled_list_removes_nothing(sample: tuple[int, list[str], Path], tmp_path: Path, listed: str) -> None:
    out = tmp_path / "out"
    shutil.copytree(sample[2], out)
    (out / FOLDER / KEPT).write_text(listed, encoding="utf-8")
    (out / FOLDER / "东城区").write_bytes(b"not the builder's")
    before = sorted(p.name for p in (out / FOLDER).iterdir())
    code, lines = build(SAMPLE, out)
    assert code == OK, lines[-3:]
    assert not any(line.startswith("删去") for line in lines)
    assert sorted(p.name for p in (out / FOLDER).iterdir()) == before
    assert json.loads((out / FOLDER / KEPT).read_text(encoding="utf-8")) == sorted(
        f"{name}简报" for name in districts()
    )


def test_the_batch_collects_cycles_even_where_the_command_turned_the_collector_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command runs with the cycle collector off (it leaves with `os._exit`); a batch of briefs
    makes cycles by the thousand, so its workers, forked by `build_briefs`, must collect them."""
    seen: list[bool] = []

    def recording(*_args: Any) -> list[Any]:
        seen.append(gc.isenabled())
        return []

    monkeypatch.setattr(briefs_module, "build_briefs", recording)
    was = gc.isenabled()
    gc.disable()
    try:
        with _captured():
            build_with_briefs(SAMPLE, tmp_path / "out")
        after = gc.isenabled()
    finally:
        if was:
            gc.enable()
    assert seen == [True]
    assert after is False
