"""The real workflow, as an analyst goes through it: drafts from a blank or half-filled workbook
build (never an internal error), a final build prints nothing missing and no sentence with a hole
(or refuses, naming what is missing), and the words follow the data: counts as they are, each
rate's leader, ties as ties, indicators in the title as figures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Data, small_data, write_workbook
from docx_tools import body_of, paragraph_texts, pdf_text
from ooxml_validate import errors

from builder.command.cli import FINDINGS, OK, main
from builder.command.pipeline import prepare_all
from builder.compose.audit import HOLE
from builder.document import MISSING_TEXT, Chart, Paragraph
from builder.workbook import blank

HOLE_SEEN = re.compile(r"[，、；：]\s*[，。、；：]|(为|是|达到)[，。；]")


@pytest.fixture(autouse=True)
def one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILDER_JOBS", "1")
    monkeypatch.delenv("BUILDER_DEBUG", raising=False)


def edition(tmp_path: Path, data: Data, title: str | None = None) -> Path:
    folder = tmp_path / "ed"
    folder.mkdir(parents=True, exist_ok=True)
    write_workbook(folder, data)
    if title is not None:
        (folder / "edition.toml").write_text(f"title = {title!r}\n".replace("'", '"'), encoding="utf-8")
    return folder


def build(folder: Path, out: Path, *extra: str) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["build", str(folder), "-o", str(out), *extra])
    return code, err.getvalue()


def printed_text(out: Path) -> tuple[str, str]:
    """The PDF's text and the DOCX's paragraphs, as the two clients would show them."""
    pdf = next(out.glob("*.pdf"))
    docx = next(out.glob("*.docx"))
    return pdf_text(pdf), "\n".join(paragraph_texts(body_of(docx.read_bytes())))


def paragraphs(folder: Path) -> list[str]:
    return [b.text for b in prepare_all(folder).document.blocks if isinstance(b, Paragraph)]


# -- drafts from whatever the workbook holds ------------------------------------------------------


def test_a_blank_template_builds_a_draft(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(blank.workbook_bytes())
    code, err = build(path, tmp_path / "out")
    assert code == OK, err
    assert "内部错误" not in err
    pdf, docx = printed_text(tmp_path / "out")
    assert MISSING_TEXT in pdf and MISSING_TEXT in docx
    for text in (pdf, docx):
        assert "None" not in text
        assert "年度最高" not in text and "年度最低" not in text  # no month has a count: no peak, no low
        assert "各月情况【待补】" in text.replace("\n", "")
    assert errors(next((tmp_path / "out").glob("*.docx"))) == []  # Word would open it


def test_only_basics_and_totals_filled_builds_a_draft(tmp_path: Path) -> None:
    full = small_data()
    data: Data = {name: (rows if name in ("基本信息", "总量") else []) for name, rows in full.items()}
    code, err = build(edition(tmp_path, data), tmp_path / "out")
    assert code == OK, err


def test_a_topic_without_subtopics_builds(tmp_path: Path) -> None:
    data = small_data()
    data["热点子类"] = [r for r in data["热点子类"] if r["问题类别"] != "住房"]
    data["热点月度"] = [r for r in data["热点月度"] if r["问题类别"] != "住房" or "子类" not in r]
    folder = edition(tmp_path, data)
    code, err = build(folder, tmp_path / "out")
    assert code == OK, err
    document = prepare_all(folder).document
    assert not [b for b in document.blocks if isinstance(b, Chart) and not b.categories]


def test_not_applicable_last_year_of_a_topic_says_no_growth(tmp_path: Path) -> None:
    data = small_data()
    data["热点"][1]["上年"] = "—"
    folder = edition(tmp_path, data)
    code, err = build(folder, tmp_path / "out", "--final")
    assert code == OK, err
    topic = next(p for p in paragraphs(folder) if p.startswith("住房类问题共反映"))
    assert "环比" not in topic and MISSING_TEXT not in topic


# -- a final build tells the truth ---------------------------------------------------------------


def test_the_clean_small_edition_builds_final_with_no_gap(tmp_path: Path) -> None:
    code, err = build(edition(tmp_path, small_data()), tmp_path / "out", "--final")
    assert code == OK, err
    assert errors(next((tmp_path / "out").glob("*.docx"))) == []
    for text in printed_text(tmp_path / "out"):
        assert MISSING_TEXT not in text
        assert not HOLE_SEEN.search(text.replace("\n", "")), HOLE_SEEN.search(text.replace("\n", ""))


def change(data: Data, sheet: str, match: dict[str, Any], **values: Any) -> Data:
    for row in data[sheet]:
        if all(row.get(k) == v for k, v in match.items()):
            row.update(values)
    return data


@pytest.mark.parametrize(
    ("case", "edit", "absent"),
    [
        ("topic-last-year-zero", lambda d: change(d, "热点", {"问题类别": "住房"}, 上年=0), "环比"),
        ("city-rate-last-year-na", lambda d: change(d, "办理率", {"范围": "全市"}, 上年解决率="—", 上年满意率="—"), "从2019年"),
        ("total-last-year-na", lambda d: change(d, "总量", {"项目": "受理总量"}, 上年="—"), "环比2019年"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_what_does_not_apply_is_left_unsaid_and_final_builds(case: str, edit: Any, absent: str, tmp_path: Path) -> None:
    folder = edition(tmp_path, edit(small_data()))
    code, err = build(folder, tmp_path / "out", "--final")
    assert code == OK, err
    pdf, docx = printed_text(tmp_path / "out")
    for text in (pdf, docx):
        flat = text.replace("\n", "")
        assert MISSING_TEXT not in flat
        assert not HOLE_SEEN.search(flat)
    if case == "total-last-year-na":
        assert not any(absent in p for p in paragraphs(folder))
    if case == "city-rate-last-year-na":
        assert any("群众诉求解决率为94.3%、满意率为95.1%" in p for p in paragraphs(folder))


@pytest.mark.parametrize("sheet", ["热点承办单位", "街乡镇", "热点各区", "市级部门"])
def test_a_sheet_without_rows_is_marked_in_a_draft_and_refused_in_a_final(sheet: str, tmp_path: Path) -> None:
    data = small_data()
    data[sheet] = []
    folder = edition(tmp_path, data)
    code, err = build(folder, tmp_path / "final", "--final")
    assert code == FINDINGS, err
    assert not (tmp_path / "final").exists()
    code, err = build(folder, tmp_path / "draft")
    assert code == OK
    findings = (tmp_path / "draft" / "检查结果.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(f"{sheet}: ") and MISSING_TEXT in line for line in findings), findings
    for text in printed_text(tmp_path / "draft"):
        assert not HOLE_SEEN.search(text.replace("\n", "").replace(MISSING_TEXT, "X"))


def test_the_audit_finds_a_hole_in_a_sentence() -> None:
    assert HOLE.search("承办单位中，承办数量最多，为，占各单位承办总量的。")
    assert HOLE.search("承办量最多，达到，其次是，")
    assert not HOLE.search("2020年共受理群众反映1022.3万件，环比2019年上升53.01%，其中办理诉求415.7万件。")


# -- words follow the data -------------------------------------------------------------------


def topics(n: int) -> Data:
    data = small_data()
    base = data["热点"][0]
    data["热点"] = [dict(base, 问题类别=f"类别{i:02d}", 本年=100000 - i) for i in range(n)]
    data["类型分类"] += [{"问题类别": f"类别{i:02d}", "咨询": 0, "诉求": 0, "建议": 0, "投诉": 0, "表扬": 0} for i in range(n)]
    for sheet in ("热点子类", "热点月度", "热点承办单位", "热点各区"):
        data[sheet] = []
    return data


@pytest.mark.parametrize(("n", "said"), [(1, "前一类"), (3, "前三类"), (10, "前十类"), (40, "前十类")])
def test_the_number_of_topics_is_said_as_it_is(n: int, said: str, tmp_path: Path) -> None:
    folder = edition(tmp_path, topics(n))
    document = prepare_all(folder).document
    opening = next(b.text for b in document.blocks if isinstance(b, Paragraph) and "年群众反映" in b.text)
    assert f"群众反映{said}问题" in opening
    chart = next(b for b in document.blocks if isinstance(b, Chart) and b.id == "图.热点")
    assert len(chart.categories) == min(n, 10)
    assert said in chart.caption


def rates_of(data: Data, rows: list[tuple[str, str, float, float]]) -> Data:
    keep = [r for r in data["办理率"] if r["范围"] != "区"]
    data["办理率"] = keep + [
        {"范围": scope, "名称": name, "解决率": res, "满意率": sat, "上年解决率": 90.0, "上年满意率": 90.0}
        for scope, name, res, sat in rows
    ]
    return data


def test_each_rates_leader_is_named_for_that_rate(tmp_path: Path) -> None:
    data = rates_of(small_data(), [("区", "东城区", 99.0, 80.0), ("区", "西城区", 90.0, 95.0), ("区", "怀柔区", 85.0, 85.0)])
    said = next(p for p in paragraphs(edition(tmp_path, data)) if p.startswith("从各区承办诉求来看"))
    assert said == "从各区承办诉求来看，东城区的解决率最高，西城区的满意率最高。"


def test_a_tie_is_said_as_a_tie(tmp_path: Path) -> None:
    data = rates_of(small_data(), [("区", "东城区", 97.0, 97.0), ("区", "西城区", 97.0, 97.0), ("区", "怀柔区", 85.0, 85.0)])
    said = next(p for p in paragraphs(edition(tmp_path, data)) if p.startswith("从各区承办诉求来看"))
    assert said == "从各区承办诉求来看，东城区、西城区的解决率和满意率并列最高，其次是怀柔区。"
    totals = change(small_data(), "各区", {"区": "西城区"}, 直派街乡镇=13000)  # 13000 + 12000 = 东城区's 25000
    most = next(p for p in paragraphs(edition(tmp_path / "b", totals)) if p.startswith("各区全年承办量"))
    assert most.startswith("各区全年承办量最多为东城区、西城区（并列），共承办2.5万件")


def test_an_indicator_in_the_title_prints_as_a_figure(tmp_path: Path) -> None:
    data = small_data()
    data["指标"].append({"指标": "参与区数", "本年": 16, "上年": 16, "单位": ""})
    folder = edition(tmp_path, data, title="{{ 地区 }}{{ 参与区数 }}区报告")
    assert prepare_all(folder).document.meta.title == "测试市16区报告"


def test_a_rate_typed_as_a_fraction_is_a_finding(tmp_path: Path) -> None:
    data = change(small_data(), "办理率", {"名称": "东城区"}, 解决率=0.8583)
    code, _ = build(edition(tmp_path, data), tmp_path / "out", "--final")
    assert code == FINDINGS
    findings = prepare_all(tmp_path / "ed").findings
    assert [str(f) for f in findings if "小数" in f.message] == [
        "办理率!C6: “东城区”的解决率为0.8583%，像是把小数填进了百分比列（0.8583应写作85.8300）"
    ]


def test_a_share_over_the_whole_is_a_finding(tmp_path: Path) -> None:
    data = change(small_data(), "热点", {"问题类别": "住房"}, 直接答复=90000)
    findings = prepare_all(edition(tmp_path, data)).findings
    assert any("超过100%" in f.message and f.where.startswith("热点!") for f in findings), findings


# -- check knows what prose may name ------------------------------------------------------------


def test_check_accepts_what_renders(tmp_path: Path) -> None:
    folder = edition(tmp_path, small_data())
    (folder / "prose").mkdir()
    (folder / "prose" / "工作情况.j2").write_text(
        "{% for x in ['甲'] %}{{ x }}{% endfor %}{% for i in range(2) %}{{ i }}{% endfor %}"
        "{{ 总量.受理总量 }}{{ 一级('标题') }}{% set y = 1 %}{{ y }}{{ 回访量 }}\n",
        encoding="utf-8",
    )
    assert [str(f) for f in prepare_all(folder).findings] == []
    (folder / "prose" / "工作情况.j2").write_text("{{ 没有的指标 }}\n", encoding="utf-8")
    assert [str(f) for f in prepare_all(folder).findings if "正文引用" in f.message] == [
        "prose/工作情况.j2:1: 正文引用了《指标》表中没有的“没有的指标”"
    ]
