"""Take an edition folder, produce the report's files: the stages in order, each announced.

Step 1 reads and checks the workbook, step 2 composes the document tree, step 3 writes each
format. Every output is written whole to a temporary file and moved into place at the end,
so a failed build leaves earlier outputs as they were.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from builder.check import Finding, check
from builder.compose import compose
from builder.derived import derive
from builder.document import Document
from builder.edition import Edition, load_edition
from builder.figures import load
from builder.files import atomic_write
from builder.fonts import fallback_warnings, register
from builder.style import Style, load_style
from builder.writers import docx, pdf

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Built:
    document: Document
    findings: list[Finding]
    outputs: list[Path]


def stderr_progress(text: str) -> None:
    print(text, file=sys.stderr)


def safe_name(name: str) -> str:
    """A file or folder name with no separators, dot-dot or control characters."""
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\:*?"<>|').strip(". ")
    return cleaned[:120] or "report"


def prepare(edition_path: Path, *, final: bool = False) -> tuple[Edition, Document, list[Finding]]:
    """Read, check and compose an edition."""
    edition = load_edition(edition_path)
    figures = load(edition.workbook)
    ledger = derive(figures)
    findings = check(figures, ledger, edition.prose)
    document = compose(figures, ledger, edition)
    if final:
        document = replace(document, meta=replace(document.meta, final=True))
    return edition, document, findings


def render_all(
    document: Document, style: Style, formats: tuple[str, ...], edition: Edition, progress: Progress
) -> dict[str, bytes]:
    """Every format's bytes by file name; the DOCX contents take their page numbers from the PDF."""
    stem = safe_name(document.meta.title)
    out: dict[str, bytes] = {}
    toc_pages: dict[int, int] = {}
    if "pdf" in formats:
        fonts = register(style, edition.font_dirs)
        substitutes = fallback_warnings(fonts)
        if substitutes:
            progress(f"注意：{len(substitutes)} 个字体角色的首选字体不可用，已改用替代字体（builder fonts 可看详情）")
        rendered = pdf.render(document, style, font_dirs=edition.font_dirs)
        out[f"{stem}.pdf"] = rendered.data
        toc_pages = rendered.heading_pages
    if "docx" in formats:
        out[f"{stem}.docx"] = docx.write(document, style, toc_pages=toc_pages)
    return out


def build(
    edition_path: Path,
    out_dir: Path | None = None,
    *,
    final: bool = False,
    formats: tuple[str, ...] = ("pdf", "docx"),
    progress: Progress = stderr_progress,
) -> Built:
    """Build the edition's outputs into `out_dir` (default `out/<edition>/`)."""
    progress(f"第1步 读取并核对 {edition_path}")
    edition, document, findings = prepare(edition_path, final=final)
    target = out_dir or Path("out") / safe_name(edition.name)
    progress(f"第2步 组成报告：{len(document.blocks)} 个段落、表格和图")
    if final and findings:
        return Built(document, findings, [])
    style = load_style()
    payloads = render_all(document, style, formats, edition, progress)
    payloads["检查结果.txt"] = "".join(f"{f}\n" for f in findings).encode("utf-8")
    outputs = []
    for name, data in payloads.items():
        progress(f"第3步 写出 {target / name}")
        path = target / name
        with atomic_write(path) as tmp:
            tmp.write_bytes(data)
        outputs.append(path)
    return Built(document, findings, outputs)
