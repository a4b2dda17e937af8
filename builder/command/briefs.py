"""The district briefs of an edition, built as a batch after its annual report.

Each district of the 各区 sheet gets a brief (`builder.compose.briefs`) written in every format, with
its proof list, into `<output>/各区/` as a set of its own, all or none (`outputs.write_all`): a
district whose brief fails is named, and the others are still written. Where it can fork, the
briefs are built in worker processes (`workers.Workers` with `many`), one brief a job, forked once
the build has read the edition and loaded the writers and fonts, which they then share; the
build writes each brief's files as they come back and says one line per district.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.command import workers as parallel
from builder.command.outputs import write_all
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


@dataclass(frozen=True)
class Brief:
    """One district's brief as built: its files by name, or why it was not."""

    district: str
    files: dict[str, bytes]
    findings: list[Finding]
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

    def brief(self, district: str) -> Brief:
        """`district`'s brief in every format, with its proof list; `Refused` when final with holes."""
        from dataclasses import replace

        from builder.compose.audit import audit
        from builder.compose.briefs import compose_brief
        from builder.writers.proof_list import proof_workbook

        document = compose_brief(self.read.figures, self.read.ledger, self.read.edition, district)
        findings = audit(document, self.read.findings)
        if self.final:
            if findings:
                raise Refused(findings)
            document = replace(document, meta=replace(document.meta, final=True))
        job = Job(document, self.style, self.read.edition.font_dirs, page=True)
        pdf, pages, figure_pages = render_pdf(job, _silent)
        stem = self.stems[district]
        files = {
            f"{stem}.pdf": pdf,
            f"{stem}.docx": write_docx(job, pages),
            f"{stem}.html": write_html(job),
        }
        files[f"{stem}-校对清单.xlsx"] = proof_workbook(document, self.checked, figure_pages)
        return Brief(district, files, findings)


def _silent(_text: str) -> None:
    """A brief's font notes are the annual report's, already said."""


def file_stems(names: Sequence[str]) -> dict[str, str]:
    """Each district's file name: `<区>简报`, numbered when two names make the same file name
    (names differing only in characters a file name cannot hold, or in case)."""
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        stem = base = safe_name(f"{name}简报")
        n = 1
        while stem.casefold() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.casefold())
        stems[name] = stem
    return stems


@dataclass(frozen=True)
class WithBriefs:
    """The annual report built, then each district's brief, written or failed, in district order."""

    built: Built
    briefs: tuple[Brief, ...]


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

    built = build(edition_path, out_dir, final=final, since=since, progress=progress, briefs=True, meanwhile=load)
    if not built.outputs or built.read is None:
        return WithBriefs(built, ())
    # the workers fork from here: the annual report's leftovers freed first, and each brief's freed
    # as the next is made (a batch makes cycles by the thousand); what is left is frozen, so the
    # collector in a worker neither scans nor copies the pages it shares
    gc.collect()
    batch = Batch.of(built.read, style, final)
    gc.freeze()
    try:
        briefs = build_briefs(batch, built.outputs[0].parent / FOLDER, progress)
    finally:
        gc.unfreeze()
    return WithBriefs(built, tuple(briefs))


def build_briefs(batch: Batch, folder: Path, progress: Progress) -> list[Brief]:
    """Every district's brief written into `folder`, each as a set of its own; the briefs in
    district order, the failed ones with their reason. One progress line per district."""
    from builder.compose.briefs import districts

    names = districts(batch.read.figures)
    load_writers(batch.style, batch.read.edition.font_dirs)
    done: list[Brief] = []

    def finish(brief: Brief) -> None:
        done.append(_written(brief, folder))
        progress(_line(len(done), len(names), done[-1], folder / batch.stems[brief.district]))

    _run_all(batch, names, finish)
    order = {name: i for i, name in enumerate(names)}
    return sorted(done, key=lambda b: order[b.district])


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
        return Brief(brief.district, {}, brief.findings, "；".join(exc.lines()))
    return brief


def _line(n: int, total: int, brief: Brief, stem: Path) -> str:
    head = f"简报 {n}/{total} {brief.district}"
    if brief.failure is not None:
        return f"{head}：未生成（{brief.failure}）"
    holes = f"，{len(brief.findings)} 处【待补】" if brief.findings else ""
    return f"{head}：写出 {stem}.pdf 等 {len(brief.files)} 个文件{holes}"


def _attempt(batch: Batch, district: str) -> Brief:
    """The brief, or its failure in one line (a user's error, a refusal or a bug alike)."""
    try:
        return batch.brief(district)
    except Exception as exc:
        return _failed(district, exc)


def _failed(district: str, exc: BaseException) -> Brief:
    if isinstance(exc, Refused):
        return Brief(district, {}, exc.findings, f"{exc}，如 {exc.findings[0]}")
    if isinstance(exc, UserError):
        return Brief(district, {}, [], "；".join(exc.lines()))
    return Brief(district, {}, [], f"内部错误：{type(exc).__name__}: {exc}")


def _run_all(batch: Batch, names: Sequence[str], finish: Callable[[Brief], None]) -> None:
    """Each brief built, by the workers where they can be had, and given to `finish` as it is done."""
    if len(names) < 2 or not parallel.available():
        for name in names:
            finish(_attempt(batch, name))
        return

    def task(district: str, _progress: Progress, _receive: parallel.Receive) -> Brief:
        return _attempt(batch, district)

    count = min(parallel.cores(), len(names))
    pool = parallel.Workers.start(_nothing, _nothing, task, [parallel.Sibling(_nothing, task)] * (count - 1), many=True)
    if pool is None:
        for name in names:
            finish(_attempt(batch, name))
        return
    try:
        _dispatch(pool, batch, names, finish)
    finally:
        pool.close()


def _nothing() -> None:
    """No warm-up: the workers are forked with everything loaded."""


def _dispatch(pool: parallel.Workers, batch: Batch, names: Sequence[str], finish: Callable[[Brief], None]) -> None:
    """Keep every worker busy with the next district; a worker lost leaves its district to this process."""
    import selectors

    waiting = list(names)
    busy: dict[int, str] = {}
    with selectors.DefaultSelector() as selector:
        for which in range(len(pool.results)):
            if waiting:
                busy[which] = waiting.pop(0)
                pool.ask(which, busy[which])
                selector.register(pool.results[which], selectors.EVENT_READ, which)
        while busy:
            for key, _ in selector.select():
                which = int(key.data)
                district = busy.pop(which)
                try:
                    brief = pool.result(which, _silent)
                except parallel.Lost:
                    selector.unregister(key.fd)
                    brief = _attempt(batch, district)  # done here; the lost worker takes no more
                    finish(brief)
                    continue
                finish(brief)
                if waiting:
                    busy[which] = waiting.pop(0)
                    pool.ask(which, busy[which])
                else:
                    selector.unregister(key.fd)
        for name in waiting:  # every worker was lost
            finish(_attempt(batch, name))
