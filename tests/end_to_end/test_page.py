"""The sample's page, built end to end: the seed's figures, charts against the DOCX, the Nu checker, Chromium, axe-core."""

from __future__ import annotations

import io
import itertools
import os
import re
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree
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
    table_rows,
)

from builder.command.pipeline import build
from builder.document import MISSING_TEXT, Chart, Document
from builder.model.findings import FindingKind as Kind

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
SEED = ROOT / "tests" / "data" / "seed_2020.txt"  # the reference report, as published in draft (a portal page)
# Where each part of the seed starts (the seed lost the headings of parts 二 to 四), as tests/compose/test_report.py
SEED_PARTS = ("一、工作情况公开", "2020年共受理群众反映", "2020年16个区承办", "2020年群众反映前十类问题", "五、办理情况公开", "六、2021年计划公开")
FIGURE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万余|万多|多万|余|万)?(%|件|人次|次|条|个|家|处|元|人|年|名)")
WIDTHS = (1280, 375)


class Built:
    def __init__(self, document: Document, page: Path, docx: Path, stated_bad: list[str]) -> None:
        self.document, self.page, self.docx, self.stated_bad = document, page, docx, stated_bad


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("out")
    result = build(SAMPLE, out, progress=lambda _: None)
    page = next(p for p in result.outputs if p.suffix == ".html")
    docx = next(p for p in result.outputs if p.suffix == ".docx")
    stated_bad = [f.message for f in result.findings if f.kind is Kind.STATED]
    return Built(result.document, page, docx, stated_bad)


@pytest.fixture(scope="module")
def root(built: Built) -> Any:
    """The page parsed once, for the tests that only read it (the suite's process stays small)."""
    return parsed(built.page.read_bytes())


def page_parts(root: Any) -> list[str]:
    """The page's text in reading order, split at the level-1 headings: the opening, then one string a
    part; the contents list, the charts' drawings and their tables left out (the DOCX has none of them)."""
    main = root.find(".//main")
    for node in main.xpath(".//nav | .//svg | .//details"):
        node.getparent().remove(node)
    parts = [""]
    for element in main.iter():
        if element.get("class") == "level-1":
            parts.append("")
        parts[-1] += (element.text or "") + ("\n" if element.tag in ("p", "h1", "h2", "h3", "h4", "td", "th", "figcaption") else "")
        if element is not main:
            parts[-1] += element.tail or ""
    return parts


def seed_parts() -> list[str]:
    text = SEED.read_text(encoding="utf-8").split("您访问的链接")[0]
    body = text[text.index("2020年,北京市") :]
    cuts = [0] + [body.index(mark) for mark in SEED_PARTS] + [len(body)]
    return [body[a:b] for a, b in itertools.pairwise(cuts)]


def test_every_seed_figure_is_on_the_page_in_the_same_part(built: Built) -> None:
    ours = page_parts(parsed(built.page.read_bytes()))
    seeds = seed_parts()
    assert len(ours) == len(seeds) == 7
    absent, checked = [], 0
    for index, (seed, mine) in enumerate(zip(seeds, ours, strict=True)):
        for m in FIGURE.finditer(seed):
            checked += 1
            if re.search(r"(?<![\d.])" + re.escape(m.group(0)), mine):
                continue
            if any(f"“{m.group(1)}" in msg for msg in built.stated_bad):
                continue  # a derived figure the seed states wrongly: the report prints the computed one
            absent.append((index, m.group(0), seed[max(0, m.start() - 12) : m.end()]))
    assert checked > 200
    assert absent == []


def test_the_draft_page_marks_each_missing_figure_as_the_docx_does(root: Any) -> None:
    marks = root.xpath("//main//mark[contains(@class, 'missing')][not(ancestor::details)]")
    assert len(marks) == 8 and all("".join(m.itertext()) == MISSING_TEXT for m in marks)
    assert root.xpath("//*[@class='draft-banner']")


def _docx_chart_workbooks(path: Path) -> list[list[tuple[Any, ...]]]:
    """Every DOCX chart's embedded workbook, as rows of values, in the order the document shows them."""
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        targets = {r.get("Id"): r.get("Target") for r in etree.fromstring(z.read("word/_rels/document.xml.rels"))}
        body = etree.fromstring(z.read("word/document.xml"))
        out = []
        for ref in body.iterfind(".//{http://schemas.openxmlformats.org/drawingml/2006/chart}chart"):
            part = "word/" + str(targets[ref.get(rid)])
            rels = etree.fromstring(z.read(part.replace("charts/", "charts/_rels/") + ".rels"))
            embedded = next(r.get("Target") for r in rels if r.get("Type", "").endswith("/package"))
            blob = z.read(os.path.normpath(os.path.join(os.path.dirname(part), str(embedded))))
            sheet = openpyxl.load_workbook(io.BytesIO(blob), read_only=True).worksheets[0]
            out.append(list(sheet.iter_rows(values_only=True)))
        return out


