"""Hostile workbook files, made for the tests: `HOSTILE` names each with its maker and the words its refusal holds.

Each file is built from the 2020 sample (or from nothing): an encrypted (OLE) file, truncated
and damaged zips, real zip bombs (300 MiB of zeros in ~300 KiB), a DTD with entities in a sheet,
20 000 tiny members, a `.docx` renamed `.xlsx`. `workbook/test_package.py` has the guard refuse
each; `end_to_end/test_robustness.py` runs every one of them through a whole build.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "inputs" / "2020" / "figures.xlsx"
MiB = 1024 * 1024
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

Make = Callable[[Path], None]  # writes the hostile file at the given path


# ---------------------------------------------------------------------------------------------
# building hostile files


def sample_parts() -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(SAMPLE) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rewrite_sample(
    path: Path, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> None:
    """The sample's parts, each passed through `change` (None drops it), plus `extra` parts."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in sample_parts():
            changed = change(info.filename, data)
            if changed is not None:
                out.writestr(info.filename, changed)
        for name, data in (extra or {}).items():
            out.writestr(name, data)


def ole_encrypted(path: Path) -> None:
    """What Excel writes for a workbook with an open password: an OLE compound file (as is an old .xls)."""
    header = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    path.write_bytes(header + bytes(512 - len(header)) + b"EncryptedPackage".ljust(512, b"\x00"))


def truncated(path: Path) -> None:
    whole = SAMPLE.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def truncated_end(path: Path) -> None:
    """Cut into the end-of-directory record: the directory cannot be found."""
    path.write_bytes(SAMPLE.read_bytes()[:-10])


def corrupt_member(path: Path) -> None:
    """A byte flipped inside a sheet's compressed data: the directory is fine, the data is not."""
    data = bytearray(SAMPLE.read_bytes())
    with zipfile.ZipFile(SAMPLE) as archive:
        info = archive.getinfo("xl/worksheets/sheet20.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 100, start + info.compress_size - 100, 97):
        data[offset] ^= 0x55
    path.write_bytes(bytes(data))


def zeros_member(archive: zipfile.ZipFile, name: str, size: int, head: bytes = b"", tail: bytes = b"") -> None:
    """A member of `size` bytes, mostly zeros, written in chunks so the test never holds it whole."""
    with archive.open(name, "w", force_zip64=True) as member:
        member.write(head)
        left = size - len(head) - len(tail)
        chunk = bytes(MiB)
        while left > 0:
            member.write(chunk[: min(left, MiB)])
            left -= MiB
        member.write(tail)


def zip_bomb(path: Path) -> None:
    """The sample plus a member of 300 MiB of zeros, ~300 KiB compressed at zlib level 9."""
    shutil.copyfile(SAMPLE, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        zeros_member(archive, "xl/media/image1.bin", 300 * MiB)


def sheet_bomb(path: Path) -> None:
    """A sheet padded with 300 MiB of spaces: openpyxl would read it all (and hold it as one string)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info, data in sample_parts():
            if info.filename == "xl/worksheets/sheet2.xml":
                at = data.index(b"<sheetData>") + len(b"<sheetData>")
                with out.open(info.filename, "w", force_zip64=True) as member:
                    member.write(data[:at])
                    chunk = b" " * MiB
                    for _ in range(300):
                        member.write(chunk)
                    member.write(data[at:])
            else:
                out.writestr(info, data)


def ratio_bomb(path: Path) -> None:
    """A member under the size limit (40 MiB) but compressed ~1000:1."""
    shutil.copyfile(SAMPLE, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        zeros_member(archive, "xl/media/image1.bin", 40 * MiB)


def total_bomb(path: Path) -> None:
    """300 members of 1 MiB each: none large enough for the ratio rule, 300 MiB together."""
    shutil.copyfile(SAMPLE, path)
    chunk = bytes(MiB)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for index in range(300):
            archive.writestr(f"xl/media/image{index}.bin", chunk)


LOLZ = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


def with_doctype(part: str, doctype: str = LOLZ, encoding: str = "utf-8") -> Make:
    """The sample with `doctype` after the XML declaration of `part` (a cell of 基本信息 uses &lol4;)."""

    def make(path: Path) -> None:
        def change(name: str, data: bytes) -> bytes:
            if name != part:
                return data
            text = data.decode("utf-8")
            declaration = text.index("?>") + 2 if text.startswith("<?xml") else 0
            text = text[:declaration] + doctype + text[declaration:]
            text = text.replace("<v>2020</v>", "<v>&lol4;</v>", 1) if "&lol4;" not in text else text
            if encoding != "utf-8":
                text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"', 1)
                return text.encode(encoding)
            return text.encode("utf-8")

        rewrite_sample(path, change)

    return make


def shared_strings_with_doctype(path: Path) -> None:
    strings = (
        f'<?xml version="1.0"?>{LOLZ}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol4;</t></si></sst>'
    )
    rewrite_sample(path, lambda _name, data: data, {"xl/sharedStrings.xml": strings.encode()})


def many_members(path: Path) -> None:
    """The sample plus 20 000 empty members."""
    shutil.copyfile(SAMPLE, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_STORED) as archive:
        for index in range(20_000):
            archive.writestr(f"xl/junk/{index}.txt", b"")


def docx_renamed(path: Path) -> None:
    """A Word document (the parts that make one) saved under a workbook's name."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document '
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
        "受理总量 1103.9万件</w:t></w:r></w:p></w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", document)


def zip_without_workbook(path: Path) -> None:
    """The sample without its workbook part."""
    rewrite_sample(path, lambda name, data: None if name == "xl/workbook.xml" else data)


def encrypted_member(path: Path) -> None:
    """The sample with the encryption flag (traditional PKWARE encryption) set on every member."""
    shutil.copyfile(SAMPLE, path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    for info in members:  # the local headers: flags at 6
        data[info.header_offset + 6] |= 0x1
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # the central directory's entries: flags at 8
        data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))


