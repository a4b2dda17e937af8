"""The one aligner of two editions' sequences (blocks, table rows, runs): difflib's longest matching
runs, refined by a coarser key within what changed, and, for the diff, items that moved.

Steps come in reading order: `(i, j)` pairs old item i with new item j; `(i, None)` is an old
item the new side lacks, `(None, j)` a new one.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from difflib import SequenceMatcher

Step = tuple[int | None, int | None]
Opcode = tuple[str, int, int, int, int]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """difflib's edit script from `a` to `b`, with no junk heuristic (reports are small and exact)."""
    return [(str(tag), i1, i2, j1, j2) for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes()]


def align(
    old: Sequence[Hashable],
    new: Sequence[Hashable],
    old_kinds: Sequence[Hashable] | None = None,
    new_kinds: Sequence[Hashable] | None = None,
) -> list[Step]:
    """Items with equal keys paired; within a replaced stretch, items of the same kind (when kinds
    are given) paired in order; every other item paired with None."""
    steps: list[Step] = []
    for tag, i1, i2, j1, j2 in opcodes(old, new):
        olds, news = range(i1, i2), range(j1, j2)
        if tag == "equal":
            steps.extend(zip(olds, news, strict=True))
        elif tag == "replace" and old_kinds is not None and new_kinds is not None:
            for kind_tag, k1, k2, l1, l2 in opcodes([old_kinds[i] for i in olds], [new_kinds[j] for j in news]):
                if kind_tag == "equal":
                    steps.extend(zip(olds[k1:k2], news[l1:l2], strict=True))
                else:
                    steps.extend(unpaired(olds[k1:k2], news[l1:l2]))
        else:
            steps.extend(unpaired(olds, news))
    return steps


def unpaired(olds: range, news: range) -> list[Step]:
    return [(i, None) for i in olds] + [(None, j) for j in news]


def moved(steps: Sequence[Step], old: Sequence[Hashable], new: Sequence[Hashable]) -> list[Step]:
    """`steps` with each new item left unpaired paired with the first old one of the same key left
    unpaired (it moved); the others stay as they were."""
    waiting: dict[Hashable, list[int]] = {}
    for i, j in steps:
        if i is not None and j is None:
            waiting.setdefault(old[i], []).append(i)
    out: list[Step] = []
    taken: set[int] = set()
    for i, j in steps:
        if i is None and j is not None and waiting.get(new[j]):
            found = waiting[new[j]].pop(0)
            taken.add(found)
            out.append((found, j))
        else:
            out.append((i, j))
    return [(i, j) for i, j in out if not (j is None and i in taken)]
