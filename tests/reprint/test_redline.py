"""The redline: the new report as a DOCX with tracked changes against the old, read back and resolved."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, edition_copy, rows_by_label
from docx_tools import (
    NO_SOFFICE,
    W,
    body_of,
    convert_to_pdf,
    has_change,
    paragraph_texts,
    pdf_text,
    resolve,
    resolved_text,
    text_of,
    unit_texts,
)
from lxml import etree

from builder.command.pipeline import prepare
from builder.command.reprinting import write_redline
from builder.document import Chart, Document, Paragraph, Table, number_captions, para
from builder.document.walk import figures
from builder.reprint.redline import NOTE_PREFIX, redline, revision_date
from builder.style import load_style
from builder.writers import docx as docx_writer

STYLE = load_style()
AUTHOR = "测试修订人"
STAMP = "2021-01-20T00:00:00Z"


def corrected_edition(folder: Path) -> Path:
    """The sample with three cells changed: 受理总量 +100000, 劳动和社会保障 above 教育, 住房 now falling."""
    return edition_copy(folder / "2020", three_corrections)


def three_corrections(wb: Any) -> None:
    totals = wb["总量"]
    assert totals["A3"].value == "受理总量"
    totals["B3"] = int(totals["B3"].value) + 100000
    topics = wb["热点"]
    rows = rows_by_label(topics)
    labour, education, housing = rows["劳动和社会保障"], rows["教育"], rows["住房"]
    assert topics.cell(labour, 2).value < topics.cell(education, 2).value
    topics.cell(labour, 2).value = topics.cell(education, 2).value + 1000
    assert topics.cell(housing, 2).value > topics.cell(housing, 3).value  # 上升 …
    topics.cell(housing, 3).value = topics.cell(housing, 2).value + 50000  # … becomes 下降


Pair = tuple[Document, Document]


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    """(old, new): the sample and the corrected edition, composed."""
    _, old, _ = prepare(SAMPLE)
    _, new, _ = prepare(corrected_edition(tmp_path_factory.mktemp("edition")))
    return old, new


@pytest.fixture(scope="module")
def redlined(documents: Pair) -> bytes:
    old, new = documents
    return redline(old, new, STYLE, author=AUTHOR, date="2021-01-20")


def report_body(blob: bytes) -> tuple[str, etree._Element]:
    """The note paragraph's text and the body without it."""
    body = body_of(blob)
    note = body[0]
    assert note.tag == W + "p" and text_of(note).startswith(NOTE_PREFIX) and not has_change(note)
    body.remove(note)
    return text_of(note), body


