"""Worker processes for a build's writers, forked while the build is still reading the workbook.

A build spends about a third of its time reading and composing, and most of the rest importing the
writers, parsing fonts, typing the PDF and writing the DOCX; on a machine with two cores most of it
can overlap. `Workers.start` forks at the beginning of a build (POSIX, with two cores or more, and
no other thread running; else the build does everything itself):

    build: reads the workbook, composes the document, sends each worker its job, writes the files
      └─ first worker: runs `warm_shared` (imports), forks the siblings, runs `warm_first` (fonts),
         waits for its job, runs `first`
           └─ each sibling: forked with the first's imports already done, runs its own warm-up,
              waits for its job, runs its task

A task may wait for more from the build (`tell`), such as what the other worker found. Each
worker sends back its result, the progress lines its task gave, or its exception: `result`
passes the lines on and raises the exception in the build's process, so messages, their order
and exit codes are those of a build done in one process. A worker that dies without a result
raises `Lost` there, and the build does that task itself. The warm-ups are guesses made before
the document exists; whatever they raise is ignored (the task meets it again and reports it).

Only the build's own process writes files and prints; workers leave with `os._exit`, never
running the caller's clean-up (a test runner's, say). The workers form a process group of their
own; closing the `Workers` stops the whole group if any worker is not done (SIGTERM, so a
sibling stops even when the first worker is already gone) and waits for the first.

No worker outlives the build, however the build ends (SIGTERM from `timeout`, SIGKILL, a crash):
their own process group keeps them out of signals sent to the build's group, and a worker left
behind would hold the build's standard output open (`builder build | cat` would never end).

  - The first worker asks the kernel for SIGKILL when its parent, the build, dies (Linux
    `PR_SET_PDEATHSIG`), then checks that its parent is still the build, as it may have died
    before the request.
  - Every worker holds the read end of a lifeline pipe whose one write end stays in the build, and
    a thread that waits on it: end of file is the build gone, and the worker leaves. This is what
    stops a sibling when its grandparent dies (the kernel's signal follows the parent only, and a
    sibling must outlive a first worker that is lost), and the first worker where `prctl` is
    missing. A worker starts that thread once it will fork no more, as forking with a second
    thread running is unsafe; the thread takes no signal, so SIGTERM still reaches the main
    thread even when it is blocked reading its job.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Progress = Callable[[str], None]
Receive = Callable[[], Any]
Task = Callable[[Any, Progress, Receive], Any]  # the job, where to send progress lines, what waits for `tell`

HEADER = 8  # bytes of a frame's length
DISABLE = "BUILDER_JOBS"  # BUILDER_JOBS=1: one process, no workers (as on a machine with one core)
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Lost(Exception):
    """A worker ended without a result; the progress lines it had already sent are in `shown`."""

    def __init__(self, shown: list[str]) -> None:
        super().__init__("build worker ended without a result")
        self.shown = shown

    def rest(self, progress: Progress) -> Progress:
        """`progress`, skipping the lines already shown, for the task done again in-process."""
        skip = list(self.shown)

        def forward(text: str) -> None:
            if skip and skip[0] == text:
                skip.pop(0)
                return
            skip.clear()
            progress(text)

        return forward


def available() -> bool:
    """Whether this process may fork workers: POSIX fork, two cores to run on, one thread, not turned off."""
    if os.environ.get(DISABLE, "").strip() == "1" or not hasattr(os, "fork"):
        return False
    return cores() >= 2 and threading.active_count() == 1


def cores() -> int:
    """The CPUs this process may run on (on one, workers would only add their overhead)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------- frames


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exact(fd: int, size: int) -> bytes | None:
    """`size` bytes from `fd`, or None at end of file before that."""
    parts: list[bytes] = []
    left = size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def _frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(HEADER, "big") + data


def _read_frame(fd: int) -> Any:
    """The next message from `fd`; `EOFError` when the writer is gone."""
    head = _read_exact(fd, HEADER)
    data = None if head is None else _read_exact(fd, int.from_bytes(head, "big"))
    if data is None:
        raise EOFError
    return pickle.loads(data)


