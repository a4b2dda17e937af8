"""The reprint commands: `builder diff`, `builder refresh`, and the redline a build writes with `--since`.

Each reads the editions it names (through `builder.command.pipeline`), hands their documents to
`builder.reprint`, which returns results, and says or writes what came back.
"""

from __future__ import annotations

import sys
from pathlib import Path

from builder.command.outputs import write_all
from builder.command.pipeline import Prepared, prepare, prepare_all, redline_since
from builder.document import Document
from builder.model.errors import InputError, Unreadable
from builder.style import load_style


def diff(old: Path, new: Path) -> int:
    """`builder diff OLD NEW`: print what changed, the district briefs it reaches included; a
    difference is not an error."""
    from dataclasses import replace

    from builder.reprint.diff import Side, brief_changes, diff_sides, format_report

    before, after = prepare_all(old), prepare_all(new)
    sides = Side(before.figures, before.document), Side(after.figures, after.document)
    report = diff_sides(*sides)
    briefs = tuple(brief_changes(*sides, _briefs(before), _briefs(after)))
    for line in format_report(replace(report, briefs=briefs)):
        print(line)
    return 0


def _briefs(prepared: Prepared) -> dict[str, Document]:
    """Every district's brief of an edition, by district."""
    from builder.compose.briefs import compose_brief, districts

    f = prepared.figures
    return {d: compose_brief(f, prepared.ledger, prepared.edition, d) for d in districts(f)}


def refresh(edited: Path, new_edition: Path, out: Path | None) -> int:
    """Refresh `edited` from `new_edition` into `out` (default: beside it, `<name>-更新.docx`);
    print the report lines; 0. A file that is not our DOCX, or one built from another report, is one
    line naming it."""
    from builder.reprint.refresh import NotOurs, read_package
    from builder.reprint.refresh import refresh as refreshed

    try:
        blob = edited.read_bytes()
        read_package(blob)
    except NotOurs as exc:
        raise Unreadable([InputError(str(edited), str(exc))]) from None
    _, document, _ = prepare(new_edition)
    try:
        data, report = refreshed(blob, document, load_style())
    except NotOurs as exc:
        raise Unreadable([InputError(str(edited), str(exc))]) from None
    target = out or edited.with_name(f"{edited.stem}-更新.docx")
    write_all({target: data})
    for line in report:
        print(line)
    print(f"已写出 {target}", file=sys.stderr)
    return 0


def write_redline(old_edition: Path, new_edition: Path, out: Path) -> None:
    """Compose both editions and write the new one's redline against the old to `out` (whole or not at all)."""
    _, new, _ = prepare(new_edition)
    write_all({out: redline_since(old_edition, new, load_style())})
