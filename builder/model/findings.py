"""Findings: what the checks of an edition found, one line each, `where: what is wrong`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FindingKind(Enum):
    """What sort of problem a finding is; the summary counts findings by it."""

    MISSING = "缺数"
    SUM = "不符"
    STATED = "公布值"
    ORDER = "排序"
    PRINTED = "待补"  # the composed report prints 【待补】 or a sentence with a hole
    GLYPH = "缺字形"  # a character no font can draw
    OTHER = "其他"


@dataclass(frozen=True)
class Finding:
    """One problem found in an edition, at a cell (`总量!B3`) or a file: `where: message`."""

    where: str
    message: str
    kind: FindingKind

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