# ---------------------------------------------------------------- exceptions across processes


@dataclass(frozen=True)
class Raised:
    """An exception as a worker sends it: pickled when it comes back the same, else its name and text."""

    pickled: bytes | None
    module: str
    qualname: str
    text: str
    trace: str


def carried(exc: BaseException) -> Raised:
    import traceback

    kind = type(exc)
    trace = "".join(traceback.format_exception(exc))
    pickled: bytes | None = None
    try:
        data = pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL)
        back = pickle.loads(data)
        if type(back) is kind and str(back) == str(exc) and back.args == exc.args:
            pickled = data
    except Exception:  # an exception that does not pickle travels as its name and text
        pickled = None
    return Raised(pickled, kind.__module__, kind.__qualname__, str(exc), trace)


def rebuilt(raised: Raised) -> BaseException:
    """The worker's exception in this process: the same type and text (a stand-in of that name if need be)."""
    exc: BaseException | None = None
    if raised.pickled is not None:
        try:
            exc = pickle.loads(raised.pickled)
        except Exception:
            exc = None
    if exc is None:
        name = raised.qualname.rpartition(".")[2]
        kind = type(name, (Exception,), {"__module__": raised.module, "__qualname__": raised.qualname})
        exc = kind(raised.text)
    exc.add_note(f"Raised in a build worker process:\n{raised.trace.rstrip()}")
    return exc


# ---------------------------------------------------------------- the workers


@dataclass
class _Pipe:
    read: int
    write: int

    @classmethod
    def new(cls) -> _Pipe:
        r, w = os.pipe()
        return cls(r, w)


@dataclass(frozen=True)
class _Ends:
    """A worker's two pipes: its job (the build writes, the worker reads) and its result (the reverse)."""

    job: _Pipe
    result: _Pipe

    def worker_side(self) -> tuple[int, int]:
        return self.job.read, self.result.write

    def build_side(self) -> tuple[int, int]:
        return self.job.write, self.result.read


def _close(*fds: int) -> None:
    for fd in fds:
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)


@dataclass(frozen=True)
class Sibling:
    """A worker forked from the first once `warm_shared` is done: its own warm-up, then its task."""

    warm: Callable[[], object]
    task: Task


