"""Outputs kept between builds by what they were made from (`builder.caches.kept`): charts' SVG,
drawings and DOCX parts, the DOCX styles.

What a build writes is the same, byte for byte, with the cache off, empty or full, and after a
figure changes; an entry that is damaged, replaced by a link or a FIFO, or holds anything but
shapes, is a miss and never an error; a full folder is pruned.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from reportlab.graphics import shapes

from builder import caches
from builder.writers.drawing import kept as kept_drawings
from tests.conftest import SAMPLE, edition_copy, rows_by_label

KINDS = ("chart-svg", "chart-drawing", "chart-xlsx", "chart-xml", "docx-styles")


def build(edition: Path, out: Path, cache: Path | None) -> dict[str, bytes]:
    """`builder build` of `edition` into `out` in a fresh process, with the cache at `cache` (None: off)."""
    env = {**os.environ, caches.ENV: str(cache) if cache is not None else ""}
    run = subprocess.run(
        [sys.executable, "-m", "builder", "build", str(edition), "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def sample_off(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return build(SAMPLE, tmp_path_factory.mktemp("off") / "out", None)


def test_the_outputs_are_the_same_with_the_cache_off_empty_and_full(sample_off: dict[str, bytes], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = build(SAMPLE, tmp_path / "cold", cache)
    for kind in KINDS:
        assert len(list((cache / kind).iterdir())) >= 1, kind
    warm = build(SAMPLE, tmp_path / "warm", cache)
    assert len(sample_off) == 5
    assert cold == sample_off
    assert warm == sample_off


def test_a_changed_figure_is_drawn_anew_not_taken_from_the_cache(sample_off: dict[str, bytes], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(SAMPLE, tmp_path / "first", cache)

    def more_in_january(wb: Any) -> None:
        sheet = wb["类型月度"]
        row = rows_by_label(sheet)[1]
        sheet.cell(row, 2).value = int(sheet.cell(row, 2).value) + 12345

    changed = edition_copy(tmp_path / "edition", more_in_january)
    warm = build(changed, tmp_path / "warm", cache)
    off = build(changed, tmp_path / "off", None)
    assert warm == off
    page = next(name for name in warm if name.endswith(".html"))
    assert warm[page] != sample_off[page]  # the change reached a chart the page draws


# ---------------------------------------------------------------- the store


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv(caches.ENV, str(tmp_path))
    return tmp_path / "kind"


def counted(data: bytes) -> tuple[list[int], Any]:
    calls: list[int] = []

    def make() -> bytes:
        calls.append(1)
        return data

    return calls, make


def test_an_entry_is_made_once_then_read(store: Path) -> None:
    calls, make = counted(b"made")
    assert caches.kept("kind", "k", make) == b"made"
    assert caches.kept("kind", "k", make) == b"made"
    assert caches.kept("kind", "other", make) == b"made"
    assert len(calls) == 2
    assert len(list(store.iterdir())) == 2


def only_entry(store: Path) -> Path:
    (entry,) = [p for p in store.iterdir() if not p.name.startswith(".")]
    return entry


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "link", "fifo", "folder"])
def test_a_damaged_or_strange_entry_is_a_miss(damage: str, store: Path, tmp_path: Path) -> None:
    calls, make = counted(b"the real bytes")
    caches.kept("kind", "k", make)
    entry = only_entry(store)
    data = entry.read_bytes()
    entry.unlink()
    if damage == "flip":
        entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    elif damage == "truncate":
        entry.write_bytes(data[:-3])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "link":
        (tmp_path / "elsewhere").write_bytes(data)
        entry.symlink_to(tmp_path / "elsewhere")
    elif damage == "fifo":
        os.mkfifo(entry)
    else:
        entry.mkdir()
    assert caches.kept("kind", "k", make) == b"the real bytes"
    assert len(calls) == 2


def test_with_caching_off_nothing_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(caches.ENV, "")
    calls, make = counted(b"x")
    caches.kept("kind", "k", make)
    caches.kept("kind", "k", make)
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    monkeypatch.setenv(caches.ENV, str(blocker))  # its kinds' folders would be inside a file
    calls, make = counted(b"x")
    assert caches.kept("kind", "k", make) == b"x"
    assert caches.kept("kind", "k", make) == b"x"
    assert len(calls) == 2


def test_a_full_folder_keeps_its_most_recently_used_half(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store.mkdir()
    for n in range(12):
        entry = store / hashlib.sha256(str(n).encode()).hexdigest()
        entry.write_bytes(b"")
        os.utime(entry, ns=(n * 10**9, n * 10**9))  # entry 11 the most recently used
    (store / "not-an-entry").write_bytes(b"")
    monkeypatch.setattr(caches, "_MOST", 8)
    monkeypatch.setattr(caches, "_pruned", set())
    caches.kept("kind", "new", lambda: b"new")
    left = {p.name for p in store.iterdir()}
    assert "not-an-entry" in left
    assert hashlib.sha256(b"11").hexdigest() in left and hashlib.sha256(b"0").hexdigest() not in left
    assert len(left) == 4 + 1 + 1  # half of the limit, the file that is not an entry, the new one


def test_a_kept_drawing_holds_nothing_but_shapes() -> None:
    class Planted:
        def __reduce__(self) -> tuple[Any, tuple[str]]:
            return (os.system, ("true",))

    with pytest.raises(pickle.UnpicklingError):
        kept_drawings._shapes(pickle.dumps(Planted()))
    with pytest.raises(pickle.UnpicklingError):  # a function of an admitted module is not a shape
        kept_drawings._shapes(pickle.dumps(shapes.translate))


KEPT_DOCX = """
import sys
from pathlib import Path
from builder.command.pipeline import Job, prepare_all, write_docx
from builder.style import load_style
prepared = prepare_all(Path(sys.argv[1]))
write_docx(Job(prepared.document, load_style(), prepared.edition.font_dirs), {})
print("pptx" in sys.modules)
"""


def test_a_docx_whose_charts_are_all_kept_does_not_import_python_pptx(tmp_path: Path) -> None:
    env = {**os.environ, caches.ENV: str(tmp_path / "cache")}
    runs = [
        subprocess.run([sys.executable, "-c", KEPT_DOCX, str(SAMPLE)], env=env, capture_output=True, text=True, timeout=300)
        for _ in range(2)
    ]
    assert [run.stdout.strip() for run in runs] == ["True", "False"], [run.stderr for run in runs]
