"""Checks on a workbook file before openpyxl parses it: what is not safe or not sensible to open.

`inspect_package(path)` reads the file's first bytes and its zip directory (and, when cheap, the
XML parts) and refuses, with one line, what the reader should never hand to openpyxl:

- an encrypted workbook or an old `.xls` (an OLE compound file, magic D0 CF 11 E0 A1 B1 1A E1),
  or a zip whose members are encrypted;
- a file that is not a zip, or a truncated or damaged one (a bad directory, a CRC error in an
  XML part);
- a zip bomb: a member larger than `MAX_MEMBER_SIZE` uncompressed, all members together larger
  than `MAX_TOTAL_SIZE`, or a member over `RATIO_FLOOR` compressed more than `MAX_RATIO` to 1;
  decided from the zip directory alone. The sizes there are binding: Python's zipfile stops a
  member at its declared size and fails its CRC, so a member cannot inflate beyond what it claims;
- more than `MAX_MEMBERS` members (or a central directory too large to hold only that many),
  decided from the end-of-directory record before the directory itself is parsed;
- a package with no workbook part (a `.docx` renamed `.xlsx`, say);
- an XML part that declares a DTD (`<!DOCTYPE`, `<!ENTITY`): entity expansion and external
  entities. Excel never writes one; openpyxl would refuse it through defusedxml anyway, but with
  an unhelpful message.

Not refused: a `.xlsm` (its macros are never run, its figures may be read) and a sheet whose
`<dimension>` claims more rows or columns than the reader's limits (the reader stops at them).

Every refusal is `builder.workbook.reader.Unreadable([InputError(path.name, "…")])`: one line, no newline
inside it, whatever names the hostile file carries.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, NoReturn

from builder.model.errors import InputError, Unreadable

MiB = 1024 * 1024
MAX_MEMBER_SIZE = 64 * MiB  # uncompressed, one member: the 2020 sample's largest is 37 KB
MAX_TOTAL_SIZE = 256 * MiB  # uncompressed, all members together
MAX_RATIO = 200  # compression ratio allowed for a large member; XML of real sheets stays under ~30
RATIO_FLOOR = 1 * MiB  # small members may compress as well as they like
MAX_MEMBERS = 10_000
MAX_DIRECTORY_SIZE = 16 * MiB  # a central directory larger than this cannot be a sensible workbook's
SNIFF_SIZE = 4096  # a DTD sits in the prolog, before the root element
CRC_BUDGET = 32 * MiB  # XML parts are read whole (CRC checked, DTD looked for) only up to this in total

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a member first, or an empty archive
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"

WORKBOOK_PART = "xl/workbook.xml"
WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
OTHER_OFFICE = {"word/document.xml": "Word 文档", "ppt/presentation.xml": "PowerPoint 演示文稿"}
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

ENCRYPTED = "文件已加密（设了打开密码）或是旧版 .xls 格式：请在 Excel 或 WPS 中取消密码，另存为不加密的 .xlsx 再试"


def inspect_package(path: Path) -> None:
    """Return if `path` is a zip package fit to hand to openpyxl; else raise `Unreadable`, one line."""
    try:
        info = path.stat()
    except OSError as exc:
        _refuse(path, f"无法打开：{exc.strerror or type(exc).__name__}")
    if stat.S_ISDIR(info.st_mode):
        _refuse(path, "这是文件夹，应为 .xlsx 工作簿")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the open, a device never ends
        _refuse(path, "不是普通文件（可能是设备、管道或套接字）：应为 .xlsx 工作簿")
    try:
        with path.open("rb") as handle:
            _inspect(path, handle, info.st_size)
    except OSError as exc:
        _refuse(path, f"无法读取：{exc.strerror or type(exc).__name__}")


def _inspect(path: Path, handle: IO[bytes], size: int) -> None:
    head = handle.read(8)
    if not head:
        _refuse(path, "文件是空的（0 字节）：应为 .xlsx 工作簿")
    if head.startswith(OLE_MAGIC):
        _refuse(path, ENCRYPTED)
    if not head.startswith(ZIP_MAGICS):
        _refuse(path, "不是 .xlsx 工作簿：文件内容不是 zip 压缩包（.xlsx 实为 zip 包）")
    _check_directory_size(path, handle, size)
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error, NotImplementedError) as exc:
        _refuse(path, f"文件不完整或已损坏（{_one_line(str(exc)) or type(exc).__name__}）：请重新保存或重新下载")
    with archive:
        members = archive.infolist()
        _check_members(path, members)
        names = {m.filename for m in members}
        _check_parts(path, archive, members)
        _check_workbook_part(path, archive, names)


def _check_directory_size(path: Path, handle: IO[bytes], size: int) -> None:
    """Refuse a huge directory from its end record, before zipfile builds an object per member."""
    tail_size = min(size, _EOCD_SIZE + 0xFFFF)  # the record, then a comment of at most 64 KiB
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or at + _EOCD_SIZE > len(tail):
        return  # zipfile says what is wrong
    (_sig, _disk, _cd_disk, _here, count, cd_size, _cd_offset, _comment) = struct.unpack(
        "<4s4H2LH", tail[at : at + _EOCD_SIZE]
    )
    if count == 0xFFFF or cd_size == 0xFFFFFFFF:
        count, cd_size = _zip64_counts(handle, size - tail_size + at, count, cd_size)
    if count > MAX_MEMBERS:
        _refuse(path, _too_many(count))
    if cd_size > MAX_DIRECTORY_SIZE:
        _refuse(
            path, f"工作簿的目录有 {cd_size // MiB} MiB，超过上限 {MAX_DIRECTORY_SIZE // MiB} MiB：文件异常，拒绝读取"
        )


def _zip64_counts(handle: IO[bytes], eocd_at: int, count: int, cd_size: int) -> tuple[int, int]:
    """The member count and directory size of a zip64 archive, from its locator and end record."""
    if eocd_at < 20:
        return count, cd_size
    handle.seek(eocd_at - 20)
    locator = handle.read(20)
    if len(locator) != 20 or not locator.startswith(_ZIP64_LOCATOR):
        return count, cd_size
    (record_at,) = struct.unpack("<Q", locator[8:16])
    handle.seek(record_at)
    record = handle.read(56)
    if len(record) != 56 or not record.startswith(_ZIP64_EOCD):
        return count, cd_size
    total, directory = struct.unpack("<QQ", record[32:48])
    return int(total), int(directory)


def _check_members(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        _refuse(path, _too_many(len(members)))
    total = 0
    for member in members:
        name = _shown(member.filename)
        if member.flag_bits & 0x1:
            _refuse(path, f"工作簿部件“{name}”已加密：" + ENCRYPTED.split("：", 1)[1])
        if member.file_size > MAX_MEMBER_SIZE:
            _refuse(
                path,
                f"工作簿部件“{name}”解压后有 {_mib(member.file_size)}，超过上限 {_mib(MAX_MEMBER_SIZE)}：疑为压缩炸弹，拒绝读取",
            )
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            ratio = member.file_size // max(member.compress_size, 1)
            _refuse(path, f"工作簿部件“{name}”的压缩比 {ratio}:1 异常（上限 {MAX_RATIO}:1）：疑为压缩炸弹，拒绝读取")
        total += member.file_size
        if total > MAX_TOTAL_SIZE:
            _refuse(path, f"工作簿解压后超过 {_mib(MAX_TOTAL_SIZE)}（上限）：疑为压缩炸弹，拒绝读取")


def _check_workbook_part(path: Path, archive: zipfile.ZipFile, names: set[str]) -> None:
    """There is a workbook part: `xl/workbook.xml`, or another part the content types name as one."""
    if WORKBOOK_PART in names or _declared_workbook(archive, names):
        return
    for part, kind in OTHER_OFFICE.items():
        if part in names:
            _refuse(path, f"不是 Excel 工作簿：这是{kind}改了扩展名（压缩包中没有 {WORKBOOK_PART}）")
    _refuse(path, f"不是 Excel 工作簿：压缩包中没有 {WORKBOOK_PART}")


def _declared_workbook(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """Whether [Content_Types].xml names an existing part as the workbook (as openpyxl looks for it)."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return False
    if info.file_size > MiB:
        return False
    try:
        text = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False
    for override in re.finditer(r"<(?:\w+:)?Override\b([^>]*)>", text):
        attributes = dict(re.findall(r'(\w+)\s*=\s*["\']([^"\']*)["\']', override.group(1)))
        if attributes.get("ContentType") in WORKBOOK_TYPES and attributes.get("PartName", "").lstrip("/") in names:
            return True
    return False