def test_revisions_carry_ids_author_and_date(redlined: bytes) -> None:
    _, body = report_body(redlined)
    changes = list(body.iter(W + "ins", W + "del"))
    kinds = Counter(c.tag for c in changes)
    assert kinds[W + "ins"] > 0 and kinds[W + "del"] > 0
    ids = [c.get(W + "id") for c in changes]
    assert len(set(ids)) == len(ids)
    others = {b.get(W + "id") for b in body.iter(W + "bookmarkStart")}
    others |= {i.get(W + "val") for i in body.iter(W + "id")}
    assert not set(ids) & others
    assert {(c.get(W + "author"), c.get(W + "date")) for c in changes} == {(AUTHOR, STAMP)}
    assert all(t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve" for t in body.iter(W + "delText"))


def test_tracked_paragraphs_are_exactly_those_whose_text_differs(documents: Pair, redlined: bytes) -> None:
    old, new = documents
    old_units, new_units = set(unit_texts(old)), set(unit_texts(new))
    _, body = report_body(redlined)
    tracked_new, tracked_old = set(), set()
    for p in body.iter(W + "p"):
        if not has_change(p):
            text = text_of(p)
            assert text in old_units & new_units or text not in old_units | new_units, text
            continue
        after, before = resolved_text(p, accept=True), resolved_text(p, accept=False)
        assert after != before, after
        assert after in new_units | {""} and before in old_units | {""}, (before, after)
        tracked_new.add(after)
        tracked_old.add(before)
    assert new_units - old_units and new_units - old_units <= tracked_new
    assert old_units - new_units and old_units - new_units <= tracked_old


def test_accepting_gives_the_new_report_and_rejecting_the_old(documents: Pair, redlined: bytes) -> None:
    old, new = documents
    _, body = report_body(redlined)
    assert paragraph_texts(resolve(body, accept=True)) == paragraph_texts(body_of(docx_writer.write(new, STYLE)))
    assert paragraph_texts(resolve(body, accept=False)) == paragraph_texts(body_of(docx_writer.write(old, STYLE)))


def test_a_figure_change_is_one_deletion_and_one_insertion_inside_its_control(redlined: bytes) -> None:
    _, body = report_body(redlined)
    changed = [sdt for sdt in body.iter(W + "sdt") if has_change(sdt)]
    assert changed
    for sdt in changed:
        content = sdt.find(W + "sdtContent")
        assert [c.tag for c in content] == [W + "del", W + "ins"]
        assert len(content[0].findall(W + "r")) == 1 and len(content[1].findall(W + "r")) == 1
    housing = next(p for p in body.iter(W + "p") if text_of(p).startswith("住房类问题共反映"))
    deleted = "".join(t.text for t in housing.iter(W + "delText"))
    inserted = "".join(t.text for i in housing.iter(W + "ins") for t in i.iter(W + "t"))
    assert "上升" in deleted and "下降" in inserted
    assert re.fullmatch(r"上升[\d.]+%", deleted) and re.fullmatch(r"下降[\d.]+%", inserted)


def test_the_note_lists_the_tables_and_charts_that_changed(documents: Pair, redlined: bytes) -> None:
    old, new = documents
    note, _ = report_body(redlined)

    def shown(document: Document) -> dict[str, tuple[str, object]]:
        out: dict[str, tuple[str, object]] = {}
        for b in document.blocks:
            if isinstance(b, Table):
                out[b.id] = (f"表{b.number}", [c.text for row in b.rows for c in row])
            elif isinstance(b, Chart):
                out[b.id] = (f"图{b.number}", [[p.text for p in s.points] for s in b.series])
        return out

    before, after = shown(old), shown(new)
    expected = [label for key, (label, content) in after.items() if before[key][1] != content]
    assert expected and any(e.startswith("表") for e in expected)
    listed = note.split("：", 1)[1].rstrip("。").split("、")
    assert sorted(listed) == sorted(expected)


def test_whole_blocks_added_and_removed_are_tracked_whole(documents: Pair) -> None:
    old, _ = documents
    blocks = list(old.blocks)
    charts = [i for i, b in enumerate(blocks) if isinstance(b, Chart)]
    cut = blocks[charts[5] - 3 : charts[5] + 1]  # three paragraphs and a chart
    del blocks[charts[5] - 3 : charts[5] + 1]
    blocks.insert(20, para("这是新增的一段，含数字", figures(old)[0], "。"))
    table = next(i for i, b in enumerate(blocks) if isinstance(b, Table) and len(b.rows) > 3)
    rows = blocks[table].rows  # type: ignore[union-attr]
    blocks[table] = replace(blocks[table], rows=(rows[0], *rows[2:], rows[1]))  # a row moved to the end
    new = replace(old, blocks=tuple(number_captions(blocks)))
    for before, after in ((old, new), (new, old)):
        note, body = report_body(redline(before, after, STYLE, author=AUTHOR, date="2021-01-20"))
        assert "已删去" in note or "新增" in note
        written = paragraph_texts(body_of(docx_writer.write(after, STYLE)))
        assert paragraph_texts(resolve(body, accept=True)) == written
        assert paragraph_texts(resolve(body, accept=False)) == paragraph_texts(
            body_of(docx_writer.write(before, STYLE))
        )
        whole = [p for p in body.iter(W + "p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]
        whole += [p for p in body.iter(W + "p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
        assert len(whole) >= 2
        rows_marked = [r for r in body.iter(W + "tr") if r.find(f"{W}trPr/{W}ins") is not None]
        assert rows_marked  # the moved row: deleted where it was, inserted where it is
    assert [type(b) for b in cut] == [Paragraph, Paragraph, Paragraph, Chart]


def test_same_input_gives_the_same_bytes(documents: Pair, redlined: bytes) -> None:
    old, new = documents
    assert redline(old, new, STYLE, author=AUTHOR, date="2021-01-20") == redlined


def test_revision_dates() -> None:
    assert revision_date("2021-01-20") == STAMP
    assert revision_date("2021-01-20T08:00:00+08:00") == STAMP
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        revision_date("2021/01/20")


def test_write_redline_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "out" / "修订稿.docx"
    write_redline(SAMPLE, corrected_edition(tmp_path), out)
    note, body = report_body(out.read_bytes())
    assert has_change(body) and note.startswith(NOTE_PREFIX)
    assert [p.name for p in out.parent.iterdir()] == [out.name]


@pytest.mark.skipif(NO_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_redline(redlined: bytes, tmp_path: Path) -> None:
    path = tmp_path / "redline.docx"
    path.write_bytes(redlined)
    text = pdf_text(convert_to_pdf(path, tmp_path))
    assert NOTE_PREFIX in text
    assert "住房类问题共反映" in text
