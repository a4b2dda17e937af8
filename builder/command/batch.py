"""One function over many items, in worker processes that take item after item.

The workers (`workers.Workers` with `many`) are forked when the batch starts, so they share
whatever this process has loaded by then; each is given its next item as it answers, and the
answers are handed over here as they come. Where workers cannot be had (one core, `BUILDER_JOBS=1`,
a thread running) the items are done here, one by one. A worker lost mid-item leaves that item to
this process and takes no more.
"""

from __future__ import annotations

import selectors
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from builder.command import workers as parallel

T = TypeVar("T")
R = TypeVar("R")


def each(items: Sequence[T], attempt: Callable[[T], R], finish: Callable[[T, R], None]) -> None:
    """`attempt` of every item, given to `finish` (here, in this process) as each is done.

    `attempt` reports its own failures in what it returns: whatever it raises in a worker is
    raised here, after the workers are stopped."""
    pool = _pool(attempt, len(items))
    if pool is None:
        for item in items:
            finish(item, attempt(item))
        return
    try:
        _dispatch(pool, items, attempt, finish)
    finally:
        pool.close()


def _pool(attempt: Callable[[Any], Any], count: int) -> parallel.Workers | None:
    if count < 2 or not parallel.available():
        return None

    def task(item: Any, _progress: parallel.Progress, _receive: parallel.Receive) -> Any:
        return attempt(item)

    size = min(parallel.cores(), count)
    siblings = [parallel.Sibling(_nothing, task)] * (size - 1)
    return parallel.Workers.start(_nothing, _nothing, task, siblings, many=True)


def _nothing() -> None:
    """No warm-up: the workers are forked with what they need loaded."""


def _ignore(_text: str) -> None:
    """An attempt says nothing on its way: what it has to say is in what it returns."""


def _dispatch(
    pool: parallel.Workers, items: Sequence[T], attempt: Callable[[T], R], finish: Callable[[T, R], None]
) -> None:
    """Keep every worker busy with the next item; a lost worker's item is done here."""
    waiting = list(items)
    busy: dict[int, T] = {}
    with selectors.DefaultSelector() as selector:
        for which, fd in enumerate(pool.results):
            if waiting:
                busy[which] = waiting.pop(0)
                pool.ask(which, busy[which])
                selector.register(fd, selectors.EVENT_READ, which)
        while busy:
            for key, _ in selector.select():
                which = int(key.data)
                item = busy.pop(which)
                try:
                    result: R = pool.result(which, _ignore)
                except parallel.Lost:
                    selector.unregister(key.fd)
                    finish(item, attempt(item))
                    continue
                finish(item, result)
                if waiting:
                    busy[which] = waiting.pop(0)
                    pool.ask(which, busy[which])
                else:
                    selector.unregister(key.fd)
    for item in waiting:  # every worker was lost
        finish(item, attempt(item))
