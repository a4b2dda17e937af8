"""Fuzz `builder check` (or `builder build`) for as long as you like: the property of tests/end_to_end/test_fuzz.py.

    .venv/bin/python tools/fuzz.py --minutes 10            # random cells and layouts, builder check
    .venv/bin/python tools/fuzz.py --minutes 30 --build    # the same through whole builds (slower)
    .venv/bin/python tools/fuzz.py --minutes 5 --seed 7    # reproducible rounds

Runs rounds of hypothesis examples until the time is up, printing a line per round (examples,
exit codes so far) and, for every failure, hypothesis' shrunk example and the error. Exits 1 if
any example failed, 0 otherwise. Failures are not stored in the project's .hypothesis database.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "end_to_end"), str(ROOT / "tests")]

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from test_fuzz import Mutation, build_mutation, check_mutation, mutations  # noqa: E402

ROUND = 50  # examples per round: a failure found is shrunk and reported before the next round


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz builder check/build with random workbooks made from the sample.")
    parser.add_argument("--minutes", type=float, default=10.0, help="how long to run (default 10)")
    parser.add_argument("--build", action="store_true", help="run whole builds instead of builder check")
    parser.add_argument("--seed", type=int, default=None, help="seed of the first round (each round adds 1)")
    parser.add_argument("--max-failures", type=int, default=5, help="stop after this many failing rounds")
    args = parser.parse_args(argv)

    run = build_mutation if args.build else check_mutation
    codes: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    deadline = time.monotonic() + args.minutes * 60
    started = time.monotonic()
    round_number = 0

    def one(mutation: Mutation) -> None:
        with tempfile.TemporaryDirectory() as folder:
            codes[run(mutation, Path(folder))] += 1

    while time.monotonic() < deadline and len(failures) < args.max_failures:
        round_number += 1
        test = settings(
            max_examples=ROUND,
            deadline=None,
            database=None,
            phases=(Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )(given(mutation=mutations)(one))
        if args.seed is not None:
            test = seed(args.seed + round_number - 1)(test)
        try:
            test()
        except Exception as exc:  # hypothesis re-raises the shrunk example's error
            text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            failures.append(text)
            print(f"FAILURE in round {round_number}:\n{text}\n", flush=True)
        elapsed = time.monotonic() - started
        shown = ", ".join(f"exit {code}: {count}" for code, count in sorted(codes.items()))
        print(
            f"round {round_number}: {sum(codes.values())} examples in {elapsed:.0f} s ({shown}); failures: {len(failures)}",
            flush=True,
        )

    print(f"done: {sum(codes.values())} examples, {len(failures)} failing rounds", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
