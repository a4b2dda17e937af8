"""Our full build (PDF, DOCX, page, proof list: `builder build`) of an edition against LibreOffice converting our DOCX to PDF.

Both run as separate processes, alternating, in one run; the medians of `--runs` rounds are
compared. Peak memory is each process's maximum resident set size.

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


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in MB of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def alternated(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Each command run `runs` times, in turn; prints each one's times and peak memory, returns the medians."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            results[name].append(timed(command))
    med = {k: statistics.median(s for s, _ in v) for k, v in results.items()}
    for name, done in results.items():
        times = ", ".join(f"{s:.2f}" for s, _ in done)
        print(f"{name:12s} median {med[name]:.2f} s  (runs: {times})  peak RSS {max(m for _, m in done):.0f} MB")
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
    ours = [sys.executable, "-m", "builder", "build", str(args.edition), "-o", str(work / "ours")]
    timed(ours)  # warm the file cache; its DOCX is LibreOffice's input
    docx = next((work / "ours").glob("*.docx"))
    source = work / "report.docx"
    shutil.copy(docx, source)
    profile = f"-env:UserInstallation=file://{work}/lo-profile"
    office = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(work / "lo"), str(source)]
    timed(office)  # first start creates the profile
    med = alternated({"ours": ours, "libreoffice": office}, args.runs)
    print(f"ratio ours/libreoffice: {med['ours'] / med['libreoffice']:.2f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
