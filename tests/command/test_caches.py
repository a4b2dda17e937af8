"""What a build keeps between runs, and the command that leaves at once.

`builder.caches.directory` (where the caches live), `builder.compose.template_cache` (Jinja's compiled
templates, as `builder.compose.annual.environment` uses them), `builder.style.fontcache` (parsed TrueType fonts,
as `builder.style.fonts.register(..., cache=True)` uses them) and `builder.command.cli.run` (`main`, then
`os._exit`), tried in a fresh interpreter.

Every test points `BUILDER_CACHE_DIR` at its own folder, so none reads or writes the user's cache.
"""

from __future__ import annotations

import io
import marshal
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.bccache import bc_magic
from jinja2.environment import Environment
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from builder import caches
from builder.command.pipeline import prepare
from builder.compose.annual import PARTS
from builder.compose.template_cache import TemplateCache, template_cache
from builder.document import Cell, Document, Heading, Paragraph, Table, Title
from builder.style import fontcache, fonts, load_style

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
PROSE = ("总述.j2", "工作情况.j2", "办理情况.j2", "年度计划.j2")  # the sample's prose files, each included by a part
LOADED = {f"部分/{part}.j2" for part in PARTS} | set(PROSE)  # every template the sample loads by name

GBSN = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
GKAI = Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
HAVE_FONTS = all(p.exists() for p in (GBSN, GKAI, WQY))
needs_fonts = pytest.mark.skipif(not HAVE_FONTS, reason="Debian CJK fonts not installed")
SAMPLE_TEXT = "北京市接诉即办工作2020年度公开报告：受理1022.3万件，环比增长（Report A-z）"


def text_of(document: Document) -> str:
    """Every title, heading, paragraph and table cell of a document, one a line."""

    def cells(rows: tuple[tuple[Cell, ...], ...]) -> list[str]:
        return [cell.text for row in rows for cell in row]

    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Title | Heading | Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            lines.extend([block.caption, *cells(block.header), *cells(block.rows)])
    return "\n".join(lines)


# ---------------------------------------------------------------- where the caches live


@pytest.fixture
def no_cache_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Neither cache variable set, and HOME at a folder of the test's own; returns that HOME."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv(caches.ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    return home


