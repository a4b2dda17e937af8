"""A build's worker processes (`builder.command.workers`): the same files, lines and errors as one process.

The build tests run `builder build` on the sample edition with workers and compare it with one
module-scoped build done in one process (`BUILDER_JOBS=1`): a worker that dies without a result,
or raises, must change neither the files nor the messages. The unit tests drive `Workers` with
tiny module-level tasks.

Every test makes this process a child subreaper (Linux `prctl`), so a worker orphaned by the
death of its parent is re-parented here and shows in `children()` instead of escaping to init;
an alarm bounds each test, so a worker that never ends fails the test instead of hanging it.
Workers form a process group that `close` stops whole, so a sibling does not outlive a first worker
that is gone, nor one stopped while it forks.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import signal
import sys
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import pytest

from builder.command import pipeline as build_module
from builder.command import workers as parallel
from builder.command.cli import main
from builder.command.workers import Progress, Receive
from builder.style import fonts as fonts_module
from builder.style.fonts import FontError
from builder.writers import pdf as pdf_module

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
LIMIT = 30  # seconds any one test may take before it counts as hung
NO_FONT = "没有可用的中文字体：请以 root 运行 apt-get install fonts-arphic-gbsn00lp"

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or parallel.cores() < 2,
    reason="workers need fork and two cores; the checks read /proc",
)

Children = Callable[[], dict[int, str]]


class Hung(BaseException):
    """The test's deadline passed (a BaseException, so `builder.command.cli.main` does not swallow it)."""


class Run(NamedTuple):
    code: int
    files: dict[str, bytes]  # by name, as written to the output folder
    lines: list[str]  # standard error, the output folder written as <out>


# ---------------------------------------------------------------- helpers


def _prctl(option: int, value: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    return int(libc.prctl(option, value, 0, 0, 0))


def _children_of(parent: int) -> dict[int, str]:
    """The processes whose parent is `parent`, with their state letter (Z: ended, not yet reaped)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        state, ppid = stat.rpartition(")")[2].split()[:2]
        if int(ppid) == parent:
            found[int(entry.name)] = state
    return found


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "gave up waiting"
        time.sleep(0.005)


def _nothing() -> None:
    return None


def _marking(marker: Path, then: Callable[[], object] = _nothing) -> Callable[[], object]:
    """A warm-up that first leaves `marker`: the worker has got that far."""

    def warm() -> object:
        marker.touch()
        return then()

    return warm


def _still_running(children: Children, grace: float = 5.0) -> list[int]:
    """The children still running after `grace` seconds (ended ones are left for the fixture to reap)."""
    end = time.monotonic() + grace
    while True:
        running = [pid for pid, state in children().items() if state != "Z"]
        if not running or time.monotonic() > end:
            return running
        time.sleep(0.01)


def _outcome(code: int, out: Path, err: str) -> Run:
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.is_dir() else {}
    return Run(code, files, err.replace(str(out), "<out>").splitlines())


def _build(out: Path, capsys: pytest.CaptureFixture[str], edition: Path = SAMPLE) -> Run:
    capsys.readouterr()
    code = main(["build", str(edition), "-o", str(out)])
    return _outcome(code, out, capsys.readouterr().err)


def _different(run: Run, reference: Run) -> list[str]:
    """The file names whose bytes differ or that only one of the two builds wrote."""
    names = set(run.files) | set(reference.files)
    return sorted(n for n in names if run.files.get(n) != reference.files.get(n))


# ---------------------------------------------------------------- fixtures

FONT_NOTE = "字体文件 /测试/FangSong.ttf：缺少 1 个常用字（如“的”），不用于 body"


@pytest.fixture(scope="module", autouse=True)
def _the_pdf_task_says_a_line() -> Iterator[None]:
    """The PDF task's fonts note on every build here, as on a machine with an edition font it skips:
    a set-up machine has none to give, and `pdf-after-a-line` needs the PDF task to say one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fonts_module, "skip_warnings", lambda _resolved: [FONT_NOTE])
        yield


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    def expired(_signum: int, _frame: types.FrameType | None) -> None:
        raise Hung(f"still running after {LIMIT} s: a worker or a wait that never ends?")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def children() -> Iterator[Children]:
    """This process's children started during the test, orphaned workers included (it is their subreaper)."""
    if _prctl(PR_SET_CHILD_SUBREAPER, 1) != 0:
        pytest.skip("cannot become a child subreaper")
    me, before = os.getpid(), set(_children_of(os.getpid()))

    def new() -> dict[int, str]:
        return {pid: state for pid, state in _children_of(me).items() if pid not in before}

    try:
        yield new
    finally:
        _prctl(PR_SET_CHILD_SUBREAPER, 0)
        for pid in new():  # a worker the test left behind: ours to stop and reap
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


