"""Every DOCX the builder writes (report, redline, refreshed report) is valid against the ISO/IEC 29500
Transitional schemas with a consistent package; and the check finds what is broken."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import SAMPLE, edition_copy, rows_by_label
from lxml import etree
from ooxml_validate import errors

from builder.command.pipeline import prepare
from builder.command.reprinting import refresh, write_redline
from builder.style import load_style
from builder.writers import docx as docx_writer
from builder.writers import ooxml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


@pytest.fixture(scope="module")
def report() -> bytes:
    _, document, _ = prepare(SAMPLE)
    return docx_writer.write(document, load_style())


def corrections(wb: Any) -> None:
    """受理总量 up, 住房 now falling: changed prose, tables and charts."""
    totals = wb["总量"]
    assert totals["A3"].value == "受理总量"
    totals["B3"] = int(totals["B3"].value) + 100000
    topics = wb["热点"]
    housing = rows_by_label(topics)["住房"]
    topics.cell(housing, 3).value = topics.cell(housing, 2).value + 50000


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return edition_copy(tmp_path_factory.mktemp("edition") / "2020", corrections)


def test_the_report_is_valid(report: bytes) -> None:
    assert errors(report) == []


def test_the_redline_is_valid(corrected: Path, tmp_path: Path) -> None:
    out = tmp_path / "redline.docx"
    write_redline(SAMPLE, corrected, out)
    with zipfile.ZipFile(out) as z:
        assert b"<w:ins " in z.read("word/document.xml")
    assert errors(out) == []


def test_a_refreshed_report_is_valid(report: bytes, corrected: Path, tmp_path: Path) -> None:
    edited = docx.Document(io.BytesIO(report))
    next(p for p in edited.paragraphs if p.style.name == "Normal" and p.runs).runs[0].text += "（编辑修改）"
    edited.save(tmp_path / "edited.docx")
    out = tmp_path / "refreshed.docx"
    assert refresh(tmp_path / "edited.docx", corrected, out) == 0
    assert out.read_bytes() != (tmp_path / "edited.docx").read_bytes()
    assert errors(out) == []


def test_refreshing_an_older_docx_gives_its_zoom_the_required_percent(
    report: bytes, corrected: Path, tmp_path: Path
) -> None:
    """A DOCX written before `w:zoom` had its `w:percent` comes out of refresh as valid as a new one."""
    old = broken(report, "word/settings.xml", zoom_without_percent)
    assert len(errors(old)) == 1
    (tmp_path / "old.docx").write_bytes(old)
    out = tmp_path / "refreshed.docx"
    assert refresh(tmp_path / "old.docx", corrected, out) == 0
    assert errors(out) == []


# -- the check itself: each break below must be reported ------------------------------------


def first_axis_chart(report: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(report)) as z:
        return next(n for n in sorted(z.namelist()) if n.startswith("word/charts/") and b"<c:axId" in z.read(n))


def broken(report: bytes, name: str, change: Callable[[Any], None]) -> bytes:
    """`report` with part `name` edited by `change`."""

    def rewrite(blob: bytes) -> bytes:
        root = etree.fromstring(blob)
        change(root)
        return ooxml.serialise(root)

    return ooxml.repack(report, {name: rewrite})


def with_entries(report: bytes, drop: str = "", add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(report)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != drop:
                target.writestr(info, source.read(info))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def unknown_element(root: Any) -> None:
    root.find(f"{{{W}}}body").insert(0, etree.Element(f"{{{W}}}bogus"))


def negative_axis(root: Any) -> None:
    next(root.iter(f"{{{C}}}axId")).set("val", "-5")


def zoom_without_percent(root: Any) -> None:
    del root.find(f"{{{W}}}zoom").attrib[f"{{{W}}}percent"]


def bad_ignorable_element(root: Any) -> None:
    """w14 is ignorable, so an ISO reader drops it, but its own schema still applies."""
    root.find(f"{{{W14}}}docId").set(f"{{{W14}}}val", "not hex")


def foreign_element(root: Any) -> None:
    """A namespace the part does not mark ignorable must not be dropped."""
    root.append(etree.Element("{urn:example:not-ooxml}extra"))


def dangling_chart_id(root: Any) -> None:
    next(root.iter(f"{{{C}}}chart")).set(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id", "rId999"
    )


@pytest.mark.parametrize(
    ("part", "change", "expected"),
    [
        ("word/document.xml", unknown_element, "word/document.xml: /w:document/w:body/w:bogus: "),
        ("chart", negative_axis, "c:axId[1]: Element 'c:axId', attribute 'val': '-5' is not a valid value"),
        ("word/settings.xml", zoom_without_percent, "/w:settings/w:zoom: Element 'w:zoom': The attribute 'w:percent'"),
        ("word/settings.xml", bad_ignorable_element, "word/settings.xml: /w:settings/w14:docId: "),
        ("word/settings.xml", foreign_element, "word/settings.xml: /w:settings/"),
        ("word/document.xml", dangling_chart_id, "r:id rId999 has no relationship"),
    ],
    ids=["unknown-element", "negative-axis-id", "zoom-without-percent", "ignorable-but-invalid", "foreign", "r:id"],
)
def test_a_broken_part_is_reported(report: bytes, part: str, change: Callable[[Any], None], expected: str) -> None:
    name = first_axis_chart(report) if part == "chart" else part
    found = errors(broken(report, name, change))
    assert len(found) == 1, found
    assert found[0].startswith(name + ": ") and expected in found[0], found


def test_package_inconsistencies_are_reported(report: bytes) -> None:
    chart = first_axis_chart(report)
    found = errors(with_entries(report, drop=chart, add={"word/media/extra.bin": b"\0"}))
    assert f"[Content_Types].xml: an override for {chart}, which is not in the package" in found
    assert "[Content_Types].xml: no content type for word/media/extra.bin" in found
    assert any(f"targets {chart.removeprefix('word/')}, which is not in the package" in line for line in found), found
