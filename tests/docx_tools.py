"""Reading our DOCX files back in tests: body XML, paragraph texts, tracked changes resolved, LibreOffice."""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from builder.document import Chart, Document, Heading, Inline, Paragraph, Table, Title

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {
    "w": W[1:-1],
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
}
NO_SOFFICE = shutil.which("soffice") is None and not os.environ.get("CI")


def body_of(blob: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return etree.fromstring(z.read("word/document.xml")).find(W + "body")


def text_of(element: etree._Element) -> str:
    """The text shown: w:t (controls included), not deleted text."""
    return "".join(t.text or "" for t in element.iter(W + "t"))


def paragraph_texts(body: etree._Element) -> list[str]:
    """Every paragraph's text in document order, table cells included."""
    return [text_of(p) for p in body.iter(W + "p")]


def has_change(element: etree._Element) -> bool:
    return any(True for _ in element.iter(W + "ins", W + "del"))


def resolve(body: etree._Element, accept: bool) -> etree._Element:
    """A copy of `body` with every tracked change accepted (or rejected), as Word would leave it."""
    body = copy.deepcopy(body)
    drop, keep = (W + "del", W + "ins") if accept else (W + "ins", W + "del")
    for row in list(body.iter(W + "tr")):
        if row.find(f"{W}trPr/{drop}") is not None:
            row.getparent().remove(row)
    for p in list(body.iter(W + "p")):
        if p.find(f"{W}pPr/{W}rPr/{drop}") is not None:  # the paragraph mark goes: all its text went too
            assert all(a.tag == drop for t in p.iter(W + "t") for a in t.iterancestors(drop)), text_of(p)
            p.getparent().remove(p)
    for node in list(body.iter(drop)):
        node.getparent().remove(node)
    for node in list(body.iter(keep)):
        parent = node.getparent()
        index = parent.index(node)
        for child in reversed(list(node)):
            parent.insert(index, child)
        parent.remove(node)
    for node in body.iter(W + "delText", W + "delInstrText"):
        node.tag = W + ("t" if node.tag == W + "delText" else "instrText")
    return body


def resolved_text(p: etree._Element, accept: bool) -> str:
    """The text of one paragraph with its changes accepted (rejected); "" when the paragraph goes."""
    holder = etree.Element("holder")
    holder.append(copy.deepcopy(p))
    return "".join(text_of(child) for child in resolve(holder, accept))


def unit_texts(document: Document) -> list[str]:
    """The text of every paragraph-like unit of a tree: title, headings, paragraphs, captions, cells, notes."""
    out: list[str] = []
    for block in document.blocks:
        if isinstance(block, Title):
            out += [block.text, block.subtitle]
        elif isinstance(block, Heading):
            out.append(block.number + block.text)
        elif isinstance(block, Paragraph):
            out.append(_runs_text(block.runs))
        elif isinstance(block, Table):
            out.append(f"表{block.number} {block.caption}")
            out += [_runs_text(c.runs) for row in (*block.header, *block.rows) for c in row]
            out.append(block.note)
        elif isinstance(block, Chart):
            out.append(f"图{block.number} {block.caption}")
    return [t for t in out if t]


def _runs_text(runs: tuple[Inline, ...]) -> str:
    return "".join(r.text for r in runs)


def convert_to_pdf(path: Path, outdir: Path) -> Path:
    """LibreOffice headless, with a profile of its own; fails on an error exit or no PDF."""
    return convert(path, outdir, "pdf")


def convert(path: Path, outdir: Path, kind: str) -> Path:
    """`path` opened and saved as `kind` (pdf, docx) by LibreOffice headless, with a profile of its own,
    into `outdir` (another folder than `path`'s when saving a DOCX as DOCX); fails on an error exit or no file."""
    profile = f"-env:UserInstallation=file:///tmp/lo-redline-{os.getpid()}"
    command = ["soffice", profile, "--headless", "--convert-to", kind, "--outdir", str(outdir), str(path)]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(f"/tmp/lo-redline-{os.getpid()}", ignore_errors=True)
    saved = outdir / f"{path.stem}.{kind}"
    assert saved.is_file() and saved.stat().st_size > 0, f"LibreOffice wrote no {kind} for {path}"
    return saved


def pdf_text(pdf: Path) -> str:
    result = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=60)
    return "".join(result.stdout.decode().split())