@pytest.fixture
def workers_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.DISABLE, raising=False)
    assert parallel.available(), "this process cannot fork workers (another thread running?): nothing would be tested"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, workers_on: None) -> list[parallel.Workers | None]:
    """What each build's `start_workers` returned, recorded as the build calls it."""
    made: list[parallel.Workers | None] = []
    real = build_module.start_workers

    def recording(edition_path: Path, formats: tuple[str, ...]) -> parallel.Workers | None:
        made.append(real(edition_path, formats))
        return made[-1]

    monkeypatch.setattr(build_module, "start_workers", recording)
    return made


def _the_workers(started: list[parallel.Workers | None]) -> parallel.Workers:
    assert len(started) == 1
    workers = started[0]
    assert isinstance(workers, parallel.Workers), "the build did not fork its workers"
    assert workers.closed
    return workers


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The sample edition built with BUILDER_JOBS=1, which must fork nothing."""
    out = tmp_path_factory.mktemp("one-process") / "out"
    err = io.StringIO()
    forks: list[int] = []
    real_fork = os.fork

    def counting() -> int:
        forks.append(1)
        return real_fork()

    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stderr(err):
        patch.setenv(parallel.DISABLE, "1")
        patch.setattr(os, "fork", counting)
        code = main(["build", str(SAMPLE), "-o", str(out)])
    assert forks == []
    reference = _outcome(code, out, err.getvalue())
    assert reference.code == 0 and len(reference.files) == 5
    return reference


# ---------------------------------------------------------------- builds with workers


def test_workers_write_the_same_files_and_lines_as_one_process(
    one_process: Run,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    started: list[parallel.Workers | None],
    children: Children,
) -> None:
    run = _build(tmp_path / "out", capsys)
    assert run.code == 0
    assert sorted(run.files) == sorted(one_process.files)
    assert _different(run, one_process) == []
    assert run.lines == one_process.lines
    assert _the_workers(started).done == [True, True]  # both results came from the workers
    assert children() == {}, "a worker outlived the build"


def _pdf_dies(_job: object, _progress: Progress, _receive: Receive) -> NoReturn:
    os._exit(3)


def _pdf_dies_after_its_first_line(job: build_module.Job, progress: Progress, _receive: Receive) -> NoReturn:
    def say_then_die(text: str) -> None:  # the fonts warning reaches the build, then the worker is gone
        progress(text)
        os._exit(3)

    build_module.render_pdf(job, say_then_die)
    os._exit(3)


def _docx_dies(_job: object, _progress: Progress, _receive: Receive) -> NoReturn:
    os._exit(3)


def _docx_dies_once_told(_job: object, _progress: Progress, receive: Receive) -> NoReturn:
    receive()  # the PDF's contents pages
    os._exit(3)


@pytest.mark.parametrize(
    ("task", "dying", "done"),
    [
        ("_pdf_task", _pdf_dies, [False, True]),
        ("_pdf_task", _pdf_dies_after_its_first_line, [False, True]),
        ("_docx_task", _docx_dies, [True, False]),
        ("_docx_task", _docx_dies_once_told, [True, False]),
    ],
    ids=["pdf", "pdf-after-a-line", "docx", "docx-once-told"],
)
def test_a_lost_worker_is_redone_by_the_build(
    task: str,
    dying: parallel.Task,
    done: list[bool],
    one_process: Run,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    started: list[parallel.Workers | None],
    children: Children,
) -> None:
    monkeypatch.setattr(build_module, task, dying)  # forked after this: the worker runs `dying`
    run = _build(tmp_path / "out", capsys)
    assert run.code == 0
    assert _different(run, one_process) == []
    assert run.lines == one_process.lines  # a line the lost worker had shown is not shown again
    assert _the_workers(started).done == done  # the one that died gave no result
    assert _still_running(children) == []


def test_the_lost_worker_had_a_line_to_show(one_process: Run) -> None:
    """`pdf-after-a-line` above tests something only if the PDF task says something."""
    assert [line for line in one_process.lines if line.startswith("注意：")] == [f"注意：{FONT_NOTE}"]


def _no_font(*_: object, **__: object) -> NoReturn:
    raise FontError(NO_FONT)


def _typesetting_fails(*_: object, **__: object) -> NoReturn:
    raise RuntimeError("排版失败（测试）")


@pytest.mark.parametrize(
    ("module", "name", "failing", "last", "code"),
    [
        (fonts_module, "register", _no_font, NO_FONT, 2),
        (pdf_module, "render", _typesetting_fails, "内部错误：RuntimeError: 排版失败（测试）", 3),
    ],
    ids=["font-error", "internal-error"],
)
def test_an_error_in_a_worker_is_the_builds_error(
    module: types.ModuleType,
    name: str,
    failing: Callable[..., NoReturn],
    last: str,
    code: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    started: list[parallel.Workers | None],
    children: Children,
) -> None:
    monkeypatch.delenv("BUILDER_DEBUG", raising=False)
    monkeypatch.setattr(module, name, failing)
    workers = _build(tmp_path / "workers", capsys)
    assert _the_workers(started).done[0]  # the PDF worker sent its error: not lost, not redone here
    assert children() == {}, "a worker outlived the failed build"
    monkeypatch.setenv(parallel.DISABLE, "1")
    alone = _build(tmp_path / "alone", capsys)
    assert len(started) == 2 and started[1] is None
    assert workers.code == alone.code == code
    assert workers.lines == alone.lines
    assert workers.lines[-1].startswith(last)
    assert sum(line.startswith(last) for line in workers.lines) == 1
    assert workers.files == alone.files == {}
    assert list(tmp_path.iterdir()) == []


def _failing_once(marker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build reads its workbook only once the PDF worker has forked the DOCX one and begun its own warm-up."""
    real_warm, real_prepare = build_module._pdf_warm, build_module.prepare_all

    def marking(edition_path: Path) -> Callable[[], object]:
        return _marking(marker, real_warm(edition_path))

    def waiting(path: Path, **options: Any) -> Any:
        _wait_for(marker.exists)
        return real_prepare(path, **options)

    monkeypatch.setattr(build_module, "_pdf_warm", marking)
    monkeypatch.setattr(build_module, "prepare_all", waiting)


