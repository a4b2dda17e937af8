"""An edition: where its workbook, prose, templates and fonts are, and the settings of its `edition.toml`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

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
