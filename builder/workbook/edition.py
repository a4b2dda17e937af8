"""An edition folder: its workbook, its prose, and `edition.toml` (title, author, version, date)."""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path

from builder.model.errors import InputError, Unreadable

DEFAULTS = {
    "title": "{{ 地区 }}{{ 年度 }}年度统计公开报告",
    "subject": "",
    "author": "",
    "version": "初稿",
    "date": "",
}


@dataclass(frozen=True)
class Edition:
    folder: Path | None  # None when a bare workbook was given
    workbook: Path
    title: str  # a template: may use 年度, 上年度, 下年度, 地区
    subject: str
    author: str
    version: str
    date: str

    @property
    def prose(self) -> Path | None:
        folder = self.folder / "prose" if self.folder else None
        return folder if folder and folder.is_dir() else None

    @property
    def templates(self) -> Path | None:
        """The edition's own part templates, which take the place of the builder's."""
        folder = self.folder / "templates" if self.folder else None
        return folder if folder and folder.is_dir() else None

    @property
    def issued(self) -> datetime.date:
        """The edition's date; `load_edition` has checked it reads as YYYY-MM-DD."""
        return datetime.date.fromisoformat(self.date)

    @property
    def font_dirs(self) -> tuple[Path, ...]:
        """The edition's own `fonts/` folder, searched before the system's fonts."""
        folder = self.folder / "fonts" if self.folder else None
        return (folder,) if folder and folder.is_dir() else ()

    @property
    def name(self) -> str:
        return (self.folder or self.workbook.parent).resolve().name


def load_edition(path: Path) -> Edition:
    """The edition at `path`: a folder with figures.xlsx (and edition.toml, prose/) or a workbook."""
    if not path.is_dir() or path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        return Edition(None, path, **DEFAULTS)  # a folder named like a workbook: the reader says what it is
    meta = dict(DEFAULTS)
    toml = path / "edition.toml"
    if toml.exists():
        try:
            data = tomllib.loads(toml.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise Unreadable([InputError(str(toml), f"无法读取：{exc}")]) from exc
        for key, value in data.items():
            if key not in DEFAULTS:
                raise Unreadable([InputError(str(toml), f"未知的设置“{key}”（可用：{'、'.join(DEFAULTS)}）")])
            if not isinstance(value, str):
                raise Unreadable([InputError(str(toml), f"“{key}”应为文字，实为 {value!r}")])
            if any(not ch.isprintable() for ch in value):
                raise Unreadable([InputError(str(toml), f"“{key}”含有控制字符或换行：请只写一行可见的文字")])
            meta[key] = value
    if meta["date"]:
        try:
            datetime.date.fromisoformat(meta["date"])
        except ValueError:
            raise Unreadable([InputError(str(toml), f"“date”应为 2021-01-20 这样的日期，实为“{meta['date']}”")]) from None
    return Edition(path, path / "figures.xlsx", **meta)
