"""A build with worker processes gives what a build in one process gives: the same files, messages and exit code.

Runs `builder build` on each edition with `BUILDER_JOBS=1` (one process) and without (the writers
in worker processes, see builder.command.pipeline), with and without `--final`, and compares the
bytes of every output, stdout, stderr and the exit code; the workers run with an empty font cache,
then a filled one (builder.style.fontcache), since the PDF must not depend on where its fonts were parsed.

    .venv/bin/python bench/identical_outputs.py [EDITION ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def run(
    edition: Path, out: Path, *, jobs: bool, final: bool, cache: Path | None
) -> tuple[int, str, str, dict[str, bytes]]:
    env = dict(os.environ, BUILDER_CACHE_DIR=str(cache) if cache else "")
    if jobs:
        env.pop("BUILDER_JOBS", None)
    else:
        env["BUILDER_JOBS"] = "1"
    command = [sys.executable, "-m", "builder", "build", str(edition), "-o", str(out)]
    if final:
        command.append("--final")
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    files = {p.name: p.read_bytes() for p in sorted(out.glob("*"))} if out.is_dir() else {}
    # the output folder differs between the runs: compare messages with it taken out
    return proc.returncode, proc.stdout.replace(str(out), "OUT"), proc.stderr.replace(str(out), "OUT"), files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("editions", nargs="*", type=Path, default=[Path("inputs/2020")])
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="identical-") as tmp:
        work = Path(tmp)
        for n, edition in enumerate(args.editions):
            for final in (False, True):
                cache = work / f"cache-{n}-{final}"  # empty for the first run using it, filled by it for the others
                plan = (
                    ("one process, no font cache", False, None),
                    ("workers, font cache empty", True, cache),
                    ("workers, font cache filled", True, cache),
                    ("one process, font cache filled", False, cache),
                )
                runs = {}
                for label, jobs, fonts in plan:
                    runs[label] = run(edition, work / f"{n}-{final}-{label}", jobs=jobs, final=final, cache=fonts)
                reference = runs[plan[0][0]]
                for label, result in runs.items():
                    same = result == reference
                    failures += not same
                    names = ", ".join(f"{k} ({len(v)} B)" for k, v in result[3].items()) or "no files"
                    flag = "--final " if final else ""
                    print(f"{'same' if same else 'DIFFERENT'}: {flag}{edition} {label}: exit {result[0]}, {names}")
                    if not same:
                        for part, a, b in zip(("exit", "stdout", "stderr"), reference[:3], result[:3], strict=True):
                            if a != b:
                                print(f"  {part} differs:\n    {a!r}\n    {b!r}")
                        for name in sorted(set(reference[3]) | set(result[3])):
                            if reference[3].get(name) != result[3].get(name):
                                print(f"  {name} differs")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
