"""A signal's exception raised while a finalizer runs is dropped by Python ("Exception ignored
in …"): Ctrl-C landing in a `__del__` must still stop the build, and the template timer ringing in
one must neither print a traceback nor let the template run on."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from builder.compose.sandbox import BoundedEnvironment, Bounds

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"

INTERRUPTED_IN_A_FINALIZER = """
import sys
from builder.command import pipeline
from builder.command.cli import main

real = pipeline.prepare_all

class Finalizer:
    def __del__(self):
        raise KeyboardInterrupt  # as Ctrl-C does when it lands while a finalizer runs

def prepare_all(*args, **kwargs):
    prepared = real(*args, **kwargs)
    Finalizer()  # dropped at once, so its finalizer runs here
    return prepared

pipeline.prepare_all = prepare_all
sys.exit(main(["build", sys.argv[1], "-o", sys.argv[2]]))
"""


def test_ctrl_c_in_a_finalizer_still_stops_the_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "编辑手记.txt").write_text("原样留下", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(INTERRUPTED_IN_A_FINALIZER), str(SAMPLE), str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={"BUILDER_JOBS": "1", "PATH": ""},
    )
    assert run.returncode == 130, run.stderr
    assert "Traceback" not in run.stderr and "Exception ignored" not in run.stderr, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["编辑手记.txt"]  # nothing written, nothing left


class Rings:
    def __init__(self, raised: type[BaseException]) -> None:
        self.raised = raised

    def __del__(self) -> None:
        raise self.raised


def test_the_template_timer_ringing_in_a_finalizer_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    from builder.compose.sandbox import TimeUp

    bounds = Bounds(BoundedEnvironment(), seconds=5)
    with bounds.rendering():
        Rings(TimeUp)  # dropped at once: the timer rang while its finalizer ran
    assert capsys.readouterr().err == ""


def test_other_exceptions_in_finalizers_are_still_reported(capsys: pytest.CaptureFixture[str]) -> None:
    bounds = Bounds(BoundedEnvironment(), seconds=5)
    hook = sys.unraisablehook
    seen: list[BaseException | None] = []
    sys.unraisablehook = lambda unraisable: seen.append(unraisable.exc_value)
    try:
        with bounds.rendering():
            Rings(ValueError)
        assert [type(e) for e in seen] == [ValueError]
        assert sys.unraisablehook is not hook  # our own, put back after rendering
    finally:
        sys.unraisablehook = hook
