"""Take the composed document and the fonts its roles resolved to, produce a finding for each
character no face can draw, naming the cell it came from.

A role draws a character with its own face, then the faces behind it (`ResolvedFont.chain`); what
none of them has would print as `fallback.MARK` in a draft, so it is a finding: a final build refuses
it. The cell is the figure's source, else the workbook cell whose name or text holds the character,
else the place in the report (a template's or the prose's own words).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from builder.document import Chart, Document, Figure, Heading, Inline, Paragraph, Table, Title
from builder.document.walk import places
from builder.model.figures import Figures
from builder.model.findings import Finding, FindingKind
from builder.style import Style, cmap
from builder.style.fonts import FontError, ResolvedFont, resolve

Run = tuple[str, str, tuple[str, ...], str]  # role, text, its figure's source cells, its place in the report


def _runs(runs: Sequence[Inline], role: str, where: str) -> Iterator[Run]:
    for run in runs:
        yield role, run.text, run.sources if isinstance(run, Figure) else (), where


def _table(block: Table, part: str) -> Iterator[Run]:
    yield "caption", block.caption, (), f"{part} › 表{block.number}标题"
    for r, row in enumerate((*block.header, *block.rows), start=1):
        for c, cell in enumerate(row, start=1):
            yield from _runs(cell.runs, "table", f"{part} › 表{block.number}第{r}行第{c}列")
    yield "table", block.note, (), f"{part} › 表{block.number}注"


def _chart(block: Chart, part: str) -> Iterator[Run]:
    where = f"{part} › 图{block.number}"
    yield "caption", block.caption, (), f"{where}标题"
    for category in block.categories:
        yield "chart", category, (), where
    for series in block.series:
        yield "chart", series.name, (), where
        yield from _runs(series.points, "chart", where)


def texts(document: Document) -> Iterator[Run]:
    """Every text the PDF draws, with the role whose font draws it."""
    for place in places(document):
        block, part = place.block, place.part or "标题"
        if isinstance(block, Title):
            yield "title", block.text, (), "edition.toml"
            yield "subtitle", block.subtitle, (), "edition.toml"
        elif isinstance(block, Heading):
            yield f"heading{block.level}", block.number + block.text, (), f"{part} › {block.number}{block.text}"
        elif isinstance(block, Paragraph):
            yield from _runs(block.runs, "body", f"{part} › 第{place.paragraph}段")
        elif isinstance(block, Table):
            yield from _table(block, part)
        elif isinstance(block, Chart):
            yield from _chart(block, part)


def drawable(font: ResolvedFont) -> list[cmap.Coverage]:
    """The characters of the role's face and of each face behind it."""
    return [cmap.characters(path, index) for path, index in [(font.path, font.subfont), *font.chain]]


def cells_holding(figures: Figures | None, char: str) -> list[str]:
    """The workbook cells whose row key or text holds the character, in sheet order."""
    if figures is None:
        return []
    out: list[str] = []
    for table in figures.tables.values():
        for row in table.rows:
            texts = {**dict(zip(table.key, row.key, strict=False)), **row.texts}
            out += [
                f"{table.name}!{table.ref(header, row.number)}"
                for header, text in texts.items()
                if char in text and header in table.columns
            ]
    return list(dict.fromkeys(out))


def glyph_findings(
    document: Document, figures: Figures | None, style: Style, font_dirs: Sequence[Path] = ()
) -> list[Finding]:
    """A finding per character and place that no face of its role can draw; [] when no font is found
    at all (the PDF writer says so itself)."""
    try:
        resolved = resolve(style, font_dirs)
    except FontError:
        return []
    return _missing(document, figures, resolved)


def _missing(document: Document, figures: Figures | None, resolved: Mapping[str, ResolvedFont]) -> list[Finding]:
    faces: dict[str, list[cmap.Coverage]] = {}
    lacks: dict[tuple[str, str], bool] = {}  # (role, character) -> whether no face of the role has it
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for role, text, sources, where in texts(document):
        if role not in resolved or not text:
            continue
        if role not in faces:
            faces[role] = drawable(resolved[role])
        for char in set(text):
            if (role, char) not in lacks:
                lacks[role, char] = not char.isspace() and all(ord(char) not in face for face in faces[role])
        for char in dict.fromkeys(ch for ch in text if lacks[role, ch]):
            cells = list(sources) or cells_holding(figures, char) or [where]
            place = "、".join(cells)
            if (place, char) in seen:
                continue
            seen.add((place, char))
            message = f"“{char}”（U+{ord(char):04X}）没有字体能印出（{where}），草稿中印作〓"
            out.append(Finding(place, message, FindingKind.GLYPH))
    return out