def test_builder_cache_dir_names_the_folder(no_cache_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(caches.ENV, "/srv/cache")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")  # BUILDER_CACHE_DIR comes first
    assert caches.directory("fonts") == Path("/srv/cache/fonts")
    assert caches.directory("templates") == Path("/srv/cache/templates")


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_builder_cache_dir_turns_caching_off(
    value: str, no_cache_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(caches.ENV, value)
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")  # not a fallback: caching is off
    assert caches.directory("fonts") is None
    assert fontcache.directory() is None
    assert template_cache() is None


def test_an_absolute_xdg_cache_home_is_used(no_cache_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/xdg-cache")
    assert caches.directory("templates") == Path("/var/xdg-cache/report-builder/templates")


@pytest.mark.parametrize("value", ["relative/cache", "./cache", "", "  "])
def test_a_relative_or_empty_xdg_cache_home_is_ignored(
    value: str, no_cache_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", value)
    assert caches.directory("fonts") == no_cache_env / ".cache" / "report-builder" / "fonts"


def test_without_any_variable_the_cache_is_under_home(no_cache_env: Path) -> None:
    assert caches.directory("templates") == no_cache_env / ".cache" / "report-builder" / "templates"


# ---------------------------------------------------------------- compiled templates


@pytest.fixture(scope="module")
def uncached() -> Document:
    """The sample composed with caching off: what every cached composition must equal."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(caches.ENV, "")
        _, document, findings = prepare(SAMPLE)
    assert len(findings) == 15
    return document


@pytest.fixture
def cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """BUILDER_CACHE_DIR at a fresh folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(caches.ENV, str(folder))
    return folder


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The names of the templates Jinja compiles from source (None for `from_string`), in order."""
    names: list[str | None] = []
    real: Any = Environment.compile

    def counting(
        self: Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        names.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    return names


def named(compiled: list[str | None]) -> set[str]:
    """The templates loaded by name that were compiled (the edition's title is compiled every time)."""
    return {name for name in compiled if name is not None}


def entries(folder: Path) -> list[Path]:
    return sorted((folder / "templates" / f"jinja-{jinja2.__version__}").glob("*.jinja"))


def test_the_environment_uses_the_template_cache(cache_dir: Path) -> None:
    from builder.compose.annual import environment
    from builder.workbook.edition import load_edition

    cache = environment(load_edition(SAMPLE)).bytecode_cache
    assert isinstance(cache, TemplateCache)
    assert Path(cache.directory) == cache_dir / "templates" / f"jinja-{jinja2.__version__}"  # a folder per Jinja


def test_second_composition_compiles_nothing_and_is_equal(
    cache_dir: Path, compiled: list[str | None], uncached: Document
) -> None:
    _, first, _ = prepare(SAMPLE)
    assert named(compiled) == LOADED  # nothing cached yet: every template compiled
    assert len(entries(cache_dir)) == len(LOADED)
    compiled.clear()
    _, second, _ = prepare(SAMPLE)
    assert named(compiled) == set()  # every part and prose template came from the cache
    assert first == second == uncached


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(64) + b"\x00garbage\xff" * 16)


def truncated_after(size: int) -> Any:
    def cut(path: Path) -> None:
        path.write_bytes(path.read_bytes()[:size])

    return cut


def halved(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def emptied(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    "damage",
    [garbage, halved, emptied, truncated_after(12), truncated_after(30)],
    ids=["garbage", "halved", "empty", "cut-in-header", "cut-after-header"],
)
def test_a_damaged_entry_is_a_miss(
    damage: Any, cache_dir: Path, compiled: list[str | None], uncached: Document
) -> None:
    prepare(SAMPLE)
    for entry in entries(cache_dir):
        damage(entry)
    compiled.clear()
    _, document, _ = prepare(SAMPLE)  # no exception escapes
    assert document == uncached
    assert named(compiled) == LOADED  # each damaged entry was compiled afresh ...
    compiled.clear()
    _, again, _ = prepare(SAMPLE)
    assert again == uncached
    assert named(compiled) == set()  # ... and written again whole


def not_code(path: Path) -> None:
    """The entry's own header and checksum, then a marshalled number where the compiled code belongs."""
    with path.open("rb") as f:
        header = f.read(len(bc_magic))
        checksum = pickle.load(f)
    path.write_bytes(header + pickle.dumps(checksum, 2) + marshal.dumps(42))


def test_an_entry_that_is_not_code_is_a_miss(
    cache_dir: Path, compiled: list[str | None], uncached: Document
) -> None:
    prepare(SAMPLE)
    for entry in entries(cache_dir):
        not_code(entry)
    compiled.clear()
    _, document, _ = prepare(SAMPLE)
    assert document == uncached and named(compiled) == LOADED


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_a_template_entry_owned_by_someone_else_is_not_run(
    cache_dir: Path, compiled: list[str | None], uncached: Document
) -> None:
    prepare(SAMPLE)
    for entry in entries(cache_dir):
        os.chown(entry, 12345, 12345)
    compiled.clear()
    _, document, _ = prepare(SAMPLE)
    assert document == uncached and named(compiled) == LOADED


def test_a_cache_folder_that_cannot_be_written_is_no_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, compiled: list[str | None], uncached: Document
) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"a regular file, not a folder")
    monkeypatch.setenv(caches.ENV, str(blocker / "x"))  # even root cannot make a folder inside a file
    for _ in range(2):
        compiled.clear()
        _, document, _ = prepare(SAMPLE)
        assert document == uncached
        assert named(compiled) == LOADED  # nothing could be kept, so everything is compiled each time
    assert blocker.read_bytes() == b"a regular file, not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_caching_off_writes_no_entry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, compiled: list[str | None], uncached: Document
) -> None:
    monkeypatch.setenv(caches.ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    _, document, _ = prepare(SAMPLE)
    assert document == uncached
    assert named(compiled) == LOADED
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


ADDED = "本句为测试缓存而新增，不应被旧的编译结果遮住。"


def append_sentence(path: Path) -> str:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{ADDED}\n", encoding="utf-8")
    return ADDED


def same_size_same_mtime(path: Path) -> str:
    """One character for another of the same UTF-8 length, and the old modification time put back."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "编制本报告" in text
    path.write_text(text.replace("编制本报告", "编写本报告"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    return "编写本报告"


@pytest.mark.parametrize("edit", [append_sentence, same_size_same_mtime], ids=["appended", "same-size"])
def test_an_edited_prose_file_is_not_served_stale(
    edit: Any, cache_dir: Path, tmp_path: Path, compiled: list[str | None]
) -> None:
    edition = tmp_path / "2020"
    shutil.copytree(SAMPLE, edition)
    _, before, _ = prepare(edition)
    new_text: str = edit(edition / "prose" / "总述.j2")
    assert new_text not in text_of(before)
    compiled.clear()
    _, after, _ = prepare(edition)
    assert new_text in text_of(after)
    assert named(compiled) == {"总述.j2"}  # the edited file compiled again, the rest from the cache


# ---------------------------------------------------------------- parsed fonts


@pytest.fixture
def font_cache(cache_dir: Path) -> Path:
    """The folder font entries go to."""
    folder = fontcache.directory()
    assert folder == cache_dir / "fonts"
    return folder


def font_entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def widths(font: Any, text: str = SAMPLE_TEXT) -> list[float]:
    return [font.stringWidth(ch, 12) for ch in text]


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """ReportLab's font registry and `builder.style.fonts`' record of it emptied, as in a new process."""
    monkeypatch.setattr(fonts, "_REGISTERED", {})
    monkeypatch.setattr(fonts, "_BAD", set())
    monkeypatch.setattr(pdfmetrics, "_fonts", {})
    monkeypatch.setattr(pdfmetrics, "_dynFaceNames", {})


def forget_registrations() -> None:
    fonts._REGISTERED.clear()
    fonts._BAD.clear()
    pdfmetrics._fonts.clear()
    pdfmetrics._dynFaceNames.clear()


@needs_fonts
@pytest.mark.usefixtures("fresh_registry")
def test_registering_twice_parses_once(font_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[str] = []
    real = TTFont  # what `builder.style.fonts` parses with

    def counting(*args: Any, **kwargs: Any) -> Any:
        parses.append(str(args[1]))
        return real(*args, **kwargs)

    monkeypatch.setattr(fonts, "TTFont", counting)
    style = load_style()
    first = fonts.register(style, (), cache=True)
    faces = {(f.path, f.subfont) for f in first.values()}
    names = sorted({fonts._REGISTERED[(f.path, f.subfont)] for f in first.values()})  # the faces, not their chains
    assert sorted(parses) == sorted(str(path) for path, _ in faces)  # an empty cache: each face parsed
    assert len(font_entries(font_cache)) == len(faces) == 5  # Fandol's 仿宋, 宋, bold 宋, 黑, 楷
    parsed = {name: [pdfmetrics.stringWidth(ch, name, 12) for ch in SAMPLE_TEXT] for name in names}

    forget_registrations()
    parses.clear()
    second = fonts.register(style, (), cache=True)
    assert second == first
    assert parses == []  # every face came from the cache
    for name in names:
        assert type(pdfmetrics.getFont(name)) is real
        assert [pdfmetrics.stringWidth(ch, name, 12) for ch in SAMPLE_TEXT] == parsed[name]


@needs_fonts
@pytest.mark.parametrize(("path", "subfont"), [(GBSN, 0), (GKAI, 0), (WQY, 0), (WQY, 1)])
def test_a_stored_font_loads_back_the_same(font_cache: Path, path: Path, subfont: int) -> None:
    name = f"test-{path.stem}-{subfont}"
    parsed = TTFont(name, str(path), subfontIndex=subfont)
    assert fontcache.load(name, path, subfont) is None  # nothing kept yet
    fontcache.store(parsed, name, path, subfont)
    assert len(font_entries(font_cache)) == 1
    loaded = fontcache.load(name, path, subfont)
    assert isinstance(loaded, TTFont) and loaded is not parsed
    assert loaded.fontName == name and loaded.face.name == parsed.face.name
    assert widths(loaded) == widths(parsed)
    assert loaded.face.charToGlyph == parsed.face.charToGlyph
    assert loaded.face.charWidths == parsed.face.charWidths
    assert fontcache.load(f"{name}-other", path, subfont) is None  # another name is another entry


def pdf_with(font: Any) -> bytes:
    """A one-line PDF typed in `font`, with no timestamps or random ids."""
    saved_fonts, saved_faces = pdfmetrics._fonts, pdfmetrics._dynFaceNames
    pdfmetrics._fonts, pdfmetrics._dynFaceNames = {}, {}
    try:
        pdfmetrics.registerFont(font)
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        canvas.setFont(font.fontName, 12)
        canvas.drawString(72, 720, SAMPLE_TEXT)
        canvas.save()
        return out.getvalue()
    finally:
        pdfmetrics._fonts, pdfmetrics._dynFaceNames = saved_fonts, saved_faces


@needs_fonts
def test_a_loaded_font_embeds_as_the_parsed_one(font_cache: Path) -> None:
    name = "test-embed"
    fontcache.store(TTFont(name, str(GKAI)), name, GKAI, 0)
    loaded = fontcache.load(name, GKAI, 0)
    assert loaded is not None
    assert pdf_with(loaded) == pdf_with(TTFont(name, str(GKAI)))  # the same subset, widths and glyphs


class Boom:
    """Unpickling this would make a folder; a font entry must refuse it."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (os.mkdir, (str(self.target),))


def refill(entry: Path, make: Any) -> None:
    entry.write_bytes(make(entry))


@needs_fonts
@pytest.mark.parametrize(
    "bad",
    [
        lambda _e: os.urandom(300),
        lambda e: e.read_bytes()[: len(e.read_bytes()) // 2],
        lambda _e: b"",
        lambda _e: pickle.dumps(("not", "an", "entry")),
        lambda _e: pickle.dumps({"plain": [1, 2, 3]}),
        lambda e: pickle.dumps(Boom(e.parent.parent / "unpickled")),
    ],
    ids=["garbage", "halved", "empty", "wrong-tuple", "wrong-shape", "code"],
)
def test_a_bad_font_entry_is_a_miss(bad: Any, font_cache: Path) -> None:
    name = "test-bad"
    parsed = TTFont(name, str(GBSN))
    fontcache.store(parsed, name, GBSN, 0)
    (entry,) = font_entries(font_cache)
    refill(entry, bad)
    assert fontcache.load(name, GBSN, 0) is None  # no exception either
    assert not (font_cache.parent / "unpickled").exists()  # nothing in the entry was run
    fontcache.store(parsed, name, GBSN, 0)  # the next parse writes it again
    loaded = fontcache.load(name, GBSN, 0)
    assert loaded is not None and widths(loaded) == widths(parsed)


@needs_fonts
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_an_entry_owned_by_someone_else_is_not_trusted(font_cache: Path) -> None:
    name = "test-foreign"
    fontcache.store(TTFont(name, str(GBSN)), name, GBSN, 0)
    (entry,) = font_entries(font_cache)
    assert fontcache.load(name, GBSN, 0) is not None
    os.chown(entry, 4242, -1)
    assert fontcache.load(name, GBSN, 0) is None


@pytest.fixture
def own_font(tmp_path: Path) -> Iterator[Path]:
    """A copy of the Kaiti font in a folder of the test's own."""
    folder = tmp_path / "src"
    folder.mkdir()
    copy = folder / "kai.ttf"
    shutil.copyfile(GKAI, copy)
    yield copy


def touched(path: Path) -> None:
    os.utime(path)


def rewritten_in_place(path: Path) -> None:
    """One byte changed, the size and modification time as they were (the change time still moves)."""
    before = path.stat()
    with open(path, "r+b") as f:
        f.seek(-1, os.SEEK_END)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xFF]))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def replaced_by_another_font(path: Path) -> None:
    shutil.copyfile(GBSN, path)


@needs_fonts
@pytest.mark.parametrize(
    "change", [touched, rewritten_in_place, replaced_by_another_font], ids=["touched", "same-size", "replaced"]
)
def test_an_entry_for_a_changed_font_file_is_not_reused(change: Any, font_cache: Path, own_font: Path) -> None:
    name = "test-own"
    fontcache.store(TTFont(name, str(own_font)), name, own_font, 0)
    assert fontcache.load(name, own_font, 0) is not None
    time.sleep(0.05)  # past the file system's clock tick, so the file's times do move
    change(own_font)
    assert fontcache.load(name, own_font, 0) is None


@needs_fonts
def test_a_replaced_font_file_gets_its_own_entry(font_cache: Path, own_font: Path) -> None:
    name = "test-own"
    kai = TTFont(name, str(own_font))
    fontcache.store(kai, name, own_font, 0)
    time.sleep(0.05)
    shutil.copyfile(GBSN, own_font)
    song = TTFont(name, str(own_font))
    assert song.face.name != kai.face.name  # the two fonts can be told apart
    fontcache.store(song, name, own_font, 0)
    loaded = fontcache.load(name, own_font, 0)
    assert loaded is not None and loaded.face.name == song.face.name
    assert loaded.face.charWidths == song.face.charWidths
    assert len(font_entries(font_cache)) == 1  # one entry a face, replaced


@needs_fonts
def test_a_font_cache_that_cannot_be_written_is_no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    monkeypatch.setenv(caches.ENV, str(blocker / "x"))
    font = TTFont("test-blocked", str(GBSN))
    fontcache.store(font, "test-blocked", GBSN, 0)  # no exception
    assert fontcache.load("test-blocked", GBSN, 0) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"] and blocker.read_bytes() == b""


@needs_fonts
def test_with_caching_off_nothing_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(caches.ENV, "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    fontcache.store(TTFont("test-off", str(GBSN)), "test-off", GBSN, 0)
    assert fontcache.load("test-off", GBSN, 0) is None
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the command in its own process


def command_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BUILDER_DEBUG"}
    env[caches.ENV] = str(tmp_path / "cache")
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def builder_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "builder", *args]


@needs_fonts
def test_build_command_writes_four_outputs_and_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run(
        builder_command("build", "inputs/2020", "-o", str(out)),
        cwd=ROOT,
        env=command_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 5, names
    assert sum(n.endswith(".pdf") for n in names) == 1
    assert sum(n.endswith(".html") for n in names) == 1
    assert sum(n.endswith(".docx") for n in names) == 1
    assert sum(n.endswith("-校对清单.xlsx") for n in names) == 1
    assert "检查结果.txt" in names
    assert next(out.glob("*.pdf")).read_bytes().startswith(b"%PDF-")
    assert len((out / "检查结果.txt").read_text(encoding="utf-8").splitlines()) == 15
    last = run.stderr.strip().splitlines()[-3:]
    assert any("共15处问题" in line for line in last), last


def test_build_of_a_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    run = subprocess.run(
        builder_command("build", "nosuch-folder"),
        cwd=ROOT,
        env=command_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr and "内部错误" not in run.stderr
    problems = [line for line in run.stderr.splitlines() if not line.startswith("第")]  # not the step lines
    assert len(problems) == 1, run.stderr
    assert "nosuch-folder" in problems[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problems[0])  # said in Chinese
    assert not (ROOT / "out" / "nosuch-folder").exists()


@pytest.mark.parametrize("unbuffered", ["1", None], ids=["unbuffered", "buffered"])
def test_output_to_a_closed_pipe_neither_hangs_nor_tracebacks(unbuffered: str | None, tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # whatever the command prints to stdout meets a pipe nobody reads
    try:
        run = subprocess.run(
            builder_command("check", "inputs/2020"),
            cwd=ROOT,
            env=command_env(tmp_path, PYTHONUNBUFFERED=unbuffered),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert run.returncode != 0  # the findings were not all said
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr
    assert "内部错误" not in run.stderr


def test_build_with_stderr_on_a_closed_pipe_exits_with_a_cli_code(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        run = subprocess.run(
            builder_command("build", "inputs/2020", "-o", str(tmp_path / "out")),
            cwd=ROOT,
            env=command_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=write_end,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert run.returncode in (0, 2)  # 1 means “findings” (check, or build --final)