def random_bytes(path: Path) -> None:
    path.write_bytes(bytes((i * 73 + 41) % 256 for i in range(4096)))


def empty_file(path: Path) -> None:
    path.write_bytes(b"")


# name -> (how to make it, words the guard's one line must hold)
HOSTILE: dict[str, tuple[Make, tuple[str, ...]]] = {
    "ole-encrypted": (ole_encrypted, ("加密", ".xls", "另存为", ".xlsx")),
    "truncated-half": (truncated, ("不完整或已损坏",)),
    "truncated-end-record": (truncated_end, ("不完整或已损坏",)),
    "corrupt-member-data": (corrupt_member, ("损坏",)),
    "zip-bomb-300MiB-member": (zip_bomb, ("压缩炸弹", "300 MiB", "64 MiB", "image1.bin")),
    "zip-bomb-in-sheet": (sheet_bomb, ("压缩炸弹", "sheet2.xml")),
    "zip-bomb-ratio": (ratio_bomb, ("压缩比", "压缩炸弹")),
    "zip-bomb-total": (total_bomb, ("压缩炸弹", "256 MiB")),
    "doctype-entities-in-sheet": (with_doctype("xl/worksheets/sheet2.xml"), ("DTD", "DOCTYPE", "sheet2.xml")),
    "doctype-in-workbook-xml": (with_doctype("xl/workbook.xml"), ("DTD", "workbook.xml")),
    "doctype-in-shared-strings": (shared_strings_with_doctype, ("DTD", "sharedStrings.xml")),
    "external-entity-in-sheet": (
        with_doctype("xl/worksheets/sheet3.xml", '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
        ("DTD", "sheet3.xml"),
    ),
    "doctype-in-utf16-sheet": (with_doctype("xl/worksheets/sheet2.xml", encoding="utf-16"), ("DTD", "sheet2.xml")),
    "20000-members": (many_members, ("部件", "超过上限 10000")),
    "docx-renamed-xlsx": (docx_renamed, ("不是 Excel 工作簿", "Word", "xl/workbook.xml")),
    "zip-without-workbook-part": (zip_without_workbook, ("不是 Excel 工作簿", "xl/workbook.xml")),
    "encrypted-members": (encrypted_member, ("加密",)),
    "random-bytes": (random_bytes, ("不是 .xlsx 工作簿", "zip")),
    "empty-file": (empty_file, ("空的",)),
}