@dataclass
class Workers:
    """The build's side of the workers: send them their jobs, take their results, stop them.

    Worker 0 is the first; 1, 2 … are its siblings, in the order given to `start`."""

    pid: int  # the first worker; the siblings are its children
    jobs: list[int]  # write ends, by worker
    results: list[int]  # read ends, by worker
    done: list[bool]
    lifeline: int  # the write end: closed only when this process ends or the workers are reaped
    closed: bool = False

    @classmethod
    def start(
        cls,
        warm_shared: Callable[[], object],
        warm_first: Callable[[], object],
        first: Task,
        siblings: Sequence[Sibling],
        *,
        many: bool = False,
    ) -> Workers | None:
        """Fork the workers; None when this process cannot (then the caller does the tasks itself).
        With `many`, each worker takes job after job (`tell`), answering each (`result`), until `close`."""
        if not available():
            return None
        ends = [_Ends(_Pipe.new(), _Pipe.new()) for _ in range(1 + len(siblings))]
        lifeline = _Pipe.new()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.flush()
        build = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            _close(*(fd for e in ends for fd in (*e.worker_side(), *e.build_side())), lifeline.read, lifeline.write)
            return None
        if pid == 0:  # the first worker; never returns
            _die_with(build)
            _own_group(0)
            # another `Workers` still open in the build would otherwise live as long as this one
            _close(*(fd for e in ends for fd in e.build_side()), lifeline.write, *_lifelines)
            ends_here = [e.worker_side() for e in ends]
            _first_worker(warm_shared, warm_first, first, siblings, ends_here, lifeline.read, many)
        _own_group(pid)  # set on both sides of the fork, so `close` finds the group whichever ran first
        _close(*(fd for e in ends for fd in e.worker_side()), lifeline.read)
        _lifelines.add(lifeline.write)
        jobs, results = [e.job.write for e in ends], [e.result.read for e in ends]
        return cls(pid, jobs, results, [False] * len(ends), lifeline.write)

    def send(self, jobs: Sequence[object]) -> None:
        """Each worker its job, written as it is ready to read it (a worker gone is skipped)."""
        import selectors

        pending: dict[int, memoryview] = {}
        frames: dict[int, bytes] = {}  # by the job's id: a job given to several workers is pickled once
        for index, (fd, job) in enumerate(zip(self.jobs, jobs, strict=True)):
            try:
                frame = frames.get(id(job)) or frames.setdefault(id(job), _frame(job))
            except Exception:  # a job that does not pickle: that worker stops, the build does its task
                _close(fd)
                self.jobs[index] = -1
                continue
            pending[fd] = memoryview(frame)
        pending_fds = list(pending)
        with selectors.DefaultSelector() as selector:
            for fd in pending:
                os.set_blocking(fd, False)
                selector.register(fd, selectors.EVENT_WRITE)
            while pending:
                for key, _ in selector.select():
                    fd = int(key.fd)
                    try:
                        sent = os.write(fd, pending[fd])
                    except BlockingIOError:
                        continue
                    except OSError:  # the worker is gone: its result will say so
                        sent = len(pending[fd])
                    pending[fd] = pending[fd][sent:]
                    if not pending[fd]:
                        del pending[fd]
                        selector.unregister(fd)
        for fd in pending_fds:
            with contextlib.suppress(OSError):
                os.set_blocking(fd, True)

    def tell(self, which: int, message: object) -> None:
        """Send worker `which` a further message, which its task's `receive` returns (lost if it is gone)."""
        with contextlib.suppress(OSError):  # the worker is gone: its result will say so
            _write_all(self.jobs[which], _frame(message))

    def ask(self, which: int, job: object) -> None:
        """Give worker `which` (of workers started with `many`) its next job; `result` answers it."""
        self.done[which] = False  # busy: closing now stops it
        self.tell(which, job)

    def result(self, which: int, progress: Progress) -> Any:
        """Worker `which`'s result, passing its progress lines on.

        Raises the worker's exception, or `Lost` when it ended without a result."""
        shown: list[str] = []
        fd = self.results[which]
        while True:
            try:
                kind, payload = _read_frame(fd)
            except (EOFError, OSError, pickle.UnpicklingError, ValueError) as exc:
                raise Lost(shown) from exc
            if kind == "progress":
                shown.append(payload)
                progress(payload)
                continue
            self.done[which] = True
            if kind == "error":
                raise rebuilt(payload)
            return payload

    def close(self) -> None:
        """Stop the workers if they are not done, and wait for them."""
        if self.closed:
            return
        self.closed = True
        _close(*self.jobs, *self.results)
        if not all(self.done):
            try:  # the whole group: a sibling runs on when the first worker is already gone
                os.killpg(self.pid, signal.SIGTERM)
            except OSError:
                with contextlib.suppress(OSError):
                    os.kill(self.pid, signal.SIGTERM)
        _reap(self.pid)
        # after the reaping: a first worker that is done must live to reap its siblings, or they
        # would be left as zombies for whoever inherits them
        _lifelines.discard(self.lifeline)
        _close(self.lifeline)


_lifelines: set[int] = set()  # the write ends of the lifelines of every `Workers` open in this process


