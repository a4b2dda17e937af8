"""Take a composed document and the findings so far, produce what else a final report must not print:
each 【待补】 the tree holds that no finding explains yet (a name or ranking the data does not give),
and each sentence with a hole (punctuation where a figure or a name should be).

A draft prints these and lists them; `--final` refuses them, so a final report that says nothing is
missing has nothing missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from builder.document import MISSING_TEXT, Document, Paragraph, Title
from builder.document.walk import placed_figures, places
from builder.model.findings import Finding, FindingKind

# A figure or name that printed nothing leaves its neighbours touching: “为，” “是。” “，，” “（）”.
HOLE = re.compile(r"[，、；：（]\s*[，。、；：）]|(?:为|是|达到|共承办|占比|分别是|主要有)[，。；、]")


def audit(document: Document, findings: Iterable[Finding]) -> list[Finding]:
    """The findings of the printed tree, in reading order, besides those already in `findings`."""
    explained = {f.where for f in findings}
    return [*_unexplained_gaps(document, explained), *_holes(document)]


def _unexplained_gaps(document: Document, explained: set[str]) -> Iterator[Finding]:
    seen: set[str] = set()
    for placed in placed_figures(document):
        figure = placed.figure
        if not figure.missing or any(source in explained for source in figure.sources) or figure.id in seen:
            continue
        seen.add(figure.id)
        place = f"{placed.part} › {placed.where}"
        if figure.sources:
            yield Finding("、".join(figure.sources), f"{place}印作{MISSING_TEXT}：数据中没有“{figure.id}”", FindingKind.PRINTED)
        else:
            yield Finding(place, f"印作{MISSING_TEXT}：“{figure.id}”无从计算（所据数据为空）", FindingKind.PRINTED)


def _holes(document: Document) -> Iterator[Finding]:
    for place in places(document):
        block = place.block
        if isinstance(block, Title) and MISSING_TEXT in block.text:
            yield Finding("edition.toml", f"标题印作“{block.text}”：标题中的数字尚缺", FindingKind.PRINTED)
        elif isinstance(block, Paragraph) and (hole := HOLE.search(block.text)):
            context = block.text[max(0, hole.start() - 12) : hole.end() + 4]
            yield Finding(f"{place.part} › 第{place.paragraph}段", f"语句缺字：“…{context}…”", FindingKind.PRINTED)
