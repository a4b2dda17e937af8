"""A build's workers (`builder.command.workers`) never outlive it, however it ends.

The builds here run as `python -m builder build` in a subprocess, on a copy of the sample edition,
and are killed, stopped or timed out from outside: their workers, found in /proc as the build's
descendants running the same program, must be gone within `GONE_WITHIN` seconds. Left alone, a
worker would type on for the seconds its task takes, and one that keeps the build's standard
output open stalls a pipeline such as `timeout 5 builder build | cat`.

A build is caught where it matters by what it says (its progress lines) and where it waits
(/proc/<pid>/wchan): "writing" is the build blocked reading a worker's result, so the workers have
their jobs. A worker is told from its helpers (fc-list) by its program name; from a later process
of the same number by its start time.

This process is a child subreaper (Linux `prctl`) during each test, so workers orphaned by the
build's death come back here instead of escaping to init; whatever is left at the end is killed
and reaped.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple, NoReturn

import pytest

from builder.command import workers as parallel
from builder.command.workers import Progress, Receive

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
GONE_WITHIN = 1.0  # seconds from the build's end to its workers' (they take milliseconds; left alone, seconds)
LIMIT = 60.0  # seconds any wait here may take before the test counts as hung
COMPOSED = "第2步"  # the build's line once composed: it sends the jobs next

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or parallel.cores() < 2,
    reason="workers need fork and two cores; the checks read /proc",
)


class Proc(NamedTuple):
    pid: int
    ppid: int
    state: str  # Z: ended, not yet reaped
    name: str
    started: int  # clock ticks after boot: with the pid, names one process for good


def _table() -> dict[int, Proc]:
    found: dict[int, Proc] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        head, _, rest = stat.rpartition(")")
        fields = rest.split()
        pid = int(entry.name)
        found[pid] = Proc(pid, int(fields[1]), fields[0], head.partition("(")[2], int(fields[19]))
    return found


def _descendants(root: int, table: dict[int, Proc]) -> list[Proc]:
    below: list[Proc] = []
    parents = {root}
    while True:
        more = [p for p in table.values() if p.ppid in parents and p not in below]
        if not more:
            return below
        below += more
        parents = {p.pid for p in more}


def _running(procs: Iterator[Proc] | list[Proc] | set[Proc]) -> list[Proc]:
    """Those of `procs` still running (ended and not yet reaped does not count)."""
    table = _table()
    return [p for p in procs if p.pid in table and table[p.pid].started == p.started and table[p.pid].state not in "ZX"]


def _wchan(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/wchan").read_text().strip()
    except OSError:
        return ""


def _in_pipe_read(pid: int) -> bool:
    return "pipe" in _wchan(pid)  # anon_pipe_read, pipe_read or pipe_wait, by kernel version


def _until(condition: Callable[[], bool], what: str, seconds: float = LIMIT) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"gave up waiting: {what}"
        time.sleep(0.005)


def _gone(procs: list[Proc] | set[Proc], seconds: float = GONE_WITHIN) -> list[Proc]:
    """`procs` still running after `seconds`."""
    end = time.monotonic() + seconds
    while (left := _running(procs)) and time.monotonic() < end:
        time.sleep(0.005)
    return left


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != parallel.DISABLE}


@dataclass
class Build:
    """A build in a subprocess, with the workers seen so far and what it has said."""

    process: subprocess.Popen[bytes]
    stderr: IO[bytes]
    workers: set[Proc] = field(default_factory=set)
    said: str = ""

    @classmethod
    def start(cls, edition: Path, out: Path) -> Build:
        command = [sys.executable, "-m", "builder", "build", str(edition), "-o", str(out)]
        process = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert process.stderr is not None
        os.set_blocking(process.stderr.fileno(), False)
        return cls(process, process.stderr)

    @property
    def pid(self) -> int:
        return self.process.pid

    def look(self) -> None:
        table = _table()
        if self.pid in table:
            name = table[self.pid].name
            # one entry a process: its state changes from look to look, and a set keeping each
            # state seen would count one worker twice
            self.workers |= {p._replace(state="") for p in _descendants(self.pid, table) if p.name == name}
        with contextlib.suppress(BlockingIOError, ValueError):
            while chunk := os.read(self.stderr.fileno(), 1 << 16):
                self.said += chunk.decode("utf-8", "replace")

    def first(self) -> Proc | None:
        return next((p for p in self.workers if p.ppid == self.pid), None)

    def siblings(self) -> list[Proc]:
        first = self.first()
        return [p for p in self.workers if first is not None and p.ppid == first.pid]

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        def seen() -> bool:
            self.look()
            assert self.process.poll() is None, f"the build ended before {what}"
            return condition()

        _until(seen, what)

    def workers_up(self) -> bool:
        return self.first() is not None and bool(self.siblings())

    def writing(self) -> bool:
        """Composed, with both workers up, and blocked reading a worker's result."""
        return COMPOSED in self.said and self.workers_up() and _in_pipe_read(self.pid)