def _die_with(parent: int) -> None:
    """In a worker just forked by `parent`: have the kernel kill it when `parent` ends, however it ends."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (ImportError, AttributeError, OSError):  # no prctl (not Linux): the lifeline alone stops it
        pass
    if os.getppid() != parent:  # it died before the request, which then never fires
        os._exit(1)


def _watch(lifeline: int) -> None:
    """Leave this process as soon as the build is gone: the lifeline, never written to, then reads end of file."""

    def wait() -> None:
        with contextlib.suppress(OSError):
            while os.read(lifeline, 1):
                pass
        os._exit(1)

    # A signal the kernel gave this thread would only be noted for the main thread's Python
    # handler, which never runs while the main thread stays blocked in a read (its job, say):
    # blocked here, every signal goes to the main thread and interrupts what it waits on.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    try:
        with contextlib.suppress(RuntimeError):  # no thread to be had: the parent-death signal remains
            threading.Thread(target=wait, name="build-lifeline", daemon=True).start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _own_group(pid: int) -> None:
    """Make worker `pid` (0: this process) the leader of a process group its siblings join by forking."""
    with contextlib.suppress(OSError):  # the child may have set it already, or be gone
        os.setpgid(pid, pid if pid else 0)


def _reap(pid: int) -> None:
    while True:
        try:
            os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            pass
        return


_siblings: list[int] = []  # in the first worker: its siblings' pids, stopped with it


def _on_term(signum: int, _frame: object) -> None:
    """SIGTERM in the first worker: stop the siblings too, then leave."""
    for pid in _siblings:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    for pid in _siblings:
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
    os._exit(128 + signum)


def _first_worker(
    warm_shared: Callable[[], object],
    warm_first: Callable[[], object],
    first: Task,
    siblings: Sequence[Sibling],
    ends: list[tuple[int, int]],
    lifeline: int,
    many: bool = False,
) -> None:
    """The first worker's life: warm up, fork the siblings (each closing the others' pipes), serve."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it stops us
        signal.signal(signal.SIGTERM, _on_term)
        _warm(warm_shared)
        held = dict(enumerate(ends))  # the pipe ends open in this process, by worker
        for index, sibling in enumerate(siblings, start=1):
            # SIGTERM waits until the new sibling is on the list (here) or has its own handler
            # (there): one arriving in between would otherwise leave that sibling running
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            try:
                pid = os.fork()
            except OSError:  # the build does this one's task itself
                pid = -1
            if pid == 0:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
                _close(*(fd for i, pair in held.items() if i != index for fd in pair))
                _watch(lifeline)
                _warm(sibling.warm)
                os._exit(_serve(sibling.task, *ends[index], many))
            if pid > 0:
                _siblings.append(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            _close(*held.pop(index))
        _watch(lifeline)
        _warm(warm_first)
        code = _serve(first, *ends[0], many)
        for pid in _siblings:
            _reap(pid)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _warm(step: Callable[[], object]) -> None:
    """A guess made before the job exists: its errors are the task's to meet and report."""
    with contextlib.suppress(Exception):
        step()


def _serve(task: Task, job: int, result: int, many: bool = False) -> int:
    """Wait for the job, run the task, send its progress lines and its result or exception; with
    `many`, job after job until the build closes the job pipe.

    Both pipes are closed on the way out, whatever happens: the build then reads the end of the
    result pipe (`Lost`) instead of waiting for a result that will not come."""
    try:
        while True:
            code = _run(task, job, result)
            if code is None:  # the build has no (further) job
                return 0
            if code or not many:
                return code
    finally:
        _close(job, result)


def _run(task: Task, job: int, result: int) -> int | None:
    """One job done and answered: 0, or 1 when the answer could not be sent; None when no job came."""
    try:
        work = _read_frame(job)
    except EOFError:  # the build stopped (or finished) before sending a job
        return None

    def progress(text: str) -> None:
        _write_all(result, _frame(("progress", text)))

    def receive() -> Any:
        return _read_frame(job)

    try:
        value = task(work, progress, receive)
    except BaseException as exc:
        message: tuple[str, object] = ("error", carried(exc))
    else:
        message = ("done", value)
    try:
        frame = _frame(message)
    except Exception:  # a result that does not pickle: the build does the task itself
        return 1
    try:
        _write_all(result, frame)
    except OSError:  # the build is gone
        return 1
    return 0


__all__ = ["Lost", "Progress", "Raised", "Receive", "Sibling", "Task", "Workers", "available", "carried", "rebuilt"]
