"""The PDF's faces read back: each GB/T 9704 role in its Fandol face, every font embedded, and no
character lost (CJK Extension B drawn by a wide face, a character no face has a finding naming its cell)."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from conftest import small_data, write_workbook
from docx_tools import NO_SOFFICE, convert_to_pdf
from pypdf import PdfReader

from builder.command.cli import main
from builder.command.pipeline import prepare
from builder.document import Document, Heading, Meta, Paragraph, Text, Title
from builder.style import fonts, load_style
from builder.writers import pdf

SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "2020"
EXT_B = "𠮷"  # U+20BB7, CJK Extension B: in place and person names, in no Fandol face
NO_FACE = "🥰"  # U+1F970: an emoji no installed face has


def installed(postscript: str) -> bool:
    return any(postscript in f.families and f.path.suffix == ".ttf" for f in fonts.system_faces())


pytestmark = pytest.mark.skipif(
    not all(installed(n) for n in ("FandolFang-Regular", "FandolHei-Regular", "HanaMinB")),
    reason="tools/setup.sh has not installed the Fandol and Hanazono faces",
)


def base_font(char: dict[str, Any]) -> str:
    """`AAAAAB+FandolFang-Regular` → `FandolFang-Regular`."""
    return str(char["fontname"]).split("+", 1)[-1]


def faces_of(pdf_bytes: bytes, text: str, *, whole: bool = False) -> Counter[str]:
    """The faces that draw the characters of every line that starts with `text` (with `whole`, that is
    `text`: a contents line starts with a heading's text too), counted by character."""
    seen: Counter[str] = Counter()
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as doc:
        for page in doc.pages:
            rows: dict[float, list[dict[str, Any]]] = {}
            for char in page.chars:
                rows.setdefault(round(float(char["top"]), 1), []).append(char)
            for chars in rows.values():
                line = "".join(str(c["text"]) for c in sorted(chars, key=lambda c: float(c["x0"])))
                if line == text or (not whole and line.startswith(text)):
                    seen.update(base_font(c) for c in chars if not str(c["text"]).isascii())
    return seen


@pytest.fixture(scope="module")
def sample() -> tuple[Any, bytes]:
    _, document, _ = prepare(SAMPLE)
    return document, pdf.render(document, load_style()).data


def test_each_role_in_its_face(sample: tuple[Any, bytes]) -> None:
    document, data = sample
    title = next(b for b in document.blocks if isinstance(b, Title))
    heading1 = next(b for b in document.blocks if isinstance(b, Heading) and b.level == 1)
    heading3 = next(b for b in document.blocks if isinstance(b, Heading) and b.level == 3)
    body = next(b for b in document.blocks if isinstance(b, Paragraph) and len(b.text) > 60)
    expected = {
        title.text[:10]: "FandolSong-Bold",  # standing in for 小标宋
        title.subtitle[:4]: "FandolKai-Regular",
        heading1.number + heading1.text: "FandolHei-Regular",
        heading3.number + heading3.text: "FandolFang-Regular",
        body.text[:12]: "FandolFang-Regular",
        "— 3 —": "FandolSong-Regular",  # the page number (its dashes)
    }
    headings = {heading1.number + heading1.text, heading3.number + heading3.text, "— 3 —"}
    for text, face in expected.items():
        assert set(faces_of(data, text, whole=text in headings)) == {face}, text


def test_heading2_in_kai() -> None:
    """The sample has no level-2 heading: a document with one."""
    blocks = (
        Title("测试报告"),
        Heading(1, "一、", "总体情况"),
        Heading(2, "（一）", "受理情况"),
        Paragraph((Text("全年受理群众来电一百万件。"),)),
    )
    data = pdf.render(Document(Meta("测试报告", "测试", "测试"), blocks), load_style()).data
    assert set(faces_of(data, "（一）受理情况")) == {"FandolKai-Regular"}
    assert set(faces_of(data, "一、总体情况")) == {"FandolHei-Regular"}
    assert set(faces_of(data, "全年受理群众来电")) == {"FandolFang-Regular"}


def test_every_font_embedded(sample: tuple[Any, bytes]) -> None:
    _, data = sample
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]  # TrueType outlines, embedded
            names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    assert {"FandolFang-Regular", "FandolHei-Regular", "FandolKai-Regular", "FandolSong-Bold", "FandolSong-Regular"} <= names
    assert not any(name.startswith(("Helvetica", "Times", "Courier")) for name in names)