@pytest.mark.parametrize("when", ["at-once", "with-both-workers-up"])
def test_a_build_that_fails_early_leaves_no_worker(
    when: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    started: list[parallel.Workers | None],
    children: Children,
) -> None:
    if when == "with-both-workers-up":
        _failing_once(tmp_path / "warming", monkeypatch)
    missing = tmp_path / "no-such-edition"
    run = _build(tmp_path / "out", capsys, edition=missing)
    assert run.code == 2
    assert run.lines[-1] == f"{missing}: 文件不存在"
    assert run.files == {}
    assert _the_workers(started).done == [False, False]
    if when == "at-once":  # a DOCX worker forked just then dies of its SIGTERM a moment after the build returns
        assert _still_running(children) == [], "a worker kept running after the failed build"
    else:
        # a stopped worker's own child (its fc-list) may be left a zombie for the reaper: not running
        assert _still_running(children, grace=1.0) == [], "a worker outlived the failed build"


def _slow_docx(job: build_module.Job, _progress: Progress, receive: Receive) -> tuple[bytes, None]:
    time.sleep(10)
    return build_module.write_docx(job, receive()), None


def test_a_failed_redo_after_a_lost_pdf_worker_leaves_no_worker(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    started: list[parallel.Workers | None],
    children: Children,
) -> None:
    monkeypatch.setattr(build_module, "_pdf_task", _pdf_dies)
    monkeypatch.setattr(build_module, "_docx_task", _slow_docx)
    monkeypatch.setattr(build_module, "render_pdf", _no_font)  # the build's own redo of the PDF fails
    run = _build(tmp_path / "out", capsys)
    assert run.code == 2 and run.lines[-1] == NO_FONT
    assert _the_workers(started).done == [False, False]
    assert _still_running(children, grace=1.0) == [], "the DOCX worker outlived the build"


def _slow_warm_up() -> None:
    time.sleep(10)


def test_a_build_stopped_while_the_pdf_worker_forks_leaves_no_worker(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    started: list[parallel.Workers | None],
    children: Children,
) -> None:
    """The race widened: the PDF worker's `os.fork` returns 2 s late, as a slow fork under load would."""
    me, real_fork = os.getpid(), os.fork

    def slow_to_return() -> int:
        pid = real_fork()
        if pid > 0 and os.getpid() != me:  # in the PDF worker, the DOCX worker forked
            time.sleep(2)
        return pid

    real_prepare = build_module.prepare_all

    def failing_once_forked(path: Path, **options: Any) -> Any:
        first = started[-1]
        assert first is not None
        _wait_for(lambda: bool(_children_of(first.pid)))
        return real_prepare(path, **options)

    monkeypatch.setattr(os, "fork", slow_to_return)
    monkeypatch.setattr(build_module, "_import_docx", _slow_warm_up)  # the DOCX worker, still there when we look
    monkeypatch.setattr(build_module, "prepare_all", failing_once_forked)
    run = _build(tmp_path / "out", capsys, edition=tmp_path / "no-such-edition")
    assert run.code == 2
    assert _still_running(children, grace=1.0) == [], "the DOCX worker outlived the build"


