"""What templates render is admitted as printable text: control characters dropped (a tab kept in
a paragraph), private-use and non-characters refused in one line naming the file, from the prose
and part templates' own text or from an expression; the builder's figure and block markers cannot
be forged or misplaced; a heading or title holds what the page can print."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import small_data, write_workbook
from unfit_text import UNFIT

from builder.command.pipeline import build
from builder.compose.annual import MAX_TITLE, compose
from builder.compose.slots import MAX_HEADING
from builder.document import Document, Heading, Paragraph, Title
from builder.figures.derived import Ledger, derive
from builder.model.errors import Unreadable
from builder.model.figures import Figures
from builder.workbook.edition import load_edition
from builder.workbook.load import load

CONTROLS = {
    "NUL": "\x00",
    "SOH": "\x01",
    "BS": "\x08",
    "VT": "\x0b",
    "FF": "\x0c",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "CSI": "\x9b",
}


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> tuple[Figures, Ledger]:
    figures = load(write_workbook(tmp_path_factory.mktemp("workbook"), small_data()))
    return figures, derive(figures)


def edition(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "edition"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def composed(folder: Path, read: tuple[Figures, Ledger]) -> Document:
    return compose(*read, load_edition(folder))


def refused(folder: Path, read: tuple[Figures, Ledger]) -> tuple[str, str]:
    with pytest.raises(Unreadable) as caught:
        composed(folder, read)
    (error,) = caught.value.errors
    assert "\n" not in str(error)
    return error.where, error.message


def paragraphs(document: Document) -> list[str]:
    return [b.text for b in document.blocks if isinstance(b, Paragraph)]


def toml(title: str) -> str:
    return 'title = "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"\n'


@pytest.mark.parametrize("ch", list(CONTROLS.values()), ids=list(CONTROLS))
@pytest.mark.parametrize("place", ["prose/总述.j2", "templates/部分/年度计划.j2"])
def test_control_characters_in_prose_and_templates_are_dropped(
    tmp_path: Path, read: tuple[Figures, Ledger], ch: str, place: str
) -> None:
    folder = edition(tmp_path, {place: f"前{ch}后，{{{{ 年度 }}}}年。\n\n制表\t符。\n"})
    texts = paragraphs(composed(folder, read))
    assert "前后，2020年。" in texts and "制表\t符。" in texts


@pytest.mark.parametrize("ch", list(UNFIT.values()), ids=list(UNFIT))
@pytest.mark.parametrize("place", ["prose/总述.j2", "templates/部分/年度计划.j2"])
def test_private_use_and_non_characters_in_prose_and_templates_are_refused_by_line(
    tmp_path: Path, read: tuple[Figures, Ledger], ch: str, place: str
) -> None:
    folder = edition(tmp_path, {place: f"第一行。\n\n第二{ch}行。\n"})
    where, message = refused(folder, read)
    assert where == f"{folder / place}:3"
    assert message.startswith("第3个字符是") and f"U+{ord(ch):04X}" in message and ch not in message


def test_a_file_that_is_not_utf_8_is_refused_by_line(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": "第一行\n".encode() + b"\xed\xa0\x80\n"})  # an encoded surrogate
    where, message = refused(folder, read)
    assert where == str(folder / "prose/总述.j2") and "第2行不是 UTF-8" in message


EXPRESSIONS = {
    "figure-marker": '{{ "\\ue000" }}',
    "forged-figure-marker": '{{ "\\ue000999\\ue001" }}',
    "block-marker-in-a-paragraph": '文字{{ "\\ue0020\\ue003" }}',
    "non-character": '{{ "\\ufffe" }}',
    "surrogate": '{{ "\\ud800" }}',
    "a-heading-joined-to-text": '{{ 一级("标题")|trim }}正文',
}


@pytest.mark.parametrize("source", list(EXPRESSIONS.values()), ids=list(EXPRESSIONS))
def test_what_an_expression_makes_is_admitted_too(tmp_path: Path, read: tuple[Figures, Ledger], source: str) -> None:
    where, message = refused(edition(tmp_path, {"prose/总述.j2": source + "\n"}), read)
    assert where == "templates/部分/总述.j2" and "输出了" in message


def test_control_characters_an_expression_makes_are_dropped(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": '甲{{ "\\x01\\x1b\\x7f" }}乙\n'})
    assert "甲乙" in paragraphs(composed(folder, read))


@pytest.mark.parametrize(
    "source", ['{{ 地区 }}{{ "\\ue000" }}', '{{ 地区 }}{{ "\\ue0000\\ue001" }}', '{{ 一级("标题") }}']
)
def test_a_title_with_a_marker_is_refused(tmp_path: Path, read: tuple[Figures, Ledger], source: str) -> None:
    folder = edition(tmp_path, {"edition.toml": toml(source)})
    where, message = refused(folder, read)
    assert where == str(folder / "edition.toml") and message.startswith("“title”模板输出了")


def test_a_title_is_one_line_of_text(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    folder = edition(tmp_path, {"edition.toml": toml('{{ 地区 }}{{ "\\n\\t\\x01" }}报告')})
    title = composed(folder, read).blocks[0]
    assert isinstance(title, Title) and title.text == "测试市报告"


def test_a_title_longer_than_the_page_takes_is_refused(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    folder = edition(tmp_path, {"edition.toml": toml("{{ 地区 }}" + "题" * MAX_TITLE)})
    where, message = refused(folder, read)
    assert where == str(folder / "edition.toml") and f"上限{MAX_TITLE}字" in message


def test_headings_are_admitted_as_titles_are(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": '{{ 二级("小\\x01标题") }}\n\n正文。\n'})
    headings = [b.text for b in composed(folder, read).blocks if isinstance(b, Heading)]
    assert "小标题" in headings
    (tmp_path / "edition" / "prose" / "总述.j2").write_text('{{ 二级("小\\ue000标题") }}\n', encoding="utf-8")
    where, message = refused(folder, read)
    assert where == f"{folder / 'prose/总述.j2'}:1" and "U+E000" in message
    (tmp_path / "edition" / "prose" / "总述.j2").write_text(
        f'{{{{ 二级("{"长" * (MAX_HEADING + 1)}") }}}}\n', encoding="utf-8"
    )
    where, message = refused(folder, read)
    assert where == f"{folder / 'prose/总述.j2'}:1" and f"上限{MAX_HEADING}字" in message


def test_a_figure_in_a_heading_prints_its_text(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": "{{ 三级(回访量 ~ '回访') }}\n"})
    headings = [b.text for b in composed(folder, read).blocks if isinstance(b, Heading)]
    assert "150000件回访" in headings


def test_a_report_with_control_characters_in_its_prose_is_written(tmp_path: Path) -> None:
    """The reproduction: a control character in prose once stopped the DOCX writer."""
    folder = edition(tmp_path, {"prose/总述.j2": "控制\x01字\x08符\x1b清\x00除。\n"})
    write_workbook(folder, small_data())
    built = build(folder, tmp_path / "out", formats=("docx",), progress=lambda _: None)
    assert [p.suffix for p in built.outputs if p.suffix == ".docx"] == [".docx"]
    assert "控制字符清除。" in paragraphs(built.document)
