"""Take an edition folder, produce the report's files: the stages in order, each announced.

Step 1 reads and checks the workbook, step 2 composes the document tree, step 3 writes each
format. The outputs are written as one set (`builder.command.outputs.write_all`): whatever
stops a build, its folder holds the earlier set or the new one, whole; builds into one folder take turns.

Where it can fork (`builder.command.workers`), a build of both formats renders them in worker processes
started while the workbook is read, each importing only its own writer meanwhile (the fonts, and
the chart drawings the page needs, loaded once before the two part): the first types the PDF; a
second writes the DOCX with stand-in contents page numbers, then the page (`builder.writers.html`),
then puts the PDF's page numbers in the DOCX once the PDF is done (`builder.writers.docx.pages`).
The build writes the redline meanwhile, and once the PDF is done the proof list, which prints
each figure's page in the PDF: each core has one process's work at a time. The files, messages
and errors are those of a build in one process; `BUILDER_JOBS=1` turns the workers off.

Modules only a stage needs are imported in it, so each process imports only what it uses, and
the workers are forked before the build has imported more than this module.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from builder import caches
from builder.command import workers as parallel
from builder.command.outputs import write_all

if TYPE_CHECKING:
    from builder.document import Document
    from builder.figures.derived import Ledger
    from builder.model.edition import Edition
    from builder.model.figures import Figures
    from builder.model.findings import Finding
    from builder.style import Style
    from builder.writers.proof_list import ProofList
    from builder.writers.proof_list.rows import Checked

Progress = Callable[[str], None]
BOTH = ("pdf", "docx")  # the formats the worker processes write
FORMATS = (*BOTH, "html")  # what a build writes, besides the proof list and the findings


@dataclass(frozen=True)
class Built:
    document: Document
    findings: list[Finding]
    outputs: list[Path]
    read: Read | None = None  # what was read, checked and derived (None when the edition was not read)


@dataclass(frozen=True)
class Job:
    """What the writers need of a composed build."""

    document: Document
    style: Style
    font_dirs: tuple[Path, ...]
    page: bool = False  # the page (HTML) too: the DOCX worker writes it while the PDF is typed


def stderr_progress(text: str) -> None:
    print(text, file=sys.stderr)


def safe_name(name: str) -> str:
    """A file or folder name with no separators, dot-dot or control characters."""
    cleaned = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\:*?"<>|').strip(". ")
    while len(cleaned.encode("utf-8")) > 150:  # file systems count bytes; leave room for “-校对清单.xlsx” and temp names
        cleaned = cleaned[:-1]
    return cleaned or "report"


@dataclass(frozen=True)
class Read:
    """An edition read and checked."""

    edition: Edition
    figures: Figures
    ledger: Ledger
    findings: list[Finding]


@dataclass(frozen=True)
class Prepared:
    """An edition read, checked and composed, with what was read and derived on the way."""

    edition: Edition
    document: Document
    findings: list[Finding]
    ledger: Ledger
    figures: Figures


def prepare(edition_path: Path, *, final: bool = False) -> tuple[Edition, Document, list[Finding]]:
    """Read, check and compose an edition."""
    done = prepare_all(edition_path, final=final)
    return done.edition, done.document, done.findings


def read(edition_path: Path, *, briefs: bool = False) -> Read:
    """Step 1: the edition's settings, its workbook's figures, the derived figures and every finding
    (with `briefs`, those of what the district briefs need too)."""
    from builder.compose.annual import PROVIDED
    from builder.compose.prose import prose_findings
    from builder.figures.check import check
    from builder.figures.derived import derive
    from builder.workbook.edition import load_edition
    from builder.workbook.load import load

    edition = load_edition(edition_path)
    figures = load(edition.workbook)
    ledger = derive(figures)
    findings = check(figures, ledger)
    if edition.prose is not None:
        findings += prose_findings(figures.indicators, edition.prose, PROVIDED)
    if briefs:
        from builder.compose.briefs import brief_findings

        findings += brief_findings(figures, ledger)
    return Read(edition, figures, ledger, findings)


def prepare_all(edition_path: Path, *, final: bool = False, glyphs: bool = True) -> Prepared:
    """Steps 1 and 2: `read`, then the document composed (a final build's marked so); without
    `glyphs`, the findings lack those of `glyph_check`."""
    from builder.compose.annual import compose
    from builder.compose.audit import audit

    done = read(edition_path)
    document = compose(done.figures, done.ledger, done.edition)
    findings = done.findings + audit(document, done.findings)
    if glyphs:
        findings += glyph_check(document, done.figures, done.edition)
    if final:
        document = replace(document, meta=replace(document.meta, final=True))
    return Prepared(done.edition, document, findings, done.ledger, done.figures)


def glyph_check(document: Document, figures: Figures, edition: Edition) -> list[Finding]:
    """A finding per character of the document that no font of its role can draw."""
    from builder.style import load_style
    from builder.style.coverage import glyph_findings

    return glyph_findings(document, figures, load_style(), edition.font_dirs)


def extras(document: Document, style: Style, since: Path | None) -> dict[str, bytes]:
    """With `since`, the redline against that older edition, by file name."""
    if since is None:
        return {}
    return {f"{safe_name(document.meta.title)}-修订.docx": redline_since(since, document, style)}


class ProofSteps:
    """The proof list by file name, each figure with its page in the PDF (none when no PDF was made):
    `begin` makes all but the pages, which a build with workers does while the PDF is typed."""

    def __init__(self, document: Document, checked: Callable[[], Checked]) -> None:
        self.document, self.checked = document, checked
        self.begun: ProofList | None = None

    def begin(self) -> ProofList:
        from builder.writers.proof_list import ProofList

        if self.begun is None:
            self.begun = ProofList(self.document, self.checked())
        return self.begun

    def __call__(self, figure_pages: dict[str, int]) -> dict[str, bytes]:
        return {f"{safe_name(self.document.meta.title)}-校对清单.xlsx": self.begin().finished(figure_pages)}


def redline_since(old_edition: Path, new: Document, style: Style) -> bytes:
    """`new`'s redline against the edition at `old_edition`; the revisions carry `new`'s author and date."""
    from builder.reprint.redline import redline
    from builder.writers.ooxml import document_date

    _, old, _ = prepare(old_edition)
    date = new.meta.date or document_date().date().isoformat()
    return redline(old, new, style, author=new.meta.author or "builder", date=date)


def proof_inputs(findings: Iterable[Finding], ledger: Ledger | None = None) -> Checked:
    """What the proof list needs of the check and the derived figures, as plain text: the problems by
    cell, and with the edition's `ledger`, each derived formula written wholly in cells
    (`=总量!B4/(总量!B4+总量!B5)`); without it, a sub-total stays named as `〔总量.渠道合计〕`."""
    from builder.figures.formulas import expanded_formulas
    from builder.writers.proof_list.rows import Checked

    by_cell: dict[str, list[str]] = {}
    for finding in findings:
        by_cell.setdefault(finding.where, []).append(str(finding))
    problems = {cell: tuple(lines) for cell, lines in by_cell.items()}
    return Checked(problems, expanded_formulas(ledger) if ledger is not None else {})


PdfPages = tuple[bytes, dict[int, int], dict[str, int]]


def render_pdf(job: Job, progress: Progress) -> PdfPages:
    """The PDF's bytes, the page of each heading and of each figure (by occurrence key); registers the fonts first and says when one is a stand-in."""
    from builder.style.fonts import register, skip_warnings
    from builder.writers import pdf

    fonts = register(job.style, job.font_dirs, cache=True)
    for line in skip_warnings(fonts):
        progress(f"注意：{line}")
    substitutes = [font for font in fonts.values() if not font.preferred]
    if substitutes:
        progress(f"注意：{len(substitutes)} 个字体角色的首选字体不可用，已改用替代字体（builder fonts 可看详情）")
    rendered = pdf.render(job.document, job.style, font_dirs=job.font_dirs)
    return rendered.data, rendered.heading_pages, rendered.figure_pages


def write_docx(job: Job, toc_pages: dict[int, int]) -> bytes:
    from builder.writers import docx

    return docx.write(job.document, job.style, toc_pages=toc_pages)


def write_html(job: Job) -> bytes:
    from builder.writers import html

    return html.write(job.document, job.style, font_dirs=job.font_dirs)


def render_all(job: Job, formats: tuple[str, ...], progress: Progress, after_pdf: ProofSteps) -> dict[str, bytes]:
    """Every format's bytes by file name, then `after_pdf`'s files; the DOCX contents take their page
    numbers from the PDF, `after_pdf` the page of each figure (none without a PDF)."""
    out: dict[str, bytes] = {}
    toc_pages: dict[int, int] = {}
    figure_pages: dict[str, int] = {}
    if "pdf" in formats:
        out[_file(job, "pdf")], toc_pages, figure_pages = render_pdf(job, progress)
    if "docx" in formats:
        out[_file(job, "docx")] = write_docx(job, toc_pages)
    if "html" in formats:
        out[_file(job, "html")] = write_html(job)
    return out | after_pdf(figure_pages)


def _file(job: Job, suffix: str) -> str:
    return f"{safe_name(job.document.meta.title)}.{suffix}"


# ---------------------------------------------------------------- the same in worker processes


def _import_shared() -> None:
    """What both writers' libraries import, imported once before the DOCX worker is forked."""
    import lxml.etree  # type: ignore[import-untyped]  # noqa: F401
    import PIL.Image  # noqa: F401


def _shared_warm(edition_path: Path, page: bool) -> Callable[[], object]:
    """The warm-up both workers share: the libraries, and when the DOCX worker draws the page's
    charts too, the chart drawings and the fonts, registered once for both."""
    fonts = _fonts_for(edition_path)

    def warm() -> object:
        _import_shared()
        caches.code_version()  # what both workers' kept outputs are keyed by: read once, before the fork
        if not page:
            return None
        import builder.writers.drawing.charts  # noqa: F401

        return fonts()

    return warm


def _import_docx() -> None:
    """The DOCX worker's imports beyond the shared ones: its writer, and the page's, which draws the charts."""
    import builder.writers.docx.pages
    import builder.writers.html  # noqa: F401


def _docx_warm(edition_path: Path, page: bool) -> Callable[[], object]:
    """The DOCX worker's warm-up: its imports, and with the page, the fonts its charts are measured in."""
    fonts = _fonts_for(edition_path)

    def warm() -> object:
        _import_docx()
        from builder.document import LANGUAGE
        from builder.style import load_style
        from builder.writers.docx.assemble import styled

        styled(load_style(), LANGUAGE)
        return fonts() if page else None

    return warm


def _fonts_for(edition_path: Path) -> Callable[[], object]:
    """Registering the fonts the edition names, before its document is composed (a guess: should
    the edition not load, the PDF task meets and reports that)."""

    def warm() -> object:
        from builder.style import load_style
        from builder.style.fonts import register
        from builder.workbook.edition import load_edition

        return register(load_style(), load_edition(edition_path).font_dirs, cache=True)

    return warm


def _pdf_warm(edition_path: Path) -> Callable[[], object]:
    """The PDF worker's warm-up: its writer, and the fonts (unless the shared warm-up has them)."""
    fonts = _fonts_for(edition_path)

    def warm() -> object:
        import builder.writers.pdf  # noqa: F401

        return fonts()

    return warm


def _pdf_task(job: Job, progress: Progress, _receive: parallel.Receive) -> PdfPages:
    return render_pdf(job, progress)


Page = bytes | parallel.Raised | None  # the page, the error that stopped it, or not written


def _docx_task(job: Job, _progress: Progress, receive: parallel.Receive) -> tuple[bytes, Page]:
    """The DOCX written with stand-in contents pages while the PDF is typed, then the page when the
    job asks for it, then the DOCX given the PDF's pages. An error in the page is sent back, not
    raised: the build says the DOCX's errors first, as in one process."""
    from builder.writers.docx import pages as docx_pages

    try:
        stand_ins = docx_pages.placeholders(job.document)
    except docx_pages.Unfilled:
        stand_ins = None
    blob = write_docx(job, stand_ins) if stand_ins is not None else None
    page: Page = None
    if job.page:
        try:
            page = write_html(job)
        except Exception as exc:
            page = parallel.carried(exc)
    pages: dict[int, int] = receive()
    if blob is None:
        return write_docx(job, pages), page
    try:
        return docx_pages.fill(blob, pages), page
    except Exception:  # `Unfilled`, or anything else in the filling: the writer is the authority
        return write_docx(job, pages), page


def start_workers(edition_path: Path, formats: tuple[str, ...]) -> parallel.Workers | None:
    """The worker processes of a build of both formats (PDF, DOCX); None where it renders in-process."""
    if not all(f in formats for f in BOTH):
        return None
    siblings = [parallel.Sibling(_docx_warm(edition_path, "html" in formats), _docx_task)]
    shared = _shared_warm(edition_path, "html" in formats)
    return parallel.Workers.start(shared, _pdf_warm(edition_path), _pdf_task, siblings)


def render_with(
    workers: parallel.Workers,
    job: Job,
    progress: Progress,
    meanwhile: Callable[[], dict[str, bytes]],
    after_pdf: ProofSteps,
) -> dict[str, bytes]:
    """`render_all` by the workers: the PDF by the first, the DOCX and (when `job.page`) the page by
    the second; `meanwhile` here while the PDF is typed, `after_pdf`'s files here once it is done,
    while the DOCX worker fills in its pages; a task whose worker was lost is done here.

    The files come in the order of a build in one process: the PDF's, the DOCX's, the page's, the
    proof list's, the rest; the first error said is the writers', then the page's, the proof list's, the rest's."""
    workers.send([job, job])
    failed: list[Exception] = []  # said after the writers' errors, as in a build in one process
    try:
        later = meanwhile()
    except Exception as exc:
        later = {}
        failed.append(exc)
    with contextlib.suppress(Exception):  # an error here is met again, and said, once the PDF is done
        after_pdf.begin()
    try:
        data, pages, figure_pages = workers.result(0, progress)
    except parallel.Lost as lost:
        data, pages, figure_pages = render_pdf(job, lost.rest(progress))
    workers.tell(1, pages)
    try:
        proof = after_pdf(figure_pages)
    except Exception as exc:
        proof, failed = {}, [exc, *failed]
    try:
        document, page = workers.result(1, progress)
    except parallel.Lost:
        document, page = write_docx(job, pages), None
    made: dict[str, bytes] = {}
    if job.page:
        try:
            made[_file(job, "html")] = _page_bytes(job, page)
        except Exception as exc:  # said before the proof list's
            failed.insert(0, exc)
    if failed:
        raise failed[0]
    return {_file(job, "pdf"): data, _file(job, "docx"): document, **made, **proof, **later}


def _page_bytes(job: Job, page: Page) -> bytes:
    """The page as the DOCX worker wrote it, or its error raised here; written here if it was not."""
    if isinstance(page, bytes):
        return page
    if isinstance(page, parallel.Raised):
        raise parallel.rebuilt(page)
    return write_html(job)


def build(
    edition_path: Path,
    out_dir: Path | None = None,
    *,
    final: bool = False,
    formats: tuple[str, ...] = FORMATS,
    progress: Progress = stderr_progress,
    since: Path | None = None,
    meanwhile: Callable[[Edition], object] | None = None,
) -> Built:
    """Build the edition's outputs into `out_dir` (default `out/<edition>/`); `meanwhile` is work
    for this process, given the edition, while its workers type the PDF."""
    with _no_cycle_collection():
        return _build(edition_path, out_dir, final, formats, progress, since, meanwhile)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused for one build: a build makes millions of short-lived objects (XML
    elements, flowables) and holds few cycles, so the collector's passes cost a tenth of its time
    and free little; the build's memory is bounded by its one document."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(
    edition_path: Path,
    out_dir: Path | None,
    final: bool,
    formats: tuple[str, ...],
    progress: Progress,
    since: Path | None,
    meanwhile: Callable[[Edition], object] | None,
) -> Built:
    progress(f"第1步 读取并核对 {edition_path}")
    workers = start_workers(edition_path, formats)
    try:
        # a draft's glyph check waits until the PDF is being typed: what it finds changes nothing
        # drawn (a character no font has is drawn as 〓 either way), a final build's decides it
        prepared = prepare_all(edition_path, final=final, glyphs=final)
        edition, document, findings, ledger = prepared.edition, prepared.document, prepared.findings, prepared.ledger
        target = out_dir or Path("out") / safe_name(edition.name)
        progress(f"第2步 组成报告：{len(document.blocks)} 个段落、表格和图")
        if final and findings:
            return Built(document, findings, [], _read_of(prepared))
        from builder.style import load_style

        style = load_style()
        job = Job(document, style, edition.font_dirs, page="html" in formats)
        glyphs_checked = final  # a final build's glyph check was part of preparing it

        def all_findings() -> list[Finding]:
            nonlocal glyphs_checked
            if not glyphs_checked:
                findings.extend(glyph_check(document, prepared.figures, edition))
                glyphs_checked = True
            return findings

        def later() -> dict[str, bytes]:
            made = extras(document, style, since)
            if meanwhile is not None:
                meanwhile(edition)
            return made

        proof = ProofSteps(document, lambda: proof_inputs(all_findings(), ledger))  # it prints each figure's PDF page
        if workers is None:
            payloads = render_all(job, formats, progress, proof) | later()
        else:
            payloads = render_with(workers, job, progress, later, proof)
        payloads["检查结果.txt"] = "".join(f"{f}\n" for f in all_findings()).encode("utf-8")
        outputs = [target / name for name in payloads]  # the workers, done, leave meanwhile
        for path in outputs:
            progress(f"第3步 写出 {path}")
        write_all(dict(zip(outputs, payloads.values(), strict=True)))
    finally:
        if workers is not None:
            workers.close()
    return Built(document, findings, outputs, _read_of(prepared))


def _read_of(prepared: Prepared) -> Read:
    return Read(prepared.edition, prepared.figures, prepared.ledger, prepared.findings)