# ---------------------------------------------------------------- Workers itself, with tiny tasks


def _warm_up_fails() -> NoReturn:
    raise RuntimeError("a wrong guess")


def _double(job: int, _progress: Progress, _receive: Receive) -> int:
    return job * 2


def _triple(job: int, _progress: Progress, _receive: Receive) -> int:
    return job * 3


def _chatty(job: list[str], progress: Progress, _receive: Receive) -> int:
    for line in job:
        progress(line)
    return len(job)


def _told(job: object, _progress: Progress, receive: Receive) -> tuple[object, object, object]:
    return job, receive(), receive()


def _raises_value_error(job: str, _progress: Progress, _receive: Receive) -> NoReturn:
    raise ValueError(f"坏的任务：{job}")


class Awkward(Exception):
    """An exception that does not come back from pickling (its constructor wants two arguments)."""

    def __init__(self, what: str, count: int) -> None:
        super().__init__(f"{what}×{count}")


def _raises_awkward(job: str, _progress: Progress, _receive: Receive) -> NoReturn:
    raise Awkward(job, 2)


def _says_then_dies(job: str, progress: Progress, _receive: Receive) -> NoReturn:
    progress(job)
    os._exit(3)


def _unpicklable() -> Iterator[int]:
    return (n for n in range(3))  # a generator: pickle refuses it


def _unpicklable_result(_job: object, _progress: Progress, _receive: Receive) -> Iterator[int]:
    return _unpicklable()


def _sleeps(_job: object, _progress: Progress, _receive: Receive) -> None:
    time.sleep(LIMIT * 2)


def _ignore(_text: str) -> None:
    return None


Start = Callable[..., parallel.Workers]


@pytest.fixture
def start(workers_on: None) -> Iterator[Start]:
    """`Workers.start` with do-nothing warm-ups: the first task, then one sibling per further task."""
    made: list[parallel.Workers] = []

    def starting(
        first: parallel.Task,
        *siblings: parallel.Task,
        warm_shared: Callable[[], object] = _nothing,
        warm_first: Callable[[], object] = _nothing,
        warm_sibling: Callable[[], object] = _nothing,
    ) -> parallel.Workers:
        workers = parallel.Workers.start(
            warm_shared, warm_first, first, [parallel.Sibling(warm_sibling, task) for task in siblings]
        )
        assert workers is not None
        made.append(workers)
        return workers

    yield starting
    for workers in made:
        workers.close()


def test_results_come_back_by_worker(start: Start, children: Children) -> None:
    workers = start(_double, _triple)
    workers.send([2, 5])
    assert workers.result(1, _ignore) == 15
    assert workers.result(0, _ignore) == 4
    assert workers.done == [True, True]
    workers.close()
    assert children() == {}


def test_warm_ups_that_fail_are_ignored(start: Start) -> None:
    workers = start(_double, _triple, warm_shared=_warm_up_fails, warm_first=_warm_up_fails)
    workers.send([1, 1])
    assert (workers.result(0, _ignore), workers.result(1, _ignore)) == (2, 3)


@pytest.mark.parametrize("which", [0, 1])
def test_an_exception_in_a_task_is_raised_with_its_type_and_message(which: int, start: Start) -> None:
    tasks: list[parallel.Task] = [_double, _double]
    tasks[which] = _raises_value_error
    workers = start(*tasks)
    workers.send(["第三张表", "第三张表"])
    with pytest.raises(ValueError) as caught:
        workers.result(which, _ignore)
    assert caught.type is ValueError and str(caught.value) == "坏的任务：第三张表"
    assert workers.done[which]
    notes = "\n".join(getattr(caught.value, "__notes__", []))
    assert "Raised in a build worker process" in notes and "_raises_value_error" in notes


