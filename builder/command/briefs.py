"""The district briefs of an edition, built as a batch after its annual report.

Each district of the 各区 sheet gets a brief (`builder.compose.briefs`) written in every format, with
its proof list, into `<output>/各区/` as a set of its own, all or none (`outputs.write_all`): a
district whose brief fails is named, and the others are still written. Where it can fork, the
briefs are built in worker processes (`builder.command.batch`), one brief a job, forked once the
build has read the edition and loaded the writers and fonts, which they then share; the build
writes each brief's files as they come back and says one line per district. The folder keeps the
list of districts it holds briefs of (`.简报.json`), so a district gone from the 各区 sheet has its
earlier brief removed, not left beside the new ones.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.command.batch import each
from builder.command.outputs import remove_all, write_all
from builder.command.pipeline import (
    Built,
    Job,
    Progress,
    build,
    proof_inputs,
    render_pdf,
    safe_name,
    stderr_progress,
    write_docx,
    write_html,
)
from builder.model.errors import UserError

if TYPE_CHECKING:
    from builder.command.pipeline import Read
    from builder.model.edition import Edition
    from builder.model.findings import Finding
    from builder.style import Style
    from builder.writers.proof_list.rows import Checked

FOLDER = "各区"  # beside the annual report's files
KEPT = ".简报.json"  # in FOLDER: the file names (without suffix) of the briefs the last batch made
SUFFIXES = (".pdf", ".docx", ".html", "-校对清单.xlsx")


@dataclass(frozen=True)
class Brief:
    """One district's brief as built: its files by name, or why it was not."""

    district: str
    files: dict[str, bytes]
    findings: list[Finding]
    missing: int = 0  # figures printed as 【待补】
    failure: str | None = None  # one line: why no file of this brief was written


