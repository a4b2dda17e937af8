"""The district briefs (区简报): one per district of 各区, every figure traced, ranks with ties said as
ties, missing data marked in the brief it belongs to, part templates an edition may override, and
the findings only the briefs need."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from builder.compose.audit import audit
from builder.compose.briefs import brief_findings, compose_brief, districts
from builder.document import MISSING_TEXT, Chart, Document, Heading, PageBreak, Paragraph, Table, Title
from builder.document.walk import figures, placed_figures, places
from builder.figures.derived import Ledger, derive
from builder.figures.formulas import expanded_formulas
from builder.model.edition import Edition
from builder.model.figures import CALL_TYPES, Figures
from builder.workbook.edition import load_edition
from builder.workbook.load import load
from tests.conftest import SAMPLE, edition_copy, small_data, write_workbook

MEASURES = ("来电量", "承办量", "万人承办量", "解决率", "满意率")


def read(path: Path) -> tuple[Figures, Ledger, Edition]:
    edition = load_edition(path)
    f = load(edition.workbook)
    return f, derive(f), edition


@pytest.fixture(scope="module")
def sample() -> tuple[Figures, Ledger, Edition, dict[str, Document]]:
    f, ledger, edition = read(SAMPLE)
    return f, ledger, edition, {d: compose_brief(f, ledger, edition, d) for d in districts(f)}


def text_of(doc: Document) -> str:
    """Every paragraph and table cell of a brief, one a line."""
    lines = []
    for place in places(doc):
        block = place.block
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines += ["|".join(c.text for c in row) for row in block.rows]
    return "\n".join(lines)


def figure_value(doc: Document, figure_id: str) -> Decimal | None:
    found = {fig.value for fig in figures(doc) if fig.id == figure_id}
    assert len(found) == 1, (figure_id, found)
    return found.pop()


def small(tmp_path: Path, change: Any = None) -> tuple[Figures, Ledger, Edition]:
    data = small_data()
    if change is not None:
        change(data)
    return read(write_workbook(tmp_path, data))


def test_every_district_of_the_sample_gets_a_brief(sample: Any) -> None:
    f, _, _, briefs = sample
    assert districts(f) == [row.key[0] for row in f.tables["各区"].rows]
    assert list(briefs) == districts(f) and len(briefs) == 16
    for district, doc in briefs.items():
        title = doc.blocks[0]
        assert isinstance(title, Title) and title.text == f"{f.region}{district}“接诉即办”工作{f.year}年度简报"
        assert doc.meta.title == title.text
        assert [b.text for b in doc.blocks if isinstance(b, Heading) and b.level == 1] == [
            "总体情况",
            "来电类型",
            "承办情况",
            "反映热点",
            "办理情况",
        ]
        assert sum(isinstance(b, Chart) for b in doc.blocks) >= 3
        assert sum(isinstance(b, Table) for b in doc.blocks) >= 1
        assert district in text_of(doc) and MISSING_TEXT not in text_of(doc)


def test_each_brief_charts_call_types_hot_topics_and_rates_against_the_city(sample: Any) -> None:
    _, _, _, briefs = sample
    for district, doc in briefs.items():
        charts = {c.id: c for c in doc.blocks if isinstance(c, Chart)}
        assert charts["图.简报.来电类型"].categories == CALL_TYPES
        assert [s.name for s in charts["图.简报.来电类型"].series] == [district, "全市"]
        assert [s.name for s in charts["图.简报.办理率"].series] == [district, "全市"]
        assert charts["图.简报.办理率"].categories == ("解决率", "满意率")
        assert charts["图.简报.热点"].series[0].points


def test_the_districts_calls_sum_to_the_citys_total_by_district(sample: Any) -> None:
    f, ledger, _, briefs = sample
    city = sum(v.number for row in f.by_district.values() for v in row.values())
    per_brief = [figure_value(doc, f"各区.{d}.来电量") for d, doc in briefs.items()]
    assert sum(v for v in per_brief if v is not None) == city == ledger["各区.来电合计"].value
    shares = [figure_value(doc, f"各区.{d}.来电占比") for d, doc in briefs.items()]
    assert sum(s for s in shares if s is not None) == pytest.approx(Decimal(100))


def competition(values: list[Decimal]) -> list[int]:
    """Standard competition ranks of `values`, largest first (1, 2, 2, 4), sorted."""
    return sorted(1 + sum(1 for other in values if other > v) for v in values)


def test_ranks_are_a_permutation_with_ties_shared(sample: Any) -> None:
    f, _, _, briefs = sample
    for measure in MEASURES:
        ranks = [figure_value(doc, f"各区.{d}.{measure}.排名") for d, doc in briefs.items()]
        if measure in ("解决率", "满意率"):
            rates = [f.rates[("区", d)] for d in briefs]
            values = [r.resolution.number if measure == "解决率" else r.satisfaction.number for r in rates]
        else:
            values = [figure_value(doc, f"各区.{d}.{measure}") for d, doc in briefs.items()]
        known = [v for v in values if v is not None]
        assert sorted(int(r) for r in ranks if r is not None) == competition(known) == list(range(1, 17))


def test_a_tie_is_said_as_a_tie(tmp_path: Path) -> None:
    def tie(data: Any) -> None:
        for row in data["办理率"]:
            if row["名称"] in ("东城区", "怀柔区"):
                row["解决率"] = 96.3

    f, ledger, edition = small(tmp_path, tie)
    for district in ("东城区", "怀柔区"):
        text = text_of(compose_brief(f, ledger, edition, district))
        assert "解决率为96.3%" in text and "居各区并列第1位" in text
        assert "解决率（%）|96.3|94.3|并列第1" in text
    # competition ranking: after two firsts comes the third, said without 并列
    assert ledger["各区.东城区.满意率.排名"].value == 2


def test_every_figure_is_traced_and_its_key_unique_and_stable(sample: Any) -> None:
    f, ledger, edition, briefs = sample
    formulas = expanded_formulas(ledger)
    for district, doc in briefs.items():
        placed = placed_figures(doc)
        keys = [p.key for p in placed]
        assert len(keys) == len(set(keys))
        for p in placed:
            assert p.figure.sources, p.key
            if p.figure.formula:  # a derived figure: in the ledger, its formula written out in cells
                assert p.figure.id in ledger.items
                assert "〔" not in formulas[p.figure.id] and "!" in formulas[p.figure.id]
        again = compose_brief(f, ledger, edition, district)
        assert [p.key for p in placed_figures(again)] == keys
    rank = ledger["各区.东城区.来电量.排名"]
    assert formulas[rank.key].startswith("=RANK.EQ((类型各区!B3+类型各区!C3+")


def test_a_missing_cell_prints_in_that_brief_only(tmp_path: Path) -> None:
    def empty(wb: Any) -> None:
        sheet = wb["办理率"]
        row = next(r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 2).value == "东城区")
        assert row == 9
        sheet.cell(row, 3).value = None  # 解决率

    f, ledger, edition = read(edition_copy(tmp_path / "edition", empty))
    marked = {}
    for district in districts(f):
        doc = compose_brief(f, ledger, edition, district)
        marked[district] = [p.figure.id for p in placed_figures(doc) if p.figure.missing]
        if district == "东城区":
            assert "解决率为【待补】" in text_of(doc)
            gaps = audit(doc, [])  # a final build refuses what no finding explains
            assert any("办理率!C9" in g.where for g in gaps)
    assert [d for d, ids in marked.items() if ids] == ["东城区"]
    assert set(marked["东城区"]) == {"办理率!C9", "各区.东城区.解决率.排名", "各区.东城区.解决率.较全市"}
    # the others are ranked among the districts that have the figure
    ranks = sorted(ledger[f"各区.{d}.解决率.排名"].value for d in districts(f) if d != "东城区")
    assert ranks == list(range(1, 16))


def test_an_edition_template_overrides_a_brief_part_and_title(tmp_path: Path) -> None:
    folder = edition_copy(tmp_path / "edition", lambda wb: None)
    (folder / "templates" / "简报").mkdir(parents=True)
    (folder / "templates" / "简报" / "办理情况.j2").write_text(
        '{{ 一级("办理成效") }}\n\n{{ 区名 }}的解决率为{% for r in 办理.率 %}{{ r.本区 if loop.first }}{% endfor %}。\n',
        encoding="utf-8",
    )
    (folder / "templates" / "简报" / "标题.j2").write_text("{{ 区名 }}{{ 年度 }}年简报", encoding="utf-8")
    f, ledger, edition = read(folder)
    doc = compose_brief(f, ledger, edition, "东城区")
    assert doc.meta.title == "东城区2020年简报"
    assert "东城区的解决率为88.91%。" in text_of(doc)
    assert [b.text for b in doc.blocks if isinstance(b, Heading)][-1] == "办理成效"
    assert not any(isinstance(b, Chart) and b.id == "图.简报.办理率" for b in doc.blocks)
    # the sample's own brief is untouched
    _, _, sample_edition = read(SAMPLE)
    assert "办理成效" not in text_of(compose_brief(f, ledger, sample_edition, "东城区"))


def test_brief_findings_name_a_district_without_a_rates_row(tmp_path: Path) -> None:
    f, ledger, edition = small(tmp_path)  # the small workbook's 办理率 has no row for 西城区
    found = brief_findings(f, ledger)
    assert [(x.where, "西城区" in x.message and "《办理率》" in x.message) for x in found] == [("各区!A4", True)]
    doc = compose_brief(f, ledger, edition, "西城区")
    text = text_of(doc)
    assert "西城区群众诉求解决率为【待补】" in text
    assert not any(isinstance(b, Chart) and b.id == "图.简报.办理率" and len(b.series) > 1 for b in doc.blocks)
    assert MISSING_TEXT not in text_of(compose_brief(f, ledger, edition, "东城区"))


def test_brief_findings_name_a_district_without_its_calls_row(tmp_path: Path) -> None:
    def drop(data: Any) -> None:
        data["类型各区"] = [row for row in data["类型各区"] if row["区"] != "怀柔区"]

    f, ledger, edition = small(tmp_path, drop)
    found = [x for x in brief_findings(f, ledger) if "《类型各区》" in x.message]
    assert [x.where for x in found] == ["各区!A5"] and "怀柔区" in found[0].message
    text = text_of(compose_brief(f, ledger, edition, "怀柔区"))
    assert "共有群众来电【待补】" in text


def test_the_sample_needs_nothing_more_for_its_briefs(sample: Any) -> None:
    f, ledger, _, _ = sample
    assert brief_findings(f, ledger) == []


def test_streets_are_said_only_for_a_district_with_a_top_street(sample: Any) -> None:
    f, _, _, briefs = sample
    with_streets = {s.district for s in f.streets}
    for district, doc in briefs.items():
        said = "的街乡镇中" in text_of(doc)
        assert said == (district in with_streets), district
    assert "新村街道（18031件，居第1位）" in text_of(briefs["丰台区"])


def test_briefs_leave_the_ledger_of_the_annual_report_as_it_was_for_it(sample: Any) -> None:
    f, ledger, _, _ = sample
    fresh = derive(f)
    assert all(ledger.items[k] == d for k, d in fresh.items.items())
    counted = Counter(k.split(".")[0] for k in ledger.items.keys() - fresh.items.keys())
    assert set(counted) == {"各区", "街乡镇"}


def test_a_brief_breaks_no_page_between_its_parts(sample: Any) -> None:
    for doc in sample[3].values():
        assert not any(isinstance(block, PageBreak) for block in doc.blocks)