def test_an_exception_that_does_not_pickle_comes_back_by_name_and_text(start: Start) -> None:
    workers = start(_raises_awkward)
    workers.send(["缺数"])
    with pytest.raises(Exception) as caught:  # a stand-in type: no class to name here
        workers.result(0, _ignore)
    assert str(caught.value) == "缺数×2"
    kind = type(caught.value)
    assert (kind.__module__, kind.__qualname__) == (Awkward.__module__, Awkward.__qualname__)


def test_progress_lines_reach_the_callback_in_order(start: Start) -> None:
    workers = start(_chatty, _chatty)
    workers.send([["第一行", "第二行", "第三行"], ["另一个"]])
    first: list[str] = []
    second: list[str] = []
    assert workers.result(0, first.append) == 3
    assert workers.result(1, second.append) == 1
    assert (first, second) == (["第一行", "第二行", "第三行"], ["另一个"])


def test_tell_reaches_the_tasks_receive(start: Start) -> None:
    workers = start(_told, _told)
    workers.send(["pdf", "docx"])
    workers.tell(1, {3: 7})
    workers.tell(0, "一")
    workers.tell(1, [2])
    workers.tell(0, "二")
    assert workers.result(0, _ignore) == ("pdf", "一", "二")
    assert workers.result(1, _ignore) == ("docx", {3: 7}, [2])


def test_a_worker_that_dies_is_lost_with_the_lines_it_showed(start: Start, children: Children) -> None:
    workers = start(_double, _says_then_dies)
    workers.send([4, "说过的"])
    shown: list[str] = []
    with pytest.raises(parallel.Lost) as caught:
        workers.result(1, shown.append)
    assert caught.value.shown == shown == ["说过的"]
    assert workers.result(0, _ignore) == 8  # its sibling goes on
    workers.close()
    assert children() == {}


@pytest.mark.parametrize("how", ["result-does-not-pickle", "job-does-not-pickle"])
def test_what_does_not_pickle_is_lost_not_hung(how: str, start: Start) -> None:
    if how == "result-does-not-pickle":
        workers = start(_unpicklable_result)
        workers.send([1])
    else:
        workers = start(_double)
        workers.send([_unpicklable()])
    with pytest.raises(parallel.Lost) as caught:
        workers.result(0, _ignore)
    assert caught.value.shown == []


def test_rest_skips_only_the_lines_already_shown() -> None:
    again: list[str] = []
    redo = parallel.Lost(["一", "二"]).rest(again.append)
    for line in ["一", "二", "三"]:
        redo(line)
    assert again == ["三"]
    again.clear()
    redo = parallel.Lost(["一", "二"]).rest(again.append)
    for line in ["一", "别的", "二"]:  # the redo says otherwise: from there on, everything is shown
        redo(line)
    assert again == ["别的", "二"]


@pytest.mark.parametrize("when", ["at-once", "with-the-sibling-up"])
def test_close_stops_workers_that_never_got_a_job(when: str, start: Start, children: Children, tmp_path: Path) -> None:
    marker = tmp_path / "first-warming"
    workers = start(_double, _double, warm_first=_marking(marker))
    if when == "with-the-sibling-up":
        _wait_for(marker.exists)  # the first worker has forked its sibling
    began = time.monotonic()
    workers.close()
    assert time.monotonic() - began < 10
    assert workers.closed
    if when == "at-once":  # a sibling forked just then dies of its SIGTERM a moment after `close` returns
        assert _still_running(children) == []
    else:
        assert _still_running(children, grace=1.0) == []  # zombies left for the reaper are not running


def test_close_stops_busy_workers(start: Start, children: Children, tmp_path: Path) -> None:
    first, sibling = tmp_path / "first-warming", tmp_path / "sibling-warming"
    workers = start(_sleeps, _sleeps, warm_first=_marking(first), warm_sibling=_marking(sibling))
    workers.send([None, None])
    _wait_for(first.exists)  # the sibling is forked; it may not have run yet
    began = time.monotonic()
    workers.close()  # without its SIGTERM this waits LIMIT * 2 seconds, and the deadline fails the test
    assert time.monotonic() - began < 10
    assert children() == {}


def test_no_workers_when_turned_off(monkeypatch: pytest.MonkeyPatch, children: Children) -> None:
    monkeypatch.setenv(parallel.DISABLE, "1")
    forks: list[int] = []

    def counting() -> NoReturn:  # never returns 0 here: this process would take itself for a worker
        forks.append(1)
        raise AssertionError("forked although turned off")

    monkeypatch.setattr(os, "fork", counting)
    assert not parallel.available()
    assert parallel.Workers.start(_nothing, _nothing, _double, [parallel.Sibling(_nothing, _double)]) is None
    assert forks == [] and children() == {}