@pytest.mark.skipif(NO_SOFFICE, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_draws_the_docx_fonts_with_fandol(tmp_path: Path) -> None:
    """The set-up's fontconfig alias: the DOCX asks for 仿宋_GB2312, 黑体, 楷体 and 宋体, which LibreOffice
    finds as the Fandol faces rather than whatever fontconfig would guess."""
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "out")]) == 0
    report = tmp_path / "report.docx"
    report.write_bytes(next((tmp_path / "out").glob("*.docx")).read_bytes())
    data = convert_to_pdf(report, tmp_path).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    names = {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert {"FandolFang-Regular", "FandolHei-Regular", "FandolKai-Regular", "FandolSong-Regular"} <= names


# ---------------------------------------------------------------- characters no role's face has


@pytest.fixture(scope="module")
def named_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small edition whose hot-topic sub-categories are named 道路𠮷 and 拆迁🥰."""
    folder = tmp_path_factory.mktemp("glyphs")
    data = small_data()
    renamed = {"道路": "道路" + EXT_B, "拆迁": "拆迁" + NO_FACE}
    for row in data["热点子类"] + data["热点月度"]:
        if row.get("子类") in renamed:
            row["子类"] = renamed[row["子类"]]
    write_workbook(folder, data)
    return folder


def test_extension_b_drawn_and_extracted(named_edition: Path, tmp_path: Path) -> None:
    assert main(["build", str(named_edition), "-o", str(tmp_path)]) == 0
    data = next(tmp_path.glob("*.pdf")).read_bytes()
    with pdfplumber.open(io.BytesIO(data)) as doc:
        text = "".join(page.extract_text() or "" for page in doc.pages)
        drawn = {base_font(c) for page in doc.pages for c in page.chars if c["text"] == EXT_B}
    assert "道路" + EXT_B in text  # drawn, and its text extracts back as itself
    assert drawn and all(name.startswith("HanaMin") for name in drawn)  # by the wide face
    assert NO_FACE not in text and "拆迁〓" in text  # the draft's visible mark


def test_a_character_no_face_has_is_a_finding_naming_its_cell(
    named_edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", str(named_edition), "-o", str(tmp_path / "draft")]) == 0
    findings = (tmp_path / "draft" / "检查结果.txt").read_text(encoding="utf-8").splitlines()
    glyphs = [line for line in findings if "U+" in line]
    assert len(glyphs) == 1 and EXT_B not in glyphs[0]  # 𠮷 is drawn: no finding
    where, message = glyphs[0].split(": ", 1)
    assert "热点子类!B4" in where.split("、")  # the cell that holds the name
    assert f"“{NO_FACE}”（U+1F970）" in message
    capsys.readouterr()
    assert main(["build", str(named_edition), "-o", str(tmp_path / "final"), "--final"]) == 1
    assert glyphs[0] in capsys.readouterr().out.splitlines()
    assert not (tmp_path / "final").exists() or not any((tmp_path / "final").iterdir())


# ---------------------------------------------------------------- an edition font without Chinese glyphs


@pytest.fixture
def fake_fangsong_edition(tmp_path: Path) -> Path:
    """A small edition whose fonts/ holds a Latin font renamed FangSong (as a careless download would be)."""
    from fontTools.ttLib import TTFont

    latin = next(f.path for f in fonts.system_faces() if "DejaVu Sans" in f.families and f.path.suffix == ".ttf")
    font = TTFont(str(latin))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "FangSong"
        elif record.nameID == 6:
            record.string = "FangSong-Regular"
    edition = tmp_path / "edition"
    (edition / "fonts").mkdir(parents=True)
    font.save(str(edition / "fonts" / "FangSong.ttf"))
    write_workbook(edition, small_data())
    return edition


@pytest.mark.skipif(not installed("DejaVuSans"), reason="fonts-dejavu-core not installed")
def test_a_font_named_fangsong_without_chinese_is_skipped(
    fake_fangsong_edition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = fake_fangsong_edition / "fonts" / "FangSong.ttf"
    resolved = fonts.resolve(load_style(), [fake_fangsong_edition / "fonts"])
    assert resolved["body"].path != fake and (fake, 0) in resolved["body"].skipped
    assert resolved["body"].family == "FandolFang-Regular" and resolved["body"].preferred

    assert main(["fonts", str(fake_fangsong_edition)]) == 0
    out, err = capsys.readouterr()
    body = next(line for line in out.splitlines() if line.startswith("body"))
    assert "FandolFang-Regular" in body and "跳过 FangSong.ttf" in body  # not called the preferred font
    assert [line for line in err.splitlines() if str(fake) in line] == [
        f"注意：字体文件 {fake}：缺少 {len(fonts.lacking(fake, 0))} 个常用字（如“的一是”），不用于 body、heading3、heading4、table"
    ]

    assert main(["build", str(fake_fangsong_edition), "-o", str(tmp_path / "out")]) == 0
    assert any(str(fake) in line and "缺少" in line for line in capsys.readouterr().err.splitlines())
    data = next((tmp_path / "out").glob("*.pdf")).read_bytes()
    assert "FangSong" not in {name.split("+")[-1] for name in faces_of(data, "")}
