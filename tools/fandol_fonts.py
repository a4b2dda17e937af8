"""Convert the Fandol fonts' CFF outlines to TrueType (quadratic `glyf`) outlines, once, at set-up.

ReportLab embeds TrueType outlines only, and Fandol (texlive-lang-chinese) ships OpenType/CFF.
    python tools/fandol_fonts.py SOURCE_DIR TARGET_DIR
    python tools/fandol_fonts.py --check TARGET_DIR     exit 0 when every face is there already
SOURCE_DIR holds the `.otf` files; each face the builder uses becomes TARGET_DIR/<name>.ttf. A face
already converted is left alone, so a second run converts nothing; a conversion is written to a
temporary file and renamed, so an interrupted run leaves no half font.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

FACES = ("FandolFang-Regular", "FandolSong-Regular", "FandolSong-Bold", "FandolHei-Regular", "FandolKai-Regular")
MAX_ERROR = 1.0  # font units (of 1000 an em): how far a quadratic curve may stray from the cubic one


def convert(source: Path, target: Path) -> None:
    """One CFF-outline font as a TrueType-outline font (about 11 s for a 10 000-glyph CJK face)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(str(source), recalcTimestamp=False)  # the source's dates: the same bytes on every machine
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = glyphs
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = font.getGlyphOrder()
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        font.save(str(partial))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def converted(target: Path) -> bool:
    return target.is_file() and target.stat().st_size > 0


def pending(source_dir: Path, target_dir: Path) -> list[tuple[Path, Path]]:
    """The (source, target) pairs not converted yet; SystemExit when a source is missing."""
    pairs = []
    for face in FACES:
        source, target = source_dir / f"{face}.otf", target_dir / f"{face}.ttf"
        if converted(target):
            continue
        if not source.is_file():
            raise SystemExit(f"fandol_fonts: {source} is missing")
        pairs.append((source, target))
    return pairs


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        return 0 if all(converted(Path(argv[1]) / f"{face}.ttf") for face in FACES) else 1
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source_dir, target_dir = Path(argv[0]), Path(argv[1])
    target_dir.mkdir(parents=True, exist_ok=True)
    pairs = pending(source_dir, target_dir)
    if not pairs:
        return 0
    print(f"fandol_fonts: converting {len(pairs)} faces to TrueType outlines into {target_dir}", file=sys.stderr)
    with ProcessPoolExecutor(max_workers=min(len(pairs), os.cpu_count() or 1)) as pool:
        for future in [pool.submit(convert, s, t) for s, t in pairs]:
            future.result()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