class Refused(Exception):
    """A final build's brief that still has holes: its findings, none of its files."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"终稿不能带着问题生成：{len(findings)} 处问题")
        self.findings = findings


@dataclass(frozen=True)
class Batch:
    """What every brief needs: the edition read (its ledger with the districts' figures), the style,
    what the proof lists say of the check, and whether the build is final."""

    read: Read
    style: Style
    final: bool
    checked: Checked
    stems: dict[str, str]  # each district's file name, without the suffix

    @classmethod
    def of(cls, read: Read, style: Style, final: bool) -> Batch:
        from builder.compose.briefs import districts
        from builder.figures.derived import derive_districts

        derive_districts(read.ledger, read.figures)  # once, before the workers fork
        stems = file_stems(districts(read.figures))
        return cls(read, style, final, proof_inputs(read.findings, read.ledger), stems)

    def attempt(self, district: str) -> Brief:
        """The brief, or its failure in one line (a user's error, a refusal or a bug alike)."""
        try:
            return self.brief(district)
        except Exception as exc:
            return _failed(district, exc)

    def brief(self, district: str) -> Brief:
        """`district`'s brief in every format, with its proof list; `Refused` when final with holes."""
        from dataclasses import replace

        from builder.compose.audit import audit
        from builder.compose.briefs import compose_brief
        from builder.document.walk import figures
        from builder.writers.proof_list import proof_workbook

        document = compose_brief(self.read.figures, self.read.ledger, self.read.edition, district)
        if self.final:  # a final brief prints no 【待补】 and no sentence with a hole, whatever explains them
            holes = audit(document, [])
            if holes:
                raise Refused(holes)
            document = replace(document, meta=replace(document.meta, final=True))
        findings = audit(document, self.read.findings)
        missing = sum(1 for figure in figures(document) if figure.missing)
        job = Job(document, self.style, self.read.edition.font_dirs, page=True)
        pdf, pages, figure_pages = render_pdf(job, _silent)
        made = (pdf, write_docx(job, pages), write_html(job), proof_workbook(document, self.checked, figure_pages))
        files = {f"{self.stems[district]}{suffix}": data for suffix, data in zip(SUFFIXES, made, strict=True)}
        return Brief(district, files, findings, missing)


def _silent(_text: str) -> None:
    """A brief's font notes are the annual report's, already said."""


def file_stems(names: Sequence[str]) -> dict[str, str]:
    """Each district's file name: `<区>简报` (a long name shortened before 简报), numbered when two
    names make the same file name (names differing only in characters a file name cannot hold, or
    in case)."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        stem = base = f"{safe_name(name)[:40]}简报"
        n = 1
        while stem.casefold() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        stems[name] = stem
    return stems


@dataclass(frozen=True)
class WithBriefs:
    """The annual report built, then each district's brief, written or failed, in district order,
    and what the check found that only the briefs need."""

    built: Built
    briefs: tuple[Brief, ...]
    findings: list[Finding]


def build_with_briefs(
    edition_path: Path,
    out_dir: Path | None = None,
    *,
    final: bool = False,
    since: Path | None = None,
    progress: Progress = stderr_progress,
) -> WithBriefs:
    """`pipeline.build`, then, if it wrote its files, the briefs into its folder's `各区/`."""
    from builder.style import load_style

    style = load_style()

    def load(edition: Edition) -> None:
        load_writers(style, edition.font_dirs)

    built = build(edition_path, out_dir, final=final, since=since, progress=progress, meanwhile=load)
    if not built.outputs or built.read is None:
        return WithBriefs(built, (), [])
    from builder.compose.briefs import brief_findings

    findings = brief_findings(built.read.figures, built.read.ledger)  # the briefs' own: they stop no other file
    # the workers fork from here: the annual report's leftovers freed first, and each brief's freed
    # as the next is made (a batch makes cycles by the thousand); what is left is frozen, so the
    # collector in a worker neither scans nor copies the pages it shares
    gc.collect()
    batch = Batch.of(built.read, style, final)
    gc.freeze()
    collecting = gc.isenabled()
    gc.enable()  # on in the workers too, whatever the command chose for a single build
    try:
        briefs = build_briefs(batch, built.outputs[0].parent / FOLDER, progress)
    finally:
        gc.unfreeze()
        if not collecting:
            gc.disable()
    return WithBriefs(built, tuple(briefs), findings)


def build_briefs(batch: Batch, folder: Path, progress: Progress) -> list[Brief]:
    """Every district's brief written into `folder`, each as a set of its own; the briefs in
    district order, the failed ones with their reason. One progress line per district; the
    earlier briefs of districts no longer in the 各区 sheet removed."""
    from builder.compose.briefs import districts

    names = districts(batch.read.figures)
    if not names:
        progress("《各区》表中没有区：未生成简报")
        return []
    load_writers(batch.style, batch.read.edition.font_dirs)
    done: list[Brief] = []

    def finish(_name: str, brief: Brief) -> None:
        done.append(_written(brief, folder))
        progress(_line(len(done), len(names), done[-1], folder / batch.stems[brief.district]))

    each(names, batch.attempt, finish)
    if any(brief.failure is None for brief in done):  # else the folder may not even be one
        try:
            _forget_others(folder, set(batch.stems.values()), progress)
        except UserError as exc:  # the briefs are written: what is left of earlier ones is said
            progress(f"注意：旧简报未能清理（{'；'.join(exc.lines())}）")
    order = {name: i for i, name in enumerate(names)}
    return sorted(done, key=lambda b: order[b.district])


def _forget_others(folder: Path, stems: set[str], progress: Progress) -> None:
    """The briefs the last batch made in `folder` of districts this one has not, removed; this
    batch's districts kept as the folder's list."""
    kept = folder / KEPT
    gone = sorted(_listed(kept) - stems)
    if gone:
        remove_all([folder / f"{stem}{suffix}" for stem in gone for suffix in SUFFIXES])
        progress(f"删去《各区》表中已没有的区的简报：{'、'.join(gone)}")
    write_all({kept: json.dumps(sorted(stems), ensure_ascii=False, indent=0).encode("utf-8")})


def _listed(kept: Path) -> set[str]:
    """The file names the folder's list holds; none from a list spoiled by hand (nothing is removed
    on its word) or a name that is not one this batch could have made."""
    try:
        if not kept.is_file() or kept.is_symlink() or kept.stat().st_size > 1 << 20:
            return set()
        listed = json.loads(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # RecursionError: brackets nested past the parser's depth
        return set()
    if not isinstance(listed, list) or not all(isinstance(stem, str) for stem in listed):
        return set()
    return {stem for stem in listed if _ours(stem)}


def _ours(stem: str) -> bool:
    """A name a batch could have made: `<区>简报`, or `<区>简报-2` for a second name making the same
    file name, fit for a file name."""
    if not stem or stem != safe_name(stem):
        return False
    head, _, number = stem.rpartition("-")
    return stem.endswith("简报") or (head.endswith("简报") and number.isdigit())


def load_writers(style: Style, font_dirs: tuple[Path, ...]) -> None:
    """The writers and fonts loaded in this process, before the workers fork and share them (a
    build with briefs does it while its annual report's PDF is typed)."""
    import builder.writers.docx
    import builder.writers.html
    import builder.writers.pdf
    import builder.writers.proof_list  # noqa: F401
    from builder.style.fonts import register

    register(style, font_dirs, cache=True)


def _written(brief: Brief, folder: Path) -> Brief:
    """The brief's files written as one set; a failure to write is the brief's failure."""
    if brief.failure is not None:
        return brief
    try:
        write_all({folder / name: data for name, data in brief.files.items()})
    except UserError as exc:
        return Brief(brief.district, {}, brief.findings, failure="；".join(exc.lines()))
    return brief


def _line(n: int, total: int, brief: Brief, stem: Path) -> str:
    head = f"简报 {n}/{total} {brief.district}"
    if brief.failure is not None:
        return f"{head}：未生成（{brief.failure}）"
    holes = f"，{brief.missing} 处数字尚缺，以【待补】标出" if brief.missing else ""
    return f"{head}：写出 {stem}.pdf 等 {len(brief.files)} 个文件{holes}"


def _failed(district: str, exc: BaseException) -> Brief:
    if isinstance(exc, Refused):
        return Brief(district, {}, exc.findings, failure=f"{exc}，如 {exc.findings[0]}")
    if isinstance(exc, UserError):
        return Brief(district, {}, [], failure="；".join(exc.lines()))
    return Brief(district, {}, [], failure=f"内部错误：{type(exc).__name__}: {exc}")
