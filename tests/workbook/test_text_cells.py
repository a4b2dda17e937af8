"""Characters no report can carry, in every kind of text a workbook and an edition.toml hold.

Names (row keys, the region, the zones) are refused, one line naming the cell: a name changed
unseen could match another row or print other than the cell shows. Free text (a unit, a note, a
stated value) has its control characters dropped and is refused with a private-use or
non-character. What XML itself forbids (C0 controls, U+FFFE, U+FFFF, surrogates) cannot be read
from a sheet at all: refused as unparsable, naming the sheet. Settings of edition.toml are one line
of visible text: any of these refused, naming the setting and the character.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import small_data, write_workbook
from unfit_text import UNFIT_IN_XML

from builder.command.cli import main
from builder.model.errors import Unreadable
from builder.workbook.edition import load_edition
from builder.workbook.load import load

# What a sheet's XML may hold and the reader must judge: DEL, C1 controls, private use (the
# composer's markers among them), non-characters XML allows.
CONTROLS = {"DEL": "\x7f", "C1": "\x80", "CSI": "\x9b", "APC": "\x9f"}
UNFIT = UNFIT_IN_XML
BIDI = {"RLO": "\u202e", "LRE": "\u202a", "LRI": "\u2066", "PDI": "\u2069"}  # they reorder what follows
EVERY = CONTROLS | UNFIT | BIDI


def _with(data: dict[str, list[dict[str, Any]]], ch: str) -> dict[str, list[dict[str, Any]]]:
    """`ch` in a street's name (a row key), the region, a zone, a unit, a note and a stated value."""
    data["街乡镇"][0]["街乡镇"] = f"东华{ch}门街道"
    data["基本信息"][1]["内容"] = f"测试{ch}市"
    data["各区"][2]["功能区"] = f"生态{ch}涵养区"
    data["指标"][0]["单位"] = f"件{ch}"
    data["指标"][0]["说明"] = f"电话{ch}回访"
    data["公布值"] = [{"指标": "总量.受理总量", "公布值": f"19.7{ch}万", "出处": f"原文{ch}"}]
    return data


def _refusals(path: Path) -> dict[str, str]:
    with pytest.raises(Unreadable) as caught:
        load(path)
    return {e.where: e.message for e in caught.value.errors}


@pytest.mark.parametrize("ch", list(EVERY.values()), ids=list(EVERY))
def test_names_with_such_a_character_are_refused_naming_the_cell(tmp_path: Path, ch: str) -> None:
    refused = _refusals(write_workbook(tmp_path, _with(small_data(), ch)))
    code = f"U+{ord(ch):04X}"
    names = {"街乡镇!B3": "街乡镇", "基本信息!B4": "内容", "各区!B5": "功能区"}
    for where, header in names.items():
        assert where in refused, refused
        assert (
            f"“{header}”第3个字符是" in refused[where] and code in refused[where] and "名称中不能有" in refused[where]
        )
    for message in refused.values():
        assert ch not in message  # quoted by its code, never printed


@pytest.mark.parametrize("ch", list(CONTROLS.values()), ids=list(CONTROLS))
def test_control_characters_are_dropped_from_free_text(tmp_path: Path, ch: str) -> None:
    data = _with(small_data(), ch)
    data["街乡镇"][0]["街乡镇"] = "东华门街道"
    data["基本信息"][1]["内容"] = "测试市"
    data["各区"][2]["功能区"] = "生态涵养区"
    figures = load(write_workbook(tmp_path, data))
    indicator = figures.indicators["回访量"]
    assert (indicator.unit, indicator.note) == ("件", "电话回访")
    assert [(s.text, s.source) for s in figures.stated] == [("19.7万", "原文")]


@pytest.mark.parametrize("ch", list((UNFIT | BIDI).values()), ids=list(UNFIT | BIDI))
def test_private_use_and_non_characters_in_free_text_are_refused(tmp_path: Path, ch: str) -> None:
    data = _with(small_data(), ch)
    data["街乡镇"][0]["街乡镇"] = "东华门街道"
    data["基本信息"][1]["内容"] = "测试市"
    data["各区"][2]["功能区"] = "生态涵养区"
    refused = _refusals(write_workbook(tmp_path, data))
    assert set(refused) == {"指标!D3", "指标!E3", "公布值!B3", "公布值!C3"}, refused
    assert all(f"U+{ord(ch):04X}" in message for message in refused.values())


