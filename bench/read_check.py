"""Median time and peak memory to read, derive and check an edition (default: the 2020 sample).

.venv/bin/python bench/read_check.py [EDITION] [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from builder.command.pipeline import read


def once(edition: Path) -> tuple[float, int]:
    """A build's first step: the edition read, its figures derived and checked (its prose too)."""
    start = time.perf_counter()
    findings = read(edition).findings
    return time.perf_counter() - start, len(findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("edition", nargs="?", type=Path, default=Path("inputs/2020"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    once(args.edition)  # warm imports and caches
    times = []
    findings = 0
    for _ in range(args.runs):
        seconds, findings = once(args.edition)
        times.append(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read+derive+check {args.edition}: median {statistics.median(times) * 1000:.1f} ms "
        f"over {args.runs} runs (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); "
        f"{findings} findings; peak RSS {peak_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
