"""Take an edition folder (or a bare workbook), produce its `Edition`: the workbook's path and the settings of `edition.toml`."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

from builder.model.edition import DEFAULTS, Edition
from builder.model.errors import InputError, Unreadable


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
