"""Put a report's blocks together: headings numbered by level, the subtitle under the title, parts on pages of their own."""

from __future__ import annotations

from dataclasses import replace

from builder.document import Block, Heading, PageBreak
from builder.model import numbers
from builder.model.edition import Edition


def subtitle_of(edition: Edition) -> str:
    """The version and date under the title: （修订稿2　2021年1月20日）."""
    words = [edition.version]
    if edition.date:
        words.append(numbers.format_date_zh(edition.issued))
    shown = "　".join(w for w in words if w)
    return f"（{shown}）" if shown else ""


def number_headings(blocks: list[Block]) -> list[Block]:
    """Number headings by level: 一、 （一） 1. （1）; a heading restarts the counts below it."""
    counts = [0, 0, 0, 0]
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading) and not block.number:
            counts[block.level - 1] += 1
            for lower in range(block.level, 4):
                counts[lower] = 0
            block = replace(block, number=numbers.heading_number(block.level, counts[block.level - 1]))
        out.append(block)
    return out


def parts_on_new_pages(blocks: list[Block]) -> list[Block]:
    """A page break before each part (level-1 heading) that does not begin the report or follow one:
    where pages break is the report's to say, the writers follow it."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1 and out and not isinstance(out[-1], PageBreak):
            out.append(PageBreak())
        out.append(block)
    return out