def _check_parts(path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """No XML part declares a DTD; when the XML is small enough to read whole, its CRCs hold too."""
    xml = [m for m in members if _is_xml(m.filename) and not m.is_dir()]
    whole = sum(m.file_size for m in xml) <= CRC_BUDGET
    for member in xml:
        try:
            with archive.open(member) as source:
                found = _scan(source, whole)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
        ) as exc:  # a CRC that does not hold, data that does not inflate
            detail = _one_line(str(exc)) or type(exc).__name__
            _refuse(path, f"工作簿部件“{_shown(member.filename)}”已损坏（{detail}）：请重新保存或重新下载")
        except (OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            _refuse(path, f"工作簿部件“{_shown(member.filename)}”无法解压（{type(exc).__name__}）：文件损坏或格式不符")
        if found:
            _refuse(
                path,
                f"工作簿部件“{_shown(member.filename)}”含有 DTD 声明（{found}）：Excel 不会写出这种内容，"
                "可能是恶意文件（XML 实体扩展），拒绝读取",
            )


def _is_xml(name: str) -> bool:
    lower = name.lower()
    return lower.endswith((".xml", ".rels"))


def _scan(source: IO[bytes], whole: bool) -> str | None:
    """“<!DOCTYPE” or “<!ENTITY” if the part declares a DTD; reads it to the end (so the CRC is checked) if `whole`."""
    head = source.read(SNIFF_SIZE)
    decode = _utf16_decoder(head)
    carry = b""
    chunk = head
    while chunk:
        window = carry + (chunk if decode is None else decode(chunk).encode("utf-8", "replace"))
        found = _DTD.search(window)
        if found:
            return "<!" + found.group(1).decode("ascii").upper()
        carry = window[-16:]
        if not whole:
            return None
        chunk = source.read(MiB)
    return None


def _utf16_decoder(head: bytes) -> Callable[[bytes], str] | None:
    """A decoder when the part starts like UTF-16 (which expat reads); None for UTF-8 and its kin, searched as bytes."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif head.startswith(b"<\x00"):
        encoding = "utf-16-le"
    elif head.startswith(b"\x00<"):
        encoding = "utf-16-be"
    else:
        return None
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    return lambda data: decoder.decode(data)


def _too_many(count: int) -> str:
    return f"工作簿包含 {count} 个部件，超过上限 {MAX_MEMBERS}：文件异常，拒绝读取"


def _mib(size: int) -> str:
    return f"{size / MiB:.0f} MiB" if size >= MiB else f"{size} 字节"


def _shown(name: str) -> str:
    """A member's name as it may be shown in one line: no control characters, at most 80 characters."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in name)
    return cleaned if len(cleaned) <= 80 else cleaned[:77] + "…"


def _one_line(text: str) -> str:
    return " ".join(_shown(text).split())[:160]


def _refuse(path: Path, message: str) -> NoReturn:
    raise Unreadable([InputError(_shown(path.name) or _shown(os.fspath(path)), message)])
