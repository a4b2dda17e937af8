"""The annual report with every district's brief (`builder build --briefs`) against the annual report
alone (`builder build`), every format each.

Both run as separate processes, alternating, in one run; the medians of `--runs` rounds are
compared. Peak memory is the largest resident set of the build or any of its worker processes.

    .venv/bin/python bench/briefs_vs_annual.py [EDITION] [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_vs_libreoffice import Command, alternated, timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("edition", nargs="?", type=Path, default=Path("inputs/2020"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    build = [sys.executable, "-m", "builder", "build", str(args.edition)]
    commands: dict[str, Command] = {
        "annual": ([*build, "-o", str(work / "annual")], None),
        "with briefs": ([*build, "-o", str(work / "briefs"), "--briefs"], None),
    }
    for command in commands.values():
        timed(command)  # warm the file and font caches
    med = alternated(commands, args.runs)
    print(f"briefs built: {len(list((work / 'briefs' / '各区').glob('*.pdf')))}")
    print(f"ratio with briefs/annual: {med['with briefs'] / med['annual']:.2f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
