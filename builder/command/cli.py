"""The `builder` command: build, check, template. Errors are one line each, never a traceback."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

# What a command alone needs is imported in it: `build` forks its writer processes first thing,
# and each then imports only what it uses (see builder.command.pipeline).
from builder.command.pipeline import build
from builder.model.dates import source_date_epoch
from builder.model.errors import UserError, reason

if TYPE_CHECKING:
    from builder.command.briefs import Brief
    from builder.model.findings import Finding

DEFAULT_EDITION = Path("inputs/2020")
OK, FINDINGS, UNREADABLE, INTERNAL = 0, 1, 2, 3  # DESIGN.md's exit codes, the README's table


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    kept = _KeptInterrupt(sys.unraisablehook)
    sys.unraisablehook = kept
    try:
        code = _command(args)
    finally:
        kept.close()
    return 130 if kept.seen else code


def _command(args: argparse.Namespace) -> int:
    """The command `args` name, run; what stops it is said in one line and becomes its exit code."""
    try:
        source_date_epoch()  # a bad value is the user's to fix, said before any work starts
        return int(args.run(args))
    except UserError as exc:  # an input, a style, a font or an output folder the user must fix
        for line in exc.lines():
            print(line, file=sys.stderr)
        return UNREADABLE
    except OSError as exc:
        print(f"{exc.filename}: {reason(exc)}" if exc.filename else reason(exc), file=sys.stderr)
        return UNREADABLE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, not a user mistake: one line, traceback on request
        if os.environ.get("BUILDER_DEBUG"):
            raise
        print(f"内部错误：{type(exc).__name__}: {exc}（设置 BUILDER_DEBUG=1 可看详情，请报告此问题）", file=sys.stderr)
        return INTERNAL


class _KeptInterrupt:
    """Ctrl-C met while a finalizer ran (a `__del__` the collector called), kept.

    Python prints and drops an exception a finalizer raises, so the KeyboardInterrupt would be
    lost and the build would write its outputs as if never interrupted. Sending the signal again
    from here would only raise it here, where it is dropped again; so SIGINT is blocked and sent,
    and stays pending: the outputs' swap (`outputs.write_all`) sees it and does not begin, and the
    command ends with 130 whatever else it did."""

    def __init__(self, previous: Callable[[sys.UnraisableHookArgs], object]) -> None:
        self.previous = previous
        self.seen = False

    def __call__(self, unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            self.previous(unraisable)
        elif not self.seen:
            self.seen = True
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            os.kill(os.getpid(), signal.SIGINT)

    def close(self) -> None:
        """The hook put back; a kept SIGINT taken from the pending ones, then let through again."""
        sys.unraisablehook = self.previous
        if self.seen:
            signal.sigtimedwait({signal.SIGINT}, 0)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def run() -> NoReturn:
    """The `builder` command: `main`, then leave at once.

    Every output is written and closed by then; what is left is the interpreter freeing a whole
    document's objects one by one, a twentieth of a build's time, which the exit makes moot. For
    the same reason the cycle collector stays off: a build pauses it anyway, and turned back on at
    its end, its first pass over the build's objects would cost another thirtieth for nothing."""
    gc.disable()
    try:
        code = main()
    except OSError:  # standard error itself is a closed pipe: the failure cannot even be said
        code = UNREADABLE
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or UNREADABLE
    os._exit(code)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="builder", description="从数据工作簿生成统计公开报告。")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    build_cmd = sub.add_parser("build", help="生成报告 PDF、DOCX、校对清单和检查结果")
    build_cmd.add_argument(
        "edition", nargs="?", type=Path, default=DEFAULT_EDITION, help="版次文件夹，默认 inputs/2020"
    )
    build_cmd.add_argument("-o", "--output", type=Path, help="输出文件夹，默认 out/<版次>/")
    build_cmd.add_argument("--final", action="store_true", help="终稿：有任何检查问题即拒绝生成")
    build_cmd.add_argument(
        "--since", type=Path, metavar="OLD", help="另写出相对旧版次（文件夹或工作簿）的修订稿 <标题>-修订.docx"
    )
    build_cmd.add_argument(
        "--briefs", action="store_true", help="另为《各区》表的每个区写出区简报（PDF、DOCX、网页、校对清单）到 各区/"
    )
    build_cmd.set_defaults(run=_build)

    diff_cmd = sub.add_parser("diff", help="两个版次间改动的单元格、受影响的数字和语句")
    diff_cmd.add_argument("old", type=Path, help="旧版次文件夹或工作簿")
    diff_cmd.add_argument("new", type=Path, help="新版次文件夹或工作簿")
    diff_cmd.set_defaults(run=_diff)

    refresh_cmd = sub.add_parser("refresh", help="把更正后的数字放进编辑改过的 DOCX，保留其文字修改")
    refresh_cmd.add_argument("edited", type=Path, help="编辑改过的 DOCX")
    refresh_cmd.add_argument("new", type=Path, help="更正后的版次文件夹或工作簿")
    refresh_cmd.add_argument("-o", "--output", type=Path, help="写出的文件，默认在原文件旁加“-更新”")
    refresh_cmd.set_defaults(run=_refresh)

    chk = sub.add_parser("check", help="逐项列出工作簿中的问题：sheet!cell: 问题")
    chk.add_argument("source", type=Path, help="版次文件夹或 .xlsx 工作簿")
    chk.add_argument("--briefs", action="store_true", help="也核对区简报所需的数据（如某区缺办理率一行）")
    chk.set_defaults(run=_check)

    fonts_cmd = sub.add_parser("fonts", help="各字体角色用的是哪个字体文件，缺什么")
    fonts_cmd.add_argument(
        "edition", nargs="?", type=Path, default=DEFAULT_EDITION, help="版次文件夹（其 fonts/ 优先）"
    )
    fonts_cmd.set_defaults(run=_fonts)

    tpl = sub.add_parser("template", help="生成空白的数据工作簿")
    tpl.add_argument("file", type=Path, help="要写出的 .xlsx 文件")
    tpl.add_argument("--force", action="store_true", help="覆盖已有的同名文件")
    tpl.set_defaults(run=_template)
    return parser


