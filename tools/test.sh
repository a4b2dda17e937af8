#!/usr/bin/env bash
# Run the whole test suite: lint, type check, tests. Sets up first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
{ [ -x .venv/bin/pytest ] && [ -x .venv/bin/lint-imports ]; } || bash tools/setup.sh --no-build
.venv/bin/ruff check builder tests tools bench
.venv/bin/mypy
.venv/bin/mypy bench  # the benchmarks are run by hand: typed, so they do not rot
.venv/bin/lint-imports --no-cache  # the import contracts of pyproject.toml: stages import downwards only
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "tests: pytest collected no tests" >&2
  exit 0
fi
exit "$status"
