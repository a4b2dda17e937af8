"""Refresh: new figures into a DOCX editors changed, their prose kept, what cannot be done reported."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import SAMPLE, edition_copy, rows_by_label
from docx.oxml.ns import qn
from docx_tools import NO_SOFFICE, W, body_of, convert_to_pdf, pdf_text, text_of
from lxml import etree

from builder.command.pipeline import prepare
from builder.command.reprinting import refresh as run
from builder.document import Chart, Document
from builder.model.errors import Unreadable
from builder.reprint import docx_xml
from builder.reprint.refresh import NotOurs, printed_figures, refresh
from builder.style import load_style
from builder.writers import docx as docx_writer
from builder.writers import ooxml
from builder.writers.docx import anchors

STYLE = load_style()
EDIT = "（编辑修改）"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
RED = '<c:spPr xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:solidFill><a:srgbClr val="FF0000"/></a:solidFill></c:spPr>'


def corrected_edition(folder: Path) -> Path:
    """The sample with 总量 电话反映 本年 and 热点 住房 本年 corrected (住房 now below its 上年: 下降)."""
    return edition_copy(folder / "2020", two_corrections)


def two_corrections(wb: Any) -> None:
    totals = wb["总量"]
    assert totals["A4"].value == "电话反映"
    totals["B4"] = int(totals["B4"].value) + 123456
    topics = wb["热点"]
    housing = rows_by_label(topics)["住房"]
    assert topics.cell(housing, 2).value > topics.cell(housing, 3).value
    topics.cell(housing, 2).value = 300000
    assert topics.cell(housing, 2).value < topics.cell(housing, 3).value


def edited_report() -> tuple[bytes, str]:
    """The sample's DOCX as editors left it: a run of prose changed, one figure's control deleted,
    the first chart's first series recoloured. With the deleted control's key."""
    _, document, _ = prepare(SAMPLE)
    doc = docx.Document(io.BytesIO(docx_writer.write(document, STYLE)))
    first = next(p for p in doc.paragraphs if p.style.name == "Normal" and p.runs)
    first.runs[0].text += EDIT  # a run outside any control
    victim = list(doc.element.body.iter(qn("w:sdt")))[10]
    key = victim.find(f"{qn('w:sdtPr')}/{qn('w:tag')}").get(qn("w:val"))
    victim.getparent().remove(victim)
    out = io.BytesIO()
    doc.save(out)
    return ooxml.repack(out.getvalue(), {"word/charts/chart1.xml": recolour}), key


def recolour(blob: bytes) -> bytes:
    space = etree.fromstring(blob)
    series = next(space.iter(C + "ser"))
    series.find(C + "tx").addnext(etree.fromstring(RED))
    return etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, str, list[str], Document]:
    """(edited DOCX, refreshed DOCX, deleted key, report, new document)."""
    _, new, _ = prepare(corrected_edition(tmp_path_factory.mktemp("edition")))
    edited, key = edited_report()
    data, report = refresh(edited, new, STYLE)
    return edited, data, key, report, new


def outside_controls(p: etree._Element) -> str:
    """A paragraph's text with each content control's text replaced by a mark."""
    copy = etree.fromstring(etree.tostring(p))
    for sdt in list(copy.iter(W + "sdt")):
        marker = etree.Element(W + "t")
        marker.text = "〈数〉"
        sdt.addprevious(etree.Element(W + "r"))
        sdt.getprevious().append(marker)
        sdt.getparent().remove(sdt)
    return text_of(copy)


def test_the_editors_prose_survives_and_nothing_else_outside_controls_changes(
    refreshed: tuple[bytes, bytes, str, list[str], Document],
) -> None:
    edited, data, _, _, _ = refreshed
    before, after = list(body_of(edited).iter(W + "p")), list(body_of(data).iter(W + "p"))
    assert len(before) == len(after)
    assert [outside_controls(p) for p in before] == [outside_controls(p) for p in after]
    assert sum(EDIT in text_of(p) for p in after) == 1


def test_every_control_holds_the_new_figure(refreshed: tuple[bytes, bytes, str, list[str], Document]) -> None:
    edited, data, _, _, new = refreshed
    printed = printed_figures(new)
    controls = list(body_of(data).iter(W + "sdt"))
    tags = [c.find(f"{W}sdtPr/{W}tag").get(W + "val") for c in controls]
    assert len(controls) == len(printed) - 1
    changed = 0
    for sdt, old_sdt, tag in zip(controls, body_of(edited).iter(W + "sdt"), tags, strict=True):
        assert text_of(sdt) == printed[tag].text, tag
        changed += text_of(sdt) != text_of(old_sdt)
    assert changed >= 4
    edited_phone = next(
        c for c in body_of(edited).iter(W + "sdt") if c.find(f"{W}sdtPr/{W}tag").get(W + "val") == "总量!B4@1"
    )
    assert text_of(controls[tags.index("总量!B4@1")]) == printed["总量!B4@1"].text != text_of(edited_phone)


def test_missing_controls_and_contradicted_growth_words_are_reported(
    refreshed: tuple[bytes, bytes, str, list[str], Document],
) -> None:
    _, data, key, report, _ = refreshed
    assert all(re.match(r"^\S+: \S", line) for line in report), report
    deleted = [line for line in report if line.startswith(f"{key}: ")]
    assert len(deleted) == 1 and "删去" in deleted[0]
    growth = [line for line in report if line.startswith("热点.住房.增幅@")]
    assert len(growth) == 1 and "“上升”" in growth[0] and "“下降”" in growth[0]
    housing = next(p for p in body_of(data).iter(W + "p") if text_of(p).startswith("住房类问题共反映"))
    assert "环比上升" in text_of(housing)  # the word is reported, not guessed
    assert len(report) == 2


def test_charts_get_the_new_values_and_keep_the_editors_styling(
    refreshed: tuple[bytes, bytes, str, list[str], Document],
) -> None:
    _, data, _, _, new = refreshed
    fresh = docx_writer.write(new, STYLE)
    charts = [b for b in new.blocks if isinstance(b, Chart)]
    with zipfile.ZipFile(io.BytesIO(data)) as ours, zipfile.ZipFile(io.BytesIO(fresh)) as theirs:
        for n in range(1, len(charts) + 1):
            workbook = f"word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx"
            assert ours.read(workbook) == theirs.read(workbook), n
            mine, built = (
                etree.fromstring(ours.read(f"word/charts/chart{n}.xml")),
                etree.fromstring(theirs.read(f"word/charts/chart{n}.xml")),
            )
            assert _caches(mine) == _caches(built), n
        first = etree.fromstring(ours.read("word/charts/chart1.xml"))
    assert next(first.iter(C + "ser")).find(C + "spPr") is not None  # the editors' red is still there
    values = next(first.iter(C + "ser")).find(f"{C}val/{C}numRef/{C}numCache")
    assert charts[0].categories[0] == "电话反映"
    assert float(values.find(f"{C}pt/{C}v").text) == float(charts[0].series[0].points[0].value)  # type: ignore[arg-type]


def _caches(space: etree._Element) -> list[list[list[str]]]:
    return [
        [[v.text for v in cache.iter(C + "v")] for cache in ser.iter(C + "strCache", C + "numCache")]
        for ser in space.iter(C + "ser")
    ]


def test_same_input_gives_the_same_bytes(refreshed: tuple[bytes, bytes, str, list[str], Document]) -> None:
    edited, data, _, _, new = refreshed
    assert refresh(edited, new, STYLE)[0] == data


def test_the_result_opens_with_python_docx(refreshed: tuple[bytes, bytes, str, list[str], Document]) -> None:
    _, data, _, _, _ = refreshed
    doc = docx.Document(io.BytesIO(data))
    assert any(EDIT in p.text for p in doc.paragraphs)


@pytest.mark.skipif(NO_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_result(
    refreshed: tuple[bytes, bytes, str, list[str], Document], tmp_path: Path
) -> None:
    _, data, _, _, new = refreshed
    path = tmp_path / "refreshed.docx"
    path.write_bytes(data)
    text = pdf_text(convert_to_pdf(path, tmp_path))
    assert EDIT in text
    phone = printed_figures(new)["总量!B4@1"].text
    assert phone in text


def test_run_writes_the_file_and_prints_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited, key = edited_report()
    source = tmp_path / "编辑稿.docx"
    source.write_bytes(edited)
    out = tmp_path / "out" / "更新稿.docx"
    assert run(source, corrected_edition(tmp_path), out) == 0
    printed = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{key}: ") for line in printed)
    assert docx.Document(str(out)).paragraphs
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


@pytest.mark.parametrize("content", ["not a zip", "blank docx"])
def test_a_file_that_is_not_our_docx_is_one_line_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "x.docx"
    if content == "not a zip":
        path.write_bytes(b"hello")
    else:
        docx.Document().save(str(path))
    with pytest.raises(Unreadable) as raised:
        run(path, SAMPLE, tmp_path / "out.docx")
    lines = raised.value.lines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ")
    assert not (tmp_path / "out.docx").exists()
    with pytest.raises(NotOurs):
        refresh(path.read_bytes(), prepare(SAMPLE)[1], STYLE)


def test_a_control_word_has_reworked_still_takes_the_new_text() -> None:
    """Split runs, a placeholder state and an emptied control: the first run keeps its formatting."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    sdt = etree.fromstring(
        f'<w:sdt xmlns:w="{w}"><w:sdtPr><w:alias w:val="k@1"/><w:tag w:val="k@1"/><w:id w:val="7"/>'
        "<w:showingPlcHdr/></w:sdtPr><w:sdtContent>"
        '<w:r><w:rPr><w:rStyle w:val="PlaceholderText"/><w:b/></w:rPr><w:t>12</w:t></w:r>'
        "<w:proofErr/><w:r><w:t>3.4万件</w:t></w:r></w:sdtContent></w:sdt>"
    )
    run_element = docx_xml.set_control_text(sdt, "99.9万件")
    assert text_of(sdt) == "99.9万件"
    assert run_element.find(f"{W}rPr/{W}b") is not None and run_element.find(f"{W}rPr/{W}rStyle") is None
    assert sdt.find(f"{W}sdtPr/{W}showingPlcHdr") is None
    empty = etree.fromstring(f'<w:sdt xmlns:w="{w}"><w:sdtPr><w:tag w:val="k@2"/></w:sdtPr><w:sdtContent/></w:sdt>')
    docx_xml.set_control_text(empty, "5个")
    assert text_of(empty) == "5个"