def test_each_charts_table_holds_what_the_docx_charts_workbook_holds(built: Built, root: Any) -> None:
    charts = [b for b in built.document.blocks if isinstance(b, Chart)]
    workbooks = _docx_chart_workbooks(built.docx)
    assert len(charts) == len(workbooks) >= 15
    for chart, workbook in zip(charts, workbooks, strict=True):
        rows = table_rows(root.get_element_by_id(f"f{chart.number}").getnext().find(".//table"))
        assert [r[0] for r in rows[1:]] == [str(r[0]) for r in workbook[1 : len(chart.categories) + 1]] == list(chart.categories)
        for column, series in enumerate(chart.series, start=1):
            assert rows[0][column].startswith(str(workbook[0][column]))
            for row, category_row in enumerate(workbook[1 : len(chart.categories) + 1], start=1):
                got = rows[row][column]
                if category_row[column] is None:
                    assert got == MISSING_TEXT, (chart.caption, series.name, row)
                else:
                    assert Decimal(got) == Decimal(str(category_row[column])), (chart.caption, series.name, row)
                    assert got == f"{Decimal(got):.{chart.places}f}", "printed with the chart's decimals"


def test_single_series_charts_label_what_their_tables_hold(built: Built, root: Any) -> None:
    checked = 0
    for chart in (b for b in built.document.blocks if isinstance(b, Chart)):
        if len(chart.series) != 1:
            continue
        drawn = [t.text for t in root.get_element_by_id(f"f{chart.number}").iter("text")]
        rows = table_rows(root.get_element_by_id(f"f{chart.number}").getnext().find(".//table"))[1:]
        labels = [r[-1] for r in rows] if chart.kind.value == "pie" else [r[1] for r in rows]
        shown = [t for t in labels if t and t != MISSING_TEXT]
        assert not Counter(shown) - Counter(drawn), chart.caption  # each label drawn (the axis may repeat one)
        checked += 1
    assert checked >= 20


def test_two_builds_give_identical_pages(built: Built, tmp_path: Path) -> None:
    again = build(SAMPLE, tmp_path, progress=lambda _: None)
    assert next(p for p in again.outputs if p.suffix == ".html").read_bytes() == built.page.read_bytes()


@pytest.mark.skipif(NO_CHECKER, reason=CHECKER_MISSING)
def test_the_nu_checker_finds_no_error_on_the_sample_page(built: Built) -> None:
    assert checker_errors(built.page) == []


@pytest.fixture(scope="module")
def in_browser(built: Built) -> dict[int, dict[str, Any]]:
    """What Chromium shows of the page at each width: scroll widths, chart sizes, requests, axe's findings."""
    if NO_BROWSER:
        pytest.skip(BROWSER_MISSING)
    seen: dict[int, dict[str, Any]] = {}
    with browser() as launched:
        for width in WIDTHS:
            with opened(launched, built.page, width) as (page, asked):
                seen[width] = {
                    "scroll": page.evaluate("document.documentElement.scrollWidth"),
                    "charts": page.evaluate(
                        "[...document.querySelectorAll('svg[role=img]')].map(s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height])"
                    ),
                    "boxes": page.evaluate(
                        "[...document.querySelectorAll('.table-box')].filter(b => b.offsetParent).map(b => [b.scrollWidth, b.clientWidth])"
                    ),
                    "axe": axe_violations(page),
                }
                page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
                seen[width]["axe_open"] = axe_violations(page)
                seen[width]["asked"] = list(asked)
    return seen


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_never_scrolls_sideways_and_a_wide_table_scrolls_in_its_box(in_browser: dict[int, dict[str, Any]], width: int) -> None:
    seen = in_browser[width]
    assert seen["scroll"] == width
    if width < 400:  # on a phone a five-column table is wider than the screen: its box scrolls, not the page
        assert any(scroll > client for scroll, client in seen["boxes"])


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_has_a_size(built: Built, in_browser: dict[int, dict[str, Any]], width: int) -> None:
    charts = in_browser[width]["charts"]
    assert len(charts) == sum(isinstance(b, Chart) for b in built.document.blocks)
    assert all(w > 0 and h > 0 for w, h in charts)
    assert all(w <= width for w, _ in charts)


@pytest.mark.parametrize("width", WIDTHS)
def test_no_request_leaves_the_file(in_browser: dict[int, dict[str, Any]], width: int) -> None:
    assert in_browser[width]["asked"] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_serious_or_critical_violation(in_browser: dict[int, dict[str, Any]], width: int) -> None:
    assert in_browser[width]["axe"] == []
    assert in_browser[width]["axe_open"] == [], "with every chart's table open"
