"""Our full build (PDF, DOCX, page, proof list: `builder build`) of an edition against LibreOffice converting our DOCX to PDF.

All run as separate processes, alternating, in one run; the medians of `--runs` rounds are
compared. Peak memory is each process's maximum resident set size. `ours` is a build as a user
runs it again, its cache (`builder.caches`: parsed fonts, compiled templates, the charts' outputs)
filled by the build before; `ours-nocache` the same build with every cache off
(`BUILDER_CACHE_DIR=`): fonts parsed, templates compiled and every chart made anew, as in a first build.

    .venv/bin/python bench/build_vs_libreoffice.py [EDITION] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

Command = tuple[list[str], dict[str, str] | None]  # the command and its environment (None: this one's)


def timed(command: Command) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command[0], env=command[1], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command[0])}")
    return seconds, usage.ru_maxrss / 1024


def alternated(commands: dict[str, Command], runs: int) -> dict[str, float]:
    """Each command run `runs` times, in turn; prints each one's times and peak memory, returns the medians."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            results[name].append(timed(command))
    med = {k: statistics.median(s for s, _ in v) for k, v in results.items()}
    for name, done in results.items():
        times = ", ".join(f"{s:.2f}" for s, _ in done)
        print(f"{name:13s} median {med[name]:.2f} s  (runs: {times})  peak RSS {max(m for _, m in done):.0f} MB")
    return med


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("edition", nargs="?", type=Path, default=Path("inputs/2020"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    ours: Command = ([sys.executable, "-m", "builder", "build", str(args.edition), "-o", str(work / "ours")], None)
    uncached: Command = (ours[0], {**os.environ, "BUILDER_CACHE_DIR": ""})
    timed(ours)  # warm the file and the builder's caches; its DOCX is LibreOffice's input
    docx = next((work / "ours").glob("*.docx"))
    source = work / "report.docx"
    shutil.copy(docx, source)
    profile = f"-env:UserInstallation=file://{work}/lo-profile"
    office: Command = ([soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(work / "lo"), str(source)], None)
    timed(office)  # first start creates the profile
    med = alternated({"ours": ours, "ours-nocache": uncached, "libreoffice": office}, args.runs)
    print(f"ratio ours/libreoffice: {med['ours'] / med['libreoffice']:.2f}")
    print(f"ratio ours-nocache/libreoffice: {med['ours-nocache'] / med['libreoffice']:.2f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
