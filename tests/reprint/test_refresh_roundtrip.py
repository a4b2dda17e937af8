"""Refresh a DOCX that LibreOffice has saved, once and twice: the controls lose their tags there, the
bookmarks around them and the custom properties stay. Another report's DOCX is refused; a figure
the new edition added since the DOCX was built is reported as added, not as deleted."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, edition_copy, rows_by_label
from docx_tools import NO_SOFFICE, W, body_of, convert, text_of
from lxml import etree

from builder.command.cli import main
from builder.command.pipeline import prepare
from builder.document import Document
from builder.reprint.refresh import OtherReport, printed_figures, refresh
from builder.style import load_style
from builder.writers import docx as docx_writer
from builder.writers import ooxml
from builder.writers.docx import anchors

STYLE = load_style()
EDIT = "（编辑改写了这句）"
PHONE = "总量!B4@1"
TOPIC = "劳动和社会保障"
TOPIC_SHEETS = ("热点", "热点子类", "热点月度", "热点承办单位", "热点各区")
BOOKMARK_NAME = re.compile(r"_[A-Za-z0-9_]{1,39}")


def two_corrections(wb: Any) -> None:
    """总量 电话反映 本年 up by 123456; 热点 住房 本年 now below its 上年."""
    totals = wb["总量"]
    assert totals["A4"].value == "电话反映"
    totals["B4"] = int(totals["B4"].value) + 123456
    topics = wb["热点"]
    housing = rows_by_label(topics)["住房"]
    topics.cell(housing, 2).value = 300000


def another_year(wb: Any) -> None:
    """The same report for 2019: another title."""
    info = wb["基本信息"]
    info.cell(rows_by_label(info)["年度"], 2).value = 2019


def without_the_last_topic(wb: Any) -> None:
    """The sample before its last hot topic was added: the topic's rows gone from every 热点 sheet."""
    for name in TOPIC_SHEETS:
        sheet = wb[name]
        for row in range(sheet.max_row, 2, -1):
            if sheet.cell(row, 1).value == TOPIC:
                sheet.delete_rows(row)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("editions")
    return {
        "corrected": edition_copy(base / "corrected" / "2020", two_corrections),
        "2019": edition_copy(base / "2019", another_year),
        "earlier": edition_copy(base / "earlier" / "2020", without_the_last_topic),
    }


@pytest.fixture(scope="module")
def documents(folders: dict[str, Path]) -> dict[str, Document]:
    """The sample as built, the corrected edition, the 2019 report, the sample without its last topic."""
    out = {"sample": prepare(SAMPLE)[1]}
    out.update({name: prepare(folder)[1] for name, folder in folders.items()})
    return out


@pytest.fixture(scope="module")
def built(documents: dict[str, Document]) -> bytes:
    return docx_writer.write(documents["sample"], STYLE)


# -- reading a DOCX back -----------------------------------------------------------------------