def test_a_figure_whose_control_an_editor_removed_keeping_its_text_is_found_by_its_bookmark(
    refreshed: tuple[bytes, bytes, str, list[str], Document],
) -> None:
    """Word's “remove content control” leaves the figure's run in the paragraph, inside its bookmark:
    that run takes the new figure."""
    *_, new = refreshed
    blob = docx_writer.write(prepare(SAMPLE)[1], STYLE)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        root = etree.fromstring(z.read("word/document.xml"))
    phone = next(s for s in root.iter(W + "sdt") if s.find(f"{W}sdtPr/{W}tag").get(W + "val") == "总量!B4@1")
    old_text = text_of(phone)
    for inner in list(phone.find(W + "sdtContent")):
        phone.addprevious(inner)
    phone.getparent().remove(phone)
    edited = ooxml.repack(blob, {"word/document.xml": lambda _: ooxml.serialise(root)})
    data, report = refresh(edited, new, STYLE)
    start = next(
        b for b in body_of(data).iter(W + "bookmarkStart") if b.get(W + "name") == anchors.bookmark_name("总量!B4@1")
    )
    held = list(start.itersiblings())
    held = held[: next(i for i, e in enumerate(held) if e.tag == W + "bookmarkEnd")]
    assert "".join(text_of(r) for r in held) == printed_figures(new)["总量!B4@1"].text != old_text
    assert not any(line.startswith("总量!B4@1: ") for line in report), report