def findings_for(source: Path, *, briefs: bool = False) -> list[Finding]:
    """Read, derive and check an edition folder (its settings and prose too) or a workbook, for the
    annual report, and with `briefs` for the district briefs too."""
    from builder.command.pipeline import read

    return read(source, briefs=briefs).findings


def _summary(findings: list[Finding]) -> str:
    from builder.model.findings import FindingKind as Kind

    counts = {k: sum(1 for f in findings if f.kind is k) for k in Kind}
    parts = "，".join(f"{k.value}{n}" for k, n in counts.items() if n)
    return f"共{len(findings)}处问题（{parts}）" if findings else "未发现问题"


def _check(args: argparse.Namespace) -> int:
    findings = findings_for(args.source, briefs=args.briefs)
    for finding in findings:
        print(finding)
    print(_summary(findings), file=sys.stderr)
    return FINDINGS if findings else OK


def _build(args: argparse.Namespace) -> int:
    from builder.document.walk import figures

    briefs: tuple[Brief, ...] = ()
    problems = 0
    if args.briefs:
        from builder.command.briefs import build_with_briefs

        done = build_with_briefs(args.edition, args.output, final=args.final, since=args.since)
        built, briefs, problems = done.built, done.briefs, len(done.findings)
    else:
        built = build(args.edition, args.output, final=args.final, since=args.since)
    print(_summary(built.findings), file=sys.stderr)
    if built.findings and args.final:
        print("终稿不能带着问题生成：请先处理以上问题（builder check 可逐条列出），未写出任何文件", file=sys.stderr)
        for finding in built.findings:
            print(finding)
        return FINDINGS
    missing = sum(1 for f in figures(built.document) if f.missing)
    if missing:
        print(f"草稿：{missing} 处数字尚缺，以【待补】标出", file=sys.stderr)
    return _briefs_said(briefs, problems)


def _briefs_said(briefs: Sequence[Brief], problems: int) -> int:
    """The batch's last lines: what the check found for the briefs alone, then how many briefs
    were written, or which districts failed (exit 1)."""
    if problems:
        print(f"简报另有{problems}处问题（builder check --briefs 可逐条列出）", file=sys.stderr)
    failed = [brief.district for brief in briefs if brief.failure is not None]
    if failed:
        rest = f"，其余 {len(briefs) - len(failed)} 个已写出" if len(failed) < len(briefs) else ""
        print(f"{len(failed)} 个区的简报未生成：{'、'.join(failed)}（原因见上）{rest}", file=sys.stderr)
        return FINDINGS
    if briefs:
        print(f"已写出 {len(briefs)} 个区的简报", file=sys.stderr)
    return OK


def _diff(args: argparse.Namespace) -> int:
    from builder.command.reprinting import diff

    return diff(args.old, args.new)


def _refresh(args: argparse.Namespace) -> int:
    from builder.command.reprinting import refresh

    return refresh(args.edited, args.new, args.output)


def _fonts(args: argparse.Namespace) -> int:
    from builder.style import load_style
    from builder.style.fonts import describe, resolve, skip_warnings
    from builder.workbook.edition import load_edition

    edition = load_edition(args.edition) if args.edition.is_dir() else None
    resolved = resolve(load_style(), edition.font_dirs if edition else ())
    for line in describe(resolved):
        print(line)
    for line in skip_warnings(resolved):
        print(f"注意：{line}", file=sys.stderr)
    return OK


def _template(args: argparse.Namespace) -> int:
    from builder.command.outputs import Exists, write_all
    from builder.workbook import blank

    path: Path = args.file
    if path.suffix.lower() != ".xlsx":
        print(f"{path}: 模板文件名应以 .xlsx 结尾", file=sys.stderr)
        return UNREADABLE
    try:  # a filled workbook by that name is hours of an analyst's work
        write_all({path: blank.workbook_bytes()}, overwrite=args.force)
    except Exists:
        print(f"{path}: 文件已存在，未覆盖（确要覆盖请加 --force）", file=sys.stderr)
        return UNREADABLE
    print(f"已写出空白工作簿：{path}", file=sys.stderr)
    return OK