def parts_of(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return {name: z.read(name) for name in z.namelist()}


def properties_of(blob: bytes) -> dict[str, str]:
    return anchors.read_properties(parts_of(blob).get("docProps/custom.xml"))


def control_of(start: etree._Element) -> etree._Element | None:
    """The content control a figure's bookmark holds: the one it starts in, or the next sibling."""
    parent = start.getparent()
    if parent.tag == W + "sdtContent":
        return parent.getparent()
    following = start.getnext()
    return following if following is not None and following.tag == W + "sdt" else None


def figures_by_bookmark(body: etree._Element, keys: list[str]) -> dict[str, etree._Element]:
    """Each of `keys` whose bookmark is in `body`, with the control it holds."""
    names = {anchors.bookmark_name(key): key for key in keys}
    out: dict[str, etree._Element] = {}
    for start in body.iter(W + "bookmarkStart"):
        key = names.get(start.get(W + "name"))
        control = control_of(start) if key else None
        if key and control is not None:
            out[key] = control
    return out


def outside_controls(p: etree._Element) -> str:
    """A paragraph's text with each content control's text replaced by a mark."""
    copy = etree.fromstring(etree.tostring(p))
    for sdt in list(copy.iter(W + "sdt")):
        marker = etree.Element(W + "r")
        etree.SubElement(marker, W + "t").text = "〈数〉"
        sdt.addprevious(marker)
        sdt.getparent().remove(sdt)
    return text_of(copy)


def as_editors_leave_it(blob: bytes, victim: str) -> bytes:
    """`blob` with a sentence of prose changed (a run outside any control, in a paragraph with figures)
    and the figure `victim` deleted: its control and its bookmark."""
    parts = parts_of(blob)
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(W + "body")
    paragraph = next(
        p
        for p in body.iter(W + "p")
        if p.find(W + "sdt") is not None and any(text_of(r).strip() for r in p.findall(W + "r"))
    )
    run = next(r for r in paragraph.findall(W + "r") if text_of(r).strip())
    text = run.find(W + "t")
    text.text = (text.text or "") + EDIT
    start = next(b for b in body.iter(W + "bookmarkStart") if b.get(W + "name") == anchors.bookmark_name(victim))
    control = control_of(start)
    assert control is not None
    end = next(e for e in body.iter(W + "bookmarkEnd") if e.get(W + "id") == start.get(W + "id"))
    for node in {id(n): n for n in (start, control, end)}.values():
        if node.getparent() is not None:
            node.getparent().remove(node)
    return ooxml.repack(blob, {"word/document.xml": lambda _: ooxml.serialise(root)})


# -- what the builder writes -----------------------------------------------------------------


def test_every_control_sits_in_a_hidden_bookmark_named_after_its_key(built: bytes) -> None:
    body = body_of(built)
    controls = list(body.iter(W + "sdt"))
    assert controls
    for sdt in controls:
        key = sdt.find(f"{W}sdtPr/{W}tag").get(W + "val")
        start, end = sdt.getprevious(), sdt.getnext()
        assert start.tag == W + "bookmarkStart" and start.get(W + "name") == anchors.bookmark_name(key)
        assert end.tag == W + "bookmarkEnd" and end.get(W + "id") == start.get(W + "id")
        assert sdt.getparent().tag == W + "p"
    names = [b.get(W + "name") for b in body.iter(W + "bookmarkStart")]
    ids = [b.get(W + "id") for b in body.iter(W + "bookmarkStart")]
    assert all(BOOKMARK_NAME.fullmatch(name) for name in names)
    assert len(set(names)) == len(names) and len(set(ids)) == len(ids)
    assert sorted(ids) == sorted(e.get(W + "id") for e in body.iter(W + "bookmarkEnd"))


def test_the_docx_stores_its_title_and_the_keys_it_was_built_with(built: bytes, documents: dict[str, Document]) -> None:
    sample = documents["sample"]
    properties = properties_of(built)
    assert anchors.stored_edition(properties) == sample.meta.title
    tags = [sdt.find(f"{W}sdtPr/{W}tag").get(W + "val") for sdt in body_of(built).iter(W + "sdt")]
    assert anchors.stored_keys(properties) == tags == list(printed_figures(sample))
    assert all(len(value) <= anchors.PIECE for value in properties.values())
    assert docx_writer.write(sample, STYLE) == built


def test_keys_with_spaces_and_quotes_come_back_whole() -> None:
    keys = [f'表 {n}!"B{n}" 　占比@{n}' for n in range(200)]
    pieces = anchors.read_properties(anchors.properties_xml("题", keys))
    assert not any(value != value.strip() for value in pieces.values())
    assert anchors.stored_keys(pieces) == keys
    del pieces[f"{anchors.FIGURES}2"]
    assert anchors.stored_keys(pieces) is None


# -- after LibreOffice -----------------------------------------------------------------------


@pytest.fixture(scope="module", params=[1, 2], ids=["saved-once", "saved-twice"])
def libreoffice_saved(request: pytest.FixtureRequest, built: bytes, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The built DOCX opened and saved as DOCX by LibreOffice, once or twice in a row."""
    if NO_SOFFICE:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    path = folder / "report.docx"
    path.write_bytes(built)
    for n in range(request.param):
        out = folder / f"save{n + 1}"
        out.mkdir()
        path = convert(path, out, "docx")
    return path.read_bytes()


def test_libreoffice_drops_the_tags_and_keeps_bookmarks_and_properties(
    libreoffice_saved: bytes, built: bytes, documents: dict[str, Document]
) -> None:
    body = body_of(libreoffice_saved)
    assert not list(body.iter(W + "tag")) and not list(body.iter(W + "alias"))
    keys = list(printed_figures(documents["sample"]))
    found = figures_by_bookmark(body, keys)
    assert set(found) == set(keys)
    assert all(text_of(found[key]) == printed_figures(documents["sample"])[key].text for key in keys)
    assert properties_of(libreoffice_saved) == properties_of(built)


def test_refresh_after_libreoffice_updates_every_figure_and_keeps_the_prose(
    libreoffice_saved: bytes, documents: dict[str, Document]
) -> None:
    new = documents["corrected"]
    printed = printed_figures(new)
    keys = list(printed)
    victim = next(k for k in keys[10:] if k != PHONE and not k.startswith("热点"))
    edited = as_editors_leave_it(libreoffice_saved, victim)
    data, report = refresh(edited, new, STYLE)

    after = figures_by_bookmark(body_of(data), keys)
    assert set(after) == set(keys) - {victim}
    assert {key: text_of(sdt) for key, sdt in after.items()} == {key: printed[key].text for key in after}
    before = figures_by_bookmark(body_of(edited), keys)
    assert text_of(before[PHONE]) != text_of(after[PHONE])

    paragraphs_before, paragraphs_after = list(body_of(edited).iter(W + "p")), list(body_of(data).iter(W + "p"))
    assert [outside_controls(p) for p in paragraphs_before] == [outside_controls(p) for p in paragraphs_after]
    assert sum(EDIT in text_of(p) for p in paragraphs_after) == 1

    deleted = [line for line in report if line.startswith(f"{victim}: ")]
    assert len(deleted) == 1 and "删去" in deleted[0], report
    assert not any("新增" in line or "已没有" in line for line in report), report


def test_another_reports_docx_is_refused_after_libreoffice(
    libreoffice_saved: bytes, documents: dict[str, Document]
) -> None:
    with pytest.raises(OtherReport):
        refresh(libreoffice_saved, documents["2019"], STYLE)


# -- another report, a figure added since ------------------------------------------------------


@pytest.mark.parametrize("stored", [True, False], ids=["stored-title", "core-title-only"])
def test_another_reports_docx_is_refused_with_one_line(
    tmp_path: Path, built: bytes, folders: dict[str, Path], capsys: pytest.CaptureFixture[str], stored: bool
) -> None:
    """The 2020 report's DOCX with the 2019 edition's figures: refused, exit 2, one line naming the file;
    a DOCX built before the title was stored is judged by its core title."""
    blob = built if stored else ooxml.repack(built, {"docProps/custom.xml": lambda _: b""})
    path = tmp_path / "编辑稿.docx"
    path.write_bytes(blob)
    out = tmp_path / "更新稿.docx"
    assert main(["refresh", str(path), str(folders["2019"]), "-o", str(out)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"{path}: "), errors
    assert "2020" in errors[0] and "2019" in errors[0]
    assert not out.exists()


def test_a_topic_the_new_edition_added_is_reported_as_added_not_deleted(documents: dict[str, Document]) -> None:
    earlier, new = documents["earlier"], documents["sample"]
    blob = docx_writer.write(earlier, STYLE)
    _, report = refresh(blob, new, STYLE)
    added = {line.split(": ")[0] for line in report if "新增" in line}
    assert added == set(printed_figures(new)) - set(printed_figures(earlier))
    assert any(TOPIC in key for key in added)
    assert not any("删去" in line for line in report), report