XML_FORBIDDEN = {
    "NUL": b"\x00",
    "SOH": b"\x01",
    "BS": b"\x08",
    "ESC": b"\x1b",
    "reference-to-SOH": b"&#1;",
    "reference-to-ESC": b"&#x1B;",
    "FFFE": "\ufffe".encode(),
    "FFFF": "\uffff".encode(),
    "reference-to-FFFE": b"&#xFFFE;",
    "surrogate": b"\xed\xa0\x80",
}


@pytest.mark.parametrize("raw", list(XML_FORBIDDEN.values()), ids=list(XML_FORBIDDEN))
def test_a_sheet_holding_what_xml_forbids_is_refused_naming_the_sheet(
    tmp_path: Path, raw: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """openpyxl cannot write these; another tool can, and the sheet's XML then does not parse."""
    data = small_data()
    data["街乡镇"][0]["街乡镇"] = "PLACEHOLDER"
    clean = write_workbook(tmp_path, data, "clean.xlsx")
    path = tmp_path / "figures.xlsx"
    with zipfile.ZipFile(clean) as source, zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item).replace(b"PLACEHOLDER", b"X" + raw + b"Y"))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("街乡镇: 工作表内容无法解析"), err


# ---------------------------------------------------------------- edition.toml

SETTING_ESCAPES = {
    "NUL": "\\u0000",
    "SOH": "\\u0001",
    "BS": "\\b",
    "ESC": "\\u001b",
    "DEL": "\\u007f",
    "CSI": "\\u009b",
    "newline": "\\n",
    "marker-figure": "\\ue000",
    "marker-block-end": "\\ue003",
    "private-use-plane-16": "\\U0010fffd",
    "non-character-fffe": "\\ufffe",
    "non-character-fdd0": "\\ufdd0",
    "non-character-1ffff": "\\U0001ffff",
}


def _edition(tmp_path: Path, toml: bytes) -> Path:
    folder = tmp_path / "edition"
    folder.mkdir()
    (folder / "edition.toml").write_bytes(toml)
    return folder


@pytest.mark.parametrize("setting", ["title", "subject", "author", "version"])
@pytest.mark.parametrize("escape", list(SETTING_ESCAPES.values()), ids=list(SETTING_ESCAPES))
def test_settings_with_such_a_character_are_refused(tmp_path: Path, setting: str, escape: str) -> None:
    folder = _edition(tmp_path, f'{setting} = "前{escape}后"\n'.encode())
    with pytest.raises(Unreadable) as caught:
        load_edition(folder)
    (error,) = caught.value.errors
    assert error.where == str(folder / "edition.toml")
    assert error.message.startswith(f"“{setting}”含有") and "\n" not in str(error)


@pytest.mark.parametrize(
    ("toml", "word"),
    [
        (b'author = "a\x01b"\n', "无法读取"),  # TOML refuses a raw control character itself
        (b'author = "\\ud800"\n', "无法读取"),  # and a surrogate
        (b'"a\\nb\\u001b[2J" = "x"\n', "未知的设置"),
        (b"title = " + b"[" * 5000 + b"]" * 5000 + b"\n", "嵌套过深"),
        (b'author = "\xff"\n', "不是 UTF-8"),
        (b'author = "' + b"x" * (1024 * 1024) + b'"\n', "文件过大"),
    ],
    ids=["raw-control", "surrogate", "key-with-escapes", "nested-arrays", "not-utf-8", "over-1-MiB"],
)
def test_a_broken_edition_toml_is_one_line(
    tmp_path: Path, toml: bytes, word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _edition(tmp_path, toml)
    write_workbook(folder, small_data())
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(str(folder / "edition.toml")) and word in err[0], err
    assert "\x1b" not in err[0]


def test_a_byte_order_mark_and_a_settings_link_inside_the_edition_are_accepted(tmp_path: Path) -> None:
    folder = tmp_path / "edition"
    (folder / "shared").mkdir(parents=True)
    (folder / "shared" / "settings.toml").write_bytes('\ufeffauthor = "编者"\n'.encode())
    (folder / "edition.toml").symlink_to("shared/settings.toml")
    assert load_edition(folder).author == "编者"