@pytest.fixture(autouse=True)
def reaper() -> Iterator[list[Build]]:
    """This process a subreaper for the test; the builds it lists, and any orphan, stopped and reaped after."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        pytest.skip("cannot become a child subreaper")
    me = os.getpid()
    before = {p.pid for p in _table().values() if p.ppid == me}
    builds: list[Build] = []
    try:
        yield builds
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
        for build in builds:
            for proc in _running([*build.workers]):
                with contextlib.suppress(OSError):
                    os.kill(proc.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                build.process.kill()
            build.process.wait()
            build.stderr.close()
        for proc in _table().values():
            if proc.ppid == me and proc.pid not in before:
                with contextlib.suppress(OSError):
                    os.kill(proc.pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(proc.pid, 0)


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("edition") / "2020"
    shutil.copytree(SAMPLE, copy)
    return copy


@pytest.fixture(scope="module")
def wchan_shows_pipes() -> None:
    """Whether /proc/<pid>/wchan names a wait on a pipe here, as `Build.writing` needs."""
    reader = subprocess.Popen([sys.executable, "-c", "import os; os.read(0, 1)"], stdin=subprocess.PIPE)
    try:
        end = time.monotonic() + 10
        while not _in_pipe_read(reader.pid):
            if time.monotonic() > end:
                pytest.skip("/proc/<pid>/wchan does not show a process waiting on a pipe")
            time.sleep(0.01)
    finally:
        reader.kill()
        reader.wait()
        assert reader.stdin is not None
        reader.stdin.close()


def _started(reaper: list[Build], edition: Path, out: Path) -> Build:
    build = Build.start(edition, out)
    reaper.append(build)
    return build


# ---------------------------------------------------------------- the build killed


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("moment", ["warming", "writing"])
def test_the_workers_end_with_the_build(
    signum: signal.Signals, moment: str, edition: Path, tmp_path: Path, reaper: list[Build], wchan_shows_pipes: None
) -> None:
    build = _started(reaper, edition, tmp_path / "out")
    if moment == "warming":  # the first worker has forked its sibling; the build still reads
        build.wait_for(build.workers_up, "both workers were up")
    else:
        build.wait_for(build.writing, "the build waited for its workers' results")
    os.kill(build.pid, signum)
    assert build.process.wait(timeout=LIMIT) == -signum
    assert len(build.workers) >= 2
    assert _gone(build.workers) == [], "a worker outlived the build"


# ---------------------------------------------------------------- a worker waiting for its job


def _waiting_for_its_job(build: Build, worker: Proc) -> bool:
    """Blocked in a pipe read with no helper of its own running (fc-list's output is read from a pipe too)."""
    workers = {(w.pid, w.started) for w in build.workers}
    helpers = [p for p in _descendants(worker.pid, _table()) if (p.pid, p.started) not in workers]
    return not helpers and _in_pipe_read(worker.pid)


@pytest.mark.parametrize("which", ["first", "sibling"])
def test_a_worker_waiting_for_its_job_ends_on_sigterm(
    which: str, edition: Path, tmp_path: Path, reaper: list[Build], wchan_shows_pipes: None
) -> None:
    out = tmp_path / "out"
    build = _started(reaper, edition, out)
    build.wait_for(lambda: build.first() is not None, "the first worker was forked")
    os.kill(build.pid, signal.SIGSTOP)  # before it has composed anything, so before it sends a job
    try:
        build.look()
        assert COMPOSED not in build.said, "stopped too late: the jobs may have been sent"

        def both_waiting() -> bool:
            first, siblings = build.first(), build.siblings()
            return (
                first is not None
                and len(siblings) == 1
                and all(_waiting_for_its_job(build, w) for w in (first, *siblings))
            )

        build.wait_for(both_waiting, "both workers waited for their jobs")
        target = build.first() if which == "first" else build.siblings()[0]
        assert target is not None
        os.kill(target.pid, signal.SIGTERM)
        assert _gone([target]) == [], "a worker waiting for its job ignored SIGTERM"
    finally:
        os.kill(build.pid, signal.SIGCONT)
    assert build.process.wait(timeout=LIMIT) == 0  # the build does the stopped worker's task itself
    assert len(list(out.iterdir())) == 5
    assert _gone(build.workers) == []


# ---------------------------------------------------------------- `timeout … | cat`


@pytest.mark.skipif(shutil.which("timeout") is None, reason="no timeout command")
def test_a_timed_out_build_through_a_pipe_returns_and_leaves_no_process(
    edition: Path, tmp_path: Path, wchan_shows_pipes: None
) -> None:
    """`timeout 5 builder build … | cat`, the build stopped while it waits for its workers' results, so that
    `timeout` ends it mid-run however fast this machine builds (its SIGTERM comes with a SIGCONT)."""
    err = tmp_path / "stderr.txt"
    build = [sys.executable, "-m", "builder", "build", str(edition), "-o", str(tmp_path / "out")]
    line = f"timeout 5 {shlex.join(build)} 2>{shlex.quote(str(err))} | cat"
    began = time.monotonic()
    shell = subprocess.Popen(line, shell=True, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL)
    seen: set[Proc] = set()
    running: list[Proc] = []  # the build, once seen writing

    def writing() -> bool:
        table = _table()
        below = _descendants(shell.pid, table)
        seen.update(below)
        for run in below:
            if run.ppid not in table or table[run.ppid].name != "timeout" or run.name == "timeout":
                continue
            workers = [p for p in _descendants(run.pid, table) if p.name == run.name]
            said = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
            if COMPOSED in said and len(workers) >= 2 and _in_pipe_read(run.pid):
                running.append(run)
                return True
        return False

    try:
        _until(lambda: writing() or shell.poll() is not None, "the build waited for its workers' results", 20)
        assert running, "the pipeline ended before the build was seen writing"
        os.kill(running[0].pid, signal.SIGSTOP)
        shell.wait(timeout=max(0.0, 20 - (time.monotonic() - began)))
    except subprocess.TimeoutExpired:
        pytest.fail("`timeout 5 builder build | cat` had not returned after 20 s")
    finally:
        for proc in _running(seen):
            with contextlib.suppress(OSError):
                os.kill(proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            shell.kill()
        shell.wait()
    assert len({p.name for p in seen} & {"timeout", "cat", running[0].name}) == 3
    assert sum(p.name == running[0].name for p in seen) >= 3  # the build and its two workers
    assert _gone(seen) == [], "a process of the pipeline outlived it"


# ---------------------------------------------------------------- Workers itself, in a build forked here


def _nothing() -> None:
    return None


def _busy(_job: object, _progress: Progress, _receive: Receive) -> None:
    end = time.monotonic() + LIMIT
    while time.monotonic() < end:  # holds the interpreter, as typing a PDF does
        pass


def _no_libc(*_: object, **__: object) -> NoReturn:
    raise OSError("no C library to load")


def _a_build(report: int, send: bool, prctl: bool) -> NoReturn:
    """A forked stand-in for a build: starts two workers, perhaps sends their jobs, and waits to be killed."""
    try:
        if not prctl:  # as on a system without prctl
            ctypes.CDLL = _no_libc  # type: ignore[assignment,misc]
        workers = parallel.Workers.start(_nothing, _nothing, _busy, [parallel.Sibling(_nothing, _busy)])
        assert workers is not None
        if send:
            workers.send([None, None])
        os.write(report, b"started")
        time.sleep(LIMIT)
    finally:
        os._exit(1)


class StandIn(NamedTuple):
    pid: int  # the stand-in build, this process's child
    first: Proc
    sibling: Proc


@contextlib.contextmanager
def _stand_in(send: bool, prctl: bool = True) -> Iterator[StandIn]:
    """A stand-in build with both its workers up (each with its second thread, the lifeline's), killed after."""
    assert parallel.available(), "this process cannot fork workers: nothing would be tested"
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        _a_build(write, send, prctl)
    os.close(write)
    try:
        assert os.read(read, 16) == b"started"
        name = _table()[pid].name
        workers: list[Proc] = []

        def both_up() -> bool:
            workers[:] = [p for p in _descendants(pid, _table()) if p.name == name]
            return len(workers) == 2 and all(len(_threads(w.pid)) == 2 for w in workers)

        _until(both_up, "both workers were up")
        first = next(p for p in workers if p.ppid == pid)
        yield StandIn(pid, first, next(p for p in workers if p != first))
    finally:
        os.close(read)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _threads(pid: int) -> list[int]:
    try:
        return sorted(int(task.name) for task in Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []


def _status_of(pid: int) -> int:
    """The status of `pid`, an orphan this process (its subreaper) inherits."""
    end = time.monotonic() + GONE_WITHIN
    while True:
        with contextlib.suppress(ChildProcessError):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
        assert time.monotonic() < end, f"{pid} was not handed over to be reaped"
        time.sleep(0.005)


@pytest.mark.parametrize(
    ("mechanism", "send"),
    [("lifeline", False), ("lifeline", True), ("parent-death", False), ("parent-death", True)],
    ids=["lifeline-waiting", "lifeline-busy", "parent-death-waiting", "parent-death-busy"],
)
def test_each_way_alone_ends_the_workers_with_their_build(mechanism: str, send: bool, reaper: list[Build]) -> None:
    """`lifeline`: without prctl, the pipe alone ends every worker. `parent-death`: the first worker is
    stopped, so its thread cannot watch the pipe, and only the kernel's signal can end it."""
    with _stand_in(send, prctl=mechanism != "lifeline") as build:
        if mechanism == "parent-death":
            os.kill(build.first.pid, signal.SIGSTOP)
            _until(lambda: _table()[build.first.pid].state == "T", "the first worker stopped")
        os.kill(build.pid, signal.SIGKILL)
        os.waitpid(build.pid, 0)
        assert _gone([build.first, build.sibling]) == [], "a worker outlived the build"
        if mechanism == "parent-death":
            status = _status_of(build.first.pid)
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


@pytest.mark.parametrize("thread", ["main", "lifeline"])
@pytest.mark.parametrize("which", ["first", "sibling"])
def test_sigterm_ends_a_worker_waiting_for_its_job_whichever_thread_it_is_sent_to(
    which: str, thread: str, reaper: list[Build], wchan_shows_pipes: None
) -> None:
    """The kernel gives a process's signal to the thread it names when that thread takes it: one taken by
    the lifeline's thread would leave the first worker's handler waiting on a main thread blocked in a read."""
    with _stand_in(send=False) as build:
        worker = build.first if which == "first" else build.sibling
        _until(lambda: _in_pipe_read(worker.pid), "the worker waited for its job")
        main, other = _threads(worker.pid)
        assert main == worker.pid
        os.kill(main if thread == "main" else other, signal.SIGTERM)
        assert _gone([worker]) == [], "a worker waiting for its job ignored SIGTERM"
